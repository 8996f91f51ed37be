//! The heart of the TUI: `State`, the messages that change it, the effects it asks for, and
//! `update`, which is pure and synchronous so every behaviour is a plain test.

use crossterm::event::{KeyEvent, KeyEventKind};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::keymap::{Action, Context, Keymap};
use super::panes::acceptance::AcceptancePane;
use super::panes::journal::JournalPane;
use super::panes::sale::SalePane;
use super::panes::settings::SettingsPane;
use super::panes::stock::StockPane;
use super::panes::{Pane, PaneCx};
use super::read_model::{DocCounts, DocDetail, DocRow, Page, ProductRow};
use super::scan_input::ScanEvent;
use super::theme::Theme;
use super::widgets::dialog::{Confirm, ConfirmOutcome, InputDialog, InputOutcome, InputValue};
use super::widgets::picker::{PickItem, PickSource, Picker, PickerOutcome};
use super::widgets::toast::{Level, Notice, Toast, toast_lifetime};
use crate::config::Config;
use crate::domain::document::DocList;
use crate::egais::status::{OutboxStatus, UtmStatus};

/// The smallest screen the panes are laid out for.
pub const MIN_SIZE: (u16, u16) = (80, 24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneId {
    Sale,
    Acceptance,
    Stock,
    Journal,
    Settings,
}

impl PaneId {
    pub const ALL: [PaneId; 5] = [
        PaneId::Sale,
        PaneId::Acceptance,
        PaneId::Stock,
        PaneId::Journal,
        PaneId::Settings,
    ];

    pub fn title_ru(self) -> &'static str {
        match self {
            PaneId::Sale => "Продажа",
            PaneId::Acceptance => "Приёмка",
            PaneId::Stock => "Остатки",
            PaneId::Journal => "Журнал",
            PaneId::Settings => "УТМ",
        }
    }

    pub fn action(self) -> Action {
        match self {
            PaneId::Sale => Action::PaneSale,
            PaneId::Acceptance => Action::PaneAcceptance,
            PaneId::Stock => Action::PaneStock,
            PaneId::Journal => Action::PaneJournal,
            PaneId::Settings => Action::PaneSettings,
        }
    }
}

/// What a dialog's answer is for; the app routes it to the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Quit,
    SaleManualCode,
    JournalDays,
    StockFind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help { scroll: u16 },
    Confirm(Confirm),
    Input(InputDialog),
    Picker(Picker),
}

/// A long job shown in the status bar with its elapsed time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub label: String,
    pub started: Timestamp,
}

/// Something from the exchange engine worth telling the cashier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub level: Level,
    pub text: String,
    /// Stays on screen until acknowledged.
    pub needs_ack: bool,
}

/// Results of reads, each for one place on the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    DocCounts(Result<DocCounts, String>),
    Documents {
        list: DocList,
        result: Result<Page<DocRow>, String>,
    },
    Document(Result<Option<DocDetail>, String>),
    Products(Result<Page<ProductRow>, String>),
    Search {
        request: u64,
        result: Result<Vec<PickItem>, String>,
    },
    ProductByEan {
        ean: String,
        result: Result<Option<ProductRow>, String>,
    },
    Product(Result<Option<ProductRow>, String>),
    /// An answer of the Приёмка workflow, or news from the exchange for it.
    Acceptance(crate::tui::acceptance::Event),
}

/// Everything that can change the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Scan(ScanEvent),
    Utm(UtmStatus),
    Outbox(OutboxStatus),
    Note(Note),
    JobStarted {
        id: u64,
        label: String,
    },
    JobFinished {
        id: u64,
        result: Result<String, String>,
    },
    Loaded(Loaded),
    /// The database changed behind the screen (a document arrived, a ticket moved one):
    /// counters and visible lists are read again.
    DataChanged,
    Tick(Timestamp),
    Resize(u16, u16),
}

