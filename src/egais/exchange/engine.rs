//! The engine's task: one loop, three timers (status, inbox poll, outbox send), woken
//! early by `ExchangeControl`. Database work runs on the blocking pool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::{Notify, mpsc, watch};

use super::envelope::{self, Envelope};
use super::handler::{InboxDoc, InboxHandler, ticket_doc_event};
use super::reconcile::{self, Decision};
use super::{CrashPoint, ExchangeConfig, ExchangeEvent};
use crate::config::ChequeFormat;
use crate::egais::status::{OutboxStatus, UtmStatus};
use crate::egais::utm::{UtmClient, UtmError, UtmInfo};
use crate::egais::xml::{self, Parsed};
use crate::store::archive::{self, ArchivedDoc, InboxState};
use crate::store::outbox::{self, OutboxEntry, OutboxState, TicketNote};
use crate::store::{Store, StoreError};

pub(super) struct Channels {
    pub events: mpsc::Sender<ExchangeEvent>,
    pub utm: watch::Sender<UtmStatus>,
    pub outbox: watch::Sender<OutboxStatus>,
    pub wake: Arc<Notify>,
    pub poll: Arc<Notify>,
    pub stop: watch::Receiver<bool>,
}

#[derive(Debug, thiserror::Error)]
enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Utm(#[from] UtmError),
    #[error("background database task failed: {0}")]
    Join(String),
}

enum Flow {
    Idle,
    Retry(Duration),
    Crashed,
}

enum ApplyOutcome {
    Applied {
        summary: String,
        answers: Option<Box<OutboxEntry>>,
        resolved_unconfirmed: bool,
    },
    Duplicate {
        of: u64,
    },
    Failed(String),
}

enum ApplyError {
    Store(StoreError),
    Handler(String),
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        ApplyError::Store(e)
    }
}

enum Reply {
    Document {
        reply_id: String,
        sign: Option<String>,
    },
    Cheque {
        url: String,
        sign: String,
    },
}

pub(super) struct Engine {
    store: Arc<Store>,
    client: Arc<UtmClient>,
    handler: Arc<dyn InboxHandler>,
    cfg: ExchangeConfig,
    ch: Channels,
    backoff: Duration,
    next_send: Instant,
    next_poll: Instant,
    next_status: Instant,
    last_info: Option<UtmInfo>,
}

/// "Not before anything happens" without overflowing `Instant`.
const IDLE: Duration = Duration::from_secs(24 * 3600);

impl Engine {
    pub(super) fn new(
        store: Arc<Store>,
        client: Arc<UtmClient>,
        handler: Arc<dyn InboxHandler>,
        cfg: ExchangeConfig,
        ch: Channels,
    ) -> Engine {
        let now = Instant::now();
        Engine {
            store,
            client,
            handler,
            backoff: cfg.backoff_min,
            cfg,
            ch,
            next_send: now,
            next_poll: now,
            next_status: now,
            last_info: None,
        }
    }

