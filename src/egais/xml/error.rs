//! The one error type of the XML layer: where (element path, line:col) and what.

use std::fmt;

/// Whether the bytes are not XML at all or the XML breaks a schema rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum XmlErrorKind {
    /// Not well-formed XML (or not UTF-8).
    Malformed,
    /// Well-formed, but a required element is missing or a value has the wrong shape.
    Schema,
}

/// A parse failure located in the document.
///
/// `path` is the element path from the root, local names only, with a 1-based
/// index where an element has same-named siblings, e.g.
/// `Documents/Document/WayBill_v4/Content/Position[3]/Quantity`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct XmlError {
    pub kind: XmlErrorKind,
    pub path: String,
    /// 1-based line of the element (or byte) where the problem was found.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// English description (for logs and `inspect`).
    pub message: String,
}

impl XmlError {
    pub(crate) fn at(
        kind: XmlErrorKind,
        src: &str,
        offset: usize,
        path: String,
        message: impl Into<String>,
    ) -> XmlError {
        let (line, column) = line_col(src, offset);
        XmlError {
            kind,
            path,
            line,
            column,
            message: message.into(),
        }
    }

    /// Text for the cashier's error dialog.
    pub fn message_ru(&self) -> String {
        let what = match self.kind {
            XmlErrorKind::Malformed => "Документ ЕГАИС повреждён (не является корректным XML)",
            XmlErrorKind::Schema => "Документ ЕГАИС не соответствует схеме",
        };
        format!(
            "{what}: строка {}, позиция {}, элемент {}: {}",
            self.line, self.column, self.path, self.message
        )
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.column, self.path, self.message
        )
    }
}

impl std::error::Error for XmlError {}

/// 1-based line and character column of a byte offset. Offsets past the end or
/// inside a multi-byte character are clamped, so this never panics.
pub(crate) fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(src.len());
    while end > 0 && !src.is_char_boundary(end) {
        end -= 1;
    }
    let before = &src[..end];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "ab\nвгд\nx";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        // 'д' starts at byte 3 + 4
        assert_eq!(line_col(src, 7), (2, 3));
        // inside a multi-byte char and past the end are clamped
        assert_eq!(line_col(src, 8), (2, 3));
        assert_eq!(line_col(src, 999), (3, 2));
    }

    #[test]
    fn display_is_line_col_path_message() {
        let e = XmlError::at(XmlErrorKind::Schema, "a\nb", 2, "A/b".into(), "bad");
        assert_eq!(e.to_string(), "2:1: A/b: bad");
        assert!(e.message_ru().contains("строка 2"));
    }
}
