//! The life of every document the shop exchanges with EGAIS, in one place:
//! New → Under review → Archive, with a rejection shown in red with its reason.
//!
//! Every state change in the program goes through [`DocState::apply`], so an illegal
//! transition (rejecting an archived invoice, confirming a document never sent) is refused
//! here and nowhere else.

use serde::{Deserialize, Serialize};

/// Where a document stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocState {
    /// Received or drafted; the shop must act on it.
    New,
    /// Sent to EGAIS (or answered by the shop); waiting for a ticket or the partner's answer.
    UnderReview,
    /// Finished: confirmed by EGAIS, or closed by the shop.
    Archive,
    /// EGAIS or the partner refused it; the reason is shown in red. The shop can correct
    /// and send again, or close it.
    Rejected { reason: String },
}

/// What happened to a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocEvent {
    /// The shop's answer or the document itself went to the outbox.
    Sent,
    /// EGAIS or the partner confirmed it.
    Confirmed,
    /// EGAIS or the partner refused it.
    Refused { reason: String },
    /// The shop closes a rejected document without sending anything more.
    Closed,
}

/// A refused transition, with a message a cashier understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransitionError {
    pub from: DocState,
    pub event: DocEvent,
    pub message: String,
}

impl DocState {
    /// The single place where transitions are allowed or refused.
    pub fn apply(&self, event: &DocEvent) -> Result<DocState, TransitionError> {
        use DocEvent as E;
        use DocState as S;
        let next = match (self, event) {
            (S::New, E::Sent) => Some(S::UnderReview),
            (S::UnderReview, E::Confirmed) => Some(S::Archive),
            (S::UnderReview, E::Refused { reason }) => Some(S::Rejected {
                reason: reason.clone(),
            }),
            (S::Rejected { .. }, E::Sent) => Some(S::UnderReview),
            (S::Rejected { .. }, E::Closed) => Some(S::Archive),
            _ => None,
        };
        next.ok_or_else(|| TransitionError {
            from: self.clone(),
            event: event.clone(),
            message: refusal_message(self, event),
        })
    }

    pub fn label_ru(&self) -> &'static str {
        match self {
            DocState::New => "Новый",
            DocState::UnderReview => "На рассмотрении",
            DocState::Archive => "Архив",
            DocState::Rejected { .. } => "Отклонён",
        }
    }

    /// The list a document is shown in: rejected documents stay in "Under review",
    /// in red, because they still need the shop's action.
    pub fn list(&self) -> DocList {
        match self {
            DocState::New => DocList::New,
            DocState::UnderReview | DocState::Rejected { .. } => DocList::UnderReview,
            DocState::Archive => DocList::Archive,
        }
    }

    pub fn is_rejected(&self) -> bool {
        matches!(self, DocState::Rejected { .. })
    }
}

/// The three lists of every document pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocList {
    New,
    UnderReview,
    Archive,
}

impl DocList {
    pub const ALL: [DocList; 3] = [DocList::New, DocList::UnderReview, DocList::Archive];

    pub fn label_ru(self) -> &'static str {
        match self {
            DocList::New => "Новые",
            DocList::UnderReview => "На рассмотрении",
            DocList::Archive => "Архив",
        }
    }
}

fn refusal_message(from: &DocState, event: &DocEvent) -> String {
    let action = match event {
        DocEvent::Sent => "отправить",
        DocEvent::Confirmed => "подтвердить",
        DocEvent::Refused { .. } => "отклонить",
        DocEvent::Closed => "закрыть",
    };
    let hint = match from {
        DocState::Archive => "документ уже в архиве",
        DocState::UnderReview => "документ ждёт ответа ЕГАИС",
        DocState::New => "документ ещё не отправлен",
        DocState::Rejected { .. } => "документ отклонён: исправьте и отправьте снова или закройте",
    };
    format!("Нельзя {action}: {hint}.")
}

/// One line of a document's history: when it changed and to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: jiff::Timestamp,
    pub state: DocState,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states() -> Vec<DocState> {
        vec![
            DocState::New,
            DocState::UnderReview,
            DocState::Archive,
            DocState::Rejected {
                reason: "нет остатка".into(),
            },
        ]
    }

    fn events() -> Vec<DocEvent> {
        vec![
            DocEvent::Sent,
            DocEvent::Confirmed,
            DocEvent::Refused {
                reason: "повторный акт".into(),
            },
            DocEvent::Closed,
        ]
    }

    #[test]
    fn the_happy_path() {
        let s = DocState::New.apply(&DocEvent::Sent).unwrap();
        assert_eq!(s, DocState::UnderReview);
        assert_eq!(s.apply(&DocEvent::Confirmed).unwrap(), DocState::Archive);
    }

    #[test]
    fn rejection_keeps_reason_and_can_be_resent() {
        let s = DocState::UnderReview
            .apply(&DocEvent::Refused {
                reason: "марка не на балансе".into(),
            })
            .unwrap();
        assert_eq!(
            s,
            DocState::Rejected {
                reason: "марка не на балансе".into()
            }
        );
        assert_eq!(s.list(), DocList::UnderReview);
        assert_eq!(s.apply(&DocEvent::Sent).unwrap(), DocState::UnderReview);
        assert_eq!(s.apply(&DocEvent::Closed).unwrap(), DocState::Archive);
    }

    #[test]
    fn every_other_transition_is_refused() {
        let allowed = [
            (0usize, 0usize), // New + Sent
            (1, 1),           // UnderReview + Confirmed
            (1, 2),           // UnderReview + Refused
            (3, 0),           // Rejected + Sent
            (3, 3),           // Rejected + Closed
        ];
        for (si, s) in states().iter().enumerate() {
            for (ei, e) in events().iter().enumerate() {
                let result = s.apply(e);
                if allowed.contains(&(si, ei)) {
                    assert!(result.is_ok(), "{s:?} + {e:?} must be allowed");
                } else {
                    let err = result.expect_err("illegal transition accepted");
                    assert_eq!(&err.from, s);
                    assert!(err.message.starts_with("Нельзя"), "{}", err.message);
                }
            }
        }
    }

    #[test]
    fn archive_is_final() {
        for e in events() {
            let err = DocState::Archive.apply(&e).unwrap_err();
            assert!(err.message.contains("архиве"));
        }
    }
}
