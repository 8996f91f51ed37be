//! The exchange engine: one tokio task that sends the outbox to the UTM in order, polls
//! `/opt/out`, archives every incoming document before parsing it, applies it through an
//! [`InboxHandler`], and only then deletes it from the UTM. It reports to the UI through
//! plain-data channels: [`ExchangeEvent`]s, and `watch` values of [`UtmStatus`] and
//! [`OutboxStatus`].
//!
//! # Surviving kill -9
//!
//! * Outgoing: an entry is written in the business transaction ([`outbox::enqueue`]).
//!   Before the POST it is durably marked `InFlight`; the UTM's answer is recorded in the
//!   next transaction. A crash in between leaves `InFlight`, which at start-up becomes
//!   `Unconfirmed` and is NOT blindly resent — see [`reconcile`] for the policy.
//! * Incoming: raw bytes are committed to the archive first; the domain change and the
//!   "applied" markers (content hash, document identity) commit together; the UTM copy
//!   is deleted last. A crash anywhere re-fetches the same delivery, finds it archived or
//!   applied, and only deletes it.
//!
//! # Use
//!
//! ```text
//! let client = UtmClient::new(&config.utm, &config.organisation.fsrar_id)?;
//! let handler = Arc::new(RegisterHandler { inner: MyDomainHandler });   // or ArchiveOnly
//! let mut exchange = Exchange::spawn(store.clone(), client, handler,
//!                                    ExchangeConfig::from_config(&config.utm));
//! // business code, one transaction:
//! store.write(|tx| { documents::insert(tx, &rec)?; …; outbox::enqueue(tx, doc)?; Ok(()) })?;
//! exchange.control.wake();                 // send now, not at the next timer
//! exchange.events.recv().await             // ExchangeEvent for the UI
//! exchange.utm_status.borrow().clone()     // UtmStatus for the status bar
//! ```
//!
//! [`outbox::enqueue`]: crate::store::outbox::enqueue

mod engine;
pub mod envelope;
pub mod handler;
pub mod reconcile;
pub mod register;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::config;
use crate::egais::status::{OutboxStatus, UtmStatus};
use crate::egais::utm::UtmClient;
use crate::store::Store;

pub use envelope::{Envelope, TicketInfo, Verdict};
pub use handler::{Applied, ArchiveOnly, HandlerError, InboxDoc, InboxHandler, ticket_doc_event};
pub use register::{RegisterHandler, apply_refusal_to_register, apply_ticket_to_register};

/// What happened, for the UI. Plain data; the store holds the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeEvent {
    /// The UTM accepted an outbox entry.
    Sent {
        outbox_seq: u64,
        id: String,
        doc_type: String,
        doc_ref: Option<String>,
        reply_id: Option<String>,
    },
    /// A cheque from the outbox was registered: print `url` as the QR code.
    ChequeRegistered {
        outbox_seq: u64,
        id: String,
        doc_ref: Option<String>,
        url: String,
        sign: String,
    },
    /// Sending failed; the entry waits (`will_retry`) or was refused for good.
    SendFailed {
        outbox_seq: u64,
        id: String,
        doc_type: String,
        doc_ref: Option<String>,
        message_ru: String,
        will_retry: bool,
    },
    /// An entry found in flight after a restart (or after a lost answer) is being checked
    /// against the UTM before anything is sent again.
    Unconfirmed { outbox_seq: u64, id: String },
    /// Reconciliation finished: `found` = the UTM had it (not resent); otherwise it is
    /// queued again.
    Reconciled {
        outbox_seq: u64,
        id: String,
        found: bool,
    },
    /// An incoming document was archived and applied.
    DocumentReceived {
        archive_seq: u64,
        element: String,
        summary: String,
        answers: Option<u64>,
    },
    /// A ticket was matched to what it answers.
    TicketFor {
        outbox_seq: u64,
        doc_ref: Option<String>,
        doc_type: String,
        accepted: bool,
        /// Settles the document (operation result or a refusal).
        is_final: bool,
        comment: String,
    },
    /// The same document had already been applied; this copy was only archived.
    Duplicate { archive_seq: u64, of: u64 },
    /// An incoming document could not be parsed or applied; it stays in the archive.
    IncomingFailed {
        archive_seq: u64,
        utm_type: String,
        error: String,
    },
}

