//! Продажа: the cheque being built and the last scan, classified. The sale workflow itself
//! (lines, stamps checked against the register, the cheque to the UTM) fills this pane.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{DrawCx, Pane, PaneCx, draw_empty};
use crate::tui::app::{Cmd, Effect, Modal, Purpose};
use crate::tui::keymap::{Action, Context};
use crate::tui::read_model::ProductRow;
use crate::tui::scan_input::{ScanEvent, ScanSource, describe_code, is_barcode};
use crate::tui::theme::Role;
use crate::tui::widgets::dialog::{InputDialog, InputKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Not a barcode the catalogue is searched by.
    NotApplicable,
    Pending,
    Found(ProductRow),
    NotFound,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastScan {
    /// The raw code, for lookups.
    pub code: String,
    /// The code as it may be shown (sanitised, GS visible).
    pub shown: String,
    pub kind: String,
    pub hint: &'static str,
    /// The scanner's own repair note (Russian layout, Caps Lock).
    pub warning: Option<&'static str>,
    pub source: &'static str,
    pub took_ms: u128,
    pub at: Timestamp,
    pub lookup: Lookup,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalePane {
    pub last_scan: Option<LastScan>,
}

impl SalePane {
    fn record(
        &mut self,
        code: &str,
        source: &'static str,
        warning: Option<&'static str>,
        took_ms: u128,
        now: Timestamp,
    ) -> Vec<Cmd> {
        let (kind, hint) = describe_code(code);
        let is_ean = is_barcode(code);
        self.last_scan = Some(LastScan {
            code: code.to_string(),
            shown: crate::text::display_code(code),
            kind,
            hint,
            source,
            warning,
            took_ms,
            at: now,
            lookup: if is_ean {
                Lookup::Pending
            } else {
                Lookup::NotApplicable
            },
        });
        if is_ean {
            vec![Cmd::Effect(Effect::LookupEan {
                ean: code.to_string(),
            })]
        } else {
            Vec::new()
        }
    }

    pub fn on_manual_code(&mut self, code: &str, now: Timestamp) -> Vec<Cmd> {
        self.record(code, "ввод вручную", None, 0, now)
    }

    pub fn on_product(
        &mut self,
        ean: &str,
        result: Result<Option<ProductRow>, String>,
    ) -> Vec<Cmd> {
        if let Some(scan) = self.last_scan.as_mut().filter(|s| s.code == ean) {
            scan.lookup = match result {
                Ok(Some(p)) => Lookup::Found(p),
                Ok(None) => Lookup::NotFound,
                Err(e) => Lookup::Failed(e),
            };
        }
        Vec::new()
    }
}

impl Pane for SalePane {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Sale]
    }

    fn on_action(&mut self, action: Action, _cx: &PaneCx) -> Vec<Cmd> {
        match action {
            Action::SaleManualCode => vec![Cmd::Modal(Modal::Input(InputDialog::new(
                "Ввод кода",
                "Штрихкод или акцизная марка:",
                InputKind::Code,
                Purpose::SaleManualCode,
            )))],
            _ => Vec::new(),
        }
    }

    fn on_scan(&mut self, scan: &ScanEvent, now: Timestamp) -> Vec<Cmd> {
        let source = match scan.source {
            ScanSource::Evdev => "сканер",
            ScanSource::Terminal => "сканер (через клавиатуру)",
        };
        self.record(
            &scan.code,
            source,
            scan.warning_ru(),
            scan.took.as_millis(),
            now,
        )
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let [cheque, scan] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(area);
        let block = Block::bordered()
            .border_set(cx.theme.borders.set())
            .border_style(cx.style(Role::Dim))
            .title(Span::styled(" Чек ", cx.style(Role::Accent)));
        let inner = block.inner(cheque);
        f.render_widget(block, cheque);
        let hint = format!(
            "Отсканируйте товар или нажмите {} — ввести код вручную",
            cx.key(Action::SaleManualCode)
        );
        draw_empty(
            f,
            inner,
            cx,
            &[("Чек пуст", Role::Normal), (hint.as_str(), Role::Dim)],
        );

        let block = Block::bordered()
            .border_set(cx.theme.borders.set())
            .border_style(cx.style(Role::Dim))
            .title(Span::styled(" Последний скан ", cx.style(Role::Accent)));
        let inner = block.inner(scan);
        f.render_widget(block, scan);
        let Some(s) = &self.last_scan else {
            f.render_widget(
                Paragraph::new("Сканов ещё не было").style(cx.style(Role::Dim)),
                inner,
            );
            return;
        };
        let label = |t: &'static str| Span::styled(t, cx.style(Role::Dim));
        let mut lines = vec![
            Line::from(vec![
                label("Код:   "),
                Span::raw(super::fit(&s.shown, inner.width.saturating_sub(7) as usize)),
            ]),
            Line::from(vec![
                label("Тип:   "),
                Span::styled(s.kind.clone(), cx.style(Role::Accent)),
                Span::styled(
                    format!("  ({}, {} мс)", s.source, s.took_ms),
                    cx.style(Role::Dim),
                ),
            ]),
        ];
        let product = match &s.lookup {
            Lookup::NotApplicable => None,
            Lookup::Pending => Some(Span::styled("поиск…", cx.style(Role::Dim))),
            Lookup::Found(p) => Some(Span::styled(
                format!("{} {}", p.name, p.capacity.clone().unwrap_or_default()),
                cx.style(Role::Ok),
            )),
            Lookup::NotFound => Some(Span::styled(
                "штрихкод не привязан ни к одному товару: привяжите его при приёмке",
                cx.style(Role::Warn),
            )),
            Lookup::Failed(e) => Some(Span::styled(e.clone(), cx.style(Role::Error))),
        };
        if let Some(p) = product {
            lines.push(Line::from(vec![label("Товар: "), p]));
        }
        if let Some(w) = s.warning {
            lines.push(Line::styled(format!("Внимание: {w}"), cx.style(Role::Warn)));
        }
        if !s.hint.is_empty() {
            lines.push(Line::styled(s.hint, cx.style(Role::Warn)));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}
