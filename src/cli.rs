//! The command line. Each subcommand's arguments and implementation live with the module
//! that owns it; this file only names the subcommand and calls it. Adding one is one variant
//! plus one match arm, e.g.
//!
//! ```text
//! /// Запустить программу
//! Run(crate::tui::RunArgs),
//! ...
//! Command::Run(args) => crate::tui::run(args, Startup::init(&global)?),
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tracing_appender::non_blocking::WorkerGuard;

use crate::app_context::AppContext;
use crate::config::{Config, ConfigError, LoadedConfig, Paths, PathsError};
use crate::logging::LoggingError;
use crate::store::StoreError;

/// Exit codes: success, any other failure, bad input (config, arguments, data given).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "egais-tui",
    version,
    about = "ЕГАИС для магазина и бара в терминале / EGAIS workstation in the terminal",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Read only this config file (instead of /etc/egais-tui/config.toml and
    /// $XDG_CONFIG_HOME/egais-tui/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep the database here instead of $XDG_DATA_HOME/egais-tui
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log level or filter (error, warn, info, debug, trace, or e.g. "egais_tui=debug");
    /// RUST_LOG wins when set
    #[arg(long, global = true, value_name = "LEVEL", value_parser = parse_log_filter)]
    pub log_level: Option<String>,
}

fn parse_log_filter(s: &str) -> Result<String, String> {
    crate::logging::filter_for(Some(s), None)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Проверить или показать конфигурацию / check or show the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Разобрать документы ЕГАИС и показать их содержимое / parse EGAIS documents and summarise them
    Inspect(crate::egais::inspect::InspectArgs),
    /// Симулятор УТМ для демо, обучения и тестов / the UTM simulator for the demo, training and tests
    UtmSim(crate::egais::sim::SimArgs),
    /// Настройка и проверка сканера / set up and test the barcode scanner
    Scanner(crate::scanner::cli::ScannerArgs),
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum ConfigCommand {
    /// Check the config files: every error as FILE:LINE:COL with a hint; exit code 2 on errors
    Check,
    /// Print the effective (merged) configuration as TOML, with the files and directories used
    Show,
}

/// An error that was already shown to the user; only its exit code is left to report.
#[derive(Debug, thiserror::Error)]
#[error("exit code {0}")]
pub struct Reported(pub u8);

/// A problem with what the user gave us (exit code 2), with a message already worded for them.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// What a command that runs the application gets: the configuration, the paths, and the
/// logging guard, which flushes the log when dropped at exit.
pub struct Startup {
    pub loaded: LoadedConfig,
    pub paths: Paths,
    _log_guard: WorkerGuard,
}

impl Startup {
    /// Loads the configuration, resolves the paths, starts logging and installs the panic
    /// hook, in that order (before any terminal UI starts).
    pub fn init(global: &GlobalArgs) -> anyhow::Result<Startup> {
        let loaded = Config::load_all(global.config.as_deref()).map_err(ConfigErrors)?;
        let paths = Paths::resolve(global.data_dir.as_deref(), loaded.user_file())?;
        let guard = init_runtime(&paths, &loaded.config, global)?;
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            config = ?loaded.files,
            data_dir = %paths.data_dir.display(),
            "starting"
        );
        Ok(Startup {
            loaded,
            paths,
            _log_guard: guard,
        })
    }

    pub fn config(&self) -> &Config {
        &self.loaded.config
    }

    /// Opens the store for a command that works with the shop's data.
    pub fn open_context(&self) -> Result<AppContext, StoreError> {
        AppContext::open(self.loaded.config.clone(), self.paths.clone())
    }
}

/// Logging plus the panic hook, for commands that build their own configuration and paths
/// (the demo). Keep the guard until exit.
pub fn init_runtime(
    paths: &Paths,
    config: &Config,
    global: &GlobalArgs,
) -> Result<WorkerGuard, LoggingError> {
    let guard = crate::logging::init(
        &paths.state_dir,
        global.log_level.as_deref(),
        &config.ui.timezone,
    )?;
    crate::panic_hook::install(&paths.state_dir);
    Ok(guard)
}

