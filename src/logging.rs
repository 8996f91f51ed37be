//! Logs go to a daily file in the state directory and never to the terminal, which belongs
//! to the TUI. Timestamps are in the shop's zone (Europe/Moscow by default), because that is
//! the time a cashier reports ("it failed at ten past three").

use std::fmt;
use std::path::Path;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Log file names: `egais-tui.YYYY-MM-DD.log` (the date is UTC: tracing-appender rolls at
/// UTC midnight, 03:00 in Moscow).
pub const LOG_PREFIX: &str = "egais-tui";
/// Days of logs kept.
pub const MAX_LOG_FILES: usize = 14;
/// The level when neither `--log-level` nor `RUST_LOG` is given.
pub const DEFAULT_LEVEL: &str = "info";

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("log directory {dir}: {source}")]
    Dir {
        dir: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the log file: {0}")]
    Appender(#[from] tracing_appender::rolling::InitError),
    #[error("invalid log filter {value:?} (from {origin}): {detail}")]
    Filter {
        value: String,
        origin: &'static str,
        detail: String,
    },
    #[error("unknown time zone {0:?} for log timestamps")]
    TimeZone(String),
    #[error("logging is already initialised")]
    AlreadyInitialised,
}

impl LoggingError {
    /// Whether the user gave a bad value (exit code 2) rather than the system failing.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            LoggingError::Filter { .. } | LoggingError::TimeZone(_)
        )
    }
}

/// Formats event timestamps in a configured zone, e.g. `2026-11-26T11:15:02.123+03:00`.
#[derive(Debug, Clone)]
pub struct ZonedTime(jiff::tz::TimeZone);

impl ZonedTime {
    pub fn new(timezone: &str) -> Result<ZonedTime, LoggingError> {
        jiff::tz::TimeZone::get(timezone)
            .map(ZonedTime)
            .map_err(|_| LoggingError::TimeZone(timezone.to_string()))
    }

    fn format(&self, at: jiff::Timestamp) -> String {
        at.to_zoned_datetime(self.0.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string()
    }
}

impl FormatTime for ZonedTime {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        w.write_str(&self.format(jiff::Timestamp::now()))
    }
}

/// The filter in force: `RUST_LOG` when set and not empty (a developer's override wins),
/// else `--log-level`, else [`DEFAULT_LEVEL`]. Accepts levels (`debug`) and directives
/// (`egais_tui::egais=trace,info`).
pub fn filter_for(
    cli_level: Option<&str>,
    rust_log: Option<&str>,
) -> Result<EnvFilter, LoggingError> {
    let (value, origin) = match (rust_log.filter(|v| !v.trim().is_empty()), cli_level) {
        (Some(env), _) => (env, "RUST_LOG"),
        (None, Some(cli)) => (cli, "--log-level"),
        (None, None) => (DEFAULT_LEVEL, "the default"),
    };
    EnvFilter::try_new(value).map_err(|e| LoggingError::Filter {
        value: value.to_string(),
        origin,
        detail: e.to_string(),
    })
}

/// Opens the daily log in `state_dir` and installs the global subscriber. Keep the returned
/// guard alive until exit: dropping it flushes the lines still queued for the writer thread.
pub fn init(
    state_dir: &Path,
    cli_level: Option<&str>,
    timezone: &str,
) -> Result<WorkerGuard, LoggingError> {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = filter_for(cli_level, rust_log.as_deref())?;
    let (subscriber, guard) = build(state_dir, filter, ZonedTime::new(timezone)?)?;
    subscriber
        .try_init()
        .map_err(|_| LoggingError::AlreadyInitialised)?;
    Ok(guard)
}

/// The subscriber without installing it, so tests can scope it with `with_default`.
pub fn build(
    state_dir: &Path,
    filter: EnvFilter,
    time: ZonedTime,
) -> Result<
    (
        impl tracing::Subscriber + Send + Sync + 'static,
        WorkerGuard,
    ),
    LoggingError,
> {
    crate::store::create_private_dir(state_dir).map_err(|source| LoggingError::Dir {
        dir: state_dir.to_path_buf(),
        source,
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_PREFIX)
        .filename_suffix("log")
        .max_log_files(MAX_LOG_FILES)
        .build(state_dir)?;
    // Lossless: a log line that says what was sent to EGAIS is worth a blocked writer.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("egais-tui-log")
        .finish(appender);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_timer(time)
        .with_target(true);
    Ok((
        tracing_subscriber::registry().with(filter).with(layer),
        guard,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_wins_over_the_flag() {
        let f = filter_for(Some("warn"), Some("debug")).unwrap();
        assert_eq!(f.to_string(), "debug");
        let f = filter_for(Some("warn"), Some("  ")).unwrap();
        assert_eq!(f.to_string(), "warn");
        let f = filter_for(None, None).unwrap();
        assert_eq!(f.to_string(), "info");
    }

    #[test]
    fn a_bad_filter_names_its_origin() {
        let e = filter_for(Some("egais_tui=loud"), None).unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("--log-level"), "{e}");
        let e = filter_for(None, Some("=[")).unwrap_err();
        assert!(e.to_string().contains("RUST_LOG"), "{e}");
    }

    #[test]
    fn timestamps_are_in_the_configured_zone() {
        let t = ZonedTime::new("Europe/Moscow").unwrap();
        let at: jiff::Timestamp = "2026-11-26T08:15:02.5Z".parse().unwrap();
        assert_eq!(t.format(at), "2026-11-26T11:15:02.500+03:00");
        assert!(ZonedTime::new("Mars/Olympus").is_err());
    }

    #[test]
    fn writes_a_daily_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let (subscriber, guard) = build(
            &state,
            EnvFilter::new("info"),
            ZonedTime::new("Europe/Moscow").unwrap(),
        )
        .unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(doc = "WayBill_v4", "received a document");
            tracing::debug!("filtered out");
        });
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].starts_with("egais-tui.") && files[0].ends_with(".log"));
        let text = std::fs::read_to_string(state.join(&files[0])).unwrap();
        assert!(text.contains("received a document"), "{text}");
        assert!(text.contains("+03:00"), "{text}");
        assert!(!text.contains("filtered out"));
        assert!(!text.contains('\u{1b}'), "no ANSI colours in the file");
    }
}
