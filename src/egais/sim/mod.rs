//! UTM simulator: the same HTTP API as the shop's UTM, backed by a simulated EGAIS that
//! keeps the shop's registers 1 and 2 and its stamps, answers documents with realistic
//! tickets and replies (rejections included), and injects faults on demand.
//!
//! In-process (tests, demo): [`spawn`] with a [`SimConfig`] → [`SimHandle`] on
//! `127.0.0.1:0`. As a command: `egais-tui utm-sim --listen 127.0.0.1:8080` through
//! [`SimArgs`] and [`run`]. Faults: flags, or `POST /sim/fault` with the JSON of
//! [`Faults`] (e.g. `{"down":true}`), or [`SimControl::set_faults`].
//!
//! Documents are written from templates modelled on the real samples (see `docs`); the
//! xml stream's writers may replace them.

pub mod catalog;
pub mod docs;
mod http;
pub mod state;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use state::{Faults, ReceivedDoc, SimState, StampStatus};

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    /// The FSRAR ID of the simulated key (= the shop).
    pub fsrar_id: String,
    pub shop: docs::Org,
    pub seed_invoices: usize,
    pub stock_query_min_interval: Duration,
    /// How long a document waits in `/opt/in` before EGAIS answers it.
    pub delivery_delay: Duration,
    pub faults: Faults,
    /// Random seed: the same seed generates the same invoices and stamps.
    pub rng_seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            fsrar_id: "030000194005".into(),
            shop: docs::Org {
                fsrar_id: "030000194005".into(),
                inn: "7714698320".into(),
                kpp: "771401001".into(),
                full_name: "Общество с ограниченной ответственностью \"Магазин у дома\"".into(),
                short_name: "ООО \"Магазин у дома\"".into(),
                region: "77".into(),
                address: "г. Москва, ул. Садовая, д. 1".into(),
            },
            seed_invoices: 0,
            stock_query_min_interval: Duration::from_secs(3600),
            delivery_delay: Duration::ZERO,
            faults: Faults::default(),
            rng_seed: 42,
        }
    }
}

/// In-process control of a running simulator.
#[derive(Clone)]
pub struct SimControl {
    shared: http::Shared,
}

impl SimControl {
    pub fn set_faults(&self, faults: Faults) {
        self.shared.down.store(faults.down, Ordering::SeqCst);
        self.shared.lock().faults = faults;
    }

    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }

    /// Runs `f` on the simulator's state (inspect registers, inject documents, …).
    pub fn with_state<T>(&self, f: impl FnOnce(&mut SimState) -> T) -> T {
        f(&mut self.shared.lock())
    }

    /// Documents accepted by `POST` so far.
    pub fn received(&self) -> Vec<ReceivedDoc> {
        self.shared.lock().received().to_vec()
    }

    pub fn received_count(&self, doc_type: &str) -> usize {
        self.shared
            .lock()
            .received()
            .iter()
            .filter(|d| d.doc_type == doc_type)
            .count()
    }
}

