//! The status bar, always visible: UTM reachable or not and since when, FSRAR ID, days left
//! on the keys, the outbox and the age of its oldest document, background work with elapsed
//! time, and the clock. Segments that do not fit are dropped least important first.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::days_left;
use super::panes::DrawCx;
use super::panes::settings::cert_role;
use super::theme::Role;

struct Segment {
    text: String,
    role: Role,
    /// Lower is more important.
    priority: u8,
}

/// Hours at which the outbox age escalates (user-pains A4): warn after a day, error after
/// two; the UTM is believed to refuse cheques after three.
const OUTBOX_WARN_H: i64 = 24;
const OUTBOX_ERROR_H: i64 = 48;

fn segments(cx: &DrawCx) -> Vec<Segment> {
    let mut out = Vec::new();
    let seg = |text: String, role: Role, priority: u8| Segment {
        text,
        role,
        priority,
    };
    match &cx.status.utm {
        None => out.push(seg("УТМ: ?".into(), Role::Dim, 0)),
        Some(u) => {
            let since = u
                .since
                .map(|t| format!(" с {}", short_time(cx, t)))
                .unwrap_or_default();
            out.push(if u.fsrar_mismatch.is_some() {
                seg("УТМ: ЧУЖОЙ ФСРАР ID".into(), Role::Error, 0)
            } else if u.reachable {
                seg(format!("УТМ: связь{since}"), Role::Ok, 0)
            } else {
                seg(format!("УТМ: НЕТ СВЯЗИ{since}"), Role::Error, 0)
            });
            // The UTM's own buffer of cheques it could not pass on to EGAIS (user-pains A4).
            if let Some(since) = &u.oldest_unsent_cheque {
                out.push(seg(
                    format!("Чеки не отправлены с {}", crate::text::sanitize(since)),
                    Role::Warn,
                    1,
                ));
            }
            for (name, at) in [("RSA", u.rsa_expires), ("ГОСТ", u.gost_expires)] {
                if let Some(t) = at {
                    let d = days_left(cx.now, t);
                    let role = cert_role(d);
                    let text = if d < 0 {
                        format!("{name} истёк")
                    } else {
                        format!("{name} {d} дн")
                    };
                    out.push(seg(text, role, if role == Role::Ok { 5 } else { 1 }));
                }
            }
        }
    }
    if !cx.info.fsrar_id.is_empty() {
        out.push(seg(format!("ФСРАР {}", cx.info.fsrar_id), Role::Dim, 4));
    }
    match &cx.status.outbox {
        Some(o) if o.pending > 0 => {
            let hours = o
                .oldest_pending
                .map(|t| cx.now.duration_since(t).as_hours())
                .unwrap_or(0);
            let role = o
                .oldest_pending
                .map(|t| outbox_role(cx.now, t))
                .unwrap_or(Role::Normal);
            out.push(seg(
                format!("Очередь {} · {}", o.pending, age(hours)),
                role,
                2,
            ));
        }
        Some(_) => out.push(seg("Очередь пуста".into(), Role::Dim, 6)),
        None => {}
    }
    for job in &cx.status.jobs {
        let secs = cx.now.duration_since(job.started).as_secs().max(0);
        out.push(seg(
            format!("{}… {}:{:02}", job.label, secs / 60, secs % 60),
            Role::Accent,
            3,
        ));
    }
    out
}

/// The outbox colour by the age of its oldest document.
pub fn outbox_role(now: Timestamp, oldest: Timestamp) -> Role {
    let hours = now.duration_since(oldest).as_hours();
    if hours >= OUTBOX_ERROR_H {
        Role::Error
    } else if hours >= OUTBOX_WARN_H {
        Role::Warn
    } else {
        Role::Normal
    }
}

fn age(hours: i64) -> String {
    if hours < 1 {
        "< 1 ч".into()
    } else if hours < 48 {
        format!("{hours} ч")
    } else {
        format!("{} дн", hours / 24)
    }
}

fn short_time(cx: &DrawCx, t: Timestamp) -> String {
    if cx.now.duration_since(t).as_hours() < 20 {
        cx.local(t, "%H:%M")
    } else {
        cx.local(t, "%d.%m")
    }
}

pub fn draw(f: &mut Frame, area: Rect, cx: &DrawCx) {
    let clock = cx.local(cx.now, "%H:%M");
    let sep = " │ ";
    let mut segs = segments(cx);
    let width = area.width as usize;
    let len = |segs: &[Segment]| -> usize {
        segs.iter().map(|s| s.text.chars().count()).sum::<usize>()
            + sep.chars().count() * segs.len().saturating_sub(1)
            + clock.chars().count()
            + 2
    };
    while len(&segs) > width && !segs.is_empty() {
        // Drop the least important (and, among equals, the last) segment.
        let worst = segs
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (s.priority, *i))
            .map(|(i, _)| i)
            .unwrap_or(0);
        segs.remove(worst);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, cx.style(Role::Dim)));
        }
        spans.push(Span::styled(s.text.clone(), cx.style(s.role)));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let pad = width.saturating_sub(used + clock.chars().count() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(clock, cx.style(Role::Accent)));
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(cx.style(Role::Normal)),
        area,
    );
}
