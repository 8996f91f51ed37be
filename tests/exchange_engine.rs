//! The exchange engine against the simulator: real HTTP on 127.0.0.1, a real redb store
//! in a temporary directory, short intervals and bounded waits.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use egais_tui::domain::DocState;
use egais_tui::egais::exchange::{CrashPoint, ExchangeConfig, ExchangeEvent};
use egais_tui::egais::sim::{Faults, StampStatus};
use egais_tui::store::Store;
use egais_tui::store::archive::{self, InboxState};
use egais_tui::store::outbox::{self, OutboxEntry, OutboxState};

const WAIT: Duration = Duration::from_secs(10);

fn open_store(dir: &tempfile::TempDir) -> Arc<Store> {
    Arc::new(Store::open(dir.path()).expect("store"))
}

fn entry(store: &Store, id: &str) -> OutboxEntry {
    store
        .read(|tx| outbox::find_by_id(tx, id))
        .expect("read outbox")
        .expect("entry exists")
}

fn is_archive(store: &Store, id: &str) -> bool {
    doc_state(store, id) == Some(DocState::Archive)
}

fn rejected_reason(store: &Store, id: &str) -> Option<String> {
    match doc_state(store, id) {
        Some(DocState::Rejected { reason }) => Some(reason),
        _ => None,
    }
}

fn archived(store: &Store) -> Vec<(archive::ArchivedDoc, InboxState)> {
    store.read(archive::all).expect("archive")
}

fn drain(events: &mut tokio::sync::mpsc::Receiver<ExchangeEvent>) -> Vec<ExchangeEvent> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        out.push(e);
    }
    out
}

