//! Key codes from the scanner's own input device → scans. Pure: fed with (key code,
//! value, kernel timestamp), no I/O.
//!
//! No keyboard layout is involved: a wedge scanner types US key positions, so we map
//! them with a fixed US-QWERTY table and keep our own Shift/Ctrl/Alt/Caps Lock state
//! for the life of the stream (not per read batch). GS arrives as Ctrl+], Ctrl+5, F8
//! (any configured chord) or as Alt + keypad 0,2,9; scanners in "Alt mode" send every
//! character as Alt + keypad code, which is decoded the same way when Alt is released.
//! Enter, keypad Enter and Tab end a scan, so does `timeout_ms` of silence.

use std::time::{Duration, SystemTime};

use super::keycodes::{self, *};
use super::keyspec::{KeySpec, SpecKey};
use super::{MAX_SCAN_CHARS, ScanEvent, ScanSource, repair};
use crate::config;
use crate::domain::mark::GS;

/// Kernel key event values (`Documentation/input/input.rst`).
pub const RELEASE: i32 = 0;
pub const PRESS: i32 = 1;
pub const AUTOREPEAT: i32 = 2;

/// A chord resolved to an evdev key code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chord {
    code: u16,
    ctrl: bool,
    alt: bool,
    /// Compared only for non-character keys; a character's shift is part of it.
    shift: Option<bool>,
}

