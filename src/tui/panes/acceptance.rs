//! Приёмка: documents in three lists — Новые, На рассмотрении, Архив — each ordered by what
//! needs action first; refused documents in red with EGAIS's reason. The acceptance
//! workflow (accept, discrepancies, reject) builds on this pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::{DrawCx, Pane, PaneCx, draw_empty, fit};
use crate::domain::document::{DocList, DocState};
use crate::domain::workdays::WorkCalendar;
use crate::store::documents::DocKind;
use crate::tui::acceptance as work;
use crate::tui::app::{Cmd, Effect};
use crate::tui::keymap::{Action, Context};
use crate::tui::read_model::{DocCounts, DocDetail, DocRow, Page};
use crate::tui::scan_input::ScanEvent;
use crate::tui::theme::Role;
use crate::tui::widgets::list_window::{ListWindow, PAGE};
use crate::tui::widgets::toast::Level;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Loading(String),
    Shown(DocDetail),
    Missing(String),
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct AcceptancePane {
    pub active: usize,
    pub lists: [ListWindow<DocRow>; 3],
    pub detail: Option<Detail>,
    pub counts: Option<DocCounts>,
    /// The invoice workflow is available (the app runs over the shop's database);
    /// the value is the "scan barcodes on acceptance" setting.
    pub workflow: Option<bool>,
    /// The invoice workflow on screen (an invoice, the discrepancy editor, the invoice
    /// lists by deadline), over the register lists until the cashier goes back.
    pub work: Option<Box<work::AcceptancePane>>,
    /// Opened from a register row: going back from the invoice returns to the register.
    from_register: bool,
    /// What the cashier pressed on a register row, done once the invoice is loaded.
    pending: Option<work::PaneAction>,
    /// The register row being opened in the workflow; a document the workflow does not
    /// know falls back to the register's own detail view.
    opening: Option<String>,
    /// Working days for the answer deadlines.
    calendar: WorkCalendar,
}

fn list_at(i: usize) -> DocList {
    DocList::ALL[i % DocList::ALL.len()]
}

impl AcceptancePane {
    pub fn active_list(&self) -> DocList {
        list_at(self.active)
    }

    fn window(&mut self) -> &mut ListWindow<DocRow> {
        &mut self.lists[self.active]
    }

    fn load(list: DocList, offset: Option<usize>) -> Vec<Cmd> {
        offset
            .map(|offset| {
                Cmd::Effect(Effect::LoadDocuments {
                    list,
                    offset,
                    limit: PAGE,
                })
            })
            .into_iter()
            .collect()
    }

    fn load_active(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        let list = self.active_list();
        let offset = self.window().needed_page(cx.body_rows);
        Self::load(list, offset)
    }

    pub fn on_counts(&mut self, result: Result<DocCounts, String>, cx: &PaneCx) -> Vec<Cmd> {
        let Ok(counts) = result else {
            return Vec::new();
        };
        self.counts = Some(counts);
        // A list already on screen whose size changed (a new invoice arrived, a ticket
        // moved one to the archive) is read again around the cursor.
        let mut cmds = Vec::new();
        for (i, w) in self.lists.iter_mut().enumerate() {
            if w.total.is_some_and(|t| t != counts.of(list_at(i))) {
                w.invalidate();
                if i == self.active {
                    cmds.extend(Self::load(list_at(i), w.needed_page(cx.body_rows)));
                }
            }
        }
        cmds
    }

    pub fn on_documents(
        &mut self,
        list: DocList,
        result: Result<Page<DocRow>, String>,
        cx: &PaneCx,
    ) -> Vec<Cmd> {
        let Some(i) = DocList::ALL.iter().position(|l| *l == list) else {
            return Vec::new();
        };
        let w = &mut self.lists[i];
        match result {
            Ok(page) => {
                w.apply(page);
                Self::load(list, w.needed_page(cx.body_rows))
            }
            Err(e) => {
                w.fail(e);
                Vec::new()
            }
        }
    }

    /// Turns the invoice workflow on (called once at start over a real database).
    pub fn enable_workflow(&mut self, scan_barcodes: bool, calendar: WorkCalendar) {
        self.workflow = Some(scan_barcodes);
        self.calendar = calendar;
    }

