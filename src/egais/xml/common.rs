//! Types shared by several documents: organisations (ClientRef_v2), product
//! cards (ProductRef_v2), справка Б references with marks (CommonV3) and the
//! value shapes the schemas constrain (excise stamp codes, box numbers).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Address of an organisation (`oref:address`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    #[serde(rename = "oref:Country")]
    pub country: String,
    #[serde(rename = "oref:Index", skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(rename = "oref:RegionCode", skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(rename = "oref:description")]
    pub description: String,
}

/// One participant: the body of `oref:UL`, `FL`, `FO`, `TS` or `TR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Org {
    #[serde(rename = "oref:ClientRegId")]
    pub client_reg_id: String,
    #[serde(rename = "oref:FullName", skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(rename = "oref:ShortName", skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(rename = "oref:INN", skip_serializing_if = "Option::is_none")]
    pub inn: Option<String>,
    #[serde(rename = "oref:KPP", skip_serializing_if = "Option::is_none")]
    pub kpp: Option<String>,
    #[serde(rename = "oref:TSNUM", skip_serializing_if = "Option::is_none")]
    pub tsnum: Option<String>,
    #[serde(rename = "oref:address")]
    pub address: Address,
}

impl Org {
    /// Short name if known, else the full name, else the FSRAR ID.
    pub fn display_name(&self) -> &str {
        self.short_name
            .as_deref()
            .or(self.full_name.as_deref())
            .unwrap_or(&self.client_reg_id)
    }
}

/// `oref:OrgInfo_v2` / `OrgInfoRus_v2`: exactly one of the kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(try_from = "OrgRefRaw")]
pub struct OrgRef {
    /// Legal entity (юрлицо).
    #[serde(rename = "oref:UL", skip_serializing_if = "Option::is_none")]
    pub ul: Option<Org>,
    /// Individual entrepreneur (ИП).
    #[serde(rename = "oref:FL", skip_serializing_if = "Option::is_none")]
    pub fl: Option<Org>,
    /// Foreign organisation.
    #[serde(rename = "oref:FO", skip_serializing_if = "Option::is_none")]
    pub fo: Option<Org>,
    /// Customs union organisation.
    #[serde(rename = "oref:TS", skip_serializing_if = "Option::is_none")]
    pub ts: Option<Org>,
    /// Branch (only in `OrgInfoRus_v2`).
    #[serde(rename = "oref:TR", skip_serializing_if = "Option::is_none")]
    pub tr: Option<Org>,
}

#[derive(Deserialize)]
struct OrgRefRaw {
    #[serde(rename = "oref:UL")]
    ul: Option<Org>,
    #[serde(rename = "oref:FL")]
    fl: Option<Org>,
    #[serde(rename = "oref:FO")]
    fo: Option<Org>,
    #[serde(rename = "oref:TS")]
    ts: Option<Org>,
    #[serde(rename = "oref:TR")]
    tr: Option<Org>,
}

impl TryFrom<OrgRefRaw> for OrgRef {
    type Error = String;
    fn try_from(r: OrgRefRaw) -> Result<Self, String> {
        let count = [
            r.ul.is_some(),
            r.fl.is_some(),
            r.fo.is_some(),
            r.ts.is_some(),
            r.tr.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if count != 1 {
            return Err(format!(
                "exactly one of oref:UL, FL, FO, TS, TR is required, found {count}"
            ));
        }
        Ok(OrgRef {
            ul: r.ul,
            fl: r.fl,
            fo: r.fo,
            ts: r.ts,
            tr: r.tr,
        })
    }
}

impl OrgRef {
    pub fn ul(org: Org) -> OrgRef {
        OrgRef {
            ul: Some(org),
            ..OrgRef::default()
        }
    }

    pub fn fl(org: Org) -> OrgRef {
        OrgRef {
            fl: Some(org),
            ..OrgRef::default()
        }
    }

    /// The organisation whatever its kind.
    pub fn org(&self) -> Option<&Org> {
        self.ul
            .as_ref()
            .or(self.fl.as_ref())
            .or(self.fo.as_ref())
            .or(self.ts.as_ref())
            .or(self.tr.as_ref())
    }

    pub fn client_reg_id(&self) -> &str {
        self.org().map_or("", |o| o.client_reg_id.as_str())
    }

