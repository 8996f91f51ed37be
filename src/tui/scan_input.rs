//! The seam between the terminal key stream and the scanner stream's decoders.
//!
//! LEAD: when the `scanner` branch merges, replace the `provisional` module below by
//! ```ignore
//! pub use crate::scanner::terminal::{Routed, TermAssembler};
//! pub use crate::scanner::{ScanEvent, ScanSource};
//! ```
//! and `describe_code` by a call to `crate::domain::mark::classify` (see its doc). Nothing
//! else in the TUI names these types' origin.

pub use provisional::{Routed, ScanEvent, ScanSource, TermAssembler};

/// Stand-ins with the contract's names and fields (BRIEF.md, scanner). The assembler passes
/// every key through unchanged: without the scanner stream's burst detection a terminal
/// scan arrives as typed keys, and only evdev/headless scans arrive as `ScanEvent`s.
mod provisional {
    use std::time::{Duration, Instant};

    use crossterm::event::KeyEvent;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ScanSource {
        Evdev,
        Terminal,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ScanEvent {
        /// The code as scanned; may contain the GS separator `\x1d`.
        pub code: String,
        pub source: ScanSource,
        /// The code was typed under the Russian layout and mapped back.
        pub layout_fixed: bool,
        pub took: Duration,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Routed {
        Key(KeyEvent),
        Scan(ScanEvent),
    }

    #[derive(Debug, Default)]
    pub struct TermAssembler;

    impl TermAssembler {
        pub fn new(_config: &crate::config::Scanner) -> TermAssembler {
            TermAssembler
        }

        pub fn feed(&mut self, ev: KeyEvent, _now: Instant) -> Vec<Routed> {
            vec![Routed::Key(ev)]
        }

        pub fn tick(&mut self, _now: Instant) -> Vec<Routed> {
            Vec::new()
        }

        pub fn next_deadline(&self) -> Option<Instant> {
            None
        }
    }
}

/// What kind of code was scanned, in the cashier's words, plus a hint on what to do.
///
/// LEAD: swap the body for `crate::domain::mark::classify(code)` mapped to these labels
/// when the scanner branch merges; this version only looks at length and digits.
pub fn describe_code(code: &str) -> (&'static str, &'static str) {
    let digits = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
    let len = code.chars().count();
    if digits && len == 13 {
        ("Штрихкод EAN-13", "Для крепкого алкоголя отсканируйте акцизную марку")
    } else if digits && len == 8 {
        ("Штрихкод EAN-8", "Для крепкого алкоголя отсканируйте акцизную марку")
    } else if code.starts_with("01") && code.contains('\u{1d}') {
        ("Код Честного ЗНАКа (DataMatrix)", "")
    } else if len == 68 || len == 150 {
        ("Акцизная марка ЕГАИС", "")
    } else {
        ("Неизвестный код", "Проверьте настройки сканера (F9)")
    }
}
