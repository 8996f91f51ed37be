//! Drawing the Приёмка pane. Nothing here changes state; long invoices are drawn by
//! formatting only the rows inside the window.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::rows::{Row, Scroll};
use super::{
    AcceptancePane, Dialog, EditorScreen, InvoiceScreen, NoAnswerScreen, Screen, Severity,
};
use crate::domain::acceptance::{ActKind, BoxTick};
use crate::domain::document::{DocList, DocState};
use crate::domain::invoice::{Invoice, format_date_ru};
use crate::domain::workdays::days_between;
use crate::store::invoices::InvoiceSummary;
use crate::text::{plural_ru, sanitize};
use crate::tui::theme::{Role, Theme};

/// Cuts or pads `s` to exactly `width` characters; a cut ends with '…'.
pub fn fit(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count <= width {
        let mut out = String::with_capacity(s.len() + width - count);
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', width - count));
        out
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// Right-aligns `s` in `width` characters.
pub fn fit_right(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count >= width {
        fit(s, width)
    } else {
        format!("{}{}", " ".repeat(width - count), s)
    }
}

fn quantity(q: rust_decimal::Decimal) -> String {
    q.normalize().to_string().replace('.', ",")
}

pub fn draw(pane: &AcceptancePane, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.height < 6 || area.width < 30 {
        return;
    }
    let [tabs, body, hints, message] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(pane, tabs, buf, theme);
    // Two border rows plus, for lists, one header row.
    pane.page.set(body.height.saturating_sub(3).max(1) as usize);
    match &pane.screen {
        Screen::Lists => draw_list(pane, body, buf, theme),
        Screen::Invoice(s) => draw_invoice(pane, s, body, buf, theme),
        Screen::Editor(e) => draw_editor(e, body, buf, theme),
        Screen::NoAnswer(s) => draw_no_answer(s, body, buf, theme),
    }
    let hint = match &pane.screen {
        Screen::Lists => {
            "Enter открыть F6 принять F7 расхождения F11 отказ Ctrl+N непринятые Esc назад"
        }
        Screen::Invoice(_) => {
            "Esc назад F6 принять F7 расхождения F11 отказ Ctrl+E повторно Ctrl+B штрихкоды"
        }
        Screen::Editor(_) => {
            "Пробел марка  Enter количество  F7 сканировать  F6 отправить акт  Esc отмена"
        }
        Screen::NoAnswer(_) => "Enter запросить накладную повторно  Esc назад",
    };
    Paragraph::new(Line::from(Span::styled(
        fit(hint, hints.width as usize),
        theme.style(Role::Dim),
    )))
    .render(hints, buf);
    if let Some(m) = &pane.message {
        let role = match m.severity {
            Severity::Info => Role::Ok,
            Severity::Error => Role::Error,
        };
        Paragraph::new(Line::from(Span::styled(
            fit(&m.text, message.width as usize),
            theme.style(role),
        )))
        .render(message, buf);
    }
    if let Some(d) = &pane.dialog {
        draw_dialog(d, area, buf, theme);
    }
}

fn draw_tabs(pane: &AcceptancePane, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let (waiting, overdue) = pane.counters();
    let mut spans = Vec::new();
    for (i, list) in DocList::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.style(Role::Dim)));
        }
        let label = format!(" {} ({}) ", list.label_ru(), pane.rows(*list).len());
        let role = if *list == pane.list && matches!(pane.screen, Screen::Lists) {
            Role::Selected
        } else {
            Role::Normal
        };
        spans.push(Span::styled(label, theme.style(role)));
    }
    if overdue > 0 {
        spans.push(Span::styled(
            format!("  Просрочено: {overdue}"),
            theme.style(Role::Error),
        ));
    } else if waiting > 0 {
        spans.push(Span::styled(
            format!("  Ждут ответа: {waiting}"),
            theme.style(Role::Warn),
        ));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_set(theme.borders.set())
        .border_style(theme.style(Role::Dim))
        .title(Span::styled(title, theme.style(Role::Accent)))
}

struct Columns {
    widths: Vec<usize>,
}

impl Columns {
    /// Fixed widths plus one flexible first column taking the rest.
    fn new(total: usize, fixed: &[usize]) -> Columns {
        let used: usize = fixed.iter().sum::<usize>() + fixed.len();
        let mut widths = vec![total.saturating_sub(used).max(8)];
        widths.extend_from_slice(fixed);
        Columns { widths }
    }

