//! TUI hot paths: drawing the busiest pane at 120×40 (target: under 1 ms), and the time
//! from start to the first frame over a database with ~100k documents (one year of
//! cheques; target: under 100 ms). Startup must not scan whole tables: the first frame
//! reads nothing, the counters and lists arrive afterwards.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use egais_tui::app_context::AppContext;
use egais_tui::config::{Config, Paths};
use egais_tui::domain::document::{DocList, DocState};
use egais_tui::egais::status::{OutboxStatus, UtmStatus};
use egais_tui::store::Store;
use egais_tui::store::documents::{self, DocKind, DocRecord};
use egais_tui::tui::app::{Msg, Note, State, update};
use egais_tui::tui::core::Setup;
use egais_tui::tui::draw::draw;
use egais_tui::tui::effects::run_read;
use egais_tui::tui::read_model::{DocDetail, DocRow, MemoryModel, ReadModel};
use egais_tui::tui::store_model::StoreModel;
use egais_tui::tui::widgets::toast::Level;
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const DOCS: usize = 100_000;

fn now() -> Timestamp {
    Timestamp::from_second(1_795_000_000).expect("time")
}

/// Delivers a message and, synchronously, every read it causes.
fn drive(state: &mut State, model: &dyn ReadModel, msg: Msg) {
    let mut queue = vec![msg];
    while let Some(m) = queue.pop() {
        for e in update(state, m) {
            if let Some(l) = run_read(model, e) {
                queue.push(Msg::Loaded(l));
            }
        }
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn busy_model() -> MemoryModel {
    let docs = (0..5_000)
        .map(|i| {
            let state = match i % 4 {
                0 => DocState::New,
                1 => DocState::UnderReview,
                2 => DocState::Rejected {
                    reason: "Количество в акте не совпадает с накладной поставщика".into(),
                },
                _ => DocState::Archive,
            };
            DocDetail {
                row: DocRow::new(
                    &format!("WB-{i:06}"),
                    "Входящая ТТН",
                    &format!("ТТН-{i}"),
                    "25.11.2026",
                    &format!("ООО «Поставщик алкогольной продукции № {}»", i % 50),
                    &format!("{} поз., {} ₽", 1 + i % 30, 1000 + i * 7),
                    state,
                    now() - SignedDuration::from_mins(i as i64),
                ),
                history: Vec::new(),
            }
        })
        .collect();
    MemoryModel::new(docs, &[])
}

fn busy_state(model: &dyn ReadModel) -> State {
    let setup =
        Setup::with_model(&Config::default(), Arc::new(MemoryModel::default())).expect("setup");
    let (mut state, effects) = State::new(setup.info, setup.keymap, setup.theme, now(), (120, 40));
    for e in effects {
        if let Some(l) = run_read(model, e) {
            drive(&mut state, model, Msg::Loaded(l));
        }
    }
    // The review list: rejected rows in red, a selection, a notice, a job, a full status bar.
    drive(&mut state, model, key(KeyCode::F(3)));
    drive(&mut state, model, key(KeyCode::Tab));
    for _ in 0..15 {
        drive(&mut state, model, key(KeyCode::Down));
    }
    drive(
        &mut state,
        model,
        Msg::Utm(UtmStatus {
            reachable: true,
            since: Some(now() - SignedDuration::from_hours(2)),
            rsa_expires: Some(now() + SignedDuration::from_hours(24 * 200)),
            gost_expires: Some(now() + SignedDuration::from_hours(24 * 20)),
            ..Default::default()
        }),
    );
    drive(
        &mut state,
        model,
        Msg::Outbox(OutboxStatus {
            pending: 12,
            oldest_pending: Some(now() - SignedDuration::from_hours(30)),
        }),
    );
    drive(
        &mut state,
        model,
        Msg::JobStarted {
            id: 999,
            label: "Запрос остатков ЕГАИС".into(),
        },
    );
    drive(
        &mut state,
        model,
        Msg::Note(Note {
            level: Level::Error,
            text: "Акт по ТТН-2 отклонён: повторный акт".into(),
            needs_ack: true,
        }),
    );
    state
}

fn bench_draw(c: &mut Criterion) {
    let model = busy_model();
    let state = busy_state(&model);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("draw acceptance review 120x40", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(black_box(&state), f)).expect("draw");
        })
    });
    let mut state = state;
    drive(&mut state, &model, key(KeyCode::F(2)));
    c.bench_function("draw sale 120x40 (frame baseline)", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(black_box(&state), f)).expect("draw");
        })
    });
    drive(&mut state, &model, key(KeyCode::F(9)));
    c.bench_function("draw settings 120x40", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(black_box(&state), f)).expect("draw");
        })
    });
}

/// A data directory with `DOCS` cheques in the archive, written once for the bench.
fn year_of_cheques() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("store");
    let started = Instant::now();
    for batch in 0..(DOCS / 10_000) {
        store
            .write(|tx| {
                for i in batch * 10_000..(batch + 1) * 10_000 {
                    let at = now() - SignedDuration::from_mins(5 * i as i64);
                    let mut rec = DocRecord::new(
                        format!("{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                        DocKind::Cheque,
                        format!("{i}"),
                        jiff::civil::date(2026, 1, 1),
                        "",
                        "1 поз., 499,90 ₽",
                        at,
                    );
                    rec.state = DocState::Archive;
                    documents::insert(tx, &rec)?;
                }
                Ok::<_, documents::DocStoreError>(())
            })
            .expect("seed");
    }
    eprintln!("seeded {DOCS} documents in {:?}", started.elapsed());
    dir
}

fn context(dir: &std::path::Path) -> AppContext {
    AppContext {
        config: Arc::new(Config::default()),
        paths: Paths {
            data_dir: dir.to_path_buf(),
            state_dir: dir.join("state"),
            config_file: None,
        },
        store: Arc::new(Store::open(dir).expect("open")),
    }
}

fn bench_startup(c: &mut Criterion) {
    let dir = year_of_cheques();
    let mut group = c.benchmark_group("startup");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("open store + first frame, 100k documents", |b| {
        b.iter(|| {
            let ctx = context(dir.path());
            let setup = Setup::from_context(&ctx).expect("setup");
            let (state, effects) =
                State::new(setup.info, setup.keymap, setup.theme, now(), (120, 40));
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
            terminal.draw(|f| draw(&state, f)).expect("draw");
            black_box(effects);
        })
    });
    // What arrives after the first frame, measured on its own.
    let ctx = context(dir.path());
    let model = StoreModel::new(Arc::clone(&ctx.store));
    group.bench_function("after first frame: document counters, 100k", |b| {
        b.iter(|| black_box(model.doc_counts().expect("counts")))
    });
    group.bench_function("after first frame: last archive page, 100k", |b| {
        b.iter(|| {
            black_box(
                model
                    .documents(DocList::Archive, DOCS - 200, 200)
                    .expect("page"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_draw, bench_startup);
criterion_main!(benches);