/// Work for the runner: reads answered with `Msg::Loaded`, requests to the exchange, and
/// terminal control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadDocCounts,
    LoadDocuments {
        list: DocList,
        offset: usize,
        limit: usize,
    },
    LoadDocument {
        id: String,
    },
    LoadProducts {
        offset: usize,
        limit: usize,
    },
    Search {
        source: PickSource,
        request: u64,
        query: String,
    },
    LookupEan {
        ean: String,
    },
    LoadProduct {
        alc_code: String,
    },
    /// Ask the exchange to probe the UTM now; the answer arrives as `Msg::Utm`, a failure
    /// to ask as `Msg::JobFinished { id: job }`.
    CheckUtm {
        job: u64,
    },
    /// The Приёмка workflow: answered with `Loaded::Acceptance`.
    Acceptance(crate::tui::acceptance::Effect),
    Redraw,
    Suspend,
    Quit,
}

impl Effect {
    /// Reads of the local database: quick, and awaited by the headless runner after every
    /// key so its screens are reproducible.
    pub fn is_local_read(&self) -> bool {
        matches!(
            self,
            Effect::LoadDocCounts
                | Effect::LoadDocuments { .. }
                | Effect::LoadDocument { .. }
                | Effect::LoadProducts { .. }
                | Effect::Search { .. }
                | Effect::LookupEan { .. }
                | Effect::LoadProduct { .. }
                | Effect::Acceptance(
                    crate::tui::acceptance::Effect::Reload
                        | crate::tui::acceptance::Effect::Open { .. }
                        | crate::tui::acceptance::Effect::PrepareBinding { .. }
                        | crate::tui::acceptance::Effect::LoadNoAnswer
                )
        )
    }
}

/// What panes ask of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Effect(Effect),
    Modal(Modal),
    Toast(Level, String),
    NextTheme,
    /// Probe the UTM now, shown as a background job until the answer comes.
    CheckUtm,
}

/// The parts of the configuration the screen shows, copied once at start.
#[derive(Debug, Clone)]
pub struct AppInfo {
    pub org_name: String,
    pub inn: String,
    pub kpp: String,
    pub fsrar_id: String,
    pub address: String,
    pub till_number: u32,
    pub outlet: String,
    pub utm_url: String,
    pub catering: bool,
    pub tz: TimeZone,
    pub tz_name: String,
    pub config_file: Option<String>,
    pub data_dir: Option<String>,
}

impl AppInfo {
    pub fn from_config(config: &Config) -> (AppInfo, Option<String>) {
        let (tz, warning) = match TimeZone::get(&config.ui.timezone) {
            Ok(tz) => (tz, None),
            Err(_) => (
                TimeZone::get("Europe/Moscow").unwrap_or(TimeZone::UTC),
                Some(format!(
                    "Неизвестный часовой пояс «{}» в настройках; время показано по Москве",
                    config.ui.timezone
                )),
            ),
        };
        let o = &config.organisation;
        let clean = |s: &str| crate::text::sanitize(s).into_owned();
        (
            AppInfo {
                org_name: clean(&o.name),
                inn: clean(&o.inn),
                kpp: clean(&o.kpp),
                fsrar_id: clean(&o.fsrar_id),
                address: clean(&o.address),
                till_number: config.till.number,
                outlet: clean(&config.till.outlet),
                utm_url: clean(&config.utm.url),
                catering: config.journal.catering,
                tz,
                tz_name: config.ui.timezone.clone(),
                config_file: None,
                data_dir: None,
            },
            warning,
        )
    }
}

/// The latest known state of the outside world, for the status bar and settings pane.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// `None` until the exchange reports for the first time.
    pub utm: Option<UtmStatus>,
    pub outbox: Option<OutboxStatus>,
    pub jobs: Vec<Job>,
    /// The job started by "check UTM now", finished by the next UTM status.
    pub utm_probe_job: Option<u64>,
}

pub struct State {
    pub pane: PaneId,
    pub sale: SalePane,
    pub acceptance: AcceptancePane,
    pub stock: StockPane,
    pub journal: JournalPane,
    pub settings: SettingsPane,
    pub keymap: Keymap,
    pub theme: Theme,
    pub info: AppInfo,
    pub status: Status,
    pub doc_counts: Option<DocCounts>,
    pub modal: Option<Modal>,
    pub toasts: Vec<Toast>,
    pub notices: Vec<Notice>,
    pub now: Timestamp,
    pub size: (u16, u16),
    pub quit: bool,
    next_id: u64,
}