/// Every problem found in the config files, shown one per line.
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl std::fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Runs the parsed command line and turns the outcome into the process exit code, printing
/// the error (with its context chain) to stderr.
pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(err) => {
            let code = exit_code(&err);
            if err.downcast_ref::<Reported>().is_none() {
                eprintln!("egais-tui: {err:#}");
                // The person at the till may read only Russian.
                if let Some(store) = err.chain().find_map(|c| c.downcast_ref::<StoreError>()) {
                    eprintln!("{}", store.message_ru());
                }
            }
            ExitCode::from(code)
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    match command {
        Command::Config(cmd) => config_command(cmd, &global),
        Command::Inspect(args) => exit_with(crate::egais::inspect::run(&args)?),
        Command::UtmSim(args) => {
            let _startup = Startup::init(&global)?;
            tokio::runtime::Runtime::new()?.block_on(crate::egais::sim::run(args))
        }
        Command::Scanner(args) => {
            let startup = Startup::init(&global)?;
            exit_with(crate::scanner::cli::run(&args, startup.config())?)
        }
    }
}

/// Turns a command's own exit code (it has already printed what went wrong) into the result.
fn exit_with(code: i32) -> anyhow::Result<()> {
    match u8::try_from(code) {
        Ok(0) => Ok(()),
        Ok(code) => Err(Reported(code).into()),
        Err(_) => Err(Reported(EXIT_FAILURE).into()),
    }
}

/// 2 when the user can fix it by changing what they gave (config, flags, input files),
/// 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(Reported(code)) = err.downcast_ref::<Reported>() {
        return *code;
    }
    let bad_input = err.chain().any(|cause| {
        cause.is::<ConfigError>()
            || cause.is::<ConfigErrors>()
            || cause.is::<BadInput>()
            || cause
                .downcast_ref::<LoggingError>()
                .is_some_and(LoggingError::is_bad_input)
            || cause
                .downcast_ref::<StoreError>()
                .is_some_and(|e| matches!(e, StoreError::Locked { .. } | StoreError::TooNew { .. }))
    });
    if bad_input {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}

fn config_command(cmd: ConfigCommand, global: &GlobalArgs) -> anyhow::Result<()> {
    let loaded = match Config::load_all(global.config.as_deref()) {
        Ok(l) => l,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}", e.location_line());
                eprintln!("  подсказка / hint: {}", e.hint);
            }
            eprintln!(
                "config check: {} error(s); nothing was changed",
                errors.len()
            );
            return Err(Reported(EXIT_BAD_INPUT).into());
        }
    };
    match cmd {
        ConfigCommand::Check => {
            if loaded.files.is_empty() {
                println!(
                    "ok: no config file found (looked for {}); built-in defaults are used",
                    join_paths(&loaded.searched)
                );
            } else {
                println!("ok: {}", join_paths(&loaded.files));
            }
            if let Err(e) = loaded.config.require_organisation() {
                println!(
                    "note: {} — `run` will refuse to start until it is set\n  подсказка / hint: {}",
                    e.message, e.hint
                );
            }
            Ok(())
        }
        ConfigCommand::Show => {
            let paths: Result<Paths, PathsError> =
                Paths::resolve(global.data_dir.as_deref(), loaded.user_file());
            let paths = paths?;
            println!("# egais-tui {}", env!("CARGO_PKG_VERSION"));
            println!("# files read: {}", join_paths(&loaded.files));
            println!("# data: {}", paths.data_dir.display());
            println!("# logs and crash reports: {}", paths.state_dir.display());
            print!("{}", loaded.config.to_toml()?);
            Ok(())
        }
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "none".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_after_the_subcommand_too() {
        let cli = Cli::try_parse_from([
            "egais-tui",
            "config",
            "check",
            "--config",
            "/tmp/x.toml",
            "--log-level",
            "debug",
        ])
        .unwrap();
        assert_eq!(cli.global.config, Some(PathBuf::from("/tmp/x.toml")));
        assert_eq!(cli.global.log_level.as_deref(), Some("debug"));
    }

    #[test]
    fn a_bad_log_level_is_a_usage_error() {
        let err = Cli::try_parse_from(["egais-tui", "--log-level", "x=loud", "config", "check"])
            .unwrap_err();
        assert_eq!(err.exit_code(), i32::from(EXIT_BAD_INPUT));
    }

    #[test]
    fn exit_codes_classify_errors() {
        let cfg: anyhow::Error = ConfigError::plain(None, "x", "y").into();
        assert_eq!(exit_code(&cfg), EXIT_BAD_INPUT);
        let wrapped = anyhow::Error::from(ConfigErrors(vec![])).context("loading");
        assert_eq!(exit_code(&wrapped), EXIT_BAD_INPUT);
        let io: anyhow::Error = std::io::Error::other("disk").into();
        assert_eq!(exit_code(&io), EXIT_FAILURE);
        let locked: anyhow::Error = StoreError::Locked {
            dir: "/d".into(),
            pid: "1".into(),
        }
        .into();
        assert_eq!(exit_code(&locked), EXIT_BAD_INPUT);
        assert_eq!(exit_code(&Reported(7).into()), 7);
    }
}
