//! Opening an invoice with 10,000 stamps in the Приёмка pane and scrolling through it:
//! each scroll step redraws the screen, which must stay well under a millisecond.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use egais_tui::domain::invoice::{
    Counterparty, Form2Reg, Form2RegPosition, Invoice, MarkBox, ProductInfo, WayBill,
    WayBillPosition,
};
use egais_tui::domain::money::Money;
use egais_tui::domain::volume::{AlcoholPercent, Volume};
use egais_tui::domain::workdays::WorkCalendar;
use egais_tui::tui::acceptance::{AcceptancePane, Event, PaneAction, draw};
use egais_tui::tui::theme::Theme;
use jiff::Timestamp;
use jiff::civil::date;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rust_decimal::Decimal;

const STAMPS: usize = 10_000;
const PER_POSITION: usize = 2_000;
const PER_BOX: usize = 12;

fn mark(pos: usize, n: usize) -> String {
    format!("{:03}404{:08}0122001{:A>129}", 186 + pos, n + 1, "")
}

fn big_invoice() -> Invoice {
    let shipper = Counterparty {
        client_reg_id: "010038062164".into(),
        full_name: "ООО \"АгроТрейд\"".into(),
        ..Counterparty::default()
    };
    let positions: Vec<WayBillPosition> = (0..STAMPS / PER_POSITION)
        .map(|p| {
            let marks: Vec<String> = (0..PER_POSITION).map(|n| mark(p, n)).collect();
            WayBillPosition {
                identity: (p + 1).to_string(),
                product: ProductInfo {
                    full_name: format!("Водка \"Пример {}\" 0,5 л", p + 1),
                    alc_code: format!("{:019}", 10255000002043023u64 + p as u64),
                    capacity: Volume::parse("0.5").ok(),
                    alc_percent: AlcoholPercent::parse("40").ok(),
                    type_code: "200".into(),
                    ..ProductInfo::default()
                },
                quantity: Decimal::from(PER_POSITION as u32),
                price: Money::from_kopecks(39_990),
                fa_reg_id: Some(format!("FA-{:015}", 48928099 + p)),
                shipper_f2_reg_id: Some(format!("FB-{:015}", 4893172359u64 + p as u64)),
                ean13: None,
                boxes: marks
                    .chunks(PER_BOX)
                    .enumerate()
                    .map(|(b, m)| MarkBox {
                        box_number: Some(format!("{:026}", p * 1000 + b)),
                        marks: m.to_vec(),
                    })
                    .collect(),
            }
        })
        .collect();
    let reg = Form2Reg {
        identity: None,
        wb_reg_id: "TTN-0557370828".into(),
        fix_number: None,
        fix_date: None,
        wb_number: "3430".into(),
        wb_date: date(2026, 11, 26),
        shipper: shipper.clone(),
        positions: positions
            .iter()
            .enumerate()
            .map(|(i, p)| Form2RegPosition {
                identity: p.identity.clone(),
                f2_reg_id: format!("FB-{:015}", 4917646122u64 + i as u64),
                bottling_date: None,
            })
            .collect(),
    };
    let wb = WayBill {
        identity: None,
        number: "3430".into(),
        date: date(2026, 11, 26),
        shipping_date: None,
        shipper,
        consignee: Counterparty::default(),
        base: None,
        note: None,
        positions,
    };
    let mut inv = Invoice::from_waybill(wb, date(2026, 11, 26), Timestamp::UNIX_EPOCH);
    inv.attach_registration(reg);
    inv
}

fn pane_with(inv: &Invoice, edit: bool) -> AcceptancePane {
    let mut pane = AcceptancePane::new(date(2026, 11, 26), WorkCalendar::default(), false);
    pane.handle_event(Event::Opened {
        invoice: Box::new(inv.clone()),
        edit,
    });
    pane
}

fn scroll_and_draw(c: &mut Criterion, name: &str, edit: bool, area: Rect) {
    let inv = big_invoice();
    let theme = Theme::builtin("default").expect("built-in theme");
    let mut pane = pane_with(&inv, edit);
    let mut buf = Buffer::empty(area);
    let key = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
    let mut step = 0u32;
    c.bench_function(name, |b| {
        b.iter(|| {
            step += 1;
            // Page down to the end, then start over from the top.
            let action = if step.is_multiple_of(600) {
                PaneAction::Home
            } else {
                PaneAction::PageDown
            };
            pane.handle_key(key, Some(action));
            buf.reset();
            draw::draw(&pane, area, &mut buf, &theme);
            black_box(&buf);
        })
    });
}

fn benches(c: &mut Criterion) {
    let inv = big_invoice();
    assert_eq!(inv.mark_count(), STAMPS);
    c.bench_function("open invoice with 10k stamps", |b| {
        b.iter(|| black_box(pane_with(black_box(&inv), false)))
    });
    c.bench_function("open discrepancy editor with 10k stamps", |b| {
        b.iter(|| black_box(pane_with(black_box(&inv), true)))
    });
    scroll_and_draw(
        c,
        "scroll+draw invoice 10k stamps 80x24",
        false,
        Rect::new(0, 0, 80, 22),
    );
    scroll_and_draw(
        c,
        "scroll+draw invoice 10k stamps 120x40",
        false,
        Rect::new(0, 0, 120, 38),
    );
    scroll_and_draw(
        c,
        "scroll+draw editor 10k stamps 120x40",
        true,
        Rect::new(0, 0, 120, 38),
    );
}

criterion_group!(acceptance, benches);
criterion_main!(acceptance);
