//! Where the program keeps its files: XDG base directories (etcetera), `--data-dir` overriding
//! the data directory. A kiosk service points `--data-dir` at `/var/lib/egais-tui`.

use std::path::{Path, PathBuf};

use etcetera::BaseStrategy;

/// The directory name under every XDG base directory.
pub const APP_DIR: &str = "egais-tui";

/// Where the program keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The database and the raw document archive.
    pub data_dir: PathBuf,
    /// Logs and crash reports.
    pub state_dir: PathBuf,
    /// The user config file that was read, if any.
    pub config_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot find the home directory ({0}); set HOME, or pass --data-dir")]
pub struct PathsError(String);

impl PathsError {
    pub fn message_ru(&self) -> String {
        "Не найден домашний каталог пользователя: задайте HOME или укажите --data-dir.".into()
    }
}

impl Paths {
    /// Data: `--data-dir`, else `$XDG_DATA_HOME/egais-tui`. State (logs, crash reports):
    /// `$XDG_STATE_HOME/egais-tui`. Nothing is created here; the store and the logger
    /// create what they use.
    pub fn resolve(
        data_dir: Option<&Path>,
        config_file: Option<PathBuf>,
    ) -> Result<Paths, PathsError> {
        let base = etcetera::choose_base_strategy().map_err(|e| PathsError(e.to_string()))?;
        let state_root = base
            .state_dir()
            .unwrap_or_else(|| base.home_dir().join(".local").join("state"));
        Ok(Paths {
            data_dir: match data_dir {
                Some(d) => d.to_path_buf(),
                None => base.data_dir().join(APP_DIR),
            },
            state_dir: state_root.join(APP_DIR),
            config_file,
        })
    }

    /// The user's config file location (`$XDG_CONFIG_HOME/egais-tui/config.toml`), whether or
    /// not it exists; `None` without a home directory.
    pub fn user_config_file() -> Option<PathBuf> {
        etcetera::choose_base_strategy()
            .ok()
            .map(|b| b.config_dir().join(APP_DIR).join("config.toml"))
    }
}