impl State {
    /// A fresh state and the effects that load what the first screen shows (and no more).
    pub fn new(
        info: AppInfo,
        keymap: Keymap,
        theme: Theme,
        now: Timestamp,
        size: (u16, u16),
    ) -> (State, Vec<Effect>) {
        let mut state = State {
            pane: PaneId::Sale,
            sale: SalePane::default(),
            acceptance: AcceptancePane::default(),
            stock: StockPane::default(),
            journal: JournalPane::default(),
            settings: SettingsPane,
            keymap,
            theme,
            info,
            status: Status::default(),
            doc_counts: None,
            modal: None,
            toasts: Vec::new(),
            notices: Vec::new(),
            now,
            size,
            quit: false,
            next_id: 1,
        };
        // The New-invoices counter on the tab bar is on every screen (user-pains B1).
        let mut effects = vec![Effect::LoadDocCounts];
        let cmds = state.pane_mut(PaneId::Sale).on_enter(&state_cx(size));
        effects.extend(state.apply_cmds(cmds));
        (state, effects)
    }

    pub fn notice(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if !self.notices.iter().any(|n| n.text == text) {
            self.notices.push(Notice {
                level,
                text,
                at: self.now,
            });
        }
    }

    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        self.toasts.push(Toast {
            level,
            text: text.into(),
            until: self.now + toast_lifetime(level),
        });
    }

    pub fn pane(&self, id: PaneId) -> &dyn Pane {
        match id {
            PaneId::Sale => &self.sale,
            PaneId::Acceptance => &self.acceptance,
            PaneId::Stock => &self.stock,
            PaneId::Journal => &self.journal,
            PaneId::Settings => &self.settings,
        }
    }

    pub fn pane_mut(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Sale => &mut self.sale,
            PaneId::Acceptance => &mut self.acceptance,
            PaneId::Stock => &mut self.stock,
            PaneId::Journal => &mut self.journal,
            PaneId::Settings => &mut self.settings,
        }
    }

    /// Key contexts for the current pane, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let mut c = self.pane(self.pane).contexts().to_vec();
        c.push(Context::Global);
        c
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// Unsaved work, in words, from every pane.
    pub fn unsaved(&self) -> Vec<String> {
        PaneId::ALL
            .iter()
            .filter_map(|p| self.pane(*p).unsaved())
            .collect()
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn apply_cmds(&mut self, cmds: Vec<Cmd>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for cmd in cmds {
            match cmd {
                Cmd::Effect(e) => effects.push(e),
                Cmd::Modal(Modal::Picker(mut p)) => {
                    let request = self.fresh_id();
                    p.request = request;
                    effects.push(Effect::Search {
                        source: p.source,
                        request,
                        query: String::new(),
                    });
                    self.modal = Some(Modal::Picker(p));
                }
                Cmd::Modal(m) => self.modal = Some(m),
                Cmd::Toast(level, text) => self.toast(level, text),
                Cmd::NextTheme => {
                    self.theme = self.theme.next_builtin();
                    let name = self.theme.name.clone();
                    self.toast(Level::Info, format!("Тема: {name}"));
                }
                Cmd::CheckUtm => {
                    if self.status.utm_probe_job.is_some() {
                        continue;
                    }
                    let id = self.fresh_id();
                    self.status.utm_probe_job = Some(id);
                    self.status.jobs.push(Job {
                        id,
                        label: "Проверка УТМ".into(),
                        started: self.now,
                    });
                    effects.push(Effect::CheckUtm { job: id });
                }
            }
        }
        effects
    }
}

/// Rows of the pane body for paging, from the screen size.
fn state_cx(size: (u16, u16)) -> PaneCx {
    PaneCx {
        // Tab bar, list header and status bar take three rows; notices may take more.
        body_rows: size.1.saturating_sub(6).max(1) as usize,
    }
}

