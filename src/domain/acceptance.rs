//! The shop's answer to a supplier invoice: accept in full, accept with discrepancies, or
//! reject — and what EGAIS and the supplier answer back.
//!
//! The answer is a WayBillAct_v4. For "Differences" it lists one position per line whose
//! real quantity differs, with the stamps actually received; the supplier then confirms or
//! refuses with a ConfirmTicket. Every state change goes through [`DocState::apply`].

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::document::{DocEvent, DocState, TransitionError};
use super::invoice::{AcceptedLine, Invoice, Quantity, Readiness};
use super::money::{AmountError, parse_decimal};

/// WayBillAct_v4 `IsAccept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActKind {
    Accepted,
    Rejected,
    Differences,
}

impl ActKind {
    /// The value EGAIS expects in `wa:IsAccept`.
    pub fn xml(self) -> &'static str {
        match self {
            ActKind::Accepted => "Accepted",
            ActKind::Rejected => "Rejected",
            ActKind::Differences => "Differences",
        }
    }

    pub fn label_ru(self) -> &'static str {
        match self {
            ActKind::Accepted => "Принята полностью",
            ActKind::Rejected => "Отказ",
            ActKind::Differences => "С расхождениями",
        }
    }
}

/// One position of a Differences act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActPosition {
    pub identity: String,
    /// The shop's new справка Б from FORM2REGINFO.
    pub f2_reg_id: String,
    pub real_quantity: Quantity,
    /// Stamps actually received on this position.
    pub marks: Vec<String>,
}

/// Who the act is: its `Identity` (also the outbox id, so tickets find it), its number and
/// date as the shop numbers its acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActMeta {
    pub identity: String,
    pub number: String,
    pub date: Date,
}

/// Everything a WayBillAct_v4 says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActContent {
    pub identity: String,
    pub kind: ActKind,
    pub act_number: String,
    pub act_date: Date,
    pub wb_reg_id: String,
    pub note: Option<String>,
    pub positions: Vec<ActPosition>,
}

/// What the cashier decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    AcceptAll,
    Differences(Vec<ActPosition>),
    Reject { reason: String },
}

/// An act as the shop keeps it after sending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentAct {
    pub content: ActContent,
    pub sent_at: Timestamp,
    pub state: DocState,
    /// EGAIS registered a Differences act; the supplier's ConfirmTicket is awaited.
    pub awaiting_supplier: bool,
    /// Comments from tickets, in arrival order.
    pub remarks: Vec<String>,
}

/// A ticket's or ConfirmTicket's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub accepted: bool,
    pub comment: String,
}

/// What an incoming answer changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerEffect {
    /// Confirmed: the invoice is in the archive with these quantities on the balance.
    Archived,
    /// EGAIS registered the Differences act; waiting for the supplier.
    AwaitingSupplier,
    /// Refused, with the reason shown in red.
    Rejected(String),
    /// Nothing to apply it to (a repeated ticket, or one for an older act).
    Ignored,
}

/// Why the cashier's action was refused. The text is for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceError {
    #[error("{0}")]
    NotReady(String),
    #[error("Нельзя {action}: {reason}")]
    NotAllowed { action: String, reason: String },
    #[error(
        "Позиция {position}: принято {real}, а в накладной {invoiced}. Больше, чем отгрузил поставщик, принять нельзя"
    )]
    OverQuantity {
        position: String,
        real: Quantity,
        invoiced: Quantity,
    },
    #[error("Позиция {position}: {source}")]
    BadQuantity {
        position: String,
        source: AmountError,
    },
    #[error("Позиция {0}: количество бутылок должно быть целым")]
    FractionalBottles(String),
    #[error(
        "Позиция {0} с акцизными марками: количество задаётся марками — сканируйте пришедшие марки или снимите отметки с недостающих"
    )]
    StampedQuantity(String),
    #[error("Марка {0} не из этой накладной — такую бутылку поставщик не отгружал")]
    StampNotInInvoice(String),
    #[error("Марка {0} уже отмечена как принятая")]
    StampAlreadyScanned(String),
    #[error("Позиция {0} не найдена в накладной")]
    NoSuchPosition(String),
    #[error("Укажите причину отказа")]
    ReasonRequired,
    #[error("Удалить можно только документ из архива")]
    DeleteNotArchived,
    #[error("Акт содержит ошибку: {0}")]
    InvalidAct(String),
}

impl AcceptanceError {
    pub fn message_ru(&self) -> String {
        self.to_string()
    }
}

