//! The configuration file: TOML, `/etc/egais-tui/config.toml` overlaid by
//! `$XDG_CONFIG_HOME/egais-tui/config.toml` (or `--config FILE`).
//! Every section denies unknown fields so that a typo is an error, not a silent default.
//!
//! Each file is parsed and checked on its own, so an error names that file, line and column;
//! then the files' TOML tables are deep-merged (later files win key by key) and the merged
//! table is deserialized into [`Config`].

mod error;
mod paths;
pub mod validate;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::ConfigError;
pub use paths::{APP_DIR, Paths, PathsError};

/// The machine-wide file, read first.
pub const SYSTEM_CONFIG: &str = "/etc/egais-tui/config.toml";

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
    pub acceptance: Acceptance,
}

/// The shop as EGAIS knows it. Printed on slips and in the journal header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organisation {
    /// 12-digit participant id (ФСРАР ID), the CN of the RSA key in the UTM.
    #[serde(deserialize_with = "validate::de_fsrar_id")]
    pub fsrar_id: String,
    #[serde(deserialize_with = "validate::de_inn")]
    pub inn: String,
    #[serde(deserialize_with = "validate::de_kpp")]
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
    #[serde(deserialize_with = "validate::de_utm_url")]
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

/// The name the scanner stream's contract uses for this section.
pub type ScannerSection = Scanner;

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
    #[serde(deserialize_with = "validate::de_theme")]
    pub theme: String,
    /// A user keymap file overlaid on the embedded default.
    pub keymap: Option<PathBuf>,
    /// A user theme file overlaid on the chosen built-in theme.
    pub theme_file: Option<PathBuf>,
    /// IANA zone for dates on screen, in documents and in log timestamps.
    #[serde(deserialize_with = "validate::de_timezone")]
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

/// Acceptance of supplier invoices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Acceptance {
    /// "Сканировать штрихкоды для приемки": after an invoice is accepted, ask for the EAN-13
    /// of every product without one (scan, type or skip).
    pub scan_barcodes_on_acceptance: bool,
    /// Public holidays on weekdays (ISO dates): the answer to an invoice is due on the next
    /// working day, so these push the deadline.
    pub holidays: Vec<String>,
    /// Saturdays or Sundays made working days by a transfer decree.
    pub extra_workdays: Vec<String>,
}

/// The files to read, in order (later ones override earlier ones key by key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSources {
    pub files: Vec<PathBuf>,
    /// Given with `--config`: a missing file is an error, not "use the defaults".
    pub explicit: bool,
}

impl ConfigSources {
    /// `--config FILE` alone, or `/etc/egais-tui/config.toml` then the user's XDG file.
    pub fn discover(explicit: Option<&Path>) -> ConfigSources {
        match explicit {
            Some(f) => ConfigSources {
                files: vec![f.to_path_buf()],
                explicit: true,
            },
            None => ConfigSources {
                files: std::iter::once(PathBuf::from(SYSTEM_CONFIG))
                    .chain(Paths::user_config_file())
                    .collect(),
                explicit: false,
            },
        }
    }
}

/// A configuration and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedConfig {
    pub config: Config,
    /// The files that existed and were read, in order.
    pub files: Vec<PathBuf>,
    /// Every file that was looked for.
    pub searched: Vec<PathBuf>,
}

impl LoadedConfig {
    /// The most specific file read (`--config` or the user's), for [`Paths::config_file`].
    pub fn user_file(&self) -> Option<PathBuf> {
        self.files
            .iter()
            .rev()
            .find(|f| f.as_path() != Path::new(SYSTEM_CONFIG))
            .cloned()
    }
}

