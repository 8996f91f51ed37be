//! What the exchange engine's news means for the Приёмка pane. The app's wiring forwards
//! these messages into the loop (`Feeds::events`), so an invoice arriving, a ticket
//! changing one or EGAIS's list of unanswered invoices shows up while the pane is open.

use crate::egais::acceptance::AcceptanceInbox;
use crate::egais::exchange::ExchangeEvent;
use crate::tui::app::Msg;

/// The message for the loop, if the event concerns acceptance.
pub fn exchange_msg(ev: &ExchangeEvent) -> Option<Msg> {
    match ev {
        ExchangeEvent::DocumentReceived { element, .. } if AcceptanceInbox::handles(element) => {
            Some(Msg::DataChanged)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_acceptance_documents_reload_the_pane() {
        let doc = |element: &str| ExchangeEvent::DocumentReceived {
            archive_seq: 1,
            element: element.into(),
            summary: String::new(),
            answers: None,
        };
        assert!(exchange_msg(&doc("WayBill_v4")).is_some());
        assert!(exchange_msg(&doc("ConfirmTicket")).is_some());
        assert!(exchange_msg(&doc("ReplyRestsShop_v2")).is_none());
    }
}
