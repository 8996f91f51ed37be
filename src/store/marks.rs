//! The local stamp register: every excise stamp the shop accepted, with its product
//! (AlcCode), справка Б and invoice. Filled when an acceptance is confirmed; the till checks
//! a scanned stamp here before anything goes to the UTM, so "продукция не поступала в
//! магазин", a stamp of another product and a stamp already sold are caught locally with a
//! clear reason (user pains D1–D3).

use jiff::Timestamp;
use redb::{
    ReadTransaction, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle,
    WriteTransaction,
};
use serde::{Deserialize, Serialize};

use super::{StoreError, decode, encode};
use crate::domain::acceptance::short_mark;
use crate::domain::invoice::Invoice;

/// Stamp code → [`StampRecord`].
pub const STAMPS: TableDefinition<&str, &[u8]> = TableDefinition::new("stamps_v1");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StampStatus {
    /// Accepted and not sold or written off.
    InStock,
    Sold {
        at: Timestamp,
    },
    WrittenOff {
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampRecord {
    pub alc_code: String,
    pub f2_reg_id: String,
    /// Storage key of the invoice it came with.
    pub invoice: String,
    pub wb_reg_id: Option<String>,
    pub accepted_at: Timestamp,
    pub status: StampStatus,
}

/// Why a scanned stamp may not be sold. Russian, for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampCheckError {
    #[error(
        "Марка {0} не поступала в магазин: накладная с ней не принята. Примите накладную или проверьте бутылку"
    )]
    NotReceived(String),
    #[error("Марка {mark} принадлежит другому товару (код ЕГАИС {actual}), а не {expected}")]
    OtherProduct {
        mark: String,
        actual: String,
        expected: String,
    },
    #[error("Марка {0} уже продана")]
    AlreadySold(String),
    #[error("Марка {0} списана")]
    WrittenOff(String),
    #[error("{0}")]
    Store(String),
}

impl From<StoreError> for StampCheckError {
    fn from(e: StoreError) -> Self {
        StampCheckError::Store(e.message_ru())
    }
}

/// Puts the accepted stamps of a confirmed invoice into the register. A stamp already
/// there (the same invoice confirmed twice) is left as it is.
pub fn register_accepted(
    tx: &WriteTransaction,
    inv: &Invoice,
    at: Timestamp,
) -> Result<usize, StoreError> {
    let Some(lines) = inv.accepted.as_ref() else {
        return Ok(0);
    };
    let key = inv.key.storage_key();
    let mut table = tx.open_table(STAMPS)?;
    let mut added = 0;
    for line in lines {
        for mark in &line.marks {
            if table.get(mark.as_str())?.is_some() {
                continue;
            }
            let rec = StampRecord {
                alc_code: line.alc_code.clone(),
                f2_reg_id: line.f2_reg_id.clone(),
                invoice: key.clone(),
                wb_reg_id: inv.wb_reg_id().map(str::to_string),
                accepted_at: at,
                status: StampStatus::InStock,
            };
            table.insert(mark.as_str(), encode(&rec)?.as_slice())?;
            added += 1;
        }
    }
    Ok(added)
}

pub fn lookup(tx: &ReadTransaction, mark: &str) -> Result<Option<StampRecord>, StoreError> {
    let table = match tx.open_table(STAMPS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let row = table.get(mark.trim())?;
    row.map(|v| decode(STAMPS.name(), v.value())).transpose()
}

pub fn count(tx: &ReadTransaction) -> Result<u64, StoreError> {
    match tx.open_table(STAMPS) {
        Ok(t) => Ok(t.len()?),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Checks a scanned stamp before a sale. `expected_alc_code` is the product on the line,
/// when the till already knows it.
pub fn check_for_sale(
    tx: &ReadTransaction,
    mark: &str,
    expected_alc_code: Option<&str>,
) -> Result<StampRecord, StampCheckError> {
    let shown = short_mark(mark.trim());
    let rec = lookup(tx, mark)?.ok_or_else(|| StampCheckError::NotReceived(shown.clone()))?;
    match rec.status {
        StampStatus::InStock => {}
        StampStatus::Sold { .. } => return Err(StampCheckError::AlreadySold(shown)),
        StampStatus::WrittenOff { .. } => return Err(StampCheckError::WrittenOff(shown)),
    }
    if let Some(expected) = expected_alc_code
        && expected != rec.alc_code
    {
        return Err(StampCheckError::OtherProduct {
            mark: shown,
            actual: rec.alc_code,
            expected: expected.to_string(),
        });
    }
    Ok(rec)
}

/// Changes a stamp's status (sale, return, write-off). Returns false for an unknown stamp.
pub fn set_status(
    tx: &WriteTransaction,
    mark: &str,
    status: StampStatus,
) -> Result<bool, StoreError> {
    let mut table = tx.open_table(STAMPS)?;
    let current: Option<StampRecord> = {
        let row = table.get(mark.trim())?;
        row.map(|v| decode(STAMPS.name(), v.value())).transpose()?
    };
    let Some(mut rec) = current else {
        return Ok(false);
    };
    rec.status = status;
    table.insert(mark.trim(), encode(&rec)?.as_slice())?;
    Ok(true)
}

pub fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(STAMPS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::acceptance::{ActMeta, Decision, Verdict};
    use crate::domain::invoice::fixtures::*;
    use crate::store::Store;

    #[test]
    fn sale_checks_name_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut inv = ready_invoice();
        let meta = ActMeta {
            identity: "a".into(),
            number: "1".into(),
            date: inv.received_on,
        };
        let act = inv.prepare_act(Decision::AcceptAll, &meta).unwrap();
        inv.record_sent(act, ts(1)).unwrap();
        inv.apply_act_ticket(
            &Verdict {
                accepted: true,
                comment: String::new(),
            },
            ts(2),
        );
        let added = store
            .write(|tx| register_accepted(tx, &inv, ts(2)))
            .unwrap();
        assert_eq!(added, 17);
        assert_eq!(
            store
                .write(|tx| register_accepted(tx, &inv, ts(3)))
                .unwrap(),
            0
        );

        let alc0 = inv.positions()[0].product.alc_code.clone();
        let alc1 = inv.positions()[1].product.alc_code.clone();
        let ok = store
            .read(|tx| check_for_sale(tx, &mark(0, 0), Some(&alc0)))
            .unwrap();
        assert_eq!(ok.alc_code, alc0);
        let other = store
            .read(|tx| check_for_sale(tx, &mark(0, 0), Some(&alc1)))
            .unwrap_err();
        assert!(matches!(other, StampCheckError::OtherProduct { .. }));
        let foreign = store
            .read(|tx| check_for_sale(tx, &mark(5, 0), None))
            .unwrap_err();
        assert!(foreign.to_string().contains("не поступала в магазин"));
        assert!(
            store
                .write(|tx| set_status(tx, &mark(0, 0), StampStatus::Sold { at: ts(4) }))
                .unwrap()
        );
        let sold = store
            .read(|tx| check_for_sale(tx, &mark(0, 0), None))
            .unwrap_err();
        assert!(matches!(sold, StampCheckError::AlreadySold(_)));
    }
}
