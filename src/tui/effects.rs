//! Runs effects on tokio tasks and answers with messages, so a slow database page or a
//! UTM probe never blocks input or drawing.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::app::{Effect, Loaded, Msg};
use super::read_model::{ProductRow, ReadError, ReadModel};
use super::scan_input::ScanEvent;
use super::widgets::picker::{PickItem, PickSource};
use crate::egais::status::{OutboxStatus, UtmStatus};

/// Results shown in the picker at once; typing narrows them.
pub const SEARCH_LIMIT: usize = 100;

/// Where the outside world talks to the TUI. Every part is optional: the TUI runs (and
/// says so in the status bar) without an exchange engine or an evdev scanner.
#[derive(Default)]
pub struct Feeds {
    /// Latest UTM health from the exchange engine.
    pub utm: Option<watch::Receiver<UtmStatus>>,
    /// Latest outbox state from the exchange engine.
    pub outbox: Option<watch::Receiver<OutboxStatus>>,
    /// Scans from the evdev reader (terminal scans come through the key stream).
    pub scans: Option<mpsc::Receiver<ScanEvent>>,
    /// Anything else for the loop: `Msg::Note`, `Msg::JobStarted`/`JobFinished`.
    pub events: Option<mpsc::UnboundedReceiver<Msg>>,
    /// Events of the exchange engine (see `link::exchange_msgs`).
    pub exchange: Option<mpsc::Receiver<crate::egais::exchange::ExchangeEvent>>,
    /// State of the evdev scanner reader.
    pub scanner_status: Option<mpsc::Receiver<crate::scanner::ScannerStatus>>,
    /// Shown on the first screen (e.g. the scanner fell back to the terminal).
    pub startup_notes: Vec<super::app::Note>,
    /// "Check the UTM now": asks the exchange to talk to the UTM at once (for the
    /// exchange engine: `control.poll_now()`); the result arrives on `utm`.
    pub utm_probe: Option<Probe>,
    /// "A document was queued, send it now" (for the exchange engine: `control.wake()`).
    pub exchange_wake: Option<Probe>,
}

/// A request to the exchange that returns at once.
pub type Probe = Arc<dyn Fn() + Send + Sync>;

/// What the loop itself must do (the rest is run here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Quit,
    Suspend,
    Redraw,
}

pub struct Executor {
    model: Arc<dyn ReadModel>,
    tx: mpsc::UnboundedSender<Msg>,
    probe: Option<Probe>,
    tasks: JoinSet<()>,
    /// The Приёмка workflow over the shop's database (absent over a memory model).
    acceptance: Option<crate::egais::acceptance::AcceptanceService>,
    /// Wakes the exchange engine after a document was queued.
    wake: Option<Probe>,
}

fn text<T>(r: Result<T, ReadError>) -> Result<T, String> {
    r.map_err(|e| e.0)
}

fn pick_item(p: ProductRow) -> PickItem {
    let label = match &p.capacity {
        Some(c) => format!("{} {}", p.name, c),
        None => p.name.clone(),
    };
    let detail = match p.eans.first() {
        Some(e) => format!("{}  {}", p.alc_code, e),
        None => p.alc_code.clone(),
    };
    PickItem {
        key: p.alc_code,
        label,
        detail,
    }
}

impl Executor {
    pub fn new(
        model: Arc<dyn ReadModel>,
        tx: mpsc::UnboundedSender<Msg>,
        probe: Option<Probe>,
    ) -> Executor {
        Executor {
            model,
            tx,
            probe,
            tasks: JoinSet::new(),
            acceptance: None,
            wake: None,
        }
    }

    /// Called after the workflow queued a document, so it goes out at once.
    pub fn set_exchange_wake(&mut self, wake: Probe) {
        self.wake = Some(wake);
    }

    /// Runs the Приёмка workflow's effects against this service.
    pub fn set_acceptance(&mut self, service: crate::egais::acceptance::AcceptanceService) {
        self.acceptance = Some(service);
    }

