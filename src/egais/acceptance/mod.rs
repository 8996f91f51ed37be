//! Acceptance of supplier invoices over EGAIS: converting the XML documents into the
//! acceptance domain, applying incoming ones ([`inbox::AcceptanceInbox`]) and running the
//! Приёмка pane's actions ([`service::AcceptanceService`]).

pub mod convert;
pub mod inbox;
pub mod service;

pub use inbox::AcceptanceInbox;
pub use service::AcceptanceService;
