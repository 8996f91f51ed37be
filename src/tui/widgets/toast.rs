//! Short messages that go away by themselves, and notices that stay until acknowledged.

use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warn,
    Error,
}

impl Level {
    pub fn role(self) -> Role {
        match self {
            Level::Info => Role::Accent,
            Level::Ok => Role::Ok,
            Level::Warn => Role::Warn,
            Level::Error => Role::Error,
        }
    }
}

/// How long a toast stays: errors a little longer, so they can be read.
pub fn toast_lifetime(level: Level) -> SignedDuration {
    match level {
        Level::Error | Level::Warn => SignedDuration::from_secs(8),
        _ => SignedDuration::from_secs(4),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    pub until: Timestamp,
}

/// A message that needs the cashier's attention and stays until acknowledged (Ctrl+O).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub at: Timestamp,
}

/// Draws the newest toasts in the top right corner of `area`, newest on top. On an 80×24
/// screen only the newest one is shown, so a burst of arrivals never hides the pane.
pub fn draw_toasts(f: &mut Frame, area: Rect, toasts: &[Toast], theme: &Theme) {
    let mut y = area.y;
    let shown = if area.height < 30 { 1 } else { 3 };
    for t in toasts.iter().rev().take(shown) {
        let width = (t.text.chars().count() as u16 + 4).min(area.width).min(60);
        let inner_w = width.saturating_sub(2).max(1) as usize;
        let lines = t.text.chars().count().div_ceil(inner_w).max(1) as u16;
        let height = (lines + 2).min(area.height.saturating_sub(y - area.y));
        if height < 3 || width < 6 {
            break;
        }
        let rect = Rect {
            x: area.x + area.width - width,
            y,
            width,
            height,
        };
        let style = theme.style(t.level.role());
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(Line::from(t.text.as_str()))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .style(style)
                .block(
                    Block::bordered()
                        .border_set(theme.borders.set())
                        .border_style(style),
                ),
            rect,
        );
        y += height;
    }
}
