//! One module per pane: its own state, its reaction to actions and scans, and its drawing.
//! Panes never touch the terminal or the database: they return `Cmd`s.

pub mod acceptance;
pub mod journal;
pub mod sale;
pub mod settings;
pub mod stock;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{AppInfo, Cmd, Status};
use super::keymap::{Action, Context, Keymap};
use super::read_model::DocCounts;
use super::scan_input::ScanEvent;
use super::theme::{Role, Theme};
use super::widgets::toast::Level;

/// What a pane needs to know to react to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneCx {
    /// Rows visible in a list, for paging.
    pub body_rows: usize,
}

/// Read-only view of the app for drawing.
pub struct DrawCx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub info: &'a AppInfo,
    pub status: &'a Status,
    pub doc_counts: Option<DocCounts>,
    pub now: Timestamp,
}

impl DrawCx<'_> {
    pub fn style(&self, role: Role) -> ratatui::style::Style {
        self.theme.style(role)
    }

    /// The key label for an action under the active keymap ("F6"), or "—" if unbound.
    pub fn key(&self, action: Action) -> String {
        self.keymap
            .key_for(action)
            .map(|k| k.to_string())
            .unwrap_or_else(|| "—".into())
    }

    /// Local wall-clock time in the configured zone.
    pub fn local(&self, t: Timestamp, fmt: &str) -> String {
        t.to_zoned_datetime(self.info.tz.clone())
            .strftime(fmt)
            .to_string()
    }
}

pub trait Pane {
    /// Key sections for this pane, most specific first (Global is added by the app).
    fn contexts(&self) -> &'static [Context];

    /// The pane became visible: load what it shows, if not loaded yet.
    fn on_enter(&mut self, _cx: &PaneCx) -> Vec<Cmd> {
        Vec::new()
    }

    fn on_resize(&mut self, _cx: &PaneCx) -> Vec<Cmd> {
        Vec::new()
    }

    /// The database changed: forget loaded rows; read again at once if `visible`.
    fn on_data_changed(&mut self, _cx: &PaneCx, _visible: bool) -> Vec<Cmd> {
        Vec::new()
    }

    fn on_action(&mut self, action: Action, cx: &PaneCx) -> Vec<Cmd>;

    /// A pane with its own text entry open (the acceptance dialogs) takes the raw key
    /// before the keymap does; `None` lets the keymap handle it.
    fn on_raw_key(&mut self, _key: &crossterm::event::KeyEvent) -> Option<Vec<Cmd>> {
        None
    }

    fn on_scan(&mut self, _scan: &ScanEvent, _now: Timestamp) -> Vec<Cmd> {
        vec![Cmd::Toast(
            Level::Warn,
            "На этом экране скан не используется: для продажи откройте «Продажа»".into(),
        )]
    }

    /// Work that would be lost on exit, in words.
    fn unsaved(&self) -> Option<String> {
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx);
}

/// A centred message for an empty list or an unloaded screen.
pub fn draw_empty(f: &mut Frame, area: Rect, cx: &DrawCx, lines: &[(&str, Role)]) {
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let mut text: Vec<Line> = (0..top).map(|_| Line::default()).collect();
    text.extend(
        lines
            .iter()
            .map(|(t, role)| Line::from(Span::styled(*t, cx.style(*role))).centered()),
    );
    f.render_widget(Paragraph::new(text), area);
}

/// Shortens `s` to `width` characters with an ellipsis.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}
