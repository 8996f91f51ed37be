//! Every way a conversation with the UTM can fail, with the text the cashier sees.

/// A failed UTM request. `Display` is English (logs); [`UtmError::message_ru`] is for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UtmError {
    #[error("UTM at {url} is unreachable: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("UTM at {url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    /// The UTM answered with an error status or an `<error>` element.
    #[error("UTM answered with an error (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("UTM FSRAR ID {utm} differs from the configured {configured}")]
    FsrarMismatch { utm: String, configured: String },
    #[error("UTM at {url} gave a malformed reply: {detail}")]
    Malformed { url: String, detail: String },
    #[error("invalid UTM address {url}: {detail}")]
    BadUrl { url: String, detail: String },
}

impl UtmError {
    pub fn message_ru(&self) -> String {
        match self {
            UtmError::Unreachable { url, .. } => format!("УТМ не отвечает по адресу {url}"),
            UtmError::Timeout { url, seconds } => {
                format!("УТМ по адресу {url} не ответил за {seconds} с")
            }
            UtmError::Rejected { message, .. } => format!("УТМ ответил ошибкой: {message}"),
            UtmError::FsrarMismatch { utm, configured } => format!(
                "ФСРАР ID УТМ ({utm}) не совпадает с настройками ({configured}); документы не отправляются"
            ),
            UtmError::Malformed { url, .. } => {
                format!("УТМ по адресу {url} прислал непонятный ответ")
            }
            UtmError::BadUrl { url, .. } => format!("Неверный адрес УТМ в настройках: {url}"),
        }
    }

    /// Whether the request may have reached the UTM and been acted upon. A refused
    /// connection or a bad address certainly did not; a timeout may have.
    pub fn maybe_delivered(&self) -> bool {
        !matches!(
            self,
            UtmError::Unreachable { .. } | UtmError::BadUrl { .. } | UtmError::FsrarMismatch { .. }
        )
    }

    /// Whether the UTM itself is (probably) down, as opposed to refusing this request.
    pub fn is_connectivity(&self) -> bool {
        matches!(
            self,
            UtmError::Unreachable { .. } | UtmError::Timeout { .. }
        )
    }
}