impl Chord {
    fn from_spec(spec: &KeySpec) -> Option<Chord> {
        Some(Chord {
            code: spec.evdev_code()?,
            ctrl: spec.ctrl,
            alt: spec.alt,
            shift: match spec.key {
                SpecKey::Char(_) => None,
                _ => Some(spec.shift),
            },
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Modifiers {
    left_shift: bool,
    right_shift: bool,
    left_ctrl: bool,
    right_ctrl: bool,
    left_alt: bool,
    right_alt: bool,
    /// Toggled by this device's own Caps Lock presses; starts off.
    caps: bool,
}

impl Modifiers {
    fn shift(&self) -> bool {
        self.left_shift || self.right_shift
    }
    fn ctrl(&self) -> bool {
        self.left_ctrl || self.right_ctrl
    }
    fn alt(&self) -> bool {
        self.left_alt || self.right_alt
    }
    /// Updates the state if `code` is a modifier; true when it was one.
    fn update(&mut self, code: u16, value: i32) -> bool {
        let down = value != RELEASE;
        let slot = match code {
            KEY_LEFTSHIFT => &mut self.left_shift,
            KEY_RIGHTSHIFT => &mut self.right_shift,
            KEY_LEFTCTRL => &mut self.left_ctrl,
            KEY_RIGHTCTRL => &mut self.right_ctrl,
            KEY_LEFTALT => &mut self.left_alt,
            KEY_RIGHTALT => &mut self.right_alt,
            KEY_CAPSLOCK => {
                if value == PRESS {
                    self.caps = !self.caps;
                }
                return true;
            }
            _ => return false,
        };
        *slot = down;
        true
    }
}

/// The evdev key-code decoder. One per device stream; [`EvdevDecoder::reset`] it when
/// the device is reopened.
#[derive(Debug, Clone)]
pub struct EvdevDecoder {
    gs: Vec<Chord>,
    prefix: Option<Chord>,
    alt_codes: bool,
    timeout: Duration,
    mods: Modifiers,
    /// Decimal digits typed on the keypad while Alt is held.
    alt_value: u32,
    alt_len: u32,
    buf: String,
    first: Option<SystemTime>,
    last: Option<SystemTime>,
}

impl EvdevDecoder {
    pub fn new(cfg: &config::Scanner) -> Self {
        let chord = |s: &str| s.parse::<KeySpec>().ok().and_then(|k| Chord::from_spec(&k));
        EvdevDecoder {
            gs: cfg.gs_keys.iter().filter_map(|s| chord(s)).collect(),
            prefix: cfg.prefix.as_deref().and_then(chord),
            alt_codes: cfg.alt_codes,
            timeout: Duration::from_millis(cfg.timeout_ms),
            mods: Modifiers::default(),
            alt_value: 0,
            alt_len: 0,
            buf: String::with_capacity(160),
            first: None,
            last: None,
        }
    }

    /// Forgets a partial scan and all modifier state (after the device was reopened).
    pub fn reset(&mut self) {
        self.mods = Modifiers::default();
        self.clear_scan();
    }

    fn clear_scan(&mut self) {
        self.alt_value = 0;
        self.alt_len = 0;
        self.buf.clear();
        self.first = None;
        self.last = None;
    }

    /// When a scan without a terminator is due to end.
    pub fn deadline(&self) -> Option<SystemTime> {
        if self.buf.is_empty() && self.alt_len == 0 {
            return None;
        }
        self.last.map(|t| t + self.timeout)
    }

    /// Ends a scan that got no terminator once `timeout_ms` have passed since its last key.
    pub fn tick(&mut self, now: SystemTime) -> Option<ScanEvent> {
        match self.deadline() {
            Some(deadline) if now >= deadline => self.finish(None),
            _ => None,
        }
    }

    /// Feeds one `EV_KEY` event. At most one scan comes out per event: a scan that
    /// timed out leaves an empty buffer, and one key cannot both add to a scan and end it.
    pub fn feed(&mut self, code: u16, value: i32, ts: SystemTime) -> Option<ScanEvent> {
        let timed_out = self.tick(ts);
        let now = self.key(code, value, ts);
        debug_assert!(timed_out.is_none() || now.is_none());
        timed_out.or(now)
    }

    fn matches(&self, chord: &Chord, code: u16) -> bool {
        chord.code == code
            && chord.ctrl == self.mods.ctrl()
            && chord.alt == self.mods.alt()
            && chord.shift.is_none_or(|s| s == self.mods.shift())
    }

    fn key(&mut self, code: u16, value: i32, ts: SystemTime) -> Option<ScanEvent> {
        let alt_before = self.mods.alt();
        if self.mods.update(code, value) {
            if alt_before && !self.mods.alt() && self.alt_len > 0 {
                return self.end_alt_code(ts);
            }
            return None;
        }
        if value != PRESS {
            return None;
        }
        if self.prefix.is_some_and(|p| self.matches(&p, code)) {
            // A prefix programmed for terminal mode starts a new scan here too.
            let previous = self.finish(None);
            self.clear_scan();
            return previous;
        }
        if self.gs.iter().any(|g| self.matches(g, code)) {
            self.push(GS, ts);
            return None;
        }
        if self.mods.alt() {
            if self.alt_codes
                && keycodes::is_keypad_digit(code)
                && let Some(d) = keycodes::keypad_char(code).and_then(|c| c.to_digit(10))
            {
                self.alt_value = self.alt_value.saturating_mul(10).saturating_add(d);
                self.alt_len += 1;
                self.touch(ts);
            }
            return None;
        }
        if matches!(code, KEY_ENTER | KEY_KPENTER | KEY_TAB) && !self.mods.ctrl() {
            return self.finish(Some(ts));
        }
        if self.mods.ctrl() {
            return None;
        }
        if let Some(c) = keycodes::keypad_char(code) {
            self.push(c, ts);
        } else if let Some((plain, shifted)) = keycodes::us_chars(code) {
            let upper = if plain.is_ascii_alphabetic() {
                self.mods.shift() != self.mods.caps
            } else {
                self.mods.shift()
            };
            self.push(if upper { shifted } else { plain }, ts);
        }
        None
    }

    fn end_alt_code(&mut self, ts: SystemTime) -> Option<ScanEvent> {
        let (value, len) = (self.alt_value, self.alt_len);
        self.alt_value = 0;
        self.alt_len = 0;
        // Alt+0nnn (ANSI) and Alt+nnn (OEM) agree below 128; codes never need more.
        let c = if len <= 4 && value < 0x80 {
            char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
        } else {
            char::REPLACEMENT_CHARACTER
        };
        match c {
            '\r' | '\n' | '\t' => self.finish(Some(ts)),
            c => {
                self.push(c, ts);
                None
            }
        }
    }

    fn touch(&mut self, ts: SystemTime) {
        if self.first.is_none() {
            self.first = Some(ts);
        }
        self.last = Some(ts);
    }

    fn push(&mut self, c: char, ts: SystemTime) {
        // Past the cap the scan still lasts until its real end, it just stops growing.
        if self.buf.len() < MAX_SCAN_CHARS {
            self.buf.push(c);
        }
        self.touch(ts);
    }

    fn finish(&mut self, terminator: Option<SystemTime>) -> Option<ScanEvent> {
        if self.buf.is_empty() {
            self.clear_scan();
            return None;
        }
        let end = terminator.or(self.last);
        let took = match (self.first, end) {
            (Some(a), Some(b)) => b.duration_since(a).unwrap_or(Duration::ZERO),
            _ => Duration::ZERO,
        };
        let raw = std::mem::replace(&mut self.buf, String::with_capacity(160));
        self.clear_scan();
        let fixed = repair(raw, false);
        tracing::debug!(
            code = %super::visible(&fixed.code),
            caps_fixed = fixed.caps_fixed,
            took_ms = took.as_millis() as u64,
            terminated = terminator.is_some(),
            "scanner: evdev scan"
        );
        Some(ScanEvent {
            code: fixed.code,
            source: ScanSource::Evdev,
            layout_fixed: false,
            caps_fixed: fixed.caps_fixed,
            took,
        })
    }
}
