//! Headless screens: the same app on a `TestBackend`, driven by a script of key tokens,
//! returning the final screen as text. Lets the real binary be checked from a shell script
//! and makes every screen reproducible (with `--now`).
//!
//! Tokens: key names ("F3", "Down", "Enter", "Esc", "ctrl+q", "a"), `scan:CODE` (a scan
//! from the scanner; `\x1d` or `<GS>` for the separator), `text:…` (typed text, each
//! character a key press), `wait:MS` (let background work and UTM replies arrive).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::style::{Color, Modifier};
use tokio::sync::mpsc;

use super::app::Msg;
use super::core::{Core, Setup};
use super::draw::draw;
use super::effects::{Control, Feeds};
use super::error::TuiError;
use super::keymap::KeySpec;
use super::link::{exchange_msgs, scanner_msg};
use super::scan_input::{ScanEvent, ScanSource};
use crate::app_context::AppContext;

/// Time between two scripted key presses: slow enough that the scanner assembler sees a
/// person typing, not a scanner burst.
const KEY_GAP: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyToken {
    Key(KeyEvent),
    Scan(String),
    Text(String),
    Wait(u64),
}

impl KeyToken {
    pub fn parse(token: &str) -> Result<KeyToken, TuiError> {
        let bad = |why: &str| TuiError::Script(format!("«{token}»: {why}"));
        if let Some(code) = token.strip_prefix("scan:") {
            if code.is_empty() {
                return Err(bad("пустой код"));
            }
            return Ok(KeyToken::Scan(
                code.replace("<GS>", "\u{1d}").replace("\\x1d", "\u{1d}"),
            ));
        }
        if let Some(text) = token.strip_prefix("text:") {
            return Ok(KeyToken::Text(text.to_string()));
        }
        if let Some(ms) = token.strip_prefix("wait:") {
            return ms
                .parse::<u64>()
                .map(KeyToken::Wait)
                .map_err(|_| bad("ожидается wait:МИЛЛИСЕКУНДЫ"));
        }
        let mut chars = token.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(KeyToken::Key(char_key(c)));
        }
        let spec = KeySpec::parse(token).ok_or_else(|| bad("неизвестная клавиша"))?;
        let code = match spec.code {
            KeyCode::Char(c) if spec.mods.contains(KeyModifiers::SHIFT) => {
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            }
            other => other,
        };
        let mods = if code == KeyCode::BackTab {
            spec.mods | KeyModifiers::SHIFT
        } else {
            spec.mods
        };
        Ok(KeyToken::Key(KeyEvent::new(code, mods)))
    }

    /// Splits a script on whitespace; `text:"…"` may hold spaces inside double quotes.
    pub fn parse_script(script: &str) -> Result<Vec<KeyToken>, TuiError> {
        let mut tokens = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        for c in script.chars() {
            match c {
                '"' => quoted = !quoted,
                c if c.is_whitespace() && !quoted => {
                    if !current.is_empty() {
                        tokens.push(KeyToken::parse(&std::mem::take(&mut current))?);
                    }
                }
                c => current.push(c),
            }
        }
        if quoted {
            return Err(TuiError::Script("не закрыта кавычка".into()));
        }
        if !current.is_empty() {
            tokens.push(KeyToken::parse(&current)?);
        }
        Ok(tokens)
    }

    /// A keys file: one or more tokens per line, `#` comments; a line starting with
    /// `text:` is typed as it is, spaces included.
    pub fn parse_file(text: &str) -> Result<Vec<KeyToken>, TuiError> {
        let mut tokens = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = if let Some(t) = line.strip_prefix("text:") {
                Ok(vec![KeyToken::Text(t.to_string())])
            } else {
                KeyToken::parse_script(line)
            };
            tokens.extend(parsed.map_err(|e| match e {
                TuiError::Script(m) => TuiError::Script(format!("строка {}: {m}", n + 1)),
                other => other,
            })?);
        }
        Ok(tokens)
    }
}

fn char_key(c: char) -> KeyEvent {
    let mods = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), mods)
}

#[derive(Debug, Clone)]
pub struct HeadlessOptions {
    pub size: (u16, u16),
    pub keys: Vec<KeyToken>,
    /// A fixed clock; `wait:` moves it forward. `None`: the real clock.
    pub now: Option<Timestamp>,
}

