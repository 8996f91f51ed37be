//! The Приёмка pane: the three invoice lists, an open invoice, the discrepancy editor and
//! the dialogs around them. Pure state: keys and scans go in, [`Effect`]s come out (store
//! writes and UTM queries run elsewhere and answer with an [`Event`]). Bad input produces a
//! message and no effect.

pub mod draw;
pub mod rows;

use std::collections::HashMap;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use jiff::civil::Date;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::domain::acceptance::{ActKind, Decision, DiscrepancyDraft, short_mark};
use crate::domain::document::{DocEvent, DocList, DocState};
use crate::domain::ean_binding::{BindingStatus, EanBindingPlan};
use crate::domain::invoice::{Invoice, NoAnswerEntry, sort_for_action};
use crate::domain::workdays::WorkCalendar;
use crate::store::invoices::InvoiceSummary;

use rows::{Row, Rows, Scroll};

/// What the cashier asked for; the app maps keymap actions to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneAction {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Back,
    NextList,
    PrevList,
    Refresh,
    /// Accept in full.
    Accept,
    /// Open the discrepancy editor.
    Differences,
    Reject,
    /// Space in the editor: tick or untick a stamp or box, or edit a quantity.
    Toggle,
    /// Editor: every stamp counts as missing until scanned.
    ScanMode,
    /// Editor: send the act.
    Send,
    Delete,
    QueryNoAnswer,
    Resend,
    BindEans,
}

/// Barcodes already in the catalogue: EAN → (AlcCode, product name).
pub type BarcodeOwners = HashMap<String, (String, String)>;

/// Work for the app to run; each answers with an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Reload,
    Open {
        key: String,
        edit: bool,
    },
    Send {
        key: String,
        decision: Decision,
    },
    Delete {
        key: String,
    },
    QueryNoAnswer,
    /// Shows EGAIS's ReplyNoAnswerTTN once it has arrived.
    LoadNoAnswer,
    QueryResend {
        wb_reg_id: String,
    },
    PrepareBinding {
        key: String,
    },
    /// Binds the barcodes: (AlcCode, EAN, arrived with stamps).
    BindEans {
        bindings: Vec<(String, String, bool)>,
    },
}

/// Answers to effects and news from the exchange engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Loaded(Vec<InvoiceSummary>),
    Opened {
        invoice: Box<Invoice>,
        edit: bool,
    },
    Sent {
        key: String,
        kind: ActKind,
    },
    /// A document arrived or changed an invoice (exchange engine).
    Changed,
    NoAnswer(Vec<NoAnswerEntry>),
    /// The reply to QueryNATTN has not arrived yet.
    NoAnswerNotYet,
    /// A binding plan and the catalogue's current barcode owners (EAN → product name).
    BindingPlan {
        plan: EanBindingPlan,
        owners: BarcodeOwners,
    },
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct InvoiceScreen {
    pub invoice: Box<Invoice>,
    pub rows: Rows,
    pub scroll: Scroll,
}

#[derive(Debug, Clone)]
pub struct EditorScreen {
    pub invoice: Box<Invoice>,
    pub draft: DiscrepancyDraft,
    pub rows: Rows,
    pub scroll: Scroll,
    pub scanning: bool,
}

#[derive(Debug, Clone)]
pub struct NoAnswerScreen {
    pub entries: Vec<NoAnswerEntry>,
    pub scroll: Scroll,
}

#[derive(Debug, Clone)]
pub enum Screen {
    Lists,
    Invoice(InvoiceScreen),
    Editor(Box<EditorScreen>),
    NoAnswer(NoAnswerScreen),
}

