//! After an acceptance, each new product needs the barcode from its label before the till
//! can sell it. The cashier scans it, types it (checksum checked) or skips it; skipped ones
//! can be bound later from the archived invoice.

use super::ean::{EanError, validate_ean13};
use super::invoice::Invoice;
use super::product::ProductCard;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingStatus {
    Pending,
    Bound(String),
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingItem {
    pub alc_code: String,
    pub name: String,
    /// The product came with excise stamps: selling it needs a stamp scan.
    pub stamped: bool,
    pub status: BindingStatus,
}

/// Why a barcode could not be bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    #[error("{0}")]
    Ean(#[from] EanError),
    #[error("Штрихкод {ean} уже привязан к товару «{other}». Один штрихкод — один код ЕГАИС")]
    UsedByOther { ean: String, other: String },
    #[error("Все товары уже обработаны")]
    Finished,
}

impl BindingError {
    pub fn message_ru(&self) -> String {
        self.to_string()
    }
}

/// The queue of products asking for a barcode, in invoice order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EanBindingPlan {
    items: Vec<BindingItem>,
    cursor: usize,
}

impl EanBindingPlan {
    /// Products of the accepted lines that have no barcode yet. `card` looks up the
    /// shop's current card by AlcCode.
    pub fn for_invoice(invoice: &Invoice, card: impl Fn(&str) -> Option<ProductCard>) -> Self {
        let accepted: Option<Vec<&str>> = invoice
            .accepted
            .as_ref()
            .map(|lines| lines.iter().map(|l| l.alc_code.as_str()).collect());
        let mut items: Vec<BindingItem> = Vec::new();
        for p in invoice.positions() {
            let code = p.product.alc_code.as_str();
            if accepted.as_ref().is_some_and(|a| !a.contains(&code)) {
                continue;
            }
            if let Some(existing) = items.iter_mut().find(|i| i.alc_code == code) {
                existing.stamped |= p.has_marks();
                continue;
            }
            if card(code).is_some_and(|c| c.is_sellable()) {
                continue;
            }
            items.push(BindingItem {
                alc_code: code.to_string(),
                name: p.product.display_name().to_string(),
                stamped: p.has_marks(),
                status: BindingStatus::Pending,
            });
        }
        EanBindingPlan { items, cursor: 0 }
    }

    pub fn items(&self) -> &[BindingItem] {
        &self.items
    }

    pub fn current(&self) -> Option<&BindingItem> {
        self.items.get(self.cursor)
    }

    pub fn is_done(&self) -> bool {
        self.cursor >= self.items.len()
    }

    /// Binds a scanned or typed code to the current product. `owner` names the product
    /// that already has this barcode in the shop's catalogue, if any.
    pub fn bind_current(
        &mut self,
        input: &str,
        owner: impl Fn(&str) -> Option<ProductCard>,
    ) -> Result<String, BindingError> {
        let item = self.items.get(self.cursor).ok_or(BindingError::Finished)?;
        let ean = validate_ean13(input)?;
        if let Some(other) = owner(&ean).filter(|c| c.alc_code != item.alc_code) {
            return Err(BindingError::UsedByOther {
                ean,
                other: other.display_name().to_string(),
            });
        }
        if let Some(other) = self
            .items
            .iter()
            .find(|i| i.alc_code != item.alc_code && i.status == BindingStatus::Bound(ean.clone()))
        {
            return Err(BindingError::UsedByOther {
                ean,
                other: other.name.clone(),
            });
        }
        self.items[self.cursor].status = BindingStatus::Bound(ean.clone());
        self.cursor += 1;
        Ok(ean)
    }

    pub fn skip_current(&mut self) -> Result<(), BindingError> {
        let item = self
            .items
            .get_mut(self.cursor)
            .ok_or(BindingError::Finished)?;
        item.status = BindingStatus::Skipped;
        self.cursor += 1;
        Ok(())
    }

    pub fn bound(&self) -> impl Iterator<Item = (&BindingItem, &str)> {
        self.items.iter().filter_map(|i| match &i.status {
            BindingStatus::Bound(e) => Some((i, e.as_str())),
            _ => None,
        })
    }
}

/// Binds a barcode to a card: the product becomes sellable, alcohol, and needs a stamp
/// scan at the till when it arrived with stamps.
pub fn bind_to_card(card: &mut ProductCard, ean: &str, stamped: bool) {
    card.bind_ean(ean);
    card.is_alcohol = true;
    card.needs_stamp = card.needs_stamp || stamped;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::*;

    #[test]
    fn scan_type_or_skip_each_product() {
        let inv = ready_invoice();
        let mut plan = EanBindingPlan::for_invoice(&inv, |_| None);
        assert_eq!(plan.items().len(), 3);
        assert!(matches!(
            plan.bind_current("4601234567890", |_| None),
            Err(BindingError::Ean(EanError::BadChecksum(_)))
        ));
        assert_eq!(plan.current().unwrap().status, BindingStatus::Pending);
        assert_eq!(
            plan.bind_current(" 4601234567893 ", |_| None).unwrap(),
            "4601234567893"
        );
        // The same code for a different product is refused.
        let err = plan.bind_current("4601234567893", |_| None).unwrap_err();
        assert!(err.message_ru().contains("уже привязан"), "{err}");
        plan.skip_current().unwrap();
        plan.bind_current("4602486000732", |_| None).unwrap();
        assert!(plan.is_done());
        assert_eq!(plan.skip_current(), Err(BindingError::Finished));
        let bound: Vec<_> = plan
            .bound()
            .map(|(i, e)| (i.stamped, e.to_string()))
            .collect();
        assert_eq!(
            bound,
            vec![
                (true, "4601234567893".to_string()),
                (false, "4602486000732".to_string())
            ]
        );
    }

    #[test]
    fn binding_makes_a_card_sellable() {
        let inv = ready_invoice();
        let mut cards = inv.product_cards(|_| None);
        assert!(!cards[0].is_sellable());
        bind_to_card(&mut cards[0], "4601234567893", true);
        assert!(cards[0].is_sellable());
        assert!(cards[0].needs_stamp && cards[0].is_alcohol);
        let plan = EanBindingPlan::for_invoice(&inv, |code| {
            cards.iter().find(|c| c.alc_code == code).cloned()
        });
        assert_eq!(
            plan.items().len(),
            2,
            "the sellable product is not asked again"
        );
    }
}