/// The one place the state changes.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Scan(scan) => on_scan(state, scan),
        Msg::Utm(status) => on_utm(state, status),
        Msg::Outbox(o) => {
            state.status.outbox = Some(o);
            Vec::new()
        }
        Msg::Note(note) => {
            if note.needs_ack {
                state.notice(note.level, crate::text::sanitize(&note.text));
            } else {
                state.toast(note.level, crate::text::sanitize(&note.text));
            }
            Vec::new()
        }
        Msg::JobStarted { id, label } => {
            state.status.jobs.retain(|j| j.id != id);
            state.status.jobs.push(Job {
                id,
                label: crate::text::sanitize(&label).into_owned(),
                started: state.now,
            });
            Vec::new()
        }
        Msg::JobFinished { id, result } => {
            if state.status.utm_probe_job == Some(id) {
                state.status.utm_probe_job = None;
            }
            let job = state.status.jobs.iter().position(|j| j.id == id);
            let label = job.map(|i| state.status.jobs.remove(i).label);
            match (result, label) {
                (Ok(text), _) if !text.is_empty() => state.toast(Level::Ok, text),
                (Err(e), label) => state.notice(
                    Level::Error,
                    format!(
                        "{}: {}",
                        label.unwrap_or_else(|| "Фоновая задача".into()),
                        e
                    ),
                ),
                _ => {}
            }
            Vec::new()
        }
        Msg::Loaded(l) => on_loaded(state, l),
        Msg::Tick(now) => {
            state.now = now;
            state.toasts.retain(|t| t.until > now);
            expire_probe(state);
            Vec::new()
        }
        Msg::DataChanged => {
            let cx = state_cx(state.size);
            let mut cmds = Vec::new();
            for pane in PaneId::ALL {
                let visible = pane == state.pane;
                cmds.extend(state.pane_mut(pane).on_data_changed(&cx, visible));
            }
            let mut effects = state.apply_cmds(cmds);
            effects.push(Effect::LoadDocCounts);
            effects
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            let cx = state_cx(state.size);
            let pane = state.pane;
            let cmds = state.pane_mut(pane).on_resize(&cx);
            state.apply_cmds(cmds)
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if state.modal.is_some() {
        return on_modal_key(state, &key);
    }
    let pane = state.pane;
    if let Some(cmds) = state.pane_mut(pane).on_raw_key(&key) {
        return state.apply_cmds(cmds);
    }
    let Some(action) = state.keymap.lookup(&state.contexts(), &key) else {
        return Vec::new();
    };
    let cx = state_cx(state.size);
    match action {
        Action::Help => {
            state.modal = Some(Modal::Help { scroll: 0 });
            Vec::new()
        }
        Action::Quit => {
            let mut lines = vec!["Закрыть программу?".to_string()];
            let unsaved = state.unsaved();
            if !unsaved.is_empty() {
                lines.push("Не сохранено и будет потеряно:".into());
                lines.extend(unsaved.into_iter().map(|u| format!("  • {u}")));
            }
            let destructive = lines.len() > 1;
            state.modal = Some(Modal::Confirm(Confirm {
                title: "Выход".into(),
                lines,
                purpose: Purpose::Quit,
                destructive,
            }));
            Vec::new()
        }
        Action::Ack => {
            if state.notices.is_empty() {
                state.toasts.clear();
            } else {
                state.notices.remove(0);
            }
            Vec::new()
        }
        Action::Redraw => vec![Effect::Redraw],
        Action::Suspend => vec![Effect::Suspend],
        Action::PaneSale
        | Action::PaneAcceptance
        | Action::PaneStock
        | Action::PaneJournal
        | Action::PaneSettings => {
            let target = PaneId::ALL
                .into_iter()
                .find(|p| p.action() == action)
                .unwrap_or(PaneId::Sale);
            switch_pane(state, target)
        }
        other => {
            let pane = state.pane;
            let cmds = state.pane_mut(pane).on_action(other, &cx);
            state.apply_cmds(cmds)
        }
    }
}

pub fn switch_pane(state: &mut State, target: PaneId) -> Vec<Effect> {
    state.pane = target;
    let cx = state_cx(state.size);
    let cmds = state.pane_mut(target).on_enter(&cx);
    let mut effects = state.apply_cmds(cmds);
    if target == PaneId::Acceptance {
        effects.push(Effect::LoadDocCounts);
    }
    effects
}

