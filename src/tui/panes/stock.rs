//! Остатки: the product cards the shop knows, page by page, with the details of the
//! selected one. EGAIS stock registers (ReplyRests) arrive with the stock workflow; until
//! a query has been answered the pane says so instead of showing invented numbers.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::{DrawCx, Pane, PaneCx, draw_empty, fit};
use crate::tui::app::{Cmd, Effect, Modal, Purpose};
use crate::tui::keymap::{Action, Context};
use crate::tui::read_model::{Page, ProductRow};
use crate::tui::theme::Role;
use crate::tui::widgets::list_window::{ListWindow, PAGE};
use crate::tui::widgets::picker::{PickItem, PickSource, Picker};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockPane {
    pub list: ListWindow<ProductRow>,
    /// A product chosen through the search, shown instead of the cursor's.
    pub picked: Option<ProductRow>,
}

impl StockPane {
    fn load(offset: Option<usize>) -> Vec<Cmd> {
        offset
            .map(|offset| {
                Cmd::Effect(Effect::LoadProducts {
                    offset,
                    limit: PAGE,
                })
            })
            .into_iter()
            .collect()
    }

    pub fn on_products(
        &mut self,
        result: Result<Page<ProductRow>, String>,
        cx: &PaneCx,
    ) -> Vec<Cmd> {
        match result {
            Ok(page) => {
                self.list.apply(page);
                Self::load(self.list.needed_page(cx.body_rows))
            }
            Err(e) => {
                self.list.fail(e);
                Vec::new()
            }
        }
    }

    pub fn on_pick(&mut self, item: PickItem, _cx: &PaneCx) -> Vec<Cmd> {
        vec![Cmd::Effect(Effect::LoadProduct { alc_code: item.key })]
    }

    pub fn on_product(&mut self, result: Result<Option<ProductRow>, String>) -> Vec<Cmd> {
        match result {
            Ok(found) => {
                self.picked = found;
                Vec::new()
            }
            Err(e) => vec![Cmd::Toast(
                crate::tui::widgets::toast::Level::Error,
                format!("Карточка не прочитана: {e}"),
            )],
        }
    }

    fn shown(&self) -> Option<&ProductRow> {
        self.picked.as_ref().or_else(|| self.list.selected_row())
    }
}

impl Pane for StockPane {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Stock, Context::List]
    }

    fn on_enter(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        Self::load(self.list.needed_page(cx.body_rows))
    }

    fn on_resize(&mut self, cx: &PaneCx) -> Vec<Cmd> {
        self.on_enter(cx)
    }

    fn on_data_changed(&mut self, cx: &PaneCx, visible: bool) -> Vec<Cmd> {
        self.list.invalidate();
        if visible {
            self.on_enter(cx)
        } else {
            Vec::new()
        }
    }

    fn on_action(&mut self, action: Action, cx: &PaneCx) -> Vec<Cmd> {
        let rows = cx.body_rows.saturating_sub(5).max(1);
        let offset = match action {
            Action::Up => self.list.move_by(-1, rows),
            Action::Down => self.list.move_by(1, rows),
            Action::PageUp => self.list.move_by(-(rows as isize), rows),
            Action::PageDown => self.list.move_by(rows as isize, rows),
            Action::Home => self.list.select(0, rows),
            Action::End => self.list.select(usize::MAX, rows),
            Action::Search => {
                return vec![Cmd::Modal(Modal::Picker(Picker::new(
                    "Найти товар: название, алкокод или штрихкод",
                    PickSource::Products,
                    Purpose::StockFind,
                )))];
            }
            Action::Back => {
                self.picked = None;
                None
            }
            Action::Refresh => {
                self.list.invalidate();
                self.picked = None;
                self.list.needed_page(rows)
            }
            _ => None,
        };
        if matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End
        ) {
            self.picked = None;
        }
        Self::load(offset)
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let [head, table, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(5),
        ])
        .areas(area);
        let count = match self.list.total {
            Some(n) => format!("Карточек товаров: {n}"),
            None => String::new(),
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Остатки ЕГАИС ещё не запрашивались", cx.style(Role::Warn)),
                Span::styled(format!("   {count}"), cx.style(Role::Dim)),
            ])),
            head,
        );
        if let Some(e) = &self.list.error {
            draw_empty(
                f,
                table,
                cx,
                &[
                    ("Товары не прочитаны:", Role::Error),
                    (e.as_str(), Role::Error),
                ],
            );
        } else if !self.list.is_loaded() {
            draw_empty(f, table, cx, &[("Загрузка…", Role::Dim)]);
        } else if self.list.is_empty() {
            draw_empty(
                f,
                table,
                cx,
                &[
                    ("Карточек товаров нет", Role::Normal),
                    (
                        "Они появятся после приёмки первой накладной (Приёмка)",
                        Role::Dim,
                    ),
                ],
            );
        } else {
            draw_table(f, table, cx, &self.list);
        }
        draw_detail(f, detail, cx, self.shown());
    }
}

fn draw_table(f: &mut Frame, area: Rect, cx: &DrawCx, w: &ListWindow<ProductRow>) {
    let height = area.height.saturating_sub(1) as usize;
    let header = Row::new([
        "Наименование",
        "Алкокод",
        "Объём",
        "Крепость",
        "Штрихкод",
        "Цена, руб.",
    ])
    .style(cx.style(Role::Accent));
    let rows: Vec<Row> = w
        .visible(height)
        .into_iter()
        .map(|(i, row)| {
            let Some(p) = row else {
                return Row::new(["…"]).style(cx.style(Role::Dim));
            };
            let role = if i == w.selected {
                Role::Selected
            } else {
                Role::Normal
            };
            Row::new([
                p.name.clone(),
                p.alc_code.clone(),
                p.capacity.clone().unwrap_or_default(),
                p.alc_percent.clone().unwrap_or_default(),
                p.eans
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "не привязан".into()),
                p.price.clone().unwrap_or_default(),
            ])
            .style(cx.style(role))
        })
        .collect();
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(19),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(13),
        Constraint::Length(11),
    ];
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

fn draw_detail(f: &mut Frame, area: Rect, cx: &DrawCx, p: Option<&ProductRow>) {
    let block = Block::bordered()
        .border_set(cx.theme.borders.set())
        .border_style(cx.style(Role::Dim))
        .title(Span::styled(" Карточка ", cx.style(Role::Accent)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(p) = p else {
        let hint = format!("{} — найти товар", cx.key(Action::Search));
        f.render_widget(Paragraph::new(hint).style(cx.style(Role::Dim)), inner);
        return;
    };
    let label = |t: &'static str| Span::styled(t, cx.style(Role::Dim));
    let width = inner.width as usize;
    let eans = if p.eans.is_empty() {
        Span::styled("не привязаны: товар нельзя продать", cx.style(Role::Warn))
    } else {
        Span::raw(p.eans.join(", "))
    };
    let lines = vec![
        Line::from(vec![
            label("Полное наименование: "),
            Span::raw(fit(&p.full_name, width.saturating_sub(21))),
        ]),
        Line::from(vec![
            label("Производитель: "),
            Span::raw(fit(
                p.producer.as_deref().unwrap_or("—"),
                width.saturating_sub(40),
            )),
            label("   Марка: "),
            Span::raw(if p.needs_stamp {
                "нужна"
            } else {
                "не нужна"
            }),
        ]),
        Line::from(vec![label("Штрихкоды: "), eans]),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}
