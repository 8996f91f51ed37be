//! Checks of the identifiers and settings a shop types into its config file.
//!
//! Each check is a pure function (unit- and property-tested) plus a serde
//! `deserialize_with` adapter, so that toml attaches the span of the offending value to the
//! error and `config check` can point at the exact line and column.

use serde::{Deserialize, Deserializer};

/// Separates the message from the hint inside a serde custom error string. serde only
/// carries a string through toml, and the message itself quotes values with `{:?}`, which
/// escapes control characters, so this byte cannot occur in it.
pub(crate) const HINT_SEP: char = '\u{1f}';

/// A refused value: what is wrong (English, like toml's own messages) and what to do
/// (Russian and English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub hint: &'static str,
}

impl Invalid {
    fn new(message: String, hint: &'static str) -> Invalid {
        Invalid { message, hint }
    }

    fn encode(&self) -> String {
        format!("{}{HINT_SEP}{}", self.message, self.hint)
    }
}

pub const FSRAR_HINT: &str = "ФСРАР ID — 12 цифр, как в сертификате ключа УТМ (поле CN) / \
     the FSRAR ID is 12 digits, the CN of the UTM key certificate";
pub const INN_HINT: &str = "ИНН — 10 цифр (организация) или 12 цифр (ИП) с верной контрольной \
     суммой; проверьте, не перепутаны ли цифры / INN is 10 (company) or 12 (sole trader) digits \
     with a valid checksum; look for swapped digits";
pub const KPP_HINT: &str = "КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, \
     3 цифры (например 770101001); у ИП КПП нет — оставьте пустым / KPP is 9 characters \
     (4 digits, 2 digits or capital Latin letters, 3 digits); sole traders leave it empty";
pub const URL_HINT: &str = "адрес УТМ вида \"http://192.168.1.10:8080\" / the UTM address, \
     e.g. \"http://192.168.1.10:8080\" (plain HTTP)";
pub const TZ_HINT: &str = "часовой пояс IANA, например \"Europe/Moscow\" или \"Asia/Yekaterinburg\" / \
     an IANA time zone such as \"Europe/Moscow\"";
pub const THEME_HINT: &str = "встроенные темы: default, high-contrast, mono; свою тему задайте \
     в ui.theme_file / built-in themes: default, high-contrast, mono; a custom theme goes in \
     ui.theme_file";

/// The built-in themes (`themes/*.toml`).
pub const THEMES: [&str; 3] = ["default", "high-contrast", "mono"];

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// FSRAR ID: 12 digits. Empty is allowed in a file (filled in later); `run` refuses it.
pub fn fsrar_id(s: &str) -> Result<(), Invalid> {
    if s.is_empty() || (s.len() == 12 && all_digits(s)) {
        return Ok(());
    }
    Err(Invalid::new(
        format!("invalid FSRAR ID {s:?}: expected exactly 12 digits"),
        FSRAR_HINT,
    ))
}

