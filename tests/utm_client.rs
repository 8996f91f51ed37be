//! The UTM client against the simulator over real HTTP on 127.0.0.1.

mod common;

use common::*;
use egais_tui::config::ChequeFormat;
use egais_tui::egais::sim::{Faults, StampStatus};
use egais_tui::egais::utm::{InfoSource, UtmClient, UtmError};

#[tokio::test]
async fn status_send_list_fetch_delete() {
    let sim = start_sim(|_| {}).await;
    let c = client(&sim.url());
    let info = c.info().await.unwrap();
    assert_eq!(info.source, InfoSource::ApiInfoList);
    assert_eq!(info.fsrar_id.as_deref(), Some(FSRAR));
    assert_eq!(info.contour.as_deref(), Some("test"));
    assert!(info.rsa.unwrap().expire.is_some());

    let receipt = c
        .send_document("QueryRestsShop_v2", query("QueryRestsShop_v2"))
        .await
        .unwrap();
    assert_eq!(receipt.reply_id.len(), 36);
    let out = c.list_out().await.unwrap();
    assert!(!out.is_empty());
    assert!(
        out.iter()
            .all(|e| e.reply_id.as_deref() == Some(receipt.reply_id.as_str()))
    );
    let types: Vec<_> = out.iter().map(|e| e.doc_type.as_str()).collect();
    assert_eq!(types, ["Ticket", "ReplyRestsShop_v2"]);
    let ticket = c.fetch_out(&out[0].doc_type, &out[0].id).await.unwrap();
    assert!(String::from_utf8_lossy(&ticket).contains(&receipt.reply_id));
    for e in &out {
        c.delete_out(&e.doc_type, &e.id).await.unwrap();
    }
    assert!(c.list_out().await.unwrap().is_empty());
    // Deleting twice is not an error: the document is gone either way.
    c.delete_out(&out[0].doc_type, &out[0].id).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn the_fsrar_id_guard_refuses_a_foreign_utm_and_sends_nothing() {
    let sim = start_sim(|c| {
        c.faults.wrong_fsrar_id = Some("030000999999".into());
    })
    .await;
    let c = client(&sim.url());
    let err = c
        .send_document("QueryNATTN", query("QueryNATTN"))
        .await
        .unwrap_err();
    assert!(matches!(err, UtmError::FsrarMismatch { .. }));
    assert_eq!(
        err.message_ru(),
        "ФСРАР ID УТМ (030000999999) не совпадает с настройками (030000194005); документы не отправляются"
    );
    let err = c
        .send_cheque(ChequeFormat::Xml, cheque(&["x".into()], false))
        .await
        .unwrap_err();
    assert!(matches!(err, UtmError::FsrarMismatch { .. }));
    assert!(sim.control.received().is_empty());

    // Fixed: the next send checks again and goes through.
    sim.control.set_faults(Faults::default());
    c.send_document("QueryNATTN", query("QueryNATTN"))
        .await
        .unwrap();
    assert_eq!(sim.control.received_count("QueryNATTN"), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_cached_check_is_dropped_when_the_utm_was_unreachable() {
    let sim = start_sim(|_| {}).await;
    let c = client(&sim.url());
    c.ensure_fsrar().await.unwrap();
    // Another shop's UTM appears behind the same address after an outage.
    sim.control.set_faults(Faults {
        down: true,
        ..Faults::default()
    });
    assert!(c.list_out().await.unwrap_err().is_connectivity());
    sim.control.set_faults(Faults {
        wrong_fsrar_id: Some("030000111111".into()),
        ..Faults::default()
    });
    let err = c
        .send_document("QueryNATTN", query("QueryNATTN"))
        .await
        .unwrap_err();
    assert!(matches!(err, UtmError::FsrarMismatch { .. }), "{err:?}");
    assert!(sim.control.received().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn failures_are_typed_with_russian_messages() {
    let sim = start_sim(|_| {}).await;
    let url = sim.url();
    let c = client(&url);

    sim.control.set_faults(Faults {
        down: true,
        ..Faults::default()
    });
    let err = c.info().await.unwrap_err();
    assert!(err.is_connectivity(), "{err:?}");
    assert_eq!(err.message_ru(), format!("УТМ не отвечает по адресу {url}"));

    sim.control.set_faults(Faults {
        http_500: true,
        ..Faults::default()
    });
    let err = c.list_out().await.unwrap_err();
    assert_eq!(
        err.message_ru(),
        "УТМ ответил ошибкой: Внутренняя ошибка УТМ"
    );

    sim.control.set_faults(Faults {
        malformed_reply: true,
        ..Faults::default()
    });
    let err = c
        .send_document("QueryNATTN", query("QueryNATTN"))
        .await
        .unwrap_err();
    assert!(matches!(err, UtmError::Malformed { .. }), "{err:?}");
    assert!(err.maybe_delivered());

    sim.control.set_faults(Faults {
        slow_ms: 1500,
        ..Faults::default()
    });
    let mut cfg = utm_config(&url);
    cfg.request_timeout_ms = 300;
    let slow = UtmClient::new(&cfg, FSRAR).unwrap();
    let err = slow.list_out().await.unwrap_err();
    assert!(matches!(err, UtmError::Timeout { .. }), "{err:?}");
    assert!(err.message_ru().contains("не ответил"));

    sim.control.set_faults(Faults::default());
    let err = c
        .send_document("QueryNATTN", b"<not xml".to_vec())
        .await
        .unwrap_err();
    match &err {
        UtmError::Rejected { status, message } => {
            assert_eq!(*status, 400);
            assert!(message.starts_with("Ошибка разбора XML"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // A closed port is "unreachable", not a crash.
    sim.shutdown().await;
    let err = c.list_out().await.unwrap_err();
    assert!(err.is_connectivity());
}

#[tokio::test]
async fn an_old_utm_is_read_through_diagnosis() {
    let sim = start_sim(|c| c.faults.legacy_utm = true).await;
    let c = client(&sim.url());
    let info = c.info().await.unwrap();
    assert_eq!(info.source, InfoSource::Diagnosis);
    assert_eq!(info.effective_fsrar_id(), Some(FSRAR));
    c.send_document("QueryNATTN", query("QueryNATTN"))
        .await
        .unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn cheques_return_the_qr_url_and_refuse_a_stamp_sold_twice() {
    let sim = start_sim(|_| {}).await;
    let stamps: Vec<String> = (0..3).map(|i| format!("22N{i:0>65}")).collect();
    sim.control
        .with_state(|s| s.seed_shop_stock("0010255000002043023", 3, &stamps));
    let c = client(&sim.url());

    let r = c
        .send_cheque(ChequeFormat::Xml, cheque(&stamps[..2], false))
        .await
        .unwrap();
    assert!(r.url.starts_with("http://check.egais.ru?id="), "{}", r.url);
    assert!(
        r.url.contains("&dt=2611261510&cn=030000194005"),
        "{}",
        r.url
    );
    assert_eq!(r.sign.len(), 128);
    assert_eq!(
        sim.control
            .with_state(|s| s.stamps_with(StampStatus::Sold).len()),
        2
    );

    let err = c
        .send_cheque(ChequeFormat::Xml, cheque(&stamps[1..3], false))
        .await
        .unwrap_err();
    let msg = err.message_ru();
    assert!(msg.contains("Проверка не пройдена"), "{msg}");
    assert!(msg.contains("уже продана"), "{msg}");
    // Nothing of the refused cheque was registered.
    assert_eq!(
        sim.control
            .with_state(|s| s.stamps_with(StampStatus::OnBalance)),
        vec![stamps[2].clone()]
    );

    // A return puts the stamp back on balance.
    c.send_cheque(ChequeFormat::Xml, cheque(&stamps[..1], true))
        .await
        .unwrap();
    assert_eq!(
        sim.control
            .with_state(|s| s.stamps_with(StampStatus::OnBalance).len()),
        2
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn cheque_v3_goes_through_opt_in_and_returns_the_qr_url() {
    let sim = start_sim(|_| {}).await;
    let stamp = "197400052808600121236SESHLHTLUAFHYP3BW5JSADDSCQRNDVJKWY2YI3QLB5YR4D4QOP2ZZ3T67KHFKIE2R5TYAHX43QSFKHWSA7I7XUY5V35N3AGDK7DTDQHYZ7GUGHMXEFDCN22VIWVSNORVI".to_string();
    sim.control
        .with_state(|s| s.seed_shop_stock("0010255000002043023", 1, std::slice::from_ref(&stamp)));
    let body = format!(
        "<ck:Identity>1</ck:Identity><ck:Header><ck:Date>2026-11-26T14:35:00</ck:Date><ck:Kassa>1</ck:Kassa><ck:Shift>2</ck:Shift><ck:Number>2</ck:Number><ck:Type>Продажа</ck:Type></ck:Header><ck:Content><ck:Bottle><ck:Barcode>{stamp}</ck:Barcode><ck:EAN>5010196091008</ck:EAN><ck:Price>1.00</ck:Price></ck:Bottle></ck:Content>"
    );
    let xml = envelope(
        "ChequeV3",
        &[("ck", "http://fsrar.ru/WEGAIS/ChequeV3")],
        &body,
    );
    let c = client(&sim.url());
    let r = c
        .send_cheque(ChequeFormat::ChequeV3, xml.clone())
        .await
        .unwrap();
    assert!(r.url.contains("&dt=2611261435&"), "{}", r.url);
    assert_eq!(sim.control.received_count("ChequeV3"), 1);
    let err = c
        .send_cheque(ChequeFormat::ChequeV3, xml)
        .await
        .unwrap_err();
    assert!(err.message_ru().contains("уже продана"), "{err:?}");
    sim.shutdown().await;
}
