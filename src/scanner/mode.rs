//! Which scanner source to use, decided once at start-up by a pure function of the
//! session environment, the config and a probe of the device.

use std::path::{Path, PathBuf};

use crate::config::{self, ScannerMode};

/// What matters about the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionEnv {
    /// `SSH_CONNECTION` or `SSH_TTY` is set: the scanner is on the client side and
    /// only its keystrokes reach us.
    pub ssh: bool,
}

impl SessionEnv {
    pub fn from_process() -> Self {
        Self::from_vars(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    }

    pub fn from_vars(is_set: impl Fn(&str) -> bool) -> Self {
        SessionEnv {
            ssh: is_set("SSH_CONNECTION") || is_set("SSH_TTY"),
        }
    }
}

/// The outcome of trying to open the configured device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Ok,
    NotFound,
    NoPermission,
    Failed(String),
}

/// The source chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenMode {
    Evdev { device: PathBuf },
    Terminal,
}

/// Why the configured evdev source is not used; shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeWarning {
    /// `mode = "evdev"` but no `device` configured.
    NoDeviceConfigured,
    DeviceNotFound {
        device: PathBuf,
    },
    NoPermission {
        device: PathBuf,
    },
    DeviceFailed {
        device: PathBuf,
        error: String,
    },
}