    fn line(&self, cells: &[String], right: &[bool]) -> String {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(&self.widths).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if right.get(i).copied().unwrap_or(false) {
                out.push_str(&fit_right(c, *w));
            } else {
                out.push_str(&fit(c, *w));
            }
        }
        out
    }
}

fn visible_rows<T>(items: &[T], scroll: Scroll, height: usize) -> (Scroll, std::ops::Range<usize>) {
    let v = scroll.visible(height);
    let end = (v.offset + height).min(items.len());
    (v, v.offset.min(end)..end)
}

fn draw_list(pane: &AcceptancePane, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let list = pane.list;
    let rows = pane.rows(list);
    let outer = block(format!("Приёмка — {}", list.label_ru()), theme);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let width = inner.width as usize;
    let (cols, header, right): (Columns, Vec<String>, Vec<bool>) = match list {
        DocList::New => (
            Columns::new(width, &[12, 10, 4, 12, 16]),
            ["Поставщик", "Номер", "Дата", "Поз.", "Сумма", "Ответить"]
                .map(String::from)
                .to_vec(),
            vec![false, false, false, true, true, false],
        ),
        DocList::UnderReview => (
            Columns::new(width, &[12, 10, 12, 22]),
            ["Поставщик", "Номер", "Дата", "Сумма", "Состояние"]
                .map(String::from)
                .to_vec(),
            vec![false, false, false, true, false],
        ),
        DocList::Archive => (
            Columns::new(width, &[12, 10, 12, 18]),
            ["Поставщик", "Номер", "Дата", "Сумма", "Итог"]
                .map(String::from)
                .to_vec(),
            vec![false, false, false, true, false],
        ),
    };
    let mut lines = vec![Line::from(Span::styled(
        cols.line(&header, &right),
        theme.style(Role::Accent),
    ))];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            "  Список пуст",
            theme.style(Role::Dim),
        )));
    }
    let height = inner.height.saturating_sub(1) as usize;
    let scroll = pane.scroll(list);
    let (v, range) = visible_rows(rows, scroll, height);
    for (i, s) in rows[range.clone()].iter().enumerate() {
        let idx = range.start + i;
        let (cells, role) = list_cells(pane, list, s);
        let mut style = theme.style(role);
        if idx == v.cursor {
            style = theme.style(Role::Selected);
        }
        lines.push(Line::from(Span::styled(cols.line(&cells, &right), style)));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn list_cells(pane: &AcceptancePane, list: DocList, s: &InvoiceSummary) -> (Vec<String>, Role) {
    let shipper = sanitize(&s.shipper).into_owned();
    let number = sanitize(&s.key.number).into_owned();
    let date = format_date_ru(s.key.date);
    let total = s.total.display_ru();
    match list {
        DocList::New => {
            let days = pane.deadline_days(s);
            let deadline = pane.calendar.next_working_day(s.received_on);
            let answer = if !s.ready {
                if s.positions == 0 {
                    "нет накладной".to_string()
                } else {
                    "ждём справку Б".to_string()
                }
            } else {
                match days {
                    d if d < 0 => format!("просрочено {} дн", -d),
                    0 => "сегодня".into(),
                    1 => format!("завтра {:02}.{:02}", deadline.day(), deadline.month()),
                    d => format!("{d} дн ({:02}.{:02})", deadline.day(), deadline.month()),
                }
            };
            let role = if days < 0 {
                Role::Error
            } else if days == 0 {
                Role::Warn
            } else {
                Role::Normal
            };
            (
                vec![
                    shipper,
                    number,
                    date,
                    s.positions.to_string(),
                    total,
                    answer,
                ],
                role,
            )
        }
        DocList::UnderReview => {
            let (state, role) = match &s.state {
                DocState::Rejected { reason } => (sanitize(reason).into_owned(), Role::Rejected),
                _ if s.awaiting_supplier => ("ждём поставщика".to_string(), Role::Normal),
                _ => (
                    match s.act {
                        Some(ActKind::Accepted) => "приём: ждём ЕГАИС",
                        Some(ActKind::Differences) => "расхожд.: ждём ЕГАИС",
                        Some(ActKind::Rejected) => "отказ: ждём ЕГАИС",
                        None => "ждём ЕГАИС",
                    }
                    .to_string(),
                    Role::Normal,
                ),
            };
            (vec![shipper, number, date, total, state], role)
        }
        DocList::Archive => {
            let outcome = match s.act {
                Some(ActKind::Accepted) => "принята",
                Some(ActKind::Differences) => "с расхождениями",
                Some(ActKind::Rejected) => "отказ",
                None => "закрыта",
            };
            (
                vec![shipper, number, date, total, outcome.to_string()],
                Role::Dim,
            )
        }
    }
}

fn invoice_header(inv: &Invoice, extra: Option<String>) -> String {
    let mut title = format!(
        "Накладная {} — {}",
        sanitize(&inv.key.to_string()),
        sanitize(inv.shipper_name())
    );
    if let Some(e) = extra {
        title.push_str(" — ");
        title.push_str(&e);
    }
    title
}

fn draw_invoice(
    pane: &AcceptancePane,
    s: &InvoiceScreen,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let inv = &s.invoice;
    let outer = block(invoice_header(inv, None), theme);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let width = inner.width as usize;
    let state_text = match &inv.state {
        DocState::Rejected { reason } => format!("Отклонена: {}", sanitize(reason)),
        DocState::New => {
            let u = inv.urgency(pane.today, &pane.calendar);
            format!(
                "Новая, ответить до {} ({})",
                format_date_ru(u.deadline),
                u.label_ru()
            )
        }
        other => other.label_ru().to_string(),
    };
    let state_role = match &inv.state {
        DocState::Rejected { .. } => Role::Rejected,
        DocState::New
            if days_between(pane.today, pane.calendar.next_working_day(inv.received_on)) < 0 =>
        {
            Role::Error
        }
        _ => Role::Accent,
    };
    let summary = format!(
        "{} · {} поз. · {} {} · {} руб.",
        inv.wb_reg_id().unwrap_or("без регистрации"),
        inv.positions().len(),
        inv.mark_count(),
        plural_ru(inv.mark_count(), "марка", "марки", "марок"),
        inv.total_amount().display_ru()
    );
    let state_w = state_text.chars().count();
    let mut lines = if state_w + 3 + summary.chars().count() <= width {
        vec![Line::from(vec![
            Span::styled(format!("{state_text}   "), theme.style(state_role)),
            Span::styled(
                fit(&summary, width - state_w - 3),
                theme.style(Role::Normal),
            ),
        ])]
    } else {
        vec![
            Line::from(Span::styled(
                fit(&state_text, width),
                theme.style(state_role),
            )),
            Line::from(Span::styled(
                fit(&summary, width),
                theme.style(Role::Normal),
            )),
        ]
    };
    if !inv.readiness().is_ready() {
        lines.push(Line::from(Span::styled(
            fit(&inv.readiness().message_ru(), width),
            theme.style(Role::Warn),
        )));
    }
    let height = (inner.height as usize).saturating_sub(lines.len());
    let lines_data = inv.lines();
    let (v, range) = visible_rows(&s.rows.rows, s.scroll, height);
    for idx in range {
        let Some(row) = s.rows.get(idx) else { break };
        let text = match row {
            Row::Position(p) => {
                let pos = &inv.positions()[p as usize];
                let tail = format!(
                    "{} × {} = {}",
                    quantity(pos.quantity),
                    pos.price.display_ru(),
                    pos.amount().display_ru()
                );
                let head = format!(
                    "{}. {}",
                    sanitize(&pos.identity),
                    sanitize(pos.product.display_name())
                );
                let tail_w = tail.chars().count().min(width);
                format!("{}{}", fit(&head, width - tail_w), tail)
            }
            Row::Details(p) => {
                let l = &lines_data[p as usize];
                let pr = &l.position.product;
                let mut parts = vec![sanitize(&pr.alc_code).into_owned()];
                if let Some(c) = pr.capacity {
                    parts.push(c.display_ru());
                }
                if let Some(a) = pr.alc_percent {
                    parts.push(a.display_ru());
                }
                parts.push(format!(
                    "А:{}",
                    sanitize(l.position.fa_reg_id.as_deref().unwrap_or("—"))
                ));
                parts.push(format!("Б:{}", sanitize(l.f2_reg_id.unwrap_or("—"))));
                fit(&format!("   {}", parts.join(" ")), width)
            }
            Row::Box(p, b) => {
                let bx = &inv.positions()[p as usize].boxes[b as usize];
                fit(
                    &format!(
                        "   Коробка {}: {} {}",
                        sanitize(bx.box_number.as_deref().unwrap_or("без номера")),
                        bx.marks.len(),
                        plural_ru(bx.marks.len(), "марка", "марки", "марок")
                    ),
                    width,
                )
            }
            Row::Mark(p, b, m) => {
                let mark = &inv.positions()[p as usize].boxes[b as usize].marks[m as usize];
                fit(&format!("     {}", sanitize(mark)), width)
            }
        };
        let role = match row {
            Row::Position(_) => Role::Normal,
            Row::Details(_) | Row::Box(_, _) => Role::Dim,
            Row::Mark(..) => Role::Normal,
        };
        let style = if idx == v.cursor {
            theme.style(Role::Selected)
        } else {
            theme.style(role)
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn tick(t: BoxTick) -> &'static str {
    match t {
        BoxTick::All => "[x]",
        BoxTick::Some => "[~]",
        BoxTick::None => "[ ]",
    }
}

fn draw_editor(e: &EditorScreen, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let inv = &e.invoice;
    let mode = if e.scanning {
        "расхождения, сканирование марок"
    } else {
        "расхождения"
    };
    let outer = block(invoice_header(inv, Some(mode.to_string())), theme);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let width = inner.width as usize;
    let differing = e.draft.differing_lines();
    let mut lines = vec![Line::from(Span::styled(
        fit(
            &format!(
                "Позиций с расхождениями: {differing}. Больше, чем в накладной, принять нельзя."
            ),
            width,
        ),
        theme.style(if differing > 0 { Role::Warn } else { Role::Ok }),
    ))];
    let height = (inner.height as usize).saturating_sub(1);
    let (v, range) = visible_rows(&e.rows.rows, e.scroll, height);
    for idx in range {
        let Some(row) = e.rows.get(idx) else { break };
        let line = &e.draft.lines()[row.position()];
        let (text, role) = match row {
            Row::Position(_) => {
                let tail = format!(
                    "принято {} из {}",
                    quantity(line.real_quantity()),
                    quantity(line.invoiced)
                );
                let head = format!("{}. {}", sanitize(&line.identity), sanitize(&line.name));
                let tail_w = tail.chars().count().min(width);
                (
                    format!("{}{}", fit(&head, width - tail_w), tail),
                    if line.differs() {
                        Role::Warn
                    } else {
                        Role::Normal
                    },
                )
            }
            Row::Details(_) => {
                let what = if line.is_stamped() {
                    format!(
                        "   {} · марок {}, не получено {}",
                        sanitize(&line.alc_code),
                        line.mark_count(),
                        line.missing_marks()
                    )
                } else {
                    format!(
                        "   {} · без марок: Enter — ввести количество",
                        sanitize(&line.alc_code)
                    )
                };
                (fit(&what, width), Role::Dim)
            }
            Row::Box(_, b) => {
                let marks = line.marks_in_box(b as usize);
                let got = marks.iter().filter(|(_, ok)| *ok).count();
                (
                    fit(
                        &format!(
                            "   {} Коробка {}: {} из {}",
                            tick(line.box_tick(b as usize)),
                            b + 1,
                            got,
                            marks.len()
                        ),
                        width,
                    ),
                    Role::Normal,
                )
            }
            Row::Mark(_, b, m) => {
                let (code, ok) = &line.marks_in_box(b as usize)[m as usize];
                (
                    fit(
                        &format!("      [{}] {}", if *ok { 'x' } else { ' ' }, sanitize(code)),
                        width,
                    ),
                    if *ok { Role::Normal } else { Role::Warn },
                )
            }
        };
        let style = if idx == v.cursor {
            theme.style(Role::Selected)
        } else {
            theme.style(role)
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn draw_no_answer(s: &NoAnswerScreen, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let outer = block("Накладные без ответа по данным ЕГАИС".to_string(), theme);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let cols = Columns::new(inner.width as usize, &[16, 12, 10]);
    let right = [false; 4];
    let mut lines = vec![Line::from(Span::styled(
        cols.line(
            &["Поставщик (ФСРАР ID)", "Рег. номер", "Номер", "Дата"].map(String::from),
            &right,
        ),
        theme.style(Role::Accent),
    ))];
    if s.entries.is_empty() {
        lines.push(Line::from(Span::styled(
            "  Неотвеченных накладных нет",
            theme.style(Role::Ok),
        )));
    }
    let height = inner.height.saturating_sub(1) as usize;
    let (v, range) = visible_rows(&s.entries, s.scroll, height);
    for idx in range {
        let e = &s.entries[idx];
        let cells = [
            sanitize(&e.shipper_id).into_owned(),
            sanitize(&e.wb_reg_id).into_owned(),
            sanitize(&e.number).into_owned(),
            e.date.map(format_date_ru).unwrap_or_default(),
        ];
        let style = if idx == v.cursor {
            theme.style(Role::Selected)
        } else {
            theme.style(Role::Normal)
        };
        lines.push(Line::from(Span::styled(cols.line(&cells, &right), style)));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(10);
    let h = height.min(area.height.saturating_sub(2)).max(3);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

fn draw_dialog(d: &Dialog, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let (title, mut body, input, error): (
        String,
        Vec<String>,
        Option<&tui_input::Input>,
        Option<&str>,
    ) = match d {
        Dialog::ConfirmAccept { title, .. } => (
            "Принять полностью".into(),
            vec![
                format!("Накладная {}", sanitize(title)),
                "Всё пришло как в накладной. Отправить акт приёма в ЕГАИС?".into(),
                "Enter — отправить, Esc — отмена".into(),
            ],
            None,
            None,
        ),
        Dialog::ConfirmDifferences { lines, .. } => (
            "Акт расхождений".into(),
            vec![
                format!("Позиций с расхождениями: {lines}."),
                "Отправить акт расхождений поставщику через ЕГАИС?".into(),
                "Enter — отправить, Esc — вернуться к правке".into(),
            ],
            None,
            None,
        ),
        Dialog::ConfirmDelete { title, .. } => (
            "Удаление".into(),
            vec![
                format!("Удалить накладную {} из архива?", sanitize(title)),
                "Исходные документы ЕГАИС останутся в архиве документов.".into(),
                "Enter — удалить, Esc — отмена".into(),
            ],
            None,
            None,
        ),
        Dialog::RejectReason { title, input, .. } => (
            "Отказ от накладной".into(),
            vec![
                format!("Накладная {}", sanitize(title)),
                "Причина отказа (увидит поставщик):".into(),
            ],
            Some(input),
            None,
        ),
        Dialog::Quantity { line, input } => (
            "Фактическое количество".into(),
            vec![format!(
                "Позиция {}: сколько пришло на самом деле?",
                line + 1
            )],
            Some(input),
            None,
        ),
        Dialog::Resend { input } => (
            "Запросить накладную повторно".into(),
            vec!["Регистрационный номер накладной в ЕГАИС (TTN-…):".into()],
            Some(input),
            None,
        ),
        Dialog::Binding(b) => {
            let mut body = Vec::new();
            let done = b
                .plan
                .items()
                .iter()
                .filter(|i| !matches!(i.status, crate::domain::ean_binding::BindingStatus::Pending))
                .count();
            if let Some(item) = b.plan.current() {
                body.push(format!(
                    "Товар {} из {}: {}",
                    done + 1,
                    b.plan.items().len(),
                    sanitize(&item.name)
                ));
                body.push(format!("Код ЕГАИС {}", sanitize(&item.alc_code)));
            }
            body.push(
                "Сканируйте штрихкод с этикетки или введите 13 цифр; Enter на пустом — пропустить"
                    .into(),
            );
            (
                "Штрихкоды товаров".into(),
                body,
                Some(&b.input),
                b.error.as_deref(),
            )
        }
    };
    let width = 72u16;
    if let Some(e) = error {
        body.push(e.to_string());
    }
    let height = body.len() as u16 + 2 + u16::from(input.is_some()) + 1;
    let rect = popup(area, width, height);
    Clear.render(rect, buf);
    let outer = block(title, theme).border_style(theme.style(Role::Focus));
    let inner = outer.inner(rect);
    outer.render(rect, buf);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, b) in body.iter().enumerate() {
        let is_error = error.is_some() && i == body.len() - 1;
        lines.push(Line::from(Span::styled(
            b.clone(),
            theme.style(if is_error { Role::Error } else { Role::Normal }),
        )));
    }
    if let Some(input) = input {
        let scroll = input.visual_scroll(w.saturating_sub(3));
        let shown: String = input.value().chars().skip(scroll).collect();
        lines.push(Line::from(Span::styled(
            fit(&format!("> {shown}_"), w),
            theme.style(Role::Focus),
        )));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .style(Style::default())
        .render(inner, buf);
}
