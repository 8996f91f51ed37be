//! A supplier invoice (ТТН) as the shop sees it: the supplier's WayBill_v4 joined with the
//! EGAIS registration (TTNInformF2Reg, UTM type FORM2REGINFO) that gives the invoice its
//! WBRegId and every position its new справка Б (FB-…). The two arrive separately and in
//! either order; the invoice can be answered only once both are here, because every act
//! must reference the WBRegId and the new справки Б.
//!
//! The two parts are matched by the shipper's FSRAR ID, the invoice number and its date
//! (both documents carry all three), and positions by `Position/Identity`.

use std::collections::HashMap;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::document::{DocList, DocState, HistoryEntry};
use super::money::Money;
use super::product::{Producer, ProductCard};
use super::volume::{AlcoholPercent, Volume};
use super::workdays::{WorkCalendar, days_between};

/// Quantity of a position: bottles for packed goods, decalitres for unpacked ones.
pub type Quantity = Decimal;

/// Identifies one invoice whichever of its two documents arrived first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InvoiceKey {
    pub shipper_id: String,
    pub number: String,
    pub date: Date,
}

impl InvoiceKey {
    pub fn new(shipper_id: &str, number: &str, date: Date) -> InvoiceKey {
        InvoiceKey {
            shipper_id: shipper_id.trim().to_string(),
            number: number.trim().to_string(),
            date,
        }
    }

    /// The form used as a database key.
    pub fn storage_key(&self) -> String {
        format!("{}|{}|{}", self.shipper_id, self.number, self.date)
    }
}

impl fmt::Display for InvoiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "№{} от {}", self.number, format_date_ru(self.date))
    }
}

pub fn format_date_ru(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
}

/// A trading partner as EGAIS documents describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterparty {
    pub client_reg_id: String,
    pub full_name: String,
    pub short_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
}

impl Counterparty {
    pub fn display_name(&self) -> &str {
        super::short_or_full(self.short_name.as_deref(), &self.full_name)
    }
}

/// The product as the invoice describes it (pref:ProductInfo_v2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInfo {
    pub full_name: String,
    pub short_name: Option<String>,
    pub alc_code: String,
    pub capacity: Option<Volume>,
    pub alc_percent: Option<AlcoholPercent>,
    /// ProductVCode: 200 vodka, 500 beer…
    pub type_code: String,
    /// pref:Type: АП, ССП, ССНП, Спирт…
    pub kind: Option<String>,
    /// Sold by volume (UnitType Unpacked): quantity in decalitres.
    pub unpacked: bool,
    pub producer: Option<Producer>,
}

impl ProductInfo {
    pub fn display_name(&self) -> &str {
        super::short_or_full(self.short_name.as_deref(), &self.full_name)
    }
}

/// One box (or pallet position) of stamps (ce:boxpos).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkBox {
    pub box_number: Option<String>,
    pub marks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillPosition {
    /// Position/Identity: the link to FORM2REGINFO and to the act.
    pub identity: String,
    pub product: ProductInfo,
    pub quantity: Quantity,
    pub price: Money,
    /// Справка А (FARegId).
    pub fa_reg_id: Option<String>,
    /// The shipper's own справка Б; the shop's new one comes from FORM2REGINFO.
    pub shipper_f2_reg_id: Option<String>,
    pub ean13: Option<String>,
    pub boxes: Vec<MarkBox>,
}

impl WayBillPosition {
    pub fn mark_count(&self) -> usize {
        self.boxes.iter().map(|b| b.marks.len()).sum()
    }

    pub fn has_marks(&self) -> bool {
        self.boxes.iter().any(|b| !b.marks.is_empty())
    }

    pub fn amount(&self) -> Money {
        self.price.times(self.quantity)
    }

    pub fn marks(&self) -> impl Iterator<Item = &str> {
        self.boxes
            .iter()
            .flat_map(|b| b.marks.iter().map(String::as_str))
    }
}

/// The supplier's WayBill_v4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBill {
    pub identity: Option<String>,
    pub number: String,
    pub date: Date,
    pub shipping_date: Option<Date>,
    pub shipper: Counterparty,
    pub consignee: Counterparty,
    pub base: Option<String>,
    pub note: Option<String>,
    pub positions: Vec<WayBillPosition>,
}

