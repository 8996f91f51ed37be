//! The inbox handler for acceptance: invoices and their registrations, tickets for our
//! acts, the supplier's ConfirmTicket and ReplyNoAnswerTTN. It runs inside the exchange
//! engine's write transaction, so the domain change commits together with the engine's
//! "applied" marker — a document delivered twice is applied once.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::convert;
use crate::domain::acceptance::{AnswerEffect, Verdict};
use crate::domain::invoice::MergeOutcome;
use crate::egais::exchange::{Applied, HandlerError, InboxDoc, InboxHandler};
use crate::egais::xml::Incoming;
use crate::egais::xml::common::Conclusion;
use crate::store::invoices::{self, ACT_DOC_TYPE, AnswerKind, InvoiceStoreError};

/// The element names this handler applies; everything else is only archived.
pub const HANDLED: [&str; 5] = [
    "WayBill_v4",
    "TTNInformF2Reg",
    "Ticket",
    "ConfirmTicket",
    "ReplyNoAnswerTTN",
];

pub struct AcceptanceInbox {
    /// The shop's time zone: the answer deadline counts from the local date of arrival.
    pub tz: TimeZone,
    /// Clock, replaceable in tests.
    pub now: fn() -> Timestamp,
}

impl AcceptanceInbox {
    pub fn new(tz: TimeZone) -> AcceptanceInbox {
        AcceptanceInbox {
            tz,
            now: Timestamp::now,
        }
    }

    /// Whether this handler has something to do with a document of this element.
    pub fn handles(element: &str) -> bool {
        HANDLED.contains(&element)
    }
}

fn store_err(e: InvoiceStoreError) -> HandlerError {
    match e {
        InvoiceStoreError::Store(s) => HandlerError::Store(s),
        other => HandlerError::Refused(other.message_ru()),
    }
}

fn merge_note(merge: Option<MergeOutcome>, ready: bool) -> &'static str {
    match (merge, ready) {
        (Some(MergeOutcome::Duplicate), _) => "повтор, без изменений",
        (Some(MergeOutcome::IgnoredAfterAnswer), _) => {
            "изменённая копия после ответа — не применена"
        }
        (_, true) => "накладная готова к ответу",
        (_, false) => "ждём вторую часть",
    }
}

impl InboxHandler for AcceptanceInbox {
    fn apply(
        &self,
        tx: &redb::WriteTransaction,
        doc: &InboxDoc<'_>,
    ) -> Result<Applied, HandlerError> {
        let element = doc.envelope.element.as_str();
        if !Self::handles(element) {
            return Ok(Applied {
                summary: format!("{element}: archived"),
            });
        }
        let now = (self.now)();
        let today = now.to_zoned_datetime(self.tz.clone()).date();
        if element == "Ticket" {
            return self.ticket(tx, doc, now);
        }
        // The engine parsed the document with the xml models before calling us.
        match &doc.parsed.doc {
            Incoming::WayBillV4(wb) => {
                let wb = convert::waybill(wb)
                    .map_err(|e| HandlerError::Refused(format!("WayBill_v4: {e}")))?;
                let title = format!("ТТН №{} от {}", wb.number, wb.shipper.display_name());
                let r = invoices::receive_waybill(tx, wb, today, now)?;
                Ok(Applied {
                    summary: format!("{title}: {}", merge_note(r.merge, r.ready)),
                })
            }
            Incoming::TtnInformF2Reg(reg) => {
                let reg = convert::registration(reg);
                let title = format!("справка Б к ТТН №{} ({})", reg.wb_number, reg.wb_reg_id);
                let r = invoices::receive_registration(tx, reg, today, now)?;
                Ok(Applied {
                    summary: format!("{title}: {}", merge_note(r.merge, r.ready)),
                })
            }
            Incoming::ConfirmTicket(ct) => {
                let h = &ct.header;
                let key = invoices::key_by_wb_reg_id_tx(tx, &h.wb_reg_id)?.ok_or_else(|| {
                    HandlerError::Refused(format!(
                        "ConfirmTicket для неизвестной накладной {}",
                        h.wb_reg_id
                    ))
                })?;
                let verdict = Verdict {
                    accepted: h.is_confirm == Conclusion::Accepted,
                    comment: h.note.clone().unwrap_or_default(),
                };
                let effect =
                    invoices::apply_answer(tx, &key, AnswerKind::ConfirmTicket, &verdict, now)
                        .map_err(store_err)?;
                Ok(Applied {
                    summary: format!(
                        "ответ поставщика по {}: {}",
                        h.wb_reg_id,
                        effect_ru(&effect)
                    ),
                })
            }
            Incoming::ReplyNoAnswerTtn(r) => {
                let entries = convert::no_answer(r);
                invoices::put_no_answer(tx, &entries, now)?;
                Ok(Applied {
                    summary: format!("ЕГАИС: неотвеченных накладных {}", entries.len()),
                })
            }
            other => Ok(Applied {
                summary: format!("{}: archived", other.element()),
            }),
        }
    }
}

impl AcceptanceInbox {
    fn ticket(
        &self,
        tx: &redb::WriteTransaction,
        doc: &InboxDoc<'_>,
        now: Timestamp,
    ) -> Result<Applied, HandlerError> {
        let Some(entry) = doc.answers.filter(|e| e.doc.doc_type == ACT_DOC_TYPE) else {
            return Ok(Applied {
                summary: "Ticket: archived".into(),
            });
        };
        let Some(ticket) = doc.envelope.ticket.as_ref() else {
            return Ok(Applied {
                summary: "Ticket: archived".into(),
            });
        };
        if !ticket.is_final() {
            return Ok(Applied {
                summary: "квитанция: акт принят УТМ, ждём результата".into(),
            });
        }
        let Some(v) = ticket.verdict() else {
            return Ok(Applied {
                summary: "Ticket: archived".into(),
            });
        };
        let key = match &entry.doc.doc_ref {
            Some(k) => k.clone(),
            None => invoices::key_by_act_tx(tx, &entry.doc.id)?.ok_or_else(|| {
                HandlerError::Refused(format!("квитанция к неизвестному акту {}", entry.doc.id))
            })?,
        };
        let verdict = Verdict {
            accepted: v.accepted,
            comment: v.comment.clone(),
        };
        let effect = invoices::apply_answer(tx, &key, AnswerKind::ActTicket, &verdict, now)
            .map_err(store_err)?;
        Ok(Applied {
            summary: format!("квитанция на акт: {}", effect_ru(&effect)),
        })
    }
}

fn effect_ru(e: &AnswerEffect) -> String {
    match e {
        AnswerEffect::Archived => "подтверждено, в архиве".into(),
        AnswerEffect::AwaitingSupplier => "ждём ответа поставщика".into(),
        AnswerEffect::Rejected(r) => format!("отклонено: {r}"),
        AnswerEffect::Ignored => "без изменений".into(),
    }
}
