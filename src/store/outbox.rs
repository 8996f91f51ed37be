//! The shop's outgoing queue. Business code writes an entry with [`enqueue`] in the SAME
//! write transaction as the business change that caused it, so a document is queued if
//! and only if the change is committed. The exchange engine sends entries strictly in
//! order and records what the UTM answered; entries are kept afterwards as history.
//!
//! States: `Pending` → (`InFlight`, written durably before the POST) → `Sent` or
//! `Refused`. An entry found `InFlight` at start-up becomes `Unconfirmed`: the engine
//! reconciles it with the UTM before it may be sent again (see `egais::exchange`).

use jiff::Timestamp;
use redb::{ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::{StoreError, decode, encode};
use crate::egais::status::OutboxStatus;

/// seq → [`OutboxEntry`]; seq order is send order.
pub const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox_v1");
/// Entry id → seq, so an id is queued once.
pub const OUTBOX_IDS: TableDefinition<&str, u64> = TableDefinition::new("outbox_ids_v1");
/// UTM transport id (`replyId`/`TransportId`) → seq, for matching tickets and replies.
pub const OUTBOX_REPLIES: TableDefinition<&str, u64> = TableDefinition::new("outbox_replies_v1");

/// What business code queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingDoc {
    /// Unique id chosen by the caller (e.g. a UUID); also a good `Identity` for the XML.
    pub id: String,
    /// `/opt/in/<doc_type>`; `Cheque` (attribute cheque, `POST /xml`) and `ChequeV3`
    /// are sent as cheques.
    pub doc_type: String,
    pub xml: Vec<u8>,
    /// Id of the record in the documents register this entry belongs to, if any.
    pub doc_ref: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxState {
    Pending,
    /// Marked (and committed) just before the POST.
    InFlight {
        since: Timestamp,
    },
    /// Was in flight when the process stopped: the UTM may or may not have it.
    Unconfirmed {
        since: Timestamp,
    },
    /// Accepted by the UTM. `reply_id` is the transport GUID (for cheques, the check URL);
    /// `None` when the acceptance was proven by reconciliation without learning it.
    Sent {
        reply_id: Option<String>,
        sign: Option<String>,
        at: Timestamp,
    },
    /// The UTM refused the document itself (e.g. schema error); it will not be retried.
    Refused {
        message: String,
        at: Timestamp,
    },
}

impl OutboxState {
    /// Whether the engine still has to do something with the entry.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            OutboxState::Pending | OutboxState::InFlight { .. } | OutboxState::Unconfirmed { .. }
        )
    }
}

/// A ticket or reply matched to this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    pub at: Timestamp,
    /// The archive entry holding the raw document.
    pub archive_seq: u64,
    /// Element name: `Ticket`, `ReplyRestsShop_v2`, …
    pub doc_type: String,
    /// For tickets: the verdict; `None` for replies.
    pub accepted: Option<bool>,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub doc: OutgoingDoc,
    pub state: OutboxState,
    /// POST attempts that failed to get an answer.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub tickets: Vec<TicketNote>,
}

/// Queues a document. Call it inside the business change's write transaction.
/// An id that is already queued is an error (the caller would otherwise send twice).
pub fn enqueue(tx: &WriteTransaction, doc: OutgoingDoc) -> Result<u64, StoreError> {
    let mut ids = tx.open_table(OUTBOX_IDS)?;
    if ids.get(doc.id.as_str())?.is_some() {
        return Err(StoreError::Db(format!(
            "outbox entry {} is already queued",
            doc.id
        )));
    }
    let mut table = tx.open_table(OUTBOX)?;
    let seq = table.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    ids.insert(doc.id.as_str(), seq)?;
    let entry = OutboxEntry {
        seq,
        doc,
        state: OutboxState::Pending,
        attempts: 0,
        last_error: None,
        tickets: Vec::new(),
    };
    table.insert(seq, encode(&entry)?.as_slice())?;
    Ok(seq)
}

/// Reads one entry inside a write transaction.
pub fn get(tx: &WriteTransaction, seq: u64) -> Result<Option<OutboxEntry>, StoreError> {
    let table = tx.open_table(OUTBOX)?;
    let row = table.get(seq)?;
    row.map(|v| decode(OUTBOX.name(), v.value())).transpose()
}

/// Writes an entry back (state changes). The reply index follows the state.
pub fn put(tx: &WriteTransaction, entry: &OutboxEntry) -> Result<(), StoreError> {
    if let OutboxState::Sent {
        reply_id: Some(r), ..
    } = &entry.state
    {
        tx.open_table(OUTBOX_REPLIES)?
            .insert(r.as_str(), entry.seq)?;
    }
    tx.open_table(OUTBOX)?
        .insert(entry.seq, encode(entry)?.as_slice())?;
    Ok(())
}