impl WayBill {
    pub fn key(&self) -> InvoiceKey {
        InvoiceKey::new(&self.shipper.client_reg_id, &self.number, self.date)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form2RegPosition {
    pub identity: String,
    /// The shop's new справка Б (FB-…), which every act must reference.
    pub f2_reg_id: String,
    pub bottling_date: Option<Date>,
}

/// TTNInformF2Reg (FORM2REGINFO): the EGAIS registration of the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form2Reg {
    pub identity: Option<String>,
    /// TTN-…: the id every act and QueryResendDoc use.
    pub wb_reg_id: String,
    pub fix_number: Option<String>,
    pub fix_date: Option<Date>,
    pub wb_number: String,
    pub wb_date: Date,
    pub shipper: Counterparty,
    pub positions: Vec<Form2RegPosition>,
}

impl Form2Reg {
    pub fn key(&self) -> InvoiceKey {
        InvoiceKey::new(&self.shipper.client_reg_id, &self.wb_number, self.wb_date)
    }
}

/// Whether the invoice can be answered, and if not, what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Only FORM2REGINFO is here.
    AwaitingWayBill,
    /// Only the WayBill is here.
    AwaitingRegistration,
    /// Both are here but some positions have no справка Б (or the registration names
    /// positions the invoice does not have).
    Mismatch(Vec<String>),
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready)
    }

    pub fn message_ru(&self) -> String {
        match self {
            Readiness::Ready => "Накладная готова к ответу".into(),
            Readiness::AwaitingWayBill => {
                "Получена только справка Б (FORM2REGINFO), сама накладная ещё не пришла. \
                 Можно запросить её повторно."
                    .into()
            }
            Readiness::AwaitingRegistration => {
                "Накладная ещё не зарегистрирована в ЕГАИС: ждём справку Б (FORM2REGINFO)".into()
            }
            Readiness::Mismatch(problems) => {
                format!(
                    "Накладная и справка Б не совпадают: {}",
                    problems.join("; ")
                )
            }
        }
    }
}

/// What happened when a part of an invoice arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The part was new and is now attached.
    Attached,
    /// The same part was delivered again: nothing changed.
    Duplicate,
    /// The supplier sent a different version before the shop answered: it replaces the old.
    Replaced,
    /// A different version arrived after the shop answered: kept out, the answer stands.
    IgnoredAfterAnswer,
}

/// One line as the acceptance screens need it: the position and its new справка Б.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceLine<'a> {
    pub position: &'a WayBillPosition,
    pub f2_reg_id: Option<&'a str>,
    pub bottling_date: Option<Date>,
}

/// How soon the shop must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Urgency {
    pub deadline: Date,
    /// Calendar days from today to the deadline; 0 is "today", negative is overdue.
    pub days_left: i32,
}

impl Urgency {
    pub fn overdue(&self) -> bool {
        self.days_left < 0
    }

    pub fn label_ru(&self) -> String {
        match self.days_left {
            d if d < 0 => format!("просрочено {} дн.", -d),
            0 => "сегодня".into(),
            1 => "завтра".into(),
            d => format!("{d} дн."),
        }
    }
}

/// The final quantity of a position after the answer was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedLine {
    pub identity: String,
    pub alc_code: String,
    pub f2_reg_id: String,
    pub quantity: Quantity,
    pub marks: Vec<String>,
}

/// A supplier invoice in the shop's register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub key: InvoiceKey,
    pub waybill: Option<WayBill>,
    pub registration: Option<Form2Reg>,
    /// The shop's local date when the first part arrived: the answer deadline counts from it.
    pub received_on: Date,
    pub state: DocState,
    pub history: Vec<HistoryEntry>,
    /// Every act sent for this invoice, oldest first; the last one is current.
    pub acts: Vec<super::acceptance::SentAct>,
    /// Quantities and stamps on the shop's balance once the answer is confirmed.
    pub accepted: Option<Vec<AcceptedLine>>,
}

impl Invoice {
    pub fn from_waybill(waybill: WayBill, received_on: Date, at: Timestamp) -> Invoice {
        let mut inv = Invoice::empty(waybill.key(), received_on, at);
        inv.waybill = Some(waybill);
        inv
    }