/// Timing of the engine.
#[derive(Debug, Clone)]
pub struct ExchangeConfig {
    pub poll_interval: Duration,
    /// How often the UTM's status (`/api/info/list`) is refreshed.
    pub status_interval: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// How long an unconfirmed entry is looked for in the UTM before it is sent again.
    pub reconcile_grace: Duration,
    /// Test-only: stop the task at a point, as kill -9 would.
    #[doc(hidden)]
    pub crash_at: CrashPoint,
}

/// Where a test makes the engine stop dead, leaving the store as a killed process would.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CrashPoint {
    #[default]
    Never,
    /// After `InFlight` is committed, before the POST.
    BeforePost,
    /// After the UTM answered the POST, before the answer is recorded.
    AfterPost,
}

impl ExchangeConfig {
    pub fn from_config(utm: &config::Utm) -> ExchangeConfig {
        ExchangeConfig {
            poll_interval: Duration::from_secs(utm.poll_interval_s.max(1)),
            ..ExchangeConfig::default()
        }
    }
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        ExchangeConfig {
            poll_interval: Duration::from_secs(10),
            status_interval: Duration::from_secs(60),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            reconcile_grace: Duration::from_secs(30 * 60),
            crash_at: CrashPoint::Never,
        }
    }
}

/// How long [`ExchangeHandle::shutdown`] lets a request in progress finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The running engine. Dropping the handle (and every [`ExchangeControl`] clone) stops it.
pub struct ExchangeHandle {
    pub events: mpsc::Receiver<ExchangeEvent>,
    pub utm_status: watch::Receiver<UtmStatus>,
    pub outbox_status: watch::Receiver<OutboxStatus>,
    pub control: ExchangeControl,
    task: JoinHandle<()>,
}

/// Cheap, clonable: tell the engine about new outbox entries or stop it.
#[derive(Clone)]
pub struct ExchangeControl {
    wake: Arc<Notify>,
    poll: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl ExchangeControl {
    /// Call after committing an outbox entry: it is sent without waiting for the timer.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Poll `/opt/out` now.
    pub fn poll_now(&self) {
        self.poll.notify_one();
    }

    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

impl ExchangeHandle {
    /// Stops the engine and waits for the task to end. A request still waiting on a slow
    /// UTM is abandoned after [`SHUTDOWN_GRACE`]: that is safe at any point, exactly like
    /// a crash (entries in flight are reconciled at the next start).
    pub async fn shutdown(self) {
        self.control.stop();
        let mut task = self.task;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }

    /// Waits for the task to end by itself (tests with a crash point).
    pub async fn join(self) {
        let _ = self.task.await;
    }

    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

pub struct Exchange;

impl Exchange {
    /// Starts the engine on the current tokio runtime.
    pub fn spawn(
        store: Arc<Store>,
        client: UtmClient,
        handler: Arc<dyn InboxHandler>,
        cfg: ExchangeConfig,
    ) -> ExchangeHandle {
        let (events_tx, events) = mpsc::channel(512);
        let (utm_tx, utm_status) = watch::channel(UtmStatus::default());
        let (outbox_tx, outbox_status) = watch::channel(OutboxStatus::default());
        let (stop, stop_rx) = watch::channel(false);
        let control = ExchangeControl {
            wake: Arc::new(Notify::new()),
            poll: Arc::new(Notify::new()),
            stop,
        };
        let engine = engine::Engine::new(
            store,
            Arc::new(client),
            handler,
            cfg,
            engine::Channels {
                events: events_tx,
                utm: utm_tx,
                outbox: outbox_tx,
                wake: control.wake.clone(),
                poll: control.poll.clone(),
                stop: stop_rx,
            },
        );
        let task = tokio::spawn(engine.run());
        ExchangeHandle {
            events,
            utm_status,
            outbox_status,
            control,
            task,
        }
    }
}
