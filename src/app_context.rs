//! Everything a running application (TUI, exchange, CLI command) needs, opened once.

use std::sync::Arc;

use crate::config::{Config, Paths};
use crate::store::{Store, StoreError};

#[derive(Clone)]
pub struct AppContext {
    pub config: Arc<Config>,
    pub paths: Paths,
    pub store: Arc<Store>,
}

impl AppContext {
    /// Opens the store in `paths.data_dir` (taking the single-owner lock and migrating the
    /// schema) and bundles it with the configuration.
    pub fn open(config: Config, paths: Paths) -> Result<AppContext, StoreError> {
        let store = Store::open(&paths.data_dir)?;
        Ok(AppContext {
            config: Arc::new(config),
            paths,
            store: Arc::new(store),
        })
    }
}
