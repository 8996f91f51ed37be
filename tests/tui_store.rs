//! The TUI over a real database: documents and product cards written through the store's
//! own functions appear on screen, pages are read lazily, counts are right.

mod tui_support;

use std::sync::Arc;

use egais_tui::app_context::AppContext;
use egais_tui::config::Paths;
use egais_tui::domain::DocEvent;
use egais_tui::domain::document::DocList;
use egais_tui::store::Store;
use egais_tui::store::documents::{self, DocKind, DocRecord};
use egais_tui::store::products;
use egais_tui::tui::headless::{HeadlessOptions, KeyToken, run_headless};
use egais_tui::tui::read_model::ReadModel;
use egais_tui::tui::store_model::StoreModel;
use jiff::SignedDuration;
use jiff::civil::date;
use tui_support::*;

fn record(i: usize) -> DocRecord {
    DocRecord::new(
        format!("FB-{i:06}"),
        DocKind::IncomingWayBill,
        format!("ТТН-{i}"),
        date(2026, 1, 1) + SignedDuration::from_hours(24 * (i as i64 % 300)),
        format!("Поставщик {}", i % 17),
        format!("{} поз.", 1 + i % 9),
        now() - SignedDuration::from_mins(i as i64),
    )
}

/// A shop with `archived` archived invoices, two new ones, one refused, and the cards.
fn shop(dir: &std::path::Path, archived: usize) -> Arc<Store> {
    let store = Store::open(dir).expect("store");
    store
        .write(|tx| {
            for card in products() {
                // The hostile card is refused by the store's own checks only if its codes are
                // bad; its name is stored as it came, like a real invoice's would be.
                products::upsert(tx, &card)?;
            }
            for i in 0..archived {
                let rec = record(i);
                documents::insert(tx, &rec)?;
                documents::apply_event(tx, &rec.id, &DocEvent::Sent, now(), None)?;
                documents::apply_event(tx, &rec.id, &DocEvent::Confirmed, now(), None)?;
            }
            let mut hostile = record(900_001);
            hostile.counterparty = "ООО \u{1b}[2J\u{1b}]0;owned\u{7}«Тёмный»".into();
            documents::insert(tx, &hostile)?;
            documents::insert(tx, &record(900_002))?;
            let refused = record(900_003);
            documents::insert(tx, &refused)?;
            documents::apply_event(tx, &refused.id, &DocEvent::Sent, now(), None)?;
            documents::apply_event(
                tx,
                &refused.id,
                &DocEvent::Refused {
                    reason: "Повторный акт".into(),
                },
                now(),
                Some("тикет ЕГАИС"),
            )?;
            Ok::<_, anyhow::Error>(())
        })
        .expect("seed");
    Arc::new(store)
}

fn context(dir: &std::path::Path, store: Arc<Store>) -> AppContext {
    AppContext {
        config: Arc::new(config("default")),
        paths: Paths {
            data_dir: dir.to_path_buf(),
            state_dir: dir.join("state"),
            config_file: None,
        },
        store,
    }
}

fn run(ctx: &AppContext, keys: &str, size: (u16, u16)) -> String {
    let opts = HeadlessOptions {
        size,
        keys: KeyToken::parse_script(keys).expect("keys"),
        now: Some(now()),
    };
    block_on(run_headless(ctx, opts)).expect("headless")
}

#[test]
fn store_documents_and_cards_appear_on_screen() {
    let dir = tempfile::tempdir().expect("dir");
    let ctx = context(dir.path(), shop(dir.path(), 30));
    let s = run(&ctx, "F3", (100, 30));
    assert!(s.contains("Новые (2)"), "{s}");
    assert!(s.contains("ООО «Тёмный»"), "sanitised counterparty: {s}");
    assert!(!s.contains("owned"), "{s}");
    let s = run(&ctx, "F3 Tab", (100, 30));
    assert!(s.contains("На рассмотрении (1, отклонено 1)"), "{s}");
    assert!(s.contains("Отклонён: Повторный акт"), "{s}");
    let s = run(&ctx, "F3 Tab Enter", (100, 30));
    assert!(s.contains("тикет ЕГАИС"), "history note: {s}");
    let s = run(&ctx, "F3 Tab Tab", (100, 30));
    assert!(s.contains("Архив (30)"), "{s}");
    let s = run(&ctx, "F4", (100, 30));
    assert!(s.contains("Карточек товаров: 3"), "{s}");
    let s = run(&ctx, "F2 scan:4601234567893", (100, 30));
    assert!(
        s.contains("Водка «Пример» 0,5"),
        "EAN found through the store index: {s}"
    );
}

#[test]
fn an_empty_database_shows_honest_empty_states() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let ctx = context(dir.path(), store);
    assert!(run(&ctx, "F3", (80, 24)).contains("Нет новых накладных"));
    assert!(run(&ctx, "F3 Tab", (80, 24)).contains("Нет документов на рассмотрении"));
    assert!(run(&ctx, "F3 Tab Tab", (80, 24)).contains("Архив пуст"));
    assert!(run(&ctx, "F4", (80, 24)).contains("Карточек товаров нет"));
    let s = run(&ctx, "F9", (80, 24));
    assert!(s.contains("состояние ещё не проверялось"), "{s}");
}

#[test]
fn a_long_archive_is_paged_not_read_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let store = shop(dir.path(), 2_000);
    let model = StoreModel::new(Arc::clone(&store));
    let counts = model.doc_counts().expect("counts");
    assert_eq!(
        (
            counts.new,
            counts.under_review,
            counts.rejected,
            counts.archive
        ),
        (2, 1, 1, 2_000)
    );
    let page = model.documents(DocList::Archive, 1_900, 200).expect("page");
    assert_eq!(page.total, 2_000);
    assert_eq!(page.rows.len(), 100);
    let ctx = context(dir.path(), store);
    let s = run(&ctx, "F3 Tab Tab End", (100, 30));
    assert!(s.contains("Архив (2000)"), "{s}");
    // The last row of the archive (reverse id order) is the first record written.
    assert!(s.contains("ТТН-0 "), "{s}");
}