#[derive(Debug, Clone)]
pub struct BindingDialog {
    pub plan: EanBindingPlan,
    pub owners: BarcodeOwners,
    pub input: Input,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Dialog {
    ConfirmAccept {
        key: String,
        title: String,
    },
    ConfirmDifferences {
        key: String,
        decision: Decision,
        lines: usize,
    },
    ConfirmDelete {
        key: String,
        title: String,
    },
    RejectReason {
        key: String,
        title: String,
        input: Input,
    },
    Quantity {
        line: usize,
        input: Input,
    },
    Resend {
        input: Input,
    },
    Binding(Box<BindingDialog>),
}

/// The pane's whole state.
#[derive(Debug, Clone)]
pub struct AcceptancePane {
    pub list: DocList,
    lists: [Vec<InvoiceSummary>; 3],
    scrolls: [Scroll; 3],
    pub screen: Screen,
    pub dialog: Option<Dialog>,
    pub message: Option<Message>,
    pub today: Date,
    pub calendar: WorkCalendar,
    /// Config `scan_barcodes_on_acceptance`: ask for EAN-13 codes after accepting.
    pub scan_barcodes: bool,
    /// QueryNATTN was sent; its reply is shown when the exchange brings it.
    pub awaiting_no_answer: bool,
    /// Rows of the last drawn body, for paging (drawing takes `&self`).
    pub page: std::cell::Cell<usize>,
}

fn list_index(list: DocList) -> usize {
    match list {
        DocList::New => 0,
        DocList::UnderReview => 1,
        DocList::Archive => 2,
    }
}

impl AcceptancePane {
    pub fn new(today: Date, calendar: WorkCalendar, scan_barcodes: bool) -> AcceptancePane {
        AcceptancePane {
            list: DocList::New,
            lists: [Vec::new(), Vec::new(), Vec::new()],
            scrolls: [Scroll::default(); 3],
            screen: Screen::Lists,
            dialog: None,
            message: None,
            today,
            calendar,
            scan_barcodes,
            awaiting_no_answer: false,
            page: std::cell::Cell::new(10),
        }
    }

    pub fn rows(&self, list: DocList) -> &[InvoiceSummary] {
        &self.lists[list_index(list)]
    }

    pub fn scroll(&self, list: DocList) -> Scroll {
        self.scrolls[list_index(list)]
    }

    pub fn selected(&self) -> Option<&InvoiceSummary> {
        let i = list_index(self.list);
        self.lists[i].get(self.scrolls[i].cursor)
    }

    /// How many invoices wait for an answer, and how many are overdue (for a red counter).
    pub fn counters(&self) -> (usize, usize) {
        let new = &self.lists[0];
        let overdue = new.iter().filter(|s| self.deadline_days(s) < 0).count();
        (new.len(), overdue)
    }

