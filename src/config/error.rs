//! A config problem as `config check` prints it: `FILE:LINE:COL: message` plus a hint.

use std::fmt;
use std::path::{Path, PathBuf};

use super::validate::HINT_SEP;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the problem is in; `None` for a problem of the merged result
    /// (e.g. a required setting that no file gives).
    pub file: Option<PathBuf>,
    /// 1-based line and column (in characters) of the offending key or value.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong, in English (it goes to logs and to the terminal).
    pub message: String,
    /// What to do, in Russian and English.
    pub hint: String,
}

pub(crate) const SYNTAX_HINT: &str = "синтаксис TOML: заголовки секций [section], строки \
     key = value, текст в двойных кавычках / TOML syntax: [section] headers, key = value lines, \
     text in double quotes";
const UNKNOWN_KEY_HINT: &str = "такого ключа нет: проверьте написание, допустимые ключи \
     перечислены в сообщении / no such key: check the spelling against the allowed keys listed";
const TYPE_HINT: &str = "неверный тип значения: текст пишется в кавычках, числа и true/false — \
     без кавычек / wrong value type: text goes in quotes, numbers and true/false without";
const VARIANT_HINT: &str = "допустимые значения перечислены в сообщении / use one of the values \
     listed in the message";
const DUPLICATE_HINT: &str = "ключ или секция указаны дважды: оставьте одно значение / a key or \
     section is given twice: keep one";
const GENERIC_HINT: &str = "пример файла со всеми секциями — в README.md / README.md has an \
     example with every section";
pub(crate) const IO_HINT: &str = "проверьте путь и права на чтение файла / check the path and \
     that the file is readable";

impl ConfigError {
    /// An error about a whole file (cannot read it) or about the merged configuration.
    pub fn plain(file: Option<&Path>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ConfigError {
            file: file.map(Path::to_path_buf),
            line: None,
            column: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// Turns a toml error into one that names the file and the position in it.
    /// `syntax` says the error came from parsing the text, not from checking the values.
    pub(crate) fn from_toml(file: &Path, text: &str, err: &toml::de::Error, syntax: bool) -> Self {
        let raw = err.message().trim_end();
        let (message, hint) = match raw.split_once(HINT_SEP) {
            Some((m, h)) => (m.to_string(), h.to_string()),
            None => (raw.to_string(), hint_for(raw, syntax).to_string()),
        };
        let (line, column) = match err.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            file: Some(file.to_path_buf()),
            line,
            column,
            message,
            hint,
        }
    }

    /// `FILE:LINE:COL: message` (as much of the position as is known).
    pub fn location_line(&self) -> String {
        let mut out = String::new();
        if let Some(f) = &self.file {
            out.push_str(&f.display().to_string());
            if let Some(l) = self.line {
                out.push_str(&format!(":{l}"));
                if let Some(c) = self.column {
                    out.push_str(&format!(":{c}"));
                }
            }
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  hint: {}", self.location_line(), self.hint)
    }
}

impl std::error::Error for ConfigError {}

/// Picks a hint for toml's own messages. serde's wording is stable ("unknown field",
/// "invalid type", "unknown variant"), which is all this relies on.
fn hint_for(message: &str, syntax: bool) -> &'static str {
    if message.contains("unknown field") {
        UNKNOWN_KEY_HINT
    } else if message.contains("unknown variant") {
        VARIANT_HINT
    } else if message.contains("duplicate") {
        DUPLICATE_HINT
    } else if message.contains("invalid type") || message.contains("invalid value") {
        TYPE_HINT
    } else if syntax {
        SYNTAX_HINT
    } else {
        GENERIC_HINT
    }
}

/// 1-based line and column (counted in characters, as editors show it) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "a = 1\nимя = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        let quote = text.find('"').unwrap();
        assert_eq!(line_col(text, quote), (2, 7));
        assert_eq!(line_col(text, text.len() + 10), (3, 1));
    }
}