/// Runs the app over the shop's database and returns the final screen.
pub async fn run_headless(ctx: &AppContext, opts: HeadlessOptions) -> Result<String, TuiError> {
    run_headless_with(Setup::from_context(ctx)?, Feeds::default(), opts).await
}

/// Runs the app from `setup` with `feeds` and returns the final screen as text.
pub async fn run_headless_with(
    setup: Setup,
    feeds: Feeds,
    opts: HeadlessOptions,
) -> Result<String, TuiError> {
    let terminal = run_script(setup, feeds, opts).await?;
    Ok(buffer_text(terminal.backend().buffer()))
}

/// Like [`run_headless_with`] but hands back the terminal, for snapshot and style tests.
pub async fn run_script(
    setup: Setup,
    mut feeds: Feeds,
    opts: HeadlessOptions,
) -> Result<Terminal<TestBackend>, TuiError> {
    let (w, h) = opts.size;
    if w == 0 || h == 0 {
        return Err(TuiError::Script(
            "размер экрана не может быть нулевым".into(),
        ));
    }
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(never) => match never {},
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut clock = opts.now;
    let mut core = Core::start(setup, clock_now(clock), (w, h), tx, feeds.utm_probe.take());
    if let Some(wake) = feeds.exchange_wake.take() {
        core.exec.set_exchange_wake(wake);
    }
    core.initial(&mut feeds);
    let mut instant = Instant::now();
    settle(&mut core, &mut rx, &mut feeds).await;
    for token in opts.keys {
        let mut controls = Vec::new();
        match token {
            KeyToken::Key(k) => {
                controls.extend(core.key(k, instant));
                instant += KEY_GAP;
                controls.extend(core.assembler_tick(instant));
            }
            KeyToken::Text(t) => {
                for c in t.chars() {
                    controls.extend(core.key(char_key(c), instant));
                    instant += KEY_GAP;
                    controls.extend(core.assembler_tick(instant));
                }
            }
            KeyToken::Scan(code) => {
                controls.extend(core.handle(Msg::Scan(ScanEvent {
                    code,
                    source: ScanSource::Evdev,
                    layout_fixed: false,
                    caps_fixed: false,
                    took: Duration::ZERO,
                })));
            }
            KeyToken::Wait(ms) => {
                let until = tokio::time::Instant::now() + Duration::from_millis(ms);
                pump_until(&mut core, &mut rx, &mut feeds, until).await;
                instant += Duration::from_millis(ms);
                controls.extend(core.assembler_tick(instant));
                if let Some(t) = clock.as_mut() {
                    *t += SignedDuration::from_millis(ms as i64);
                }
                controls.extend(core.handle(Msg::Tick(clock_now(clock))));
            }
        }
        settle(&mut core, &mut rx, &mut feeds).await;
        if controls.contains(&Control::Quit) || core.state.quit {
            break;
        }
    }
    if let Err(never) = terminal.draw(|f| draw(&core.state, f)) {
        match never {}
    }
    Ok(terminal)
}

fn clock_now(clock: Option<Timestamp>) -> Timestamp {
    clock.unwrap_or_else(Timestamp::now)
}

/// Runs until every read has answered and nothing is queued.
async fn settle(core: &mut Core, rx: &mut mpsc::UnboundedReceiver<Msg>, feeds: &mut Feeds) {
    loop {
        core.exec.settle().await;
        let mut any = false;
        while let Ok(msg) = rx.try_recv() {
            any = true;
            core.handle(msg);
        }
        any |= drain_feeds(core, feeds);
        if !any && !core.exec.busy() {
            return;
        }
    }
}

/// Takes whatever the outside feeds have ready, without waiting.
fn drain_feeds(core: &mut Core, feeds: &mut Feeds) -> bool {
    let mut any = false;
    if let Some(rx) = feeds.utm.as_mut()
        && rx.has_changed().unwrap_or(false)
    {
        let v = rx.borrow_and_update().clone();
        core.handle(Msg::Utm(v));
        any = true;
    }
    if let Some(rx) = feeds.outbox.as_mut()
        && rx.has_changed().unwrap_or(false)
    {
        let v = rx.borrow_and_update().clone();
        core.handle(Msg::Outbox(v));
        any = true;
    }
    if let Some(rx) = feeds.scans.as_mut() {
        while let Ok(s) = rx.try_recv() {
            core.handle(Msg::Scan(s));
            any = true;
        }
    }
    if let Some(rx) = feeds.events.as_mut() {
        while let Ok(m) = rx.try_recv() {
            core.handle(m);
            any = true;
        }
    }
    if let Some(rx) = feeds.exchange.as_mut() {
        while let Ok(ev) = rx.try_recv() {
            for m in exchange_msgs(ev) {
                core.handle(m);
            }
            any = true;
        }
    }
    if let Some(rx) = feeds.scanner_status.as_mut() {
        while let Ok(s) = rx.try_recv() {
            core.handle(scanner_msg(s));
            any = true;
        }
    }
    any
}

