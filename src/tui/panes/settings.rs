//! Настройки и УТМ: who the shop is, where its UTM is and how it is doing, the outbox, and
//! which keymap and theme are active. The first screen to look at when "nothing goes".

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{DrawCx, Pane, PaneCx};
use crate::tui::app::{Cmd, days_left};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Role;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsPane;

impl Pane for SettingsPane {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Settings]
    }

    fn on_action(&mut self, action: Action, _cx: &PaneCx) -> Vec<Cmd> {
        match action {
            Action::SettingsTheme => vec![Cmd::NextTheme],
            Action::SettingsCheckUtm => vec![Cmd::CheckUtm],
            _ => Vec::new(),
        }
    }

    fn on_scan(&mut self, scan: &crate::tui::scan_input::ScanEvent, _now: Timestamp) -> Vec<Cmd> {
        // Useful when setting a scanner up: what exactly arrived.
        let (kind, _) = crate::tui::scan_input::describe_code(&scan.code);
        vec![Cmd::Toast(
            crate::tui::widgets::toast::Level::Info,
            format!(
                "Скан ({kind}, {} мс): {}",
                scan.took.as_millis(),
                crate::text::display_code(&scan.code)
            ),
        )]
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(area);
        let [org, ui] = Layout::vertical([Constraint::Min(8), Constraint::Length(7)]).areas(left);
        let [utm, outbox] =
            Layout::vertical([Constraint::Min(10), Constraint::Length(4)]).areas(right);
        let info = cx.info;
        let or_dash = |s: &str| {
            if s.is_empty() {
                "не задано".to_string()
            } else {
                s.to_string()
            }
        };
        section(
            f,
            org,
            cx,
            "Организация",
            vec![
                kv(cx, "Название", or_dash(&info.org_name), Role::Normal),
                kv(
                    cx,
                    "ИНН / КПП",
                    format!("{} / {}", or_dash(&info.inn), or_dash(&info.kpp)),
                    Role::Normal,
                ),
                kv(
                    cx,
                    "ФСРАР ID",
                    or_dash(&info.fsrar_id),
                    if info.fsrar_id.is_empty() {
                        Role::Warn
                    } else {
                        Role::Normal
                    },
                ),
                kv(cx, "Адрес", or_dash(&info.address), Role::Normal),
                kv(
                    cx,
                    "Касса",
                    format!("№ {}  {}", info.till_number, info.outlet),
                    Role::Normal,
                ),
                kv(
                    cx,
                    "Журнал",
                    if info.catering {
                        "общепит".into()
                    } else {
                        "розница".into()
                    },
                    Role::Normal,
                ),
            ],
        );
        section(
            f,
            ui,
            cx,
            "Программа",
            vec![
                kv(
                    cx,
                    "Тема",
                    format!(
                        "{}  ({} — сменить)",
                        cx.theme.name,
                        cx.key(Action::SettingsTheme)
                    ),
                    Role::Normal,
                ),
                kv(cx, "Клавиши", cx.keymap.source.clone(), Role::Normal),
                kv(cx, "Часовой пояс", info.tz_name.clone(), Role::Normal),
                kv(
                    cx,
                    "Настройки",
                    info.config_file
                        .clone()
                        .unwrap_or_else(|| "по умолчанию".into()),
                    Role::Dim,
                ),
                kv(
                    cx,
                    "Данные",
                    info.data_dir.clone().unwrap_or_else(|| "—".into()),
                    Role::Dim,
                ),
            ],
        );
        section(f, utm, cx, "УТМ", utm_lines(cx));
        let outbox_lines = match &cx.status.outbox {
            None => vec![Line::styled("нет данных от обмена", cx.style(Role::Dim))],
            Some(o) if o.pending == 0 => vec![Line::styled("всё отправлено", cx.style(Role::Ok))],
            Some(o) => {
                let mut lines = vec![kv(cx, "Ждут отправки", o.pending.to_string(), Role::Warn)];
                if let Some(t) = o.oldest_pending {
                    lines.push(kv(
                        cx,
                        "Старейший",
                        format!("с {}", cx.local(t, "%d.%m %H:%M")),
                        crate::tui::status_bar::outbox_role(cx.now, t),
                    ));
                }
                lines
            }
        };
        section(f, outbox, cx, "Очередь отправки", outbox_lines);
    }
}

