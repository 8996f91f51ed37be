use super::*;
use crate::domain::acceptance::{ActMeta, Verdict};
use crate::domain::invoice::fixtures::*;
use crate::domain::invoice::{Invoice, WayBill};
use crate::tui::theme::Theme;
use crossterm::event::{KeyEventKind, KeyEventState, KeyModifiers};
use jiff::civil::date;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn act(pane: &mut AcceptancePane, a: PaneAction) -> Vec<Effect> {
    pane.handle_key(press(KeyCode::Null), Some(a))
}

fn typed(pane: &mut AcceptancePane, text: &str) {
    for c in text.chars() {
        pane.handle_key(press(KeyCode::Char(c)), None);
    }
}

fn enter(pane: &mut AcceptancePane) -> Vec<Effect> {
    pane.handle_key(press(KeyCode::Enter), Some(PaneAction::Open))
}

fn theme() -> Theme {
    Theme::builtin("default").expect("built-in theme")
}

fn render(pane: &mut AcceptancePane, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = theme();
    terminal
        .draw(|f| draw::draw(pane, f.area(), f.buffer_mut(), &theme))
        .unwrap();
    terminal.backend().to_string()
}

fn with_shipper(mut inv: Invoice, name: &str, number: &str, received: Date) -> Invoice {
    let mut wb: WayBill = inv.waybill.clone().unwrap();
    wb.shipper.short_name = Some(name.into());
    wb.number = number.into();
    let mut reg = registration(&wb);
    reg.wb_reg_id = format!("TTN-{number:0>10}");
    let mut fresh = Invoice::from_waybill(wb, received, ts(0));
    fresh.attach_registration(reg);
    inv = fresh;
    inv
}

fn send(inv: &mut Invoice, d: Decision, n: &str) {
    let meta = ActMeta {
        identity: format!("act-{n}"),
        number: n.into(),
        date: inv.received_on,
    };
    let a = inv.prepare_act(d, &meta).unwrap();
    inv.record_sent(a, ts(100 + n.parse::<i64>().unwrap()))
        .unwrap();
}

fn verdict(accepted: bool, comment: &str) -> Verdict {
    Verdict {
        accepted,
        comment: comment.into(),
    }
}

/// A shop with invoices in every state.
fn invoices() -> Vec<Invoice> {
    let base = ready_invoice();
    let a = with_shipper(
        base.clone(),
        "ООО \"АгроТрейд\"",
        "3430",
        date(2026, 11, 26),
    );
    let b = with_shipper(base.clone(), "АО \"Винторг\"", "118", date(2026, 11, 20));
    let mut c = with_shipper(base.clone(), "ИП Петров", "77", date(2026, 11, 26));
    c.registration = None;
    let mut d = with_shipper(base.clone(), "ООО \"Пивзавод\"", "501", date(2026, 11, 25));
    send(&mut d, Decision::AcceptAll, "1");
    let mut e = with_shipper(base.clone(), "ООО \"Ликёр\"", "9", date(2026, 11, 24));
    send(&mut e, Decision::AcceptAll, "2");
    e.apply_act_ticket(&verdict(false, "Повторный акт на накладную"), ts(300));
    let mut f = with_shipper(base.clone(), "ООО \"Архив\"", "1", date(2026, 11, 10));
    send(&mut f, Decision::AcceptAll, "3");
    f.apply_act_ticket(&verdict(true, "подтверждена"), ts(400));
    let mut g = with_shipper(base, "ООО \"Отказ\"", "2", date(2026, 11, 11));
    send(
        &mut g,
        Decision::Reject {
            reason: "Бой".into(),
        },
        "4",
    );
    g.apply_act_ticket(&verdict(true, ""), ts(500));
    vec![a, b, c, d, e, f, g]
}

fn pane_with(invs: &[Invoice]) -> AcceptancePane {
    let mut pane = AcceptancePane::new(date(2026, 11, 26), WorkCalendar::default(), true);
    pane.handle_event(Event::Loaded(invs.iter().map(InvoiceSummary::of).collect()));
    pane
}

#[test]
fn lists_are_sorted_by_what_needs_action_first() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    let new: Vec<_> = pane
        .rows(DocList::New)
        .iter()
        .map(|s| s.key.number.clone())
        .collect();
    // Overdue first, then the answerable one before the incomplete one.
    assert_eq!(new, ["118", "3430", "77"]);
    let review: Vec<_> = pane
        .rows(DocList::UnderReview)
        .iter()
        .map(|s| s.key.number.clone())
        .collect();
    assert_eq!(review, ["9", "501"], "the rejected one first");
    insta::assert_snapshot!("lists_new_80x24", render(&mut pane, 80, 24));
    act(&mut pane, PaneAction::NextList);
    insta::assert_snapshot!("lists_review_80x24", render(&mut pane, 80, 24));
    act(&mut pane, PaneAction::NextList);
    insta::assert_snapshot!("lists_archive_80x24", render(&mut pane, 80, 24));
}

