//! Acceptance of supplier invoices end to end: the UTM simulator generates invoices, the
//! exchange engine applies them through the acceptance inbox handler, the Приёмка pane
//! decides, the service writes acts to the outbox, the simulator answers with tickets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use egais_tui::config;
use egais_tui::domain::acceptance::ActKind;
use egais_tui::domain::document::{DocList, DocState};
use egais_tui::domain::workdays::WorkCalendar;
use egais_tui::egais::acceptance::{AcceptanceInbox, AcceptanceService};
use egais_tui::egais::exchange::{Exchange, ExchangeConfig, ExchangeEvent, ExchangeHandle};
use egais_tui::egais::sim::{self, SimConfig, SimHandle, StampStatus, docs};
use egais_tui::egais::utm::UtmClient;
use egais_tui::store::{Store, invoices, marks};
use egais_tui::tui::acceptance::{AcceptancePane, Dialog, Effect, Event, PaneAction, Screen};
use jiff::Timestamp;
use jiff::tz::TimeZone;

const SHOP: &str = "030000194005";

struct Harness {
    sim: SimHandle,
    store: Arc<Store>,
    exchange: Option<ExchangeHandle>,
    service: AcceptanceService,
    pane: AcceptancePane,
    /// Exchange events seen so far (for assertions).
    seen: Vec<ExchangeEvent>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start(cfg: SimConfig) -> Harness {
        let sim = sim::spawn(cfg).await.expect("simulator starts");
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let utm = config::Utm {
            url: sim.url(),
            ..config::Utm::default()
        };
        let client = UtmClient::new(&utm, SHOP).unwrap();
        let tz = TimeZone::get("Europe/Moscow").unwrap();
        let exchange = Exchange::spawn(
            store.clone(),
            client,
            Arc::new(AcceptanceInbox::new(tz.clone())),
            ExchangeConfig {
                poll_interval: Duration::from_millis(40),
                backoff_min: Duration::from_millis(20),
                backoff_max: Duration::from_millis(200),
                ..ExchangeConfig::default()
            },
        );
        let service = AcceptanceService::new(store.clone(), SHOP, tz.clone());
        let today = Timestamp::now().to_zoned_datetime(tz).date();
        let pane = AcceptancePane::new(today, WorkCalendar::default(), false);
        let mut h = Harness {
            sim,
            store,
            exchange: Some(exchange),
            service,
            pane,
            seen: Vec::new(),
            _dir: dir,
        };
        h.run(vec![Effect::Reload]);
        h
    }

    /// Runs effects through the service, feeding the answers back to the pane, until the
    /// pane asks for nothing more.
    fn run(&mut self, mut effects: Vec<Effect>) {
        while let Some(e) = effects.pop() {
            let sends = matches!(
                e,
                Effect::Send { .. } | Effect::QueryNoAnswer | Effect::QueryResend { .. }
            );
            let event = self.service.run(e, Timestamp::now());
            effects.extend(self.pane.handle_event(event));
            if sends && let Some(x) = &self.exchange {
                x.control.wake();
            }
        }
    }

    fn action(&mut self, a: PaneAction) {
        let fx = self
            .pane
            .handle_key(KeyEvent::new(KeyCode::Null, KeyModifiers::NONE), Some(a));
        self.run(fx);
    }

