//! Errors in the user's keymap and theme files, pointing at line:column so an integrator can
//! fix the file without guessing. Display is English (logs); `message_ru` is for the screen.

use std::fmt;

/// Where in which file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file name as the user gave it, or a label for an embedded file.
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub problem: Problem,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Read(String),
    Syntax(String),
    UnknownSection(String),
    UnknownKey(String),
    UnknownAction(String),
    ActionNotHere { action: String, section: String },
    UnknownRole(String),
    UnknownColour(String),
    UnknownModifier(String),
    UnknownBorder(String),
    UnknownTheme(String),
}

impl Problem {
    fn en(&self) -> String {
        match self {
            Problem::Read(e) => format!("cannot read: {e}"),
            Problem::Syntax(e) => format!("invalid TOML: {e}"),
            Problem::UnknownSection(s) => format!("unknown section `{s}`"),
            Problem::UnknownKey(k) => format!("unknown key `{k}`"),
            Problem::UnknownAction(a) => format!("unknown action `{a}`"),
            Problem::ActionNotHere { action, section } => {
                format!("action `{action}` cannot be bound in section `{section}`")
            }
            Problem::UnknownRole(r) => format!("unknown theme role `{r}`"),
            Problem::UnknownColour(c) => {
                format!("unknown colour `{c}` (use one of the 16 ANSI names)")
            }
            Problem::UnknownModifier(m) => format!("unknown modifier `{m}`"),
            Problem::UnknownBorder(b) => format!("unknown border type `{b}`"),
            Problem::UnknownTheme(t) => format!("unknown built-in theme `{t}`"),
        }
    }

    fn ru(&self) -> String {
        match self {
            Problem::Read(e) => format!("файл не читается: {e}"),
            Problem::Syntax(e) => format!("ошибка синтаксиса TOML: {e}"),
            Problem::UnknownSection(s) => format!(
                "неизвестный раздел «{s}» (допустимо: global, list, sale, acceptance, stock, journal, settings)"
            ),
            Problem::UnknownKey(k) => {
                format!("неизвестная клавиша «{k}» (примеры: f2, ctrl+q, shift+f5, alt+enter, a)")
            }
            Problem::UnknownAction(a) => format!("неизвестное действие «{a}»"),
            Problem::ActionNotHere { action, section } => {
                format!("действие «{action}» нельзя назначить в разделе «{section}»")
            }
            Problem::UnknownRole(r) => format!(
                "неизвестная роль «{r}» (допустимо: normal, dim, accent, ok, warn, error, selected, focus, rejected, borders)"
            ),
            Problem::UnknownColour(c) => format!(
                "неизвестный цвет «{c}»: допустимы 16 цветов ANSI (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, …, white) и reset"
            ),
            Problem::UnknownModifier(m) => {
                format!("неизвестный модификатор «{m}» (bold, dim, italic, underlined, reversed)")
            }
            Problem::UnknownBorder(b) => {
                format!("неизвестный тип рамки «{b}» (plain, double, thick, rounded)")
            }
            Problem::UnknownTheme(t) => {
                format!("нет встроенной темы «{t}» (есть: default, high-contrast, mono)")
            }
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file,
            self.line,
            self.col,
            self.problem.en()
        )
    }
}

impl FileError {
    pub fn at(file: &str, text: &str, offset: usize, problem: Problem) -> FileError {
        let (line, col) = line_col(text, offset);
        FileError {
            file: file.to_string(),
            line,
            col,
            problem,
        }
    }

    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> FileError {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        FileError::at(
            file,
            text,
            offset,
            Problem::Syntax(err.message().to_string()),
        )
    }

    pub fn message_ru(&self) -> String {
        format!(
            "{}, строка {}, позиция {}: {}",
            self.file,
            self.line,
            self.col,
            self.problem.ru()
        )
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "первая\nвторая строка\n";
        assert_eq!(line_col(t, 0), (1, 1));
        let off = t.find("строка").unwrap();
        assert_eq!(line_col(t, off), (2, 8));
    }
}