#[test]
fn open_invoice_shows_positions_and_stamps() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    let fx = enter(&mut pane);
    assert_eq!(
        fx,
        vec![Effect::Open {
            key: pane.rows(DocList::New)[0].key.storage_key(),
            edit: false
        }]
    );
    let inv = invs.iter().find(|i| i.key.number == "118").unwrap().clone();
    pane.handle_event(Event::Opened {
        invoice: Box::new(inv),
        edit: false,
    });
    insta::assert_snapshot!("invoice_80x24", render(&mut pane, 80, 24));
    insta::assert_snapshot!("invoice_120x40", render(&mut pane, 120, 40));
}

#[test]
fn discrepancy_editor() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    let fx = act(&mut pane, PaneAction::Differences);
    let Some(Effect::Open { key, edit: true }) = fx.first().cloned() else {
        panic!("expected the editor to open: {fx:?}");
    };
    let inv = invs
        .iter()
        .find(|i| i.key.storage_key() == key)
        .unwrap()
        .clone();
    pane.handle_event(Event::Opened {
        invoice: Box::new(inv),
        edit: true,
    });
    render(&mut pane, 80, 24);
    // Untick the first stamp of the first box.
    act(&mut pane, PaneAction::Down);
    act(&mut pane, PaneAction::Down);
    act(&mut pane, PaneAction::Down);
    assert!(act(&mut pane, PaneAction::Toggle).is_empty());
    // An over-quantity on the beer line is refused with a message and changes nothing.
    let Screen::Editor(ed) = &pane.screen else {
        panic!("editor")
    };
    let beer_row = ed.rows.position_row(2).unwrap();
    pane_move_to(&mut pane, beer_row);
    act(&mut pane, PaneAction::Toggle);
    assert!(matches!(pane.dialog, Some(Dialog::Quantity { .. })));
    for _ in 0..3 {
        pane.handle_key(press(KeyCode::Backspace), None);
    }
    typed(&mut pane, "25");
    assert!(enter(&mut pane).is_empty());
    let msg = pane.message.clone().unwrap();
    assert_eq!(msg.severity, Severity::Error);
    assert!(
        msg.text.contains("принято 25, а в накладной 20"),
        "{}",
        msg.text
    );
    assert!(pane.dialog.is_some(), "the dialog stays for a correction");
    for _ in 0..3 {
        pane.handle_key(press(KeyCode::Backspace), None);
    }
    typed(&mut pane, "18");
    enter(&mut pane);
    assert!(pane.dialog.is_none());
    insta::assert_snapshot!("editor_80x24", render(&mut pane, 80, 24));

    // A stamp from another invoice is refused.
    pane.handle_scan(&mark(8, 1));
    assert!(
        pane.message
            .as_ref()
            .unwrap()
            .text
            .contains("не из этой накладной")
    );

    // Sending asks for confirmation, then produces exactly one Differences decision.
    assert!(act(&mut pane, PaneAction::Accept).is_empty());
    let fx = enter(&mut pane);
    let [
        Effect::Send {
            decision: Decision::Differences(p),
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("expected a differences act: {fx:?}");
    };
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].marks.len(), 11);
    assert_eq!(p[1].real_quantity, rust_decimal::Decimal::from(18));
}

fn pane_move_to(pane: &mut AcceptancePane, row: usize) {
    if let Screen::Editor(ed) = &mut pane.screen {
        ed.scroll.cursor = row;
    }
}

#[test]
fn reject_on_an_archived_invoice_is_refused() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    act(&mut pane, PaneAction::PrevList);
    assert_eq!(pane.list, DocList::Archive);
    assert!(act(&mut pane, PaneAction::Reject).is_empty());
    assert!(pane.dialog.is_none());
    assert_eq!(
        pane.message.as_ref().unwrap().text,
        "Нельзя отказаться от накладной: документ уже в архиве"
    );
    // Deleting from the archive asks, then deletes.
    assert!(act(&mut pane, PaneAction::Delete).is_empty());
    assert!(matches!(
        enter(&mut pane).as_slice(),
        [Effect::Delete { .. }]
    ));
    // Deleting from New is refused.
    act(&mut pane, PaneAction::NextList);
    assert!(act(&mut pane, PaneAction::Delete).is_empty());
    assert_eq!(
        pane.message.as_ref().unwrap().text,
        "Удалить можно только документ из архива"
    );
}

