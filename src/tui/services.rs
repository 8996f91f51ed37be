//! The TUI with everything it talks to: the scanner reader and the exchange engine are
//! started on the current runtime, connected to the loop, and stopped when it returns.

use std::sync::Arc;

use super::args::{TuiArgs, run};
use super::effects::Feeds;
use super::error::TuiError;
use crate::app_context::AppContext;
use crate::egais::exchange::{Exchange, ExchangeConfig, InboxHandler};
use crate::egais::utm::UtmClient;

/// Runs the TUI (interactive or headless, as `args` say) with the scanner and the
/// exchange engine, whose incoming documents go to `handler`. The engine is shut down
/// when the TUI returns, whatever the outcome.
pub async fn run_with_services(
    ctx: AppContext,
    args: &TuiArgs,
    handler: Arc<dyn InboxHandler>,
) -> Result<(), TuiError> {
    let config = Arc::clone(&ctx.config);
    let client = UtmClient::new(&config.utm, &config.organisation.fsrar_id)
        .map_err(|e| TuiError::Service(e.message_ru()))?;
    let mut engine = Exchange::spawn(
        Arc::clone(&ctx.store),
        client,
        handler,
        ExchangeConfig::from_config(&config.utm),
    );
    let scanner = crate::scanner::start::start(&config.scanner);
    let feeds = Feeds::default()
        .with_exchange(&mut engine)
        .with_scanner(scanner);
    let result = run(ctx, feeds, args).await;
    engine.shutdown().await;
    result
}