fn on_modal_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.modal.as_mut() else {
        return Vec::new();
    };
    match modal {
        Modal::Help { scroll } => {
            use crossterm::event::KeyCode;
            match key.code {
                KeyCode::Up => *scroll = scroll.saturating_sub(1),
                KeyCode::Down => *scroll = scroll.saturating_add(1),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::Home => *scroll = 0,
                _ => {
                    if key.code == KeyCode::Esc
                        || key.code == KeyCode::Enter
                        || state.keymap.lookup(&[Context::Global], key) == Some(Action::Help)
                    {
                        state.modal = None;
                    }
                }
            }
            Vec::new()
        }
        Modal::Confirm(c) => {
            let purpose = c.purpose;
            match c.handle_key(key) {
                ConfirmOutcome::Pending => Vec::new(),
                ConfirmOutcome::No => {
                    state.modal = None;
                    Vec::new()
                }
                ConfirmOutcome::Yes => {
                    state.modal = None;
                    confirmed(state, purpose)
                }
            }
        }
        Modal::Input(d) => {
            let purpose = d.purpose;
            match d.handle_key(key) {
                InputOutcome::Pending => Vec::new(),
                InputOutcome::Cancelled => {
                    state.modal = None;
                    Vec::new()
                }
                InputOutcome::Done(value) => {
                    state.modal = None;
                    input_done(state, purpose, value)
                }
            }
        }
        Modal::Picker(p) => {
            let outcome = p.handle_key(key);
            picker_outcome(state, outcome)
        }
    }
}

fn picker_outcome(state: &mut State, outcome: PickerOutcome) -> Vec<Effect> {
    match outcome {
        PickerOutcome::Pending => Vec::new(),
        PickerOutcome::Cancelled => {
            state.modal = None;
            Vec::new()
        }
        PickerOutcome::Search(query) => {
            let request = state.fresh_id();
            match state.modal.as_mut() {
                Some(Modal::Picker(p)) => {
                    p.request = request;
                    p.loading = true;
                    vec![Effect::Search {
                        source: p.source,
                        request,
                        query,
                    }]
                }
                _ => Vec::new(),
            }
        }
        PickerOutcome::Picked(item) => {
            let purpose = match state.modal.take() {
                Some(Modal::Picker(p)) => p.purpose,
                _ => return Vec::new(),
            };
            let cx = state_cx(state.size);
            let cmds = match purpose {
                Purpose::StockFind => state.stock.on_pick(item, &cx),
                _ => Vec::new(),
            };
            state.apply_cmds(cmds)
        }
    }
}

fn confirmed(state: &mut State, purpose: Purpose) -> Vec<Effect> {
    match purpose {
        Purpose::Quit => {
            state.quit = true;
            vec![Effect::Quit]
        }
        _ => Vec::new(),
    }
}

fn input_done(state: &mut State, purpose: Purpose, value: InputValue) -> Vec<Effect> {
    let cmds = match (purpose, value) {
        (Purpose::SaleManualCode, InputValue::Text(code)) => {
            state.sale.on_manual_code(&code, state.now)
        }
        (Purpose::JournalDays, InputValue::Number(n)) => state.journal.set_days(n),
        _ => Vec::new(),
    };
    state.apply_cmds(cmds)
}

fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    match state.modal.as_mut() {
        Some(Modal::Input(d)) => {
            d.insert_text(text);
            Vec::new()
        }
        Some(Modal::Picker(p)) => {
            let outcome = p.insert_text(text);
            picker_outcome(state, outcome)
        }
        _ => Vec::new(),
    }
}

fn on_scan(state: &mut State, scan: ScanEvent) -> Vec<Effect> {
    match state.modal.as_mut() {
        // A scan into an open field fills it, as a keyboard-wedge scanner would.
        Some(Modal::Input(d)) => {
            d.insert_text(&scan.code.replace('\u{1d}', ""));
            return Vec::new();
        }
        Some(Modal::Picker(p)) => {
            let outcome = p.insert_text(&scan.code.replace('\u{1d}', ""));
            return picker_outcome(state, outcome);
        }
        Some(_) => {
            state.toast(Level::Warn, "Скан не принят: сначала закройте окно (Esc)");
            return Vec::new();
        }
        None => {}
    }
    let pane = state.pane;
    let now = state.now;
    let cmds = state.pane_mut(pane).on_scan(&scan, now);
    state.apply_cmds(cmds)
}

