//! The raw archive of every document received from the UTM, kept forever: it is the
//! shop's evidence in a dispute. A document is archived in its own committed transaction
//! BEFORE it is parsed, applied or deleted from the UTM, and the raw bytes are never
//! rewritten; what happened to it lives in a separate state table.
//!
//! "Applied" markers (content hash, document identity) are written in the same
//! transaction as the domain change, so a crash can never apply a document twice, and a
//! duplicate delivered under another UTM id is recognised.

use jiff::Timestamp;
use redb::{ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{StoreError, decode, encode};

/// seq → [`ArchivedDoc`] (raw bytes plus where they came from).
pub const ARCHIVE: TableDefinition<u64, &[u8]> = TableDefinition::new("archive_v1");
/// Delivery key (`type/id/sha256`) → seq: the same delivery fetched again after a crash
/// is not archived twice.
pub const ARCHIVE_KEYS: TableDefinition<&str, u64> = TableDefinition::new("archive_keys_v1");
/// seq → [`InboxState`].
pub const INBOX_STATE: TableDefinition<u64, &[u8]> = TableDefinition::new("inbox_state_v1");
/// Applied marker (`sha256:<hex>` or `doc:<identity>`) → seq that applied it.
pub const INBOX_APPLIED: TableDefinition<&str, u64> = TableDefinition::new("inbox_applied_v1");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedDoc {
    pub seq: u64,
    /// The UTM's type name from the `/opt/out` URL (e.g. `FORM2REGINFO`).
    pub utm_type: String,
    pub utm_id: String,
    pub reply_id: Option<String>,
    pub sha256: String,
    pub received_at: Timestamp,
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InboxState {
    /// Archived, not yet applied.
    Received,
    Applied {
        at: Timestamp,
        summary: String,
    },
    /// The same document was already applied from archive entry `of`.
    Duplicate {
        of: u64,
    },
    /// Could not be parsed or applied; the raw document stays here.
    Failed {
        at: Timestamp,
        error: String,
    },
}

impl InboxState {
    /// Whether the engine is done with it (and may delete it from the UTM).
    pub fn is_final(&self) -> bool {
        !matches!(self, InboxState::Received)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The marker for "this exact content was applied".
pub fn hash_marker(sha256: &str) -> String {
    format!("sha256:{sha256}")
}

/// Archives a delivery unless this very delivery (type, id, content) is already there.
/// Returns the entry and whether it is new.
pub fn store_raw(
    tx: &WriteTransaction,
    utm_type: &str,
    utm_id: &str,
    reply_id: Option<&str>,
    raw: &[u8],
    now: Timestamp,
) -> Result<(ArchivedDoc, bool), StoreError> {
    let sha256 = sha256_hex(raw);
    let key = format!("{utm_type}/{utm_id}/{sha256}");
    let mut keys = tx.open_table(ARCHIVE_KEYS)?;
    let mut table = tx.open_table(ARCHIVE)?;
    if let Some(seq) = keys.get(key.as_str())?.map(|v| v.value()) {
        let row = table.get(seq)?;
        if let Some(v) = row {
            return Ok((decode(ARCHIVE.name(), v.value())?, false));
        }
    }
    let seq = table.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    let doc = ArchivedDoc {
        seq,
        utm_type: utm_type.to_string(),
        utm_id: utm_id.to_string(),
        reply_id: reply_id.map(String::from),
        sha256,
        received_at: now,
        raw: raw.to_vec(),
    };
    table.insert(seq, encode(&doc)?.as_slice())?;
    keys.insert(key.as_str(), seq)?;
    tx.open_table(INBOX_STATE)?
        .insert(seq, encode(&InboxState::Received)?.as_slice())?;
    Ok((doc, true))
}

pub fn state_tx(tx: &WriteTransaction, seq: u64) -> Result<Option<InboxState>, StoreError> {
    let table = tx.open_table(INBOX_STATE)?;
    let row = table.get(seq)?;
    row.map(|v| decode(INBOX_STATE.name(), v.value()))
        .transpose()
}

pub fn set_state(tx: &WriteTransaction, seq: u64, state: &InboxState) -> Result<(), StoreError> {
    tx.open_table(INBOX_STATE)?
        .insert(seq, encode(state)?.as_slice())?;
    Ok(())
}

/// The archive entry that applied this marker, if any.
pub fn applied_by(tx: &WriteTransaction, marker: &str) -> Result<Option<u64>, StoreError> {
    Ok(tx
        .open_table(INBOX_APPLIED)?
        .get(marker)?
        .map(|v| v.value()))
}

/// Records that `seq` was applied; call in the transaction of the domain change.
pub fn mark_applied(
    tx: &WriteTransaction,
    seq: u64,
    markers: &[String],
    summary: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut applied = tx.open_table(INBOX_APPLIED)?;
    for m in markers {
        applied.insert(m.as_str(), seq)?;
    }
    set_state(
        tx,
        seq,
        &InboxState::Applied {
            at: now,
            summary: summary.to_string(),
        },
    )
}

pub fn get(
    tx: &ReadTransaction,
    seq: u64,
) -> Result<Option<(ArchivedDoc, InboxState)>, StoreError> {
    let (archive, states) = match (tx.open_table(ARCHIVE), tx.open_table(INBOX_STATE)) {
        (Ok(a), Ok(s)) => (a, s),
        (Err(redb::TableError::TableDoesNotExist(_)), _)
        | (_, Err(redb::TableError::TableDoesNotExist(_))) => return Ok(None),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let Some(doc) = archive.get(seq)? else {
        return Ok(None);
    };
    let doc: ArchivedDoc = decode(ARCHIVE.name(), doc.value())?;
    let state = match states.get(seq)? {
        Some(v) => decode(INBOX_STATE.name(), v.value())?,
        None => InboxState::Received,
    };
    Ok(Some((doc, state)))
}

/// Every archived document with its state, oldest first.
pub fn all(tx: &ReadTransaction) -> Result<Vec<(ArchivedDoc, InboxState)>, StoreError> {
    let archive = match tx.open_table(ARCHIVE) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let states = tx.open_table(INBOX_STATE)?;
    let mut out = Vec::new();
    for row in archive.iter()? {
        let (k, v) = row?;
        let doc: ArchivedDoc = decode(ARCHIVE.name(), v.value())?;
        let state = match states.get(k.value())? {
            Some(s) => decode(INBOX_STATE.name(), s.value())?,
            None => InboxState::Received,
        };
        out.push((doc, state));
    }
    Ok(out)
}

pub fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(ARCHIVE)?;
    tx.open_table(ARCHIVE_KEYS)?;
    tx.open_table(INBOX_STATE)?;
    tx.open_table(INBOX_APPLIED)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_delivery_is_archived_once_and_markers_dedupe_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Timestamp::UNIX_EPOCH;
        let (a, new) = store
            .write(|tx| store_raw(tx, "Ticket", "4", Some("r"), b"<x/>", now))
            .unwrap();
        assert!(new);
        let (again, new) = store
            .write(|tx| store_raw(tx, "Ticket", "4", Some("r"), b"<x/>", now))
            .unwrap();
        assert!(!new);
        assert_eq!(a.seq, again.seq);
        let (other, new) = store
            .write(|tx| store_raw(tx, "Ticket", "5", None, b"<x/>", now))
            .unwrap();
        assert!(new);
        assert_ne!(other.seq, a.seq);
        assert_eq!(a.sha256, other.sha256);

        let marker = hash_marker(&a.sha256);
        store
            .write(|tx| mark_applied(tx, a.seq, std::slice::from_ref(&marker), "ok", now))
            .unwrap();
        assert_eq!(
            store.write(|tx| applied_by(tx, &marker)).unwrap(),
            Some(a.seq)
        );
        let rows = store.read(all).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].1.is_final());
        assert_eq!(rows[1].1, InboxState::Received);
        assert_eq!(rows[0].0.raw, b"<x/>");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
