//! What the interactive and the headless runner share: building the app from the context,
//! and handling one message (update, then start its effects).

use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use tokio::sync::mpsc;

use super::app::{AppInfo, Effect, Msg, State, update};
use super::effects::{Control, Executor};
use super::error::TuiError;
use super::keymap::Keymap;
use super::read_model::ReadModel;
use super::scan_input::{Routed, TermAssembler};
use super::store_model::StoreModel;
use super::theme::Theme;
use super::widgets::toast::Level;
use crate::app_context::AppContext;
use crate::config::Config;

/// Everything the app is built from.
pub struct Setup {
    pub info: AppInfo,
    pub keymap: Keymap,
    pub theme: Theme,
    pub model: Arc<dyn ReadModel>,
    pub scanner: crate::config::Scanner,
    /// Problems worth a notice on the first screen (they did not stop the start).
    pub warnings: Vec<String>,
    /// The Приёмка workflow over the shop's database; `None` over a memory model.
    pub acceptance: Option<crate::egais::acceptance::AcceptanceService>,
    /// Config `acceptance.scan_barcodes_on_acceptance`.
    pub scan_barcodes_on_acceptance: bool,
    /// Working days for invoice deadlines (config `acceptance.holidays`).
    pub calendar: crate::domain::workdays::WorkCalendar,
}

impl Setup {
    /// The app over the shop's database, with the keymap and theme from the config.
    pub fn from_context(ctx: &AppContext) -> Result<Setup, TuiError> {
        let mut setup = Setup::with_model(
            &ctx.config,
            Arc::new(StoreModel::new(Arc::clone(&ctx.store))),
        )?;
        setup.info.config_file = ctx
            .paths
            .config_file
            .as_ref()
            .map(|p| p.display().to_string());
        setup.info.data_dir = Some(ctx.paths.data_dir.display().to_string());
        setup.acceptance = Some(crate::egais::acceptance::AcceptanceService::new(
            Arc::clone(&ctx.store),
            &ctx.config.organisation.fsrar_id,
            setup.info.tz.clone(),
        ));
        Ok(setup)
    }

    /// The app over any read model (tests, benches).
    pub fn with_model(config: &Config, model: Arc<dyn ReadModel>) -> Result<Setup, TuiError> {
        let keymap = Keymap::load(config.ui.keymap.as_deref()).map_err(TuiError::Keymap)?;
        let theme = Theme::load(&config.ui.theme, config.ui.theme_file.as_deref())
            .map_err(TuiError::Theme)?;
        let (info, mut warning) = AppInfo::from_config(config);
        let calendar = match crate::domain::workdays::WorkCalendar::from_settings(
            &config.acceptance.holidays,
            &config.acceptance.extra_workdays,
        ) {
            Ok(c) => c,
            Err(e) => {
                warning = Some(format!("Настройки приёмки: {e}; праздники не учтены"));
                crate::domain::workdays::WorkCalendar::default()
            }
        };
        Ok(Setup {
            info,
            keymap,
            theme,
            model,
            scanner: config.scanner.clone(),
            warnings: warning.into_iter().collect(),
            acceptance: None,
            scan_barcodes_on_acceptance: config.acceptance.scan_barcodes_on_acceptance,
            calendar,
        })
    }
}

pub struct Core {
    pub state: State,
    pub exec: Executor,
    pub assembler: TermAssembler,
}

impl Core {
    /// Builds the app and starts the reads the first screen needs.
    pub fn start(
        setup: Setup,
        now: Timestamp,
        size: (u16, u16),
        tx: mpsc::UnboundedSender<Msg>,
        probe: Option<super::effects::Probe>,
    ) -> Core {
        let (mut state, effects) = State::new(setup.info, setup.keymap, setup.theme, now, size);
        for w in setup.warnings {
            state.notice(Level::Warn, w);
        }
        let mut exec = Executor::new(setup.model, tx, probe);
        if let Some(service) = setup.acceptance {
            exec.set_acceptance(service);
            state
                .acceptance
                .enable_workflow(setup.scan_barcodes_on_acceptance, setup.calendar);
        }
        let mut core = Core {
            state,
            exec,
            assembler: TermAssembler::new(&setup.scanner),
        };
        core.run_effects(effects);
        core
    }

    /// Updates the state with one message and starts its effects.
    pub fn handle(&mut self, msg: Msg) -> Vec<Control> {
        let effects = update(&mut self.state, msg);
        self.run_effects(effects)
    }

    fn run_effects(&mut self, effects: Vec<Effect>) -> Vec<Control> {
        effects
            .into_iter()
            .filter_map(|e| self.exec.run(e))
            .collect()
    }

    /// Shows what the feeds already know, before their next change.
    pub fn initial(&mut self, feeds: &mut super::effects::Feeds) {
        for note in std::mem::take(&mut feeds.startup_notes) {
            self.handle(Msg::Note(note));
        }
        if let Some(rx) = feeds.utm.as_mut() {
            let v = rx.borrow_and_update().clone();
            // The default value means "not probed yet", not "unreachable".
            if v != Default::default() {
                self.handle(Msg::Utm(v));
            }
        }
        if let Some(rx) = feeds.outbox.as_mut() {
            let v = rx.borrow_and_update().clone();
            self.handle(Msg::Outbox(v));
        }
    }

    /// A terminal key: through the scanner's assembler first, then to the app.
    pub fn key(&mut self, key: crossterm::event::KeyEvent, now: Instant) -> Vec<Control> {
        let routed = self.assembler.feed(key, now);
        self.routed(routed)
    }

    /// Releases keys the assembler held back once their time is up.
    pub fn assembler_tick(&mut self, now: Instant) -> Vec<Control> {
        let routed = self.assembler.tick(now);
        self.routed(routed)
    }

    fn routed(&mut self, routed: Vec<Routed>) -> Vec<Control> {
        let mut controls = Vec::new();
        for r in routed {
            let msg = match r {
                Routed::Key(k) => Msg::Key(k),
                Routed::Scan(s) => Msg::Scan(s),
            };
            controls.extend(self.handle(msg));
        }
        controls
    }
}
