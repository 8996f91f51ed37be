//! The seam between the terminal key stream and the scanner stream's decoders: every
//! terminal key passes through the `TermAssembler` before the keymap and widgets see it,
//! so a keyboard-wedge scan arrives as one `ScanEvent` (GS separators intact) instead of
//! keystrokes that tui-input would mangle.

use crate::domain::mark::{CodeKind, classify};
pub use crate::scanner::terminal::{Routed, TermAssembler};
pub use crate::scanner::{ScanEvent, ScanSource};

/// What kind of code was scanned, in the cashier's words, plus a hint on what to do.
pub fn describe_code(code: &str) -> (String, &'static str) {
    let kind = classify(code);
    let hint = match kind {
        CodeKind::Ean13 | CodeKind::Ean8 => {
            "Для крепкого алкоголя отсканируйте акцизную марку на бутылке"
        }
        CodeKind::Unknown => "Код не распознан: проверьте настройки сканера (scanner test)",
        _ => "",
    };
    (capitalise(&kind.label_ru()), hint)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// True for codes the catalogue is searched by (bound barcodes).
pub fn is_barcode(code: &str) -> bool {
    matches!(classify(code), CodeKind::Ean13 | CodeKind::Ean8)
}
