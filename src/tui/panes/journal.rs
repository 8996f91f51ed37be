//! Журнал: the order-164 retail journal for a period. Its rows come from the shop's own
//! sales once the sale workflow writes them; the period is chosen here.

use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{DrawCx, Pane, PaneCx, draw_empty};
use crate::tui::app::{Cmd, Modal, Purpose};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Role;
use crate::tui::widgets::dialog::{InputDialog, InputKind};
use crate::tui::widgets::toast::Level;

/// Longest period shown at once: a year, as the journal is kept per year.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalPane {
    /// The period: this many days up to and including today.
    pub days: u32,
}

impl Default for JournalPane {
    fn default() -> Self {
        JournalPane { days: 1 }
    }
}

impl JournalPane {
    pub fn set_days(&mut self, n: i64) -> Vec<Cmd> {
        match u32::try_from(n) {
            Ok(d) if (1..=MAX_DAYS).contains(&n) => {
                self.days = d;
                Vec::new()
            }
            _ => vec![Cmd::Toast(
                Level::Error,
                format!("Период должен быть от 1 до {MAX_DAYS} дней"),
            )],
        }
    }

    fn period(&self, cx: &DrawCx) -> String {
        let today = cx.local(cx.now, "%d.%m.%Y");
        if self.days <= 1 {
            return format!("за {today}");
        }
        let start: Timestamp = cx.now - SignedDuration::from_hours(24 * (i64::from(self.days) - 1));
        format!("с {} по {today}", cx.local(start, "%d.%m.%Y"))
    }
}

impl Pane for JournalPane {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Journal, Context::List]
    }

    fn on_action(&mut self, action: Action, _cx: &PaneCx) -> Vec<Cmd> {
        match action {
            Action::JournalPeriod => vec![Cmd::Modal(Modal::Input(
                InputDialog::new(
                    "Период журнала",
                    &format!("Сколько дней показать (1–{MAX_DAYS}), включая сегодня:"),
                    InputKind::Number {
                        min: 1,
                        max: MAX_DAYS,
                    },
                    Purpose::JournalDays,
                )
                .with_value(&self.days.to_string()),
            ))],
            _ => Vec::new(),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let [head, body] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
        let mode = if cx.info.catering {
            "общепит: разливная продукция — в момент вскрытия тары"
        } else {
            "розница: по каждой проданной единице"
        };
        f.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    "Журнал учёта объёма розничной продажи алкогольной продукции (приказ 164)",
                    cx.style(Role::Accent),
                ),
                Line::from(vec![
                    Span::styled("Период: ", cx.style(Role::Dim)),
                    Span::raw(self.period(cx)),
                    Span::styled(
                        format!("   ({} — изменить)", cx.key(Action::JournalPeriod)),
                        cx.style(Role::Dim),
                    ),
                ]),
                Line::from(vec![
                    Span::styled("Учёт: ", cx.style(Role::Dim)),
                    Span::raw(mode),
                ]),
            ]),
            head,
        );
        draw_empty(f, body, cx, &[("Записей за период нет", Role::Normal)]);
    }
}
