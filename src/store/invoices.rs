//! Supplier invoices (ТТН) with both their parts, the acts sent for them and their states.
//!
//! Every change that sends an act writes the invoice, the act and the outbox entry in ONE
//! write transaction ([`send_act`]), so an act is queued if and only if the invoice says it
//! was sent. A confirmation puts the accepted stamps into the stamp register in the same
//! transaction as the state change ([`apply_answer`]).
//!
//! Lists are drawn from a small summary table so that an invoice with 10,000 stamps does
//! not have to be decoded to show one line of it.

use jiff::Timestamp;
use jiff::civil::Date;
use redb::{ReadTransaction, ReadableTable, TableDefinition, TableHandle, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::outbox::{self, OutgoingDoc};
use super::{StoreError, decode, documents, encode, marks, products};
use crate::domain::acceptance::{
    AcceptanceError, ActContent, ActKind, ActMeta, AnswerEffect, Decision, Verdict,
};
use crate::domain::document::{DocEvent, DocList, DocState};
use crate::domain::invoice::{
    ActionOrder, Form2Reg, Invoice, InvoiceKey, MergeOutcome, NoAnswerEntry, WayBill,
};
use crate::domain::money::Money;
use crate::domain::product::ProductCard;

/// Invoice storage key → [`Invoice`].
pub const INVOICES: TableDefinition<&str, &[u8]> = TableDefinition::new("invoices_v1");
/// Invoice storage key → [`InvoiceSummary`].
pub const INVOICE_SUMMARIES: TableDefinition<&str, &[u8]> =
    TableDefinition::new("invoice_summaries_v1");
/// WBRegId (TTN-…) → invoice storage key.
pub const INVOICE_BY_WBREGID: TableDefinition<&str, &str> =
    TableDefinition::new("invoice_by_wbregid_v1");
/// Act identity (= outbox id) → invoice storage key.
pub const INVOICE_ACTS: TableDefinition<&str, &str> = TableDefinition::new("invoice_acts_v1");
/// Counters (act numbers).
pub const ACCEPTANCE_COUNTERS: TableDefinition<&str, u64> =
    TableDefinition::new("acceptance_counters_v1");

/// "last" → (when, [`NoAnswerEntry`] list) from the latest ReplyNoAnswerTTN.
pub const NO_ANSWER: TableDefinition<&str, &[u8]> = TableDefinition::new("acceptance_no_answer_v1");

/// The outbox document type of an act.
pub const ACT_DOC_TYPE: &str = "WayBillAct_v4";

/// One line of the invoice lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub key: InvoiceKey,
    pub wb_reg_id: Option<String>,
    pub shipper: String,
    pub positions: usize,
    pub total: Money,
    pub marks: usize,
    pub received_on: Date,
    pub state: DocState,
    pub ready: bool,
    /// Kind of the current act, if one was sent.
    pub act: Option<ActKind>,
    pub awaiting_supplier: bool,
    pub last_change: Option<Timestamp>,
}

impl ActionOrder for InvoiceSummary {
    fn order_key(&self) -> &InvoiceKey {
        &self.key
    }
    fn order_received_on(&self) -> Date {
        self.received_on
    }
    fn order_ready(&self) -> bool {
        self.ready
    }
    fn order_rejected(&self) -> bool {
        self.state.is_rejected()
    }
    fn order_last_change(&self) -> Option<Timestamp> {
        self.last_change
    }
}

impl InvoiceSummary {
    pub fn of(inv: &Invoice) -> InvoiceSummary {
        InvoiceSummary {
            key: inv.key.clone(),
            wb_reg_id: inv.wb_reg_id().map(str::to_string),
            shipper: inv.shipper_name().to_string(),
            positions: inv.positions().len(),
            total: inv.total_amount(),
            marks: inv.mark_count(),
            received_on: inv.received_on,
            state: inv.state.clone(),
            ready: inv.readiness().is_ready(),
            act: inv.current_act().map(|a| a.content.kind),
            awaiting_supplier: inv.current_act().is_some_and(|a| a.awaiting_supplier),
            last_change: inv.history.last().map(|h| h.at),
        }
    }

    pub fn list(&self) -> DocList {
        self.state.list()
    }
}

/// A refused acceptance action or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceStoreError {
    #[error(transparent)]
    Rule(#[from] AcceptanceError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("Накладная {0} не найдена")]
    NotFound(String),
}

