//! Retail cheques: the legacy attribute `<Cheque>` posted to `/xml` (schema
//! Cheque/egaischeque.joint.2.xsd, no namespace, no envelope) and `ChequeV3`
//! posted to `/opt/in/ChequeV3` in the envelope.

use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{Barmix, ProductInfo};
use super::de::from_node;
use super::error::{XmlError, XmlErrorKind};
use super::tree::{self, Tree};
use super::write::{XML_DECL, egais_document, serialize_into};

/// The attribute cheque.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cheque {
    #[serde(rename = "@inn")]
    pub inn: String,
    /// 9 digits, empty or absent for an individual entrepreneur.
    #[serde(rename = "@kpp", skip_serializing_if = "Option::is_none")]
    pub kpp: Option<String>,
    #[serde(rename = "@address")]
    pub address: String,
    #[serde(rename = "@name")]
    pub name: String,
    #[serde(rename = "@kassa")]
    pub kassa: String,
    #[serde(rename = "@shift")]
    pub shift: i32,
    #[serde(rename = "@number")]
    pub number: i32,
    /// `DDMMYYHHMM`.
    #[serde(rename = "@datetime")]
    pub datetime: ChequeDateTime,
    #[serde(rename = "Bottle", default, skip_serializing_if = "Vec::is_empty")]
    pub bottles: Vec<ChequeBottle>,
    #[serde(rename = "nopdf", default, skip_serializing_if = "Vec::is_empty")]
    pub nopdf: Vec<ChequeNoPdf>,
}

/// A marked bottle (68-char PDF417 stamp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeBottle {
    /// Negative for a return.
    #[serde(rename = "@price")]
    pub price: ChequePrice,
    #[serde(rename = "@barcode")]
    pub barcode: String,
    #[serde(rename = "@ean")]
    pub ean: String,
    #[serde(rename = "@volume", skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
}

/// Unmarked product (beer) by brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeNoPdf {
    #[serde(rename = "@price")]
    pub price: ChequePrice,
    /// Producer's INN.
    #[serde(rename = "@pinn")]
    pub pinn: String,
    /// Producer's KPP (may be empty).
    #[serde(rename = "@pkpp")]
    pub pkpp: String,
    #[serde(rename = "@bname")]
    pub bname: String,
    #[serde(rename = "@alc")]
    pub alc: String,
    #[serde(rename = "@volume")]
    pub volume: String,
    #[serde(rename = "@ean")]
    pub ean: String,
    #[serde(rename = "@count")]
    pub count: u32,
}

/// The `PRICE` pattern `[-]?\d+\.\d{0,2}`; the text is kept as written so
/// that a cheque read from disk is written back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChequePrice(String);

impl ChequePrice {
    pub fn new(value: &str) -> Result<Self, String> {
        let digits = value.strip_prefix('-').unwrap_or(value);
        let ok = match digits.split_once('.') {
            Some((int, frac)) => {
                !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && frac.len() <= 2
                    && frac.bytes().all(|b| b.is_ascii_digit())
            }
            None => false,
        };
        if ok {
            Ok(ChequePrice(value.to_string()))
        } else {
            Err(format!("`{value}` is not a cheque price like 123.45"))
        }
    }

    /// Roubles with kopecks, as the schema wants them.
    pub fn from_decimal(value: Decimal) -> Self {
        ChequePrice(format!("{:.2}", value.round_dp(2)))
    }

    pub fn value(&self) -> Decimal {
        self.0.parse().unwrap_or_default()
    }
}

impl TryFrom<String> for ChequePrice {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        ChequePrice::new(&value)
    }
}

impl From<ChequePrice> for String {
    fn from(value: ChequePrice) -> String {
        value.0
    }
}

/// The `DT` pattern `[0-3][0-9][0-1][0-9][0-9]{2}[0-2][0-9][0-5][0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChequeDateTime(String);

impl ChequeDateTime {
    pub fn new(value: &str) -> Result<Self, String> {
        let b = value.as_bytes();
        let ok = b.len() == 10
            && b.iter().all(u8::is_ascii_digit)
            && b[0] <= b'3'
            && b[2] <= b'1'
            && b[6] <= b'2'
            && b[8] <= b'5';
        if ok {
            Ok(ChequeDateTime(value.to_string()))
        } else {
            Err(format!("`{value}` is not a cheque date-time DDMMYYHHMM"))
        }
    }

