//! Why the TUI could not start or stopped.

use super::file_error::FileError;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("keymap: {0}")]
    Keymap(FileError),
    #[error("theme: {0}")]
    Theme(FileError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("headless: {0}")]
    Script(String),
    /// A service the TUI needs (the UTM client) could not be set up.
    #[error("{0}")]
    Service(String),
}

impl TuiError {
    pub fn message_ru(&self) -> String {
        match self {
            TuiError::Keymap(e) => format!("Файл клавиш: {}", e.message_ru()),
            TuiError::Theme(e) => format!("Файл темы: {}", e.message_ru()),
            TuiError::Terminal(e) => format!("Ошибка терминала: {e}"),
            TuiError::Script(e) => format!("Сценарий клавиш: {e}"),
            TuiError::Service(e) => e.clone(),
        }
    }
}
