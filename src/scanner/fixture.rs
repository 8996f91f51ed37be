//! A small text format for recorded key streams, written by `scanner test --record`
//! and read by the tests (`tests/fixtures/scanner/`). One event per line, `#` starts
//! a comment:
//!
//! ```text
//! # terminal: milliseconds since the start, then the key as crossterm reported it
//! 0 Shift+A
//! 8 Ctrl+5
//! 16 Enter
//! # evdev: milliseconds, kernel key name, value (1 press, 0 release, 2 autorepeat)
//! 0 KEY_LEFTSHIFT 1
//! ```

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::keycodes;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("строка {line}: не понимаю «{text}»")]
pub struct FixtureError {
    pub line: usize,
    pub text: String,
}

/// One terminal key event and when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRecord {
    pub at_ms: u64,
    pub key: KeyEvent,
}

/// One evdev key event and its kernel time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvdevRecord {
    pub at_ms: u64,
    pub code: u16,
    pub value: i32,
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

const NAMED: [(&str, KeyCode); 16] = [
    ("Enter", KeyCode::Enter),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Esc", KeyCode::Esc),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Space", KeyCode::Char(' ')),
];

/// `Ctrl+5`, `Shift+A`, `й`, `F8`, `Enter`, `Release+a` (a kitty key release).
pub fn parse_terminal_key(token: &str) -> Option<KeyEvent> {
    let mut modifiers = KeyModifiers::NONE;
    let mut kind = KeyEventKind::Press;
    let mut rest = token;
    loop {
        // A lone `+` or `Ctrl++` names the plus key, so only strip when something follows.
        let next = [
            ("Ctrl+", KeyModifiers::CONTROL),
            ("Alt+", KeyModifiers::ALT),
            ("Shift+", KeyModifiers::SHIFT),
        ]
        .into_iter()
        .find_map(|(p, m)| {
            rest.strip_prefix(p)
                .filter(|r| !r.is_empty())
                .map(|r| (r, m))
        });
        if let Some((r, m)) = next {
            modifiers |= m;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("Release+").filter(|r| !r.is_empty()) {
            kind = KeyEventKind::Release;
            rest = r;
        } else {
            break;
        }
    }
    let code = if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == rest) {
        *code
    } else if let Some(n) = rest.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
        KeyCode::F(n)
    } else {
        let mut chars = rest.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => return None,
        }
    };
    Some(KeyEvent::new_with_kind(code, modifiers, kind))
}

/// The token [`parse_terminal_key`] reads back; `None` for keys the format lacks.
pub fn format_terminal_key(key: &KeyEvent) -> Option<String> {
    let mut out = String::new();
    if key.kind == KeyEventKind::Release {
        out.push_str("Release+");
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl+");
    }
    if key.modifiers.contains(KeyModifiers::ALT) {
        out.push_str("Alt+");
    }
    if key.modifiers.contains(KeyModifiers::SHIFT) {
        out.push_str("Shift+");
    }
    match key.code {
        KeyCode::Char(' ') => out.push_str("Space"),
        KeyCode::Char(c) if !c.is_whitespace() && !c.is_control() => out.push(c),
        KeyCode::F(n) => out.push_str(&format!("F{n}")),
        code => out.push_str(NAMED.iter().find(|(_, k)| *k == code)?.0),
    }
    Some(out)
}

pub fn parse_terminal(text: &str) -> Result<Vec<TermRecord>, FixtureError> {
    lines(text)
        .map(|(line, l)| {
            let err = || FixtureError {
                line,
                text: l.to_string(),
            };
            let (ms, token) = l.split_once(' ').ok_or_else(err)?;
            Ok(TermRecord {
                at_ms: ms.parse().map_err(|_| err())?,
                key: parse_terminal_key(token.trim()).ok_or_else(err)?,
            })
        })
        .collect()
}

pub fn format_terminal(records: &[TermRecord]) -> String {
    records
        .iter()
        .filter_map(|r| Some(format!("{} {}\n", r.at_ms, format_terminal_key(&r.key)?)))
        .collect()
}

pub fn parse_evdev(text: &str) -> Result<Vec<EvdevRecord>, FixtureError> {
    lines(text)
        .map(|(line, l)| {
            let err = || FixtureError {
                line,
                text: l.to_string(),
            };
            let mut parts = l.split_whitespace();
            let (Some(ms), Some(name), Some(value), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(err());
            };
            Ok(EvdevRecord {
                at_ms: ms.parse().map_err(|_| err())?,
                code: keycodes::code(name).ok_or_else(err)?,
                value: value.parse().map_err(|_| err())?,
            })
        })
        .collect()
}

/// One line; key codes without a name in our table are written as `KEY_<number>`
/// and cannot be read back (they never matter to the decoder).
pub fn format_evdev(record: &EvdevRecord) -> String {
    let name = keycodes::name(record.code).unwrap_or_else(|| format!("KEY_{}", record.code));
    format!("{} {} {}\n", record.at_ms, name, record.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_tokens_round_trip() {
        for token in [
            "a",
            "Shift+A",
            "й",
            "Shift+Ц",
            "Ctrl+5",
            "Ctrl+]",
            "Ctrl+ъ",
            "F8",
            "Alt+0",
            "Enter",
            "Tab",
            "Space",
            "+",
            "Ctrl++",
            "Release+a",
            "Backspace",
        ] {
            let key = parse_terminal_key(token).unwrap_or_else(|| panic!("{token}"));
            assert_eq!(format_terminal_key(&key).as_deref(), Some(token));
        }
        assert_eq!(parse_terminal_key("Nope"), None);
    }

    #[test]
    fn files_parse_with_comments_and_report_bad_lines() {
        let t = parse_terminal("# c\n0 a\n\n8 Ctrl+5\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].at_ms, 8);
        let e = parse_terminal("0 a\nx b\n").unwrap_err();
        assert_eq!(e.line, 2);
        let ev = parse_evdev("0 KEY_LEFTSHIFT 1\n5 KEY_A 1\n").unwrap();
        assert_eq!(ev[1].code, keycodes::KEY_A);
        assert_eq!(format_evdev(&ev[0]), "0 KEY_LEFTSHIFT 1\n");
        assert!(parse_evdev("0 KEY_NOPE 1\n").is_err());
        assert!(parse_evdev("0 KEY_A\n").is_err());
    }
}
