//! EGAIS XML documents: models (quick-xml + serde), a prefix-agnostic reader
//! that reports element path and line:col, and the exact writer.
//!
//! * [`parse_document`] reads any `ns:Documents` envelope into [`Parsed`];
//!   a document type we do not model is [`Incoming::Other`], not an error.
//! * Each outgoing model has `to_xml(sender_fsrar_id)` and `doc_type()`.
//! * [`parse_utm_reply`] / [`parse_out_list`] read the UTM's `<A>` answers.
//! * [`parse_any`] recognises whatever EGAIS file it is given (for `inspect`);
//!   [`parse_any_lean`] does the same but only validates and counts the stamps
//!   of a WayBill_v4 ([`StampCheck`]), which keeps 100 000-stamp deliveries cheap.
//! * [`equiv::equivalent`] compares two documents modulo prefixes, comments
//!   and formatting (used by the round-trip tests).
//!
//! Reading: `scan.rs` tokenizes into `tree.rs` (namespace URIs, positions),
//! `de.rs` runs the serde models over the tree with keys `prefix:local` built
//! from *our* prefix for the element's URI, so any prefix or default namespace
//! in the input reads the same. Writing: quick-xml's serializer with the
//! conventional prefixes of PROTOCOL.md §2.2 (`write.rs`).

pub mod cheque;
pub mod common;
pub(crate) mod de;
pub mod doc_types;
pub mod equiv;
pub mod error;
pub mod inform_f2;
pub mod ns;
pub mod queries;
pub mod replies;
mod scan;
pub mod shop_acts;
pub mod ticket;
pub(crate) mod tree;
pub mod utm_reply;
pub mod waybill;
pub mod waybill_act;
pub mod write;

pub use cheque::{
    Cheque, ChequeBottle, ChequeDateTime, ChequeKind, ChequeNoPdf, ChequePrice, ChequeV3,
};
pub use common::{
    Address, AmcList, BeerCode, BoxNumber, Conclusion, Mark, Org, OrgRef, ProductInfo, StampCheck,
};
pub use doc_types::{element_for_utm_type, utm_type_for_element};
pub use error::{XmlError, XmlErrorKind};
pub use inform_f2::TtnInformF2Reg;
pub use queries::{QueryNattn, QueryResendDoc, QueryRestsShopV2, QueryRestsV2};
pub use replies::{ReplyNoAnswerTtn, ReplyRestsShopV2, ReplyRestsV2, TtnHistoryF2Reg};
pub use shop_acts::{ActChargeOnShopV2, ActWriteOffShopV2, RequestRepealWb, TransferToShop};
pub use ticket::{ConfirmTicket, Ticket};
pub use utm_reply::{OutEntry, UtmReply, parse_out_list, parse_utm_reply};
pub use waybill::WayBillV4;
pub use waybill_act::WayBillActV4;
pub use write::EgaisDocument;

use de::from_node;
use ns::Ns;
use tree::Tree;

/// An envelope read from the UTM (or posted to the simulator).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Parsed {
    /// `Owner/FSRAR_ID`: the sender (EGAIS itself is `3463047`).
    pub owner_fsrar_id: String,
    pub doc: Incoming,
}

/// One variant per modelled document type, whichever direction it travels.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "document")]
pub enum Incoming {
    WayBillV4(Box<WayBillV4>),
    TtnInformF2Reg(Box<TtnInformF2Reg>),
    Ticket(Box<Ticket>),
    ConfirmTicket(Box<ConfirmTicket>),
    ReplyNoAnswerTtn(Box<ReplyNoAnswerTtn>),
    ReplyRestsShopV2(Box<ReplyRestsShopV2>),
    ReplyRestsV2(Box<ReplyRestsV2>),
    TtnHistoryF2Reg(Box<TtnHistoryF2Reg>),
    WayBillActV4(Box<WayBillActV4>),
    QueryNattn(Box<QueryNattn>),
    QueryRestsShopV2(Box<QueryRestsShopV2>),
    QueryRestsV2(Box<QueryRestsV2>),
    QueryResendDoc(Box<QueryResendDoc>),
    TransferToShop(Box<TransferToShop>),
    ActWriteOffShopV2(Box<ActWriteOffShopV2>),
    ActChargeOnShopV2(Box<ActChargeOnShopV2>),
    RequestRepealWb(Box<RequestRepealWb>),
    ChequeV3(Box<ChequeV3>),
    /// A well-formed envelope with a document type we do not model.
    Other {
        element: String,
    },
}