fn refused(action: &str, e: TransitionError) -> AcceptanceError {
    let reason = e
        .message
        .split_once(": ")
        .map(|(_, r)| r.trim_end_matches('.').to_string())
        .unwrap_or(e.message);
    AcceptanceError::NotAllowed {
        action: action.to_string(),
        reason,
    }
}

/// Shows the head of a long stamp code: the full 150 characters help nobody on screen.
pub fn short_mark(code: &str) -> String {
    let head: String = code.chars().take(24).collect();
    if code.chars().count() > 24 {
        format!("{head}…")
    } else {
        head
    }
}

impl Invoice {
    fn ensure_can_answer(&self, action: &str) -> Result<(), AcceptanceError> {
        self.state
            .apply(&DocEvent::Sent)
            .map_err(|e| refused(action, e))?;
        match self.readiness() {
            Readiness::Ready => Ok(()),
            other => Err(AcceptanceError::NotReady(other.message_ru())),
        }
    }

    /// Builds the act for a decision, checking that it may be sent and that it only
    /// references what the invoice contains.
    pub fn prepare_act(
        &self,
        decision: Decision,
        meta: &ActMeta,
    ) -> Result<ActContent, AcceptanceError> {
        let action = match &decision {
            Decision::AcceptAll => "принять накладную",
            Decision::Differences(_) => "отправить акт расхождений",
            Decision::Reject { .. } => "отказаться от накладной",
        };
        self.ensure_can_answer(action)?;
        let wb_reg_id = self.wb_reg_id().unwrap_or_default().to_string();
        let (kind, note, positions) = match decision {
            Decision::AcceptAll => (ActKind::Accepted, None, Vec::new()),
            Decision::Reject { reason } => {
                let reason = reason.trim().to_string();
                if reason.is_empty() {
                    return Err(AcceptanceError::ReasonRequired);
                }
                (ActKind::Rejected, Some(reason), Vec::new())
            }
            Decision::Differences(positions) => {
                self.check_differences(&positions)?;
                if positions.is_empty() {
                    (ActKind::Accepted, None, Vec::new())
                } else {
                    (ActKind::Differences, None, positions)
                }
            }
        };
        Ok(ActContent {
            identity: meta.identity.clone(),
            kind,
            act_number: meta.number.clone(),
            act_date: meta.date,
            wb_reg_id,
            note,
            positions,
        })
    }