impl ModeWarning {
    pub fn message_ru(&self) -> String {
        let tail = "сканер читается из терминала";
        match self {
            ModeWarning::NoDeviceConfigured => {
                format!("в настройках сканера не указан device — {tail}")
            }
            ModeWarning::DeviceNotFound { device } => {
                format!("сканер {} не найден — {tail}", device.display())
            }
            ModeWarning::NoPermission { device } => {
                format!("{} — пока {tail}", super::no_permission_ru(device))
            }
            ModeWarning::DeviceFailed { device, error } => {
                format!("сканер {}: {error} — {tail}", device.display())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeDecision {
    pub mode: ChosenMode,
    pub warning: Option<ModeWarning>,
}

/// Decides the source. `auto`: terminal over SSH or without a device, evdev when the
/// device opens, terminal with a warning when it does not. `evdev`: the device even
/// over SSH (the scanner may be plugged into this machine), terminal with a warning
/// when it cannot be used. `terminal`: always terminal. `probe` is called only when
/// the device is actually considered.
pub fn choose(
    env: &SessionEnv,
    cfg: &config::Scanner,
    probe: impl FnOnce(&Path) -> Probe,
) -> ModeDecision {
    let terminal = |warning| ModeDecision {
        mode: ChosenMode::Terminal,
        warning,
    };
    match cfg.mode {
        ScannerMode::Terminal => terminal(None),
        ScannerMode::Auto if env.ssh => terminal(None),
        ScannerMode::Auto | ScannerMode::Evdev => {
            let Some(device) = cfg.device.clone() else {
                return terminal(
                    (cfg.mode == ScannerMode::Evdev).then_some(ModeWarning::NoDeviceConfigured),
                );
            };
            match probe(&device) {
                Probe::Ok => ModeDecision {
                    mode: ChosenMode::Evdev { device },
                    warning: None,
                },
                Probe::NotFound => terminal(Some(ModeWarning::DeviceNotFound { device })),
                Probe::NoPermission => terminal(Some(ModeWarning::NoPermission { device })),
                Probe::Failed(error) => terminal(Some(ModeWarning::DeviceFailed { device, error })),
            }
        }
    }
}

/// Classifies an I/O error from opening a device.
pub fn probe_from_io(err: &std::io::Error) -> Probe {
    match err.kind() {
        std::io::ErrorKind::NotFound => Probe::NotFound,
        std::io::ErrorKind::PermissionDenied => Probe::NoPermission,
        _ => Probe::Failed(err.to_string()),
    }
}

/// Opens the device once to see whether it can be used (Linux only).
pub fn probe_device(path: &Path) -> Probe {
    #[cfg(target_os = "linux")]
    {
        match evdev::Device::open(path) {
            Ok(_) => Probe::Ok,
            Err(e) => probe_from_io(&e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        Probe::Failed("evdev есть только в Linux".to_string())
    }
}

/// The decision for this process: real environment, real device.
pub fn choose_for_process(cfg: &config::Scanner) -> ModeDecision {
    choose(&SessionEnv::from_process(), cfg, probe_device)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: ScannerMode, device: Option<&str>) -> config::Scanner {
        config::Scanner {
            mode,
            device: device.map(PathBuf::from),
            ..config::Scanner::default()
        }
    }

    const DEV: &str = "/dev/input/by-id/usb-Scanner-event-kbd";
    const LOCAL: SessionEnv = SessionEnv { ssh: false };
    const SSH: SessionEnv = SessionEnv { ssh: true };

    fn never(_: &Path) -> Probe {
        panic!("the device must not be probed here")
    }

    #[test]
    fn ssh_variables_mean_ssh() {
        assert!(SessionEnv::from_vars(|n| n == "SSH_CONNECTION").ssh);
        assert!(SessionEnv::from_vars(|n| n == "SSH_TTY").ssh);
        assert!(!SessionEnv::from_vars(|_| false).ssh);
    }

    #[test]
    fn auto_over_ssh_is_terminal_without_probing() {
        let d = choose(&SSH, &cfg(ScannerMode::Auto, Some(DEV)), never);
        assert_eq!(d.mode, ChosenMode::Terminal);
        assert_eq!(d.warning, None);
    }

    #[test]
    fn auto_without_device_is_terminal_quietly() {
        let d = choose(&LOCAL, &cfg(ScannerMode::Auto, None), never);
        assert_eq!(d.mode, ChosenMode::Terminal);
        assert_eq!(d.warning, None);
    }

    #[test]
    fn auto_with_a_working_device_is_evdev() {
        let d = choose(&LOCAL, &cfg(ScannerMode::Auto, Some(DEV)), |_| Probe::Ok);
        assert_eq!(d.mode, ChosenMode::Evdev { device: DEV.into() });
        assert_eq!(d.warning, None);
    }

    #[test]
    fn auto_falls_back_with_a_warning_naming_the_fix() {
        let d = choose(&LOCAL, &cfg(ScannerMode::Auto, Some(DEV)), |_| {
            Probe::NoPermission
        });
        assert_eq!(d.mode, ChosenMode::Terminal);
        let w = d.warning.expect("a warning");
        assert!(w.message_ru().contains("99-egais-tui-scanner.rules"));
        assert!(w.message_ru().contains("группу egais"));
        let d = choose(&LOCAL, &cfg(ScannerMode::Auto, Some(DEV)), |_| {
            Probe::NotFound
        });
        assert_eq!(
            d.warning,
            Some(ModeWarning::DeviceNotFound { device: DEV.into() })
        );
    }

    #[test]
    fn explicit_evdev_is_tried_even_over_ssh() {
        let d = choose(&SSH, &cfg(ScannerMode::Evdev, Some(DEV)), |_| Probe::Ok);
        assert!(matches!(d.mode, ChosenMode::Evdev { .. }));
        let d = choose(&SSH, &cfg(ScannerMode::Evdev, None), never);
        assert_eq!(d.warning, Some(ModeWarning::NoDeviceConfigured));
    }

    #[test]
    fn explicit_terminal_never_probes() {
        let d = choose(&LOCAL, &cfg(ScannerMode::Terminal, Some(DEV)), never);
        assert_eq!(d.mode, ChosenMode::Terminal);
        assert_eq!(d.warning, None);
    }

    #[test]
    fn io_errors_map_to_probes() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            probe_from_io(&Error::from(ErrorKind::PermissionDenied)),
            Probe::NoPermission
        );
        assert_eq!(
            probe_from_io(&Error::from(ErrorKind::NotFound)),
            Probe::NotFound
        );
    }
}
