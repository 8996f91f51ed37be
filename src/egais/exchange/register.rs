//! Tickets → the documents register (`store::documents`). An outbox entry's `doc_ref` is
//! the id of its `DocRecord`; a settling ticket moves that record through
//! `DocState::apply` (via `documents::apply_event`) in the engine's transaction.

use jiff::Timestamp;
use redb::WriteTransaction;

use super::handler::{Applied, ArchiveOnly, HandlerError, InboxDoc, InboxHandler};
use crate::domain::{DocEvent, DocState};
use crate::store::documents::{self, DocStoreError};
use crate::store::outbox::OutboxEntry;

/// Applies the document event a ticket carries to the register record it answers.
/// Returns the new state, or `None` when there is nothing to apply or the record does
/// not accept it (already settled — e.g. the refusal of a late duplicate of an act that
/// EGAIS had already accepted — which is logged, not an error).
pub fn apply_ticket_to_register(
    tx: &WriteTransaction,
    doc: &InboxDoc<'_>,
) -> Result<Option<DocState>, HandlerError> {
    let (Some(event), Some(entry)) = (&doc.doc_event, doc.answers) else {
        return Ok(None);
    };
    let note = doc
        .envelope
        .ticket
        .as_ref()
        .and_then(|t| t.verdict())
        .map(|v| v.comment.clone());
    apply(tx, entry, event, note.as_deref())
}

/// The UTM refused the document itself (it never reached EGAIS).
pub fn apply_refusal_to_register(
    tx: &WriteTransaction,
    entry: &OutboxEntry,
    reason: &str,
) -> Result<Option<DocState>, HandlerError> {
    let event = DocEvent::Refused {
        reason: format!("УТМ ответил ошибкой: {reason}"),
    };
    apply(tx, entry, &event, Some(reason))
}

fn apply(
    tx: &WriteTransaction,
    entry: &OutboxEntry,
    event: &DocEvent,
    note: Option<&str>,
) -> Result<Option<DocState>, HandlerError> {
    let Some(doc_ref) = &entry.doc.doc_ref else {
        return Ok(None);
    };
    match documents::apply_event(tx, doc_ref, event, Timestamp::now(), note) {
        Ok(state) => Ok(Some(state)),
        Err(DocStoreError::Store(e)) => Err(HandlerError::Store(e)),
        Err(other) => {
            tracing::warn!(doc_ref = %doc_ref, error = %other, "ticket not applied to the documents register");
            Ok(None)
        }
    }
}

/// A handler that keeps the documents register in step with tickets and UTM refusals,
/// then passes every document to `inner` (the business rules for new invoices, stock
/// replies, …).
pub struct RegisterHandler<H: InboxHandler = ArchiveOnly> {
    pub inner: H,
}

impl RegisterHandler<ArchiveOnly> {
    pub fn archive_only() -> Self {
        RegisterHandler { inner: ArchiveOnly }
    }
}

impl<H: InboxHandler> InboxHandler for RegisterHandler<H> {
    fn apply(&self, tx: &WriteTransaction, doc: &InboxDoc<'_>) -> Result<Applied, HandlerError> {
        let state = apply_ticket_to_register(tx, doc)?;
        let mut applied = self.inner.apply(tx, doc)?;
        if let Some(state) = state {
            applied.summary = format!("{}; документ: {}", applied.summary, state.label_ru());
        }
        Ok(applied)
    }

    fn refused(
        &self,
        tx: &WriteTransaction,
        entry: &OutboxEntry,
        reason: &str,
    ) -> Result<(), HandlerError> {
        apply_refusal_to_register(tx, entry, reason)?;
        self.inner.refused(tx, entry, reason)
    }
}
