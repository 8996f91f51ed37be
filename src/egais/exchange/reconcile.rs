//! What to do with an outbox entry whose POST may or may not have reached the UTM
//! (the process died between marking it `InFlight` and recording the answer, or the
//! answer was lost to a timeout or garbage).
//!
//! # Policy
//!
//! Such an entry becomes `Unconfirmed` and blocks the queue behind it (order matters:
//! a transfer may depend on the act before it). It is never resent at once. Instead:
//!
//! 1. Every incoming ticket is compared with it: `TransportId` against a known reply id,
//!    and, because the reply id was never recorded, `DocHash` against the SHA-256 of our
//!    bytes, `Identity` against our entry id and the document's own `<Identity>`, and
//!    for acts `RegID` against the act's `WBRegId`.
//!    A match proves the UTM got it: the entry becomes `Sent` with the ticket's
//!    `TransportId`, and the ticket is applied to it as usual.
//! 2. At each check the UTM's own queue (`GET /opt/in`, documents accepted but not yet
//!    delivered to EGAIS) is searched for a document with exactly our bytes. A match
//!    proves it too.
//! 3. Only when neither shows up for the grace period (default 30 min — a UTM that is up
//!    delivers and gets the first ticket within minutes) is the entry considered never
//!    received and queued again.
//!
//! Why a late resend is still safe: for acts (WayBillAct_v4, ActWriteOffShop_v2,
//! ActChargeOnShop_v2, TransferToShop) EGAIS refuses a repeated act, so a second copy
//! cannot move stock twice; it only earns a rejection ticket. A cheque registered twice
//! is refused by EGAIS as "марка уже продана", so a bottle cannot be sold twice. Queries
//! are harmless to repeat (at worst they hit the stock-query rate limit). The operator
//! can also decide earlier through `outbox::requeue`.

use std::time::Duration;

use jiff::Timestamp;

use super::envelope::{self, TicketInfo};
use crate::egais::utm::{UtmClient, UtmError};
use crate::store::archive::sha256_hex;
use crate::store::outbox::OutboxEntry;

/// The outcome of one reconciliation check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The UTM has it: do not send again.
    Found { reply_id: Option<String> },
    /// The grace period passed without a trace: send again.
    Resend,
    /// Keep waiting (and keep blocking the queue).
    Wait,
}

/// Whether a ticket answers this entry although its transport id was never recorded.
pub fn ticket_matches(entry: &OutboxEntry, ticket: &TicketInfo) -> bool {
    let our_hash = sha256_hex(&entry.doc.xml);
    if ticket
        .doc_hash
        .as_deref()
        .is_some_and(|h| h.eq_ignore_ascii_case(&our_hash))
    {
        return true;
    }
    if ticket.identity.as_deref() == Some(entry.doc.id.as_str()) {
        return true;
    }
    let Ok(own) = envelope::peek(&entry.doc.xml) else {
        return false;
    };
    if own.identity.is_some() && own.identity == ticket.identity {
        return true;
    }
    // A ticket on an act names the invoice it settles (RegID = WBRegId); one act per
    // invoice is all EGAIS accepts, so that identifies our act too.
    own.element.starts_with("WayBillAct")
        && ticket.reg_id.is_some()
        && own_wb_reg_id(&entry.doc.xml) == ticket.reg_id
}

fn own_wb_reg_id(xml: &[u8]) -> Option<String> {
    let root = crate::egais::utm::dom::parse(xml).ok()?;
    root.find("Header")?.text_at(&["WBRegId"])
}

/// Searches the UTM's outgoing queue for our exact bytes.
pub async fn find_in_utm_queue(
    client: &UtmClient,
    entry: &OutboxEntry,
) -> Result<Option<Option<String>>, UtmError> {
    let ours = sha256_hex(&entry.doc.xml);
    for queued in client.list_in().await? {
        if !queued.doc_type.eq_ignore_ascii_case(&entry.doc.doc_type) {
            continue;
        }
        let bytes = client.fetch_in(&queued.doc_type, &queued.id).await?;
        if sha256_hex(&bytes) == ours {
            return Ok(Some(queued.reply_id));
        }
    }
    Ok(None)
}

/// Decides after a queue search.
pub fn decide(
    in_queue: Option<Option<String>>,
    since: Timestamp,
    now: Timestamp,
    grace: Duration,
) -> Decision {
    if let Some(reply_id) = in_queue {
        return Decision::Found { reply_id };
    }
    let waited = now.duration_since(since);
    let grace = jiff::SignedDuration::try_from(grace).unwrap_or(jiff::SignedDuration::MAX);
    if waited >= grace {
        Decision::Resend
    } else {
        Decision::Wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::outbox::{OutboxState, OutgoingDoc};

    fn entry(xml: &str) -> OutboxEntry {
        OutboxEntry {
            seq: 1,
            doc: OutgoingDoc {
                id: "out-1".into(),
                doc_type: "WayBillAct_v4".into(),
                xml: xml.as_bytes().to_vec(),
                doc_ref: None,
                created_at: Timestamp::UNIX_EPOCH,
            },
            state: OutboxState::Unconfirmed {
                since: Timestamp::UNIX_EPOCH,
            },
            attempts: 0,
            last_error: None,
            tickets: vec![],
        }
    }

    #[test]
    fn tickets_match_by_hash_entry_id_or_document_identity() {
        let xml = "<ns:Documents xmlns:ns=\"x\"><ns:Document><ns:WayBillAct_v4><a:Identity xmlns:a=\"y\">ACT-7</a:Identity></ns:WayBillAct_v4></ns:Document></ns:Documents>";
        let e = entry(xml);
        let t = |hash: Option<String>, id: Option<&str>| TicketInfo {
            doc_hash: hash,
            identity: id.map(String::from),
            ..TicketInfo::default()
        };
        assert!(ticket_matches(
            &e,
            &t(Some(sha256_hex(xml.as_bytes()).to_uppercase()), None)
        ));
        assert!(ticket_matches(&e, &t(None, Some("out-1"))));
        assert!(ticket_matches(&e, &t(None, Some("ACT-7"))));
        assert!(!ticket_matches(&e, &t(None, Some("ACT-8"))));
        assert!(!ticket_matches(&e, &t(Some("00".into()), None)));

        let act = entry(
            "<Documents><Document><WayBillAct_v4><Header><WBRegId>TTN-1</WBRegId></Header></WayBillAct_v4></Document></Documents>",
        );
        let by_reg = |r: &str| TicketInfo {
            reg_id: Some(r.into()),
            ..TicketInfo::default()
        };
        assert!(ticket_matches(&act, &by_reg("TTN-1")));
        assert!(!ticket_matches(&act, &by_reg("TTN-2")));
        assert!(!ticket_matches(&act, &TicketInfo::default()));
    }

    #[test]
    fn waits_for_the_grace_period_before_resending() {
        let since: Timestamp = "2026-01-01T10:00:00Z".parse().unwrap();
        let grace = Duration::from_secs(600);
        let at = |m: i64| since + jiff::SignedDuration::from_mins(m);
        assert_eq!(decide(None, since, at(5), grace), Decision::Wait);
        assert_eq!(decide(None, since, at(10), grace), Decision::Resend);
        assert_eq!(
            decide(Some(Some("g".into())), since, at(1), grace),
            Decision::Found {
                reply_id: Some("g".into())
            }
        );
    }
}
