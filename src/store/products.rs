//! Product cards by AlcCode, and the barcode index the till uses to turn a scanned EAN into
//! a card without reading every card.
//!
//! One barcode belongs to one AlcCode. Similar beers with the same name and volume but
//! different AlcCodes are a known source of rejected write-offs (user-pains B5), so binding a
//! barcode that already belongs to another product is refused with [`ProductError::EanTaken`],
//! which the UI shows; the user must unbind it there first ([`unbind_ean`]).

use redb::{ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction};

use super::{StoreError, decode, encode, read_all};
use crate::domain::ProductCard;

/// AlcCode → postcard [`ProductCard`].
pub const PRODUCTS: TableDefinition<&str, &[u8]> = TableDefinition::new("products_v2");
/// EAN → AlcCode.
pub const EAN_INDEX: TableDefinition<&str, &str> = TableDefinition::new("ean_index_v1");

#[derive(Debug, thiserror::Error)]
pub enum ProductError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no product card with AlcCode {alc_code}")]
    NotFound { alc_code: String },
    #[error("barcode {ean} already belongs to AlcCode {bound_to} ({name}), not {wanted}")]
    EanTaken {
        ean: String,
        bound_to: String,
        name: String,
        wanted: String,
    },
    #[error("{ean:?} is not a barcode: expected 8 to 14 digits")]
    InvalidEan { ean: String },
    #[error("{alc_code:?} is not an AlcCode: expected 19 digits")]
    InvalidAlcCode { alc_code: String },
}

impl ProductError {
    pub fn message_ru(&self) -> String {
        match self {
            ProductError::Store(e) => e.message_ru(),
            ProductError::NotFound { alc_code } => {
                format!("Нет карточки товара с кодом ЕГАИС {alc_code}.")
            }
            ProductError::EanTaken {
                ean,
                bound_to,
                name,
                ..
            } => format!(
                "Штрихкод {ean} уже привязан к другому товару: «{name}» (код ЕГАИС {bound_to}). \
                 Похожие товары с разными кодами ЕГАИС приводят к отказам при списании. \
                 Если привязка ошибочна, сначала отвяжите штрихкод от того товара."
            ),
            ProductError::InvalidEan { ean } => {
                format!("«{ean}» — не штрихкод товара: нужно от 8 до 14 цифр.")
            }
            ProductError::InvalidAlcCode { alc_code } => {
                format!("«{alc_code}» — не код ЕГАИС (AlcCode): нужно 19 цифр.")
            }
        }
    }
}

pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PRODUCTS)?;
    tx.open_table(EAN_INDEX)?;
    Ok(())
}

fn check_alc_code(alc_code: &str) -> Result<(), ProductError> {
    if alc_code.len() == 19 && alc_code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ProductError::InvalidAlcCode {
            alc_code: alc_code.to_string(),
        })
    }
}

fn check_ean(ean: &str) -> Result<(), ProductError> {
    if (8..=14).contains(&ean.len()) && ean.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ProductError::InvalidEan {
            ean: ean.to_string(),
        })
    }
}

/// Writes the card row alone, without touching the index (the migration builds the index
/// itself).
pub(super) fn put_card(tx: &WriteTransaction, card: &ProductCard) -> Result<(), StoreError> {
    tx.open_table(PRODUCTS)?
        .insert(card.alc_code.as_str(), encode(card)?.as_slice())?;
    Ok(())
}

fn get_in_write(tx: &WriteTransaction, alc_code: &str) -> Result<Option<ProductCard>, StoreError> {
    let table = tx.open_table(PRODUCTS)?;
    let row = table.get(alc_code)?;
    row.map(|v| decode(PRODUCTS.name(), v.value())).transpose()
}

/// The product (name) a barcode is bound to, if it is bound to a product other than `alc_code`.
fn taken_by_other(
    tx: &WriteTransaction,
    ean: &str,
    alc_code: &str,
) -> Result<Option<ProductError>, StoreError> {
    let owner = {
        let index = tx.open_table(EAN_INDEX)?;
        let row = index.get(ean)?;
        row.map(|v| v.value().to_string())
    };
    match owner {
        Some(owner) if owner != alc_code => {
            let name = get_in_write(tx, &owner)?
                .map(|c| c.display_name().to_string())
                .unwrap_or_default();
            Ok(Some(ProductError::EanTaken {
                ean: ean.to_string(),
                bound_to: owner,
                name,
                wanted: alc_code.to_string(),
            }))
        }
        _ => Ok(None),
    }
}