    pub(super) async fn run(mut self) {
        if let Err(e) = self.recover().await {
            tracing::error!(error = %e, "exchange: could not recover in-flight entries");
        }
        self.publish_outbox().await;
        loop {
            if *self.ch.stop.borrow() {
                return;
            }
            let now = Instant::now();
            if now >= self.next_status {
                self.refresh_status().await;
                self.next_status = Instant::now() + self.cfg.status_interval;
            }
            if now >= self.next_poll {
                if self.poll_inbox().await {
                    // A ticket may have settled an unconfirmed head.
                    self.next_send = Instant::now();
                }
                self.next_poll = Instant::now() + self.cfg.poll_interval;
            }
            if Instant::now() >= self.next_send {
                match self.drain_outbox().await {
                    Flow::Idle => self.next_send = Instant::now() + IDLE,
                    Flow::Retry(d) => self.next_send = Instant::now() + d,
                    Flow::Crashed => {
                        tracing::warn!("exchange: stopped at a test crash point");
                        return;
                    }
                }
            }
            let wake_at = self.next_status.min(self.next_poll).min(self.next_send);
            let wake = self.ch.wake.clone();
            let poll = self.ch.poll.clone();
            tokio::select! {
                _ = tokio::time::sleep_until(wake_at.into()) => {}
                _ = wake.notified() => self.next_send = Instant::now(),
                _ = poll.notified() => self.next_poll = Instant::now(),
                changed = self.ch.stop.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, EngineError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| EngineError::Join(e.to_string()))?
            .map_err(EngineError::from)
    }

    fn emit(&self, event: ExchangeEvent) {
        // Events are notifications; the store holds the truth, so a full or closed
        // channel (UI not listening) must not stop the exchange.
        if let Err(e) = self.ch.events.try_send(event) {
            tracing::debug!(error = %e, "exchange event dropped");
        }
    }

    async fn publish_outbox(&self) {
        match self.db(|s| s.read(outbox::status)).await {
            Ok(status) => {
                self.ch.outbox.send_replace(status);
            }
            Err(e) => tracing::error!(error = %e, "exchange: outbox status unreadable"),
        }
    }

    /// At start-up, entries left in flight by a dead process become unconfirmed.
    async fn recover(&mut self) -> Result<(), EngineError> {
        let now = Timestamp::now();
        let recovered = self
            .db(move |s| {
                s.write(|tx| {
                    let mut out = Vec::new();
                    for mut e in outbox::open_entries_tx(tx)? {
                        if let OutboxState::InFlight { .. } = e.state {
                            e.state = OutboxState::Unconfirmed { since: now };
                            outbox::put(tx, &e)?;
                            out.push((e.seq, e.doc.id.clone()));
                        }
                    }
                    Ok(out)
                })
            })
            .await?;
        for (seq, id) in recovered {
            tracing::warn!(seq, %id, "exchange: entry was in flight at the last stop; reconciling");
            self.emit(ExchangeEvent::Unconfirmed {
                outbox_seq: seq,
                id,
            });
        }
        Ok(())
    }

    fn set_reachable(&self, reachable: bool, error: Option<String>) {
        self.ch.utm.send_modify(|s| {
            if s.reachable != reachable || s.since.is_none() {
                s.since = Some(Timestamp::now());
            }
            s.reachable = reachable;
            s.last_error = error;
        });
    }

    fn note_utm_error(&self, e: &UtmError) {
        tracing::warn!(error = %e, "exchange: UTM request failed");
        if let UtmError::FsrarMismatch { utm, .. } = e {
            let msg = e.message_ru();
            let utm = utm.clone();
            self.ch.utm.send_modify(|s| {
                s.fsrar_mismatch = Some(msg.clone());
                s.utm_fsrar_id = Some(utm);
            });
        }
        self.set_reachable(!e.is_connectivity(), Some(e.message_ru()));
    }

    fn bump_backoff(&mut self) -> Duration {
        let current = self.backoff;
        self.backoff = (self.backoff * 2).min(self.cfg.backoff_max);
        current
    }

    async fn refresh_status(&mut self) {
        match self.client.info().await {
            Ok(info) => {
                let mismatch = self.client.check_fsrar(&info).err().map(|e| e.message_ru());
                let cert_problem = cert_problem(&info, Timestamp::now());
                let info2 = info.clone();
                self.ch.utm.send_modify(|s| {
                    s.utm_fsrar_id = info2.effective_fsrar_id().map(String::from);
                    s.fsrar_mismatch = mismatch.clone();
                    s.version = info2.version.clone();
                    s.contour = info2.contour.clone();
                    s.rsa_expires = info2.rsa.as_ref().and_then(|c| c.expire);
                    s.gost_expires = info2.gost.as_ref().and_then(|c| c.expire);
                    s.oldest_unsent_cheque = info2.check_info.clone();
                });
                self.set_reachable(true, mismatch.or(cert_problem));
                self.last_info = Some(info);
            }
            Err(e) => self.note_utm_error(&e),
        }
    }

    // ---- outgoing -------------------------------------------------------------------

    async fn drain_outbox(&mut self) -> Flow {
        loop {
            let head = match self.db(|s| s.read(outbox::open_entries)).await {
                Ok(open) => open.into_iter().next(),
                Err(e) => {
                    tracing::error!(error = %e, "exchange: outbox unreadable");
                    return Flow::Retry(self.bump_backoff());
                }
            };
            let Some(head) = head else {
                self.publish_outbox().await;
                return Flow::Idle;
            };
            match head.state.clone() {
                OutboxState::Pending => match self.send_one(head).await {
                    Ok(None) => continue,
                    Ok(Some(flow)) => return flow,
                    Err(e) => {
                        tracing::error!(error = %e, "exchange: send failed");
                        return Flow::Retry(self.bump_backoff());
                    }
                },
                OutboxState::InFlight { since } | OutboxState::Unconfirmed { since } => {
                    match self.reconcile(&head, since).await {
                        Ok(true) => continue,
                        Ok(false) => return Flow::Retry(self.cfg.poll_interval),
                        Err(e) => {
                            if let EngineError::Utm(u) = &e {
                                self.note_utm_error(u);
                            }
                            return Flow::Retry(self.bump_backoff());
                        }
                    }
                }
                OutboxState::Sent { .. } | OutboxState::Refused { .. } => return Flow::Idle,
            }
        }
    }

    /// Returns `None` to go on with the next entry, or how to continue.
    async fn send_one(&mut self, head: OutboxEntry) -> Result<Option<Flow>, EngineError> {
        let seq = head.seq;
        // The guard comes first: nothing is even marked in flight for a wrong UTM.
        let guard = match self.client.ensure_fsrar().await {
            Ok(_) => self
                .last_info
                .as_ref()
                .and_then(|i| cert_problem(i, Timestamp::now())),
            Err(e) => {
                self.note_utm_error(&e);
                self.record_retry(&head, &e.message_ru(), false).await?;
                return Ok(Some(Flow::Retry(self.bump_backoff())));
            }
        };
        if let Some(problem) = guard {
            self.set_reachable(true, Some(problem.clone()));
            self.record_retry(&head, &problem, false).await?;
            return Ok(Some(Flow::Retry(self.bump_backoff())));
        }
        self.ch.utm.send_modify(|s| s.fsrar_mismatch = None);

        let now = Timestamp::now();
        let marked = self
            .db(move |s| {
                s.write(|tx| {
                    let Some(mut e) = outbox::get(tx, seq)? else {
                        return Ok(false);
                    };
                    if e.state != OutboxState::Pending {
                        return Ok(false);
                    }
                    e.state = OutboxState::InFlight { since: now };
                    outbox::put(tx, &e)?;
                    Ok(true)
                })
            })
            .await?;
        if !marked {
            return Ok(None);
        }
        if self.cfg.crash_at == CrashPoint::BeforePost {
            return Ok(Some(Flow::Crashed));
        }

        let xml = head.doc.xml.clone();
        let result = match head.doc.doc_type.as_str() {
            "Cheque" => self
                .client
                .send_cheque(ChequeFormat::Xml, xml)
                .await
                .map(|r| Reply::Cheque {
                    url: r.url,
                    sign: r.sign,
                }),
            "ChequeV3" => self
                .client
                .send_cheque(ChequeFormat::ChequeV3, xml)
                .await
                .map(|r| Reply::Cheque {
                    url: r.url,
                    sign: r.sign,
                }),
            other => self
                .client
                .send_document(other, xml)
                .await
                .map(|r| Reply::Document {
                    reply_id: r.reply_id,
                    sign: r.sign,
                }),
        };
        if self.cfg.crash_at == CrashPoint::AfterPost {
            return Ok(Some(Flow::Crashed));
        }

        match result {
            Ok(reply) => {
                let now = Timestamp::now();
                let (reply_id, sign) = match &reply {
                    Reply::Document { reply_id, sign } => (reply_id.clone(), sign.clone()),
                    Reply::Cheque { url, sign } => (url.clone(), Some(sign.clone())),
                };
                self.db(move |s| {
                    s.write(|tx| {
                        if let Some(mut e) = outbox::get(tx, seq)? {
                            e.state = OutboxState::Sent {
                                reply_id: Some(reply_id),
                                sign,
                                at: now,
                            };
                            e.last_error = None;
                            outbox::put(tx, &e)?;
                        }
                        Ok(())
                    })
                })
                .await?;
                self.backoff = self.cfg.backoff_min;
                self.set_reachable(true, None);
                tracing::info!(seq, id = %head.doc.id, doc_type = %head.doc.doc_type, "exchange: sent");
                self.emit(match reply {
                    Reply::Document { reply_id, .. } => ExchangeEvent::Sent {
                        outbox_seq: seq,
                        id: head.doc.id.clone(),
                        doc_type: head.doc.doc_type.clone(),
                        doc_ref: head.doc.doc_ref.clone(),
                        reply_id: Some(reply_id),
                    },
                    Reply::Cheque { url, sign } => ExchangeEvent::ChequeRegistered {
                        outbox_seq: seq,
                        id: head.doc.id.clone(),
                        doc_ref: head.doc.doc_ref.clone(),
                        url,
                        sign,
                    },
                });
                self.publish_outbox().await;
                Ok(None)
            }
            Err(e) => {
                self.note_utm_error(&e);
                match &e {
                    UtmError::Rejected { status, message } if (400..500).contains(status) => {
                        self.record_refused(&head, message).await?;
                        Ok(None)
                    }
                    UtmError::Timeout { .. } | UtmError::Malformed { .. } => {
                        // The UTM may have taken it: reconcile instead of resending.
                        self.record_retry(&head, &e.message_ru(), true).await?;
                        Ok(Some(Flow::Retry(self.bump_backoff())))
                    }
                    _ => {
                        self.record_retry(&head, &e.message_ru(), false).await?;
                        Ok(Some(Flow::Retry(self.bump_backoff())))
                    }
                }
            }
        }
    }

    async fn record_retry(
        &self,
        head: &OutboxEntry,
        message: &str,
        unconfirmed: bool,
    ) -> Result<(), EngineError> {
        let seq = head.seq;
        let msg = message.to_string();
        let now = Timestamp::now();
        self.db(move |s| {
            s.write(|tx| {
                if let Some(mut e) = outbox::get(tx, seq)? {
                    e.attempts += 1;
                    e.last_error = Some(msg);
                    e.state = if unconfirmed {
                        OutboxState::Unconfirmed { since: now }
                    } else {
                        OutboxState::Pending
                    };
                    outbox::put(tx, &e)?;
                }
                Ok(())
            })
        })
        .await?;
        self.emit(if unconfirmed {
            ExchangeEvent::Unconfirmed {
                outbox_seq: seq,
                id: head.doc.id.clone(),
            }
        } else {
            ExchangeEvent::SendFailed {
                outbox_seq: seq,
                id: head.doc.id.clone(),
                doc_type: head.doc.doc_type.clone(),
                doc_ref: head.doc.doc_ref.clone(),
                message_ru: message.to_string(),
                will_retry: true,
            }
        });
        self.publish_outbox().await;
        Ok(())
    }

    async fn record_refused(&self, head: &OutboxEntry, message: &str) -> Result<(), EngineError> {
        let seq = head.seq;
        let msg = message.to_string();
        let now = Timestamp::now();
        let handler = self.handler.clone();
        self.db(move |s| {
            s.write(|tx| {
                if let Some(mut e) = outbox::get(tx, seq)? {
                    e.attempts += 1;
                    e.last_error = Some(msg.clone());
                    e.state = OutboxState::Refused {
                        message: msg.clone(),
                        at: now,
                    };
                    outbox::put(tx, &e)?;
                    // The refusal is recorded whatever the handler thinks of it, or the
                    // queue would stay blocked.
                    match handler.refused(tx, &e, &msg) {
                        Ok(()) => {}
                        Err(super::HandlerError::Store(err)) => return Err(err),
                        Err(other) => {
                            tracing::error!(seq, error = %other, "exchange: handler failed on a refusal");
                        }
                    }
                }
                Ok(())
            })
        })
        .await?;
        tracing::warn!(seq, %message, "exchange: UTM refused the document");
        self.emit(ExchangeEvent::SendFailed {
            outbox_seq: seq,
            id: head.doc.id.clone(),
            doc_type: head.doc.doc_type.clone(),
            doc_ref: head.doc.doc_ref.clone(),
            message_ru: format!("УТМ ответил ошибкой: {message}"),
            will_retry: false,
        });
        self.publish_outbox().await;
        Ok(())
    }

    /// One reconciliation check of an entry that may have reached the UTM. Returns true
    /// when the entry is settled (found, or queued again) and the queue may move on.
    async fn reconcile(
        &mut self,
        head: &OutboxEntry,
        since: Timestamp,
    ) -> Result<bool, EngineError> {
        // Legacy cheques never appear in /opt/in; only tickets or the grace period decide.
        let in_queue = if head.doc.doc_type == "Cheque" {
            None
        } else {
            reconcile::find_in_utm_queue(&self.client, head).await?
        };
        let decision =
            reconcile::decide(in_queue, since, Timestamp::now(), self.cfg.reconcile_grace);
        let seq = head.seq;
        let now = Timestamp::now();
        let new_state = match &decision {
            Decision::Wait => return Ok(false),
            Decision::Found { reply_id } => OutboxState::Sent {
                reply_id: reply_id.clone(),
                sign: None,
                at: now,
            },
            Decision::Resend => OutboxState::Pending,
        };
        let changed = self
            .db(move |s| {
                s.write(|tx| {
                    let Some(mut e) = outbox::get(tx, seq)? else {
                        return Ok(false);
                    };
                    if !matches!(
                        e.state,
                        OutboxState::Unconfirmed { .. } | OutboxState::InFlight { .. }
                    ) {
                        return Ok(true);
                    }
                    e.state = new_state;
                    outbox::put(tx, &e)?;
                    Ok(true)
                })
            })
            .await?;
        let found = matches!(decision, Decision::Found { .. });
        tracing::warn!(seq, found, "exchange: reconciled an unconfirmed entry");
        self.emit(ExchangeEvent::Reconciled {
            outbox_seq: seq,
            id: head.doc.id.clone(),
            found,
        });
        self.publish_outbox().await;
        Ok(changed)
    }

    // ---- incoming -------------------------------------------------------------------

    /// Returns whether any outbox entry changed (so the queue should be looked at).
    async fn poll_inbox(&mut self) -> bool {
        let list = match self.client.list_out().await {
            Ok(list) => list,
            Err(e) => {
                self.note_utm_error(&e);
                return false;
            }
        };
        let mut back_online = false;
        self.ch.utm.send_modify(|s| {
            if !s.reachable {
                back_online = true;
                s.reachable = true;
                s.since = Some(Timestamp::now());
                s.last_error = None;
            }
        });
        if back_online {
            // The UTM is back: send now instead of sleeping out the backoff, and check
            // who is listening (the guard was dropped when it went away).
            self.backoff = self.cfg.backoff_min;
            self.next_status = Instant::now();
        }
        let mut changed = back_online;
        for entry in list {
            match self
                .process_incoming(&entry.doc_type, &entry.id, entry.reply_id.as_deref())
                .await
            {
                Ok(c) => changed |= c,
                Err(e) => {
                    tracing::warn!(error = %e, utm_type = %entry.doc_type, id = %entry.id, "exchange: incoming document not processed");
                    if let EngineError::Utm(u) = &e {
                        self.note_utm_error(u);
                        if u.is_connectivity() {
                            break;
                        }
                    }
                }
            }
        }
        changed
    }

    async fn process_incoming(
        &mut self,
        utm_type: &str,
        utm_id: &str,
        reply_id: Option<&str>,
    ) -> Result<bool, EngineError> {
        let raw = self.client.fetch_out(utm_type, utm_id).await?;
        let (t, i, r) = (
            utm_type.to_string(),
            utm_id.to_string(),
            reply_id.map(String::from),
        );
        let now = Timestamp::now();
        // Archived and committed before anything else looks at the bytes.
        let (doc, state) = self
            .db(move |s| {
                s.write(|tx| {
                    let (doc, _) = archive::store_raw(tx, &t, &i, r.as_deref(), &raw, now)?;
                    let state = archive::state_tx(tx, doc.seq)?.unwrap_or(InboxState::Received);
                    Ok((doc, state))
                })
            })
            .await?;
        let changed = if state.is_final() {
            false
        } else {
            self.apply_incoming(doc).await?
        };
        self.client.delete_out(utm_type, utm_id).await?;
        Ok(changed)
    }

    async fn apply_incoming(&mut self, doc: ArchivedDoc) -> Result<bool, EngineError> {
        let envelope = match envelope::peek(&doc.raw) {
            Ok(e) => e,
            Err(err) => {
                self.mark_failed(&doc, err.to_string()).await?;
                return Ok(false);
            }
        };
        let parsed = match xml::parse_document(&doc.raw) {
            Ok(p) => p,
            Err(err) => {
                self.mark_failed(&doc, err.to_string()).await?;
                return Ok(false);
            }
        };
        let handler = self.handler.clone();
        let store = self.store.clone();
        let doc2 = doc.clone();
        let env2 = envelope.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            apply_in_tx(&store, &*handler, &doc2, &env2, &parsed)
        })
        .await
        .map_err(|e| EngineError::Join(e.to_string()))??;
        match outcome {
            ApplyOutcome::Duplicate { of } => {
                tracing::info!(seq = doc.seq, of, "exchange: duplicate incoming document");
                self.emit(ExchangeEvent::Duplicate {
                    archive_seq: doc.seq,
                    of,
                });
                Ok(false)
            }
            ApplyOutcome::Failed(error) => {
                self.mark_failed(&doc, error).await?;
                Ok(false)
            }
            ApplyOutcome::Applied {
                summary,
                answers,
                resolved_unconfirmed,
            } => {
                if let (Some(entry), Some(t)) = (&answers, &envelope.ticket) {
                    let verdict = t.verdict();
                    self.emit(ExchangeEvent::TicketFor {
                        outbox_seq: entry.seq,
                        doc_ref: entry.doc.doc_ref.clone(),
                        doc_type: entry.doc.doc_type.clone(),
                        accepted: verdict.is_some_and(|v| v.accepted),
                        is_final: t.is_final(),
                        comment: verdict.map(|v| v.comment.clone()).unwrap_or_default(),
                    });
                }
                if resolved_unconfirmed && let Some(entry) = &answers {
                    self.emit(ExchangeEvent::Reconciled {
                        outbox_seq: entry.seq,
                        id: entry.doc.id.clone(),
                        found: true,
                    });
                    self.publish_outbox().await;
                }
                self.emit(ExchangeEvent::DocumentReceived {
                    archive_seq: doc.seq,
                    element: envelope.element.clone(),
                    summary,
                    answers: answers.as_ref().map(|e| e.seq),
                });
                Ok(resolved_unconfirmed)
            }
        }
    }

    async fn mark_failed(&self, doc: &ArchivedDoc, error: String) -> Result<(), EngineError> {
        let seq = doc.seq;
        let now = Timestamp::now();
        let e2 = error.clone();
        self.db(move |s| {
            s.write(|tx| archive::set_state(tx, seq, &InboxState::Failed { at: now, error: e2 }))
        })
        .await?;
        tracing::warn!(seq, %error, utm_type = %doc.utm_type, "exchange: incoming document failed");
        self.emit(ExchangeEvent::IncomingFailed {
            archive_seq: seq,
            utm_type: doc.utm_type.clone(),
            error,
        });
        Ok(())
    }
}