    fn check_differences(&self, positions: &[ActPosition]) -> Result<(), AcceptanceError> {
        let lines = self.lines();
        let mut seen = HashSet::new();
        for ap in positions {
            let line = lines
                .iter()
                .find(|l| l.position.identity.trim() == ap.identity.trim())
                .ok_or_else(|| AcceptanceError::NoSuchPosition(ap.identity.clone()))?;
            if !seen.insert(ap.identity.trim()) {
                return Err(AcceptanceError::InvalidAct(format!(
                    "позиция {} указана дважды",
                    ap.identity
                )));
            }
            if line.f2_reg_id != Some(ap.f2_reg_id.as_str()) {
                return Err(AcceptanceError::InvalidAct(format!(
                    "позиция {}: справка Б не совпадает с регистрацией",
                    ap.identity
                )));
            }
            if ap.real_quantity.is_sign_negative() && !ap.real_quantity.is_zero() {
                return Err(AcceptanceError::InvalidAct(format!(
                    "позиция {}: отрицательное количество",
                    ap.identity
                )));
            }
            if ap.real_quantity > line.position.quantity {
                return Err(AcceptanceError::OverQuantity {
                    position: ap.identity.clone(),
                    real: ap.real_quantity,
                    invoiced: line.position.quantity,
                });
            }
            let known: HashSet<&str> = line.position.marks().collect();
            let mut listed = HashSet::new();
            for m in &ap.marks {
                if !known.contains(m.as_str()) {
                    return Err(AcceptanceError::StampNotInInvoice(short_mark(m)));
                }
                if !listed.insert(m.as_str()) {
                    return Err(AcceptanceError::InvalidAct(format!(
                        "марка {} указана дважды",
                        short_mark(m)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Records that the act went to the outbox. Call it in the same transaction as the
    /// outbox entry.
    pub fn record_sent(&mut self, act: ActContent, at: Timestamp) -> Result<(), AcceptanceError> {
        let next = self
            .state
            .apply(&DocEvent::Sent)
            .map_err(|e| refused("отправить акт", e))?;
        let note = format!("отправлен акт: {}", act.kind.label_ru());
        self.acts.push(SentAct {
            content: act,
            sent_at: at,
            state: DocState::UnderReview,
            awaiting_supplier: false,
            remarks: Vec::new(),
        });
        self.state = next;
        self.record(at, note);
        Ok(())
    }

    pub fn current_act(&self) -> Option<&SentAct> {
        self.acts.last()
    }

    /// Applies the EGAIS ticket for the current act.
    pub fn apply_act_ticket(&mut self, verdict: &Verdict, at: Timestamp) -> AnswerEffect {
        let Some(act) = self.acts.last() else {
            return AnswerEffect::Ignored;
        };
        if self.state != DocState::UnderReview || act.awaiting_supplier {
            return AnswerEffect::Ignored;
        }
        if !verdict.accepted {
            return self.refuse(verdict, at, "ЕГАИС отклонил акт");
        }
        if act.content.kind == ActKind::Differences {
            if let Some(act) = self.acts.last_mut() {
                act.awaiting_supplier = true;
                act.remarks.push(verdict.comment.clone());
            }
            self.record(at, "ЕГАИС принял акт расхождений, ждём ответа поставщика");
            return AnswerEffect::AwaitingSupplier;
        }
        self.confirm(verdict, at)
    }

    /// Applies the supplier's ConfirmTicket to a Differences act.
    pub fn apply_confirm_ticket(&mut self, verdict: &Verdict, at: Timestamp) -> AnswerEffect {
        let Some(act) = self.acts.last() else {
            return AnswerEffect::Ignored;
        };
        if self.state != DocState::UnderReview || act.content.kind != ActKind::Differences {
            return AnswerEffect::Ignored;
        }
        if verdict.accepted {
            self.confirm(verdict, at)
        } else {
            self.refuse(verdict, at, "Поставщик не согласен с актом")
        }
    }

    fn confirm(&mut self, verdict: &Verdict, at: Timestamp) -> AnswerEffect {
        let Ok(next) = self.state.apply(&DocEvent::Confirmed) else {
            return AnswerEffect::Ignored;
        };
        self.state = next.clone();
        if let Some(act) = self.acts.last_mut() {
            act.state = next;
            act.awaiting_supplier = false;
            act.remarks.push(verdict.comment.clone());
        }
        self.accepted = Some(self.compute_accepted());
        self.record(at, "подтверждено");
        AnswerEffect::Archived
    }

    fn refuse(&mut self, verdict: &Verdict, at: Timestamp, who: &str) -> AnswerEffect {
        let comment = verdict.comment.trim();
        let reason = if comment.is_empty() {
            who.to_string()
        } else {
            format!("{who}: {comment}")
        };
        let Ok(next) = self.state.apply(&DocEvent::Refused {
            reason: reason.clone(),
        }) else {
            return AnswerEffect::Ignored;
        };
        self.state = next.clone();
        if let Some(act) = self.acts.last_mut() {
            act.state = next;
            act.awaiting_supplier = false;
            act.remarks.push(verdict.comment.clone());
        }
        self.record(at, reason.clone());
        AnswerEffect::Rejected(reason)
    }

    /// What lands on the shop's balance according to the current act.
    fn compute_accepted(&self) -> Vec<AcceptedLine> {
        let Some(act) = self.acts.last() else {
            return Vec::new();
        };
        if act.content.kind == ActKind::Rejected {
            return Vec::new();
        }
        let changed: HashMap<&str, &ActPosition> = act
            .content
            .positions
            .iter()
            .map(|p| (p.identity.trim(), p))
            .collect();
        self.lines()
            .into_iter()
            .map(|l| {
                let p = l.position;
                let (quantity, marks) = match changed.get(p.identity.trim()) {
                    Some(ap) => (ap.real_quantity, ap.marks.clone()),
                    None => (p.quantity, p.marks().map(str::to_string).collect()),
                };
                AcceptedLine {
                    identity: p.identity.clone(),
                    alc_code: p.product.alc_code.clone(),
                    f2_reg_id: l.f2_reg_id.unwrap_or_default().to_string(),
                    quantity,
                    marks,
                }
            })
            .filter(|a| !a.quantity.is_zero())
            .collect()
    }

    /// The shop gives up on a rejected answer without sending anything more.
    pub fn close_rejected(&mut self, at: Timestamp) -> Result<(), AcceptanceError> {
        let next = self
            .state
            .apply(&DocEvent::Closed)
            .map_err(|e| refused("закрыть", e))?;
        self.state = next.clone();
        if let Some(act) = self.acts.last_mut() {
            act.state = next;
        }
        self.accepted = Some(Vec::new());
        self.record(at, "закрыта без ответа");
        Ok(())
    }

    pub fn ensure_deletable(&self) -> Result<(), AcceptanceError> {
        if self.state == DocState::Archive {
            Ok(())
        } else {
            Err(AcceptanceError::DeleteNotArchived)
        }
    }
}

/// How a box looks in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxTick {
    All,
    Some,
    None,
}

/// One position in the discrepancy editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub identity: String,
    pub f2_reg_id: String,
    pub name: String,
    pub alc_code: String,
    pub invoiced: Quantity,
    pub unpacked: bool,
    /// Real quantity of an unstamped position.
    real: Quantity,
    /// Stamps per box as in the invoice, and whether each was received.
    boxes: Vec<Vec<(String, bool)>>,
    missing_marks: usize,
}

impl DraftLine {
    pub fn is_stamped(&self) -> bool {
        self.boxes.iter().any(|b| !b.is_empty())
    }

    /// The quantity received. For stamped goods each missing stamp is one bottle less.
    pub fn real_quantity(&self) -> Quantity {
        if self.is_stamped() {
            (self.invoiced - Decimal::from(self.missing_marks)).max(Decimal::ZERO)
        } else {
            self.real
        }
    }

    pub fn differs(&self) -> bool {
        self.real_quantity() != self.invoiced || self.missing_marks > 0
    }

    pub fn box_count(&self) -> usize {
        self.boxes.len()
    }

    pub fn marks_in_box(&self, b: usize) -> &[(String, bool)] {
        self.boxes.get(b).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn mark_count(&self) -> usize {
        self.boxes.iter().map(Vec::len).sum()
    }

    pub fn missing_marks(&self) -> usize {
        self.missing_marks
    }

    pub fn box_tick(&self, b: usize) -> BoxTick {
        let marks = self.marks_in_box(b);
        let got = marks.iter().filter(|(_, ok)| *ok).count();
        if got == marks.len() {
            BoxTick::All
        } else if got == 0 {
            BoxTick::None
        } else {
            BoxTick::Some
        }
    }

    fn accepted_marks(&self) -> Vec<String> {
        self.boxes
            .iter()
            .flatten()
            .filter(|(_, ok)| *ok)
            .map(|(m, _)| m.clone())
            .collect()
    }
}

/// Where a scanned stamp was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkRef {
    pub line: usize,
    pub box_index: usize,
    pub mark: usize,
}

/// The discrepancy editor's model: real quantities and received stamps, validated on every
/// change so that a wrong input changes nothing.
#[derive(Debug, Clone)]
pub struct DiscrepancyDraft {
    lines: Vec<DraftLine>,
    index: HashMap<String, MarkRef>,
}

impl DiscrepancyDraft {
    /// Starts from "everything arrived" for an invoice that can be answered now.
    pub fn new(invoice: &Invoice) -> Result<DiscrepancyDraft, AcceptanceError> {
        invoice.ensure_can_answer("отправить акт расхождений")?;
        let mut index = HashMap::new();
        let lines = invoice
            .lines()
            .into_iter()
            .enumerate()
            .map(|(li, l)| {
                let p = l.position;
                let boxes: Vec<Vec<(String, bool)>> = p
                    .boxes
                    .iter()
                    .enumerate()
                    .map(|(bi, b)| {
                        b.marks
                            .iter()
                            .enumerate()
                            .map(|(mi, m)| {
                                index.entry(m.trim().to_string()).or_insert(MarkRef {
                                    line: li,
                                    box_index: bi,
                                    mark: mi,
                                });
                                (m.clone(), true)
                            })
                            .collect()
                    })
                    .collect();
                DraftLine {
                    identity: p.identity.clone(),
                    f2_reg_id: l.f2_reg_id.unwrap_or_default().to_string(),
                    name: p.product.display_name().to_string(),
                    alc_code: p.product.alc_code.clone(),
                    invoiced: p.quantity,
                    unpacked: p.product.unpacked,
                    real: p.quantity,
                    boxes,
                    missing_marks: 0,
                }
            })
            .collect();
        Ok(DiscrepancyDraft { lines, index })
    }

    pub fn lines(&self) -> &[DraftLine] {
        &self.lines
    }

    fn line_mut(&mut self, line: usize) -> Result<&mut DraftLine, AcceptanceError> {
        self.lines
            .get_mut(line)
            .ok_or_else(|| AcceptanceError::NoSuchPosition((line + 1).to_string()))
    }

    /// Sets the real quantity of an unstamped position from the cashier's input.
    pub fn set_quantity(&mut self, line: usize, input: &str) -> Result<Quantity, AcceptanceError> {
        let l = self.line_mut(line)?;
        let position = l.identity.clone();
        let value = parse_decimal(input, 4).map_err(|source| AcceptanceError::BadQuantity {
            position: position.clone(),
            source,
        })?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AcceptanceError::BadQuantity {
                position,
                source: AmountError::Negative(input.trim().to_string()),
            });
        }
        self.set_quantity_value(line, value)
    }

    pub fn set_quantity_value(
        &mut self,
        line: usize,
        value: Quantity,
    ) -> Result<Quantity, AcceptanceError> {
        let l = self.line_mut(line)?;
        if l.is_stamped() {
            return Err(AcceptanceError::StampedQuantity(l.identity.clone()));
        }
        if !l.unpacked && value.fract() != Decimal::ZERO {
            return Err(AcceptanceError::FractionalBottles(l.identity.clone()));
        }
        if value > l.invoiced {
            return Err(AcceptanceError::OverQuantity {
                position: l.identity.clone(),
                real: value.normalize(),
                invoiced: l.invoiced.normalize(),
            });
        }
        l.real = value.max(Decimal::ZERO);
        Ok(l.real)
    }

    fn set_mark(&mut self, r: MarkRef, received: bool) {
        if let Some(l) = self.lines.get_mut(r.line)
            && let Some(slot) = l.boxes.get_mut(r.box_index).and_then(|b| b.get_mut(r.mark))
            && slot.1 != received
        {
            slot.1 = received;
            if received {
                l.missing_marks -= 1;
            } else {
                l.missing_marks += 1;
            }
        }
    }

    /// Ticks or unticks one stamp. Returns whether it is now counted as received.
    pub fn toggle_mark(
        &mut self,
        line: usize,
        box_index: usize,
        mark: usize,
    ) -> Result<bool, AcceptanceError> {
        let l = self.line_mut(line)?;
        let current = l
            .boxes
            .get(box_index)
            .and_then(|b| b.get(mark))
            .map(|(_, ok)| *ok)
            .ok_or_else(|| AcceptanceError::NoSuchPosition(l.identity.clone()))?;
        self.set_mark(
            MarkRef {
                line,
                box_index,
                mark,
            },
            !current,
        );
        Ok(!current)
    }

    /// Marks a whole box as received or missing (a box that never came).
    pub fn set_box(
        &mut self,
        line: usize,
        box_index: usize,
        received: bool,
    ) -> Result<(), AcceptanceError> {
        let l = self.line_mut(line)?;
        let n = l
            .boxes
            .get(box_index)
            .map(Vec::len)
            .ok_or_else(|| AcceptanceError::NoSuchPosition(l.identity.clone()))?;
        for mark in 0..n {
            self.set_mark(
                MarkRef {
                    line,
                    box_index,
                    mark,
                },
                received,
            );
        }
        Ok(())
    }

    /// Switches to "scan what arrived": every stamp counts as missing until scanned.
    pub fn start_scanning(&mut self) {
        for l in &mut self.lines {
            for b in &mut l.boxes {
                for slot in b.iter_mut() {
                    slot.1 = false;
                }
            }
            l.missing_marks = l.mark_count();
        }
    }

    /// A stamp scanned from a bottle that arrived. A stamp the invoice does not list is
    /// refused, and nothing changes.
    pub fn scan(&mut self, code: &str) -> Result<MarkRef, AcceptanceError> {
        let code = code.trim();
        let r = *self
            .index
            .get(code)
            .ok_or_else(|| AcceptanceError::StampNotInInvoice(short_mark(code)))?;
        let already = self
            .lines
            .get(r.line)
            .and_then(|l| l.boxes.get(r.box_index))
            .and_then(|b| b.get(r.mark))
            .is_some_and(|(_, ok)| *ok);
        if already {
            return Err(AcceptanceError::StampAlreadyScanned(short_mark(code)));
        }
        self.set_mark(r, true);
        Ok(r)
    }

    pub fn differing_lines(&self) -> usize {
        self.lines.iter().filter(|l| l.differs()).count()
    }

    /// The decision: "accept in full" when nothing differs.
    pub fn decision(&self) -> Decision {
        let positions: Vec<ActPosition> = self
            .lines
            .iter()
            .filter(|l| l.differs())
            .map(|l| ActPosition {
                identity: l.identity.clone(),
                f2_reg_id: l.f2_reg_id.clone(),
                real_quantity: l.real_quantity(),
                marks: l.accepted_marks(),
            })
            .collect();
        if positions.is_empty() {
            Decision::AcceptAll
        } else {
            Decision::Differences(positions)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::*;
    use crate::domain::invoice::{Invoice, MarkBox};
    use jiff::civil::date;
    use proptest::prelude::*;

    fn today() -> Date {
        date(2026, 11, 26)
    }

    fn meta(n: &str) -> ActMeta {
        ActMeta {
            identity: format!("act-{n}"),
            number: n.into(),
            date: today(),
        }
    }

    fn send(inv: &mut Invoice, decision: Decision) -> ActContent {
        let act = inv.prepare_act(decision, &meta("1")).unwrap();
        inv.record_sent(act.clone(), ts(10)).unwrap();
        act
    }

    fn ok(comment: &str) -> Verdict {
        Verdict {
            accepted: true,
            comment: comment.into(),
        }
    }

    fn no(comment: &str) -> Verdict {
        Verdict {
            accepted: false,
            comment: comment.into(),
        }
    }

    #[test]
    fn accept_in_full_then_ticket_archives() {
        let mut inv = ready_invoice();
        let act = send(&mut inv, Decision::AcceptAll);
        assert_eq!(act.kind, ActKind::Accepted);
        assert_eq!(act.wb_reg_id, "TTN-0557370828");
        assert!(act.positions.is_empty());
        assert_eq!(inv.state, DocState::UnderReview);
        assert_eq!(
            inv.apply_act_ticket(&ok("подтверждена"), ts(20)),
            AnswerEffect::Archived
        );
        assert_eq!(inv.state, DocState::Archive);
        let accepted = inv.accepted.as_ref().unwrap();
        assert_eq!(accepted.len(), 3);
        assert_eq!(accepted[0].marks.len(), 12);
        assert_eq!(accepted[0].f2_reg_id, "FB-000004917646122");
        // A repeated ticket changes nothing.
        assert_eq!(
            inv.apply_act_ticket(&ok("подтверждена"), ts(30)),
            AnswerEffect::Ignored
        );
    }

    #[test]
    fn incomplete_invoice_cannot_be_answered() {
        let wb = waybill(vec![position(0, 2, false)]);
        let inv = Invoice::from_waybill(wb, today(), ts(0));
        let err = inv
            .prepare_act(Decision::AcceptAll, &meta("1"))
            .unwrap_err();
        assert!(matches!(err, AcceptanceError::NotReady(_)));
        assert!(err.message_ru().contains("справку Б"));
    }

    #[test]
    fn reject_needs_reason_and_only_from_new() {
        let mut inv = ready_invoice();
        assert_eq!(
            inv.prepare_act(
                Decision::Reject {
                    reason: "  ".into()
                },
                &meta("1")
            ),
            Err(AcceptanceError::ReasonRequired)
        );
        let act = send(
            &mut inv,
            Decision::Reject {
                reason: "Бой товара".into(),
            },
        );
        assert_eq!(act.kind, ActKind::Rejected);
        assert_eq!(act.note.as_deref(), Some("Бой товара"));
        assert_eq!(
            inv.apply_act_ticket(&ok(""), ts(20)),
            AnswerEffect::Archived
        );
        assert_eq!(inv.accepted, Some(vec![]));
        let before = inv.clone();
        let err = inv
            .prepare_act(
                Decision::Reject {
                    reason: "ещё раз".into(),
                },
                &meta("2"),
            )
            .unwrap_err();
        assert_eq!(
            err.message_ru(),
            "Нельзя отказаться от накладной: документ уже в архиве"
        );
        assert_eq!(inv, before);
    }

    #[test]
    fn over_quantity_is_refused_and_changes_nothing() {
        let inv = ready_invoice();
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        let err = draft.set_quantity(2, "21").unwrap_err();
        assert!(matches!(err, AcceptanceError::OverQuantity { .. }));
        assert!(
            err.message_ru().contains("принято 21, а в накладной 20"),
            "{err}"
        );
        assert_eq!(draft.lines()[2].real_quantity(), Decimal::from(20));
        assert!(matches!(
            draft.set_quantity(2, "abc"),
            Err(AcceptanceError::BadQuantity { .. })
        ));
        assert!(matches!(
            draft.set_quantity(2, "1,5"),
            Err(AcceptanceError::FractionalBottles(_))
        ));
        assert!(matches!(
            draft.set_quantity(0, "3"),
            Err(AcceptanceError::StampedQuantity(_))
        ));
        assert_eq!(draft.decision(), Decision::AcceptAll);
    }

    #[test]
    fn shortfall_and_missing_stamp_make_a_differences_act() {
        let mut inv = ready_invoice();
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        draft.set_quantity(2, "18").unwrap();
        assert!(draft.toggle_mark(1, 0, 3).is_ok());
        assert_eq!(draft.lines()[1].real_quantity(), Decimal::from(4));
        let decision = draft.decision();
        let act = send(&mut inv, decision);
        assert_eq!(act.kind, ActKind::Differences);
        assert_eq!(act.positions.len(), 2);
        assert_eq!(act.positions[0].identity, "2");
        assert_eq!(act.positions[0].real_quantity, Decimal::from(4));
        assert_eq!(act.positions[0].marks.len(), 4);
        assert!(!act.positions[0].marks.contains(&mark(1, 3)));
        assert_eq!(act.positions[1].identity, "3");
        assert_eq!(act.positions[1].real_quantity, Decimal::from(18));
        assert_eq!(act.positions[1].f2_reg_id, "FB-000004917646124");

        assert_eq!(
            inv.apply_act_ticket(&ok("акт зарегистрирован"), ts(20)),
            AnswerEffect::AwaitingSupplier
        );
        assert_eq!(inv.state, DocState::UnderReview);
        assert_eq!(
            inv.apply_confirm_ticket(&ok("Принимаем изменения количества"), ts(30)),
            AnswerEffect::Archived
        );
        let accepted = inv.accepted.clone().unwrap();
        assert_eq!(accepted[1].quantity, Decimal::from(4));
        assert_eq!(accepted[1].marks.len(), 4);
        assert_eq!(accepted[2].quantity, Decimal::from(18));
        assert_eq!(accepted[0].quantity, Decimal::from(12));
    }

    #[test]
    fn supplier_refusal_is_red_and_can_be_answered_again() {
        let mut inv = ready_invoice();
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        draft.set_box(0, 1, false).unwrap();
        assert_eq!(draft.lines()[0].box_tick(1), BoxTick::None);
        assert_eq!(draft.lines()[0].real_quantity(), Decimal::from(6));
        send(&mut inv, draft.decision());
        inv.apply_act_ticket(&ok(""), ts(20));
        let effect = inv.apply_confirm_ticket(&no("Товар отгружен полностью"), ts(30));
        assert_eq!(
            effect,
            AnswerEffect::Rejected(
                "Поставщик не согласен с актом: Товар отгружен полностью".into()
            )
        );
        assert!(inv.state.is_rejected());
        // The cashier may now accept in full.
        let act = inv.prepare_act(Decision::AcceptAll, &meta("2")).unwrap();
        inv.record_sent(act, ts(40)).unwrap();
        assert_eq!(inv.acts.len(), 2);
        assert_eq!(
            inv.apply_act_ticket(&ok(""), ts(50)),
            AnswerEffect::Archived
        );
        assert_eq!(
            inv.accepted.as_ref().unwrap()[0].quantity,
            Decimal::from(12)
        );
    }

    #[test]
    fn egais_rejecting_an_act_shows_the_reason() {
        let mut inv = ready_invoice();
        send(&mut inv, Decision::AcceptAll);
        let effect = inv.apply_act_ticket(&no("Повторный акт"), ts(20));
        assert_eq!(
            effect,
            AnswerEffect::Rejected("ЕГАИС отклонил акт: Повторный акт".into())
        );
        assert_eq!(inv.current_act().unwrap().state, inv.state);
        assert!(inv.ensure_deletable().is_err());
        inv.close_rejected(ts(30)).unwrap();
        assert!(inv.ensure_deletable().is_ok());
    }

    #[test]
    fn scanning_what_arrived() {
        let inv = ready_invoice();
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        draft.start_scanning();
        assert_eq!(draft.lines()[0].real_quantity(), Decimal::ZERO);
        for n in 0..12 {
            draft.scan(&mark(0, n)).unwrap();
        }
        for n in 0..4 {
            let r = draft.scan(&format!(" {} ", mark(1, n))).unwrap();
            assert_eq!(r.line, 1);
        }
        assert!(matches!(
            draft.scan(&mark(1, 0)),
            Err(AcceptanceError::StampAlreadyScanned(_))
        ));
        let foreign = mark(7, 1);
        let err = draft.scan(&foreign).unwrap_err();
        assert!(err.message_ru().starts_with("Марка 193"), "{err}");
        assert!(err.message_ru().contains("не из этой накладной"));
        let Decision::Differences(positions) = draft.decision() else {
            panic!("one stamp is missing");
        };
        assert_eq!(positions.len(), 1);
        assert_eq!(positions[0].real_quantity, Decimal::from(4));
    }

    #[test]
    fn act_with_foreign_stamp_is_refused() {
        let inv = ready_invoice();
        let bad = vec![ActPosition {
            identity: "1".into(),
            f2_reg_id: "FB-000004917646122".into(),
            real_quantity: Decimal::ONE,
            marks: vec![mark(9, 9)],
        }];
        assert!(matches!(
            inv.prepare_act(Decision::Differences(bad), &meta("1")),
            Err(AcceptanceError::StampNotInInvoice(_))
        ));
    }

    fn invoice_with(qtys: &[(u32, bool)]) -> Invoice {
        let wb = waybill(
            qtys.iter()
                .enumerate()
                .map(|(i, (q, s))| position(i, *q, *s))
                .collect(),
        );
        let reg = registration(&wb);
        let mut inv = Invoice::from_waybill(wb, today(), ts(0));
        inv.attach_registration(reg);
        inv
    }

    fn all_marks(inv: &Invoice) -> HashSet<String> {
        inv.positions()
            .iter()
            .flat_map(|p| p.marks().map(str::to_string))
            .collect()
    }

    proptest! {
        #[test]
        fn any_quantities_within_invoice_give_a_valid_act(
            spec in proptest::collection::vec((1u32..30, 0u32..30), 1..8)
        ) {
            let qtys: Vec<(u32, bool)> = spec.iter().map(|(q, _)| (*q, false)).collect();
            let inv = invoice_with(&qtys);
            let mut draft = DiscrepancyDraft::new(&inv).unwrap();
            for (i, (q, real)) in spec.iter().enumerate() {
                let real = real % (q + 1);
                draft.set_quantity(i, &real.to_string()).unwrap();
            }
            let act = inv.prepare_act(draft.decision(), &meta("1")).unwrap();
            let differing = spec.iter().filter(|(q, r)| r % (q + 1) != *q).count();
            prop_assert_eq!(act.positions.len(), differing);
            prop_assert_eq!(act.kind == ActKind::Accepted, differing == 0);
            for p in &act.positions {
                let line = inv.positions().iter().find(|x| x.identity == p.identity).unwrap();
                prop_assert!(p.real_quantity < line.quantity);
                prop_assert!(p.f2_reg_id.starts_with("FB-"));
            }
        }

        #[test]
        fn any_quantity_above_invoice_is_refused(q in 1u32..1000, extra in 1u32..1000) {
            let inv = invoice_with(&[(q, false)]);
            let mut draft = DiscrepancyDraft::new(&inv).unwrap();
            let r = draft.set_quantity(0, &(q + extra).to_string());
            let is_over = matches!(r, Err(AcceptanceError::OverQuantity { .. }));
            prop_assert!(is_over);
            prop_assert_eq!(draft.lines()[0].real_quantity(), Decimal::from(q));
            prop_assert_eq!(draft.decision(), Decision::AcceptAll);
        }

        #[test]
        fn act_never_lists_a_foreign_stamp(
            sizes in proptest::collection::vec(1u32..20, 1..5),
            untick in proptest::collection::vec((0usize..5, 0usize..4, 0usize..6), 0..30),
            scans in proptest::collection::vec((0usize..8, 0usize..25), 0..40),
            scan_mode in any::<bool>(),
        ) {
            let inv = invoice_with(&sizes.iter().map(|q| (*q, true)).collect::<Vec<_>>());
            let known = all_marks(&inv);
            let mut draft = DiscrepancyDraft::new(&inv).unwrap();
            if scan_mode {
                draft.start_scanning();
            }
            for (l, b, m) in untick {
                let _ = draft.toggle_mark(l, b, m);
            }
            for (p, n) in scans {
                // Positions ≥ sizes.len() produce stamps that are not in the invoice.
                let code = mark(p, n);
                let r = draft.scan(&code);
                if !known.contains(&code) {
                    let refused = matches!(r, Err(AcceptanceError::StampNotInInvoice(_)));
                    prop_assert!(refused);
                }
            }
            let act = inv.prepare_act(draft.decision(), &meta("1")).unwrap();
            for p in &act.positions {
                let line = inv.positions().iter().find(|x| x.identity == p.identity).unwrap();
                prop_assert_eq!(p.real_quantity, Decimal::from(p.marks.len()));
                prop_assert!(p.real_quantity <= line.quantity);
                for m in &p.marks {
                    prop_assert!(known.contains(m));
                    prop_assert!(line.marks().any(|x| x == m));
                }
            }
        }
    }

    #[test]
    fn empty_box_list_is_not_stamped() {
        let mut inv = invoice_with(&[(3, false)]);
        if let Some(wb) = inv.waybill.as_mut() {
            wb.positions[0].boxes.push(MarkBox::default());
        }
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        assert!(!draft.lines()[0].is_stamped());
        draft.set_quantity(0, "2").unwrap();
        assert_eq!(draft.differing_lines(), 1);
    }
}