    /// Starts one effect. Terminal control comes back to the caller.
    pub fn run(&mut self, effect: Effect) -> Option<Control> {
        match effect {
            Effect::Quit => return Some(Control::Quit),
            Effect::Suspend => return Some(Control::Suspend),
            Effect::Redraw => return Some(Control::Redraw),
            Effect::CheckUtm { job } => match &self.probe {
                Some(probe) => probe(),
                None => {
                    let _ = self.tx.send(Msg::JobFinished {
                        id: job,
                        result: Err("обмен с УТМ не запущен".into()),
                    });
                }
            },
            Effect::Acceptance(effect) => {
                let Some(service) = self.acceptance.clone() else {
                    let _ = self.tx.send(Msg::Loaded(Loaded::Acceptance(
                        crate::tui::acceptance::Event::Failed(
                            "Приёмка недоступна: база данных магазина не открыта".into(),
                        ),
                    )));
                    return None;
                };
                let tx = self.tx.clone();
                let queues = matches!(
                    effect,
                    crate::tui::acceptance::Effect::Send { .. }
                        | crate::tui::acceptance::Effect::QueryNoAnswer
                        | crate::tui::acceptance::Effect::QueryResend { .. }
                );
                let wake = self.wake.clone().filter(|_| queues);
                self.tasks.spawn(async move {
                    let now = jiff::Timestamp::now();
                    let event = tokio::task::spawn_blocking(move || service.run(effect, now)).await;
                    if let Ok(event) = event {
                        let queued = matches!(
                            event,
                            crate::tui::acceptance::Event::Sent { .. }
                                | crate::tui::acceptance::Event::Done(_)
                        );
                        if queued && let Some(w) = &wake {
                            w();
                        }
                        let _ = tx.send(Msg::Loaded(Loaded::Acceptance(event)));
                    }
                });
            }
            read => {
                let model = Arc::clone(&self.model);
                let tx = self.tx.clone();
                self.tasks.spawn(async move {
                    let loaded = tokio::task::spawn_blocking(move || run_read(&*model, read))
                        .await
                        .ok()
                        .flatten();
                    if let Some(l) = loaded {
                        // The receiver is gone only when the UI is shutting down.
                        let _ = tx.send(Msg::Loaded(l));
                    }
                });
            }
        }
        None
    }

    /// Waits until every started read has answered (the headless runner's determinism).
    pub async fn settle(&mut self) {
        while self.tasks.join_next().await.is_some() {}
    }

    /// Forgets finished tasks (the interactive loop never waits for them).
    pub fn reap(&mut self) {
        while self.tasks.try_join_next().is_some() {}
    }

    pub fn busy(&self) -> bool {
        !self.tasks.is_empty()
    }
}

/// Runs a read effect synchronously; `None` for effects that are not reads.
pub fn run_read(model: &dyn ReadModel, effect: Effect) -> Option<Loaded> {
    Some(match effect {
        Effect::LoadDocCounts => Loaded::DocCounts(text(model.doc_counts())),
        Effect::LoadDocuments {
            list,
            offset,
            limit,
        } => Loaded::Documents {
            list,
            result: text(model.documents(list, offset, limit)),
        },
        Effect::LoadDocument { id } => Loaded::Document(text(model.document(&id))),
        Effect::LoadProducts { offset, limit } => {
            Loaded::Products(text(model.products(offset, limit)))
        }
        Effect::LoadProduct { alc_code } => Loaded::Product(text(model.product(&alc_code))),
        Effect::LookupEan { ean } => {
            let result = text(model.product_by_ean(&ean));
            Loaded::ProductByEan { ean, result }
        }
        Effect::Search {
            source: PickSource::Products,
            request,
            query,
        } => Loaded::Search {
            request,
            result: model
                .search_products(&query, SEARCH_LIMIT)
                .map(|rows| rows.into_iter().map(pick_item).collect())
                .map_err(|e| e.0),
        },
        Effect::CheckUtm { .. }
        | Effect::Acceptance(_)
        | Effect::Quit
        | Effect::Suspend
        | Effect::Redraw => return None,
    })
}