    pub fn from_registration(reg: Form2Reg, received_on: Date, at: Timestamp) -> Invoice {
        let mut inv = Invoice::empty(reg.key(), received_on, at);
        inv.registration = Some(reg);
        inv
    }

    fn empty(key: InvoiceKey, received_on: Date, at: Timestamp) -> Invoice {
        Invoice {
            key,
            waybill: None,
            registration: None,
            received_on,
            state: DocState::New,
            history: vec![HistoryEntry {
                at,
                state: DocState::New,
                note: Some("получена".into()),
            }],
            acts: Vec::new(),
            accepted: None,
        }
    }

    fn answered(&self) -> bool {
        !self.acts.is_empty()
    }

    pub fn attach_waybill(&mut self, waybill: WayBill) -> MergeOutcome {
        match &self.waybill {
            None => {
                self.waybill = Some(waybill);
                MergeOutcome::Attached
            }
            Some(existing) if *existing == waybill => MergeOutcome::Duplicate,
            Some(_) if self.answered() => MergeOutcome::IgnoredAfterAnswer,
            Some(_) => {
                self.waybill = Some(waybill);
                MergeOutcome::Replaced
            }
        }
    }

    pub fn attach_registration(&mut self, reg: Form2Reg) -> MergeOutcome {
        match &self.registration {
            None => {
                self.registration = Some(reg);
                MergeOutcome::Attached
            }
            Some(existing) if *existing == reg => MergeOutcome::Duplicate,
            Some(_) if self.answered() => MergeOutcome::IgnoredAfterAnswer,
            Some(_) => {
                self.registration = Some(reg);
                MergeOutcome::Replaced
            }
        }
    }

    pub fn readiness(&self) -> Readiness {
        let (wb, reg) = match (&self.waybill, &self.registration) {
            (None, _) => return Readiness::AwaitingWayBill,
            (_, None) => return Readiness::AwaitingRegistration,
            (Some(wb), Some(reg)) => (wb, reg),
        };
        let regs: HashMap<&str, &Form2RegPosition> = reg
            .positions
            .iter()
            .map(|p| (p.identity.trim(), p))
            .collect();
        let mut problems = Vec::new();
        for p in &wb.positions {
            match regs.get(p.identity.trim()) {
                None => problems.push(format!("позиция {} без справки Б", p.identity)),
                Some(r) if r.f2_reg_id.trim().is_empty() => {
                    problems.push(format!("позиция {}: пустая справка Б", p.identity))
                }
                Some(_) => {}
            }
        }
        for r in &reg.positions {
            if !wb
                .positions
                .iter()
                .any(|p| p.identity.trim() == r.identity.trim())
            {
                problems.push(format!("в накладной нет позиции {}", r.identity));
            }
        }
        if problems.is_empty() {
            Readiness::Ready
        } else {
            Readiness::Mismatch(problems)
        }
    }

    pub fn wb_reg_id(&self) -> Option<&str> {
        self.registration.as_ref().map(|r| r.wb_reg_id.as_str())
    }

    pub fn shipper(&self) -> Option<&Counterparty> {
        self.waybill
            .as_ref()
            .map(|w| &w.shipper)
            .or_else(|| self.registration.as_ref().map(|r| &r.shipper))
    }

    pub fn shipper_name(&self) -> &str {
        self.shipper()
            .map(Counterparty::display_name)
            .unwrap_or(&self.key.shipper_id)
    }

    pub fn positions(&self) -> &[WayBillPosition] {
        self.waybill
            .as_ref()
            .map(|w| w.positions.as_slice())
            .unwrap_or(&[])
    }

