//! Start-up glue for the application: decide the source once and, for evdev, start
//! the reader task. Terminal mode needs no task: the UI loop puts a
//! [`super::terminal::TermAssembler`] in front of its keymap (worth doing in evdev mode
//! too, so a scanner that is not grabbed still never types into a field).

use tokio::sync::mpsc;

use super::mode::{self, ChosenMode, ModeDecision};
use super::{ScanEvent, ScannerStatus};
use crate::config;

/// Channels of a running evdev reader.
#[derive(Debug)]
pub struct EvdevInput {
    pub scans: mpsc::Receiver<ScanEvent>,
    pub status: mpsc::Receiver<ScannerStatus>,
    pub task: tokio::task::JoinHandle<()>,
}

#[derive(Debug)]
pub struct ScannerInput {
    /// The chosen source and, when the configured one could not be used, why
    /// (show `warning.message_ru()` in the status bar).
    pub decision: ModeDecision,
    /// Present in evdev mode. Dropping `scans` stops the reader.
    pub evdev: Option<EvdevInput>,
}

/// Decides the source for this process and starts what it needs. Call inside a
/// tokio runtime.
pub fn start(cfg: &config::Scanner) -> ScannerInput {
    let decision = mode::choose_for_process(cfg);
    let evdev = match &decision.mode {
        ChosenMode::Terminal => None,
        ChosenMode::Evdev { device } => spawn_evdev(device.clone(), cfg.clone()),
    };
    ScannerInput { decision, evdev }
}

#[cfg(target_os = "linux")]
fn spawn_evdev(device: std::path::PathBuf, cfg: config::Scanner) -> Option<EvdevInput> {
    let (scan_tx, scans) = mpsc::channel(32);
    let (status_tx, status) = mpsc::channel(8);
    let task = super::evdev_reader::spawn(device, cfg, scan_tx, status_tx);
    Some(EvdevInput {
        scans,
        status,
        task,
    })
}

#[cfg(not(target_os = "linux"))]
fn spawn_evdev(_device: std::path::PathBuf, _cfg: config::Scanner) -> Option<EvdevInput> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ScannerMode;

    #[tokio::test]
    async fn terminal_mode_starts_no_reader() {
        let cfg = config::Scanner {
            mode: ScannerMode::Terminal,
            device: Some("/dev/input/event0".into()),
            ..config::Scanner::default()
        };
        let input = start(&cfg);
        assert_eq!(input.decision.mode, ChosenMode::Terminal);
        assert!(input.evdev.is_none());
    }

    #[tokio::test]
    async fn explicit_evdev_with_a_missing_device_falls_back_with_a_warning() {
        let cfg = config::Scanner {
            mode: ScannerMode::Evdev,
            device: Some("/dev/input/by-id/egais-tui-test-no-such-scanner".into()),
            ..config::Scanner::default()
        };
        let input = start(&cfg);
        assert_eq!(input.decision.mode, ChosenMode::Terminal);
        assert!(input.decision.warning.is_some());
        assert!(input.evdev.is_none());
    }
}
