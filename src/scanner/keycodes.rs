//! Linux input key codes (`linux/input-event-codes.h`, a stable kernel ABI) and the
//! fixed US-QWERTY table the evdev decoder uses. Kept as plain numbers so the decoder
//! stays pure and builds on every platform; the evdev reader passes `KeyCode::code()`.

pub const KEY_ESC: u16 = 1;
pub const KEY_1: u16 = 2;
pub const KEY_5: u16 = 6;
pub const KEY_0: u16 = 11;
pub const KEY_BACKSPACE: u16 = 14;
pub const KEY_TAB: u16 = 15;
pub const KEY_RIGHTBRACE: u16 = 27;
pub const KEY_ENTER: u16 = 28;
pub const KEY_LEFTCTRL: u16 = 29;
pub const KEY_A: u16 = 30;
pub const KEY_LEFTSHIFT: u16 = 42;
pub const KEY_Z: u16 = 44;
pub const KEY_RIGHTSHIFT: u16 = 54;
pub const KEY_LEFTALT: u16 = 56;
pub const KEY_SPACE: u16 = 57;
pub const KEY_CAPSLOCK: u16 = 58;
pub const KEY_F1: u16 = 59;
pub const KEY_F8: u16 = 66;
pub const KEY_F10: u16 = 68;
pub const KEY_NUMLOCK: u16 = 69;
pub const KEY_KP0: u16 = 82;
pub const KEY_F11: u16 = 87;
pub const KEY_F12: u16 = 88;
pub const KEY_KPENTER: u16 = 96;
pub const KEY_RIGHTCTRL: u16 = 97;
pub const KEY_RIGHTALT: u16 = 100;
pub const KEY_F13: u16 = 183;
pub const KEY_F24: u16 = 194;

/// Keys that type a character on a US keyboard: (code, name, unshifted, shifted).
const US_KEYS: [(u16, &str, char, char); 48] = [
    (2, "KEY_1", '1', '!'),
    (3, "KEY_2", '2', '@'),
    (4, "KEY_3", '3', '#'),
    (5, "KEY_4", '4', '$'),
    (6, "KEY_5", '5', '%'),
    (7, "KEY_6", '6', '^'),
    (8, "KEY_7", '7', '&'),
    (9, "KEY_8", '8', '*'),
    (10, "KEY_9", '9', '('),
    (11, "KEY_0", '0', ')'),
    (12, "KEY_MINUS", '-', '_'),
    (13, "KEY_EQUAL", '=', '+'),
    (16, "KEY_Q", 'q', 'Q'),
    (17, "KEY_W", 'w', 'W'),
    (18, "KEY_E", 'e', 'E'),
    (19, "KEY_R", 'r', 'R'),
    (20, "KEY_T", 't', 'T'),
    (21, "KEY_Y", 'y', 'Y'),
    (22, "KEY_U", 'u', 'U'),
    (23, "KEY_I", 'i', 'I'),
    (24, "KEY_O", 'o', 'O'),
    (25, "KEY_P", 'p', 'P'),
    (26, "KEY_LEFTBRACE", '[', '{'),
    (27, "KEY_RIGHTBRACE", ']', '}'),
    (30, "KEY_A", 'a', 'A'),
    (31, "KEY_S", 's', 'S'),
    (32, "KEY_D", 'd', 'D'),
    (33, "KEY_F", 'f', 'F'),
    (34, "KEY_G", 'g', 'G'),
    (35, "KEY_H", 'h', 'H'),
    (36, "KEY_J", 'j', 'J'),
    (37, "KEY_K", 'k', 'K'),
    (38, "KEY_L", 'l', 'L'),
    (39, "KEY_SEMICOLON", ';', ':'),
    (40, "KEY_APOSTROPHE", '\'', '"'),
    (41, "KEY_GRAVE", '`', '~'),
    (43, "KEY_BACKSLASH", '\\', '|'),
    (44, "KEY_Z", 'z', 'Z'),
    (45, "KEY_X", 'x', 'X'),
    (46, "KEY_C", 'c', 'C'),
    (47, "KEY_V", 'v', 'V'),
    (48, "KEY_B", 'b', 'B'),
    (49, "KEY_N", 'n', 'N'),
    (50, "KEY_M", 'm', 'M'),
    (51, "KEY_COMMA", ',', '<'),
    (52, "KEY_DOT", '.', '>'),
    (53, "KEY_SLASH", '/', '?'),
    (57, "KEY_SPACE", ' ', ' '),
];

/// Keypad keys: (code, name, character). Digits are digits whatever NumLock says,
/// because scanners use them for Alt codes and some send all digits from the keypad.
const KEYPAD: [(u16, &str, char); 15] = [
    (71, "KEY_KP7", '7'),
    (72, "KEY_KP8", '8'),
    (73, "KEY_KP9", '9'),
    (74, "KEY_KPMINUS", '-'),
    (75, "KEY_KP4", '4'),
    (76, "KEY_KP5", '5'),
    (77, "KEY_KP6", '6'),
    (78, "KEY_KPPLUS", '+'),
    (79, "KEY_KP1", '1'),
    (80, "KEY_KP2", '2'),
    (81, "KEY_KP3", '3'),
    (82, "KEY_KP0", '0'),
    (83, "KEY_KPDOT", '.'),
    (55, "KEY_KPASTERISK", '*'),
    (98, "KEY_KPSLASH", '/'),
];

