//! What a scanned code is: an EGAIS excise stamp (old 68-character PDF417 or the
//! 150-character DataMatrix), a retail EAN barcode, a Честный знак (GS1 DataMatrix)
//! marking code, or something else. Pure string rules, taken from the official XSD
//! (`c:PDF417String` in EGCommon.xsd, PROTOCOL.md §4) and the GS1 specification.

use std::fmt;

/// The group separator (ASCII 29) that splits GS1 element strings in Честный знак codes.
pub const GS: char = '\u{1d}';

/// The classification of one scanned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeKind {
    /// The old 68-character EGAIS stamp; it carries the product's AlcCode.
    StampPdf417 {
        alc_code: String,
    },
    /// The 150-character EGAIS stamp (ФСМ/АМ since 2018); the product is resolved via
    /// the invoice or a ReplyRestBCode, the stamp itself does not name it.
    StampDataMatrix,
    Ean13,
    Ean8,
    /// A Честный знак marking code (GS1 DataMatrix): AI 01 GTIN, AI 21 serial, then
    /// GS-separated tails such as 91/92/93.
    HonestSign {
        gtin: String,
    },
    Unknown,
}

impl CodeKind {
    /// A short Russian name for the cashier and for `scanner test`.
    pub fn label_ru(&self) -> String {
        match self {
            CodeKind::StampPdf417 { alc_code } => {
                format!("акцизная марка PDF417 (алкокод {alc_code})")
            }
            CodeKind::StampDataMatrix => "акцизная марка DataMatrix".to_string(),
            CodeKind::Ean13 => "штрихкод EAN-13".to_string(),
            CodeKind::Ean8 => "штрихкод EAN-8".to_string(),
            CodeKind::HonestSign { gtin } => format!("Честный знак (GTIN {gtin})"),
            CodeKind::Unknown => "неизвестный код".to_string(),
        }
    }

    /// True for both EGAIS excise stamp formats.
    pub fn is_excise_stamp(&self) -> bool {
        matches!(
            self,
            CodeKind::StampPdf417 { .. } | CodeKind::StampDataMatrix
        )
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, CodeKind::Unknown)
    }
}

impl fmt::Display for CodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_ru())
    }
}

/// Classifies a code exactly as scanned (GS separators included, no trimming: a
/// stray character means the scan is wrong, and the cashier must see that).
///
/// The third alternative of `c:PDF417String`, 40 digits, has no documented meaning
/// (PROTOCOL.md §8) and is classified as `Unknown`.
pub fn classify(code: &str) -> CodeKind {
    if is_stamp_datamatrix(code) {
        return CodeKind::StampDataMatrix;
    }
    if let Some(alc_code) = pdf417_alc_code(code) {
        return CodeKind::StampPdf417 { alc_code };
    }
    if ean13_is_valid(code) {
        return CodeKind::Ean13;
    }
    if ean8_is_valid(code) {
        return CodeKind::Ean8;
    }
    if let Some(gtin) = honest_sign_gtin(code) {
        return CodeKind::HonestSign { gtin };
    }
    CodeKind::Unknown
}

/// 13 digits with a correct GS1 check digit.
pub fn ean13_is_valid(code: &str) -> bool {
    code.len() == 13 && gs1_check_digit_ok(code)
}

/// 8 digits with a correct GS1 check digit.
pub fn ean8_is_valid(code: &str) -> bool {
    code.len() == 8 && gs1_check_digit_ok(code)
}

/// The GS1 mod-10 check shared by EAN-8, EAN-13 and GTIN-14: weights 3,1,3,…
/// counted from the digit left of the check digit.
fn gs1_check_digit_ok(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (body, check) = bytes.split_at(bytes.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check[0] - b'0')
}