impl Incoming {
    /// The element name under `ns:Document`.
    pub fn element(&self) -> &str {
        match self {
            Incoming::WayBillV4(_) => "WayBill_v4",
            Incoming::TtnInformF2Reg(_) => "TTNInformF2Reg",
            Incoming::Ticket(_) => "Ticket",
            Incoming::ConfirmTicket(_) => "ConfirmTicket",
            Incoming::ReplyNoAnswerTtn(_) => "ReplyNoAnswerTTN",
            Incoming::ReplyRestsShopV2(_) => "ReplyRestsShop_v2",
            Incoming::ReplyRestsV2(_) => "ReplyRests_v2",
            Incoming::TtnHistoryF2Reg(_) => "TTNHistoryF2Reg",
            Incoming::WayBillActV4(_) => "WayBillAct_v4",
            Incoming::QueryNattn(_) => "QueryNATTN",
            Incoming::QueryRestsShopV2(_) => "QueryRestsShop_v2",
            Incoming::QueryRestsV2(_) => "QueryRests_v2",
            Incoming::QueryResendDoc(_) => "QueryResendDoc",
            Incoming::TransferToShop(_) => "TransferToShop",
            Incoming::ActWriteOffShopV2(_) => "ActWriteOffShop_v2",
            Incoming::ActChargeOnShopV2(_) => "ActChargeOnShop_v2",
            Incoming::RequestRepealWb(_) => "RequestRepealWB",
            Incoming::ChequeV3(_) => "ChequeV3",
            Incoming::Other { element } => element,
        }
    }

    /// Re-serialises a modelled document (None for `Other`).
    pub fn to_xml(&self, sender_fsrar_id: &str) -> Option<String> {
        let s = sender_fsrar_id;
        Some(match self {
            Incoming::WayBillV4(d) => d.to_xml(s),
            Incoming::TtnInformF2Reg(d) => d.to_xml(s),
            Incoming::Ticket(d) => d.to_xml(s),
            Incoming::ConfirmTicket(d) => d.to_xml(s),
            Incoming::ReplyNoAnswerTtn(d) => d.to_xml(s),
            Incoming::ReplyRestsShopV2(d) => d.to_xml(s),
            Incoming::ReplyRestsV2(d) => d.to_xml(s),
            Incoming::TtnHistoryF2Reg(d) => d.to_xml(s),
            Incoming::WayBillActV4(d) => d.to_xml(s),
            Incoming::QueryNattn(d) => d.to_xml(s),
            Incoming::QueryRestsShopV2(d) => d.to_xml(s),
            Incoming::QueryRestsV2(d) => d.to_xml(s),
            Incoming::QueryResendDoc(d) => d.to_xml(s),
            Incoming::TransferToShop(d) => d.to_xml(s),
            Incoming::ActWriteOffShopV2(d) => d.to_xml(s),
            Incoming::ActChargeOnShopV2(d) => d.to_xml(s),
            Incoming::RequestRepealWb(d) => d.to_xml(s),
            Incoming::ChequeV3(d) => d.to_xml(s),
            Incoming::Other { .. } => return None,
        })
    }
}

/// Reads an `ns:Documents` envelope.
pub fn parse_document(bytes: &[u8]) -> Result<Parsed, XmlError> {
    let tree = tree::parse(bytes)?;
    document_from_tree(&tree)
}

fn schema_error(tree: &Tree<'_>, idx: u32, msg: impl Into<String>) -> XmlError {
    tree.error(idx, XmlErrorKind::Schema, msg)
}

fn child(tree: &Tree<'_>, parent: u32, local: &str) -> Result<u32, XmlError> {
    tree.children(parent)
        .find(|&c| tree.is(c, Some(Ns::Envelope), local))
        .ok_or_else(|| {
            let mut e = schema_error(
                tree,
                parent,
                format!("required element ns:{local} is missing"),
            );
            e.path.push('/');
            e.path.push_str(local);
            e
        })
}

/// The sender and the document element of an envelope.
fn envelope_parts(tree: &Tree<'_>) -> Result<(String, u32), XmlError> {
    let root = tree.root();
    if !tree.is(root, Some(Ns::Envelope), "Documents") {
        return Err(schema_error(
            tree,
            root,
            format!(
                "expected the root element Documents in namespace {}, found {} in namespace `{}`",
                Ns::Envelope.uri(),
                tree.local(root),
                tree.uri(root)
            ),
        ));
    }
    let owner = child(tree, root, "Owner")?;
    let fsrar = child(tree, owner, "FSRAR_ID")?;
    let owner_fsrar_id = tree.text(fsrar).to_string();
    if owner_fsrar_id.is_empty() {
        return Err(schema_error(tree, fsrar, "FSRAR_ID is empty"));
    }
    let document = child(tree, root, "Document")?;
    let mut elements = tree.children(document);
    let Some(el) = elements.next() else {
        return Err(schema_error(
            tree,
            document,
            "ns:Document contains no document",
        ));
    };
    if let Some(extra) = elements.next() {
        return Err(schema_error(
            tree,
            extra,
            "ns:Document must contain exactly one document",
        ));
    }
    if tree.ns(el) != Some(Ns::Envelope) {
        return Err(schema_error(
            tree,
            el,
            format!(
                "the document element must be in namespace {}, found `{}`",
                Ns::Envelope.uri(),
                tree.uri(el)
            ),
        ));
    }
    Ok((owner_fsrar_id, el))
}