fn weighted_check(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

/// Whether a 10- or 12-digit INN has the right check digit(s) (Federal Tax Service rules).
pub fn inn_checksum_ok(s: &str) -> bool {
    if !all_digits(s) {
        return false;
    }
    let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
    match d.len() {
        10 => weighted_check(&d[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
        12 => {
            weighted_check(&d[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                && weighted_check(&d[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
        }
        _ => false,
    }
}

/// INN: empty, or 10/12 digits with a valid checksum.
pub fn inn(s: &str) -> Result<(), Invalid> {
    if s.is_empty() {
        return Ok(());
    }
    if !all_digits(s) || !(s.len() == 10 || s.len() == 12) {
        return Err(Invalid::new(
            format!("invalid INN {s:?}: expected 10 or 12 digits"),
            INN_HINT,
        ));
    }
    if !inn_checksum_ok(s) {
        return Err(Invalid::new(
            format!("invalid INN {s:?}: the check digit does not match"),
            INN_HINT,
        ));
    }
    Ok(())
}

/// KPP: empty, or NNNN PP NNN where PP is two digits or capital Latin letters.
pub fn kpp(s: &str) -> Result<(), Invalid> {
    if s.is_empty() {
        return Ok(());
    }
    let b = s.as_bytes();
    let ok = b.len() == 9
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..6]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[6..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            format!("invalid KPP {s:?}: expected 9 characters NNNNPPNNN"),
            KPP_HINT,
        ))
    }
}

/// The UTM address: an absolute `http://host[:port]` URL. The build has no TLS (the UTM is
/// plain HTTP on the shop's LAN), so `https` would only fail later, at the first request.
pub fn utm_url(s: &str) -> Result<(), Invalid> {
    let parsed = reqwest::Url::parse(s)
        .map_err(|e| Invalid::new(format!("invalid UTM URL {s:?}: {e}"), URL_HINT))?;
    if parsed.scheme() != "http" {
        return Err(Invalid::new(
            format!(
                "invalid UTM URL {s:?}: scheme {:?} is not supported, the UTM speaks plain http",
                parsed.scheme()
            ),
            URL_HINT,
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::new(
            format!("invalid UTM URL {s:?}: no host"),
            URL_HINT,
        ));
    }
    Ok(())
}

pub fn timezone(s: &str) -> Result<(), Invalid> {
    jiff::tz::TimeZone::get(s)
        .map(|_| ())
        .map_err(|_| Invalid::new(format!("unknown time zone {s:?}"), TZ_HINT))
}

pub fn theme(s: &str) -> Result<(), Invalid> {
    if THEMES.contains(&s) {
        Ok(())
    } else {
        Err(Invalid::new(
            format!(
                "unknown theme {s:?}, expected one of {}",
                THEMES.map(|t| format!("`{t}`")).join(", ")
            ),
            THEME_HINT,
        ))
    }
}

fn checked<'de, D: Deserializer<'de>>(
    d: D,
    check: fn(&str) -> Result<(), Invalid>,
) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check(&s).map_err(|e| serde::de::Error::custom(e.encode()))?;
    Ok(s)
}

pub(crate) fn de_fsrar_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, fsrar_id)
}
pub(crate) fn de_inn<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, inn)
}
pub(crate) fn de_kpp<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, kpp)
}
pub(crate) fn de_utm_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, utm_url)
}
pub(crate) fn de_timezone<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, timezone)
}
pub(crate) fn de_theme<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, theme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the right check digit(s) to a 9- or 10-digit INN body.
    fn complete_inn(body: &str) -> String {
        let d: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
        match d.len() {
            9 => format!(
                "{body}{}",
                weighted_check(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8])
            ),
            10 => {
                let n11 = weighted_check(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
                let mut d11 = d.clone();
                d11.push(n11);
                let n12 = weighted_check(&d11, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
                format!("{body}{n11}{n12}")
            }
            _ => unreachable!("test helper called with a body of {} digits", d.len()),
        }
    }

    /// `sum % 11` of each check of an INN, before the rule folds 10 into 0.
    fn raw_residues(inn: &str) -> Vec<u32> {
        let d: Vec<u32> = inn.bytes().map(|b| u32::from(b - b'0')).collect();
        let raw = |n: usize, w: &[u32]| d[..n].iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11;
        if d.len() == 10 {
            vec![raw(9, &[2, 4, 10, 3, 5, 9, 4, 6, 8])]
        } else {
            vec![
                raw(10, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]),
                raw(11, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]),
            ]
        }
    }

    #[test]
    fn known_inns() {
        // Sberbank (10 digits) and a published example of a personal INN (12 digits).
        assert!(inn("7707083893").is_ok());
        assert!(inn("500100732259").is_ok());
        assert!(inn("7707083894").is_err());
        assert!(inn("500100732250").is_err());
        assert!(inn("").is_ok());
        assert!(inn("770708389").is_err());
        assert!(inn("77070838931").is_err());
        assert!(inn("77070838a3").is_err());
        assert!(inn("-707083893").is_err());
    }

    #[test]
    fn fsrar_ids() {
        assert!(fsrar_id("030000194005").is_ok());
        assert!(fsrar_id("").is_ok());
        assert!(fsrar_id("03000019400").is_err());
        assert!(fsrar_id("0300001940055").is_err());
        assert!(fsrar_id("03000019400x").is_err());
        assert!(fsrar_id(" 030000194005").is_err());
    }

    #[test]
    fn kpps() {
        assert!(kpp("770101001").is_ok());
        assert!(kpp("7701AB001").is_ok());
        assert!(kpp("").is_ok());
        assert!(kpp("7701ab001").is_err());
        assert!(kpp("77010100").is_err());
        assert!(kpp("7701010011").is_err());
        assert!(kpp("A70101001").is_err());
        assert!(kpp("7701010A1").is_err());
        assert!(kpp("7701ЖЖ001").is_err());
    }

    #[test]
    fn urls() {
        assert!(utm_url("http://127.0.0.1:8080").is_ok());
        assert!(utm_url("http://utm.local:8080/").is_ok());
        assert!(utm_url("https://127.0.0.1:8080").is_err());
        assert!(utm_url("127.0.0.1:8080").is_err());
        assert!(utm_url("").is_err());
        assert!(utm_url("http://").is_err());
    }

    #[test]
    fn timezones_and_themes() {
        assert!(timezone("Europe/Moscow").is_ok());
        assert!(timezone("Asia/Vladivostok").is_ok());
        assert!(timezone("Moscow").is_err());
        for t in THEMES {
            assert!(theme(t).is_ok());
        }
        assert!(theme("dark").is_err());
        assert!(theme("").is_err());
    }

    proptest! {
        #[test]
        fn any_inn10_with_checksum_passes(body in "[0-9]{9}") {
            let full = complete_inn(&body);
            prop_assert!(inn(&full).is_ok(), "{}", full);
        }

        #[test]
        fn any_inn12_with_checksum_passes(body in "[0-9]{10}") {
            let full = complete_inn(&body);
            prop_assert!(inn(&full).is_ok(), "{}", full);
        }

        /// Every weight is non-zero modulo 11, so changing one digit always changes the raw
        /// residue of each check that covers it. The change goes unnoticed only when the rule's
        /// final `% 10` folds residues 10 and 0 into the same check digit.
        #[test]
        fn a_single_digit_change_fails(
            body in prop_oneof!["[0-9]{9}", "[0-9]{10}"],
            pos_seed in 0usize..1000,
            delta in 1u8..10,
        ) {
            let full = complete_inn(&body);
            let pos = pos_seed % full.len();
            let mut bytes = full.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            if inn(&changed).is_ok() {
                let (before, after) = (raw_residues(&full), raw_residues(&changed));
                let folded = before.iter().zip(&after).all(|(b, a)| {
                    b == a || (matches!(b, 0 | 10) && matches!(a, 0 | 10))
                });
                prop_assert!(pos < body.len() && folded, "{} -> {} accepted", full, changed);
            }
        }

        #[test]
        fn fsrar_is_exactly_twelve_digits(s in "[0-9]{0,14}") {
            prop_assert_eq!(fsrar_id(&s).is_ok(), s.is_empty() || s.len() == 12);
        }

        #[test]
        fn kpp_shape(a in "[0-9]{4}", b in "[0-9A-Z]{2}", c in "[0-9]{3}") {
            let k = format!("{a}{b}{c}");
            prop_assert!(kpp(&k).is_ok());
        }
    }
}