/// The 150-character stamp, first alternative of `c:PDF417String`:
/// two non-zero 3-digit groups, a non-zero 8-digit number, month 01-12, year 18-99,
/// a non-zero 3-digit group, then 129 characters of `[0-9A-Z]`.
pub fn is_stamp_datamatrix(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 150 || !b[..21].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let nonzero = |s: &[u8]| s.iter().any(|&d| d != b'0');
    let two = |s: &[u8]| u32::from(s[0] - b'0') * 10 + u32::from(s[1] - b'0');
    nonzero(&b[0..3])
        && nonzero(&b[3..6])
        && nonzero(&b[6..14])
        && (1..=12).contains(&two(&b[14..16]))
        && two(&b[16..18]) >= 18
        && nonzero(&b[18..21])
        && b[21..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// The 68-character stamp, second alternative of `c:PDF417String`:
/// `\d\d[a-zA-Z0-9]{21}\d[0-1]\d[0-3]\d{10}[a-zA-Z0-9]{31}`.
pub fn is_stamp_pdf417(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 68
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2..23].iter().all(u8::is_ascii_alphanumeric)
        && b[23].is_ascii_digit()
        && matches!(b[24], b'0'..=b'1')
        && b[25].is_ascii_digit()
        && matches!(b[26], b'0'..=b'3')
        && b[27..37].iter().all(u8::is_ascii_digit)
        && b[37..].iter().all(u8::is_ascii_alphanumeric)
}

/// The AlcCode carried by a 68-character stamp: characters [7,19) read as a base-36
/// number (0-9A-Z), left-padded with zeros to 19 digits (PROTOCOL.md §4.2; checked
/// on the official sample). Twelve base-36 digits are below 36^12 < 2^63, so the
/// value always fits; `None` when the code is not a 68-character stamp.
pub fn pdf417_alc_code(code: &str) -> Option<String> {
    if !is_stamp_pdf417(code) {
        return None;
    }
    let mut value: u64 = 0;
    for c in code[7..19].chars() {
        value = value * 36 + u64::from(c.to_digit(36)?);
    }
    Some(format!("{value:019}"))
}

/// AIs allowed after the serial in Честный знак codes: verification key (91),
/// crypto code (92), short crypto tail (93), price (8005, tobacco), weight (310n/330n),
/// expiry (17), batch (10), production date (11).
const HONEST_SIGN_TAIL_AIS: [&str; 9] = ["91", "92", "93", "8005", "310", "330", "17", "10", "11"];

/// GS1 "AI encodable character set 82", which serials and crypto tails use.
fn is_gs1_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// The GTIN of a Честный знак code: `01` + GTIN-14 (valid check digit) + `21` +
/// serial (1-20 characters) and optional GS-separated tails with known AIs. A
/// leading FNC1 (sent as GS) or an AIM symbology identifier (`]d2`) is tolerated.
/// Without its GS separators the code is refused: the serial's end cannot be found,
/// and the ОФД and Честный знак reject such a code anyway.
pub fn honest_sign_gtin(code: &str) -> Option<String> {
    let body = code
        .strip_prefix("]d2")
        .or_else(|| code.strip_prefix("]C1"))
        .unwrap_or(code);
    let body = body.strip_prefix(GS).unwrap_or(body);
    let rest = body.strip_prefix("01")?;
    let gtin = rest.get(..14)?;
    if !gs1_check_digit_ok(gtin) {
        return None;
    }
    let rest = rest.get(14..)?.strip_prefix("21")?;
    let mut groups = rest.split(GS);
    let serial = groups.next()?;
    if serial.is_empty() || serial.len() > 20 || !serial.chars().all(is_gs1_char) {
        return None;
    }
    for group in groups {
        let known_ai = HONEST_SIGN_TAIL_AIS.iter().any(|ai| {
            group
                .strip_prefix(ai)
                .is_some_and(|value| !value.is_empty() && value.len() <= 90)
        });
        if !known_ai || !group.chars().all(is_gs1_char) {
            return None;
        }
    }
    Some(gtin.to_string())
}

/// A scan that starts like a Честный знак code but lost its GS separators (the
/// scanner is not set up to send them). Lets the UI say what to fix instead of
/// "unknown code".
pub fn looks_like_honest_sign_without_gs(code: &str) -> bool {
    !code.contains(GS)
        && code.len() > 2 + 14 + 2 + 20
        && code.starts_with("01")
        && code.get(2..16).is_some_and(gs1_check_digit_ok)
        && code.get(16..18) == Some("21")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OFFICIAL_PDF417: &str =
        "19N00000XOPN13MM66T12TS311080076535486539219152175585956302712947119";
    const REAL_DATAMATRIX: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";

    #[test]
    fn official_pdf417_sample_gives_its_alc_code() {
        assert_eq!(
            classify(OFFICIAL_PDF417),
            CodeKind::StampPdf417 {
                alc_code: "0123163000001747669".into()
            }
        );
    }

    #[test]
    fn pdf417_must_match_the_xsd_digit_positions() {
        let mut bad = OFFICIAL_PDF417.to_string();
        bad.replace_range(24..25, "7"); // [0-1] position
        assert_eq!(classify(&bad), CodeKind::Unknown);
        assert_eq!(classify(&OFFICIAL_PDF417[..67]), CodeKind::Unknown);
    }

    #[test]
    fn real_datamatrix_from_a_sample_invoice() {
        assert_eq!(REAL_DATAMATRIX.len(), 150);
        assert_eq!(classify(REAL_DATAMATRIX), CodeKind::StampDataMatrix);
    }

    #[test]
    fn datamatrix_rejects_lowercase_zero_groups_and_bad_dates() {
        let lower = REAL_DATAMATRIX.to_ascii_lowercase();
        assert_eq!(classify(&lower), CodeKind::Unknown);
        for (range, value) in [
            (0..3, "000"),
            (3..6, "000"),
            (6..14, "00000000"),
            (14..16, "13"),
            (14..16, "00"),
            (16..18, "17"),
            (18..21, "000"),
        ] {
            let mut bad = REAL_DATAMATRIX.to_string();
            bad.replace_range(range.clone(), value);
            assert!(!is_stamp_datamatrix(&bad), "{range:?}={value}");
        }
    }

    #[test]
    fn ean_checksums() {
        assert!(ean13_is_valid("4600439931256"));
        assert!(ean13_is_valid("4006381333931"));
        assert!(!ean13_is_valid("4006381333932"));
        assert!(!ean13_is_valid("400638133393"));
        assert!(!ean13_is_valid("40063813339a1"));
        assert_eq!(classify("4006381333931"), CodeKind::Ean13);
        assert_eq!(classify("96385074"), CodeKind::Ean8);
        assert_eq!(classify("96385075"), CodeKind::Unknown);
    }

    #[test]
    fn honest_sign_with_gs_tails() {
        let code = "0104600439931256215ZIJDsU\u{1d}91EE06\u{1d}92YWCXbmK6SN8vvwoxZFk7WAY8WoJNMGGr6Cgtiuja04c=";
        assert_eq!(
            classify(code),
            CodeKind::HonestSign {
                gtin: "04600439931256".into()
            }
        );
        let beer = "0104607001771432215'dE5-H\u{1d}93dGVz";
        assert_eq!(
            classify(beer),
            CodeKind::HonestSign {
                gtin: "04607001771432".into()
            }
        );
        let with_fnc1 = format!("{GS}{code}");
        assert!(matches!(classify(&with_fnc1), CodeKind::HonestSign { .. }));
    }

    #[test]
    fn honest_sign_without_gs_is_unknown_but_recognised_as_such() {
        let code = "0104600439931256215ZIJDsU91EE0692YWCXbmK6SN8vvwoxZFk7WAY8WoJNMGGr6Cgtiuja04c=";
        assert_eq!(classify(code), CodeKind::Unknown);
        assert!(looks_like_honest_sign_without_gs(code));
    }

    #[test]
    fn honest_sign_rejects_bad_gtin_and_unknown_tail() {
        assert_eq!(
            classify("0104600439931257215ZIJDsU\u{1d}91EE06"),
            CodeKind::Unknown
        );
        assert_eq!(
            classify("0104600439931256215ZIJDsU\u{1d}77EE06"),
            CodeKind::Unknown
        );
        assert_eq!(
            classify("0104600439931256215ZIJDsU\u{1d}"),
            CodeKind::Unknown
        );
    }

    fn gs1_append_check(body: &str) -> String {
        let sum: u32 = body
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        format!("{body}{}", (10 - sum % 10) % 10)
    }

    proptest! {
        #[test]
        fn any_ean13_with_its_check_digit_is_valid_and_others_are_not(body in "[0-9]{12}", wrong in 1u8..10) {
            let good = gs1_append_check(&body);
            prop_assert!(ean13_is_valid(&good));
            let last = good.as_bytes()[12] - b'0';
            let bad = format!("{body}{}", (last + wrong) % 10);
            prop_assert!(!ean13_is_valid(&bad));
        }

        #[test]
        fn alc_code_is_base36_of_the_seven_to_nineteen_slice(slice in "[0-9A-Z]{12}") {
            let code = format!("19N0000{slice}12TS311080076535486539219152175585956302712947119");
            let expected = u64::from_str_radix(&slice, 36).unwrap();
            prop_assert_eq!(pdf417_alc_code(&code), Some(format!("{expected:019}")));
        }

        #[test]
        fn classify_never_panics(s in "\\PC{0,200}") {
            let _ = classify(&s);
        }
    }
}
