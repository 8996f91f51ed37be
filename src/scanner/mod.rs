//! The 2D keyboard-wedge scanner: two pure decoders fed with (key, time) — evdev key
//! codes on the local console, terminal key events (burst detection) over SSH — and
//! the thin I/O around them. See `shared/reference/scanners.md` for why it is built so.
//!
//! Scanned codes are business data: they are logged at debug level only.
//!
//! For the UI loop: put a [`terminal::TermAssembler`] in front of the keymap and the
//! widgets (feed every key, call `tick` at `next_deadline`), start the evdev reader
//! with [`start::start`], and show [`ScanEvent::warning_ru`] / [`ScannerStatus`] /
//! [`mode::ModeWarning`] in the status bar.

use std::path::PathBuf;
use std::time::Duration;

use crate::domain::mark::{self, CodeKind, GS};

pub mod cli;
#[cfg(target_os = "linux")]
pub mod devices;
pub mod evdev_decoder;
#[cfg(target_os = "linux")]
pub mod evdev_reader;
pub mod fixture;
pub mod keycodes;
pub mod keyspec;
pub mod layout;
#[cfg(target_os = "linux")]
pub mod learn;
pub mod mode;
pub mod simulate;
pub mod start;
pub mod terminal;

/// No real code is longer (a GS1 DataMatrix holds at most ~2300 characters, ours are
/// under 200); a stream that never ends is cut here rather than growing without bound.
pub const MAX_SCAN_CHARS: usize = 4096;

/// Where a scan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanSource {
    /// Key codes read (and grabbed) from the scanner's own input device.
    Evdev,
    /// A burst recognised in the terminal's key stream.
    Terminal,
}

/// One complete scan, ready for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEvent {
    /// The code as the scanner meant it; GS separators are kept as '\x1d'.
    pub code: String,
    pub source: ScanSource,
    /// The burst arrived in the Russian layout and was mapped back to US key positions.
    pub layout_fixed: bool,
    /// The code arrived case-inverted (Caps Lock on) and was inverted back. Only done
    /// for 150-character stamps, whose alphabet has no lower case, so the fix is
    /// unambiguous; the UI should still ask the cashier to switch Caps Lock off.
    pub caps_fixed: bool,
    /// From the first key of the scan to its last.
    pub took: Duration,
}

impl ScanEvent {
    pub fn kind(&self) -> CodeKind {
        mark::classify(&self.code)
    }

    /// A warning for the status line, when the scan had to be repaired.
    pub fn warning_ru(&self) -> Option<&'static str> {
        match (self.layout_fixed, self.caps_fixed) {
            (true, true) => Some("сканер в русской раскладке и включён Caps Lock — код исправлен"),
            (true, false) => Some("сканер в русской раскладке — код исправлен"),
            (false, true) => Some("включён Caps Lock — код исправлен, выключите Caps Lock"),
            (false, false) => None,
        }
    }
}