    pub fn from_datetime(dt: DateTime) -> Self {
        ChequeDateTime(format!(
            "{:02}{:02}{:02}{:02}{:02}",
            dt.day(),
            dt.month(),
            dt.year().rem_euclid(100),
            dt.hour(),
            dt.minute()
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ChequeDateTime {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        ChequeDateTime::new(&value)
    }
}

impl From<ChequeDateTime> for String {
    fn from(value: ChequeDateTime) -> String {
        value.0
    }
}

impl Cheque {
    /// The document posted to `/xml`.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(1024);
        out.push_str(XML_DECL);
        serialize_into(&mut out, "Cheque", self);
        out.push('\n');
        out
    }

    pub fn from_xml(bytes: &[u8]) -> Result<Cheque, XmlError> {
        let tree = tree::parse(bytes)?;
        Self::from_tree(&tree)
    }

    pub(crate) fn from_tree(tree: &Tree<'_>) -> Result<Cheque, XmlError> {
        let root = tree.root();
        if !tree.is(root, None, "Cheque") {
            return Err(tree.error(
                root,
                XmlErrorKind::Schema,
                format!(
                    "expected the root element Cheque, found {}",
                    tree.local(root)
                ),
            ));
        }
        let cheque: Cheque = from_node(tree, root)?;
        if cheque.bottles.is_empty() == cheque.nopdf.is_empty() {
            return Err(tree.error(
                root,
                XmlErrorKind::Schema,
                "a cheque holds either Bottle or nopdf elements (at least one)",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, b) in cheque.bottles.iter().enumerate() {
            if !seen.insert(b.barcode.as_str()) {
                let mut err = tree.error(
                    root,
                    XmlErrorKind::Schema,
                    format!("barcode {} occurs twice in one cheque", b.barcode),
                );
                err.path.push_str(&format!("/Bottle[{}]/@barcode", i + 1));
                return Err(err);
            }
        }
        Ok(cheque)
    }

    /// Σ of bottle prices and nopdf price × count.
    pub fn total(&self) -> Decimal {
        let bottles: Decimal = self.bottles.iter().map(|b| b.price.value()).sum();
        let beer: Decimal = self
            .nopdf
            .iter()
            .map(|n| n.price.value() * Decimal::from(n.count))
            .sum();
        bottles + beer
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeV3 {
    #[serde(rename = "ck:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "ck:Header", skip_serializing_if = "Option::is_none")]
    pub header: Option<ChequeV3Header>,
    /// Cashless retail sale by invoice (instead of `header`).
    #[serde(rename = "ck:HeaderTTN", skip_serializing_if = "Option::is_none")]
    pub header_ttn: Option<ChequeV3HeaderTtn>,
    #[serde(rename = "ck:Content")]
    pub content: ChequeV3Content,
}

egais_document!(ChequeV3, "ChequeV3", [ClientRefV2, ProductRefV2, ChequeV3]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChequeKind {
    #[serde(rename = "Продажа")]
    Sale,
    #[serde(rename = "Возврат")]
    Return,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeV3Header {
    #[serde(rename = "ck:Date")]
    pub date: DateTime,
    #[serde(rename = "ck:Kassa")]
    pub kassa: String,
    #[serde(rename = "ck:Shift")]
    pub shift: u32,
    #[serde(rename = "ck:Number")]
    pub number: u32,
    #[serde(rename = "ck:Type")]
    pub kind: ChequeKind,
    #[serde(rename = "ck:ConfirmOrder", skip_serializing_if = "Option::is_none")]
    pub confirm_order: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeV3HeaderTtn {
    #[serde(rename = "ck:Date")]
    pub date: Date,
    #[serde(rename = "ck:BillNumber")]
    pub bill_number: String,
    #[serde(rename = "ck:TTNNumber")]
    pub ttn_number: String,
    #[serde(rename = "ck:Type")]
    pub kind: ChequeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChequeV3Content {
    #[serde(rename = "ck:Bottle", default, skip_serializing_if = "Vec::is_empty")]
    pub bottles: Vec<ChequeV3Bottle>,
    #[serde(rename = "ck:Nomark", default, skip_serializing_if = "Vec::is_empty")]
    pub nomark: Vec<ChequeV3Nomark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeV3Bottle {
    #[serde(rename = "ck:Barcode")]
    pub barcode: Barmix,
    #[serde(rename = "ck:EAN")]
    pub ean: String,
    #[serde(rename = "ck:Price")]
    pub price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeV3Nomark {
    #[serde(rename = "ck:PosIdentity")]
    pub pos_identity: String,
    #[serde(rename = "ck:Product")]
    pub product: ProductInfo,
    #[serde(rename = "ck:Quantity")]
    pub quantity: Decimal,
    #[serde(rename = "ck:EAN")]
    pub ean: String,
    #[serde(rename = "ck:Price")]
    pub price: Decimal,
}

impl ChequeV3 {
    pub fn total(&self) -> Decimal {
        let bottles: Decimal = self.content.bottles.iter().map(|b| b.price).sum();
        let nomark: Decimal = self
            .content
            .nomark
            .iter()
            .map(|n| n.price * n.quantity)
            .sum();
        (bottles + nomark).round_dp(2)
    }
}
