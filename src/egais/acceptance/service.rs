//! Runs the Приёмка pane's effects against the store: each business change and the
//! document it sends are written in one transaction; the exchange engine sends them.
//! Blocking (redb): the app runs [`AcceptanceService::run`] on a blocking thread and feeds
//! the answer back to the pane.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::convert;
use crate::domain::acceptance::{ActContent, Decision};
use crate::domain::ean_binding::EanBindingPlan;
use crate::domain::invoice::{Invoice, NoAnswerEntry};
use crate::egais::xml::{QueryNattn, QueryResendDoc};
use crate::store::invoices::{self, InvoiceStoreError, InvoiceSummary};
use crate::store::outbox::{self, OutgoingDoc};
use crate::store::{Store, StoreError, products};
use crate::tui::acceptance::{BarcodeOwners, Effect, Event};

#[derive(Clone)]
pub struct AcceptanceService {
    pub store: Arc<Store>,
    /// The shop's FSRAR ID: the sender of every document.
    pub fsrar_id: String,
    pub tz: TimeZone,
}

impl AcceptanceService {
    pub fn new(store: Arc<Store>, fsrar_id: &str, tz: TimeZone) -> AcceptanceService {
        AcceptanceService {
            store,
            fsrar_id: fsrar_id.to_string(),
            tz,
        }
    }

    pub fn summaries(&self) -> Result<Vec<InvoiceSummary>, StoreError> {
        self.store.read(invoices::summaries)
    }

    pub fn open(&self, key: &str) -> Result<Invoice, InvoiceStoreError> {
        self.store
            .read(|tx| invoices::get(tx, key))?
            .ok_or_else(|| InvoiceStoreError::NotFound(key.to_string()))
    }

    /// Sends the shop's answer: act, outbox entry and product cards in one transaction.
    pub fn send(
        &self,
        key: &str,
        decision: Decision,
        now: Timestamp,
    ) -> Result<ActContent, InvoiceStoreError> {
        let today = now.to_zoned_datetime(self.tz.clone()).date();
        let sender = self.fsrar_id.clone();
        self.store.write(|tx| {
            invoices::send_act(tx, key, decision, today, now, |act| {
                let doc = convert::act_document(act)?;
                Ok(doc.to_xml(&sender).into_bytes())
            })
        })
    }

    pub fn delete(&self, key: &str) -> Result<(), InvoiceStoreError> {
        self.store.write(|tx| invoices::delete(tx, key))
    }

    fn enqueue_query(&self, doc_type: &str, xml: String, now: Timestamp) -> Result<(), StoreError> {
        self.store.write(|tx| {
            outbox::enqueue(
                tx,
                OutgoingDoc {
                    id: uuid::Uuid::new_v4().to_string(),
                    doc_type: doc_type.to_string(),
                    xml: xml.into_bytes(),
                    doc_ref: None,
                    created_at: now,
                },
            )
            .map(|_| ())
        })
    }

    /// "Запросить непринятые": QueryNATTN; the reply (ReplyNoAnswerTTN) arrives later.
    pub fn query_no_answer(&self, now: Timestamp) -> Result<(), StoreError> {
        let q = QueryNattn::for_fsrar_id(&self.fsrar_id);
        let xml = q.to_xml(&self.fsrar_id);
        self.store.write(|tx| {
            // The previous reply is out of date the moment a new one is asked for.
            invoices::clear_no_answer(tx)?;
            outbox::enqueue(
                tx,
                OutgoingDoc {
                    id: uuid::Uuid::new_v4().to_string(),
                    doc_type: q.doc_type().to_string(),
                    xml: xml.into_bytes(),
                    doc_ref: None,
                    created_at: now,
                },
            )
            .map(|_| ())
        })
    }

    /// "Запросить повторно": QueryResendDoc with WBREGID for a lost invoice.
    pub fn query_resend(&self, wb_reg_id: &str, now: Timestamp) -> Result<(), StoreError> {
        let q = QueryResendDoc::waybill(wb_reg_id.trim());
        self.enqueue_query(q.doc_type(), q.to_xml(&self.fsrar_id), now)
    }

    pub fn no_answer(&self) -> Result<Option<(Timestamp, Vec<NoAnswerEntry>)>, StoreError> {
        self.store.read(invoices::no_answer)
    }

    /// The products of an answered invoice still without a barcode, and who owns the
    /// barcodes already in the catalogue (EAN → (AlcCode, name)).
    pub fn binding_plan(
        &self,
        key: &str,
    ) -> Result<(EanBindingPlan, BarcodeOwners), InvoiceStoreError> {
        let inv = self.open(key)?;
        let cards = self.store.read(products::all)?;
        let plan = EanBindingPlan::for_invoice(&inv, |code| {
            cards.iter().find(|c| c.alc_code == code).cloned()
        });
        let owners = cards
            .iter()
            .flat_map(|c| {
                c.eans.iter().map(move |e| {
                    (
                        e.clone(),
                        (c.alc_code.clone(), c.display_name().to_string()),
                    )
                })
            })
            .collect();
        Ok((plan, owners))
    }

    pub fn bind_eans(&self, bindings: &[(String, String, bool)]) -> Result<usize, String> {
        self.store
            .write(|tx| invoices::bind_eans(tx, bindings))
            .map_err(|e| e.message_ru())
    }

    /// Runs one pane effect and says what came of it.
    pub fn run(&self, effect: Effect, now: Timestamp) -> Event {
        match effect {
            Effect::Reload => match self.summaries() {
                Ok(s) => Event::Loaded(s),
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::Open { key, edit } => match self.open(&key) {
                Ok(inv) => Event::Opened {
                    invoice: Box::new(inv),
                    edit,
                },
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::Send { key, decision } => match self.send(&key, decision, now) {
                Ok(act) => Event::Sent {
                    key,
                    kind: act.kind,
                },
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::Delete { key } => match self.delete(&key) {
                Ok(()) => Event::Done("Накладная удалена из архива".into()),
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::QueryNoAnswer => match self.query_no_answer(now) {
                Ok(()) => Event::Done(
                    "Запрос непринятых накладных поставлен в очередь, ответ ЕГАИС появится здесь"
                        .into(),
                ),
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::LoadNoAnswer => match self.no_answer() {
                Ok(Some((_, entries))) => Event::NoAnswer(entries),
                Ok(None) => Event::NoAnswerNotYet,
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::QueryResend { wb_reg_id } => match self.query_resend(&wb_reg_id, now) {
                Ok(()) => Event::Done(format!(
                    "Запрос повторной отправки {wb_reg_id} поставлен в очередь"
                )),
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::PrepareBinding { key } => match self.binding_plan(&key) {
                Ok((plan, owners)) => Event::BindingPlan { plan, owners },
                Err(e) => Event::Failed(e.message_ru()),
            },
            Effect::BindEans { bindings } => match self.bind_eans(&bindings) {
                Ok(n) => Event::Done(format!("Привязано штрихкодов: {n}")),
                Err(e) => Event::Failed(e),
            },
        }
    }

    /// The pane event for the latest ReplyNoAnswerTTN, after the exchange applied one.
    pub fn no_answer_event(&self) -> Event {
        match self.no_answer() {
            Ok(Some((_, entries))) => Event::NoAnswer(entries),
            Ok(None) => Event::NoAnswer(Vec::new()),
            Err(e) => Event::Failed(e.message_ru()),
        }
    }
}
