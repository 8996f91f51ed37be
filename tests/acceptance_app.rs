//! The Приёмка workflow inside the whole app (headless, over a real database): an invoice
//! in the register opens in the workflow, is accepted or refused, and bad input changes
//! nothing.

use std::sync::Arc;

use egais_tui::app_context::AppContext;
use egais_tui::config::{Config, Paths};
use egais_tui::domain::acceptance::{Decision, Verdict};
use egais_tui::domain::invoice::{
    Counterparty, Form2Reg, Form2RegPosition, MarkBox, ProductInfo, WayBill, WayBillPosition,
};
use egais_tui::domain::money::Money;
use egais_tui::domain::volume::{AlcoholPercent, Volume};
use egais_tui::store::invoices::{self, AnswerKind};
use egais_tui::store::{Store, outbox};
use egais_tui::tui::headless::{HeadlessOptions, KeyToken, run_headless};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

fn now() -> Timestamp {
    "2026-11-26T09:30:00Z".parse().expect("fixed clock")
}

fn mark(pos: usize, n: usize) -> String {
    format!("{:03}404{:08}0122001{:A>129}", 186 + pos, n + 1, "")
}

fn invoice(number: &str, shipper: &str) -> (WayBill, Form2Reg) {
    let shipper = Counterparty {
        client_reg_id: "010038062164".into(),
        full_name: shipper.into(),
        short_name: Some(shipper.into()),
        ..Counterparty::default()
    };
    let positions: Vec<WayBillPosition> = (0..2)
        .map(|p| WayBillPosition {
            identity: (p + 1).to_string(),
            product: ProductInfo {
                full_name: format!("Водка \"Пример {}\"", p + 1),
                alc_code: format!("{:019}", 10255000002043023u64 + p as u64),
                capacity: Volume::parse("0.5").ok(),
                alc_percent: AlcoholPercent::parse("40").ok(),
                type_code: "200".into(),
                ..ProductInfo::default()
            },
            quantity: Decimal::from(3),
            price: Money::from_kopecks(34_900),
            fa_reg_id: Some(format!("FA-{:015}", 48928099 + p)),
            shipper_f2_reg_id: Some(format!("FB-{:015}", 4893172359u64 + p as u64)),
            ean13: None,
            boxes: vec![MarkBox {
                box_number: Some(format!("{:026}", p)),
                marks: (0..3).map(|n| mark(p, n)).collect(),
            }],
        })
        .collect();
    let d = date(2026, 11, 25);
    let reg = Form2Reg {
        identity: None,
        wb_reg_id: format!("TTN-{number:0>10}"),
        fix_number: None,
        fix_date: None,
        wb_number: number.into(),
        wb_date: d,
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
        number: number.into(),
        date: d,
        shipping_date: None,
        shipper,
        consignee: Counterparty::default(),
        base: None,
        note: None,
        positions,
    };
    (wb, reg)
}

fn received(store: &Store, number: &str, who: &str, on: Date) -> String {
    let (wb, reg) = invoice(number, who);
    store
        .write(|tx| {
            invoices::receive_waybill(tx, wb, on, now())?;
            invoices::receive_registration(tx, reg, on, now())
        })
        .expect("received")
        .key
        .storage_key()
}

struct Shop {
    dir: tempfile::TempDir,
    store: Arc<Store>,
    archived: String,
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    received(&store, "501", "ООО «Винторг»", date(2026, 11, 25));
    let archived = received(&store, "77", "ООО «Архив»", date(2026, 11, 20));
    store
        .write(|tx| {
            invoices::send_act(
                tx,
                &archived,
                Decision::AcceptAll,
                date(2026, 11, 20),
                now(),
                |_| Ok(b"<act/>".to_vec()),
            )?;
            invoices::apply_answer(
                tx,
                &archived,
                AnswerKind::ActTicket,
                &Verdict {
                    accepted: true,
                    comment: "подтверждена".into(),
                },
                now(),
            )
        })
        .expect("archived");
    Shop {
        dir,
        store,
        archived,
    }
}

fn run(shop: &Shop, keys: &str) -> String {
    run_with(shop, keys, false)
}

fn run_with(shop: &Shop, keys: &str, scan_barcodes: bool) -> String {
    let mut config = Config::default();
    config.acceptance.scan_barcodes_on_acceptance = scan_barcodes;
    run_config(shop, keys, config)
}

fn run_config(shop: &Shop, keys: &str, mut config: Config) -> String {
    config.organisation.fsrar_id = "030000123456".into();
    let ctx = AppContext {
        config: Arc::new(config),
        paths: Paths {
            data_dir: shop.dir.path().to_path_buf(),
            state_dir: shop.dir.path().join("state"),
            config_file: None,
        },
        store: Arc::clone(&shop.store),
    };
    let opts = HeadlessOptions {
        size: (100, 30),
        keys: KeyToken::parse_script(keys).expect("keys"),
        now: Some(now()),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run_headless(&ctx, opts)).expect("headless")
}