/// `wait:` — lets the outside world (exchange, scanner) deliver for a while.
async fn pump_until(
    core: &mut Core,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    feeds: &mut Feeds,
    until: tokio::time::Instant,
) {
    loop {
        settle(core, rx, feeds).await;
        if tokio::time::Instant::now() >= until {
            return;
        }
        tokio::time::sleep_until(
            until.min(tokio::time::Instant::now() + Duration::from_millis(10)),
        )
        .await;
    }
}

/// The screen as plain text, one line per row, trailing spaces removed.
pub fn buffer_text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::with_capacity(buffer.content.len() + buffer.area.height as usize);
    for row in buffer.content.chunks(width.max(1)) {
        let mut line = String::with_capacity(width);
        let mut skip: u16 = 0;
        for cell in row {
            if skip == 0 {
                line.push_str(cell.symbol());
            }
            skip = skip.max(cell.cell_width()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A compact dump of the screen's styles: per row, runs of equal style as
/// `start-end:fg/bg/modifiers`, so theme differences show up in a text snapshot.
pub fn buffer_styles(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::new();
    for (y, row) in buffer.content.chunks(width.max(1)).enumerate() {
        let mut runs: Vec<(usize, usize, String)> = Vec::new();
        for (x, cell) in row.iter().enumerate() {
            let style = format!(
                "{}/{}/{}",
                colour(cell.fg),
                colour(cell.bg),
                modifiers(cell.modifier)
            );
            match runs.last_mut() {
                Some((_, end, s)) if *s == style => *end = x,
                _ => runs.push((x, x, style)),
            }
        }
        let line: Vec<String> = runs
            .into_iter()
            .filter(|(_, _, s)| s != "-/-/")
            .map(|(a, b, s)| format!("{a}-{b}:{s}"))
            .collect();
        if !line.is_empty() {
            out.push_str(&format!("{y:2} {}\n", line.join(" ")));
        }
    }
    out
}

fn colour(c: Color) -> String {
    match c {
        Color::Reset => "-".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn modifiers(m: Modifier) -> String {
    let mut s = String::new();
    for (flag, letter) in [
        (Modifier::BOLD, 'B'),
        (Modifier::DIM, 'D'),
        (Modifier::ITALIC, 'I'),
        (Modifier::UNDERLINED, 'U'),
        (Modifier::REVERSED, 'R'),
    ] {
        if m.contains(flag) {
            s.push(letter);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse() {
        let t = KeyToken::parse_script(
            "F3 Down Enter Esc ctrl+q a Й shift+tab scan:46<GS>01 text:\"два слова\" wait:50",
        )
        .unwrap();
        assert_eq!(
            t[0],
            KeyToken::Key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE))
        );
        assert_eq!(
            t[1],
            KeyToken::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE))
        );
        assert_eq!(
            t[4],
            KeyToken::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            t[5],
            KeyToken::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE))
        );
        assert_eq!(
            t[6],
            KeyToken::Key(KeyEvent::new(KeyCode::Char('Й'), KeyModifiers::SHIFT))
        );
        assert_eq!(
            t[7],
            KeyToken::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
        );
        assert_eq!(t[8], KeyToken::Scan("46\u{1d}01".into()));
        assert_eq!(t[9], KeyToken::Text("два слова".into()));
        assert_eq!(t[10], KeyToken::Wait(50));
    }

    #[test]
    fn bad_tokens_are_refused() {
        for bad in ["F99", "wait:soon", "scan:", "hyper+x", "text:\"open"] {
            assert!(KeyToken::parse_script(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_file_keeps_spaces_in_text_lines() {
        let t = KeyToken::parse_file("# comment\nF2 F6\ntext:Водка Пример 0,5\n\nEnter\n").unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[2], KeyToken::Text("Водка Пример 0,5".into()));
        let e = KeyToken::parse_file("F2\nF77\n").unwrap_err();
        assert!(e.message_ru().contains("строка 2"));
    }
}
