//! How incoming documents reach the domain: the engine archives, parses, dedupes and
//! matches; an [`InboxHandler`] turns the document into a domain change inside the
//! engine's write transaction, which also carries the "applied" marker. So either both
//! the change and the marker are committed, or neither is.

use redb::WriteTransaction;

use super::envelope::Envelope;
use crate::domain::DocEvent;
use crate::egais::xml::Parsed;
use crate::store::StoreError;
use crate::store::archive::ArchivedDoc;
use crate::store::outbox::OutboxEntry;

/// One incoming document as the handler sees it.
pub struct InboxDoc<'a> {
    pub archived: &'a ArchivedDoc,
    pub envelope: &'a Envelope,
    /// The typed document (the xml stream's models); `Incoming::Other` for types that
    /// are not modelled.
    pub parsed: &'a Parsed,
    /// The outbox entry this document answers (ticket or reply matched by `replyId`,
    /// `TransportId`, or for reconciled entries by `Identity`/hash), as already updated
    /// in this transaction (its `tickets` include this document).
    pub answers: Option<&'a OutboxEntry>,
    /// For a ticket that settles the document it answers: the event to apply to the
    /// document's state with `DocState::apply` (`Confirmed` / `Refused{reason}`).
    pub doc_event: Option<DocEvent>,
}

/// What the handler did, for the event stream and the archive's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub summary: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The document is understood but cannot be applied (e.g. it refers to an unknown
    /// invoice); the message is shown to the operator.
    #[error("{0}")]
    Refused(String),
}

/// Applies incoming documents to the domain. Called from a blocking thread, inside the
/// engine's write transaction; must not commit or open its own transaction.
pub trait InboxHandler: Send + Sync + 'static {
    fn apply(&self, tx: &WriteTransaction, doc: &InboxDoc<'_>) -> Result<Applied, HandlerError>;

    /// The UTM refused an outbox entry for good (e.g. a schema error); called in the
    /// transaction that marks the entry refused, so the document's state follows.
    fn refused(
        &self,
        _tx: &WriteTransaction,
        _entry: &OutboxEntry,
        _reason: &str,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
}

/// A handler that applies nothing: every document is archived and acknowledged. For the
/// simulator demo and for tools that only mirror the UTM.
pub struct ArchiveOnly;

impl InboxHandler for ArchiveOnly {
    fn apply(&self, _tx: &WriteTransaction, doc: &InboxDoc<'_>) -> Result<Applied, HandlerError> {
        Ok(Applied {
            summary: format!("{} archived", doc.envelope.element),
        })
    }
}

/// The domain event a ticket means for the document it answers.
pub fn ticket_doc_event(envelope: &Envelope) -> Option<DocEvent> {
    let t = envelope.ticket.as_ref()?;
    if !t.is_final() {
        return None;
    }
    let v = t.verdict()?;
    Some(if v.accepted {
        DocEvent::Confirmed
    } else {
        DocEvent::Refused {
            reason: if v.comment.is_empty() {
                "ЕГАИС отклонил документ".into()
            } else {
                v.comment.clone()
            },
        }
    })
}