/// Dedupe, match, apply and mark — one transaction. A handler error rolls all of it
/// back and the document is marked failed in a transaction of its own.
fn apply_in_tx(
    store: &Store,
    handler: &dyn InboxHandler,
    doc: &ArchivedDoc,
    envelope: &Envelope,
    parsed: &Parsed,
) -> Result<ApplyOutcome, EngineError> {
    let now = Timestamp::now();
    let result = store.write(|tx| -> Result<ApplyOutcome, ApplyError> {
        let mut markers = vec![archive::hash_marker(&doc.sha256)];
        markers.extend(envelope.identity_markers.iter().cloned());
        for m in &markers {
            if let Some(of) = archive::applied_by(tx, m)?
                && of != doc.seq
            {
                archive::set_state(tx, doc.seq, &InboxState::Duplicate { of })?;
                return Ok(ApplyOutcome::Duplicate { of });
            }
        }
        let (answers, resolved_unconfirmed) = match_outbox(tx, doc, envelope, now)?;
        let answers = match answers {
            Some(mut e) => {
                let verdict = envelope.ticket.as_ref().and_then(|t| t.verdict());
                e.tickets.push(TicketNote {
                    at: now,
                    archive_seq: doc.seq,
                    doc_type: envelope.element.clone(),
                    accepted: verdict.map(|v| v.accepted),
                    comment: verdict.map(|v| v.comment.clone()).unwrap_or_default(),
                });
                outbox::put(tx, &e)?;
                Some(e)
            }
            None => None,
        };
        let doc_event = answers.as_ref().and_then(|_| ticket_doc_event(envelope));
        let inbox_doc = InboxDoc {
            archived: doc,
            envelope,
            parsed,
            answers: answers.as_ref(),
            doc_event,
        };
        let applied = handler.apply(tx, &inbox_doc).map_err(|e| match e {
            super::HandlerError::Store(s) => ApplyError::Store(s),
            other => ApplyError::Handler(other.to_string()),
        })?;
        archive::mark_applied(tx, doc.seq, &markers, &applied.summary, now)?;
        Ok(ApplyOutcome::Applied {
            summary: applied.summary,
            answers: answers.map(Box::new),
            resolved_unconfirmed,
        })
    });
    match result {
        Ok(outcome) => Ok(outcome),
        Err(ApplyError::Handler(msg)) => Ok(ApplyOutcome::Failed(msg)),
        Err(ApplyError::Store(e)) => Err(e.into()),
    }
}

