//! The binary: parse the command line and hand over to `egais_tui::cli`, which loads the
//! config, starts logging, installs the panic hook and runs the subcommand.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    egais_tui::cli::main(egais_tui::cli::Cli::parse())
}