    fn work_cmds(effects: Vec<work::Effect>) -> Vec<Cmd> {
        effects
            .into_iter()
            .map(|e| Cmd::Effect(Effect::Acceptance(e)))
            .collect()
    }

    fn open_work(&mut self, from_register: bool) -> &mut work::AcceptancePane {
        let scan = self.workflow.unwrap_or(false);
        let calendar = self.calendar.clone();
        self.from_register = from_register;
        self.work.get_or_insert_with(|| {
            // The real date arrives with the first answer (`on_acceptance`).
            Box::new(work::AcceptancePane::new(
                jiff::civil::date(2000, 1, 1),
                calendar,
                scan,
            ))
        })
    }

    fn refresh_register(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        for w in &mut self.lists {
            w.invalidate();
        }
        let mut cmds = vec![Cmd::Effect(Effect::LoadDocCounts)];
        cmds.extend(self.load_active(cx));
        cmds
    }

    /// An answer of the invoice workflow, or news from the exchange engine.
    pub fn on_acceptance(
        &mut self,
        event: work::Event,
        today: jiff::civil::Date,
        cx: &PaneCx,
    ) -> Vec<Cmd> {
        let changes_register = matches!(
            event,
            work::Event::Changed | work::Event::Sent { .. } | work::Event::Done(_)
        );
        let mut cmds = if changes_register {
            self.refresh_register(cx)
        } else {
            Vec::new()
        };
        if let (Some(id), work::Event::Failed(_)) = (&self.opening, &event) {
            let id = id.clone();
            self.work = None;
            self.pending = None;
            self.opening = None;
            self.detail = Some(Detail::Loading(id.clone()));
            cmds.push(Cmd::Effect(Effect::LoadDocument { id }));
            return cmds;
        }
        let Some(w) = self.work.as_mut() else {
            return cmds;
        };
        w.today = today;
        let opened = matches!(event, work::Event::Opened { .. });
        if opened {
            self.opening = None;
        }
        cmds.extend(Self::work_cmds(w.handle_event(event)));
        if opened && let Some(p) = self.pending.take() {
            let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Null);
            cmds.extend(Self::work_cmds(w.handle_key(key, Some(p))));
        }
        cmds
    }

    /// The keymap's action as the invoice workflow understands it.
    fn work_action(action: Action) -> Option<work::PaneAction> {
        use work::PaneAction as P;
        Some(match action {
            Action::Up => P::Up,
            Action::Down => P::Down,
            Action::PageUp => P::PageUp,
            Action::PageDown => P::PageDown,
            Action::Home => P::Home,
            Action::End => P::End,
            Action::Open => P::Open,
            Action::Back => P::Back,
            Action::NextList => P::NextList,
            Action::PrevList => P::PrevList,
            Action::Refresh | Action::AcceptanceInvoices => P::Refresh,
            Action::AcceptanceAccept => P::Accept,
            Action::AcceptanceDifferences => P::Differences,
            Action::AcceptanceReject => P::Reject,
            Action::AcceptanceToggle => P::Toggle,
            Action::AcceptanceSend => P::Send,
            Action::AcceptanceDelete => P::Delete,
            Action::AcceptanceQueryNattn => P::QueryNoAnswer,
            Action::AcceptanceResend => P::Resend,
            Action::AcceptanceBindEans => P::BindEans,
            _ => return None,
        })
    }

    /// Keys while the invoice workflow is on screen.
    fn work_on_action(&mut self, action: Action, cx: &PaneCx) -> Vec<Cmd> {
        let Some(w) = self.work.as_mut() else {
            return Vec::new();
        };
        let leaving = action == Action::Back
            && w.dialog.is_none()
            && match &w.screen {
                work::Screen::Lists => true,
                work::Screen::Invoice(_) => self.from_register,
                _ => false,
            };
        if leaving {
            self.work = None;
            self.pending = None;
            self.opening = None;
            return self.refresh_register(cx);
        }
        match Self::work_action(action) {
            Some(p) => {
                let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Null);
                Self::work_cmds(w.handle_key(key, Some(p)))
            }
            None => Vec::new(),
        }
    }

    /// Acceptance keys on the register lists: an incoming invoice opens in the workflow.
    fn register_acceptance_action(&mut self, action: Action) -> Option<Vec<Cmd>> {
        self.workflow?;
        use work::PaneAction as P;
        match action {
            Action::AcceptanceInvoices => {
                self.open_work(false);
                return Some(Self::work_cmds(vec![work::Effect::Reload]));
            }
            Action::AcceptanceQueryNattn | Action::AcceptanceResend => {
                let p = Self::work_action(action)?;
                let w = self.open_work(false);
                let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Null);
                let mut cmds = Self::work_cmds(vec![work::Effect::Reload]);
                cmds.extend(Self::work_cmds(w.handle_key(key, Some(p))));
                return Some(cmds);
            }
            _ => {}
        }
        let (pending, edit) = match action {
            Action::Open => (None, false),
            Action::AcceptanceDifferences => (None, true),
            Action::AcceptanceAccept => (Some(P::Accept), false),
            Action::AcceptanceReject => (Some(P::Reject), false),
            Action::AcceptanceDelete => (Some(P::Delete), false),
            Action::AcceptanceBindEans => (Some(P::BindEans), false),
            _ => return None,
        };
        let row = self.lists[self.active].selected_row()?.clone();
        if row.kind != DocKind::IncomingWayBill.label_ru() {
            if action == Action::Open {
                // Other documents keep the register's own detail view.
                return None;
            }
            return Some(vec![Cmd::Toast(
                Level::Warn,
                format!(
                    "«{}» — не входящая накладная: приёмка к нему не относится",
                    row.kind
                ),
            )]);
        }
        self.open_work(true);
        self.pending = pending;
        self.opening = Some(row.id.clone());
        Some(Self::work_cmds(vec![
            work::Effect::Reload,
            work::Effect::Open { key: row.id, edit },
        ]))
    }

    pub fn on_document(&mut self, result: Result<Option<DocDetail>, String>) -> Vec<Cmd> {
        let Some(Detail::Loading(id)) = &self.detail else {
            return Vec::new();
        };
        self.detail = Some(match result {
            Ok(Some(d)) if &d.row.id == id => Detail::Shown(d),
            Ok(Some(_)) => return Vec::new(),
            Ok(None) => Detail::Missing(id.clone()),
            Err(e) => Detail::Failed(e),
        });
        Vec::new()
    }
}