fn on_utm(state: &mut State, status: UtmStatus) -> Vec<Effect> {
    if let Some(other) = &status.fsrar_mismatch {
        state.notice(
            Level::Error,
            format!(
                "УТМ подключён к чужому ФСРАР ID {} (в настройках {}): документы не отправляются",
                crate::text::sanitize(other),
                state.info.fsrar_id
            ),
        );
    }
    for (name, at) in [("RSA", status.rsa_expires), ("ГОСТ", status.gost_expires)] {
        if let Some(days) = at.map(|t| days_left(state.now, t))
            && days <= 7
        {
            let text = if days < 0 {
                format!("Сертификат {name} истёк: продажа алкоголя через ЕГАИС невозможна")
            } else {
                format!("Сертификат {name} истекает через {days} дн.: закажите новый ключ")
            };
            state.notice(Level::Error, text);
        }
    }
    if let Some(id) = state.status.utm_probe_job.take() {
        state.status.jobs.retain(|j| j.id != id);
    }
    // The engine stamps "since" with the real clock; a moment later than the app's own
    // clock (fixed by --now in headless runs, or a skewed clock) is shown as the app's now,
    // so scripted screens stay reproducible and the bar never shows a time in the future.
    let mut status = status;
    status.since = status.since.map(|t| t.min(state.now));
    state.status.utm = Some(status);
    Vec::new()
}

/// How long "check the UTM now" waits for a status before it says the UTM is silent.
pub const PROBE_TIMEOUT: jiff::SignedDuration = jiff::SignedDuration::from_secs(20);

fn expire_probe(state: &mut State) {
    let Some(id) = state.status.utm_probe_job else {
        return;
    };
    let overdue = state
        .status
        .jobs
        .iter()
        .any(|j| j.id == id && state.now.duration_since(j.started) >= PROBE_TIMEOUT);
    if overdue {
        state.status.utm_probe_job = None;
        state.status.jobs.retain(|j| j.id != id);
        // An exchange that found nothing new publishes nothing: that is not silence.
        if state.status.utm.as_ref().is_some_and(|u| u.reachable) {
            state.toast(Level::Ok, "УТМ на связи, состояние не изменилось");
            return;
        }
        state.notice(
            Level::Error,
            format!(
                "УТМ не ответил за {} с: проверьте, запущен ли он и подключён ли ключ",
                PROBE_TIMEOUT.as_secs()
            ),
        );
    }
}

/// Whole days from `now` to `until` (negative once past).
pub fn days_left(now: Timestamp, until: Timestamp) -> i64 {
    until.duration_since(now).as_secs().div_euclid(86_400)
}

