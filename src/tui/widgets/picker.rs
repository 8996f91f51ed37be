//! A searchable list picker: the cashier types, the matching items (fetched by an effect,
//! so a catalogue of any size stays responsive) narrow down, Enter picks.

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use super::centered;
use crate::tui::app::Purpose;
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    /// What the owner uses to find the item again (an AlcCode, a document id).
    pub key: String,
    pub label: String,
    pub detail: String,
}

/// Where the picker's items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickSource {
    Products,
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub query: Input,
    pub items: Vec<PickItem>,
    pub selected: usize,
    /// The id of the latest search; older answers are ignored.
    pub request: u64,
    pub loading: bool,
    pub source: PickSource,
    pub purpose: Purpose,
}

impl PartialEq for Picker {
    fn eq(&self, o: &Self) -> bool {
        self.title == o.title
            && self.query.value() == o.query.value()
            && self.items == o.items
            && self.selected == o.selected
            && self.request == o.request
            && self.source == o.source
            && self.purpose == o.purpose
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    Pending,
    Cancelled,
    /// The query changed: the owner starts a new search.
    Search(String),
    Picked(PickItem),
}

impl Picker {
    pub fn new(title: &str, source: PickSource, purpose: Purpose) -> Picker {
        Picker {
            title: title.into(),
            query: Input::default(),
            items: Vec::new(),
            selected: 0,
            request: 0,
            loading: true,
            source,
            purpose,
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> PickerOutcome {
        match key.code {
            KeyCode::Esc => PickerOutcome::Cancelled,
            KeyCode::Enter => match self.items.get(self.selected) {
                Some(item) => PickerOutcome::Picked(item.clone()),
                None => PickerOutcome::Pending,
            },
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                PickerOutcome::Pending
            }
            KeyCode::Down => {
                if self.selected + 1 < self.items.len() {
                    self.selected += 1;
                }
                PickerOutcome::Pending
            }
            KeyCode::PageUp => {
                self.selected = self.selected.saturating_sub(10);
                PickerOutcome::Pending
            }
            KeyCode::PageDown => {
                self.selected = (self.selected + 10).min(self.items.len().saturating_sub(1));
                PickerOutcome::Pending
            }
            _ => {
                let before = self.query.value().to_string();
                self.query.handle_event(&Event::Key(*key));
                if self.query.value() != before {
                    PickerOutcome::Search(self.query.value().to_string())
                } else {
                    PickerOutcome::Pending
                }
            }
        }
    }

    pub fn insert_text(&mut self, text: &str) -> PickerOutcome {
        for c in crate::text::sanitize(text).chars() {
            self.query.handle(InputRequest::InsertChar(c));
        }
        PickerOutcome::Search(self.query.value().to_string())
    }

    /// Results of search `request`; stale answers are dropped.
    pub fn set_results(&mut self, request: u64, items: Vec<PickItem>) {
        if request == self.request {
            self.items = items;
            self.selected = 0;
            self.loading = false;
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = centered(area, 76, area.height.saturating_sub(4).max(8));
        f.render_widget(Clear, rect);
        let block = Block::bordered()
            .border_set(theme.borders.set())
            .border_style(theme.style(Role::Accent))
            .title(Span::styled(
                format!(" {} ", self.title),
                theme.style(Role::Accent),
            ));
        let inner = block.inner(rect);
        f.render_widget(block.style(theme.style(Role::Normal)), rect);
        let [field, list, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let prefix = "Поиск: ";
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prefix, theme.style(Role::Dim)),
                Span::styled(self.query.value(), theme.style(Role::Focus)),
            ])),
            field,
        );
        let x = field.x + prefix.chars().count() as u16 + self.query.visual_cursor() as u16;
        f.set_cursor_position((x.min(field.right().saturating_sub(1)), field.y));
        if self.items.is_empty() {
            let text = if self.loading {
                "Поиск…"
            } else {
                "Ничего не найдено"
            };
            f.render_widget(Paragraph::new(text).style(theme.style(Role::Dim)), list);
        } else {
            let items: Vec<ListItem> = self
                .items
                .iter()
                .map(|i| {
                    ListItem::new(Line::from(vec![
                        Span::raw(i.label.as_str()),
                        Span::styled(format!("  {}", i.detail), theme.style(Role::Dim)),
                    ]))
                })
                .collect();
            let mut state = ListState::default().with_selected(Some(self.selected));
            f.render_stateful_widget(
                List::new(items).highlight_style(theme.style(Role::Selected)),
                list,
                &mut state,
            );
        }
        f.render_widget(
            Paragraph::new("↑↓ — выбор   Enter — взять   Esc — отмена")
                .style(theme.style(Role::Dim)),
            hint,
        );
    }
}
