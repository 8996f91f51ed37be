//! Everything the simulator generates is schema-valid (xmllint against the official
//! XSDs) and readable by the xml models; its EGAIS rules refuse what EGAIS refuses.

mod common;

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use egais_tui::egais::sim::state::{Settings, SimState};
use egais_tui::egais::sim::{SimConfig, StampStatus};
use egais_tui::egais::xml;

const ENVELOPE_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/egais/xsd/WB_DOC_SINGLE_01.xsd"
);
const ANSWER_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/egais/xsd/Cheque/answer.v2.xsd"
);

fn xmllint(xml: &[u8], xsd: &str) -> Result<(), String> {
    let mut file = tempfile::Builder::new().suffix(".xml").tempfile().unwrap();
    file.write_all(xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(file.path())
        .output()
        .map_err(|e| format!("cannot run xmllint: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn sim() -> SimState {
    let cfg = SimConfig::default();
    SimState::new(
        Settings {
            fsrar_id: FSRAR.into(),
            shop: cfg.shop,
            stock_query_min_interval: Duration::ZERO,
            delivery_delay: Duration::ZERO,
        },
        7,
    )
}

/// Takes everything out of /opt/out: (type, bytes).
fn take_out(s: &mut SimState) -> Vec<(String, Vec<u8>)> {
    s.advance(Instant::now());
    let list = s.out_list(None);
    list.into_iter()
        .map(|(id, t, _)| {
            let bytes = s.out_get(&t, id).unwrap();
            assert!(s.out_delete(&t, id));
            (t, bytes)
        })
        .collect()
}

#[test]
fn every_generated_document_validates_and_parses() {
    let mut s = sim();
    s.seed_invoices(2);
    let invoices = s.invoice_summaries();
    let (a, b) = (&invoices[0], &invoices[1]);
    let mut docs = take_out(&mut s);

    s.post_document("WayBillAct_v4", act("1", &a.wb_reg_id, "Accepted", &[]))
        .unwrap();
    let bp = &b.positions[0];
    s.post_document(
        "WayBillAct_v4",
        act(
            "2",
            &b.wb_reg_id,
            "Differences",
            &[(bp.identity, bp.new_f2.clone(), bp.quantity - 1, vec![])],
        ),
    )
    .unwrap();
    let ap = &a.positions[0];
    s.post_document(
        "TransferToShop",
        transfer("3", &[(ap.alc_code.clone(), 1, ap.new_f2.clone())]),
    )
    .unwrap();
    s.post_document("QueryRestsShop_v2", query("QueryRestsShop_v2"))
        .unwrap();
    s.post_document("QueryRests_v2", query("QueryRests_v2"))
        .unwrap();
    s.post_document("QueryNATTN", query("QueryNATTN")).unwrap();
    docs.extend(take_out(&mut s));

    let mut seen: Vec<String> = Vec::new();
    for (utm_type, bytes) in &docs {
        if let Err(e) = xmllint(bytes, ENVELOPE_XSD) {
            panic!(
                "{utm_type} does not validate:\n{e}\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
        let parsed =
            xml::parse_document(bytes).unwrap_or_else(|e| panic!("{utm_type} does not parse: {e}"));
        assert_eq!(parsed.doc.element(), xml::element_for_utm_type(utm_type));
        seen.push(utm_type.clone());
    }
    for t in [
        "WayBill_v4",
        "FORM2REGINFO",
        "Ticket",
        "WayBillTicket",
        "ReplyRestsShop_v2",
        "ReplyRests_v2",
        "ReplyNATTN",
    ] {
        assert!(seen.iter().any(|s| s == t), "no {t} in {seen:?}");
    }
}

#[test]
fn post_answers_validate_against_the_answer_schema() {
    let answer = egais_tui::egais::sim::docs::post_answer(
        "http://check.egais.ru?id=1&dt=2611261510&cn=030000194005",
        "ABCDEF",
        2,
    );
    xmllint(answer.as_bytes(), ANSWER_XSD).unwrap();
    let reply = xml::parse_utm_reply(answer.as_bytes()).unwrap();
    assert_eq!(
        reply.url.as_deref(),
        Some("http://check.egais.ru?id=1&dt=2611261510&cn=030000194005")
    );
}

#[test]
fn egais_rules_refuse_with_reasons() {
    let mut s = sim();
    s.seed_invoices(1);
    let inv = s.invoice_summaries().remove(0);
    take_out(&mut s);

    // Act on an unknown invoice.
    s.post_document("WayBillAct_v4", act("9", "TTN-0000000000", "Accepted", &[]))
        .unwrap();
    let out = take_out(&mut s);
    let text = String::from_utf8_lossy(&out[0].1).into_owned();
    assert!(
        text.contains("Rejected") && text.contains("не найдена"),
        "{text}"
    );

    // Accept, then transfer more than register 1 holds.
    s.post_document("WayBillAct_v4", act("1", &inv.wb_reg_id, "Accepted", &[]))
        .unwrap();
    let p = &inv.positions[0];
    s.post_document(
        "TransferToShop",
        transfer(
            "t1",
            &[(p.alc_code.clone(), p.quantity + 1, p.new_f2.clone())],
        ),
    )
    .unwrap();
    let out = take_out(&mut s);
    let last = String::from_utf8_lossy(&out.last().unwrap().1).into_owned();
    assert!(last.contains("Недостаточно остатка в регистре 1"), "{last}");
    assert_eq!(
        s.stamps_with(StampStatus::OnBalance).len(),
        inv.positions.iter().map(|p| p.stamps.len()).sum::<usize>()
    );

    // A stamp that never reached the shop cannot be written off or sold.
    s.post_document(
        "TransferToShop",
        transfer("t2", &[(p.alc_code.clone(), p.quantity, p.new_f2.clone())]),
    )
    .unwrap();
    let foreign = "187409386020600222001MH2SKYMITFMQWWDNAC6MVXSFU4CNFNHVINZF3ZEWPGJ7V46VJIHYDFEMWMMAFFK7KUWOWY3W6KM5AT52L6CI4VOBHAIZI5YXYH7MK5TI6YPPQHPLDA2JH4S4EHX373RMY".to_string();
    s.post_document(
        "ActWriteOffShop_v2",
        write_off("w1", &p.alc_code, 1, std::slice::from_ref(&foreign)),
    )
    .unwrap();
    let out = take_out(&mut s);
    let last = String::from_utf8_lossy(&out.last().unwrap().1).into_owned();
    assert!(
        last.contains("не числится на балансе организации"),
        "{last}"
    );
    let err = s.post_cheque(cheque(&[foreign], false)).unwrap_err();
    assert_eq!(err.status, 400);
    assert!(
        err.message
            .contains("продукция не поступала в магазин по поштучному учету")
    );

    // A document from another shop's key is refused at the door.
    let mut other = query("QueryNATTN");
    let text = String::from_utf8(other.clone())
        .unwrap()
        .replace(FSRAR, "030000000001");
    other = text.into_bytes();
    let err = s.post_document("QueryNATTN", other).unwrap_err();
    assert!(err.message.contains("FSRAR_ID отправителя"));
    // A document posted under the wrong type name is refused too.
    let err = s
        .post_document("QueryRests_v2", query("QueryNATTN"))
        .unwrap_err();
    assert!(err.message.contains("не совпадает с адресом"));
}

#[tokio::test]
async fn the_http_control_endpoint_sets_faults_and_seeds_invoices() {
    let sim = start_sim(|_| {}).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!("{}/sim/fault", sim.url()))
        .body(r#"{"http_500":true,"slow_ms":10}"#)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(sim.control.faults().http_500);
    let r = http
        .get(format!("{}/opt/out", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let bad = http
        .post(format!("{}/sim/fault", sim.url()))
        .body(r#"{"no_such_fault":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    http.post(format!("{}/sim/fault", sim.url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    let made: Vec<String> = serde_json::from_slice(
        &http
            .post(format!("{}/sim/seed?count=2", sim.url()))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(made.len(), 2);
    let list = client(&sim.url()).list_out().await.unwrap();
    assert_eq!(list.len(), 4);
    let state: serde_json::Value = serde_json::from_slice(
        &http
            .get(format!("{}/sim/state", sim.url()))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(state["opt_out"], 4);
    sim.shutdown().await;
}