/// Finds the outbox entry a document answers: by transport id first, then — for
/// entries whose answer was never recorded — by the ticket's hash or identity.
fn match_outbox(
    tx: &redb::WriteTransaction,
    doc: &ArchivedDoc,
    envelope: &Envelope,
    now: Timestamp,
) -> Result<(Option<OutboxEntry>, bool), StoreError> {
    let ticket_transport = envelope
        .ticket
        .as_ref()
        .and_then(|t| t.transport_id.clone());
    for r in doc.reply_id.iter().chain(ticket_transport.iter()) {
        if let Some(e) = outbox::find_by_reply_id(tx, r)? {
            return Ok((Some(e), false));
        }
    }
    if let Some(t) = &envelope.ticket {
        for mut e in outbox::open_entries_tx(tx)? {
            let uncertain = matches!(
                e.state,
                OutboxState::Unconfirmed { .. } | OutboxState::InFlight { .. }
            );
            if uncertain && reconcile::ticket_matches(&e, t) {
                e.state = OutboxState::Sent {
                    reply_id: ticket_transport.clone().or_else(|| doc.reply_id.clone()),
                    sign: None,
                    at: now,
                };
                outbox::put(tx, &e)?;
                return Ok((Some(e), true));
            }
        }
    }
    Ok((None, false))
}

/// A certificate the UTM itself reports as unusable: EGAIS would refuse everything.
fn cert_problem(info: &UtmInfo, now: Timestamp) -> Option<String> {
    let bad =
        |c: &Option<crate::egais::utm::CertInfo>| c.as_ref().is_some_and(|c| !c.usable_at(now));
    if bad(&info.rsa) {
        Some("Сертификат RSA (ключ доступа к ЕГАИС) в УТМ недействителен или истёк".into())
    } else if bad(&info.gost) {
        Some("Сертификат ГОСТ (подпись) в УТМ недействителен или истёк".into())
    } else {
        None
    }
}
