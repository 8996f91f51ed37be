//! `egais-tui inspect` as a stand-alone program, for the whole-process
//! benchmark (benches/inspect_vs_xmllint.sh) before the subcommand is wired
//! into the main CLI: `cargo run --release --example xml_inspect -- FILE…`.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    inspect: egais_tui::egais::inspect::InspectArgs,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let code = egais_tui::egais::inspect::run(&cli.inspect)?;
    std::process::exit(code);
}
