//! The document register every workflow uses: one row per document the shop received or
//! sent (invoice, act, cheque, query), with its state and history.
//!
//! State changes go through [`apply_event`], which asks [`DocState::apply`] (the one place
//! transitions are decided) and appends to the history in the same transaction. A second
//! table indexes documents by list (New / Under review / Archive), so the short working
//! lists are read without scanning years of archive.

use jiff::Timestamp;
use jiff::civil::Date;
use redb::{ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::{StoreError, decode, encode};
use crate::domain::document::{DocList, HistoryEntry};
use crate::domain::{DocEvent, DocState, TransitionError};

/// Document id → postcard [`DocRecord`].
pub const DOCUMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("documents_v1");
/// (list, document id) → nothing: the membership of each list.
pub const BY_LIST: TableDefinition<(u8, &str), ()> = TableDefinition::new("documents_by_list_v1");

/// What a document is. Stored by variant index: add new kinds at the end only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocKind {
    /// A supplier's invoice (ТТН, WayBill_v4) received from EGAIS.
    IncomingWayBill,
    /// The shop's answer to an invoice (акт подтверждения/расхождения/отказа).
    WayBillAct,
    Cheque,
    /// Transfer from stock register 1 to register 2 (the shop floor).
    TransferToShop,
    ActWriteOffShop,
    ActChargeOnShop,
    QueryRests,
    QueryRestsShop,
    /// Query for invoices not yet answered (QueryNATTN).
    QueryNattn,
    QueryResendDoc,
    /// Request to cancel a confirmed invoice.
    RequestRepealWb,
}

impl DocKind {
    pub const ALL: [DocKind; 11] = [
        DocKind::IncomingWayBill,
        DocKind::WayBillAct,
        DocKind::Cheque,
        DocKind::TransferToShop,
        DocKind::ActWriteOffShop,
        DocKind::ActChargeOnShop,
        DocKind::QueryRests,
        DocKind::QueryRestsShop,
        DocKind::QueryNattn,
        DocKind::QueryResendDoc,
        DocKind::RequestRepealWb,
    ];

    pub fn label_ru(self) -> &'static str {
        match self {
            DocKind::IncomingWayBill => "Входящая ТТН",
            DocKind::WayBillAct => "Акт по ТТН",
            DocKind::Cheque => "Чек",
            DocKind::TransferToShop => "Перемещение в торговый зал",
            DocKind::ActWriteOffShop => "Акт списания (зал)",
            DocKind::ActChargeOnShop => "Акт постановки на баланс (зал)",
            DocKind::QueryRests => "Запрос остатков (склад)",
            DocKind::QueryRestsShop => "Запрос остатков (зал)",
            DocKind::QueryNattn => "Запрос неподтверждённых ТТН",
            DocKind::QueryResendDoc => "Запрос повторной отправки",
            DocKind::RequestRepealWb => "Запрос отмены проведения ТТН",
        }
    }
}

/// One document in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRecord {
    /// Unique key: the EGAIS identity where there is one (WBRegId, the UTM reply id),
    /// otherwise our own (a UUID for drafts).
    pub id: String,
    pub kind: DocKind,
    /// The number printed on the document.
    pub number: String,
    pub date: Date,
    pub counterparty: String,
    /// One line for the list: positions, total, what it is about.
    pub summary: String,
    pub state: DocState,
    pub history: Vec<HistoryEntry>,
    pub created_at: Timestamp,
}

impl DocRecord {
    /// A new document in state New, with that as the first history line.
    pub fn new(
        id: impl Into<String>,
        kind: DocKind,
        number: impl Into<String>,
        date: Date,
        counterparty: impl Into<String>,
        summary: impl Into<String>,
        at: Timestamp,
    ) -> DocRecord {
        DocRecord {
            id: id.into(),
            kind,
            number: number.into(),
            date,
            counterparty: counterparty.into(),
            summary: summary.into(),
            state: DocState::New,
            history: vec![HistoryEntry {
                at,
                state: DocState::New,
                note: None,
            }],
            created_at: at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no document {id}")]
    NotFound { id: String },
    #[error("document {id} is already registered")]
    Duplicate { id: String },
    #[error("document {id}: {source}")]
    Transition {
        id: String,
        #[source]
        source: TransitionError,
    },
    #[error(
        "document {id} is not in the archive ({state}); only archived documents can be deleted"
    )]
    NotArchived { id: String, state: &'static str },
}

impl DocStoreError {
    pub fn message_ru(&self) -> String {
        match self {
            DocStoreError::Store(e) => e.message_ru(),
            DocStoreError::NotFound { id } => format!("Документ {id} не найден."),
            DocStoreError::Duplicate { id } => format!("Документ {id} уже есть в журнале."),
            DocStoreError::Transition { source, .. } => source.message.clone(),
            DocStoreError::NotArchived { state, .. } => {
                format!("Удалить можно только документ из архива; этот документ — «{state}».")
            }
        }
    }
}

pub fn list_code(list: DocList) -> u8 {
    match list {
        DocList::New => 0,
        DocList::UnderReview => 1,
        DocList::Archive => 2,
    }
}

pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(DOCUMENTS)?;
    tx.open_table(BY_LIST)?;
    Ok(())
}

