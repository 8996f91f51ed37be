//! Drawing the whole screen from the state. Never mutates: everything it shows was
//! decided in `update`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{MIN_SIZE, Modal, PaneId, State};
use super::keymap::Action;
use super::panes::DrawCx;
use super::theme::Role;
use super::widgets::toast::draw_toasts;
use super::{help, status_bar};

pub fn draw(state: &State, f: &mut Frame) {
    let area = f.area();
    let cx = DrawCx {
        theme: &state.theme,
        keymap: &state.keymap,
        info: &state.info,
        status: &state.status,
        doc_counts: state.doc_counts,
        now: state.now,
    };
    // Paint the theme's normal style everywhere, so a theme with a background is whole.
    f.render_widget(Block::new().style(cx.style(Role::Normal)), area);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        draw_too_small(f, area, &cx, state);
        return;
    }
    let notice_rows = state.notices.len().min(3) as u16;
    let [tabs, body, notices, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(notice_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, tabs, &cx, state);
    state.pane(state.pane).draw(f, body, &cx);
    draw_notices(f, notices, &cx, state);
    status_bar::draw(f, status, &cx);
    match &state.modal {
        None => {}
        Some(Modal::Help { scroll }) => help::draw(
            f,
            body,
            &state.keymap,
            &state.contexts(),
            &state.theme,
            state.pane.title_ru(),
            *scroll,
        ),
        Some(Modal::Confirm(c)) => c.draw(f, body, &state.theme),
        Some(Modal::Input(d)) => d.draw(f, body, &state.theme),
        Some(Modal::Picker(p)) => p.draw(f, body, &state.theme),
    }
    draw_toasts(f, body, &state.toasts, &state.theme);
}

fn draw_tabs(f: &mut Frame, area: Rect, cx: &DrawCx, state: &State) {
    let mut spans = Vec::new();
    for pane in PaneId::ALL {
        let key = cx.key(pane.action());
        let mut label = format!(" {key} {} ", pane.title_ru());
        let mut role = if pane == state.pane {
            Role::Selected
        } else {
            Role::Normal
        };
        // What EGAIS expects of the shop is counted on every screen (user-pains B1).
        if pane == PaneId::Acceptance
            && let Some(c) = state.doc_counts
            && (c.new > 0 || c.rejected > 0)
        {
            label = format!(" {key} {} ({}) ", pane.title_ru(), c.new + c.rejected);
            if pane != state.pane {
                role = Role::Error;
            }
        }
        spans.push(Span::styled(label, cx.style(role)));
        spans.push(Span::raw(" "));
    }
    let help = format!(" {} Справка ", cx.key(Action::Help));
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let pad = (area.width as usize).saturating_sub(used + help.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(help, cx.style(Role::Dim)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_notices(f: &mut Frame, area: Rect, cx: &DrawCx, state: &State) {
    if area.height == 0 {
        return;
    }
    let ack = cx.key(Action::Ack);
    let more = state.notices.len().saturating_sub(area.height as usize);
    let lines: Vec<Line> = state
        .notices
        .iter()
        .take(area.height as usize)
        .enumerate()
        .map(|(i, n)| {
            let tail = if i == 0 {
                if more > 0 {
                    format!("  [{ack} — прочитано; ещё {more}]")
                } else {
                    format!("  [{ack} — прочитано]")
                }
            } else {
                String::new()
            };
            // The acknowledgement hint is kept whole; the text gives way.
            let room = (area.width as usize).saturating_sub(tail.chars().count() + 3);
            Line::from(vec![
                Span::styled(
                    format!(" ! {}", super::panes::fit(&n.text, room)),
                    cx.style(n.level.role()),
                ),
                Span::styled(tail, cx.style(Role::Dim)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_too_small(f: &mut Frame, area: Rect, cx: &DrawCx, state: &State) {
    let lines = vec![
        Line::styled("Окно слишком маленькое", cx.style(Role::Warn)),
        Line::raw(format!(
            "{}×{}, нужно не меньше {}×{}",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        )),
        Line::styled(
            format!("{} — выход", cx.key(Action::Quit)),
            cx.style(Role::Dim),
        ),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    f.render_widget(
        Paragraph::new(lines).centered().wrap(Wrap { trim: true }),
        rect,
    );
    // A quit confirmation must still be answerable on a tiny screen.
    if let Some(Modal::Confirm(c)) = &state.modal {
        c.draw(f, area, &state.theme);
    }
}
