//! What the engine itself must know about a document to route it: the element under
//! `ns:Document`, the sender, the document's own `Identity`, and for tickets the fields
//! that tie them to what we sent. Read tolerantly by local name (prefixes are arbitrary).

use crate::egais::utm::dom::{self, DomError, Node};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Local name of the single element under `ns:Document` (e.g. `Ticket`, `WayBill_v4`).
    pub element: String,
    pub owner_fsrar_id: Option<String>,
    /// The document's own `Identity`, if it has one.
    pub identity: Option<String>,
    pub ticket: Option<TicketInfo>,
    /// Markers of the document's identity beyond its bytes (WBRegId of a справка Б, a
    /// ticket's transport id and stage, an invoice's shipper, number and date).
    pub identity_markers: Vec<String>,
}

/// The parts of a `Ticket` that matter for matching and for the document's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketInfo {
    pub doc_id: Option<String>,
    pub transport_id: Option<String>,
    pub identity: Option<String>,
    pub reg_id: Option<String>,
    pub doc_hash: Option<String>,
    pub doc_type: Option<String>,
    /// `Result`: the format/acceptance check.
    pub result: Option<Verdict>,
    /// `OperationResult`: the business operation.
    pub operation: Option<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub accepted: bool,
    pub comment: String,
    pub operation_name: Option<String>,
}

impl TicketInfo {
    /// Whether this ticket settles the document: a refusal at any stage, or the
    /// operation result. An accepted format ticket only says "wait for the next one".
    pub fn is_final(&self) -> bool {
        self.operation.is_some() || self.result.as_ref().is_some_and(|r| !r.accepted)
    }

    /// The verdict that counts: the operation result if present, else the format result.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.operation.as_ref().or(self.result.as_ref())
    }
}

/// Reads the envelope. A document that is not an EGAIS `Documents` envelope with exactly
/// one document inside is an error.
pub fn peek(bytes: &[u8]) -> Result<Envelope, DomError> {
    let root = dom::parse(bytes)?;
    let bad = |detail: String| DomError {
        position: 0,
        detail,
    };
    if root.name != "Documents" {
        return Err(bad(format!(
            "root element <{}> is not <Documents>",
            root.name
        )));
    }
    let document = root
        .child("Document")
        .ok_or_else(|| bad("no <Document> element".into()))?;
    let mut inner = document.children.iter();
    let doc = match (inner.next(), inner.next()) {
        (Some(d), None) => d,
        (None, _) => return Err(bad("<Document> is empty".into())),
        (Some(_), Some(_)) => return Err(bad("<Document> holds more than one document".into())),
    };
    let ticket = (doc.name == "Ticket").then(|| read_ticket(doc));
    let identity = doc
        .text_at(&["Identity"])
        .or_else(|| doc.text_at(&["Header", "Identity"]));
    let owner_fsrar_id = root.text_at(&["Owner", "FSRAR_ID"]);
    let identity_markers = identity_markers(doc, ticket.as_ref(), owner_fsrar_id.as_deref());
    Ok(Envelope {
        element: doc.name.clone(),
        owner_fsrar_id,
        identity,
        ticket,
        identity_markers,
    })
}

fn read_ticket(t: &Node) -> TicketInfo {
    let verdict = |node: Option<&Node>, field: &str, comment: &str| {
        let node = node?;
        let value = node.text_at(&[field])?;
        Some(Verdict {
            accepted: value.eq_ignore_ascii_case("Accepted"),
            comment: node.text_at(&[comment]).unwrap_or_default(),
            operation_name: node.text_at(&["OperationName"]),
        })
    };
    TicketInfo {
        doc_id: t.text_at(&["DocId"]),
        transport_id: t.text_at(&["TransportId"]),
        identity: t.text_at(&["Identity"]),
        reg_id: t.text_at(&["RegID"]),
        doc_hash: t.text_at(&["DocHash"]),
        doc_type: t.text_at(&["DocType"]),
        result: verdict(t.child("Result"), "Conclusion", "Comments"),
        operation: verdict(
            t.child("OperationResult"),
            "OperationResult",
            "OperationComment",
        ),
    }
}

