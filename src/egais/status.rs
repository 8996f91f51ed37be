//! What the status bar shows about the UTM and the outbox. Produced by the exchange
//! engine, drawn by the TUI; plain data so both sides can be tested alone.

use jiff::Timestamp;

/// The latest known health of the UTM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UtmStatus {
    /// Whether the last request reached the UTM.
    pub reachable: bool,
    /// When `reachable` last changed.
    pub since: Option<Timestamp>,
    /// FSRAR ID of the RSA key in the UTM.
    pub utm_fsrar_id: Option<String>,
    /// Set when the UTM's FSRAR ID differs from the configured one: nothing is sent then.
    pub fsrar_mismatch: Option<String>,
    pub version: Option<String>,
    /// "prod" or "test".
    pub contour: Option<String>,
    pub rsa_expires: Option<Timestamp>,
    pub gost_expires: Option<Timestamp>,
    /// The UTM's own record of its oldest unsent cheque (`checkInfo`), as it wrote it.
    pub oldest_unsent_cheque: Option<String>,
    /// Russian text of the last failure, for the status bar.
    pub last_error: Option<String>,
}

/// The shop's own outgoing queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStatus {
    pub pending: usize,
    pub oldest_pending: Option<Timestamp>,
}