fn acts_queued(shop: &Shop) -> usize {
    shop.store
        .read(outbox::all)
        .expect("outbox")
        .iter()
        .filter(|e| e.doc.doc_type == "WayBillAct_v4")
        .count()
}

#[test]
fn an_invoice_in_the_register_opens_in_the_workflow() {
    let shop = shop();
    let s = run(&shop, "F3");
    assert!(s.contains("Новые (1)"), "{s}");
    assert!(s.contains("2 поз. · 2 094,00 руб."), "{s}");
    // The invoice inbox by deadline: received on Wednesday, due Thursday = today.
    let s = run(&shop, "F3 F12");
    assert!(s.contains("Ответить"), "{s}");
    assert!(s.contains("сегодня"), "{s}");
    let s = run(&shop, "F3 Enter");
    assert!(s.contains("Накладная №501 от 25.11.2026"), "{s}");
    assert!(s.contains("просрочено") || s.contains("сегодня"), "{s}");
    assert!(s.contains("Б:FB-000004917646122"), "{s}");
    let s = run(&shop, "F3 Enter Esc");
    assert!(s.contains("Новые (1)"), "back to the register: {s}");
}

#[test]
fn accept_from_the_register_queues_one_act() {
    let shop = shop();
    let s = run(&shop, "F3 F6");
    assert!(s.contains("Принять полностью"), "confirmation first: {s}");
    assert_eq!(
        acts_queued(&shop),
        1,
        "only the archived invoice's act so far"
    );
    let s = run(&shop, "F3 F6 Enter wait:300");
    assert!(s.contains("Акт приёма отправлен"), "{s}");
    assert_eq!(acts_queued(&shop), 2);
}

#[test]
fn bad_input_changes_nothing() {
    let shop = shop();
    // Reject on the archived invoice.
    let s = run(&shop, "F3 Tab Tab F11 wait:100");
    assert!(
        s.contains("Нельзя отказаться от накладной: документ уже в архиве"),
        "{s}"
    );
    // An over-quantity is impossible for stamped lines; a foreign stamp is refused.
    let s = run(&shop, &format!("F3 F7 scan:{}", mark(9, 1)));
    assert!(s.contains("не из этой накладной"), "{s}");
    // A malformed EAN in the binding dialog of the archived invoice.
    let s = run(&shop, "F3 Tab Tab ctrl+b text:4601234567890 Enter");
    assert!(s.contains("неверная контрольная цифра"), "{s}");
    assert_eq!(acts_queued(&shop), 1);
    let inv = shop
        .store
        .read(|tx| invoices::get(tx, &shop.archived))
        .expect("read")
        .expect("archived invoice");
    assert_eq!(inv.acts.len(), 1);
}

#[test]
fn barcodes_are_asked_after_acceptance_when_the_option_is_on() {
    let shop = shop();
    // Accept; the dialog asks for the first product's barcode; a typo is refused.
    let s = run_with(&shop, "F3 F6 Enter wait:300 text:4601234567890 Enter", true);
    assert!(s.contains("Штрихкоды товаров"), "{s}");
    assert!(s.contains("Товар 1 из 2"), "{s}");
    assert!(s.contains("неверная контрольная цифра"), "{s}");
    let cards = shop
        .store
        .read(egais_tui::store::products::all)
        .expect("cards");
    assert_eq!(cards.len(), 2, "cards created from the positions");
    assert!(cards.iter().all(|c| c.eans.is_empty()), "nothing bound yet");
    // Later, from the invoice under review: scan the first, skip the second.
    let s = run_with(
        &shop,
        "F3 Tab ctrl+b wait:100 scan:4601234567893 Enter wait:300",
        true,
    );
    assert!(s.contains("Привязано штрихкодов: 1"), "{s}");
    let card = shop
        .store
        .read(|tx| egais_tui::store::products::by_ean(tx, "4601234567893"))
        .expect("read")
        .expect("bound");
    assert!(card.is_sellable() && card.needs_stamp && card.is_alcohol);
}

#[test]
fn holidays_from_the_settings_move_the_deadline() {
    let shop = shop();
    let mut config = Config::default();
    // Received on Wednesday 25.11; Thursday 26.11 declared a holiday: due Friday.
    config.acceptance.holidays = vec!["2026-11-26".into()];
    let s = run_config(&shop, "F3 F12", config);
    assert!(s.contains("завтра 27.11"), "{s}");
    let mut config = Config::default();
    config.acceptance.holidays = vec!["26.11.2026".into()];
    let s = run_config(&shop, "F3 F12", config);
    assert!(
        s.contains("«26.11.2026» — не дата"),
        "the bad date is named: {s}"
    );
}