fn read_in_write(tx: &WriteTransaction, id: &str) -> Result<Option<DocRecord>, StoreError> {
    let table = tx.open_table(DOCUMENTS)?;
    let row = table.get(id)?;
    row.map(|v| decode(DOCUMENTS.name(), v.value())).transpose()
}

fn put(
    tx: &WriteTransaction,
    rec: &DocRecord,
    old_list: Option<DocList>,
) -> Result<(), StoreError> {
    tx.open_table(DOCUMENTS)?
        .insert(rec.id.as_str(), encode(rec)?.as_slice())?;
    let mut by_list = tx.open_table(BY_LIST)?;
    if let Some(old) = old_list {
        by_list.remove((list_code(old), rec.id.as_str()))?;
    }
    by_list.insert((list_code(rec.state.list()), rec.id.as_str()), ())?;
    Ok(())
}

/// Registers a document. An id that is already there is refused (a document received twice
/// from the UTM is one document).
pub fn insert(tx: &WriteTransaction, rec: &DocRecord) -> Result<(), DocStoreError> {
    if read_in_write(tx, &rec.id)?.is_some() {
        return Err(DocStoreError::Duplicate { id: rec.id.clone() });
    }
    put(tx, rec, None)?;
    Ok(())
}

pub fn get(rtx: &ReadTransaction, id: &str) -> Result<Option<DocRecord>, StoreError> {
    let table = rtx.open_table(DOCUMENTS)?;
    let row = table.get(id)?;
    row.map(|v| decode(DOCUMENTS.name(), v.value())).transpose()
}

/// Moves a document to its next state and records it in the history. An illegal transition
/// is refused with the cashier's message from [`DocState::apply`], and nothing changes.
pub fn apply_event(
    tx: &WriteTransaction,
    id: &str,
    event: &DocEvent,
    at: Timestamp,
    note: Option<&str>,
) -> Result<DocState, DocStoreError> {
    let mut rec =
        read_in_write(tx, id)?.ok_or_else(|| DocStoreError::NotFound { id: id.into() })?;
    let next = rec
        .state
        .apply(event)
        .map_err(|source| DocStoreError::Transition {
            id: id.into(),
            source,
        })?;
    let old_list = rec.state.list();
    rec.state = next.clone();
    rec.history.push(HistoryEntry {
        at,
        state: next.clone(),
        note: note.map(str::to_string),
    });
    put(tx, &rec, Some(old_list))?;
    Ok(next)
}