    /// Positions joined with their new справка Б, in invoice order.
    pub fn lines(&self) -> Vec<InvoiceLine<'_>> {
        let regs: HashMap<&str, &Form2RegPosition> = self
            .registration
            .iter()
            .flat_map(|r| r.positions.iter())
            .map(|p| (p.identity.trim(), p))
            .collect();
        self.positions()
            .iter()
            .map(|p| {
                let reg = regs.get(p.identity.trim());
                InvoiceLine {
                    position: p,
                    f2_reg_id: reg.map(|r| r.f2_reg_id.as_str()),
                    bottling_date: reg.and_then(|r| r.bottling_date),
                }
            })
            .collect()
    }

    pub fn total_amount(&self) -> Money {
        self.positions().iter().map(WayBillPosition::amount).sum()
    }

    pub fn total_quantity(&self) -> Quantity {
        self.positions().iter().map(|p| p.quantity).sum()
    }

    pub fn mark_count(&self) -> usize {
        self.positions()
            .iter()
            .map(WayBillPosition::mark_count)
            .sum()
    }

    /// The deadline: the next working day after the invoice arrived.
    pub fn urgency(&self, today: Date, calendar: &WorkCalendar) -> Urgency {
        let deadline = calendar.next_working_day(self.received_on);
        Urgency {
            deadline,
            days_left: days_between(today, deadline),
        }
    }

    pub fn list(&self) -> DocList {
        self.state.list()
    }

    /// Appends to the history. Domain code has no clock, so the caller passes the time.
    pub fn record(&mut self, at: Timestamp, note: impl Into<String>) {
        self.history.push(HistoryEntry {
            at,
            state: self.state.clone(),
            note: Some(note.into()),
        });
    }

    /// Product cards for every position: new ones from the invoice, existing ones refreshed
    /// with what EGAIS says about the product while keeping the shop's barcodes and price.
    pub fn product_cards(
        &self,
        existing: impl Fn(&str) -> Option<ProductCard>,
    ) -> Vec<ProductCard> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out: Vec<ProductCard> = Vec::new();
        for p in self.positions() {
            let stamped = p.has_marks();
            if let Some(&i) = seen.get(p.product.alc_code.as_str()) {
                out[i].needs_stamp |= stamped;
                continue;
            }
            let card = card_from_position(existing(&p.product.alc_code), p);
            seen.insert(p.product.alc_code.as_str(), out.len());
            out.push(card);
        }
        out
    }
}

fn card_from_position(existing: Option<ProductCard>, p: &WayBillPosition) -> ProductCard {
    let info = &p.product;
    let mut card = existing.unwrap_or_else(|| ProductCard {
        alc_code: info.alc_code.clone(),
        full_name: String::new(),
        short_name: None,
        eans: Vec::new(),
        capacity: None,
        alc_percent: None,
        type_code: String::new(),
        producer: None,
        is_alcohol: true,
        needs_stamp: false,
        price: None,
    });
    card.full_name = info.full_name.clone();
    card.short_name = info.short_name.clone();
    card.capacity = if info.unpacked { None } else { info.capacity };
    card.alc_percent = info.alc_percent.or(card.alc_percent);
    if !info.type_code.is_empty() {
        card.type_code = info.type_code.clone();
    }
    if info.producer.is_some() {
        card.producer = info.producer.clone();
    }
    card.is_alcohol = true;
    card.needs_stamp = card.needs_stamp || p.has_marks();
    card
}

/// One line of ReplyNoAnswerTTN: an invoice EGAIS believes the shop has not answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoAnswerEntry {
    pub wb_reg_id: String,
    pub number: String,
    pub date: Option<Date>,
    pub shipper_id: String,
}

/// What the "needs action first" order looks at; lists of invoices and of their summaries
/// are sorted the same way.
pub trait ActionOrder {
    fn order_key(&self) -> &InvoiceKey;
    fn order_received_on(&self) -> Date;
    fn order_ready(&self) -> bool;
    fn order_rejected(&self) -> bool;
    fn order_last_change(&self) -> Option<Timestamp>;
}

impl ActionOrder for Invoice {
    fn order_key(&self) -> &InvoiceKey {
        &self.key
    }
    fn order_received_on(&self) -> Date {
        self.received_on
    }
    fn order_ready(&self) -> bool {
        self.readiness().is_ready()
    }
    fn order_rejected(&self) -> bool {
        self.state.is_rejected()
    }
    fn order_last_change(&self) -> Option<Timestamp> {
        self.history.last().map(|h| h.at)
    }
}

impl<T: ActionOrder> ActionOrder for &T {
    fn order_key(&self) -> &InvoiceKey {
        (*self).order_key()
    }
    fn order_received_on(&self) -> Date {
        (*self).order_received_on()
    }
    fn order_ready(&self) -> bool {
        (*self).order_ready()
    }
    fn order_rejected(&self) -> bool {
        (*self).order_rejected()
    }
    fn order_last_change(&self) -> Option<Timestamp> {
        (*self).order_last_change()
    }
}

