//! Command-line arguments of the TUI, for the `run` and `demo` subcommands.

use std::path::PathBuf;
use std::str::FromStr;

use super::core::Setup;
use super::effects::Feeds;
use super::error::TuiError;
use super::headless::{HeadlessOptions, KeyToken, run_headless_with};
use super::runner::run_terminal;
use crate::app_context::AppContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenSize {
    pub width: u16,
    pub height: u16,
}

impl FromStr for ScreenSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("«{s}»: ожидается ШИРИНАxВЫСОТА, например 100x30");
        let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let w: u16 = w.trim().parse().map_err(|_| bad())?;
        let h: u16 = h.trim().parse().map_err(|_| bad())?;
        if w == 0 || h == 0 || w > 1000 || h > 1000 {
            return Err(bad());
        }
        Ok(ScreenSize {
            width: w,
            height: h,
        })
    }
}

impl Default for ScreenSize {
    fn default() -> Self {
        ScreenSize {
            width: 80,
            height: 24,
        }
    }
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct TuiArgs {
    /// Print the final screen as text instead of running on the terminal
    #[arg(long)]
    pub headless: bool,
    /// Screen size for --headless, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "80x24")]
    pub size: ScreenSize,
    /// Keys for --headless: "F3 Down Enter", ctrl+q, scan:CODE, text:"…", wait:MS
    #[arg(long, value_name = "TOKENS", requires = "headless")]
    pub keys: Option<String>,
    /// Read the keys for --headless from a file (one or more tokens per line, # comments)
    #[arg(long, value_name = "FILE", requires = "headless")]
    pub keys_file: Option<PathBuf>,
    /// Fix the clock for --headless, e.g. 2026-11-26T09:00:00Z
    #[arg(long, value_name = "TIMESTAMP", requires = "headless")]
    pub now: Option<jiff::Timestamp>,
}

impl TuiArgs {
    pub fn headless_options(&self) -> Result<HeadlessOptions, TuiError> {
        let mut keys = Vec::new();
        if let Some(path) = &self.keys_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| TuiError::Script(format!("{}: {e}", path.display())))?;
            keys.extend(KeyToken::parse_file(&text)?);
        }
        if let Some(script) = &self.keys {
            keys.extend(KeyToken::parse_script(script)?);
        }
        Ok(HeadlessOptions {
            size: (self.size.width, self.size.height),
            keys,
            now: self.now,
        })
    }
}

/// Runs the TUI as the arguments say: interactively, or headless printing the final
/// screen to stdout.
pub async fn run(ctx: AppContext, feeds: Feeds, args: &TuiArgs) -> Result<(), TuiError> {
    if args.headless {
        let opts = args.headless_options()?;
        let screen = run_headless_with(Setup::from_context(&ctx)?, feeds, opts).await?;
        print!("{screen}");
        Ok(())
    } else {
        run_terminal(ctx, feeds).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        tui: TuiArgs,
    }

    #[test]
    fn headless_args_parse() {
        let cli = Cli::try_parse_from([
            "x",
            "--headless",
            "--size",
            "100x30",
            "--keys",
            "F3 Down Enter",
            "--now",
            "2026-11-26T09:00:00Z",
        ])
        .unwrap();
        let o = cli.tui.headless_options().unwrap();
        assert_eq!(o.size, (100, 30));
        assert_eq!(o.keys.len(), 3);
        assert!(o.now.is_some());
        assert!(
            Cli::try_parse_from(["x", "--keys", "F3"]).is_err(),
            "keys need --headless"
        );
        assert!(Cli::try_parse_from(["x", "--headless", "--size", "0x5"]).is_err());
    }
}