/// Collects events until one matches (bounded): the store is committed before the event
/// is emitted, so a test that saw the store change may still have to wait for it.
async fn events_until(
    events: &mut tokio::sync::mpsc::Receiver<ExchangeEvent>,
    found: impl Fn(&ExchangeEvent) -> bool,
) -> Vec<ExchangeEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(e)) => {
                let done = found(&e);
                seen.push(e);
                if done {
                    return seen;
                }
            }
            Ok(None) => panic!("event channel closed; seen {seen:?}"),
            Err(_) => panic!("timed out waiting for an event; seen {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outgoing_type_goes_send_ticket_state_change() {
    let sim = start_sim(|c| c.seed_invoices = 3).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let mut engine = spawn_engine(&store, &sim.url(), fast_engine());

    // The incoming invoices and their справки Б are archived and applied.
    wait_for("3 invoices applied", WAIT, || {
        applied_count(&store, "WayBill_v4") == 3 && applied_count(&store, "TTNInformF2Reg") == 3
    })
    .await;
    let failed: Vec<_> = archived(&store)
        .into_iter()
        .filter(|(_, s)| matches!(s, InboxState::Failed { .. }))
        .collect();
    assert!(
        failed.is_empty(),
        "simulator documents must parse: {failed:?}"
    );
    let invoices = sim.control.with_state(|s| s.invoice_summaries());
    let (a, b, c) = (&invoices[0], &invoices[1], &invoices[2]);

    // Acts: accept A, differences on B (one bottle short), reject C.
    send(
        &store,
        "act-a",
        "WayBillAct_v4",
        act("act-a", &a.wb_reg_id, "Accepted", &[]),
    );
    let bp = &b.positions[0];
    let kept: Vec<String> = bp.stamps[..bp.stamps.len() - 1].to_vec();
    send(
        &store,
        "act-b",
        "WayBillAct_v4",
        act(
            "act-b",
            &b.wb_reg_id,
            "Differences",
            &[(bp.identity, bp.new_f2.clone(), bp.quantity - 1, kept)],
        ),
    );
    send(
        &store,
        "act-c",
        "WayBillAct_v4",
        act("act-c", &c.wb_reg_id, "Rejected", &[]),
    );
    engine.control.wake();
    wait_for("acts confirmed", WAIT, || {
        ["act-a", "act-b", "act-c"]
            .iter()
            .all(|id| is_archive(&store, id))
    })
    .await;
    // The supplier's ConfirmTicket for the differences act was matched to it.
    assert!(
        entry(&store, "act-b")
            .tickets
            .iter()
            .any(|t| t.doc_type == "ConfirmTicket")
    );
    assert_eq!(
        sim.control
            .with_state(|s| s.stamps_with(StampStatus::Returned).len()),
        1 + c.positions.iter().map(|p| p.stamps.len()).sum::<usize>()
    );

    // A repeated act is refused with an EGAIS-style reason.
    send(
        &store,
        "act-a2",
        "WayBillAct_v4",
        act("act-a2", &a.wb_reg_id, "Accepted", &[]),
    );
    engine.control.wake();
    wait_for("repeated act refused", WAIT, || {
        rejected_reason(&store, "act-a2").is_some()
    })
    .await;
    assert!(
        rejected_reason(&store, "act-a2")
            .unwrap()
            .contains("повторный акт")
    );

    // Transfer A's first position to the shop floor.
    let ap = &a.positions[0];
    send(
        &store,
        "tr-1",
        "TransferToShop",
        transfer(
            "tr-1",
            &[(ap.alc_code.clone(), ap.quantity, ap.new_f2.clone())],
        ),
    );
    // Writing off more than there is: refused.
    send(
        &store,
        "wo-too-much",
        "ActWriteOffShop_v2",
        write_off("wo-too-much", &ap.alc_code, ap.quantity + 5, &[]),
    );
    // Writing off one stamped bottle: fine.
    send(
        &store,
        "wo-1",
        "ActWriteOffShop_v2",
        write_off("wo-1", &ap.alc_code, 1, &ap.stamps[..1]),
    );
    // The same stamp again: not on balance any more.
    send(
        &store,
        "wo-again",
        "ActWriteOffShop_v2",
        write_off("wo-again", &ap.alc_code, 1, &ap.stamps[..1]),
    );
    send(
        &store,
        "co-1",
        "ActChargeOnShop_v2",
        charge_on("co-1", "0300000000000999999", 2),
    );
    engine.control.wake();
    wait_for("stock documents settled", WAIT, || {
        is_archive(&store, "tr-1")
            && is_archive(&store, "wo-1")
            && is_archive(&store, "co-1")
            && rejected_reason(&store, "wo-too-much").is_some()
            && rejected_reason(&store, "wo-again").is_some()
    })
    .await;
    assert!(
        rejected_reason(&store, "wo-too-much")
            .unwrap()
            .contains("превышает остаток")
    );
    assert!(
        rejected_reason(&store, "wo-again")
            .unwrap()
            .contains("уже списана")
    );
    let reg2 = sim.control.with_state(|s| s.register2());
    let floor = reg2.iter().find(|(alc, _)| alc == &ap.alc_code).unwrap().1;
    assert_eq!(floor, rust_decimal::Decimal::from(ap.quantity - 1));

    // Queries: the replies are matched to the query they answer.
    send(
        &store,
        "q-shop",
        "QueryRestsShop_v2",
        query("QueryRestsShop_v2"),
    );
    send(&store, "q-stock", "QueryRests_v2", query("QueryRests_v2"));
    send(&store, "q-nattn", "QueryNATTN", query("QueryNATTN"));
    engine.control.wake();
    wait_for("replies matched", WAIT, || {
        let has = |id: &str, reply: &str| {
            entry(&store, id)
                .tickets
                .iter()
                .any(|t| t.doc_type == reply)
        };
        has("q-shop", "ReplyRestsShop_v2")
            && has("q-stock", "ReplyRests_v2")
            && has("q-nattn", "ReplyNoAnswerTTN")
    })
    .await;

    // A cheque through the outbox: the QR URL comes back as an event.
    let stamp = ap.stamps[1].clone();
    send(
        &store,
        "cheque-1",
        "Cheque",
        cheque(std::slice::from_ref(&stamp), false),
    );
    engine.control.wake();
    wait_for("cheque sent", WAIT, || {
        matches!(entry(&store, "cheque-1").state, OutboxState::Sent { .. })
    })
    .await;
    let events = events_until(&mut engine.events, |e| {
        matches!(e, ExchangeEvent::ChequeRegistered { id, url, .. }
            if id == "cheque-1" && url.starts_with("http://check.egais.ru?id="))
    })
    .await;
    assert!(events.iter().any(|e| matches!(e,
        ExchangeEvent::TicketFor { doc_ref: Some(r), accepted: false, is_final: true, .. } if r == "wo-too-much")));
    assert_eq!(
        sim.control.with_state(|s| s.stamps()[&stamp].status),
        StampStatus::Sold
    );

    // Nothing was sent twice, and the UTM queue is empty.
    for id in ["act-a", "tr-1", "wo-1", "co-1", "q-shop"] {
        assert!(
            matches!(entry(&store, id).state, OutboxState::Sent { .. }),
            "{id}"
        );
    }
    let received = sim.control.received();
    assert_eq!(received.len(), 13, "one POST per document");
    wait_for("opt/out drained", WAIT, || {
        sim.control.with_state(|s| s.out_len()) == 0
    })
    .await;
    assert_eq!(engine.outbox_status.borrow().pending, 0);
    assert!(engine.utm_status.borrow().reachable);
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utm_down_then_up_drains_the_outbox_in_order() {
    let sim = start_sim(|c| c.faults.down = true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let order = ["QueryRests_v2", "QueryNATTN", "QueryRestsShop_v2"];
    for (i, t) in order.iter().enumerate() {
        send(&store, &format!("q{i}"), t, query(t));
    }
    let mut engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("UTM seen down", WAIT, || {
        let s = engine.utm_status.borrow();
        !s.reachable
            && s.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("УТМ не отвечает по адресу"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(sim.control.received().is_empty());
    assert_eq!(engine.outbox_status.borrow().pending, 3);
    assert!(entry(&store, "q0").attempts >= 1);

    sim.control.set_faults(Faults::default());
    wait_for("outbox drained", WAIT, || {
        engine.outbox_status.borrow().pending == 0
    })
    .await;
    let sent: Vec<String> = sim
        .control
        .received()
        .into_iter()
        .map(|d| d.doc_type)
        .collect();
    assert_eq!(sent, order);
    assert!(engine.utm_status.borrow().reachable);
    let events = drain(&mut engine.events);
    assert!(events.iter().any(|e| matches!(
        e,
        ExchangeEvent::SendFailed {
            will_retry: true,
            ..
        }
    )));
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_500_is_retried_until_the_utm_recovers() {
    let sim = start_sim(|c| c.faults.http_500 = true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "co",
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 1),
    );
    let engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("a failed attempt", WAIT, || {
        entry(&store, "co").attempts >= 2
    })
    .await;
    assert_eq!(
        entry(&store, "co").last_error.as_deref(),
        Some("УТМ ответил ошибкой: Внутренняя ошибка УТМ")
    );
    assert!(sim.control.received().is_empty());
    sim.control.set_faults(Faults::default());
    wait_for("confirmed", WAIT, || is_archive(&store, "co")).await;
    assert_eq!(sim.control.received_count("ActChargeOnShop_v2"), 1);
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_reply_is_reconciled_from_the_tickets_not_resent() {
    let sim = start_sim(|c| c.faults.malformed_reply = true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "co",
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 1),
    );
    let cfg = ExchangeConfig {
        reconcile_grace: Duration::from_secs(600),
        ..fast_engine()
    };
    let mut engine = spawn_engine(&store, &sim.url(), cfg);
    wait_for("the ticket settles it", WAIT, || is_archive(&store, "co")).await;
    match entry(&store, "co").state {
        OutboxState::Sent { reply_id, .. } => assert_eq!(
            reply_id.as_deref(),
            Some(sim.control.received()[0].reply_id.as_str())
        ),
        other => panic!("{other:?}"),
    }
    let events = events_until(&mut engine.events, |e| {
        matches!(e, ExchangeEvent::Reconciled { found: true, .. })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.control.received().len(), 1, "never posted twice");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExchangeEvent::Unconfirmed { .. }))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExchangeEvent::Reconciled { found: true, .. }))
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_incoming_document_is_applied_once() {
    let sim = start_sim(|c| {
        c.seed_invoices = 1;
        c.faults.duplicates = true;
    })
    .await;
    assert_eq!(sim.control.with_state(|s| s.out_len()), 4);
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("opt/out drained", WAIT, || {
        sim.control.with_state(|s| s.out_len()) == 0
    })
    .await;
    assert_eq!(applied_count(&store, "WayBill_v4"), 1);
    assert_eq!(applied_count(&store, "TTNInformF2Reg"), 1);
    let docs = archived(&store);
    assert_eq!(docs.len(), 4, "every delivery is kept as evidence");
    let dups = docs
        .iter()
        .filter(|(_, s)| matches!(s, InboxState::Duplicate { .. }))
        .count();
    assert_eq!(dups, 2);

    // Re-sent on request later (new UTM ids, same content): still applied once.
    let wb = sim.control.with_state(|s| s.invoice_summaries())[0]
        .wb_reg_id
        .clone();
    let resend = envelope(
        "QueryResendDoc",
        &[("qp", "http://fsrar.ru/WEGAIS/QueryParameters")],
        &format!(
            "<qp:Parameters><qp:Parameter><qp:Name>WBREGID</qp:Name><qp:Value>{wb}</qp:Value></qp:Parameter></qp:Parameters>"
        ),
    );
    sim.control.set_faults(Faults::default());
    send(&store, "resend", "QueryResendDoc", resend);
    engine.control.wake();
    wait_for("resent copies archived", WAIT, || {
        archived(&store).len() >= 7
    })
    .await;
    wait_for("opt/out drained", WAIT, || {
        sim.control.with_state(|s| s.out_len()) == 0
    })
    .await;
    assert_eq!(applied_count(&store, "WayBill_v4"), 1);
    assert_eq!(applied_count(&store, "TTNInformF2Reg"), 1);

    // The same invoice with different bytes (re-serialised by the UTM, say): recognised
    // by its identity (shipper, number, date), not only by its hash.
    let original = archived(&store)
        .into_iter()
        .find(|(d, _)| d.utm_type == "WayBill_v4")
        .unwrap()
        .0
        .raw;
    let text = String::from_utf8(original).unwrap();
    let reshaped = text.replacen("<ns:Owner>", "<!-- re-sent --><ns:Owner>", 1);
    assert_ne!(reshaped, text);
    sim.control
        .with_state(|s| s.inject_out("WayBill_v4", reshaped.into_bytes(), None));
    engine.control.poll_now();
    wait_for("opt/out drained", WAIT, || {
        sim.control.with_state(|s| s.out_len()) == 0
    })
    .await;
    let last = archived(&store).pop().unwrap();
    assert!(
        matches!(last.1, InboxState::Duplicate { .. }),
        "{:?}",
        last.1
    );
    assert_eq!(applied_count(&store, "WayBill_v4"), 1);
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_post_and_recording_the_reply_nothing_is_sent_twice() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "co",
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 1),
    );
    let crashing = ExchangeConfig {
        crash_at: CrashPoint::AfterPost,
        ..fast_engine()
    };
    let engine = spawn_engine(&store, &sim.url(), crashing);
    tokio::time::timeout(WAIT, engine.join())
        .await
        .expect("engine stopped at the crash point");
    assert_eq!(sim.control.received().len(), 1);
    assert!(matches!(
        entry(&store, "co").state,
        OutboxState::InFlight { .. }
    ));

    // A fresh process on the same database.
    let store = reopen(store, dir.path()).await;
    let cfg = ExchangeConfig {
        reconcile_grace: Duration::from_secs(600),
        ..fast_engine()
    };
    let mut engine = spawn_engine(&store, &sim.url(), cfg);
    wait_for("the ticket settles it", WAIT, || is_archive(&store, "co")).await;
    assert!(matches!(
        entry(&store, "co").state,
        OutboxState::Sent {
            reply_id: Some(_),
            ..
        }
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.control.received().len(), 1, "not posted again");
    let events = drain(&mut engine.events);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExchangeEvent::Unconfirmed { id, .. } if id == "co"))
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_entry_still_queued_in_the_utm_is_found_there() {
    // EGAIS answers slowly: the document waits in /opt/in.
    let sim = start_sim(|c| c.delivery_delay = Duration::from_secs(2)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "co",
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 1),
    );
    let crashing = ExchangeConfig {
        crash_at: CrashPoint::AfterPost,
        ..fast_engine()
    };
    tokio::time::timeout(WAIT, spawn_engine(&store, &sim.url(), crashing).join())
        .await
        .expect("crash point reached");
    let store = reopen(store, dir.path()).await;
    let cfg = ExchangeConfig {
        reconcile_grace: Duration::from_secs(600),
        ..fast_engine()
    };
    let engine = spawn_engine(&store, &sim.url(), cfg);
    let posted = sim.control.received()[0].reply_id.clone();
    wait_for("found in /opt/in", WAIT, || {
        matches!(&entry(&store, "co").state, OutboxState::Sent { reply_id: Some(r), .. } if *r == posted)
    })
    .await;
    assert!(sim.control.with_state(|s| s.in_len()) == 1 || is_archive(&store, "co"));
    wait_for("the ticket settles it", WAIT, || is_archive(&store, "co")).await;
    assert_eq!(sim.control.received().len(), 1);
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_the_post_the_entry_is_sent_once_after_the_grace_period() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "co",
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 1),
    );
    let crashing = ExchangeConfig {
        crash_at: CrashPoint::BeforePost,
        ..fast_engine()
    };
    tokio::time::timeout(WAIT, spawn_engine(&store, &sim.url(), crashing).join())
        .await
        .expect("crash point reached");
    assert!(sim.control.received().is_empty());
    let store = reopen(store, dir.path()).await;
    let cfg = ExchangeConfig {
        reconcile_grace: Duration::from_millis(600),
        ..fast_engine()
    };
    let mut engine = spawn_engine(&store, &sim.url(), cfg);
    wait_for("sent after the grace period", WAIT, || {
        is_archive(&store, "co")
    })
    .await;
    assert_eq!(sim.control.received().len(), 1);
    let events = drain(&mut engine.events);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExchangeEvent::Reconciled { found: false, .. }))
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_fsrar_id_stops_every_send() {
    let sim = start_sim(|c| c.faults.wrong_fsrar_id = Some("030000777777".into())).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(&store, "q", "QueryNATTN", query("QueryNATTN"));
    let engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("mismatch reported", WAIT, || {
        engine.utm_status.borrow().fsrar_mismatch.is_some()
    })
    .await;
    assert_eq!(
        engine.utm_status.borrow().fsrar_mismatch.as_deref(),
        Some(
            "ФСРАР ID УТМ (030000777777) не совпадает с настройками (030000194005); документы не отправляются"
        )
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sim.control.received().is_empty());
    assert_eq!(entry(&store, "q").state, OutboxState::Pending);

    sim.control.set_faults(Faults::default());
    wait_for("sent once fixed", WAIT, || {
        sim.control.received().len() == 1
    })
    .await;
    wait_for("mismatch cleared", WAIT, || {
        engine.utm_status.borrow().fsrar_mismatch.is_none()
    })
    .await;
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_holds_the_outbox() {
    let sim = start_sim(|c| c.faults.expired_certificate = true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(&store, "q", "QueryNATTN", query("QueryNATTN"));
    let engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("certificate problem reported", WAIT, || {
        engine
            .utm_status
            .borrow()
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("Сертификат RSA"))
    })
    .await;
    assert!(engine.utm_status.borrow().rsa_expires.is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.control.received().is_empty());
    assert_eq!(entry(&store, "q").state, OutboxState::Pending);
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_documents_are_archived_before_parsing_and_bad_ones_stay_there() {
    let sim = start_sim(|_| {}).await;
    let broken = b"<ns:Documents xmlns:ns=\"x\"><ns:Document><ns:WayBill_v4>".to_vec();
    let not_egais = b"<html><body>oops</body></html>".to_vec();
    sim.control.with_state(|s| {
        s.inject_out("WayBill_v4", broken.clone(), None);
        s.inject_out("Ticket", not_egais.clone(), Some("nobody".into()));
    });
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let mut engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("opt/out drained", WAIT, || {
        sim.control.with_state(|s| s.out_len()) == 0
    })
    .await;
    let docs = archived(&store);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].0.raw, broken);
    assert_eq!(docs[1].0.raw, not_egais);
    assert!(
        docs.iter()
            .all(|(_, s)| matches!(s, InboxState::Failed { .. }))
    );
    let events = drain(&mut engine.events);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ExchangeEvent::IncomingFailed { .. }))
            .count(),
        2
    );

    // The engine keeps working afterwards.
    sim.control.with_state(|s| s.seed_invoices(1));
    wait_for("the next invoice applied", WAIT, || {
        applied_count(&store, "WayBill_v4") == 1
    })
    .await;
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_queries_are_rate_limited() {
    let sim = start_sim(|c| c.stock_query_min_interval = Duration::from_secs(3600)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    send(
        &store,
        "q1",
        "QueryRestsShop_v2",
        query("QueryRestsShop_v2"),
    );
    send(
        &store,
        "q2",
        "QueryRestsShop_v2",
        query("QueryRestsShop_v2"),
    );
    let engine = spawn_engine(&store, &sim.url(), fast_engine());
    wait_for("second query refused", WAIT, || {
        rejected_reason(&store, "q2").is_some()
    })
    .await;
    assert!(
        rejected_reason(&store, "q2")
            .unwrap()
            .contains("не чаще одного раза")
    );
    assert!(
        entry(&store, "q1")
            .tickets
            .iter()
            .any(|t| t.doc_type == "ReplyRestsShop_v2")
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documents_register_follows_tickets_and_utm_refusals() {
    use egais_tui::domain::DocEvent;
    use egais_tui::egais::exchange::{Exchange, RegisterHandler};
    use egais_tui::store::documents::{self, DocKind, DocRecord};
    use egais_tui::store::outbox::OutgoingDoc;

    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let now = jiff::Timestamp::UNIX_EPOCH;
    let draft = |id: &str, kind: DocKind, doc_type: &str, xml: Vec<u8>| {
        store
            .write(|tx| {
                let rec =
                    DocRecord::new(id, kind, id, jiff::civil::date(2026, 11, 26), "", "", now);
                documents::insert(tx, &rec)
                    .map_err(|e| egais_tui::store::StoreError::Db(e.to_string()))?;
                documents::apply_event(tx, id, &DocEvent::Sent, now, None)
                    .map_err(|e| egais_tui::store::StoreError::Db(e.to_string()))?;
                outbox::enqueue(
                    tx,
                    OutgoingDoc {
                        id: id.into(),
                        doc_type: doc_type.into(),
                        xml,
                        doc_ref: Some(id.into()),
                        created_at: now,
                    },
                )?;
                Ok::<_, egais_tui::store::StoreError>(())
            })
            .unwrap();
    };
    draft(
        "co",
        DocKind::ActChargeOnShop,
        "ActChargeOnShop_v2",
        charge_on("co", "0300000000000999999", 2),
    );
    draft(
        "wo",
        DocKind::ActWriteOffShop,
        "ActWriteOffShop_v2",
        write_off("wo", "0300000000000999999", 9, &[]),
    );
    draft(
        "bad",
        DocKind::QueryNattn,
        "QueryNATTN",
        b"<ns:Documents>".to_vec(),
    );
    let engine = Exchange::spawn(
        store.clone(),
        client(&sim.url()),
        Arc::new(RegisterHandler::archive_only()),
        fast_engine(),
    );
    let state = |id: &str| {
        store
            .read(|tx| documents::get(tx, id))
            .unwrap()
            .map(|r| r.state)
    };
    wait_for("register settled", WAIT, || {
        state("co") == Some(DocState::Archive)
            && matches!(state("wo"), Some(DocState::Rejected { .. }))
            && matches!(state("bad"), Some(DocState::Rejected { .. }))
    })
    .await;
    match state("wo") {
        Some(DocState::Rejected { reason }) => {
            assert!(reason.contains("превышает остаток"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    match state("bad") {
        Some(DocState::Rejected { reason }) => {
            assert!(
                reason.starts_with("УТМ ответил ошибкой: Ошибка разбора XML"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    let history = store
        .read(|tx| documents::get(tx, "co"))
        .unwrap()
        .unwrap()
        .history;
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(matches!(
        entry(&store, "bad").state,
        OutboxState::Refused { .. }
    ));
    engine.shutdown().await;
    sim.shutdown().await;
}

const CHILD_DIR: &str = "EGAIS_TEST_KILL9_DIR";
const CHILD_URL: &str = "EGAIS_TEST_KILL9_URL";

/// Helper process for `a_real_kill_9_between_post_and_reply_sends_nothing_twice`: runs
/// the engine on the given store until it is killed. Started by that test only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "helper process, started by the kill -9 test"]
async fn kill9_child_engine() {
    let (Ok(dir), Ok(url)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_URL)) else {
        return;
    };
    let store = Arc::new(Store::open(std::path::Path::new(&dir)).expect("child store"));
    let _engine = spawn_engine(&store, &url, fast_engine());
    tokio::time::sleep(Duration::from_secs(60)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_kill_9_between_post_and_reply_sends_nothing_twice() {
    // The UTM takes the document at once but answers only after 5 s: the process is
    // killed inside that window.
    let sim = start_sim(|c| c.faults.reply_delay_ms = 5000).await;
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        send(
            &store,
            "co",
            "ActChargeOnShop_v2",
            charge_on("co", "0300000000000999999", 1),
        );
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "kill9_child_engine",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DIR, dir.path())
        .env(CHILD_URL, sim.url())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("child process");
    let waited = tokio::time::timeout(WAIT, async {
        while sim.control.received().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    waited.expect("the child posted the document");
    assert_eq!(sim.control.received().len(), 1);

    sim.control.set_faults(Faults::default());
    let store = open_store(&dir);
    assert!(
        matches!(entry(&store, "co").state, OutboxState::InFlight { .. }),
        "the POST was outstanding when the process died"
    );
    let cfg = ExchangeConfig {
        reconcile_grace: Duration::from_secs(600),
        ..fast_engine()
    };
    let engine = spawn_engine(&store, &sim.url(), cfg);
    wait_for("the ticket settles it", WAIT, || is_archive(&store, "co")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.control.received().len(), 1, "not posted again");
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_a_hanging_utm() {
    use egais_tui::egais::exchange::{Exchange, SHUTDOWN_GRACE};
    use egais_tui::egais::utm::UtmClient;

    let sim = start_sim(|c| c.faults.slow_ms = 20_000).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    let mut cfg = utm_config(&sim.url());
    cfg.request_timeout_ms = 30_000;
    let engine = Exchange::spawn(
        store.clone(),
        UtmClient::new(&cfg, FSRAR).unwrap(),
        Arc::new(TestHandler),
        fast_engine(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    engine.shutdown().await;
    assert!(started.elapsed() < SHUTDOWN_GRACE + Duration::from_secs(1));
    // The store is free again for the next start.
    let _store = reopen(store, dir.path()).await;
    sim.control.set_faults(Faults::default());
    sim.shutdown().await;
}
