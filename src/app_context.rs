//! Everything a running application (TUI, exchange, CLI command) needs, opened once.

use std::sync::Arc;

use crate::config::{Config, Paths};
use crate::store::Store;

#[derive(Clone)]
pub struct AppContext {
    pub config: Arc<Config>,
    pub paths: Paths,
    pub store: Arc<Store>,
}