/// Creates or replaces a card and brings the barcode index in line with its `eans`. Refused
/// as a whole (nothing written) if one of its barcodes belongs to another product.
pub fn upsert(tx: &WriteTransaction, card: &ProductCard) -> Result<(), ProductError> {
    check_alc_code(&card.alc_code)?;
    for ean in &card.eans {
        check_ean(ean)?;
        if let Some(conflict) = taken_by_other(tx, ean, &card.alc_code)? {
            return Err(conflict);
        }
    }
    let previous = get_in_write(tx, &card.alc_code)?;
    {
        let mut index = tx.open_table(EAN_INDEX).map_err(StoreError::from)?;
        for old in previous.iter().flat_map(|p| &p.eans) {
            if !card.eans.contains(old) {
                index.remove(old.as_str()).map_err(StoreError::from)?;
            }
        }
        for ean in &card.eans {
            index
                .insert(ean.as_str(), card.alc_code.as_str())
                .map_err(StoreError::from)?;
        }
    }
    put_card(tx, card)?;
    Ok(())
}

pub fn get(rtx: &ReadTransaction, alc_code: &str) -> Result<Option<ProductCard>, StoreError> {
    let table = rtx.open_table(PRODUCTS)?;
    let row = table.get(alc_code)?;
    row.map(|v| decode(PRODUCTS.name(), v.value())).transpose()
}

/// The card a scanned barcode belongs to.
pub fn by_ean(rtx: &ReadTransaction, ean: &str) -> Result<Option<ProductCard>, StoreError> {
    let alc_code = {
        let index = rtx.open_table(EAN_INDEX)?;
        let row = index.get(ean)?;
        row.map(|v| v.value().to_string())
    };
    match alc_code {
        Some(code) => get(rtx, &code),
        None => Ok(None),
    }
}

/// Every card, in AlcCode order.
pub fn all(rtx: &ReadTransaction) -> Result<Vec<ProductCard>, StoreError> {
    Ok(read_all(rtx, PRODUCTS)?
        .into_iter()
        .map(|(_, c)| c)
        .collect())
}

/// Binds a barcode to a card (at acceptance, by scanning the bottle). Returns whether the
/// binding is new; binding it again to the same card is a no-op.
pub fn bind_ean(tx: &WriteTransaction, alc_code: &str, ean: &str) -> Result<bool, ProductError> {
    check_ean(ean)?;
    let mut card = get_in_write(tx, alc_code)?.ok_or_else(|| ProductError::NotFound {
        alc_code: alc_code.to_string(),
    })?;
    if let Some(conflict) = taken_by_other(tx, ean, alc_code)? {
        return Err(conflict);
    }
    let new = card.bind_ean(ean);
    if new {
        tx.open_table(EAN_INDEX)
            .map_err(StoreError::from)?
            .insert(ean, alc_code)
            .map_err(StoreError::from)?;
        put_card(tx, &card)?;
    }
    Ok(new)
}

