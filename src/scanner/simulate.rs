//! Key streams as a wedge scanner sends them, for tests, benchmarks and fixtures:
//! the evdev key codes it presses, and the key events a terminal then reports.
//! Follows scanners.md §1 (key positions, Shift/Ctrl/Alt chords) and the crossterm
//! facts in crates.md (0x1D arrives as Ctrl+'5', Cyrillic as `Char('й')`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keycodes::{self, *};
use super::layout;
use crate::domain::mark::GS;

/// How the scanner is programmed to send GS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GsForm {
    /// Ctrl+] — in a legacy terminal the byte 0x1D, reported as Ctrl+'5'.
    CtrlBracket,
    /// Ctrl+5 (xterm convention); with the kitty protocol Ctrl+']' stays itself.
    Ctrl5,
    F8,
    /// Alt held, keypad 0 2 9.
    AltCode,
}

pub const GS_FORMS: [GsForm; 4] = [
    GsForm::CtrlBracket,
    GsForm::Ctrl5,
    GsForm::F8,
    GsForm::AltCode,
];

/// The keyboard layout active on the terminal client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Us,
    Ru,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    Enter,
    /// Keypad Enter (evdev); in a terminal it is plain Enter.
    KpEnter,
    Tab,
    None,
}

/// How the scanner types on the evdev side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvdevStyle {
    pub gs: GsForm,
    /// "Alt mode": every character as Alt + keypad decimal code.
    pub alt_mode: bool,
    /// The scanner presses Caps Lock first and then types with inverted Shift.
    pub caps_lock_pressed: bool,
    /// Digits from the keypad instead of the top row.
    pub keypad_digits: bool,
    pub terminator: Terminator,
}

impl Default for EvdevStyle {
    fn default() -> Self {
        EvdevStyle {
            gs: GsForm::CtrlBracket,
            alt_mode: false,
            caps_lock_pressed: false,
            keypad_digits: false,
            terminator: Terminator::Enter,
        }
    }
}

fn tap(out: &mut Vec<(u16, i32)>, code: u16) {
    out.push((code, 1));
    out.push((code, 0));
}

fn alt_code(out: &mut Vec<(u16, i32)>, value: u32) {
    out.push((KEY_LEFTALT, 1));
    for d in format!("{value:03}").chars() {
        if let Some(key) = d.to_digit(10).and_then(keycodes::keypad_digit_key) {
            tap(out, key);
        }
    }
    out.push((KEY_LEFTALT, 0));
}

/// The (key code, value) events for `code`. Characters a US keyboard cannot type
/// (outside printable ASCII, except GS) are sent as Alt codes when below 128 and
/// skipped otherwise, as a real scanner would fail on them.
pub fn evdev_keys(code: &str, style: EvdevStyle) -> Vec<(u16, i32)> {
    let mut out = Vec::with_capacity(code.len() * 4 + 8);
    if style.caps_lock_pressed {
        tap(&mut out, KEY_CAPSLOCK);
    }
    for c in code.chars() {
        if c == GS {
            match style.gs {
                GsForm::CtrlBracket | GsForm::Ctrl5 => {
                    out.push((KEY_LEFTCTRL, 1));
                    tap(
                        &mut out,
                        if style.gs == GsForm::Ctrl5 {
                            KEY_5
                        } else {
                            KEY_RIGHTBRACE
                        },
                    );
                    out.push((KEY_LEFTCTRL, 0));
                }
                GsForm::F8 => tap(&mut out, KEY_F8),
                GsForm::AltCode => alt_code(&mut out, 29),
            }
            continue;
        }
        if style.alt_mode && c.is_ascii() {
            alt_code(&mut out, u32::from(c));
            continue;
        }
        if style.keypad_digits
            && let Some(key) = c.to_digit(10).and_then(keycodes::keypad_digit_key)
        {
            tap(&mut out, key);
            continue;
        }
        match keycodes::us_key_for(c) {
            Some((key, shift)) => {
                let shift = if style.caps_lock_pressed && c.is_ascii_alphabetic() {
                    !shift
                } else {
                    shift
                };
                if shift {
                    out.push((KEY_LEFTSHIFT, 1));
                }
                tap(&mut out, key);
                if shift {
                    out.push((KEY_LEFTSHIFT, 0));
                }
            }
            None if c.is_ascii() => alt_code(&mut out, u32::from(c)),
            None => {}
        }
    }
    match style.terminator {
        Terminator::Enter => tap(&mut out, KEY_ENTER),
        Terminator::KpEnter => tap(&mut out, KEY_KPENTER),
        Terminator::Tab => tap(&mut out, KEY_TAB),
        Terminator::None => {}
    }
    if style.caps_lock_pressed {
        tap(&mut out, KEY_CAPSLOCK);
    }
    out
}

/// How the terminal reports the scanner's typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermStyle {
    pub layout: Layout,
    pub gs: GsForm,
    /// The client's Caps Lock is on: letters arrive case-inverted.
    pub caps_lock: bool,
    /// The terminal speaks the kitty keyboard protocol (Ctrl+] stays Ctrl+']').
    pub kitty: bool,
    pub terminator: Terminator,
}

impl Default for TermStyle {
    fn default() -> Self {
        TermStyle {
            layout: Layout::Us,
            gs: GsForm::CtrlBracket,
            caps_lock: false,
            kitty: false,
            terminator: Terminator::Enter,
        }
    }
}

fn char_key(c: char) -> KeyEvent {
    // crossterm marks upper-case letters with SHIFT (the byte carries no more).
    let m = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), m)
}

/// The key events a terminal reports for the scanner typing `code`.
pub fn terminal_keys(code: &str, style: TermStyle) -> Vec<KeyEvent> {
    let mut out = Vec::with_capacity(code.len() + 8);
    for c in code.chars() {
        if c == GS {
            match style.gs {
                GsForm::CtrlBracket if style.kitty => {
                    let key = if style.layout == Layout::Ru {
                        'ъ'
                    } else {
                        ']'
                    };
                    out.push(KeyEvent::new(KeyCode::Char(key), KeyModifiers::CONTROL));
                }
                GsForm::CtrlBracket | GsForm::Ctrl5 => {
                    out.push(KeyEvent::new(KeyCode::Char('5'), KeyModifiers::CONTROL));
                }
                GsForm::F8 => out.push(KeyEvent::new(KeyCode::F(8), KeyModifiers::NONE)),
                GsForm::AltCode => {
                    for d in ['0', '2', '9'] {
                        out.push(KeyEvent::new(KeyCode::Char(d), KeyModifiers::ALT));
                    }
                }
            }
            continue;
        }
        let mut c = c;
        if style.caps_lock && c.is_ascii_alphabetic() {
            c = if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
        }
        if style.layout == Layout::Ru {
            c = layout::us_to_ru_char(c);
        }
        out.push(char_key(c));
    }
    match style.terminator {
        Terminator::Enter | Terminator::KpEnter => {
            out.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
        }
        Terminator::Tab => out.push(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        Terminator::None => {}
    }
    out
}

/// Key events for a person typing `text` (no terminator).
pub fn typed_text(text: &str) -> Vec<KeyEvent> {
    text.chars().map(char_key).collect()
}
