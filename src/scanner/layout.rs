//! The Russian (ЙЦУКЕН, Windows/X11 "ru") layout against US QWERTY, by key position.
//! A wedge scanner types US key positions; when the terminal client's layout is
//! Russian, each position arrives as the Cyrillic character on that key
//! (scanners.md §2). Reversal is decided per burst, never per character, because
//! `. , ; : ? " /` exist in both layouts on different keys.

/// (US character, the character the RU layout produces on the same key and shift).
/// Keys that are identical in both layouts (digits, `! % * ( ) - _ = + \`, space) are absent.
const US_RU: [(char, char); 74] = [
    ('q', 'й'),
    ('w', 'ц'),
    ('e', 'у'),
    ('r', 'к'),
    ('t', 'е'),
    ('y', 'н'),
    ('u', 'г'),
    ('i', 'ш'),
    ('o', 'щ'),
    ('p', 'з'),
    ('[', 'х'),
    (']', 'ъ'),
    ('a', 'ф'),
    ('s', 'ы'),
    ('d', 'в'),
    ('f', 'а'),
    ('g', 'п'),
    ('h', 'р'),
    ('j', 'о'),
    ('k', 'л'),
    ('l', 'д'),
    (';', 'ж'),
    ('\'', 'э'),
    ('z', 'я'),
    ('x', 'ч'),
    ('c', 'с'),
    ('v', 'м'),
    ('b', 'и'),
    ('n', 'т'),
    ('m', 'ь'),
    (',', 'б'),
    ('.', 'ю'),
    ('`', 'ё'),
    ('Q', 'Й'),
    ('W', 'Ц'),
    ('E', 'У'),
    ('R', 'К'),
    ('T', 'Е'),
    ('Y', 'Н'),
    ('U', 'Г'),
    ('I', 'Ш'),
    ('O', 'Щ'),
    ('P', 'З'),
    ('{', 'Х'),
    ('}', 'Ъ'),
    ('A', 'Ф'),
    ('S', 'Ы'),
    ('D', 'В'),
    ('F', 'А'),
    ('G', 'П'),
    ('H', 'Р'),
    ('J', 'О'),
    ('K', 'Л'),
    ('L', 'Д'),
    (':', 'Ж'),
    ('"', 'Э'),
    ('Z', 'Я'),
    ('X', 'Ч'),
    ('C', 'С'),
    ('V', 'М'),
    ('B', 'И'),
    ('N', 'Т'),
    ('M', 'Ь'),
    ('<', 'Б'),
    ('>', 'Ю'),
    ('~', 'Ё'),
    ('@', '"'),
    ('#', '№'),
    ('$', ';'),
    ('^', ':'),
    ('&', '?'),
    ('/', '.'),
    ('?', ','),
    ('|', '/'),
];

fn pairs() -> impl Iterator<Item = (char, char)> {
    US_RU.iter().copied()
}

/// True for characters only the Russian layout produces (Cyrillic letters, `№`).
pub fn is_ru_only(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' | '№')
}

/// The character the RU layout gives on the key (and shift) that types `c` in US.
/// Characters on keys that are the same in both layouts, and anything else, map to
/// themselves.
pub fn us_to_ru_char(c: char) -> char {
    pairs().find(|&(us, _)| us == c).map_or(c, |(_, ru)| ru)
}

/// The US character on the key that gives `c` under the RU layout, or `None` when
/// the RU layout cannot produce `c` at all (a Latin letter, `[`, `@` …).
pub fn ru_to_us_char(c: char) -> Option<char> {
    if let Some((us, _)) = pairs().find(|&(_, ru)| ru == c) {
        return Some(us);
    }
    // Same key, same character in both layouts; GS and control characters pass through.
    let shared = c.is_ascii_digit() || "!%*()-_=+\\ ".contains(c) || c.is_ascii_control();
    shared.then_some(c)
}

/// Types `us` on a US-positioned keyboard while the layout is Russian.
pub fn us_to_ru(us: &str) -> String {
    us.chars().map(us_to_ru_char).collect()
}

/// Reverses a whole burst that was typed under the RU layout. `None` when some
/// character cannot have come from the RU layout, i.e. the burst was not RU.
pub fn ru_to_us(ru: &str) -> Option<String> {
    ru.chars().map(ru_to_us_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_a_bijection() {
        let all: Vec<(char, char)> = pairs().collect();
        assert_eq!(all.len(), 74);
        for (i, (us, ru)) in all.iter().enumerate() {
            for (other_us, other_ru) in &all[i + 1..] {
                assert_ne!(us, other_us);
                assert_ne!(ru, other_ru);
            }
        }
    }

    #[test]
    fn qwerty_row_and_punctuation() {
        assert_eq!(us_to_ru("QWERTY"), "ЙЦУКЕН");
        assert_eq!(ru_to_us("ЙЦУКЕН").as_deref(), Some("QWERTY"));
        assert_eq!(us_to_ru("f[/"), "ах.");
        assert_eq!(ru_to_us("\"№;:?,/").as_deref(), Some("@#$^&?|"));
    }

    #[test]
    fn latin_letters_mean_the_burst_was_not_russian() {
        assert_eq!(ru_to_us("йq"), None);
        assert_eq!(ru_to_us("["), None);
    }

    #[test]
    fn gs_survives() {
        assert_eq!(ru_to_us("01\u{1d}93").as_deref(), Some("01\u{1d}93"));
    }

    proptest! {
        #[test]
        fn us_to_ru_then_back_is_identity_on_printable_ascii(s in "[ -~]{0,200}") {
            prop_assert_eq!(ru_to_us(&us_to_ru(&s)), Some(s));
        }
    }
}