impl Pane for AcceptancePane {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Acceptance, Context::List]
    }

    fn on_enter(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        self.load_active(cx)
    }

    fn on_resize(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        self.load_active(cx)
    }

    fn on_data_changed(&mut self, cx: &PaneCx, visible: bool) -> Vec<Cmd> {
        for w in &mut self.lists {
            w.invalidate();
        }
        if !visible {
            return Vec::new();
        }
        let mut cmds = self.load_active(cx);
        if let Some(w) = self.work.as_mut() {
            cmds.extend(Self::work_cmds(w.handle_event(work::Event::Changed)));
        }
        if let Some(Detail::Shown(d)) = &self.detail {
            let id = d.row.id.clone();
            cmds.push(Cmd::Effect(Effect::LoadDocument { id: id.clone() }));
            self.detail = Some(Detail::Loading(id));
        }
        cmds
    }

    fn on_action(&mut self, action: Action, cx: &PaneCx) -> Vec<Cmd> {
        if self.work.is_some() {
            return self.work_on_action(action, cx);
        }
        if self.detail.is_none()
            && let Some(cmds) = self.register_acceptance_action(action)
        {
            return cmds;
        }
        if self.detail.is_some() {
            if action == Action::Back {
                self.detail = None;
            }
            return Vec::new();
        }
        let rows = cx.body_rows;
        let list = self.active_list();
        let w = self.window();
        let offset = match action {
            Action::Up => w.move_by(-1, rows),
            Action::Down => w.move_by(1, rows),
            Action::PageUp => w.move_by(-(rows as isize), rows),
            Action::PageDown => w.move_by(rows as isize, rows),
            Action::Home => w.select(0, rows),
            Action::End => w.select(usize::MAX, rows),
            Action::NextList | Action::PrevList => {
                let n = DocList::ALL.len();
                self.active = if action == Action::NextList {
                    (self.active + 1) % n
                } else {
                    (self.active + n - 1) % n
                };
                return self.load_active(cx);
            }
            Action::Open => {
                return match w.selected_row() {
                    Some(row) => {
                        let id = row.id.clone();
                        self.detail = Some(Detail::Loading(id.clone()));
                        vec![Cmd::Effect(Effect::LoadDocument { id })]
                    }
                    None => Vec::new(),
                };
            }
            Action::Refresh => {
                for w in &mut self.lists {
                    w.invalidate();
                }
                let mut cmds = vec![Cmd::Effect(Effect::LoadDocCounts)];
                cmds.extend(self.load_active(cx));
                return cmds;
            }
            _ => None,
        };
        Self::load(list, offset)
    }

    fn on_raw_key(&mut self, key: &crossterm::event::KeyEvent) -> Option<Vec<Cmd>> {
        let w = self.work.as_mut()?;
        w.dialog.as_ref()?;
        Some(Self::work_cmds(w.handle_key(*key, None)))
    }

    fn on_scan(&mut self, scan: &ScanEvent, _now: jiff::Timestamp) -> Vec<Cmd> {
        match self.work.as_mut() {
            Some(w) => Self::work_cmds(w.handle_scan(&scan.code)),
            None => vec![Cmd::Toast(
                Level::Warn,
                "Марки сканируются в накладной: выберите её и нажмите «расхождения»".into(),
            )],
        }
    }

    fn unsaved(&self) -> Option<String> {
        match self.work.as_deref().map(|w| &w.screen) {
            Some(work::Screen::Editor(e)) if e.draft.differing_lines() > 0 => {
                Some("акт расхождений не отправлен".into())
            }
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        if let Some(w) = &self.work {
            work::draw::draw(w, area, f.buffer_mut(), cx.theme);
            return;
        }
        if let Some(detail) = &self.detail {
            draw_detail(f, area, cx, detail);
            return;
        }
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        draw_list_tabs(f, tabs, cx, self);
        let w = &self.lists[self.active];
        let list = self.active_list();
        if let Some(e) = &w.error {
            draw_empty(
                f,
                body,
                cx,
                &[
                    ("Список не прочитан:", Role::Error),
                    (e.as_str(), Role::Error),
                ],
            );
            return;
        }
        if !w.is_loaded() {
            draw_empty(f, body, cx, &[("Загрузка…", Role::Dim)]);
            return;
        }
        if w.is_empty() {
            let text = match list {
                DocList::New => "Нет новых накладных",
                DocList::UnderReview => "Нет документов на рассмотрении",
                DocList::Archive => "Архив пуст",
            };
            let hint = match list {
                DocList::New => "Накладные из ЕГАИС появятся здесь, как только УТМ их получит",
                _ => "",
            };
            draw_empty(f, body, cx, &[(text, Role::Normal), (hint, Role::Dim)]);
            return;
        }
        draw_table(f, body, cx, w);
    }
}