pub struct SimHandle {
    pub addr: SocketAddr,
    pub control: SimControl,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, for `config::Utm::url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

/// Starts the simulator on the current runtime.
pub async fn spawn(cfg: SimConfig) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let mut state = SimState::new(
        state::Settings {
            fsrar_id: cfg.fsrar_id.clone(),
            shop: docs::Org {
                fsrar_id: cfg.fsrar_id.clone(),
                ..cfg.shop.clone()
            },
            stock_query_min_interval: cfg.stock_query_min_interval,
            delivery_delay: cfg.delivery_delay,
        },
        cfg.rng_seed,
    );
    state.faults = cfg.faults.clone();
    state.seed_invoices(cfg.seed_invoices);
    let down = Arc::new(AtomicBool::new(cfg.faults.down));
    let shared = http::Shared {
        state: Arc::new(Mutex::new(state)),
        down: down.clone(),
        base_url: format!("http://{addr}"),
    };
    let app = http::router(shared.clone());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let listener = http::DownAwareListener {
        inner: listener,
        down,
    };
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });
    Ok(SimHandle {
        addr,
        control: SimControl { shared },
        stop: Some(stop_tx),
        task,
    })
}

/// `egais-tui utm-sim` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Generate this many incoming invoices (WayBill_v4 + FORM2REGINFO) at start.
    #[arg(long, default_value_t = 0)]
    pub seed_invoices: usize,
    /// FSRAR ID of the simulated key.
    #[arg(long, default_value = "030000194005")]
    pub fsrar_id: String,
    /// Minimum seconds between two stock queries of one kind.
    #[arg(long, default_value_t = 3600)]
    pub stock_query_interval_s: u64,
    /// Milliseconds a document waits in /opt/in before EGAIS answers.
    #[arg(long, default_value_t = 1500)]
    pub delivery_delay_ms: u64,
    /// Random seed for generated invoices and stamps.
    #[arg(long, default_value_t = 42)]
    pub rng_seed: u64,
    /// Start "down": every connection is dropped.
    #[arg(long)]
    pub fault_down: bool,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub fault_slow_ms: u64,
    /// Accept POSTed documents at once but answer after this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub fault_reply_delay_ms: u64,
    /// Answer every request with HTTP 500.
    #[arg(long)]
    pub fault_http_500: bool,
    /// Answer POSTs with broken XML.
    #[arg(long)]
    pub fault_malformed_reply: bool,
    /// Put generated documents into /opt/out as broken XML.
    #[arg(long)]
    pub fault_malformed_documents: bool,
    /// Put every generated document into /opt/out twice.
    #[arg(long)]
    pub fault_duplicates: bool,
    /// Report this FSRAR ID instead of --fsrar-id.
    #[arg(long)]
    pub fault_wrong_fsrar_id: Option<String>,
    /// Report an expired RSA certificate and refuse documents.
    #[arg(long)]
    pub fault_expired_certificate: bool,
    /// Behave like an old UTM without /api/info/list.
    #[arg(long)]
    pub fault_legacy_utm: bool,
}

impl SimArgs {
    pub fn to_config(&self) -> SimConfig {
        SimConfig {
            listen: self.listen,
            fsrar_id: self.fsrar_id.clone(),
            seed_invoices: self.seed_invoices,
            stock_query_min_interval: Duration::from_secs(self.stock_query_interval_s),
            delivery_delay: Duration::from_millis(self.delivery_delay_ms),
            rng_seed: self.rng_seed,
            faults: Faults {
                down: self.fault_down,
                slow_ms: self.fault_slow_ms,
                reply_delay_ms: self.fault_reply_delay_ms,
                http_500: self.fault_http_500,
                malformed_reply: self.fault_malformed_reply,
                malformed_documents: self.fault_malformed_documents,
                duplicates: self.fault_duplicates,
                wrong_fsrar_id: self.fault_wrong_fsrar_id.clone(),
                expired_certificate: self.fault_expired_certificate,
                legacy_utm: self.fault_legacy_utm,
            },
            ..SimConfig::default()
        }
    }
}

/// Runs the simulator until Ctrl-C.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let handle = spawn(args.to_config())
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    eprintln!(
        "УТМ-симулятор слушает {} (ФСРАР ID {}); остановка — Ctrl-C",
        handle.url(),
        args.fsrar_id
    );
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn command_line_flags_become_the_config() {
        let cli = Cli::try_parse_from([
            "utm-sim",
            "--listen",
            "127.0.0.1:18080",
            "--seed-invoices",
            "3",
            "--fault-duplicates",
            "--fault-wrong-fsrar-id",
            "030000000001",
            "--fault-slow-ms",
            "250",
        ])
        .unwrap();
        let cfg = cli.sim.to_config();
        assert_eq!(cfg.listen.port(), 18080);
        assert_eq!(cfg.seed_invoices, 3);
        assert!(cfg.faults.duplicates);
        assert_eq!(cfg.faults.slow_ms, 250);
        assert_eq!(cfg.faults.wrong_fsrar_id.as_deref(), Some("030000000001"));
        assert!(!cfg.faults.down);
        assert_eq!(cfg.stock_query_min_interval, Duration::from_secs(3600));
        assert!(Cli::try_parse_from(["utm-sim", "--listen", "not-an-address"]).is_err());
    }
}
