//! Shared fixtures for the TUI tests: a fixed clock, a small shop with documents in every
//! list (one rejected, one with a hostile name) and a few product cards.
#![allow(dead_code)]

use std::sync::Arc;

use egais_tui::config::Config;
use egais_tui::domain::Money;
use egais_tui::domain::ProductCard;
use egais_tui::domain::document::{DocState, HistoryEntry};
use egais_tui::domain::product::Producer;
use egais_tui::domain::volume::{AlcoholPercent, Volume};
use egais_tui::egais::status::{OutboxStatus, UtmStatus};
use egais_tui::tui::Setup;
use egais_tui::tui::effects::Feeds;
use egais_tui::tui::headless::{HeadlessOptions, KeyToken, buffer_text, run_script};
use egais_tui::tui::read_model::{DocDetail, DocRow, MemoryModel, ReadModel};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::watch;

pub fn now() -> Timestamp {
    "2026-11-26T09:30:00Z".parse().expect("fixed clock")
}

pub fn config(theme: &str) -> Config {
    let mut c = Config::default();
    c.organisation.fsrar_id = "030000123456".into();
    c.organisation.name = "ООО «Ромашка»".into();
    c.organisation.inn = "7701234567".into();
    c.organisation.kpp = "770101001".into();
    c.organisation.address = "Москва, ул. Примерная, 1".into();
    c.till.outlet = "Магазин у дома".into();
    c.ui.theme = theme.into();
    c
}

fn doc(
    id: &str,
    number: &str,
    who: &str,
    summary: &str,
    state: DocState,
    hours_ago: i64,
) -> DocDetail {
    let at = now() - SignedDuration::from_hours(hours_ago);
    let mut history = vec![HistoryEntry {
        at,
        state: DocState::New,
        note: None,
    }];
    if state != DocState::New {
        history.push(HistoryEntry {
            at: at + SignedDuration::from_mins(30),
            state: state.clone(),
            note: Some("ответ ЕГАИС".into()),
        });
    }
    DocDetail {
        row: DocRow::new(
            id,
            "Входящая ТТН",
            number,
            "25.11.2026",
            who,
            summary,
            state,
            at,
        ),
        history,
    }
}

pub fn documents() -> Vec<DocDetail> {
    vec![
        doc(
            "WB-0001",
            "ТТН-101",
            "ООО «Винторг»",
            "3 поз., 14 520,00 ₽",
            DocState::New,
            20,
        ),
        doc(
            "WB-0002",
            "ТТН-102",
            "ООО \u{1b}]0;pwned\u{7}«Пивной\u{1b}[2J двор»",
            "12 поз., 8 310,50 ₽",
            DocState::New,
            2,
        ),
        doc(
            "WB-0003",
            "ТТН-090",
            "АО «Ликёрка»",
            "1 поз., 2 999,00 ₽",
            DocState::Rejected {
                reason: "Количество в акте больше, чем в ТТН".into(),
            },
            50,
        ),
        doc(
            "WB-0004",
            "ТТН-095",
            "ООО «Винторг»",
            "5 поз., 21 000,00 ₽",
            DocState::UnderReview,
            30,
        ),
        doc(
            "WB-0005",
            "ТТН-080",
            "ООО «Винторг»",
            "2 поз., 4 100,00 ₽",
            DocState::Archive,
            200,
        ),
    ]
}

pub fn products() -> Vec<ProductCard> {
    let card =
        |code: &str, name: &str, ean: Option<&str>, cap: &str, pct: &str, price: Option<&str>| {
            ProductCard {
                alc_code: code.into(),
                full_name: name.into(),
                short_name: None,
                eans: ean.into_iter().map(str::to_string).collect(),
                capacity: Some(Volume::parse(cap).expect("capacity")),
                alc_percent: Some(AlcoholPercent::parse(pct).expect("percent")),
                type_code: "200".into(),
                producer: Some(Producer {
                    client_reg_id: "010000000001".into(),
                    full_name: "АО «Завод»".into(),
                    short_name: Some("Завод".into()),
                    inn: None,
                    kpp: None,
                    country: Some("643".into()),
                    region: None,
                    address: None,
                }),
                is_alcohol: true,
                needs_stamp: true,
                price: price.map(|p| Money::parse(p).expect("price")),
            }
        };
    vec![
        card(
            "0150320000003529380",
            "Водка «Пример» 0,5",
            Some("4601234567893"),
            "0.5",
            "40",
            Some("499,90"),
        ),
        card(
            "0150320000003529381",
            "Коньяк «Образец» 0,5",
            None,
            "0.5",
            "40",
            None,
        ),
        card(
            "0150320000003529382",
            "Вино \u{1b}[31mкрасное\u{1b}[0m «Тест»\u{202e} 0,75",
            Some("4607654321008"),
            "0.75",
            "12",
            Some("799,00"),
        ),
    ]
}

pub fn model() -> Arc<dyn ReadModel> {
    Arc::new(MemoryModel::new(documents(), &products()))
}

pub fn setup(theme: &str) -> Setup {
    Setup::with_model(&config(theme), model()).expect("setup")
}

pub fn utm_ok() -> UtmStatus {
    UtmStatus {
        reachable: true,
        since: Some(now() - SignedDuration::from_hours(3)),
        utm_fsrar_id: Some("030000123456".into()),
        fsrar_mismatch: None,
        version: Some("4.2.0".into()),
        contour: Some("prod".into()),
        rsa_expires: Some(now() + SignedDuration::from_hours(24 * 120)),
        gost_expires: Some(now() + SignedDuration::from_hours(24 * 25 + 2)),
        oldest_unsent_cheque: None,
        last_error: None,
    }
}

/// Feeds with a UTM and outbox status already published, as the exchange would.
pub fn feeds() -> (Feeds, watch::Sender<UtmStatus>, watch::Sender<OutboxStatus>) {
    let (utm_tx, utm_rx) = watch::channel(utm_ok());
    let (out_tx, out_rx) = watch::channel(OutboxStatus {
        pending: 2,
        oldest_pending: Some(now() - SignedDuration::from_hours(5)),
    });
    let feeds = Feeds {
        utm: Some(utm_rx),
        outbox: Some(out_rx),
        ..Feeds::default()
    };
    (feeds, utm_tx, out_tx)
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

pub fn terminal_with(
    setup: Setup,
    feeds: Feeds,
    keys: &str,
    size: (u16, u16),
) -> Terminal<TestBackend> {
    let opts = HeadlessOptions {
        size,
        keys: KeyToken::parse_script(keys).expect("keys"),
        now: Some(now()),
    };
    block_on(run_script(setup, feeds, opts)).expect("run")
}

/// The final screen after `keys`, with the sample shop and a healthy UTM.
pub fn terminal(theme: &str, keys: &str, size: (u16, u16)) -> Terminal<TestBackend> {
    let (feeds, _u, _o) = feeds();
    terminal_with(setup(theme), feeds, keys, size)
}

pub fn screen(keys: &str, size: (u16, u16)) -> String {
    buffer_text(terminal("default", keys, size).backend().buffer())
}
