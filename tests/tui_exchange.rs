//! The TUI connected to the real exchange engine and the UTM simulator on 127.0.0.1:
//! the status bar and the settings pane show what the engine learns, documents arriving
//! from EGAIS are announced, and `wait:` lets those replies arrive in a headless run.

mod tui_support;

use std::sync::Arc;
use std::time::Duration;

use egais_tui::app_context::AppContext;
use egais_tui::config::Paths;
use egais_tui::egais::exchange::{ArchiveOnly, Exchange, ExchangeConfig};
use egais_tui::egais::sim::{self, SimConfig};
use egais_tui::egais::utm::UtmClient;
use egais_tui::store::Store;
use egais_tui::tui::Setup;
use egais_tui::tui::effects::Feeds;
use egais_tui::tui::headless::{HeadlessOptions, KeyToken, run_headless_with};
use tui_support::*;

/// Runs the headless app against a fresh simulator with one seeded invoice.
fn with_simulator(keys: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    block_on(async {
        let sim = sim::spawn(SimConfig {
            seed_invoices: 1,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        let fsrar = SimConfig::default().fsrar_id;
        let mut cfg = config("default");
        cfg.organisation.fsrar_id = fsrar.clone();
        cfg.utm.url = sim.url();
        let store = Arc::new(Store::open(dir.path()).expect("store"));
        let client = UtmClient::new(&cfg.utm, &fsrar).expect("client");
        let mut engine = Exchange::spawn(
            Arc::clone(&store),
            client,
            Arc::new(ArchiveOnly),
            ExchangeConfig {
                poll_interval: Duration::from_millis(100),
                status_interval: Duration::from_millis(200),
                ..ExchangeConfig::default()
            },
        );
        let ctx = AppContext {
            config: Arc::new(cfg),
            paths: Paths {
                data_dir: dir.path().to_path_buf(),
                state_dir: dir.path().join("state"),
                config_file: None,
            },
            store,
        };
        let feeds = Feeds::default().with_exchange(&mut engine);
        let opts = HeadlessOptions {
            size: (120, 40),
            keys: KeyToken::parse_script(keys).expect("keys"),
            now: None,
        };
        let screen = run_headless_with(Setup::from_context(&ctx).expect("setup"), feeds, opts)
            .await
            .expect("headless");
        engine.shutdown().await;
        sim.shutdown().await;
        screen
    })
}

#[test]
fn utm_status_from_the_engine_reaches_settings_and_status_bar() {
    // Ctrl+O clears the arrival toasts that would cover the pane.
    let screen = with_simulator("wait:1500 F9 ctrl+o");
    assert!(screen.contains("Связь: есть"), "{screen}");
    let key = format!("ФСРАР ID ключа: {}", SimConfig::default().fsrar_id);
    assert!(screen.contains(&key), "{screen}");
    assert!(screen.contains("Контур: ТЕСТОВЫЙ"), "{screen}");
    assert!(screen.contains("УТМ: связь"), "status bar: {screen}");
    assert!(screen.contains("Очередь пуста"), "status bar: {screen}");
}

#[test]
fn documents_arriving_from_egais_are_announced() {
    let screen = with_simulator("wait:1500");
    assert!(screen.contains("Из ЕГАИС: WayBill_v4"), "{screen}");
}

#[test]
fn run_with_services_starts_and_stops_the_engine() {
    use egais_tui::tui::{TuiArgs, TuiError, run_with_services};
    let dir = tempfile::tempdir().expect("dir");
    let context = |url: &str| {
        let mut cfg = config("default");
        cfg.organisation.fsrar_id = SimConfig::default().fsrar_id;
        cfg.utm.url = url.to_string();
        AppContext {
            config: Arc::new(cfg),
            paths: Paths {
                data_dir: dir.path().to_path_buf(),
                state_dir: dir.path().join("state"),
                config_file: None,
            },
            store: Arc::new(Store::open(dir.path()).expect("store")),
        }
    };
    let args = TuiArgs {
        headless: true,
        keys: Some("wait:300 F9".into()),
        ..TuiArgs::default()
    };
    let result = block_on(async {
        let sim = sim::spawn(SimConfig::default()).await.expect("simulator");
        let r = run_with_services(context(&sim.url()), &args, Arc::new(ArchiveOnly)).await;
        sim.shutdown().await;
        r
    });
    assert!(result.is_ok(), "{result:?}");
    let bad = block_on(run_with_services(
        context("https://127.0.0.1:8080"),
        &args,
        Arc::new(ArchiveOnly),
    ));
    match bad {
        Err(TuiError::Service(msg)) => assert!(!msg.is_empty()),
        other => panic!("a bad UTM URL must be refused: {other:?}"),
    }
}