    pub fn display_name(&self) -> &str {
        self.org().map_or("", Org::display_name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum UnitType {
    /// Bottles (count).
    #[default]
    Packed,
    /// Bulk (decalitres).
    Unpacked,
}

/// `pref:ProductInfo_v2` / `ProductInfoReply_v2` (Producer is optional in replies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProductInfo {
    #[serde(rename = "pref:UnitType")]
    pub unit_type: UnitType,
    /// АП, ССП, ССНП, Спирт, УБП, ССПП, СЛС, ФАРМ, ЭС.
    #[serde(rename = "pref:Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "pref:FullName")]
    pub full_name: String,
    #[serde(rename = "pref:ShortName", skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(rename = "pref:AlcCode")]
    pub alc_code: String,
    /// Litres per unit.
    #[serde(rename = "pref:Capacity", skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Decimal>,
    /// Percent by volume.
    #[serde(rename = "pref:AlcVolume", skip_serializing_if = "Option::is_none")]
    pub alc_volume: Option<Decimal>,
    #[serde(rename = "pref:Producer", skip_serializing_if = "Option::is_none")]
    pub producer: Option<OrgRef>,
    #[serde(rename = "pref:ProductVCode")]
    pub product_v_code: String,
}

/// `ce:InformF2TypeItemBC`: the shipper's справка Б and the stamps per box.
///
/// `M` is how a stamp is kept: [`Mark`] (the default) stores it, [`StampCheck`]
/// only validates it, for counting the stamps of huge waybills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformF2<M = Mark> {
    #[serde(rename = "ce:F2RegId")]
    pub f2_reg_id: String,
    #[serde(rename = "ce:MarkInfo", skip_serializing_if = "Option::is_none")]
    pub mark_info: Option<MarkInfo<M>>,
}

impl<M> Default for InformF2<M> {
    fn default() -> Self {
        InformF2 {
            f2_reg_id: String::new(),
            mark_info: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkInfo<M = Mark> {
    #[serde(rename = "ce:boxpos", default = "Vec::new")]
    pub boxes: Vec<BoxPos<M>>,
}

impl<M> Default for MarkInfo<M> {
    fn default() -> Self {
        MarkInfo { boxes: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxPos<M = Mark> {
    #[serde(rename = "ce:boxnumber", skip_serializing_if = "Option::is_none")]
    pub box_number: Option<BoxNumber>,
    #[serde(rename = "ce:amclist", skip_serializing_if = "Option::is_none")]
    pub amc_list: Option<AmcList<M>>,
}

impl<M> Default for BoxPos<M> {
    fn default() -> Self {
        BoxPos {
            box_number: None,
            amc_list: None,
        }
    }
}

/// `ce:AMCforDocType`: either excise stamps (`amc`) or beer codes (`ms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmcList<M = Mark> {
    #[serde(
        rename = "ce:amc",
        default = "Vec::new",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub amc: Vec<M>,
    #[serde(rename = "ce:ms", default, skip_serializing_if = "Vec::is_empty")]
    pub ms: Vec<BeerCode>,
}

impl<M> Default for AmcList<M> {
    fn default() -> Self {
        AmcList {
            amc: Vec::new(),
            ms: Vec::new(),
        }
    }
}

impl<M> MarkInfo<M> {
    pub fn marks(&self) -> impl Iterator<Item = &M> {
        self.boxes
            .iter()
            .filter_map(|b| b.amc_list.as_ref())
            .flat_map(|l| l.amc.iter())
    }
}

/// A stamp that was checked against `c:PDF417String` and then dropped:
/// zero-sized, so a `Vec<StampCheck>` only counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StampCheck;

impl<'de> Deserialize<'de> for StampCheck {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = StampCheck;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an excise stamp code")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StampCheck, E> {
                if is_pdf417_string(v) {
                    Ok(StampCheck)
                } else {
                    Err(E::custom(format!(
                        "`{v}` is not a valid excise stamp code (150 or 68 characters or 40 digits)"
                    )))
                }
            }
        }
        d.deserialize_str(V)
    }
}

/// `ce:boxtype`: a box and either nested boxes or the numbers of inner boxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BoxTree {
    /// The first number is this box; further ones are inner boxes.
    #[serde(rename = "ce:boxnum", default)]
    pub boxnum: Vec<BoxNumber>,
    #[serde(rename = "ce:bl", default, skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<BoxTree>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Conclusion {
    #[default]
    Accepted,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ChangeOwnership {
    #[default]
    IsChange,
    NotChange,
}

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $check:path, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Result<Self, String> {
                let value = value.into();
                if $check(&value) {
                    Ok($name(value))
                } else {
                    Err(format!("`{}` is not a valid {}", value, $what))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                $name::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_string!(
    /// An excise stamp code as `c:PDF417String` allows: 150-char DataMatrix,
    /// 68-char PDF417, or 40 digits.
    Mark,
    is_pdf417_string,
    "excise stamp code (150 or 68 characters or 40 digits)"
);
checked_string!(
    /// A beer DataMatrix code as `c:BeerCode` allows.
    BeerCode,
    is_beer_code,
    "beer code (01 + 14 digits + 21 + 7 characters)"
);
checked_string!(
    /// `c:boxNumberTypeString`: 26 or 18 digits.
    BoxNumber,
    is_box_number,
    "box number (26 or 18 digits)"
);
checked_string!(
    /// `c:Barmix` (ChequeV3 bottle code): a stamp code or a beer DataMatrix.
    Barmix,
    is_barmix,
    "cheque bottle code (excise stamp or beer DataMatrix)"
);

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Three digits, not all zero (`[1-9]\d{2}|\d([1-9]\d|\d[1-9])`).
fn nonzero_digits(s: &str) -> bool {
    digits(s) && s.bytes().any(|b| b != b'0')
}

/// The three alternatives of `c:PDF417String`.
pub fn is_pdf417_string(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let b = s.as_bytes();
    match b.len() {
        150 => {
            nonzero_digits(&s[0..3])
                && nonzero_digits(&s[3..6])
                && nonzero_digits(&s[6..14])
                && matches!(
                    &s[14..16],
                    "01" | "02"
                        | "03"
                        | "04"
                        | "05"
                        | "06"
                        | "07"
                        | "08"
                        | "09"
                        | "10"
                        | "11"
                        | "12"
                )
                && digits(&s[16..18])
                && b[16] >= b'1'
                && (b[16] > b'1' || b[17] >= b'8')
                && nonzero_digits(&s[18..21])
                && all_digits_or_upper(&b[21..])
        }
        68 => {
            let alnum = |r: &[u8]| r.iter().all(u8::is_ascii_alphanumeric);
            b[0..2].iter().all(u8::is_ascii_digit)
                && alnum(&b[2..23])
                && b[23].is_ascii_digit()
                && matches!(b[24], b'0' | b'1')
                && b[25].is_ascii_digit()
                && matches!(b[26], b'0'..=b'3')
                && b[27..37].iter().all(u8::is_ascii_digit)
                && alnum(&b[37..68])
        }
        40 => digits(s),
        _ => false,
    }
}

/// `[0-9A-Z]*` for ASCII input, eight bytes at a time: this runs for every
/// stamp of a waybill (100 000 in a big delivery).
fn all_digits_or_upper(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // For bytes < 0x80, adding (0x80 - k) sets a byte's high bit iff the byte is >= k,
    // and never carries into the next byte.
    let word_ok = |w: u64| {
        let ge = |k: u64| w.wrapping_add((0x80 - k) * ONES) & HIGH;
        let digit = ge(0x30) & !ge(0x3A);
        let upper = ge(0x41) & !ge(0x5B);
        w & HIGH == 0 && (digit | upper) == HIGH
    };
    let mut chunks = b.chunks_exact(8);
    let words_ok = chunks.by_ref().fold(true, |ok, c| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        ok & word_ok(u64::from_le_bytes(w))
    });
    words_ok
        && chunks
            .remainder()
            .iter()
            .all(|&c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// `01\d{14}21` + 7 characters of the allowed set.
pub fn is_beer_code(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let b = s.as_bytes();
    b.len() == 25
        && s.starts_with("01")
        && b[2..16].iter().all(u8::is_ascii_digit)
        && &s[16..18] == "21"
        && b[18..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"\"&<>'?_=!%.:;/()*+,-".contains(&c))
}

pub fn is_box_number(s: &str) -> bool {
    (s.len() == 26 || s.len() == 18) && digits(s)
}

/// `c:Barmix`: a stamp code or `010[0-9]{13}21\S{13}`.
pub fn is_barmix(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    if is_pdf417_string(s) {
        return true;
    }
    let b = s.as_bytes();
    b.len() == 31
        && s.starts_with("010")
        && b[3..16].iter().all(u8::is_ascii_digit)
        && &s[16..18] == "21"
        && b[18..].iter().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    const M150: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";
    const M68: &str = "19N00000XOPN13MM66T12TS311080076535486539219152175585956302712947119";

    #[test]
    fn stamp_shapes() {
        assert!(is_pdf417_string(M150));
        assert!(is_pdf417_string(M68));
        assert!(is_pdf417_string(&"1".repeat(40)));
        // the 72-char marks of the old documentation example are not valid
        assert!(!is_pdf417_string(
            "09001785400000118984310PX8051522100000476712617218613594213116182124151"
        ));
        let mut bad = M150.to_string();
        bad.replace_range(14..16, "13");
        assert!(!is_pdf417_string(&bad));
        let lower = M150.to_lowercase();
        assert!(!is_pdf417_string(&lower));
        assert!(!is_pdf417_string("é".repeat(75).as_str()));
        assert!(is_barmix(M150));
        for i in 21..150 {
            for c in [b'a', b'/', b':', b'@', b'[', 0x7f, b' '] {
                let mut m = M150.as_bytes().to_vec();
                m[i] = c;
                assert!(
                    !is_pdf417_string(std::str::from_utf8(&m).unwrap()),
                    "{i} {c}"
                );
            }
        }
        assert!(is_barmix("0104600000000000215ABCDEFGHIJKL"));
        assert!(is_beer_code("0104600000000000215ABCDEF"));
        assert!(!is_beer_code("0104600000000000225ABCDEF"));
        assert!(is_box_number("01000000102510622032900681"));
        assert!(!is_box_number("0100000010251062203290068x"));
    }

    #[test]
    fn org_ref_kind() {
        let o = OrgRef::ul(Org {
            client_reg_id: "030000194005".into(),
            short_name: Some("ООО Ромашка".into()),
            ..Org::default()
        });
        assert_eq!(o.client_reg_id(), "030000194005");
        assert_eq!(o.display_name(), "ООО Ромашка");
    }
}
