//! The F1 overlay, generated from the active keymap for the current pane, so the help can
//! never list a key that does something else.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::keymap::{Context, Keymap};
use super::theme::{Role, Theme};
use super::widgets::centered;

/// The help text for `contexts` (most specific first), as lines of "key — description".
pub fn lines(keymap: &Keymap, contexts: &[Context], theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in contexts {
        let bindings: Vec<_> = keymap.bindings(*ctx).collect();
        if bindings.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::styled(
            ctx.title_ru().to_string(),
            theme.style(Role::Accent),
        ));
        for b in bindings {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<15}", b.key.to_string()),
                    theme.style(Role::Focus),
                ),
                Span::styled(b.description.clone(), theme.style(Role::Normal)),
            ]));
        }
    }
    out.push(Line::default());
    out.push(Line::styled(
        "В окнах и диалогах",
        theme.style(Role::Accent),
    ));
    for (k, d) in [
        ("Enter", "подтвердить"),
        ("Esc", "отменить, закрыть"),
        ("↑ ↓ PgUp PgDn", "выбор в списке"),
    ] {
        out.push(Line::from(vec![
            Span::styled(format!("  {k:<15}"), theme.style(Role::Focus)),
            Span::styled(d, theme.style(Role::Normal)),
        ]));
    }
    out
}

pub fn draw(
    f: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    contexts: &[Context],
    theme: &Theme,
    title: &str,
    scroll: u16,
) {
    let lines = lines(keymap, contexts, theme);
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, 60, height);
    let max_scroll = (lines.len() as u16).saturating_sub(rect.height.saturating_sub(2));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max_scroll), 0))
            .style(theme.style(Role::Normal))
            .block(
                Block::bordered()
                    .border_set(theme.borders.set())
                    .border_style(theme.style(Role::Accent))
                    .title(Span::styled(
                        format!(" Клавиши: {title} "),
                        theme.style(Role::Accent),
                    ))
                    .title_bottom(Span::styled(" Esc — закрыть ", theme.style(Role::Dim))),
            ),
        rect,
    );
}
