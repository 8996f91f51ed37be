//! The EGAIS protocol: XML documents, the UTM HTTP client, the exchange engine
//! (outbox and inbox) and the UTM simulator.

pub mod acceptance;
pub mod exchange;
pub mod inspect;
pub mod sim;
pub mod status;
pub mod utm;
pub mod xml;