/// Removes a barcode from whichever card holds it. Returns the AlcCode it was bound to.
pub fn unbind_ean(tx: &WriteTransaction, ean: &str) -> Result<Option<String>, ProductError> {
    let owner = {
        let mut index = tx.open_table(EAN_INDEX).map_err(StoreError::from)?;
        let removed = index.remove(ean).map_err(StoreError::from)?;
        removed.map(|v| v.value().to_string())
    };
    if let Some(code) = &owner
        && let Some(mut card) = get_in_write(tx, code)?
    {
        card.eans.retain(|e| e != ean);
        put_card(tx, &card)?;
    }
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, Volume};
    use crate::store::Store;

    fn card(alc_code: &str, name: &str, eans: &[&str]) -> ProductCard {
        ProductCard {
            alc_code: alc_code.into(),
            full_name: name.into(),
            short_name: None,
            eans: eans.iter().map(|e| e.to_string()).collect(),
            capacity: Some(Volume::parse("0,5").unwrap()),
            alc_percent: None,
            type_code: "500".into(),
            producer: None,
            is_alcohol: true,
            needs_stamp: false,
            price: Some(Money::parse("99,90").unwrap()),
        }
    }

    const LAGER: &str = "0300000000000000001";
    const ALE: &str = "0300000000000000002";

    #[test]
    fn upsert_get_and_find_by_barcode() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write(|tx| upsert(tx, &card(LAGER, "Пиво светлое", &["4601234567893"])))
            .unwrap();
        let found = store.read(|r| by_ean(r, "4601234567893")).unwrap().unwrap();
        assert_eq!(found.alc_code, LAGER);
        assert_eq!(store.read(|r| get(r, LAGER)).unwrap(), Some(found));
        assert_eq!(store.read(|r| by_ean(r, "4600000000000")).unwrap(), None);
        assert_eq!(store.read(|r| get(r, ALE)).unwrap(), None);
    }

    #[test]
    fn a_barcode_of_another_product_is_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write(|tx| {
                upsert(tx, &card(LAGER, "Пиво светлое 0,5", &["4601234567893"]))?;
                upsert(tx, &card(ALE, "Пиво светлое 0,5", &[]))
            })
            .unwrap();
        let err = store
            .write(|tx| bind_ean(tx, ALE, "4601234567893"))
            .unwrap_err();
        match &err {
            ProductError::EanTaken { bound_to, name, .. } => {
                assert_eq!(bound_to, LAGER);
                assert_eq!(name, "Пиво светлое 0,5");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.message_ru().contains(LAGER));
        let err = store
            .write(|tx| upsert(tx, &card(ALE, "x", &["4601234567893"])))
            .unwrap_err();
        assert!(matches!(err, ProductError::EanTaken { .. }));
        let lager = store.read(|r| by_ean(r, "4601234567893")).unwrap().unwrap();
        assert_eq!(lager.alc_code, LAGER);
        assert!(
            store
                .read(|r| get(r, ALE))
                .unwrap()
                .unwrap()
                .eans
                .is_empty()
        );
    }

    #[test]
    fn binding_twice_is_a_no_op_and_unbind_frees_the_code() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write(|tx| {
                upsert(tx, &card(LAGER, "a", &[]))?;
                upsert(tx, &card(ALE, "b", &[]))
            })
            .unwrap();
        assert!(store.write(|tx| bind_ean(tx, LAGER, "46012345")).unwrap());
        assert!(!store.write(|tx| bind_ean(tx, LAGER, "46012345")).unwrap());
        assert_eq!(
            store.write(|tx| unbind_ean(tx, "46012345")).unwrap(),
            Some(LAGER.to_string())
        );
        assert!(store.write(|tx| bind_ean(tx, ALE, "46012345")).unwrap());
        assert!(
            store
                .read(|r| get(r, LAGER))
                .unwrap()
                .unwrap()
                .eans
                .is_empty()
        );
        assert_eq!(
            store
                .read(|r| by_ean(r, "46012345"))
                .unwrap()
                .unwrap()
                .alc_code,
            ALE
        );
    }

    #[test]
    fn upsert_drops_index_entries_of_removed_barcodes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write(|tx| upsert(tx, &card(LAGER, "a", &["4601234567893", "46012345"])))
            .unwrap();
        store
            .write(|tx| upsert(tx, &card(LAGER, "a", &["46012345"])))
            .unwrap();
        assert_eq!(store.read(|r| by_ean(r, "4601234567893")).unwrap(), None);
        assert_eq!(store.read(all).unwrap().len(), 1);
    }

    #[test]
    fn bad_codes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let err = store
            .write(|tx| upsert(tx, &card("123", "a", &[])))
            .unwrap_err();
        assert!(matches!(err, ProductError::InvalidAlcCode { .. }));
        let err = store
            .write(|tx| upsert(tx, &card(LAGER, "a", &["46O1234567893"])))
            .unwrap_err();
        assert!(matches!(err, ProductError::InvalidEan { .. }));
        let err = store.write(|tx| bind_ean(tx, ALE, "46012345")).unwrap_err();
        assert!(matches!(err, ProductError::NotFound { .. }));
    }
}