impl InvoiceStoreError {
    pub fn message_ru(&self) -> String {
        match self {
            InvoiceStoreError::Rule(e) => e.message_ru(),
            InvoiceStoreError::Store(e) => e.message_ru(),
            InvoiceStoreError::NotFound(_) => self.to_string(),
        }
    }
}

/// What the arrival of one part of an invoice did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub key: InvoiceKey,
    /// `None` when this part created the invoice.
    pub merge: Option<MergeOutcome>,
    pub ready: bool,
}

fn read_invoice(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<Invoice>, StoreError> {
    let row = table.get(key)?;
    row.map(|v| decode(INVOICES.name(), v.value())).transpose()
}

/// Reads an invoice inside a write transaction.
pub fn get_tx(tx: &WriteTransaction, key: &str) -> Result<Option<Invoice>, StoreError> {
    read_invoice(&tx.open_table(INVOICES)?, key)
}

pub fn get(tx: &ReadTransaction, key: &str) -> Result<Option<Invoice>, StoreError> {
    match tx.open_table(INVOICES) {
        Ok(t) => read_invoice(&t, key),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes an invoice with its summary and indexes.
pub fn put(tx: &WriteTransaction, inv: &Invoice) -> Result<(), StoreError> {
    let key = inv.key.storage_key();
    tx.open_table(INVOICES)?
        .insert(key.as_str(), encode(inv)?.as_slice())?;
    tx.open_table(INVOICE_SUMMARIES)?
        .insert(key.as_str(), encode(&InvoiceSummary::of(inv))?.as_slice())?;
    if let Some(reg) = inv.wb_reg_id() {
        tx.open_table(INVOICE_BY_WBREGID)?
            .insert(reg, key.as_str())?;
    }
    let mut acts = tx.open_table(INVOICE_ACTS)?;
    for act in &inv.acts {
        acts.insert(act.content.identity.as_str(), key.as_str())?;
    }
    Ok(())
}

/// The invoice's line in the generic document register (`store::documents`), which the
/// other panes and the tab-bar counter read. The register mirrors the invoice: the
/// invoice's own record stays the truth, so a register problem is logged, not fatal.
fn register_invoice(tx: &WriteTransaction, inv: &Invoice, at: Timestamp) -> Result<(), StoreError> {
    // The deadline depends on the shop's holiday calendar, which only the UI knows; the
    // invoice inbox shows it.
    let summary = format!(
        "{} поз. · {} руб. · марок {}",
        inv.positions().len(),
        inv.total_amount().display_ru(),
        inv.mark_count()
    );
    let rec = documents::DocRecord::new(
        inv.key.storage_key(),
        documents::DocKind::IncomingWayBill,
        inv.key.number.clone(),
        inv.key.date,
        inv.shipper_name().to_string(),
        summary,
        at,
    );
    mirror_result(documents::insert(tx, &rec))
}

fn register_event(
    tx: &WriteTransaction,
    key: &str,
    event: &DocEvent,
    at: Timestamp,
    note: &str,
) -> Result<(), StoreError> {
    mirror_result(documents::apply_event(tx, key, event, at, Some(note)).map(|_| ()))
}

fn mirror_result(r: Result<(), documents::DocStoreError>) -> Result<(), StoreError> {
    match r {
        Ok(()) | Err(documents::DocStoreError::Duplicate { .. }) => Ok(()),
        Err(documents::DocStoreError::Store(e)) => Err(e),
        Err(e) => {
            tracing::warn!("acceptance: document register not updated: {e}");
            Ok(())
        }
    }
}

/// Every invoice's summary, in key order.
pub fn summaries(tx: &ReadTransaction) -> Result<Vec<InvoiceSummary>, StoreError> {
    Ok(super::read_all(tx, INVOICE_SUMMARIES)?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

/// Every invoice in full (tests, reports).
pub fn all(tx: &ReadTransaction) -> Result<Vec<Invoice>, StoreError> {
    Ok(super::read_all(tx, INVOICES)?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

pub fn key_by_wb_reg_id_tx(
    tx: &WriteTransaction,
    wb_reg_id: &str,
) -> Result<Option<String>, StoreError> {
    let t = tx.open_table(INVOICE_BY_WBREGID)?;
    let v = t.get(wb_reg_id.trim())?;
    Ok(v.map(|v| v.value().to_string()))
}

pub fn key_by_wb_reg_id(
    tx: &ReadTransaction,
    wb_reg_id: &str,
) -> Result<Option<String>, StoreError> {
    match tx.open_table(INVOICE_BY_WBREGID) {
        Ok(t) => Ok(t.get(wb_reg_id.trim())?.map(|v| v.value().to_string())),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn key_by_act_tx(
    tx: &WriteTransaction,
    act_identity: &str,
) -> Result<Option<String>, StoreError> {
    let t = tx.open_table(INVOICE_ACTS)?;
    let v = t.get(act_identity)?;
    Ok(v.map(|v| v.value().to_string()))
}

/// A WayBill_v4 arrived: creates the invoice or completes it. A repeated delivery of the
/// same document changes nothing.
pub fn receive_waybill(
    tx: &WriteTransaction,
    wb: WayBill,
    received_on: Date,
    at: Timestamp,
) -> Result<Received, StoreError> {
    let key = wb.key();
    let part = Part {
        value: wb,
        note: "получена накладная",
        attach: Invoice::attach_waybill,
        create: Invoice::from_waybill,
    };
    receive_part(tx, key, part, received_on, at)
}

/// A FORM2REGINFO arrived: creates the invoice or completes it.
pub fn receive_registration(
    tx: &WriteTransaction,
    reg: Form2Reg,
    received_on: Date,
    at: Timestamp,
) -> Result<Received, StoreError> {
    let key = reg.key();
    let part = Part {
        value: reg,
        note: "получена справка Б",
        attach: Invoice::attach_registration,
        create: Invoice::from_registration,
    };
    receive_part(tx, key, part, received_on, at)
}

/// One of the two parts of an invoice (they arrive in either order) and how it joins one.
struct Part<P> {
    value: P,
    note: &'static str,
    attach: fn(&mut Invoice, P) -> MergeOutcome,
    create: fn(P, Date, Timestamp) -> Invoice,
}

fn receive_part<P>(
    tx: &WriteTransaction,
    key: InvoiceKey,
    part: Part<P>,
    received_on: Date,
    at: Timestamp,
) -> Result<Received, StoreError> {
    let (inv, merge) = match get_tx(tx, &key.storage_key())? {
        Some(mut inv) => {
            let outcome = (part.attach)(&mut inv, part.value);
            if outcome != MergeOutcome::Duplicate {
                inv.record(at, part.note);
            }
            (inv, Some(outcome))
        }
        None => ((part.create)(part.value, received_on, at), None),
    };
    if merge != Some(MergeOutcome::Duplicate) {
        put(tx, &inv)?;
        if inv.readiness().is_ready() {
            register_invoice(tx, &inv, at)?;
        }
    }
    Ok(Received {
        key,
        merge,
        ready: inv.readiness().is_ready(),
    })
}

/// The next act number, counted per shop.
pub fn next_act_number(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let mut t = tx.open_table(ACCEPTANCE_COUNTERS)?;
    let n = t.get("act_number")?.map(|v| v.value()).unwrap_or(0) + 1;
    t.insert("act_number", n)?;
    Ok(n)
}

/// Sends the shop's answer: validates the decision against the invoice, records the act
/// and queues its XML in the same transaction. `build_xml` turns the act into the
/// document to send; nothing is written if the decision is refused.
pub fn send_act(
    tx: &WriteTransaction,
    key: &str,
    decision: Decision,
    act_date: Date,
    at: Timestamp,
    build_xml: impl FnOnce(&ActContent) -> Result<Vec<u8>, AcceptanceError>,
) -> Result<ActContent, InvoiceStoreError> {
    let mut inv = get_tx(tx, key)?.ok_or_else(|| InvoiceStoreError::NotFound(key.to_string()))?;
    // A refused decision returns early; dropping the transaction also drops the number.
    let meta = ActMeta {
        identity: uuid::Uuid::new_v4().to_string(),
        number: next_act_number(tx)?.to_string(),
        date: act_date,
    };
    let act = inv.prepare_act(decision, &meta)?;
    let xml = build_xml(&act)?;
    outbox::enqueue(
        tx,
        OutgoingDoc {
            id: act.identity.clone(),
            doc_type: ACT_DOC_TYPE.into(),
            xml,
            doc_ref: Some(key.to_string()),
            created_at: at,
        },
    )?;
    inv.record_sent(act.clone(), at)?;
    put(tx, &inv)?;
    register_event(
        tx,
        key,
        &DocEvent::Sent,
        at,
        &format!("акт №{}: {}", act.act_number, act.kind.label_ru()),
    )?;
    if act.kind != ActKind::Rejected {
        update_products(tx, &inv)?;
    }
    Ok(act)
}

fn card_in_write(tx: &WriteTransaction, alc_code: &str) -> Result<Option<ProductCard>, StoreError> {
    let table = tx.open_table(products::PRODUCTS)?;
    let row = table.get(alc_code)?;
    row.map(|v| decode(products::PRODUCTS.name(), v.value()))
        .transpose()
}

/// Creates or refreshes the product cards of an accepted invoice. The barcode printed in
/// the invoice (EAN13) is bound when it is free; a clash with another product is left for
/// the cashier's binding step rather than failing the acceptance.
pub fn update_products(tx: &WriteTransaction, inv: &Invoice) -> Result<usize, StoreError> {
    let mut existing = Vec::new();
    for p in inv.positions() {
        if let Some(c) = card_in_write(tx, &p.product.alc_code)? {
            existing.push(c);
        }
    }
    let cards = inv.product_cards(|code| existing.iter().find(|c| c.alc_code == code).cloned());
    let mut written = 0;
    for card in &cards {
        match products::upsert(tx, card) {
            Ok(()) => written += 1,
            Err(products::ProductError::Store(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(alc_code = %card.alc_code, "acceptance: product card not updated: {e}");
                continue;
            }
        }
        let invoice_eans = inv
            .positions()
            .iter()
            .filter(|p| p.product.alc_code == card.alc_code)
            .filter_map(|p| p.ean13.as_deref())
            .filter(|e| crate::domain::mark::ean13_is_valid(e));
        for ean in invoice_eans {
            match products::bind_ean(tx, &card.alc_code, ean) {
                Ok(_) => {}
                Err(products::ProductError::Store(e)) => return Err(e),
                Err(e) => tracing::warn!(%ean, "acceptance: invoice barcode not bound: {e}"),
            }
        }
    }
    Ok(written)
}

/// Binds barcodes chosen in the binding dialog: (AlcCode, EAN, arrived with stamps).
/// All or nothing: a barcode that belongs to another product refuses the whole batch.
pub fn bind_eans(
    tx: &WriteTransaction,
    bindings: &[(String, String, bool)],
) -> Result<usize, products::ProductError> {
    let mut bound = 0;
    for (alc_code, ean, stamped) in bindings {
        if products::bind_ean(tx, alc_code, ean)? {
            bound += 1;
        }
        if let Some(mut card) = card_in_write(tx, alc_code)? {
            crate::domain::ean_binding::bind_to_card(&mut card, ean, *stamped);
            products::upsert(tx, &card)?;
        }
    }
    Ok(bound)
}

/// The last ReplyNoAnswerTTN: what EGAIS believes the shop has not answered.
pub fn put_no_answer(
    tx: &WriteTransaction,
    entries: &[NoAnswerEntry],
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.open_table(NO_ANSWER)?
        .insert("last", encode(&(at, entries.to_vec()))?.as_slice())?;
    Ok(())
}

pub fn clear_no_answer(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(NO_ANSWER)?.remove("last")?;
    Ok(())
}

pub fn no_answer(
    tx: &ReadTransaction,
) -> Result<Option<(Timestamp, Vec<NoAnswerEntry>)>, StoreError> {
    let table = match tx.open_table(NO_ANSWER) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let row = table.get("last")?;
    row.map(|v| decode(NO_ANSWER.name(), v.value())).transpose()
}

/// Which answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// The EGAIS Ticket for the act.
    ActTicket,
    /// The supplier's ConfirmTicket (answer to a Differences act).
    ConfirmTicket,
}

/// Applies an answer; on confirmation the accepted stamps enter the stamp register in the
/// same transaction.
pub fn apply_answer(
    tx: &WriteTransaction,
    key: &str,
    kind: AnswerKind,
    verdict: &Verdict,
    at: Timestamp,
) -> Result<AnswerEffect, InvoiceStoreError> {
    let mut inv = get_tx(tx, key)?.ok_or_else(|| InvoiceStoreError::NotFound(key.to_string()))?;
    let effect = match kind {
        AnswerKind::ActTicket => inv.apply_act_ticket(verdict, at),
        AnswerKind::ConfirmTicket => inv.apply_confirm_ticket(verdict, at),
    };
    if effect == AnswerEffect::Ignored {
        return Ok(effect);
    }
    if effect == AnswerEffect::Archived {
        marks::register_accepted(tx, &inv, at)?;
    }
    put(tx, &inv)?;
    let who = match kind {
        AnswerKind::ActTicket => "квитанция ЕГАИС",
        AnswerKind::ConfirmTicket => "ответ поставщика",
    };
    match &effect {
        AnswerEffect::Archived => register_event(tx, key, &DocEvent::Confirmed, at, who)?,
        AnswerEffect::Rejected(reason) => register_event(
            tx,
            key,
            &DocEvent::Refused {
                reason: reason.clone(),
            },
            at,
            who,
        )?,
        AnswerEffect::AwaitingSupplier | AnswerEffect::Ignored => {}
    }
    Ok(effect)
}

/// Closes a rejected invoice without sending anything.
pub fn close_rejected(
    tx: &WriteTransaction,
    key: &str,
    at: Timestamp,
) -> Result<(), InvoiceStoreError> {
    let mut inv = get_tx(tx, key)?.ok_or_else(|| InvoiceStoreError::NotFound(key.to_string()))?;
    inv.close_rejected(at)?;
    put(tx, &inv)?;
    register_event(tx, key, &DocEvent::Closed, at, "закрыта без ответа")?;
    Ok(())
}

/// Deletes an invoice and its acts; only from the archive. The raw documents stay in the
/// archive table and the stamps stay in the stamp register.
pub fn delete(tx: &WriteTransaction, key: &str) -> Result<(), InvoiceStoreError> {
    let inv = get_tx(tx, key)?.ok_or_else(|| InvoiceStoreError::NotFound(key.to_string()))?;
    inv.ensure_deletable()?;
    remove(tx, key, &inv)?;
    mirror_result(documents::delete_archived(tx, key).map(|_| ()))?;
    Ok(())
}

fn remove(tx: &WriteTransaction, key: &str, inv: &Invoice) -> Result<(), StoreError> {
    tx.open_table(INVOICES)?.remove(key)?;
    tx.open_table(INVOICE_SUMMARIES)?.remove(key)?;
    if let Some(reg) = inv.wb_reg_id() {
        tx.open_table(INVOICE_BY_WBREGID)?.remove(reg)?;
    }
    let mut acts = tx.open_table(INVOICE_ACTS)?;
    for act in &inv.acts {
        acts.remove(act.content.identity.as_str())?;
    }
    Ok(())
}

/// Creates the tables (called from `create_all_tables`).
pub fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(INVOICES)?;
    tx.open_table(INVOICE_SUMMARIES)?;
    tx.open_table(INVOICE_BY_WBREGID)?;
    tx.open_table(INVOICE_ACTS)?;
    tx.open_table(ACCEPTANCE_COUNTERS)?;
    tx.open_table(NO_ANSWER)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::acceptance::DiscrepancyDraft;
    use crate::domain::invoice::fixtures::*;
    use crate::store::Store;
    use jiff::civil::date;

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    fn day() -> Date {
        date(2026, 11, 26)
    }

    fn receive_both(store: &Store) -> String {
        let inv = ready_invoice();
        let wb = inv.waybill.clone().unwrap();
        let reg = inv.registration.clone().unwrap();
        // Registration first, then the invoice: either order works.
        let r1 = store
            .write(|tx| receive_registration(tx, reg.clone(), day(), ts(0)))
            .unwrap();
        assert!(!r1.ready);
        let r2 = store
            .write(|tx| receive_waybill(tx, wb.clone(), day(), ts(1)))
            .unwrap();
        assert!(r2.ready);
        assert_eq!(r2.merge, Some(MergeOutcome::Attached));
        let dup = store
            .write(|tx| receive_waybill(tx, wb, day(), ts(2)))
            .unwrap();
        assert_eq!(dup.merge, Some(MergeOutcome::Duplicate));
        r2.key.storage_key()
    }

    fn xml(act: &ActContent) -> Result<Vec<u8>, AcceptanceError> {
        Ok(format!("<act kind='{}'/>", act.kind.xml()).into_bytes())
    }

    #[test]
    fn parts_in_either_order_make_one_invoice() {
        let (_d, store) = open();
        let key = receive_both(&store);
        let list = store.read(summaries).unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].ready);
        assert_eq!(list[0].positions, 3);
        assert_eq!(list[0].marks, 17);
        assert_eq!(
            store
                .read(|tx| key_by_wb_reg_id(tx, "TTN-0557370828"))
                .unwrap()
                .as_deref(),
            Some(key.as_str())
        );
    }

    #[test]
    fn accepting_queues_the_act_in_the_same_transaction() {
        let (_d, store) = open();
        let key = receive_both(&store);
        let act = store
            .write(|tx| send_act(tx, &key, Decision::AcceptAll, day(), ts(5), xml))
            .unwrap();
        assert_eq!(act.act_number, "1");
        let queued = store.read(outbox::all).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].doc.id, act.identity);
        assert_eq!(queued[0].doc.doc_type, "WayBillAct_v4");
        assert_eq!(queued[0].doc.doc_ref.as_deref(), Some(key.as_str()));
        let inv = store.read(|tx| get(tx, &key)).unwrap().unwrap();
        assert_eq!(inv.state, DocState::UnderReview);

        // Pressing accept again is refused and queues nothing.
        let err = store
            .write(|tx| send_act(tx, &key, Decision::AcceptAll, day(), ts(6), xml))
            .unwrap_err();
        assert!(
            err.message_ru().contains("ждёт ответа"),
            "{}",
            err.message_ru()
        );
        assert_eq!(store.read(outbox::all).unwrap().len(), 1);

        let effect = store
            .write(|tx| {
                apply_answer(
                    tx,
                    &key,
                    AnswerKind::ActTicket,
                    &Verdict {
                        accepted: true,
                        comment: "подтверждена".into(),
                    },
                    ts(7),
                )
            })
            .unwrap();
        assert_eq!(effect, AnswerEffect::Archived);
        let rec = store
            .read(|tx| documents::get(tx, &key))
            .unwrap()
            .expect("mirrored in the document register");
        assert_eq!(rec.state, DocState::Archive);
        assert_eq!(rec.kind, documents::DocKind::IncomingWayBill);
        assert!(
            rec.summary.starts_with("3 поз. · 5 309,50 руб."),
            "{}",
            rec.summary
        );
        let stamp = store
            .read(|tx| marks::lookup(tx, &mark(0, 3)))
            .unwrap()
            .unwrap();
        assert_eq!(stamp.f2_reg_id, "FB-000004917646122");
        assert_eq!(stamp.invoice, key);
        assert_eq!(store.read(marks::count).unwrap(), 17);
    }

    #[test]
    fn a_refused_action_changes_nothing() {
        let (_d, store) = open();
        let key = receive_both(&store);
        let before = store.read(|tx| get(tx, &key)).unwrap();
        let err = store
            .write(|tx| {
                send_act(
                    tx,
                    &key,
                    Decision::Reject { reason: " ".into() },
                    day(),
                    ts(5),
                    xml,
                )
            })
            .unwrap_err();
        assert_eq!(err.message_ru(), "Укажите причину отказа");
        assert_eq!(store.read(|tx| get(tx, &key)).unwrap(), before);
        assert!(store.read(outbox::all).unwrap().is_empty());
        let err = store.write(|tx| delete(tx, &key)).unwrap_err();
        assert_eq!(err.message_ru(), "Удалить можно только документ из архива");
    }

    #[test]
    fn differences_wait_for_the_supplier_and_register_only_received_stamps() {
        let (_d, store) = open();
        let key = receive_both(&store);
        let inv = store.read(|tx| get(tx, &key)).unwrap().unwrap();
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        draft.toggle_mark(1, 0, 2).unwrap();
        draft.set_quantity(2, "19").unwrap();
        store
            .write(|tx| send_act(tx, &key, draft.decision(), day(), ts(5), xml))
            .unwrap();
        let ok = Verdict {
            accepted: true,
            comment: String::new(),
        };
        let e1 = store
            .write(|tx| apply_answer(tx, &key, AnswerKind::ActTicket, &ok, ts(6)))
            .unwrap();
        assert_eq!(e1, AnswerEffect::AwaitingSupplier);
        assert_eq!(store.read(marks::count).unwrap(), 0);
        let e2 = store
            .write(|tx| apply_answer(tx, &key, AnswerKind::ConfirmTicket, &ok, ts(7)))
            .unwrap();
        assert_eq!(e2, AnswerEffect::Archived);
        assert_eq!(store.read(marks::count).unwrap(), 16);
        assert!(
            store
                .read(|tx| marks::lookup(tx, &mark(1, 2)))
                .unwrap()
                .is_none()
        );
        // Archived: now it may be deleted; the stamps stay.
        store.write(|tx| delete(tx, &key)).unwrap();
        assert!(store.read(summaries).unwrap().is_empty());
        assert_eq!(store.read(marks::count).unwrap(), 16);
    }
}