/// Identities under which a document, re-delivered with different bytes (another UTM
/// id, re-sent on `QueryResendDoc`), is still the same document. Only for types where
/// applying twice would do harm; the content hash covers exact duplicates of all types.
fn identity_markers(doc: &Node, ticket: Option<&TicketInfo>, owner: Option<&str>) -> Vec<String> {
    let owner = owner.unwrap_or("");
    let mut out = Vec::new();
    match doc.name.as_str() {
        "Ticket" => {
            if let Some(t) = ticket
                && let Some(tr) = &t.transport_id
            {
                let stage = match (&t.operation, &t.result) {
                    (Some(op), _) => format!(
                        "op:{}:{}",
                        op.operation_name.as_deref().unwrap_or(""),
                        op.accepted
                    ),
                    (None, Some(r)) => format!("result:{}", r.accepted),
                    (None, None) => "none".into(),
                };
                out.push(format!("doc:Ticket:{tr}:{stage}"));
            }
        }
        "TTNInformF2Reg" | "TTNInformBReg" => {
            if let Some(wb) = doc.text_at(&["Header", "WBRegId"]) {
                out.push(format!("doc:{}:{wb}", doc.name));
            }
        }
        "ConfirmTicket" => {
            if let (Some(wb), Some(c)) = (
                doc.text_at(&["Header", "WBRegId"]),
                doc.text_at(&["Header", "IsConfirm"]),
            ) {
                // The supplier may refuse a corrected act again: a new ticket (number)
                // about the same invoice is a new document, not a repeat.
                let number = doc.text_at(&["Header", "TicketNumber"]).unwrap_or_default();
                out.push(format!("doc:ConfirmTicket:{wb}:{c}:{number}"));
            }
        }
        name if name.starts_with("WayBill") => {
            let shipper = doc
                .path(&["Header", "Shipper"])
                .and_then(|s| s.find("ClientRegId"))
                .map(|n| n.text.trim().to_string())
                .unwrap_or_else(|| owner.to_string());
            if let (Some(num), Some(date)) = (
                doc.text_at(&["Header", "NUMBER"]),
                doc.text_at(&["Header", "Date"]),
            ) {
                out.push(format!("doc:{name}:{shipper}:{num}:{date}"));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/egais/samples");

    fn sample(p: &str) -> Vec<u8> {
        std::fs::read(format!("{SAMPLES}/{p}")).unwrap()
    }

    #[test]
    fn reads_the_sample_ticket() {
        let e = peek(&sample("selyutinartyom_UTM/Ticket_4.xml")).unwrap();
        assert_eq!(e.element, "Ticket");
        assert_eq!(e.owner_fsrar_id.as_deref(), Some("3463047"));
        let t = e.ticket.unwrap();
        assert_eq!(
            t.transport_id.as_deref(),
            Some("349a50a4-367d-4bb3-8dca-6b149062902b")
        );
        assert_eq!(t.reg_id.as_deref(), Some("TTN-0014396814"));
        assert!(t.is_final());
        let v = t.verdict().unwrap();
        assert!(v.accepted);
        assert!(v.comment.contains("подтверждена"));
        assert_eq!(
            e.identity_markers,
            ["doc:Ticket:349a50a4-367d-4bb3-8dca-6b149062902b:op:Confirm:true"]
        );
    }

    #[test]
    fn reads_real_waybill_and_form2_envelopes() {
        let w = peek(&sample("kirsa/TTN-0557370828.xml")).unwrap();
        assert_eq!(w.element, "WayBill_v4");
        assert_eq!(w.identity_markers.len(), 1, "{:?}", w.identity_markers);
        let f = peek(&sample("kirsa/FORM2REGINFO.xml")).unwrap();
        assert_eq!(f.element, "TTNInformF2Reg");
        assert!(f.identity_markers[0].starts_with("doc:TTNInformF2Reg:TTN-"));
    }

    #[test]
    fn refuses_what_is_not_an_envelope() {
        assert!(peek(b"<A><url>x</url></A>").is_err());
        assert!(peek(b"<Documents><Document/></Documents>").is_err());
        assert!(peek(b"<Documents><Document><a/><b/></Document></Documents>").is_err());
        assert!(peek(b"<Documents><Document><a>").is_err());
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = peek(&bytes);
        }
    }
}