fn section(f: &mut Frame, area: Rect, cx: &DrawCx, title: &str, lines: Vec<Line>) {
    let block = Block::bordered()
        .border_set(cx.theme.borders.set())
        .border_style(cx.style(Role::Dim))
        .title(Span::styled(format!(" {title} "), cx.style(Role::Accent)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}

fn kv<'a>(cx: &DrawCx, key: &'a str, value: String, role: Role) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key}: "), cx.style(Role::Dim)),
        Span::styled(value, cx.style(role)),
    ])
}

fn utm_lines<'a>(cx: &DrawCx) -> Vec<Line<'a>> {
    let mut lines = vec![kv(cx, "Адрес", cx.info.utm_url.clone(), Role::Normal)];
    let Some(u) = &cx.status.utm else {
        lines.push(Line::styled(
            "состояние ещё не проверялось",
            cx.style(Role::Dim),
        ));
        lines.push(Line::styled(
            format!("{} — проверить сейчас", cx.key(Action::SettingsCheckUtm)),
            cx.style(Role::Dim),
        ));
        return lines;
    };
    let since = u
        .since
        .map(|t| format!(" с {}", cx.local(t, "%d.%m %H:%M")))
        .unwrap_or_default();
    lines.push(if u.reachable {
        kv(cx, "Связь", format!("есть{since}"), Role::Ok)
    } else {
        kv(cx, "Связь", format!("НЕТ{since}"), Role::Error)
    });
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(|v| crate::text::sanitize(v).into_owned())
            .unwrap_or_else(|| "—".into())
    };
    lines.push(kv(cx, "Версия", clean(&u.version), Role::Normal));
    lines.push(kv(
        cx,
        "ФСРАР ID ключа",
        clean(&u.utm_fsrar_id),
        Role::Normal,
    ));
    if let Some(m) = &u.fsrar_mismatch {
        lines.push(kv(
            cx,
            "Внимание",
            format!(
                "УТМ другой организации ({}): отправка остановлена",
                crate::text::sanitize(m)
            ),
            Role::Error,
        ));
    }
    let contour = match u.contour.as_deref() {
        Some("prod") => "рабочий".to_string(),
        Some("test") => "ТЕСТОВЫЙ".to_string(),
        other => clean(&other.map(str::to_string)),
    };
    lines.push(kv(cx, "Контур", contour, Role::Normal));
    for (name, at) in [("Ключ RSA", u.rsa_expires), ("Ключ ГОСТ", u.gost_expires)] {
        lines.push(match at {
            None => kv(cx, name, "—".into(), Role::Dim),
            Some(t) => {
                let days = days_left(cx.now, t);
                let role = cert_role(days);
                let text = if days < 0 {
                    format!("истёк {}", cx.local(t, "%d.%m.%Y"))
                } else {
                    format!("до {} ({days} дн.)", cx.local(t, "%d.%m.%Y"))
                };
                kv(cx, name, text, role)
            }
        });
    }
    lines.push(kv(
        cx,
        "Неотправленные чеки",
        u.oldest_unsent_cheque
            .as_deref()
            .map(|s| format!("с {}", crate::text::sanitize(s)))
            .unwrap_or_else(|| "нет".into()),
        if u.oldest_unsent_cheque.is_some() {
            Role::Warn
        } else {
            Role::Ok
        },
    ));
    if let Some(e) = &u.last_error {
        lines.push(kv(
            cx,
            "Ошибка",
            crate::text::sanitize(e).into_owned(),
            Role::Error,
        ));
    }
    lines
}

/// Certificate countdown colour: warn from 30 days, error from 7 (user-pains A3).
pub fn cert_role(days: i64) -> Role {
    if days <= 7 {
        Role::Error
    } else if days <= 30 {
        Role::Warn
    } else {
        Role::Ok
    }
}