impl Config {
    /// Loads the layered configuration; the first problem found is the error.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_all(explicit)
            .map(|l| l.config)
            .map_err(first_error)
    }

    /// Loads the layered configuration, reporting every file's problem (`config check`).
    pub fn load_all(explicit: Option<&Path>) -> Result<LoadedConfig, Vec<ConfigError>> {
        Config::load_sources(&ConfigSources::discover(explicit))
    }

    pub fn load_sources(sources: &ConfigSources) -> Result<LoadedConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut merged = toml::Table::new();
        let mut files = Vec::new();
        for file in &sources.files {
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !sources.explicit => {
                    continue;
                }
                Err(e) => {
                    errors.push(ConfigError::plain(
                        Some(file),
                        format!("cannot read the file: {e}"),
                        error::IO_HINT,
                    ));
                    continue;
                }
            };
            match parse_file(file, &text) {
                Ok(table) => {
                    merge_tables(&mut merged, table);
                    files.push(file.clone());
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Every file passed on its own; the merge of valid tables is valid too, but keep the
        // error path rather than trust that.
        let config = Config::deserialize(toml::Value::Table(merged)).map_err(|e| {
            vec![ConfigError::plain(
                None,
                format!("the merged configuration is invalid: {}", e.message()),
                error::SYNTAX_HINT,
            )]
        })?;
        Ok(LoadedConfig {
            config,
            files,
            searched: sources.files.clone(),
        })
    }

    /// Parses and checks one file's text; `file` only names it in errors.
    pub fn from_toml_str(file: &Path, text: &str) -> Result<Config, ConfigError> {
        let table = parse_file(file, text)?;
        Config::deserialize(toml::Value::Table(table))
            .map_err(|e| ConfigError::from_toml(file, text, &e, false))
    }

    /// The effective configuration as TOML (`config show`).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// `run` talks to EGAIS on the shop's behalf, which needs its FSRAR ID. An empty one is
    /// fine in a file being prepared (and in `config check`), not here.
    pub fn require_organisation(&self) -> Result<(), ConfigError> {
        if self.organisation.fsrar_id.is_empty() {
            return Err(ConfigError::plain(
                None,
                "organisation.fsrar_id is not set: the shop's FSRAR ID is needed to exchange \
                 documents with EGAIS",
                format!(
                    "добавьте в файл конфигурации секцию [organisation] с fsrar_id = \"…\" \
                     (12 цифр) / add fsrar_id = \"…\" (12 digits) under [organisation]; {}",
                    validate::FSRAR_HINT
                ),
            ));
        }
        Ok(())
    }
}

fn first_error(mut errors: Vec<ConfigError>) -> ConfigError {
    if errors.is_empty() {
        ConfigError::plain(None, "unknown configuration error", "")
    } else {
        errors.swap_remove(0)
    }
}

/// Syntax first (the table), then the values (a full deserialize of this file alone), so
/// that both kinds of error carry this file's positions.
fn parse_file(file: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e, true))?;
    toml::from_str::<Config>(text).map_err(|e| ConfigError::from_toml(file, text, &e, false))?;
    Ok(table)
}

/// Later files override earlier ones key by key; tables merge, everything else (arrays
/// included) is replaced whole.
fn merge_tables(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn merge_is_deep_and_later_wins() {
        let mut base =
            table("[utm]\nurl = \"http://a:1\"\npoll_interval_s = 5\n[ui]\ntheme = \"mono\"\n");
        merge_tables(
            &mut base,
            table("[utm]\nurl = \"http://b:2\"\n[scanner]\ngs_keys = [\"f9\"]\n"),
        );
        let c = Config::deserialize(toml::Value::Table(base)).unwrap();
        assert_eq!(c.utm.url, "http://b:2");
        assert_eq!(c.utm.poll_interval_s, 5);
        assert_eq!(c.ui.theme, "mono");
        assert_eq!(c.scanner.gs_keys, vec!["f9".to_string()]);
        assert_eq!(c.till, Till::default());
    }

    #[test]
    fn defaults_round_trip_through_toml() {
        let text = Config::default().to_toml().unwrap();
        let back = Config::from_toml_str(Path::new("x.toml"), &text).unwrap();
        assert_eq!(back, Config::default());
    }

    #[test]
    fn empty_fsrar_is_allowed_in_a_file_but_not_for_run() {
        let c =
            Config::from_toml_str(Path::new("x.toml"), "[organisation]\nname = \"x\"\n").unwrap();
        let err = c.require_organisation().unwrap_err();
        assert!(err.message.contains("fsrar_id"), "{}", err.message);
    }

    #[test]
    fn user_file_skips_the_system_file() {
        let l = LoadedConfig {
            config: Config::default(),
            files: vec![PathBuf::from(SYSTEM_CONFIG)],
            searched: vec![],
        };
        assert_eq!(l.user_file(), None);
    }
}