    fn key(&mut self, code: KeyCode) {
        let action = (code == KeyCode::Enter).then_some(PaneAction::Open);
        let fx = self
            .pane
            .handle_key(KeyEvent::new(code, KeyModifiers::NONE), action);
        self.run(fx);
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// What the app's loop does with exchange events: a document that changed invoices
    /// makes the open pane reload.
    fn pump(&mut self) {
        let mut events = Vec::new();
        if let Some(x) = self.exchange.as_mut() {
            while let Ok(ev) = x.events.try_recv() {
                events.push(ev);
            }
        }
        for ev in events {
            if let ExchangeEvent::DocumentReceived { element, .. } = &ev
                && AcceptanceInbox::handles(element)
            {
                let fx = self.pane.handle_event(Event::Changed);
                self.run(fx);
            }
            self.seen.push(ev);
        }
    }

    async fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Harness) -> bool) {
        let start = Instant::now();
        loop {
            self.pump();
            if done(self) {
                return;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!(
                    "timed out waiting for {what}; pane message: {:?}; events: {:#?}",
                    self.pane.message, self.seen
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn summaries(&self) -> Vec<invoices::InvoiceSummary> {
        self.store.read(invoices::summaries).unwrap()
    }

    fn count_in(&self, list: DocList) -> usize {
        self.pane.rows(list).len()
    }

    /// Selects the invoice with this WBRegId in the New list.
    fn select_new(&mut self, wb_reg_id: &str) {
        self.action(PaneAction::Home);
        while self.pane.list != DocList::New {
            self.action(PaneAction::NextList);
        }
        let idx = self
            .pane
            .rows(DocList::New)
            .iter()
            .position(|s| s.wb_reg_id.as_deref() == Some(wb_reg_id))
            .expect("invoice in New");
        for _ in 0..idx {
            self.action(PaneAction::Down);
        }
        assert_eq!(
            self.pane.selected().unwrap().wb_reg_id.as_deref(),
            Some(wb_reg_id)
        );
    }

    fn state_of(&self, wb_reg_id: &str) -> Option<DocState> {
        self.summaries()
            .into_iter()
            .find(|s| s.wb_reg_id.as_deref() == Some(wb_reg_id))
            .map(|s| s.state)
    }

    async fn shutdown(mut self) {
        if let Some(x) = self.exchange.take() {
            x.shutdown().await;
        }
        self.sim.shutdown().await;
    }
}

fn cfg(seed_invoices: usize) -> SimConfig {
    SimConfig {
        fsrar_id: SHOP.into(),
        seed_invoices,
        rng_seed: 7,
        ..SimConfig::default()
    }
}

fn sim_invoices(h: &Harness) -> Vec<sim::state::InvoiceSummary> {
    h.sim.control.with_state(|s| s.invoice_summaries())
}

async fn with_ready_invoices(n: usize, seed: SimConfig) -> Harness {
    let mut h = Harness::start(seed).await;
    h.wait_for("invoices ready in New", |h| {
        h.pane.rows(DocList::New).iter().filter(|s| s.ready).count() == n
    })
    .await;
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_in_full_archives_and_registers_stamps() {
    let mut h = with_ready_invoices(1, cfg(1)).await;
    let wb = sim_invoices(&h)[0].wb_reg_id.clone();
    let stamps: usize = sim_invoices(&h)[0]
        .positions
        .iter()
        .map(|p| p.stamps.len())
        .sum();
    h.select_new(&wb);
    h.action(PaneAction::Accept);
    assert!(matches!(h.pane.dialog, Some(Dialog::ConfirmAccept { .. })));
    h.key(KeyCode::Enter);
    assert_eq!(h.state_of(&wb), Some(DocState::UnderReview));
    h.wait_for("the accept act confirmed", |h| {
        h.state_of(&wb) == Some(DocState::Archive)
    })
    .await;
    assert_eq!(h.sim.control.received_count("WayBillAct_v4"), 1);
    assert_eq!(h.store.read(marks::count).unwrap(), stamps as u64);
    assert_eq!(
        sim_invoices(&h)[0].act.as_deref(),
        Some("Accepted"),
        "EGAIS registered the acceptance"
    );
    // Product cards exist for every position.
    let cards = h.store.read(egais_tui::store::products::all).unwrap();
    assert_eq!(cards.len(), sim_invoices(&h)[0].positions.len());
    assert!(cards.iter().all(|c| c.is_alcohol && c.needs_stamp));
    h.wait_for("the pane's archive", |h| h.count_in(DocList::Archive) == 1)
        .await;
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shortfall_with_a_missing_stamp() {
    let mut h = with_ready_invoices(1, cfg(1)).await;
    let inv = sim_invoices(&h)[0].clone();
    let wb = inv.wb_reg_id.clone();
    h.select_new(&wb);
    h.action(PaneAction::Differences);
    let Screen::Editor(_) = &h.pane.screen else {
        panic!("the editor did not open: {:?}", h.pane.message);
    };
    // Scan every stamp that arrived except the last one of the first position.
    h.action(PaneAction::ScanMode);
    let missing = inv.positions[0].stamps.last().unwrap().clone();
    for p in &inv.positions {
        for s in &p.stamps {
            if *s != missing {
                let fx = h.pane.handle_scan(s);
                h.run(fx);
            }
        }
    }
    // A stamp from another shipment is refused and changes nothing.
    let foreign = "1".repeat(3) + &inv.positions[0].stamps[0][3..];
    h.pane.handle_scan(&foreign);
    assert!(
        h.pane
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("не из этой накладной")
    );
    h.action(PaneAction::Send);
    assert!(matches!(
        h.pane.dialog,
        Some(Dialog::ConfirmDifferences { lines: 1, .. })
    ));
    h.key(KeyCode::Enter);
    h.wait_for("the differences confirmed", |h| {
        h.state_of(&wb) == Some(DocState::Archive)
    })
    .await;
    let stored = h
        .store
        .read(|tx| invoices::get(tx, &h.summaries()[0].key.storage_key()))
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.current_act().unwrap().content.kind,
        ActKind::Differences
    );
    let accepted = stored.accepted.unwrap();
    assert_eq!(
        accepted[0].quantity,
        rust_decimal::Decimal::from(inv.positions[0].quantity - 1)
    );
    // EGAIS took the stamp back to the supplier, and our register does not have it.
    let status = h
        .sim
        .control
        .with_state(|s| s.stamps().get(&missing).map(|r| r.status));
    assert_eq!(status, Some(StampStatus::Returned));
    assert!(
        h.store
            .read(|tx| marks::lookup(tx, &missing))
            .unwrap()
            .is_none()
    );
    assert!(
        h.store
            .read(|tx| marks::lookup(tx, &inv.positions[0].stamps[0]))
            .unwrap()
            .is_some()
    );
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_with_a_reason() {
    let mut h = with_ready_invoices(1, cfg(1)).await;
    let wb = sim_invoices(&h)[0].wb_reg_id.clone();
    h.select_new(&wb);
    h.action(PaneAction::Reject);
    h.typed("Бой товара");
    h.key(KeyCode::Enter);
    h.wait_for("the rejection confirmed", |h| {
        h.state_of(&wb) == Some(DocState::Archive)
    })
    .await;
    assert_eq!(sim_invoices(&h)[0].act.as_deref(), Some("Rejected"));
    assert_eq!(h.store.read(marks::count).unwrap(), 0);
    // Reject pressed again on the archived invoice: a message, nothing sent.
    h.wait_for("the pane's archive", |h| h.count_in(DocList::Archive) == 1)
        .await;
    while h.pane.list != DocList::Archive {
        h.action(PaneAction::NextList);
    }
    h.action(PaneAction::Reject);
    assert!(h.pane.dialog.is_none());
    assert_eq!(
        h.pane.message.as_ref().unwrap().text,
        "Нельзя отказаться от накладной: документ уже в архиве"
    );
    assert_eq!(h.sim.control.received_count("WayBillAct_v4"), 1);
    h.shutdown().await;
}

/// An invoice the simulated EGAIS does not know: its act is refused with a ticket.
fn unknown_invoice() -> docs::Invoice {
    let org = |id: &str, name: &str| docs::Org {
        fsrar_id: id.into(),
        inn: "7446043646".into(),
        kpp: "745645001".into(),
        full_name: name.into(),
        short_name: name.into(),
        region: "74".into(),
        address: "г. Магнитогорск, ул. Вокзальная, 2".into(),
    };
    let producer = org("010000000545", "АО \"Башспирт\"");
    docs::Invoice {
        identity: "0a1b2c3d-0000-4000-8000-000000000001".into(),
        number: "77001".into(),
        date: Timestamp::now().to_zoned_datetime(TimeZone::UTC).date(),
        shipper: org("010038062164", "ООО \"Призрак\""),
        consignee: SimConfig::default().shop,
        wb_reg_id: "TTN-0999999999".into(),
        fix_number: "WBF-000000000000001".into(),
        positions: vec![docs::InvoicePosition {
            identity: 1,
            product: docs::Product {
                alc_code: "0010255000002043023".into(),
                full_name: "Водка \"Нектар колоска\"".into(),
                capacity: "0.5000".into(),
                alc_volume: "40.000".into(),
                vcode: "200".into(),
                producer,
            },
            quantity: 2,
            price: "300.00".into(),
            fa_reg_id: "FA-000000048928099".into(),
            shipper_f2: "FB-000004893172359".into(),
            new_f2: "FB-000004917646199".into(),
            boxes: vec![(
                "01234567890123456789012345".into(),
                vec![
                    "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y".into(),
                    "187409386020600222001MH2SKYMITFMQWWDNAC6MVXSFU4CNFNHVINZF3ZEWPGJ7V46VJIHYDFEMWMMAFFK7KUWOWY3W6KM5AT52L6CI4VOBHAIZI5YXYH7MK5TI6YPPQHPLDA2JH4S4EHX373RMY".into(),
                ],
            )],
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_ticket_shows_red_and_the_invoice_can_be_answered_again() {
    let mut h = Harness::start(cfg(0)).await;
    let inv = unknown_invoice();
    h.sim.control.with_state(|s| {
        s.inject_out("FORM2REGINFO", docs::form2reginfo(&inv).into_bytes(), None);
        s.inject_out("WayBill_v4", docs::waybill_v4(&inv).into_bytes(), None);
    });
    h.wait_for("the injected invoice", |h| {
        h.pane.rows(DocList::New).iter().any(|s| s.ready)
    })
    .await;
    h.select_new("TTN-0999999999");
    h.action(PaneAction::Accept);
    h.key(KeyCode::Enter);
    h.wait_for("the refusal", |h| {
        h.state_of("TTN-0999999999")
            .is_some_and(|s| s.is_rejected())
    })
    .await;
    let Some(DocState::Rejected { reason }) = h.state_of("TTN-0999999999") else {
        unreachable!()
    };
    assert!(reason.contains("не найдена"), "{reason}");
    // Shown first in Under review, with the reason (the pane reloads on the exchange's
    // news, which may come a moment after the store changed).
    h.wait_for("the pane to show the refusal", |h| {
        h.pane
            .rows(DocList::UnderReview)
            .first()
            .is_some_and(|s| s.state.is_rejected())
    })
    .await;
    let first = &h.pane.rows(DocList::UnderReview)[0];
    assert!(first.state.is_rejected());
    // The cashier may answer again (here: reject); it is sent as a new act.
    while h.pane.list != DocList::UnderReview {
        h.action(PaneAction::NextList);
    }
    h.action(PaneAction::Home);
    h.action(PaneAction::Reject);
    assert!(matches!(h.pane.dialog, Some(Dialog::RejectReason { .. })));
    h.typed("Поставщик не зарегистрировал накладную");
    h.key(KeyCode::Enter);
    h.wait_for("the second act sent", |h| {
        h.sim.control.received_count("WayBillAct_v4") == 2
    })
    .await;
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_arriving_while_the_pane_is_open() {
    let mut h = with_ready_invoices(1, cfg(1)).await;
    // The cashier is looking at the first invoice.
    h.action(PaneAction::Open);
    assert!(matches!(h.pane.screen, Screen::Invoice(_)));
    h.sim.control.with_state(|s| s.seed_invoices(1));
    h.wait_for("the second invoice in the list", |h| {
        h.pane.rows(DocList::New).iter().filter(|s| s.ready).count() == 2
    })
    .await;
    // The open invoice is still open and nothing was answered.
    assert!(matches!(h.pane.screen, Screen::Invoice(_)));
    assert_eq!(h.sim.control.received_count("WayBillAct_v4"), 0);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_delivery_makes_one_invoice() {
    let mut seed = cfg(2);
    seed.faults.duplicates = true;
    let mut h = with_ready_invoices(2, seed).await;
    h.wait_for("the duplicates delivered", |h| {
        h.seen
            .iter()
            .filter(|e| matches!(e, ExchangeEvent::Duplicate { .. }))
            .count()
            >= 4
    })
    .await;
    assert_eq!(h.summaries().len(), 2);
    // The same invoice re-sent later under a new UTM id (QueryResendDoc) is one invoice too.
    let wb = sim_invoices(&h)[0].wb_reg_id.clone();
    h.action(PaneAction::Resend);
    let Some(Dialog::Resend { .. }) = &h.pane.dialog else {
        panic!("no resend dialog")
    };
    // Replace the prefilled number with the one to re-request.
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.typed(&wb);
    h.key(KeyCode::Enter);
    // Both parts again, each delivered twice: four more copies, all recognised.
    h.wait_for("the re-sent invoice", |h| {
        h.sim.control.received_count("QueryResendDoc") == 1
            && h.seen
                .iter()
                .filter(|e| matches!(e, ExchangeEvent::Duplicate { .. }))
                .count()
                >= 8
    })
    .await;
    h.pump();
    assert_eq!(h.summaries().len(), 2);
    assert_eq!(h.count_in(DocList::New), 2);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_unanswered_invoices() {
    let mut h = with_ready_invoices(2, cfg(2)).await;
    h.action(PaneAction::QueryNoAnswer);
    h.wait_for(
        "ReplyNoAnswerTTN shown",
        |h| matches!(&h.pane.screen, Screen::NoAnswer(s) if !s.entries.is_empty()),
    )
    .await;
    let Screen::NoAnswer(s) = &h.pane.screen else {
        unreachable!()
    };
    let mut listed: Vec<String> = s.entries.iter().map(|e| e.wb_reg_id.clone()).collect();
    listed.sort();
    let mut expected: Vec<String> = sim_invoices(&h).into_iter().map(|i| i.wb_reg_id).collect();
    expected.sort();
    assert_eq!(listed, expected);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supplier_refuses_the_discrepancies_and_the_cashier_answers_again() {
    // EGAIS answers after a while, so the supplier's refusal comes first.
    let mut seed = cfg(1);
    seed.delivery_delay = Duration::from_millis(1500);
    let mut h = with_ready_invoices(1, seed).await;
    let inv = sim_invoices(&h)[0].clone();
    let wb = inv.wb_reg_id.clone();
    h.select_new(&wb);
    h.action(PaneAction::Differences);
    // Untick the first stamp (row 0 position, 1 details, 2 box, 3 first stamp).
    for _ in 0..3 {
        h.action(PaneAction::Down);
    }
    h.action(PaneAction::Toggle);
    h.action(PaneAction::Send);
    h.key(KeyCode::Enter);
    h.wait_for("the act in EGAIS", |h| {
        h.sim.control.received_count("WayBillAct_v4") == 1
    })
    .await;
    let shipper = "010038062164";
    h.sim.control.with_state(|s| {
        s.inject_out(
            "WayBillTicket",
            docs::confirm_ticket(
                shipper,
                &wb,
                "ПР-1",
                false,
                "Товар отгружен полностью",
                Timestamp::now(),
            )
            .into_bytes(),
            None,
        )
    });
    h.wait_for("the supplier's refusal in red", |h| {
        h.pane
            .rows(DocList::UnderReview)
            .first()
            .is_some_and(|s| s.state.is_rejected())
    })
    .await;
    let Some(DocState::Rejected { reason }) = h.state_of(&wb) else {
        panic!("not rejected: {:?}", h.state_of(&wb))
    };
    assert_eq!(
        reason,
        "Поставщик не согласен с актом: Товар отгружен полностью"
    );
    // EGAIS's own late answers to the first act change nothing now.
    h.wait_for("EGAIS's final ticket for the first act", |h| {
        h.seen.iter().any(|e| {
            matches!(
                e,
                ExchangeEvent::TicketFor {
                    is_final: true,
                    accepted: true,
                    ..
                }
            )
        })
    })
    .await;
    assert!(h.state_of(&wb).is_some_and(|s| s.is_rejected()));
    // The cashier corrects the act: a second discrepancy act goes out.
    while h.pane.list != DocList::UnderReview {
        h.action(PaneAction::NextList);
    }
    h.action(PaneAction::Home);
    h.action(PaneAction::Differences);
    assert!(
        matches!(h.pane.screen, Screen::Editor(_)),
        "{:?}",
        h.pane.message
    );
    for _ in 0..3 {
        h.action(PaneAction::Down);
    }
    h.action(PaneAction::Toggle);
    h.action(PaneAction::Send);
    h.key(KeyCode::Enter);
    assert_eq!(h.state_of(&wb), Some(DocState::UnderReview));
    h.wait_for("the second act", |h| {
        h.sim.control.received_count("WayBillAct_v4") == 2
    })
    .await;
    // The supplier refuses again, with a new ticket: applied, not taken for a repeat.
    h.sim.control.with_state(|s| {
        s.inject_out(
            "WayBillTicket",
            docs::confirm_ticket(
                shipper,
                &wb,
                "ПР-2",
                false,
                "Не согласны и с этим актом",
                Timestamp::now(),
            )
            .into_bytes(),
            None,
        )
    });
    h.wait_for("the second refusal", |h| {
        matches!(h.state_of(&wb), Some(DocState::Rejected { reason }) if reason.contains("и с этим актом"))
    })
    .await;
    h.shutdown().await;
}

/// The whole app with the exchange engine: an invoice arrives, F3 shows it, F6 Enter
/// accepts, the act goes out at once (the workflow wakes the engine) and is confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_accepts_an_invoice_through_the_exchange() {
    use egais_tui::app_context::AppContext;
    use egais_tui::config::Paths;
    use egais_tui::tui::Setup;
    use egais_tui::tui::effects::Feeds;
    use egais_tui::tui::headless::{HeadlessOptions, KeyToken, run_headless_with};

    let sim = sim::spawn(cfg(1)).await.expect("simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let mut config = config::Config::default();
    config.organisation.fsrar_id = SHOP.into();
    config.utm.url = sim.url();
    let ctx = AppContext {
        config: Arc::new(config.clone()),
        paths: Paths {
            data_dir: dir.path().to_path_buf(),
            state_dir: dir.path().join("state"),
            config_file: None,
        },
        store: store.clone(),
    };
    let tz = TimeZone::get("Europe/Moscow").unwrap();
    let mut engine = Exchange::spawn(
        store.clone(),
        UtmClient::new(&config.utm, SHOP).unwrap(),
        Arc::new(AcceptanceInbox::new(tz)),
        ExchangeConfig {
            poll_interval: Duration::from_millis(40),
            ..ExchangeConfig::default()
        },
    );
    let feeds = Feeds::default().with_exchange(&mut engine);
    let opts = HeadlessOptions {
        size: (100, 30),
        keys: KeyToken::parse_script("wait:800 F3 F6 Enter wait:1500").expect("keys"),
        now: None,
    };
    let screen = run_headless_with(Setup::from_context(&ctx).unwrap(), feeds, opts)
        .await
        .expect("headless");
    assert_eq!(sim.control.received_count("WayBillAct_v4"), 1, "{screen}");
    let state = store.read(invoices::summaries).unwrap()[0].state.clone();
    assert_eq!(state, DocState::Archive, "{screen}");
    assert!(screen.contains("Акт приёма отправлен"), "{screen}");
    assert!(screen.contains("подтверждено, в архиве"), "{screen}");
    engine.shutdown().await;
    sim.shutdown().await;
}