/// The documents of one list (optionally of one kind), newest document date first.
pub fn list(
    rtx: &ReadTransaction,
    which: DocList,
    kind: Option<DocKind>,
) -> Result<Vec<DocRecord>, StoreError> {
    let code = list_code(which);
    let by_list = rtx.open_table(BY_LIST)?;
    let docs = rtx.open_table(DOCUMENTS)?;
    let mut out = Vec::new();
    for row in by_list.range((code, "")..(code + 1, ""))? {
        let (key, _) = row?;
        let (_, id) = key.value();
        let Some(v) = docs.get(id)? else {
            return Err(StoreError::Decode {
                table: BY_LIST.name().to_string(),
                detail: format!("index names a missing document {id}"),
            });
        };
        let rec: DocRecord = decode(DOCUMENTS.name(), v.value())?;
        if kind.is_none_or(|k| k == rec.kind) {
            out.push(rec);
        }
    }
    out.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// Deletes a document from the register; only archived documents can go.
pub fn delete_archived(tx: &WriteTransaction, id: &str) -> Result<DocRecord, DocStoreError> {
    let rec = read_in_write(tx, id)?.ok_or_else(|| DocStoreError::NotFound { id: id.into() })?;
    if rec.state.list() != DocList::Archive {
        return Err(DocStoreError::NotArchived {
            id: id.into(),
            state: rec.state.label_ru(),
        });
    }
    tx.open_table(DOCUMENTS)
        .map_err(StoreError::from)?
        .remove(id)
        .map_err(StoreError::from)?;
    tx.open_table(BY_LIST)
        .map_err(StoreError::from)?
        .remove((list_code(DocList::Archive), id))
        .map_err(StoreError::from)?;
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn waybill(id: &str, date: &str) -> DocRecord {
        DocRecord::new(
            id,
            DocKind::IncomingWayBill,
            format!("ТТН-{id}"),
            date.parse().unwrap(),
            "ООО «Поставщик»",
            "3 позиции, 12 450,00 ₽",
            ts("2026-11-26T08:00:00Z"),
        )
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    #[test]
    fn a_document_travels_through_the_lists_with_history() {
        let (_dir, store) = open();
        store
            .write(|tx| insert(tx, &waybill("WB-1", "2026-11-25")))
            .unwrap();
        let lists =
            |store: &Store| DocList::ALL.map(|l| store.read(|r| list(r, l, None)).unwrap().len());
        assert_eq!(lists(&store), [1, 0, 0]);
        let s = store
            .write(|tx| {
                apply_event(
                    tx,
                    "WB-1",
                    &DocEvent::Sent,
                    ts("2026-11-26T09:00:00Z"),
                    Some("акт отправлен"),
                )
            })
            .unwrap();
        assert_eq!(s, DocState::UnderReview);
        assert_eq!(lists(&store), [0, 1, 0]);
        let reason = "расхождение в количестве".to_string();
        store
            .write(|tx| {
                apply_event(
                    tx,
                    "WB-1",
                    &DocEvent::Refused {
                        reason: reason.clone(),
                    },
                    ts("2026-11-26T10:00:00Z"),
                    None,
                )
            })
            .unwrap();
        assert_eq!(lists(&store), [0, 1, 0], "rejected stays in Under review");
        store
            .write(|tx| {
                apply_event(
                    tx,
                    "WB-1",
                    &DocEvent::Closed,
                    ts("2026-11-26T11:00:00Z"),
                    None,
                )
            })
            .unwrap();
        assert_eq!(lists(&store), [0, 0, 1]);
        let rec = store.read(|r| get(r, "WB-1")).unwrap().unwrap();
        let states: Vec<_> = rec.history.iter().map(|h| h.state.clone()).collect();
        assert_eq!(
            states,
            vec![
                DocState::New,
                DocState::UnderReview,
                DocState::Rejected { reason },
                DocState::Archive
            ]
        );
        assert_eq!(rec.history[1].note.as_deref(), Some("акт отправлен"));
    }

    #[test]
    fn illegal_transitions_are_refused_and_change_nothing() {
        let (_dir, store) = open();
        store
            .write(|tx| insert(tx, &waybill("WB-1", "2026-11-25")))
            .unwrap();
        let before = store.read(|r| get(r, "WB-1")).unwrap();
        for event in [
            DocEvent::Confirmed,
            DocEvent::Closed,
            DocEvent::Refused { reason: "x".into() },
        ] {
            let err = store
                .write(|tx| apply_event(tx, "WB-1", &event, ts("2026-11-26T09:00:00Z"), None))
                .unwrap_err();
            assert!(matches!(err, DocStoreError::Transition { .. }), "{err:?}");
            assert!(
                err.message_ru().starts_with("Нельзя"),
                "{}",
                err.message_ru()
            );
        }
        assert_eq!(store.read(|r| get(r, "WB-1")).unwrap(), before);
        let err = store
            .write(|tx| {
                apply_event(
                    tx,
                    "nope",
                    &DocEvent::Sent,
                    ts("2026-11-26T09:00:00Z"),
                    None,
                )
            })
            .unwrap_err();
        assert!(matches!(err, DocStoreError::NotFound { .. }));
    }

    #[test]
    fn duplicates_are_refused() {
        let (_dir, store) = open();
        store
            .write(|tx| insert(tx, &waybill("WB-1", "2026-11-25")))
            .unwrap();
        let err = store
            .write(|tx| insert(tx, &waybill("WB-1", "2026-11-25")))
            .unwrap_err();
        assert!(matches!(err, DocStoreError::Duplicate { .. }));
    }

    #[test]
    fn lists_filter_by_kind_and_sort_newest_first() {
        let (_dir, store) = open();
        let mut cheque = waybill("CH-1", "2026-11-26");
        cheque.kind = DocKind::Cheque;
        store
            .write(|tx| {
                insert(tx, &waybill("WB-1", "2026-11-20"))?;
                insert(tx, &waybill("WB-2", "2026-11-24"))?;
                insert(tx, &cheque)
            })
            .unwrap();
        let ids = |kind| -> Vec<String> {
            store
                .read(|r| list(r, DocList::New, kind))
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect()
        };
        assert_eq!(ids(None), ["CH-1", "WB-2", "WB-1"]);
        assert_eq!(ids(Some(DocKind::IncomingWayBill)), ["WB-2", "WB-1"]);
        assert_eq!(ids(Some(DocKind::QueryRests)), Vec::<String>::new());
    }

    #[test]
    fn only_archived_documents_can_be_deleted() {
        let (_dir, store) = open();
        store
            .write(|tx| insert(tx, &waybill("WB-1", "2026-11-25")))
            .unwrap();
        let err = store.write(|tx| delete_archived(tx, "WB-1")).unwrap_err();
        assert!(matches!(err, DocStoreError::NotArchived { .. }));
        store
            .write(|tx| {
                apply_event(
                    tx,
                    "WB-1",
                    &DocEvent::Sent,
                    ts("2026-11-26T09:00:00Z"),
                    None,
                )?;
                apply_event(
                    tx,
                    "WB-1",
                    &DocEvent::Confirmed,
                    ts("2026-11-26T09:10:00Z"),
                    None,
                )
            })
            .unwrap();
        let removed = store.write(|tx| delete_archived(tx, "WB-1")).unwrap();
        assert_eq!(removed.state, DocState::Archive);
        assert_eq!(store.read(|r| get(r, "WB-1")).unwrap(), None);
        assert!(
            store
                .read(|r| list(r, DocList::Archive, None))
                .unwrap()
                .is_empty()
        );
    }
}
