//! Confirmation and input dialogs. Keys inside a dialog are fixed (Enter confirms, Esc
//! cancels) so that a remapped keymap can never make a destructive dialog unanswerable.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use super::centered;
use crate::tui::app::Purpose;
use crate::tui::theme::{Role, Theme};

/// A yes/no question. Destructive ones are drawn in the error role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub purpose: Purpose,
    pub destructive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Pending,
    Yes,
    No,
}

impl Confirm {
    pub fn handle_key(&self, key: &KeyEvent) -> ConfirmOutcome {
        match key.code {
            KeyCode::Enter => ConfirmOutcome::Yes,
            KeyCode::Esc => ConfirmOutcome::No,
            // Д/Н as well as Y/N, under either layout.
            KeyCode::Char(c) if key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE => {
                match c.to_lowercase().next() {
                    Some('y' | 'д') => ConfirmOutcome::Yes,
                    Some('n' | 'н') => ConfirmOutcome::No,
                    _ => ConfirmOutcome::Pending,
                }
            }
            _ => ConfirmOutcome::Pending,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let width = self
            .lines
            .iter()
            .map(|l| l.chars().count())
            .chain([self.title.chars().count(), 30])
            .max()
            .unwrap_or(30) as u16
            + 6;
        let rect = centered(area, width.min(70), self.lines.len() as u16 + 5);
        let role = if self.destructive {
            Role::Error
        } else {
            Role::Accent
        };
        let mut lines: Vec<Line> = self
            .lines
            .iter()
            .map(|l| Line::styled(l.as_str(), theme.style(Role::Normal)))
            .collect();
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.style(Role::Focus)),
            Span::styled(" — да   ", theme.style(Role::Normal)),
            Span::styled("Esc", theme.style(Role::Focus)),
            Span::styled(" — нет", theme.style(Role::Normal)),
        ]));
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .style(theme.style(Role::Normal))
                .block(
                    Block::bordered()
                        .border_set(theme.borders.set())
                        .border_style(theme.style(role))
                        .title(Span::styled(format!(" {} ", self.title), theme.style(role))),
                ),
            rect,
        );
    }
}

/// What an input accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Free text of `min..=max` characters.
    Text { min: usize, max: usize },
    /// A whole number in `min..=max`.
    Number { min: i64, max: i64 },
    /// A barcode or stamp typed by hand: printable ASCII, no spaces.
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputValue {
    Text(String),
    Number(i64),
}

#[derive(Debug, Clone)]
pub struct InputDialog {
    pub title: String,
    pub prompt: String,
    pub input: Input,
    pub kind: InputKind,
    pub error: Option<String>,
    pub purpose: Purpose,
}

impl PartialEq for InputDialog {
    fn eq(&self, other: &Self) -> bool {
        self.title == other.title
            && self.prompt == other.prompt
            && self.input.value() == other.input.value()
            && self.kind == other.kind
            && self.error == other.error
            && self.purpose == other.purpose
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOutcome {
    Pending,
    Cancelled,
    Done(InputValue),
}

impl InputDialog {
    pub fn new(title: &str, prompt: &str, kind: InputKind, purpose: Purpose) -> InputDialog {
        InputDialog {
            title: title.into(),
            prompt: prompt.into(),
            input: Input::default(),
            kind,
            error: None,
            purpose,
        }
    }

    pub fn with_value(mut self, value: &str) -> InputDialog {
        self.input = Input::default().with_value(value.to_string());
        self
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> InputOutcome {
        match key.code {
            KeyCode::Esc => InputOutcome::Cancelled,
            KeyCode::Enter => match validate(self.kind, self.input.value()) {
                Ok(v) => InputOutcome::Done(v),
                Err(e) => {
                    self.error = Some(e);
                    InputOutcome::Pending
                }
            },
            _ => {
                if self.input.handle_event(&Event::Key(*key)).is_some() {
                    self.error = None;
                }
                InputOutcome::Pending
            }
        }
    }

    /// Pasted or scanned text goes in as typed, minus anything unprintable.
    pub fn insert_text(&mut self, text: &str) {
        for c in crate::text::sanitize(text).chars() {
            self.input.handle(InputRequest::InsertChar(c));
        }
        self.error = None;
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = centered(area, 64, 8);
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
        let [prompt, field, error, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(self.prompt.as_str()), prompt);
        let width = field.width.max(1) as usize;
        let scroll = self.input.visual_scroll(width.saturating_sub(1));
        f.render_widget(
            Paragraph::new(self.input.value())
                .scroll((0, scroll as u16))
                .style(theme.style(Role::Focus)),
            field,
        );
        let cursor_x = self.input.visual_cursor().saturating_sub(scroll) as u16;
        f.set_cursor_position((
            field.x + cursor_x.min(field.width.saturating_sub(1)),
            field.y,
        ));
        if let Some(e) = &self.error {
            f.render_widget(
                Paragraph::new(e.as_str()).style(theme.style(Role::Error)),
                error,
            );
        }
        f.render_widget(
            Paragraph::new("Enter — готово   Esc — отмена").style(theme.style(Role::Dim)),
            hint,
        );
    }
}

/// Checks an entry; the error is the Russian message shown under the field.
pub fn validate(kind: InputKind, raw: &str) -> Result<InputValue, String> {
    let value = raw.trim();
    match kind {
        InputKind::Text { min, max } => {
            let n = value.chars().count();
            if n < min {
                Err(if min == 1 {
                    "Поле не может быть пустым".into()
                } else {
                    format!("Нужно не меньше {min} символов")
                })
            } else if n > max {
                Err(format!("Не больше {max} символов"))
            } else {
                Ok(InputValue::Text(value.to_string()))
            }
        }
        InputKind::Number { min, max } => {
            let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            match cleaned.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(InputValue::Number(n)),
                Ok(_) => Err(format!("Введите число от {min} до {max}")),
                Err(_) if cleaned.is_empty() => Err("Введите число".into()),
                Err(_) => Err(format!("«{cleaned}» — не целое число")),
            }
        }
        InputKind::Code => {
            if value.is_empty() {
                Err("Введите код".into())
            } else if let Some(bad) = value.chars().find(|c| !c.is_ascii_graphic()) {
                Err(format!(
                    "Символ «{bad}» не бывает в штрихкоде: проверьте раскладку клавиатуры"
                ))
            } else {
                Ok(InputValue::Text(value.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_validated() {
        let k = InputKind::Number { min: 1, max: 366 };
        assert_eq!(validate(k, " 30 "), Ok(InputValue::Number(30)));
        assert_eq!(
            validate(k, "1 000").unwrap_err(),
            "Введите число от 1 до 366"
        );
        assert!(validate(k, "0").is_err());
        assert!(validate(k, "abc").unwrap_err().contains("не целое"));
        assert_eq!(validate(k, "").unwrap_err(), "Введите число");
    }

    #[test]
    fn codes_refuse_cyrillic_with_a_hint() {
        assert_eq!(
            validate(InputKind::Code, "4601234567893"),
            Ok(InputValue::Text("4601234567893".into()))
        );
        assert!(
            validate(InputKind::Code, "46О1")
                .unwrap_err()
                .contains("раскладку")
        );
    }

    #[test]
    fn text_limits() {
        let k = InputKind::Text { min: 1, max: 5 };
        assert!(validate(k, "  ").is_err());
        assert!(validate(k, "123456").is_err());
        assert_eq!(validate(k, "abc"), Ok(InputValue::Text("abc".into())));
    }
}
