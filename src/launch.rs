//! `run` and `demo`: open the shop's data, start the exchange engine and the scanner, and
//! hand the terminal to the TUI. The demo does the same against the built-in UTM simulator
//! in a throwaway data directory, so a new user sees the real application with sample data.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::app_context::AppContext;
use crate::cli::{GlobalArgs, Startup, init_runtime};
use crate::config::Config;
use crate::egais::acceptance::AcceptanceInbox;
use crate::egais::exchange::InboxHandler;
use crate::egais::sim::{self, SimConfig};
use crate::tui::TuiArgs;

/// `egais-tui demo`: the whole application against the simulator with sample data.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub tui: TuiArgs,
    /// How many supplier invoices the simulated EGAIS sends at start.
    #[arg(long, default_value_t = 3)]
    pub seed_invoices: usize,
}

/// The handler that applies incoming documents to the shop's registers: invoices, their
/// справки Б, tickets and the suppliers' answers. Everything else is archived raw.
fn inbox_handler(config: &Config) -> anyhow::Result<Arc<dyn InboxHandler>> {
    let tz = jiff::tz::TimeZone::get(&config.ui.timezone)
        .map_err(|e| anyhow::anyhow!("time zone {}: {e}", config.ui.timezone))?;
    Ok(Arc::new(AcceptanceInbox::new(tz)))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    // One thread is enough for the UI and a few I/O tasks and halves the threads on a thin
    // client (crates.md, tokio); blocking store work goes to spawn_blocking.
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `egais-tui run`: the TUI against the configured UTM.
pub fn run(args: &TuiArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let startup = Startup::init(global)?;
    startup.config().require_organisation()?;
    let handler = inbox_handler(startup.config())?;
    let ctx = startup.open_context()?;
    let rt = runtime()?;
    rt.block_on(crate::tui::run_with_services(ctx, args, handler))
        .map_err(|e| anyhow::anyhow!(e.message_ru()))
}

/// `egais-tui demo`.
pub fn demo(args: &DemoArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let mut env = crate::demo::prepare(global.data_dir.as_deref())?;
    let _guard = init_runtime(&env.paths, &env.config, global)?;
    let rt = runtime()?;
    rt.block_on(async {
        let sim = sim::spawn(simulator_for(&env.config, args.seed_invoices))
            .await
            .map_err(|e| anyhow::anyhow!("cannot start the UTM simulator: {e}"))?;
        // The simulator answers in a fraction of a second; a real UTM needs the default
        // interval, a training session should not wait ten seconds for every ticket.
        env.config.utm.poll_interval_s = 2;
        env.set_utm_url(&sim.url())?;
        let (ctx, _temp_dir) = env.into_context();
        let result = run_app(ctx, &args.tui).await;
        sim.shutdown().await;
        result
    })
}

async fn run_app(ctx: AppContext, args: &TuiArgs) -> anyhow::Result<()> {
    let handler = inbox_handler(&ctx.config)?;
    crate::tui::run_with_services(ctx, args, handler)
        .await
        .map_err(|e| anyhow::anyhow!(e.message_ru()))
}

/// The simulated UTM holds the demo shop's key, so the FSRAR ID guard passes.
fn simulator_for(config: &Config, seed_invoices: usize) -> SimConfig {
    let org = &config.organisation;
    let mut sim = SimConfig {
        fsrar_id: org.fsrar_id.clone(),
        seed_invoices,
        delivery_delay: Duration::from_millis(300),
        ..SimConfig::default()
    };
    sim.shop.fsrar_id = org.fsrar_id.clone();
    sim.shop.inn = org.inn.clone();
    sim.shop.kpp = org.kpp.clone();
    sim.shop.full_name = org.name.clone();
    sim.shop.short_name = org.name.clone();
    sim.shop.address = org.address.clone();
    sim
}