/// Keys without a character that fixtures and key specs name.
const OTHER_KEYS: [(u16, &str); 30] = [
    (1, "KEY_ESC"),
    (14, "KEY_BACKSPACE"),
    (15, "KEY_TAB"),
    (28, "KEY_ENTER"),
    (29, "KEY_LEFTCTRL"),
    (42, "KEY_LEFTSHIFT"),
    (54, "KEY_RIGHTSHIFT"),
    (56, "KEY_LEFTALT"),
    (58, "KEY_CAPSLOCK"),
    (69, "KEY_NUMLOCK"),
    (70, "KEY_SCROLLLOCK"),
    (96, "KEY_KPENTER"),
    (97, "KEY_RIGHTCTRL"),
    (100, "KEY_RIGHTALT"),
    (102, "KEY_HOME"),
    (103, "KEY_UP"),
    (104, "KEY_PAGEUP"),
    (105, "KEY_LEFT"),
    (106, "KEY_RIGHT"),
    (107, "KEY_END"),
    (108, "KEY_DOWN"),
    (109, "KEY_PAGEDOWN"),
    (110, "KEY_INSERT"),
    (111, "KEY_DELETE"),
    (119, "KEY_PAUSE"),
    (125, "KEY_LEFTMETA"),
    (126, "KEY_RIGHTMETA"),
    (99, "KEY_SYSRQ"),
    (86, "KEY_102ND"),
    (127, "KEY_COMPOSE"),
];

/// The characters a US keyboard types with this key, unshifted and shifted.
pub fn us_chars(code: u16) -> Option<(char, char)> {
    US_KEYS
        .iter()
        .find(|k| k.0 == code)
        .map(|&(_, _, plain, shifted)| (plain, shifted))
}

/// The key and shift state that type `c` on a US keyboard.
pub fn us_key_for(c: char) -> Option<(u16, bool)> {
    US_KEYS.iter().find_map(|&(code, _, plain, shifted)| {
        if plain == c {
            Some((code, false))
        } else if shifted == c {
            Some((code, true))
        } else {
            None
        }
    })
}

/// The character of a keypad key.
pub fn keypad_char(code: u16) -> Option<char> {
    KEYPAD.iter().find(|k| k.0 == code).map(|k| k.2)
}

/// The keypad key for a decimal digit (used for Alt codes).
pub fn keypad_digit_key(digit: u32) -> Option<u16> {
    let c = char::from_digit(digit, 10)?;
    KEYPAD.iter().find(|k| k.2 == c).map(|k| k.0)
}

pub fn is_keypad_digit(code: u16) -> bool {
    keypad_char(code).is_some_and(|c| c.is_ascii_digit())
}

/// `KEY_F1`…`KEY_F24` → 1…24.
pub fn function_key_number(code: u16) -> Option<u8> {
    match code {
        KEY_F1..=KEY_F10 => u8::try_from(code - KEY_F1 + 1).ok(),
        KEY_F11 => Some(11),
        KEY_F12 => Some(12),
        KEY_F13..=KEY_F24 => u8::try_from(code - KEY_F13 + 13).ok(),
        _ => None,
    }
}

/// 1…24 → `KEY_F1`…`KEY_F24`.
pub fn function_key_code(n: u8) -> Option<u16> {
    match n {
        1..=10 => Some(KEY_F1 + u16::from(n) - 1),
        11 => Some(KEY_F11),
        12 => Some(KEY_F12),
        13..=24 => Some(KEY_F13 + u16::from(n) - 13),
        _ => None,
    }
}

/// The kernel name of a key code (`KEY_A`), for fixtures and `scanner test --record`.
pub fn name(code: u16) -> Option<String> {
    if let Some(n) = function_key_number(code) {
        return Some(format!("KEY_F{n}"));
    }
    US_KEYS
        .iter()
        .find(|k| k.0 == code)
        .map(|k| k.1)
        .or_else(|| KEYPAD.iter().find(|k| k.0 == code).map(|k| k.1))
        .or_else(|| OTHER_KEYS.iter().find(|k| k.0 == code).map(|k| k.1))
        .map(str::to_string)
}

/// The key code for a kernel key name; `None` for names this table does not know.
pub fn code(name: &str) -> Option<u16> {
    if let Some(n) = name
        .strip_prefix("KEY_F")
        .and_then(|n| n.parse::<u8>().ok())
    {
        return function_key_code(n);
    }
    US_KEYS
        .iter()
        .find(|k| k.1 == name)
        .map(|k| k.0)
        .or_else(|| KEYPAD.iter().find(|k| k.1 == name).map(|k| k.0))
        .or_else(|| OTHER_KEYS.iter().find(|k| k.1 == name).map(|k| k.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for code in 1u16..200 {
            if let Some(n) = name(code) {
                assert_eq!(super::code(&n), Some(code), "{n}");
            }
        }
        assert_eq!(code("KEY_F8"), Some(66));
        assert_eq!(code("KEY_NOPE"), None);
    }

    #[test]
    fn every_printable_ascii_has_a_us_key() {
        for c in ' '..='~' {
            let (code, shift) = us_key_for(c).unwrap_or_else(|| panic!("{c:?}"));
            let (plain, shifted) = us_chars(code).unwrap_or_else(|| panic!("{c:?}"));
            assert_eq!(if shift { shifted } else { plain }, c);
        }
    }

    /// Our numbers must be the kernel's; the evdev crate carries the same table.
    #[cfg(target_os = "linux")]
    #[test]
    fn codes_match_the_evdev_crate() {
        use std::str::FromStr;
        for code in 1u16..200 {
            if let Some(n) = name(code) {
                let theirs = evdev::KeyCode::from_str(&n)
                    .unwrap_or_else(|_| panic!("evdev does not know {n}"));
                assert_eq!(theirs.code(), code, "{n}");
            }
        }
    }
}