pub(crate) fn document_from_tree(tree: &Tree<'_>) -> Result<Parsed, XmlError> {
    let (owner_fsrar_id, el) = envelope_parts(tree)?;
    let doc = {
        match tree.local(el) {
            "WayBill_v4" => Incoming::WayBillV4(from_node(tree, el)?),
            "TTNInformF2Reg" => Incoming::TtnInformF2Reg(from_node(tree, el)?),
            "Ticket" => Incoming::Ticket(from_node(tree, el)?),
            "ConfirmTicket" => Incoming::ConfirmTicket(from_node(tree, el)?),
            "ReplyNoAnswerTTN" => Incoming::ReplyNoAnswerTtn(from_node(tree, el)?),
            "ReplyRestsShop_v2" => Incoming::ReplyRestsShopV2(from_node(tree, el)?),
            "ReplyRests_v2" => Incoming::ReplyRestsV2(from_node(tree, el)?),
            "TTNHistoryF2Reg" => Incoming::TtnHistoryF2Reg(from_node(tree, el)?),
            "WayBillAct_v4" => Incoming::WayBillActV4(from_node(tree, el)?),
            "QueryNATTN" => Incoming::QueryNattn(from_node(tree, el)?),
            "QueryRestsShop_v2" => Incoming::QueryRestsShopV2(from_node(tree, el)?),
            "QueryRests_v2" => Incoming::QueryRestsV2(from_node(tree, el)?),
            "QueryResendDoc" => Incoming::QueryResendDoc(from_node(tree, el)?),
            "TransferToShop" => Incoming::TransferToShop(from_node(tree, el)?),
            "ActWriteOffShop_v2" => Incoming::ActWriteOffShopV2(from_node(tree, el)?),
            "ActChargeOnShop_v2" => Incoming::ActChargeOnShopV2(from_node(tree, el)?),
            "RequestRepealWB" => Incoming::RequestRepealWb(from_node(tree, el)?),
            "ChequeV3" => Incoming::ChequeV3(from_node(tree, el)?),
            other => Incoming::Other {
                element: other.to_string(),
            },
        }
    };
    Ok(Parsed {
        owner_fsrar_id,
        doc,
    })
}

/// Any file EGAIS software meets: an envelope, a legacy cheque, or a UTM answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnyDocument {
    Envelope(Parsed),
    Cheque(Cheque),
    UtmReply(UtmReply),
    OutList { entries: Vec<OutEntry> },
}

/// Recognises the file by its root element and parses it.
pub fn parse_any(bytes: &[u8]) -> Result<AnyDocument, XmlError> {
    let tree = tree::parse(bytes)?;
    any_from_tree(&tree)
}

/// [`parse_any`] for `inspect`: a WayBill_v4's stamps are checked by the same
/// rules but only counted, so a delivery with 100 000 stamps costs no
/// allocation per stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeanDocument {
    WayBill {
        owner_fsrar_id: String,
        doc: Box<WayBillV4<common::StampCheck>>,
    },
    Any(AnyDocument),
}

pub fn parse_any_lean(bytes: &[u8]) -> Result<LeanDocument, XmlError> {
    let tree = tree::parse(bytes)?;
    let root = tree.root();
    if tree.is(root, Some(Ns::Envelope), "Documents") {
        let (owner_fsrar_id, el) = envelope_parts(&tree)?;
        if tree.local(el) == "WayBill_v4" {
            return Ok(LeanDocument::WayBill {
                owner_fsrar_id,
                doc: from_node(&tree, el)?,
            });
        }
    }
    any_from_tree(&tree).map(LeanDocument::Any)
}

fn any_from_tree(tree: &Tree<'_>) -> Result<AnyDocument, XmlError> {
    let root = tree.root();
    if tree.is(root, None, "Cheque") {
        return Ok(AnyDocument::Cheque(Cheque::from_tree(tree)?));
    }
    if tree.is(root, None, "A") {
        return Ok(if utm_reply::looks_like_listing(tree) {
            AnyDocument::OutList {
                entries: utm_reply::out_list_from_tree(tree)?,
            }
        } else {
            AnyDocument::UtmReply(utm_reply::reply_from_tree(tree)?)
        });
    }
    Ok(AnyDocument::Envelope(document_from_tree(tree)?))
}