    pub fn deadline_days(&self, s: &InvoiceSummary) -> i32 {
        let deadline = self.calendar.next_working_day(s.received_on);
        crate::domain::workdays::days_between(self.today, deadline)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            severity: Severity::Info,
            text: text.into(),
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            severity: Severity::Error,
            text: text.into(),
        });
    }

    /// Replaces the lists, sorted by what needs action first, keeping the selection.
    pub fn set_summaries(&mut self, all: Vec<InvoiceSummary>) {
        let selected: Vec<Option<String>> = (0..3)
            .map(|i| {
                self.lists[i]
                    .get(self.scrolls[i].cursor)
                    .map(|s| s.key.storage_key())
            })
            .collect();
        let mut lists: [Vec<InvoiceSummary>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for s in all {
            lists[list_index(s.list())].push(s);
        }
        for list in DocList::ALL {
            sort_for_action(&mut lists[list_index(list)], list, &self.calendar);
        }
        self.lists = lists;
        for (i, sel) in selected.into_iter().enumerate() {
            if let Some(key) = sel
                && let Some(pos) = self.lists[i]
                    .iter()
                    .position(|s| s.key.storage_key() == key)
            {
                self.scrolls[i].cursor = pos;
            }
            self.scrolls[i].clamp(self.lists[i].len());
        }
    }

    /// A key, with the action the keymap resolved for it (if any).
    pub fn handle_key(&mut self, key: KeyEvent, action: Option<PaneAction>) -> Vec<Effect> {
        if self.dialog.is_some() {
            return self.dialog_key(key);
        }
        match action {
            Some(a) => self.handle_action(a),
            None => Vec::new(),
        }
    }

    /// A scan from the scanner: a stamp in the editor, a barcode in the binding dialog.
    pub fn handle_scan(&mut self, code: &str) -> Vec<Effect> {
        if let Some(Dialog::Binding(_)) = &self.dialog {
            return self.bind_code(code);
        }
        if self.dialog.is_some() {
            self.error("Закройте окно ввода, затем сканируйте");
            return Vec::new();
        }
        let page = self.page.get();
        match &mut self.screen {
            Screen::Editor(ed) => match ed.draft.scan(code) {
                Ok(r) => {
                    if let Some(row) = ed.rows.mark_row(r.line, r.box_index, r.mark) {
                        ed.scroll.cursor = row;
                        ed.scroll.follow(page);
                    }
                    let line = &ed.draft.lines()[r.line];
                    let text = format!(
                        "Марка принята: {} — {} из {}",
                        line.name,
                        line.real_quantity().normalize(),
                        line.invoiced.normalize()
                    );
                    self.info(text);
                }
                Err(e @ crate::domain::acceptance::AcceptanceError::StampAlreadyScanned(_))
                    if !ed.scanning =>
                {
                    // Every stamp counts as received until the cashier starts checking.
                    let text = format!(
                        "{}. Чтобы сверить поставку, нажмите F7 и сканируйте пришедшие марки",
                        e.message_ru()
                    );
                    self.error(text);
                }
                Err(e) => self.error(e.message_ru()),
            },
            _ => self.error(format!(
                "Марка {} отсканирована вне редактора расхождений: выберите накладную и нажмите F7",
                short_mark(code.trim())
            )),
        }
        Vec::new()
    }

    pub fn handle_event(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Loaded(all) => {
                self.set_summaries(all);
                self.refresh_open_invoice()
            }
            Event::Changed => {
                let mut fx = vec![Effect::Reload];
                if self.awaiting_no_answer {
                    fx.push(Effect::LoadNoAnswer);
                }
                fx
            }
            Event::NoAnswerNotYet => Vec::new(),
            Event::Opened { invoice, edit } => {
                self.open_screen(invoice, edit);
                Vec::new()
            }
            Event::Sent { key, kind } => {
                self.screen = Screen::Lists;
                self.info(match kind {
                    ActKind::Accepted => "Акт приёма отправлен, накладная ждёт подтверждения ЕГАИС",
                    ActKind::Differences => {
                        "Акт расхождений отправлен, ждём подтверждения ЕГАИС и поставщика"
                    }
                    ActKind::Rejected => "Отказ отправлен, накладная ждёт подтверждения ЕГАИС",
                });
                let mut out = vec![Effect::Reload];
                if self.scan_barcodes && kind != ActKind::Rejected {
                    out.push(Effect::PrepareBinding { key });
                }
                out
            }
            Event::NoAnswer(entries) => {
                self.awaiting_no_answer = false;
                if entries.is_empty() {
                    self.info("ЕГАИС: неотвеченных накладных нет");
                } else {
                    self.info(format!("ЕГАИС: без ответа {} накл.", entries.len()));
                }
                self.screen = Screen::NoAnswer(NoAnswerScreen {
                    entries,
                    scroll: Scroll::default(),
                });
                Vec::new()
            }
            Event::BindingPlan { plan, owners } => {
                if plan.is_done() {
                    self.info("Все товары накладной уже имеют штрихкод");
                } else {
                    self.dialog = Some(Dialog::Binding(Box::new(BindingDialog {
                        plan,
                        owners,
                        input: Input::default(),
                        error: None,
                    })));
                }
                Vec::new()
            }
            Event::Done(text) => {
                self.info(text);
                vec![Effect::Reload]
            }
            Event::Failed(text) => {
                self.error(text);
                Vec::new()
            }
        }
    }

    /// After a reload, an open invoice whose state changed is reopened from the store.
    fn refresh_open_invoice(&mut self) -> Vec<Effect> {
        let Screen::Invoice(s) = &self.screen else {
            return Vec::new();
        };
        let key = s.invoice.key.storage_key();
        let changed = self
            .lists
            .iter()
            .flatten()
            .find(|x| x.key.storage_key() == key)
            .is_some_and(|x| {
                x.state != s.invoice.state || x.ready != s.invoice.readiness().is_ready()
            });
        if changed {
            vec![Effect::Open { key, edit: false }]
        } else {
            Vec::new()
        }
    }

    fn open_screen(&mut self, invoice: Box<Invoice>, edit: bool) {
        let rows = Rows::of(&invoice);
        if edit {
            match DiscrepancyDraft::new(&invoice) {
                Ok(draft) => {
                    self.screen = Screen::Editor(Box::new(EditorScreen {
                        invoice,
                        draft,
                        rows,
                        scroll: Scroll::default(),
                        scanning: false,
                    }));
                    self.info(
                        "Расхождения: Пробел — марка или коробка, Enter — количество, F7 — сканировать пришедшие марки, F6 — отправить акт",
                    );
                }
                Err(e) => self.error(e.message_ru()),
            }
        } else {
            // Reopening the same invoice keeps the place in it.
            let scroll = match &self.screen {
                Screen::Invoice(s) if s.invoice.key == invoice.key => s.scroll,
                _ => Scroll::default(),
            };
            let mut screen = InvoiceScreen {
                invoice,
                rows,
                scroll,
            };
            screen.scroll.clamp(screen.rows.len());
            self.screen = Screen::Invoice(screen);
        }
    }

    fn current_key(&self) -> Option<(String, String, DocState)> {
        match &self.screen {
            Screen::Invoice(s) => Some((
                s.invoice.key.storage_key(),
                s.invoice.key.to_string(),
                s.invoice.state.clone(),
            )),
            Screen::Editor(e) => Some((
                e.invoice.key.storage_key(),
                e.invoice.key.to_string(),
                e.invoice.state.clone(),
            )),
            Screen::Lists => self
                .selected()
                .map(|s| (s.key.storage_key(), s.key.to_string(), s.state.clone())),
            Screen::NoAnswer(_) => None,
        }
    }

    /// Refuses an answer the state does not allow, with the same words the domain uses.
    fn check_answer(&mut self, state: &DocState, action: &str) -> bool {
        match state.apply(&DocEvent::Sent) {
            Ok(_) => true,
            Err(e) => {
                let reason = e
                    .message
                    .split_once(": ")
                    .map(|(_, r)| r.trim_end_matches('.').to_string())
                    .unwrap_or(e.message);
                self.error(format!("Нельзя {action}: {reason}"));
                false
            }
        }
    }

    fn handle_action(&mut self, action: PaneAction) -> Vec<Effect> {
        use PaneAction as A;
        self.message = None;
        match action {
            A::Refresh => return vec![Effect::Reload],
            A::QueryNoAnswer => {
                self.info("Запрос непринятых накладных отправлен в ЕГАИС…");
                self.awaiting_no_answer = true;
                return vec![Effect::QueryNoAnswer];
            }
            A::Resend => {
                let prefill = match &self.screen {
                    Screen::NoAnswer(s) => {
                        s.entries.get(s.scroll.cursor).map(|e| e.wb_reg_id.clone())
                    }
                    Screen::Invoice(s) => s.invoice.wb_reg_id().map(str::to_string),
                    Screen::Lists => self.selected().and_then(|s| s.wb_reg_id.clone()),
                    Screen::Editor(_) => None,
                };
                self.dialog = Some(Dialog::Resend {
                    input: Input::new(prefill.unwrap_or_default()),
                });
                return Vec::new();
            }
            _ => {}
        }
        match &self.screen {
            Screen::Lists => self.lists_action(action),
            Screen::Invoice(_) => self.invoice_action(action),
            Screen::Editor(_) => self.editor_action(action),
            Screen::NoAnswer(_) => self.no_answer_action(action),
        }
    }

    fn move_cursor(scroll: &mut Scroll, action: PaneAction, len: usize, page: usize) {
        match action {
            PaneAction::Up => scroll.move_by(-1, len),
            PaneAction::Down => scroll.move_by(1, len),
            PaneAction::PageUp => scroll.move_by(-(page.max(1) as isize), len),
            PaneAction::PageDown => scroll.move_by(page.max(1) as isize, len),
            PaneAction::Home => scroll.home(),
            PaneAction::End => scroll.end(len),
            _ => {}
        }
        scroll.follow(page);
    }

    fn common_answer(&mut self, action: PaneAction) -> Vec<Effect> {
        let Some((key, title, state)) = self.current_key() else {
            return Vec::new();
        };
        match action {
            PaneAction::Accept => {
                if self.check_answer(&state, "принять накладную") {
                    self.dialog = Some(Dialog::ConfirmAccept { key, title });
                }
                Vec::new()
            }
            PaneAction::Differences => {
                if self.check_answer(&state, "составить акт расхождений") {
                    vec![Effect::Open { key, edit: true }]
                } else {
                    Vec::new()
                }
            }
            PaneAction::Reject => {
                if self.check_answer(&state, "отказаться от накладной") {
                    self.dialog = Some(Dialog::RejectReason {
                        key,
                        title,
                        input: Input::default(),
                    });
                }
                Vec::new()
            }
            PaneAction::Delete => {
                if state == DocState::Archive {
                    self.dialog = Some(Dialog::ConfirmDelete { key, title });
                } else {
                    self.error("Удалить можно только документ из архива");
                }
                Vec::new()
            }
            PaneAction::BindEans => {
                if state == DocState::New {
                    self.error("Штрихкоды привязываются после приёмки накладной");
                    Vec::new()
                } else {
                    vec![Effect::PrepareBinding { key }]
                }
            }
            _ => Vec::new(),
        }
    }

    fn lists_action(&mut self, action: PaneAction) -> Vec<Effect> {
        use PaneAction as A;
        let i = list_index(self.list);
        match action {
            A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => {
                let len = self.lists[i].len();
                Self::move_cursor(&mut self.scrolls[i], action, len, self.page.get());
                Vec::new()
            }
            A::NextList | A::PrevList => {
                let step = if action == A::NextList { 1 } else { 2 };
                self.list = DocList::ALL[(i + step) % 3];
                Vec::new()
            }
            A::Open => match self.selected() {
                Some(s) => vec![Effect::Open {
                    key: s.key.storage_key(),
                    edit: false,
                }],
                None => Vec::new(),
            },
            A::Accept | A::Differences | A::Reject | A::Delete | A::BindEans => {
                self.common_answer(action)
            }
            _ => Vec::new(),
        }
    }

    fn invoice_action(&mut self, action: PaneAction) -> Vec<Effect> {
        use PaneAction as A;
        let page = self.page.get();
        if let Screen::Invoice(s) = &mut self.screen {
            match action {
                A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => {
                    let len = s.rows.len();
                    Self::move_cursor(&mut s.scroll, action, len, page);
                    return Vec::new();
                }
                A::Back => {
                    self.screen = Screen::Lists;
                    return Vec::new();
                }
                _ => {}
            }
        }
        self.common_answer(action)
    }

    fn editor_action(&mut self, action: PaneAction) -> Vec<Effect> {
        use PaneAction as A;
        let page = self.page.get();
        let Screen::Editor(ed) = &mut self.screen else {
            return Vec::new();
        };
        match action {
            A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => {
                let len = ed.rows.len();
                Self::move_cursor(&mut ed.scroll, action, len, page);
            }
            A::Back => {
                let invoice = ed.invoice.clone();
                self.open_screen(invoice, false);
                self.info("Расхождения отменены, ничего не отправлено");
            }
            A::ScanMode | A::Differences => {
                ed.draft.start_scanning();
                ed.scanning = true;
                self.info(
                    "Сканируйте марки пришедших бутылок: все марки пока считаются недостающими",
                );
            }
            A::Toggle | A::Open => {
                let Some(row) = ed.rows.get(ed.scroll.cursor) else {
                    return Vec::new();
                };
                let result = match row {
                    Row::Mark(p, b, m) => ed
                        .draft
                        .toggle_mark(p as usize, b as usize, m as usize)
                        .map(|_| ()),
                    Row::Box(p, b) => {
                        let line = &ed.draft.lines()[p as usize];
                        let all =
                            line.box_tick(b as usize) == crate::domain::acceptance::BoxTick::All;
                        ed.draft.set_box(p as usize, b as usize, !all)
                    }
                    Row::Position(p) | Row::Details(p) => {
                        let line = &ed.draft.lines()[p as usize];
                        if line.is_stamped() {
                            Err(crate::domain::acceptance::AcceptanceError::StampedQuantity(
                                line.identity.clone(),
                            ))
                        } else {
                            let current = line.real_quantity().normalize().to_string();
                            self.dialog = Some(Dialog::Quantity {
                                line: p as usize,
                                input: Input::new(current),
                            });
                            Ok(())
                        }
                    }
                };
                if let Err(e) = result {
                    self.error(e.message_ru());
                }
            }
            A::Send | A::Accept => {
                let key = ed.invoice.key.storage_key();
                match ed.draft.decision() {
                    Decision::AcceptAll => {
                        let title = ed.invoice.key.to_string();
                        self.info("Расхождений нет: накладная будет принята полностью");
                        self.dialog = Some(Dialog::ConfirmAccept { key, title });
                    }
                    decision => {
                        let lines = ed.draft.differing_lines();
                        self.dialog = Some(Dialog::ConfirmDifferences {
                            key,
                            decision,
                            lines,
                        });
                    }
                }
            }
            A::Reject => return self.common_answer(action),
            _ => {}
        }
        Vec::new()
    }

    fn no_answer_action(&mut self, action: PaneAction) -> Vec<Effect> {
        use PaneAction as A;
        let page = self.page.get();
        let Screen::NoAnswer(s) = &mut self.screen else {
            return Vec::new();
        };
        match action {
            A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => {
                let len = s.entries.len();
                Self::move_cursor(&mut s.scroll, action, len, page);
                Vec::new()
            }
            A::Back => {
                self.screen = Screen::Lists;
                Vec::new()
            }
            A::Open => match s.entries.get(s.scroll.cursor) {
                Some(e) => {
                    let wb = e.wb_reg_id.clone();
                    self.info(format!("Запрошена повторная отправка {wb}"));
                    vec![Effect::QueryResend { wb_reg_id: wb }]
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn dialog_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(dialog) = self.dialog.take() else {
            return Vec::new();
        };
        if key.code == KeyCode::Esc {
            if let Dialog::Binding(_) = dialog {
                self.info("Привязку штрихкодов можно продолжить из архива накладной");
            }
            return Vec::new();
        }
        let enter = key.code == KeyCode::Enter;
        match dialog {
            Dialog::ConfirmAccept { key: k, .. } if enter => vec![Effect::Send {
                key: k,
                decision: Decision::AcceptAll,
            }],
            Dialog::ConfirmDifferences {
                key: k, decision, ..
            } if enter => {
                vec![Effect::Send { key: k, decision }]
            }
            Dialog::ConfirmDelete { key: k, .. } if enter => vec![Effect::Delete { key: k }],
            Dialog::RejectReason {
                key: k,
                title,
                mut input,
            } => {
                if enter {
                    let reason = input.value().trim().to_string();
                    if reason.is_empty() {
                        self.error("Укажите причину отказа");
                        self.dialog = Some(Dialog::RejectReason {
                            key: k,
                            title,
                            input,
                        });
                        return Vec::new();
                    }
                    return vec![Effect::Send {
                        key: k,
                        decision: Decision::Reject { reason },
                    }];
                }
                input.handle_event(&TermEvent::Key(key));
                self.dialog = Some(Dialog::RejectReason {
                    key: k,
                    title,
                    input,
                });
                Vec::new()
            }
            Dialog::Quantity { line, mut input } => {
                if enter {
                    if let Screen::Editor(ed) = &mut self.screen {
                        match ed.draft.set_quantity(line, input.value()) {
                            Ok(_) => {
                                self.message = None;
                                return Vec::new();
                            }
                            Err(e) => self.error(e.message_ru()),
                        }
                    }
                    self.dialog = Some(Dialog::Quantity { line, input });
                    return Vec::new();
                }
                input.handle_event(&TermEvent::Key(key));
                self.dialog = Some(Dialog::Quantity { line, input });
                Vec::new()
            }
            Dialog::Resend { mut input } => {
                if enter {
                    let wb = input.value().trim().to_string();
                    if !wb.starts_with("TTN-") || wb.len() < 6 {
                        self.error("Введите регистрационный номер накладной вида TTN-0123456789");
                        self.dialog = Some(Dialog::Resend { input });
                        return Vec::new();
                    }
                    self.info(format!("Запрошена повторная отправка {wb}"));
                    return vec![Effect::QueryResend { wb_reg_id: wb }];
                }
                input.handle_event(&TermEvent::Key(key));
                self.dialog = Some(Dialog::Resend { input });
                Vec::new()
            }
            Dialog::Binding(mut b) => {
                if enter {
                    let typed = b.input.value().to_string();
                    if typed.trim().is_empty() {
                        // Enter on an empty field skips the product.
                        let _ = b.plan.skip_current();
                        b.error = None;
                        self.dialog = Some(Dialog::Binding(b));
                        return self.finish_binding_if_done();
                    }
                    self.dialog = Some(Dialog::Binding(b));
                    return self.bind_code(&typed);
                }
                b.input.handle_event(&TermEvent::Key(key));
                self.dialog = Some(Dialog::Binding(b));
                Vec::new()
            }
            // A confirmation answered with anything but Enter stays open.
            other => {
                self.dialog = Some(other);
                Vec::new()
            }
        }
    }

    fn bind_code(&mut self, code: &str) -> Vec<Effect> {
        let Some(Dialog::Binding(b)) = &mut self.dialog else {
            return Vec::new();
        };
        let owners = b.owners.clone();
        let result = b.plan.bind_current(code, |ean| {
            owners
                .get(ean)
                .map(|(alc, name)| crate::domain::ProductCard {
                    alc_code: alc.clone(),
                    full_name: name.clone(),
                    short_name: None,
                    eans: vec![ean.to_string()],
                    capacity: None,
                    alc_percent: None,
                    type_code: String::new(),
                    producer: None,
                    is_alcohol: true,
                    needs_stamp: false,
                    price: None,
                })
        });
        match result {
            Ok(_) => {
                b.error = None;
                b.input = Input::default();
            }
            Err(e) => {
                b.error = Some(e.message_ru());
                b.input = Input::default();
                return Vec::new();
            }
        }
        self.finish_binding_if_done()
    }

    fn finish_binding_if_done(&mut self) -> Vec<Effect> {
        let Some(Dialog::Binding(b)) = &self.dialog else {
            return Vec::new();
        };
        if !b.plan.is_done() {
            return Vec::new();
        }
        let bindings: Vec<(String, String, bool)> = b
            .plan
            .items()
            .iter()
            .filter_map(|i| match &i.status {
                BindingStatus::Bound(e) => Some((i.alc_code.clone(), e.clone(), i.stamped)),
                _ => None,
            })
            .collect();
        let skipped = b
            .plan
            .items()
            .iter()
            .filter(|i| i.status == BindingStatus::Skipped)
            .count();
        self.dialog = None;
        if skipped > 0 {
            self.info(format!(
                "Пропущено товаров: {skipped}. Привязать штрихкоды можно позже из архива"
            ));
        }
        if bindings.is_empty() {
            Vec::new()
        } else {
            vec![Effect::BindEans { bindings }]
        }
    }
}

#[cfg(test)]
mod tests;
