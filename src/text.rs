//! Text that comes from outside (product names in UTM documents, CSV imports, scans, the
//! UTM's own error strings) is untrusted: a crafted invoice could carry escape sequences that
//! move the cursor, retitle the window, remap keys or hide text. Everything such text passes
//! through [`sanitize`] before it reaches the screen.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const GS: char = '\u{1d}';

/// Removes control characters and whole escape sequences (CSI, OSC, DCS, APC, PM, SOS, and
/// two-byte ESC sequences, in both their 7-bit and 8-bit C1 forms), bidirectional overrides
/// and invisible format characters. Tabs and line breaks become single spaces so a name
/// stays on its line. Text that needs no change is returned borrowed.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    if input.chars().all(is_plain) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            // 8-bit introducers: CSI, and the string commands DCS/SOS/OSC/PM/APC.
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            '\t' | '\n' | '\r' if !out.ends_with(' ') => out.push(' '),
            c if is_plain(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// A scanned code for display: the GS separator of a DataMatrix becomes a visible `<GS>`,
/// everything else goes through [`sanitize`].
pub fn display_code(code: &str) -> String {
    code.split(GS)
        .map(|part| sanitize(part).into_owned())
        .collect::<Vec<_>>()
        .join("<GS>")
}

/// True for characters that may be drawn as they are.
fn is_plain(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Bidi embeddings/overrides/isolates and zero-width characters: they reorder or hide text
/// ("Trojan Source") without being control characters in Unicode's sense.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{061c}'
        | '\u{00ad}')
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string_body(chars),
        // ESC + intermediates (0x20..=0x2f) + one final byte, e.g. ESC ( B.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        // A two-character sequence (ESC c, ESC 7 …) or a lone ESC at the end.
        _ => {}
    }
}

/// CSI: parameters and intermediates up to a final byte in 0x40..=0x7e. A control
/// character inside aborts the sequence (as terminals do); it is dropped too.
fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || c.is_control() {
            break;
        }
    }
}

/// OSC/DCS/APC/PM/SOS: everything up to BEL, ST (ESC \) or 8-bit ST.
fn skip_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "Водка \"Пример\" 0,5 л 40%";
        assert!(matches!(sanitize(s), Cow::Borrowed(_)));
        assert_eq!(sanitize(s), s);
    }

    #[test]
    fn hostile_sequences_are_removed() {
        let cases = [
            ("Пиво\u{1b}[2J\u{1b}[HСветлое", "ПивоСветлое"),
            ("a\u{1b}]0;owned title\u{7}b", "ab"),
            ("a\u{1b}]52;c;ZXZpbA==\u{1b}\\b", "ab"),
            ("a\u{1b}P+q544e\u{1b}\\b", "ab"),
            ("a\u{9b}31mb", "ab"),
            ("a\u{1b}(Bb", "ab"),
            ("a\u{1b}cb", "ab"),
            ("bell\u{7}\u{8}\u{7f}", "bell"),
            ("left\u{202e}thgir", "leftthgir"),
            ("x\u{200b}y\u{feff}", "xy"),
            ("line1\r\nline2\tend", "line1 line2 end"),
            ("trailing\u{1b}", "trailing"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "input {input:?}");
        }
    }

    #[test]
    fn gs_is_shown_visibly() {
        assert_eq!(
            display_code("0104600000000001215abc\u{1d}93xyz"),
            "0104600000000001215abc<GS>93xyz"
        );
        assert_eq!(display_code("46\u{1b}[31m01"), "4601");
    }

    proptest! {
        #[test]
        fn output_has_no_control_or_escape(s in any::<String>()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(|c| c.is_control() || is_invisible_format(c)));
        }

        #[test]
        fn sanitizing_is_idempotent(s in any::<String>()) {
            let once = sanitize(&s).into_owned();
            prop_assert_eq!(sanitize(&once).into_owned(), once.clone());
        }

        #[test]
        fn printable_text_survives(s in "[a-zA-Zа-яА-ЯёЁ0-9 ,.%\"№-]{0,60}") {
            prop_assert_eq!(sanitize(&s).into_owned(), s);
        }

        #[test]
        fn injected_sequences_never_leak(
            before in "[a-zа-я ]{0,10}",
            after in "[a-zа-я ]{0,10}",
            seq in prop::sample::select(vec![
                "\u{1b}[2J", "\u{1b}]0;x\u{7}", "\u{1b}[?1049l", "\u{1b}P1$r\u{1b}\\",
                "\u{9b}6n", "\u{1b}[31;1m", "\u{1b}M", "\u{1b}]8;;http://x\u{1b}\\",
            ])
        ) {
            let input = format!("{before}{seq}{after}");
            prop_assert_eq!(sanitize(&input).into_owned(), format!("{before}{after}"));
        }
    }
}

/// The Russian plural form for a count: `plural_ru(3, "марка", "марки", "марок")` is "марки".
pub fn plural_ru<'a>(n: usize, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

#[cfg(test)]
mod plural_tests {
    use super::plural_ru;

    #[test]
    fn russian_plural_forms() {
        let f = |n| plural_ru(n, "марка", "марки", "марок");
        assert_eq!(f(1), "марка");
        assert_eq!(f(21), "марка");
        assert_eq!(f(3), "марки");
        assert_eq!(f(104), "марки");
        for n in [0, 5, 11, 12, 14, 19, 100, 111, 112] {
            assert_eq!(f(n), "марок", "{n}");
        }
    }
}