/// The entry whose transport id is `reply_id`.
pub fn find_by_reply_id(
    tx: &WriteTransaction,
    reply_id: &str,
) -> Result<Option<OutboxEntry>, StoreError> {
    let seq = tx
        .open_table(OUTBOX_REPLIES)?
        .get(reply_id)?
        .map(|v| v.value());
    match seq {
        Some(seq) => get(tx, seq),
        None => Ok(None),
    }
}

/// The entry with the caller's id.
pub fn find_by_id(tx: &ReadTransaction, id: &str) -> Result<Option<OutboxEntry>, StoreError> {
    let seq = match tx.open_table(OUTBOX_IDS) {
        Ok(t) => t.get(id)?.map(|v| v.value()),
        Err(redb::TableError::TableDoesNotExist(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let Some(seq) = seq else { return Ok(None) };
    let table = tx.open_table(OUTBOX)?;
    let row = table.get(seq)?;
    row.map(|v| decode(OUTBOX.name(), v.value())).transpose()
}

/// Open entries (pending, in flight, unconfirmed) in send order.
pub fn open_entries_tx(tx: &WriteTransaction) -> Result<Vec<OutboxEntry>, StoreError> {
    collect_open(&tx.open_table(OUTBOX)?)
}

/// Open entries in send order, for readers.
pub fn open_entries(tx: &ReadTransaction) -> Result<Vec<OutboxEntry>, StoreError> {
    match tx.open_table(OUTBOX) {
        Ok(t) => collect_open(&t),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Every entry, oldest first (history view, tests).
pub fn all(tx: &ReadTransaction) -> Result<Vec<OutboxEntry>, StoreError> {
    let table = match tx.open_table(OUTBOX) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for row in table.iter()? {
        let (_, v) = row?;
        out.push(decode(OUTBOX.name(), v.value())?);
    }
    Ok(out)
}

/// The status-bar summary.
pub fn status(tx: &ReadTransaction) -> Result<OutboxStatus, StoreError> {
    let open = open_entries(tx)?;
    Ok(OutboxStatus {
        pending: open.len(),
        oldest_pending: open.iter().map(|e| e.doc.created_at).min(),
    })
}

/// Puts a refused or unconfirmed entry back in the queue; for the operator, after they
/// checked that EGAIS does not have it. Returns false if the entry is not in such a state.
pub fn requeue(tx: &WriteTransaction, seq: u64) -> Result<bool, StoreError> {
    let Some(mut entry) = get(tx, seq)? else {
        return Ok(false);
    };
    if !matches!(
        entry.state,
        OutboxState::Refused { .. } | OutboxState::Unconfirmed { .. }
    ) {
        return Ok(false);
    }
    entry.state = OutboxState::Pending;
    put(tx, &entry)?;
    Ok(true)
}

fn collect_open(
    table: &impl ReadableTable<u64, &'static [u8]>,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut out = Vec::new();
    for row in table.iter()? {
        let (_, v) = row?;
        let entry: OutboxEntry = decode(OUTBOX.name(), v.value())?;
        if entry.state.is_open() {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Creates the tables (called from `create_all_tables`).
pub fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(OUTBOX)?;
    tx.open_table(OUTBOX_IDS)?;
    tx.open_table(OUTBOX_REPLIES)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn doc(id: &str) -> OutgoingDoc {
        OutgoingDoc {
            id: id.into(),
            doc_type: "QueryRestsShop_v2".into(),
            xml: b"<x/>".to_vec(),
            doc_ref: None,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn entries_keep_order_ids_are_unique_and_a_failed_business_change_queues_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.write(|tx| enqueue(tx, doc("a"))).unwrap();
        store.write(|tx| enqueue(tx, doc("b"))).unwrap();
        assert!(store.write(|tx| enqueue(tx, doc("a"))).is_err());
        let r: Result<(), StoreError> = store.write(|tx| {
            enqueue(tx, doc("c"))?;
            Err(StoreError::Db("business rule refused".into()))
        });
        assert!(r.is_err());
        let open = store.read(open_entries).unwrap();
        let ids: Vec<_> = open.iter().map(|e| e.doc.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(store.read(status).unwrap().pending, 2);

        store
            .write(|tx| {
                let mut e = get(tx, open[0].seq)?.unwrap();
                e.state = OutboxState::Sent {
                    reply_id: Some("guid-1".into()),
                    sign: None,
                    at: Timestamp::UNIX_EPOCH,
                };
                put(tx, &e)
            })
            .unwrap();
        let found = store
            .write(|tx| find_by_reply_id(tx, "guid-1"))
            .unwrap()
            .unwrap();
        assert_eq!(found.doc.id, "a");
        assert_eq!(store.read(status).unwrap().pending, 1);
        assert!(!store.write(|tx| requeue(tx, found.seq)).unwrap());
    }
}
