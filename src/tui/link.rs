//! Connecting the outside world to the loop: the exchange engine's events and status,
//! and the scanner's evdev reader. What each event means to the cashier is decided here.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::app::{Msg, Note};
use super::effects::Feeds;
use super::widgets::toast::Level;
use crate::egais::exchange::{ExchangeEvent, ExchangeHandle};
use crate::scanner::ScannerStatus;
use crate::scanner::start::ScannerInput;

impl Feeds {
    /// Status, events and "check now" from a running exchange engine. The handle keeps
    /// its task (shut it down when the TUI returns); its event receiver moves here.
    pub fn with_exchange(mut self, handle: &mut ExchangeHandle) -> Feeds {
        let (_, closed) = mpsc::channel(1);
        self.exchange = Some(std::mem::replace(&mut handle.events, closed));
        self.utm = Some(handle.utm_status.clone());
        self.outbox = Some(handle.outbox_status.clone());
        let control = handle.control.clone();
        self.utm_probe = Some(Arc::new(move || control.poll_now()));
        let control = handle.control.clone();
        self.exchange_wake = Some(Arc::new(move || control.wake()));
        self
    }

    /// Scans and reader state from the scanner's start-up glue; its warning (the
    /// configured source could not be used) is shown on the first screen.
    pub fn with_scanner(mut self, input: ScannerInput) -> Feeds {
        if let Some(w) = &input.decision.warning {
            self.startup_notes.push(Note {
                level: Level::Warn,
                text: crate::text::sanitize(&w.message_ru()).into_owned(),
                needs_ack: true,
            });
        }
        if let Some(evdev) = input.evdev {
            self.scans = Some(evdev.scans);
            self.scanner_status = Some(evdev.status);
        }
        self
    }
}

/// What an exchange event means on screen. Refusals and documents that could not be read
/// stay until acknowledged; arrivals refresh the lists.
pub fn exchange_msgs(ev: ExchangeEvent) -> Vec<Msg> {
    let note = |level, text: String, needs_ack| {
        Msg::Note(Note {
            level,
            text,
            needs_ack,
        })
    };
    match ev {
        ExchangeEvent::DocumentReceived { summary, .. } => vec![
            Msg::DataChanged,
            note(Level::Info, format!("Из ЕГАИС: {summary}"), false),
        ],
        ExchangeEvent::TicketFor {
            accepted: false,
            doc_type,
            comment,
            ..
        } => vec![
            Msg::DataChanged,
            note(
                Level::Error,
                format!("ЕГАИС отклонил {doc_type}: {comment}"),
                true,
            ),
        ],
        ExchangeEvent::TicketFor { .. } => vec![Msg::DataChanged],
        ExchangeEvent::SendFailed {
            doc_type,
            message_ru,
            will_retry: false,
            ..
        } => vec![note(
            Level::Error,
            format!("{doc_type} не принят УТМ: {message_ru}"),
            true,
        )],
        ExchangeEvent::IncomingFailed {
            utm_type, error, ..
        } => vec![note(
            Level::Error,
            format!("Документ {utm_type} из УТМ не разобран ({error}); он сохранён в архиве"),
            true,
        )],
        // Retries show in the outbox counter; the rest is bookkeeping of the engine.
        ExchangeEvent::SendFailed { .. }
        | ExchangeEvent::Sent { .. }
        | ExchangeEvent::ChequeRegistered { .. }
        | ExchangeEvent::Unconfirmed { .. }
        | ExchangeEvent::Reconciled { .. }
        | ExchangeEvent::Duplicate { .. } => Vec::new(),
    }
}

/// What the evdev reader's state means on screen.
pub fn scanner_msg(status: ScannerStatus) -> Msg {
    let (level, needs_ack) = match &status {
        ScannerStatus::Connected { .. } => (Level::Ok, false),
        ScannerStatus::Disconnected { .. } | ScannerStatus::FellBack(_) => (Level::Warn, true),
        ScannerStatus::NoPermission { .. } | ScannerStatus::Failed { .. } => (Level::Error, true),
    };
    let text = crate::text::sanitize(&status.message_ru()).into_owned();
    Msg::Note(Note {
        level,
        text: format!("Сканер: {text}"),
        needs_ack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn refusals_need_acknowledgement_arrivals_refresh() {
        let msgs = exchange_msgs(ExchangeEvent::TicketFor {
            outbox_seq: 1,
            doc_ref: None,
            doc_type: "WayBillAct_v4".into(),
            accepted: false,
            is_final: true,
            comment: "повторный акт".into(),
        });
        assert_eq!(msgs[0], Msg::DataChanged);
        assert!(
            matches!(&msgs[1], Msg::Note(n) if n.needs_ack && n.text.contains("повторный акт"))
        );
        let msgs = exchange_msgs(ExchangeEvent::DocumentReceived {
            archive_seq: 1,
            element: "WayBill_v4".into(),
            summary: "ТТН-1 от ООО «Винторг»".into(),
            answers: None,
        });
        assert_eq!(msgs[0], Msg::DataChanged);
        assert!(matches!(&msgs[1], Msg::Note(n) if !n.needs_ack));
        assert!(
            exchange_msgs(ExchangeEvent::Duplicate {
                archive_seq: 2,
                of: 1
            })
            .is_empty()
        );
    }

    #[test]
    fn scanner_problems_stay_on_screen() {
        let m = scanner_msg(ScannerStatus::NoPermission {
            device: PathBuf::from("/dev/input/event3"),
        });
        assert!(matches!(m, Msg::Note(n) if n.needs_ack && n.level == Level::Error));
        let m = scanner_msg(ScannerStatus::Connected {
            device: PathBuf::from("/dev/input/event3"),
            name: "Scanner".into(),
        });
        assert!(matches!(m, Msg::Note(n) if !n.needs_ack));
    }
}