#[test]
fn reject_needs_a_reason() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    act(&mut pane, PaneAction::Reject);
    assert!(enter(&mut pane).is_empty());
    assert_eq!(
        pane.message.as_ref().unwrap().text,
        "Укажите причину отказа"
    );
    typed(&mut pane, "Бой товара");
    let fx = enter(&mut pane);
    assert!(matches!(
        fx.as_slice(),
        [Effect::Send { decision: Decision::Reject { reason }, .. }] if reason == "Бой товара"
    ));
}

#[test]
fn accept_then_bind_barcodes() {
    let invs = invoices();
    let mut pane = pane_with(&invs);
    act(&mut pane, PaneAction::Accept);
    let fx = enter(&mut pane);
    let [
        Effect::Send {
            key,
            decision: Decision::AcceptAll,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}");
    };
    let fx = pane.handle_event(Event::Sent {
        key: key.clone(),
        kind: ActKind::Accepted,
    });
    assert!(fx.contains(&Effect::PrepareBinding { key: key.clone() }));
    let mut inv = invs
        .iter()
        .find(|i| &i.key.storage_key() == key)
        .unwrap()
        .clone();
    send(&mut inv, Decision::AcceptAll, "9");
    let plan = EanBindingPlan::for_invoice(&inv, |_| None);
    let mut owners = HashMap::new();
    owners.insert(
        "4602486000732".to_string(),
        ("0000000000000000001".to_string(), "Коньяк".to_string()),
    );
    pane.handle_event(Event::BindingPlan { plan, owners });
    insta::assert_snapshot!("binding_80x24", render(&mut pane, 80, 24));
    // Malformed EAN typed: a message, nothing bound.
    typed(&mut pane, "4601234567890");
    assert!(enter(&mut pane).is_empty());
    let Some(Dialog::Binding(b)) = &pane.dialog else {
        panic!("dialog closed")
    };
    assert!(b.error.as_deref().unwrap().contains("контрольная цифра"));
    // A code that belongs to another product is refused.
    pane.handle_scan("4602486000732");
    let Some(Dialog::Binding(b)) = &pane.dialog else {
        panic!("dialog closed")
    };
    assert!(b.error.as_deref().unwrap().contains("Коньяк"));
    assert!(pane.handle_scan("4601234567893").is_empty());
    assert!(enter(&mut pane).is_empty(), "empty Enter skips");
    let fx = pane.handle_scan("5010196091008");
    assert_eq!(
        fx,
        vec![Effect::BindEans {
            bindings: vec![
                (
                    inv.positions()[0].product.alc_code.clone(),
                    "4601234567893".into(),
                    true
                ),
                (
                    inv.positions()[2].product.alc_code.clone(),
                    "5010196091008".into(),
                    false
                ),
            ]
        }]
    );
    assert!(pane.dialog.is_none());
}

#[test]
fn no_answer_list_and_resend() {
    let mut pane = pane_with(&[]);
    assert_eq!(
        act(&mut pane, PaneAction::QueryNoAnswer),
        vec![Effect::QueryNoAnswer]
    );
    pane.handle_event(Event::NoAnswer(vec![NoAnswerEntry {
        wb_reg_id: "TTN-0557370828".into(),
        number: "3430".into(),
        date: Some(date(2026, 11, 20)),
        shipper_id: "010038062164".into(),
    }]));
    insta::assert_snapshot!("no_answer_80x24", render(&mut pane, 80, 24));
    assert_eq!(
        enter(&mut pane),
        vec![Effect::QueryResend {
            wb_reg_id: "TTN-0557370828".into()
        }]
    );
    // Typing a bad registration number is refused.
    act(&mut pane, PaneAction::Back);
    act(&mut pane, PaneAction::Resend);
    typed(&mut pane, "12345");
    assert!(enter(&mut pane).is_empty());
    assert!(pane.message.as_ref().unwrap().text.contains("TTN-"));
}

#[test]
fn ten_thousand_stamps_scroll_to_the_end() {
    let wb = waybill(vec![position(0, 10_000, true)]);
    let reg = registration(&wb);
    let mut inv = Invoice::from_waybill(wb, date(2026, 11, 26), ts(0));
    inv.attach_registration(reg);
    let mut pane = pane_with(std::slice::from_ref(&inv));
    pane.handle_event(Event::Opened {
        invoice: Box::new(inv),
        edit: false,
    });
    render(&mut pane, 80, 24);
    act(&mut pane, PaneAction::End);
    let screen = render(&mut pane, 80, 24);
    assert!(screen.contains(&mark(0, 9_999)[..40]), "{screen}");
}
