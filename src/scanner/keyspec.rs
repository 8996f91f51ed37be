//! Key chords named in the config (`gs_keys = ["ctrl+]", "ctrl+5", "f8"]`,
//! `prefix = "f12"`), matched against both crossterm key events and evdev key codes.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keycodes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKey {
    Char(char),
    F(u8),
    Enter,
    Tab,
    Esc,
    Insert,
    Pause,
}

/// One key chord: modifiers plus a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub key: SpecKey,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("не понимаю клавишу «{0}» (пример: ctrl+], f8, f12, ctrl+b)")]
pub struct KeySpecError(pub String);

impl FromStr for KeySpec {
    type Err = KeySpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || KeySpecError(s.to_string());
        let lower = s.trim().to_lowercase();
        // `ctrl++` names the plus key, so split off modifiers from the left only.
        let mut spec = KeySpec {
            ctrl: false,
            alt: false,
            shift: false,
            key: SpecKey::Enter,
        };
        let mut rest = lower.as_str();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl+") {
                spec.ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt+") {
                spec.alt = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift+") {
                spec.shift = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        spec.key = match (chars.next(), chars.next()) {
            (Some(c), None) => SpecKey::Char(c),
            _ => match rest {
                "enter" => SpecKey::Enter,
                "tab" => SpecKey::Tab,
                "esc" => SpecKey::Esc,
                "insert" => SpecKey::Insert,
                "pause" => SpecKey::Pause,
                f => {
                    let n: u8 = f
                        .strip_prefix('f')
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(err)?;
                    if !(1..=24).contains(&n) {
                        return Err(err());
                    }
                    SpecKey::F(n)
                }
            },
        };
        Ok(spec)
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl+")?;
        }
        if self.alt {
            f.write_str("Alt+")?;
        }
        if self.shift {
            f.write_str("Shift+")?;
        }
        match self.key {
            SpecKey::Char(c) => write!(f, "{c}"),
            SpecKey::F(n) => write!(f, "F{n}"),
            SpecKey::Enter => f.write_str("Enter"),
            SpecKey::Tab => f.write_str("Tab"),
            SpecKey::Esc => f.write_str("Esc"),
            SpecKey::Insert => f.write_str("Insert"),
            SpecKey::Pause => f.write_str("Pause"),
        }
    }
}

/// Legacy terminals cannot send Ctrl with punctuation: Ctrl+] is byte 0x1D, which
/// crossterm reports as Ctrl+'5' (likewise 0x1C..0x1F → '4'..'7'). The kitty protocol
/// reports the real key; under the RU layout `]` is the `ъ` key.
fn ctrl_aliases(c: char) -> &'static [char] {
    match c {
        ']' => &[']', '5', 'ъ', 'Ъ', '\u{1d}'],
        '5' => &['5', '\u{1d}'],
        '\\' => &['\\', '4'],
        '^' | '6' => &['^', '6'],
        '_' | '7' => &['_', '7'],
        _ => &[],
    }
}

impl KeySpec {
    /// Whether a terminal key event is this chord.
    pub fn matches_key_event(&self, ev: &KeyEvent) -> bool {
        let m = ev.modifiers;
        if m.contains(KeyModifiers::CONTROL) != self.ctrl
            || m.contains(KeyModifiers::ALT) != self.alt
        {
            return false;
        }
        match (self.key, ev.code) {
            (SpecKey::Char(want), KeyCode::Char(got)) => {
                if self.ctrl && ctrl_aliases(want).contains(&got) {
                    return true;
                }
                // Shift is implied by the character itself (`A`, `}`), so it is not compared.
                want == got || (self.ctrl && want.eq_ignore_ascii_case(&got))
            }
            (key, code) => {
                m.contains(KeyModifiers::SHIFT) == self.shift
                    && match (key, code) {
                        (SpecKey::F(n), KeyCode::F(got)) => n == got,
                        (SpecKey::Enter, KeyCode::Enter) => true,
                        (SpecKey::Tab, KeyCode::Tab) => true,
                        (SpecKey::Esc, KeyCode::Esc) => true,
                        (SpecKey::Insert, KeyCode::Insert) => true,
                        (SpecKey::Pause, KeyCode::Pause) => true,
                        _ => false,
                    }
            }
        }
    }

    /// The evdev key code of the chord's main key (modifiers are checked by the decoder).
    pub fn evdev_code(&self) -> Option<u16> {
        match self.key {
            SpecKey::Char(c) => keycodes::us_key_for(c.to_ascii_lowercase()).map(|(code, _)| code),
            SpecKey::F(n) => keycodes::function_key_code(n),
            SpecKey::Enter => keycodes::code("KEY_ENTER"),
            SpecKey::Tab => keycodes::code("KEY_TAB"),
            SpecKey::Esc => keycodes::code("KEY_ESC"),
            SpecKey::Insert => keycodes::code("KEY_INSERT"),
            SpecKey::Pause => keycodes::code("KEY_PAUSE"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn parses_config_forms() {
        let s: KeySpec = "ctrl+]".parse().unwrap();
        assert!(s.ctrl && s.key == SpecKey::Char(']'));
        assert_eq!("F8".parse::<KeySpec>().unwrap().key, SpecKey::F(8));
        assert_eq!("ctrl++".parse::<KeySpec>().unwrap().key, SpecKey::Char('+'));
        assert!("f25".parse::<KeySpec>().is_err());
        assert!("hyper+x".parse::<KeySpec>().is_err());
        assert_eq!("ctrl+]".parse::<KeySpec>().unwrap().to_string(), "Ctrl+]");
    }

    #[test]
    fn ctrl_bracket_matches_the_legacy_and_kitty_forms() {
        let s: KeySpec = "ctrl+]".parse().unwrap();
        assert!(s.matches_key_event(&key(KeyCode::Char('5'), KeyModifiers::CONTROL)));
        assert!(s.matches_key_event(&key(KeyCode::Char(']'), KeyModifiers::CONTROL)));
        assert!(s.matches_key_event(&key(KeyCode::Char('ъ'), KeyModifiers::CONTROL)));
        assert!(!s.matches_key_event(&key(KeyCode::Char(']'), KeyModifiers::NONE)));
        assert!(!s.matches_key_event(&key(KeyCode::Char('5'), KeyModifiers::NONE)));
    }

    #[test]
    fn function_keys_compare_shift() {
        let s: KeySpec = "f8".parse().unwrap();
        assert!(s.matches_key_event(&key(KeyCode::F(8), KeyModifiers::NONE)));
        assert!(!s.matches_key_event(&key(KeyCode::F(8), KeyModifiers::SHIFT)));
        assert!(!s.matches_key_event(&key(KeyCode::F(9), KeyModifiers::NONE)));
        assert_eq!(s.evdev_code(), Some(66));
    }

    #[test]
    fn ctrl_letter() {
        let s: KeySpec = "ctrl+b".parse().unwrap();
        assert!(s.matches_key_event(&key(KeyCode::Char('b'), KeyModifiers::CONTROL)));
        assert_eq!(s.evdev_code(), Some(48));
    }
}
