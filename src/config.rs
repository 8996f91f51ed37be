//! The configuration file: TOML, `/etc/egais-tui/config.toml` overlaid by
//! `$XDG_CONFIG_HOME/egais-tui/config.toml` (or `--config FILE`).
//! Every section denies unknown fields so that a typo is an error, not a silent default.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub organisation: Organisation,
    pub till: Till,
    pub utm: Utm,
    pub scanner: Scanner,
    pub printer: Printer,
    pub ui: Ui,
    pub journal: Journal,
}

/// The shop as EGAIS knows it. Printed on slips and in the journal header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organisation {
    /// 12-digit participant id (ФСРАР ID), the CN of the RSA key in the UTM.
    pub fsrar_id: String,
    pub inn: String,
    pub kpp: String,
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Till {
    pub number: u32,
    pub outlet: String,
}

impl Default for Till {
    fn default() -> Self {
        Till {
            number: 1,
            outlet: String::new(),
        }
    }
}

/// Which cheque format goes to the UTM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChequeFormat {
    /// The attribute `<Cheque>` posted to `/xml`.
    #[default]
    Xml,
    /// `ChequeV3` in the envelope, posted to `/opt/in/ChequeV3`.
    ChequeV3,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Utm {
    pub url: String,
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub poll_interval_s: u64,
    pub cheque_format: ChequeFormat,
    /// The "once an hour" limit on stock queries is not confirmed by any source
    /// (PROTOCOL.md §6), so it is a setting.
    pub stock_query_min_interval_s: u64,
}

impl Default for Utm {
    fn default() -> Self {
        Utm {
            url: "http://127.0.0.1:8080".into(),
            connect_timeout_ms: 3000,
            request_timeout_ms: 15000,
            poll_interval_s: 10,
            cheque_format: ChequeFormat::Xml,
            stock_query_min_interval_s: 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScannerMode {
    /// evdev when a device is configured and this is not an SSH session; terminal otherwise.
    #[default]
    Auto,
    Evdev,
    Terminal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scanner {
    pub mode: ScannerMode,
    pub device: Option<PathBuf>,
    /// Keys the scanner sends for the GS (0x1D) separator.
    pub gs_keys: Vec<String>,
    /// Alt + keypad decimal codes (Alt+0,2,9 for GS).
    pub alt_codes: bool,
    /// A key the scanner is programmed to send before every code, e.g. "f12".
    pub prefix: Option<String>,
    pub burst_min_chars: usize,
    pub burst_max_gap_ms: u64,
    pub holdback_ms: u64,
    /// A scan without a terminator ends after this much silence.
    pub timeout_ms: u64,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            mode: ScannerMode::Auto,
            device: None,
            gs_keys: vec!["ctrl+]".into(), "ctrl+5".into(), "f8".into()],
            alt_codes: true,
            prefix: None,
            burst_min_chars: 8,
            burst_max_gap_ms: 35,
            holdback_ms: 40,
            timeout_ms: 300,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Printer {
    /// ESC/POS device (`/dev/usb/lp0`); none means slips are shown on screen only.
    pub device: Option<PathBuf>,
    pub width_chars: u16,
    pub codepage: String,
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            device: None,
            width_chars: 42,
            codepage: "cp866".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ui {
    /// Built-in theme name: default, high-contrast, mono.
    pub theme: String,
    /// A user keymap file overlaid on the embedded default.
    pub keymap: Option<PathBuf>,
    /// A user theme file overlaid on the chosen built-in theme.
    pub theme_file: Option<PathBuf>,
    pub timezone: String,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            theme: "default".into(),
            keymap: None,
            theme_file: None,
            timezone: "Europe/Moscow".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Journal {
    /// Catering (HoReCa): draught and bulk goods enter the journal when the container is opened.
    pub catering: bool,
}

/// Where the program keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The database and the raw document archive.
    pub data_dir: PathBuf,
    /// Logs and crash reports.
    pub state_dir: PathBuf,
    /// The user config file that was read, if any.
    pub config_file: Option<PathBuf>,
}