/// A code with GS shown as `<GS>` (and other control characters as `<0xNN>`), for
/// `scanner test` and debug logs. `<GS>` rather than `␝`: Linux console fonts lack
/// the control-picture glyphs.
pub fn visible(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 8);
    for c in code.chars() {
        if c == GS {
            out.push_str("<GS>");
        } else if c.is_control() {
            out.push_str(&format!("<0x{:02X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The repaired code and what was repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    pub code: String,
    pub layout_fixed: bool,
    pub caps_fixed: bool,
}

fn invert_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_uppercase().next().unwrap_or(c)
            } else if c.is_uppercase() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Repairs a raw scan only when the repaired version is a valid code and the raw one
/// is not, so an unknown code is never rewritten on a guess. Layout reversal applies
/// to the whole burst (scanners.md §2); case inversion only to 150-character codes
/// (the DataMatrix alphabet is `[0-9A-Z]`, so lower case can only come from Caps Lock,
/// while PDF417 and Честный знак codes are legitimately mixed-case).
pub(crate) fn repair(raw: String, try_layout: bool) -> Repaired {
    if mark::classify(&raw).is_known() {
        return Repaired {
            code: raw,
            layout_fixed: false,
            caps_fixed: false,
        };
    }
    let reversed = if try_layout {
        layout::ru_to_us(&raw).filter(|r| *r != raw)
    } else {
        None
    };
    let mut candidates: Vec<(String, bool, bool)> = Vec::with_capacity(3);
    if let Some(r) = &reversed {
        candidates.push((r.clone(), true, false));
    }
    if raw.chars().count() == 150 {
        candidates.push((invert_case(&raw), false, true));
        if let Some(r) = &reversed {
            candidates.push((invert_case(r), true, true));
        }
    }
    for (code, layout_fixed, caps_fixed) in candidates {
        if mark::classify(&code).is_known() {
            return Repaired {
                code,
                layout_fixed,
                caps_fixed,
            };
        }
    }
    Repaired {
        code: raw,
        layout_fixed: false,
        caps_fixed: false,
    }
}

/// What the scanner input is doing, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerStatus {
    /// The device is open and grabbed.
    Connected { device: PathBuf, name: String },
    /// The device went away; the reader keeps looking for it.
    Disconnected { device: PathBuf },
    /// The device exists but this user may not read it.
    NoPermission { device: PathBuf },
    /// Opening or reading failed for another reason.
    Failed { device: PathBuf, error: String },
    /// The configured mode could not be used; scans are taken from the terminal.
    FellBack(mode::ModeWarning),
}

/// The udev rule shipped in `packaging/udev/`, named in permission messages.
pub const UDEV_RULE_PATH: &str = "/etc/udev/rules.d/99-egais-tui-scanner.rules";
/// The group the udev rule gives the scanner to.
pub const SCANNER_GROUP: &str = "egais";

impl ScannerStatus {
    pub fn message_ru(&self) -> String {
        match self {
            ScannerStatus::Connected { name, .. } => format!("сканер подключён: {name}"),
            ScannerStatus::Disconnected { device } => {
                format!("сканер отключён ({}), жду подключения", device.display())
            }
            ScannerStatus::NoPermission { device } => no_permission_ru(device),
            ScannerStatus::Failed { device, error } => {
                format!("сканер {}: ошибка: {error}", device.display())
            }
            ScannerStatus::FellBack(w) => w.message_ru(),
        }
    }

    /// True when the status bar should show it as a problem.
    pub fn is_problem(&self) -> bool {
        !matches!(self, ScannerStatus::Connected { .. })
    }
}

/// The fix for an unreadable device: the udev rule plus the group, never the
/// `input` group (that would let the cashier read every keyboard).
pub fn no_permission_ru(device: &std::path::Path) -> String {
    format!(
        "нет доступа к сканеру {}: установите правило udev {UDEV_RULE_PATH} \
         (из пакета, packaging/udev), впишите в него VID/PID сканера, \
         добавьте пользователя в группу {SCANNER_GROUP} и переподключите сканер",
        device.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DM: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";

    #[test]
    fn valid_code_is_never_touched() {
        let r = repair(DM.to_string(), true);
        assert_eq!(r.code, DM);
        assert!(!r.layout_fixed && !r.caps_fixed);
    }

    #[test]
    fn russian_layout_is_reversed_when_the_result_is_valid() {
        let r = repair(layout::us_to_ru(DM), true);
        assert_eq!(r.code, DM);
        assert!(r.layout_fixed && !r.caps_fixed);
        let not_reversed = repair(layout::us_to_ru(DM), false);
        assert!(!not_reversed.layout_fixed);
    }

    #[test]
    fn caps_lock_on_a_datamatrix_is_inverted_with_a_flag() {
        let r = repair(invert_case(DM), true);
        assert_eq!(r.code, DM);
        assert!(r.caps_fixed && !r.layout_fixed);
        let both = repair(layout::us_to_ru(&invert_case(DM)), true);
        assert_eq!(both.code, DM);
        assert!(both.caps_fixed && both.layout_fixed);
    }

    #[test]
    fn unknown_text_stays_as_typed() {
        let r = repair("привет".to_string(), true);
        assert_eq!(r.code, "привет");
        assert!(!r.layout_fixed);
    }

    #[test]
    fn gs_is_visible() {
        assert_eq!(visible("01\u{1d}93\u{1}"), "01<GS>93<0x01>");
    }
}