fn on_loaded(state: &mut State, loaded: Loaded) -> Vec<Effect> {
    let cx = state_cx(state.size);
    let cmds = match loaded {
        Loaded::DocCounts(result) => {
            match &result {
                Ok(c) => state.doc_counts = Some(*c),
                Err(e) => state.notice(Level::Error, format!("Документы не прочитаны: {e}")),
            }
            state.acceptance.on_counts(result, &cx)
        }
        Loaded::Documents { list, result } => state.acceptance.on_documents(list, result, &cx),
        Loaded::Document(result) => state.acceptance.on_document(result),
        Loaded::Products(result) => state.stock.on_products(result, &cx),
        Loaded::ProductByEan { ean, result } => state.sale.on_product(&ean, result),
        Loaded::Product(result) => state.stock.on_product(result),
        Loaded::Acceptance(event) => {
            let today = state.now.to_zoned_datetime(state.info.tz.clone()).date();
            state.acceptance.on_acceptance(event, today, &cx)
        }
        Loaded::Search { request, result } => {
            match (state.modal.as_mut(), result) {
                (Some(Modal::Picker(p)), Ok(items)) => p.set_results(request, items),
                (Some(Modal::Picker(p)), Err(e)) if p.request == request => {
                    p.loading = false;
                    state.toast(Level::Error, format!("Поиск не удался: {e}"));
                }
                _ => {}
            }
            Vec::new()
        }
    };
    state.apply_cmds(cmds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn state() -> State {
        let (info, _) = AppInfo::from_config(&Config::default());
        State::new(
            info,
            Keymap::builtin(),
            Theme::builtin("default").unwrap(),
            Timestamp::from_second(1_790_000_000).unwrap(),
            (100, 30),
        )
        .0
    }

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn first_screen_loads_only_counts() {
        let (info, _) = AppInfo::from_config(&Config::default());
        let (_, effects) = State::new(
            info,
            Keymap::builtin(),
            Theme::builtin("mono").unwrap(),
            Timestamp::UNIX_EPOCH,
            (80, 24),
        );
        assert_eq!(effects, vec![Effect::LoadDocCounts]);
    }

    #[test]
    fn f_keys_switch_panes_and_load_lazily() {
        let mut s = state();
        let fx = update(&mut s, key(KeyCode::F(3)));
        assert_eq!(s.pane, PaneId::Acceptance);
        assert!(fx.iter().any(|e| matches!(
            e,
            Effect::LoadDocuments {
                list: DocList::New,
                offset: 0,
                ..
            }
        )));
        update(&mut s, key(KeyCode::F(4)));
        assert_eq!(s.pane, PaneId::Stock);
        update(&mut s, key(KeyCode::F(9)));
        assert_eq!(s.pane, PaneId::Settings);
    }

    #[test]
    fn quit_asks_first_and_esc_cancels() {
        let mut s = state();
        update(&mut s, key(KeyCode::F(10)));
        assert!(matches!(s.modal, Some(Modal::Confirm(_))));
        update(&mut s, key(KeyCode::Esc));
        assert!(s.modal.is_none() && !s.quit);
        update(&mut s, key(KeyCode::F(10)));
        let fx = update(&mut s, key(KeyCode::Enter));
        assert!(s.quit);
        assert_eq!(fx, vec![Effect::Quit]);
    }

    #[test]
    fn notices_stay_until_acknowledged_toasts_expire() {
        let mut s = state();
        let now = s.now;
        update(
            &mut s,
            Msg::Note(Note {
                level: Level::Error,
                text: "Акт отклонён".into(),
                needs_ack: true,
            }),
        );
        update(
            &mut s,
            Msg::Note(Note {
                level: Level::Info,
                text: "Пришла накладная".into(),
                needs_ack: false,
            }),
        );
        update(
            &mut s,
            Msg::Tick(now + jiff::SignedDuration::from_secs(3600)),
        );
        assert!(s.toasts.is_empty());
        assert_eq!(s.notices.len(), 1);
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)),
        );
        assert!(s.notices.is_empty());
    }

    #[test]
    fn certificate_close_to_expiry_raises_a_notice() {
        let mut s = state();
        let soon = s.now + jiff::SignedDuration::from_hours(24 * 5 + 1);
        update(
            &mut s,
            Msg::Utm(UtmStatus {
                reachable: true,
                gost_expires: Some(soon),
                ..Default::default()
            }),
        );
        assert!(
            s.notices
                .iter()
                .any(|n| n.text.contains("ГОСТ истекает через 5"))
        );
    }

    #[test]
    fn a_silent_utm_ends_the_probe_with_a_notice() {
        let mut s = state();
        update(&mut s, key(KeyCode::F(9)));
        let fx = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
        );
        assert!(matches!(fx.as_slice(), [Effect::CheckUtm { .. }]));
        assert_eq!(s.status.jobs.len(), 1);
        // A second press while waiting does not start another probe.
        let fx = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
        );
        assert!(fx.is_empty());
        let later = s.now + PROBE_TIMEOUT;
        update(&mut s, Msg::Tick(later));
        assert!(s.status.jobs.is_empty());
        assert!(s.notices.iter().any(|n| n.text.contains("УТМ не ответил")));
    }

    #[test]
    fn journal_period_dialog_validates() {
        let mut s = state();
        update(&mut s, key(KeyCode::F(5)));
        update(&mut s, key(KeyCode::F(6)));
        assert!(matches!(s.modal, Some(Modal::Input(_))));
        update(&mut s, key(KeyCode::Backspace));
        update(&mut s, key(KeyCode::Char('0')));
        update(&mut s, key(KeyCode::Enter));
        match &s.modal {
            Some(Modal::Input(d)) => assert!(d.error.as_deref().unwrap_or("").contains("от 1")),
            other => panic!("dialog closed: {other:?}"),
        }
        update(&mut s, key(KeyCode::Backspace));
        update(&mut s, key(KeyCode::Char('7')));
        update(&mut s, key(KeyCode::Enter));
        assert!(s.modal.is_none());
        assert_eq!(s.journal.days, 7);
    }
}