/// Orders invoices of one list by what needs the shop's action first.
///
/// * New: the earliest deadline first (overdue on top), then invoices that can be answered
///   before those still missing a part, then by key.
/// * Under review: rejected ones first (they wait for the cashier), then the oldest change.
/// * Archive: the most recent first.
pub fn sort_for_action<T: ActionOrder>(items: &mut [T], list: DocList, calendar: &WorkCalendar) {
    match list {
        DocList::New => items.sort_by(|a, b| {
            let da = calendar.next_working_day(a.order_received_on());
            let db = calendar.next_working_day(b.order_received_on());
            da.cmp(&db)
                .then_with(|| b.order_ready().cmp(&a.order_ready()))
                .then_with(|| a.order_key().cmp(b.order_key()))
        }),
        DocList::UnderReview => items.sort_by(|a, b| {
            b.order_rejected()
                .cmp(&a.order_rejected())
                .then_with(|| a.order_last_change().cmp(&b.order_last_change()))
                .then_with(|| a.order_key().cmp(b.order_key()))
        }),
        DocList::Archive => items.sort_by(|a, b| {
            b.order_last_change()
                .cmp(&a.order_last_change())
                .then_with(|| a.order_key().cmp(b.order_key()))
        }),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Small invoices for tests across the acceptance modules.

    use super::*;
    use jiff::civil::date;

    pub fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(1_764_000_000 + secs).unwrap()
    }

    pub fn shipper() -> Counterparty {
        Counterparty {
            client_reg_id: "010038062164".into(),
            full_name: "Общество с ограниченной ответственностью \"АгроТрейд\"".into(),
            short_name: Some("ООО \"АгроТрейд\"".into()),
            inn: Some("7446043646".into()),
            kpp: Some("745645001".into()),
        }
    }

    /// A 150-character stamp that passes the XSD pattern, distinct per position and number.
    pub fn mark(pos: usize, n: usize) -> String {
        format!("{:03}404{:08}0122001{:A>129}", 186 + pos, n + 1, "")
    }

    /// A position with `qty` bottles, stamped when `stamped`, boxes of 6.
    pub fn position(i: usize, qty: u32, stamped: bool) -> WayBillPosition {
        let boxes = if stamped {
            let marks: Vec<String> = (0..qty as usize).map(|n| mark(i, n)).collect();
            marks
                .chunks(6)
                .enumerate()
                .map(|(b, chunk)| MarkBox {
                    box_number: Some(format!("{:026}", i * 100 + b)),
                    marks: chunk.to_vec(),
                })
                .collect()
        } else {
            Vec::new()
        };
        WayBillPosition {
            identity: (i + 1).to_string(),
            product: ProductInfo {
                full_name: format!("Водка \"Пример {}\"", i + 1),
                short_name: None,
                alc_code: format!("{:019}", 10255000002043023u64 + i as u64),
                capacity: Some(Volume::parse("0.5").unwrap()),
                alc_percent: Some(AlcoholPercent::parse("40").unwrap()),
                type_code: if stamped { "200".into() } else { "500".into() },
                kind: Some("АП".into()),
                unpacked: false,
                producer: None,
            },
            quantity: Decimal::from(qty),
            price: Money::parse("143.50").unwrap(),
            fa_reg_id: Some(format!("FA-{:015}", 48928099 + i)),
            shipper_f2_reg_id: Some(format!("FB-{:015}", 4893172359u64 + i as u64)),
            ean13: None,
            boxes,
        }
    }

    pub fn waybill(positions: Vec<WayBillPosition>) -> WayBill {
        WayBill {
            identity: Some("fc58d5a1-e991-49f6-9c81-de3789f8d383".into()),
            number: "00000003430".into(),
            date: date(2026, 11, 26),
            shipping_date: Some(date(2026, 11, 26)),
            shipper: shipper(),
            consignee: Counterparty {
                client_reg_id: "030000412451".into(),
                full_name: "ООО \"Дионис\"".into(),
                ..Counterparty::default()
            },
            base: None,
            note: None,
            positions,
        }
    }

    pub fn registration(wb: &WayBill) -> Form2Reg {
        Form2Reg {
            identity: None,
            wb_reg_id: "TTN-0557370828".into(),
            fix_number: Some("WBF-202200528078827".into()),
            fix_date: Some(wb.date),
            wb_number: wb.number.clone(),
            wb_date: wb.date,
            shipper: wb.shipper.clone(),
            positions: wb
                .positions
                .iter()
                .enumerate()
                .map(|(i, p)| Form2RegPosition {
                    identity: p.identity.clone(),
                    f2_reg_id: format!("FB-{:015}", 4917646122u64 + i as u64),
                    bottling_date: None,
                })
                .collect(),
        }
    }

    /// A ready invoice: two stamped positions (12 and 5 bottles) and one beer position.
    pub fn ready_invoice() -> Invoice {
        let wb = waybill(vec![
            position(0, 12, true),
            position(1, 5, true),
            position(2, 20, false),
        ]);
        let reg = registration(&wb);
        let mut inv = Invoice::from_waybill(wb, date(2026, 11, 26), ts(0));
        inv.attach_registration(reg);
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use jiff::civil::date;

    #[test]
    fn parts_join_in_either_order() {
        let wb = waybill(vec![position(0, 3, true), position(1, 2, false)]);
        let reg = registration(&wb);
        assert_eq!(wb.key(), reg.key());

        let mut a = Invoice::from_waybill(wb.clone(), date(2026, 11, 26), ts(0));
        assert_eq!(a.readiness(), Readiness::AwaitingRegistration);
        assert_eq!(a.attach_registration(reg.clone()), MergeOutcome::Attached);
        assert!(a.readiness().is_ready());

        let mut b = Invoice::from_registration(reg.clone(), date(2026, 11, 26), ts(0));
        assert_eq!(b.readiness(), Readiness::AwaitingWayBill);
        assert_eq!(b.attach_waybill(wb.clone()), MergeOutcome::Attached);
        assert_eq!(a.waybill, b.waybill);
        assert_eq!(a.registration, b.registration);
        assert_eq!(a.wb_reg_id(), Some("TTN-0557370828"));

        assert_eq!(a.attach_waybill(wb), MergeOutcome::Duplicate);
        assert_eq!(a.attach_registration(reg), MergeOutcome::Duplicate);
    }

    #[test]
    fn lines_carry_the_new_form_b() {
        let inv = ready_invoice();
        let lines = inv.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].f2_reg_id, Some("FB-000004917646122"));
        assert_eq!(lines[2].f2_reg_id, Some("FB-000004917646124"));
        assert_eq!(inv.mark_count(), 17);
        assert_eq!(inv.total_quantity(), Decimal::from(37));
        assert_eq!(inv.total_amount().to_xml(), "5309.50");
    }

    #[test]
    fn mismatched_registration_is_not_ready() {
        let wb = waybill(vec![position(0, 3, true), position(1, 2, false)]);
        let mut reg = registration(&wb);
        reg.positions[1].identity = "7".into();
        let mut inv = Invoice::from_waybill(wb, date(2026, 11, 26), ts(0));
        inv.attach_registration(reg);
        let Readiness::Mismatch(problems) = inv.readiness() else {
            panic!("expected a mismatch");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            inv.readiness()
                .message_ru()
                .contains("позиция 2 без справки Б")
        );
    }

    #[test]
    fn changed_waybill_replaces_only_before_answer() {
        let mut inv = ready_invoice();
        let mut other = inv.waybill.clone().unwrap();
        other.note = Some("исправлено".into());
        assert_eq!(inv.attach_waybill(other.clone()), MergeOutcome::Replaced);
        assert_eq!(
            inv.waybill.as_ref().unwrap().note.as_deref(),
            Some("исправлено")
        );
    }

    #[test]
    fn deadline_is_next_working_day() {
        let cal = WorkCalendar::default();
        let mut inv = ready_invoice();
        inv.received_on = date(2026, 11, 27); // Friday
        let u = inv.urgency(date(2026, 11, 27), &cal);
        assert_eq!(u.deadline, date(2026, 11, 30));
        assert_eq!(u.days_left, 3);
        assert!(!u.overdue());
        let late = inv.urgency(date(2026, 12, 2), &cal);
        assert_eq!(late.days_left, -2);
        assert!(late.overdue());
        assert_eq!(late.label_ru(), "просрочено 2 дн.");
        assert_eq!(inv.urgency(date(2026, 11, 30), &cal).label_ru(), "сегодня");
    }

    #[test]
    fn new_list_puts_overdue_first() {
        let cal = WorkCalendar::default();
        let mut a = ready_invoice();
        a.received_on = date(2026, 11, 26);
        let mut b = ready_invoice();
        b.received_on = date(2026, 11, 20);
        b.key.number = "2".into();
        let mut c = ready_invoice();
        c.received_on = date(2026, 11, 26);
        c.key.number = "3".into();
        c.waybill = None;
        let mut list = vec![&a, &c, &b];
        sort_for_action(&mut list, DocList::New, &cal);
        assert_eq!(list[0].key.number, "2");
        // Same deadline: the one that can be answered comes before the incomplete one.
        assert_eq!(list[1].key.number, "00000003430");
        assert_eq!(list[2].key.number, "3");
    }

    #[test]
    fn product_cards_keep_shop_data() {
        let inv = ready_invoice();
        let first = &inv.positions()[0].product.alc_code;
        let existing = ProductCard {
            alc_code: first.clone(),
            full_name: "старое".into(),
            short_name: None,
            eans: vec!["4601234567893".into()],
            capacity: None,
            alc_percent: None,
            type_code: String::new(),
            producer: None,
            is_alcohol: true,
            needs_stamp: false,
            price: Some(Money::parse("399").unwrap()),
        };
        let cards = inv.product_cards(|code| (code == first).then(|| existing.clone()));
        assert_eq!(cards.len(), 3);
        assert_eq!(cards[0].eans, vec!["4601234567893".to_string()]);
        assert_eq!(cards[0].price, existing.price);
        assert_eq!(cards[0].full_name, "Водка \"Пример 1\"");
        assert!(cards[0].needs_stamp);
        assert!(!cards[2].needs_stamp);
        assert!(cards[2].is_beer_like());
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever order and however often the two parts arrive, the result is the same
        /// single invoice, ready to answer.
        #[test]
        fn parts_in_any_order_and_repetition_give_one_invoice(
            order in proptest::collection::vec(any::<bool>(), 1..8)
        ) {
            let wb = waybill(vec![position(0, 4, true), position(1, 2, false)]);
            let reg = registration(&wb);
            let first = order[0];
            let mut inv = if first {
                Invoice::from_waybill(wb.clone(), date(2026, 11, 26), ts(0))
            } else {
                Invoice::from_registration(reg.clone(), date(2026, 11, 26), ts(0))
            };
            for waybill_part in &order[1..] {
                let outcome = if *waybill_part {
                    inv.attach_waybill(wb.clone())
                } else {
                    inv.attach_registration(reg.clone())
                };
                prop_assert!(matches!(outcome, MergeOutcome::Attached | MergeOutcome::Duplicate));
            }
            let both = order.contains(&true) && order.contains(&false);
            prop_assert_eq!(inv.readiness().is_ready(), both);
            if both {
                prop_assert_eq!(inv.waybill.as_ref(), Some(&wb));
                prop_assert_eq!(inv.registration.as_ref(), Some(&reg));
            }
        }

        /// In the New list an overdue invoice never comes after one that is not overdue.
        #[test]
        fn overdue_first(days in proptest::collection::vec(0i32..20, 1..12)) {
            let cal = WorkCalendar::default();
            let today = date(2026, 11, 26);
            let invs: Vec<Invoice> = days
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let mut inv = ready_invoice();
                    inv.key.number = i.to_string();
                    inv.received_on = today.checked_sub(jiff::Span::new().days(*d)).unwrap();
                    inv
                })
                .collect();
            let mut list: Vec<&Invoice> = invs.iter().collect();
            sort_for_action(&mut list, DocList::New, &cal);
            let overdue: Vec<bool> = list.iter().map(|i| i.urgency(today, &cal).overdue()).collect();
            let first_not_overdue = overdue.iter().position(|o| !o).unwrap_or(overdue.len());
            prop_assert!(overdue[first_not_overdue..].iter().all(|o| !o));
            let days_left: Vec<i32> = list.iter().map(|i| i.urgency(today, &cal).days_left).collect();
            prop_assert!(days_left.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