fn draw_list_tabs(f: &mut Frame, area: Rect, cx: &DrawCx, pane: &AcceptancePane) {
    let counts = pane.counts.or(cx.doc_counts);
    let mut spans = Vec::new();
    for (i, list) in DocList::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", cx.style(Role::Dim)));
        }
        let n = counts.map(|c| c.of(*list));
        let mut label = match n {
            Some(n) => format!(" {} ({n}) ", list.label_ru()),
            None => format!(" {} ", list.label_ru()),
        };
        let rejected = counts.map(|c| c.rejected).unwrap_or(0);
        if *list == DocList::UnderReview && rejected > 0 {
            label = format!(
                "{}, отклонено {rejected}) ",
                label.trim_end().trim_end_matches(')')
            );
        }
        let role = if i == pane.active {
            Role::Selected
        } else if *list == DocList::New && n.unwrap_or(0) > 0 {
            Role::Warn
        } else {
            Role::Normal
        };
        spans.push(Span::styled(label, cx.style(role)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn state_text(state: &DocState) -> String {
    match state {
        DocState::Rejected { reason } => {
            format!("Отклонён: {}", crate::text::sanitize(reason))
        }
        other => other.label_ru().to_string(),
    }
}

fn draw_table(f: &mut Frame, area: Rect, cx: &DrawCx, w: &ListWindow<DocRow>) {
    // The last row explains the selected document when the columns are too narrow for it.
    let [table, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let height = table.height.saturating_sub(1) as usize;
    let widths = [
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(16),
    ];
    let header = Row::new(["Дата", "Номер", "Контрагент", "Содержание", "Состояние"])
        .style(cx.style(Role::Accent));
    let rows: Vec<Row> = w
        .visible(height)
        .into_iter()
        .map(|(i, row)| {
            let Some(r) = row else {
                return Row::new(["…"]).style(cx.style(Role::Dim));
            };
            let role = if i == w.selected {
                Role::Selected
            } else if r.state.is_rejected() {
                Role::Rejected
            } else {
                Role::Normal
            };
            Row::new([
                r.date.clone(),
                r.number.clone(),
                r.counterparty.clone(),
                r.summary.clone(),
                state_text(&r.state),
            ])
            .style(cx.style(role))
        })
        .collect();
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table,
    );
    let note = match w.selected_row() {
        Some(r) if r.state.is_rejected() => Line::styled(
            fit(
                &format!("{}: {}", r.kind, state_text(&r.state)),
                footer.width as usize,
            ),
            cx.style(Role::Rejected),
        ),
        Some(r) => Line::styled(
            fit(
                &format!(
                    "{} — {}   {} — открыть",
                    r.kind,
                    r.state.label_ru(),
                    cx.key(Action::Open)
                ),
                footer.width as usize,
            ),
            cx.style(Role::Dim),
        ),
        None => Line::default(),
    };
    f.render_widget(Paragraph::new(note), footer);
}

fn draw_detail(f: &mut Frame, area: Rect, cx: &DrawCx, detail: &Detail) {
    let back = format!("{} — назад к списку", cx.key(Action::Back));
    let d = match detail {
        Detail::Loading(_) => {
            return draw_empty(f, area, cx, &[("Загрузка документа…", Role::Dim)]);
        }
        Detail::Missing(id) => {
            let text = format!("Документ {id} не найден: возможно, он удалён");
            return draw_empty(
                f,
                area,
                cx,
                &[(text.as_str(), Role::Warn), (back.as_str(), Role::Dim)],
            );
        }
        Detail::Failed(e) => {
            return draw_empty(
                f,
                area,
                cx,
                &[(e.as_str(), Role::Error), (back.as_str(), Role::Dim)],
            );
        }
        Detail::Shown(d) => d,
    };
    let r = &d.row;
    let title = format!(" {} № {} от {} ", r.kind, r.number, r.date);
    let block = Block::bordered()
        .border_set(cx.theme.borders.set())
        .border_style(cx.style(if r.state.is_rejected() {
            Role::Rejected
        } else {
            Role::Dim
        }))
        .title(Span::styled(title, cx.style(Role::Accent)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let label = |t: &'static str| Span::styled(t, cx.style(Role::Dim));
    let state_role = if r.state.is_rejected() {
        Role::Rejected
    } else {
        Role::Normal
    };
    let mut lines = vec![
        Line::from(vec![
            label("Контрагент: "),
            Span::raw(r.counterparty.as_str()),
        ]),
        Line::from(vec![label("Содержание: "), Span::raw(r.summary.as_str())]),
        Line::from(vec![
            label("Состояние:  "),
            Span::styled(state_text(&r.state), cx.style(state_role)),
        ]),
        Line::from(vec![
            label("Получен:    "),
            Span::raw(cx.local(r.created_at, "%d.%m.%Y %H:%M")),
        ]),
        Line::default(),
        Line::styled("История:", cx.style(Role::Accent)),
    ];
    if d.history.is_empty() {
        lines.push(Line::styled("  записей нет", cx.style(Role::Dim)));
    }
    for h in &d.history {
        let note = h
            .note
            .as_deref()
            .map(|n| format!(" — {}", crate::text::sanitize(n)))
            .unwrap_or_default();
        let role = if h.state.is_rejected() {
            Role::Rejected
        } else {
            Role::Normal
        };
        lines.push(Line::styled(
            fit(
                &format!(
                    "  {}  {}{}",
                    cx.local(h.at, "%d.%m.%Y %H:%M"),
                    state_text(&h.state),
                    note
                ),
                inner.width as usize,
            ),
            cx.style(role),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled(back, cx.style(Role::Dim)));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
