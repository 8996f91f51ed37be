//! The product card: what the shop sells, as EGAIS knows it (AlcCode) and as the till
//! knows it (EAN-13 codes, price).

use serde::{Deserialize, Serialize};

use super::money::Money;
use super::volume::{AlcoholPercent, Volume};

/// A product as the shop keeps it. Cards are created or updated from accepted invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    /// EGAIS product code (AlcCode), 19 digits; the key of the card.
    pub alc_code: String,
    pub full_name: String,
    pub short_name: Option<String>,
    /// EAN-13 (or EAN-8) codes bound to this product by scan or typing at acceptance.
    pub eans: Vec<String>,
    /// Consumer container in litres; `None` for goods sold unpacked (by volume).
    pub capacity: Option<Volume>,
    pub alc_percent: Option<AlcoholPercent>,
    /// Product type code of the alcohol declaration (ProductVCode): 200 vodka, 500 beer…
    pub type_code: String,
    /// Producer or importer as EGAIS names it (echoed in write-off acts).
    pub producer: Option<Producer>,
    pub is_alcohol: bool,
    pub needs_stamp: bool,
    pub price: Option<Money>,
}

/// The producer's identity as EGAIS documents carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    pub client_reg_id: String,
    pub full_name: String,
    pub short_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
}

impl ProductCard {
    /// A product can be sold at the till only once a barcode is bound to it.
    pub fn is_sellable(&self) -> bool {
        !self.eans.is_empty()
    }

    /// Beer, cider, poiret and mead (type codes 5xx and 26x) are sold without per-bottle
    /// stamps and are written off by the shift act instead.
    pub fn is_beer_like(&self) -> bool {
        self.type_code.starts_with('5') || matches!(self.type_code.as_str(), "261" | "262" | "263")
    }

    /// Binds a barcode; binding the same code twice is a no-op. Returns whether it was new.
    pub fn bind_ean(&mut self, ean: &str) -> bool {
        if self.eans.iter().any(|e| e == ean) {
            return false;
        }
        self.eans.push(ean.to_string());
        true
    }

    pub fn display_name(&self) -> &str {
        super::short_or_full(self.short_name.as_deref(), &self.full_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(type_code: &str) -> ProductCard {
        ProductCard {
            alc_code: "0150320000003529380".into(),
            full_name: "Водка \"Пример\" 0,5".into(),
            short_name: None,
            eans: vec![],
            capacity: Some(Volume::parse("0.5").unwrap()),
            alc_percent: Some(AlcoholPercent::parse("40").unwrap()),
            type_code: type_code.into(),
            producer: None,
            is_alcohol: true,
            needs_stamp: true,
            price: None,
        }
    }

    #[test]
    fn binding_makes_sellable_once() {
        let mut c = card("200");
        assert!(!c.is_sellable());
        assert!(c.bind_ean("4601234567893"));
        assert!(!c.bind_ean("4601234567893"));
        assert!(c.is_sellable());
        assert_eq!(c.eans.len(), 1);
    }

    #[test]
    fn beer_is_recognised_by_type_code() {
        assert!(card("500").is_beer_like());
        assert!(card("261").is_beer_like());
        assert!(!card("200").is_beer_like());
    }
}
