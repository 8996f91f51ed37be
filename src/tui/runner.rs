//! The interactive loop on the real terminal: one `tokio::select!` over terminal input
//! (first, so app traffic cannot starve keys), held-back scanner keys, scans from evdev,
//! effect results, exchange events and a clock tick. After each message whatever else is
//! queued is handled too, then the screen is drawn once.

use std::future::pending;
use std::io::{self, stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use crossterm::execute;
use futures::{Stream, StreamExt};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;

use super::app::Msg;
use super::core::{Core, Setup};
use super::draw::draw;
use super::effects::{Control, Feeds};
use super::error::TuiError;
use super::link::{exchange_msgs, scanner_msg};
use crate::app_context::AppContext;

/// Runs the TUI on the terminal until the cashier exits. The terminal is restored on
/// return, on error, and (by ratatui's hook, chained before the crate's panic hook) on
/// panic. Call after `crate::panic_hook::install`.
pub async fn run_terminal(ctx: AppContext, feeds: Feeds) -> Result<(), TuiError> {
    // Bad keymap or theme files are refused before the screen is taken over, so the
    // message stays readable in the shell.
    let setup = Setup::from_context(&ctx)?;
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(stdout(), EnableBracketedPaste);
    // Created once: every EventStream spawns its own reader thread.
    let events = EventStream::new();
    let result = tokio::select! {
        r = event_loop(&mut terminal, events, setup, feeds, suspend) => r,
        // `systemctl stop` or a closed SSH session: leave the terminal usable.
        signal = termination() => {
            tracing::info!(signal, "TUI stopped by a signal");
            Ok(())
        }
    };
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    let _ = terminal.show_cursor();
    result
}

/// Resolves when the process is asked to end (SIGTERM, SIGHUP); never without a handler.
async fn termination() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut hup)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
            },
            _ => pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        pending().await
    }
}

/// Ctrl+Z: hand the terminal back to the shell, stop, and take it again on `fg`.
fn suspend(terminal: &mut ratatui::DefaultTerminal) -> io::Result<()> {
    execute!(stdout(), DisableBracketedPaste, crossterm::cursor::Show)?;
    ratatui::try_restore()?;
    #[cfg(unix)]
    // SAFETY: raise() only delivers a signal to this process; SIGTSTP's default action
    // stops it and execution continues here after SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    crossterm::terminal::enable_raw_mode()?;
    execute!(
        stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableBracketedPaste
    )?;
    terminal.clear()
}

fn term_err<E: std::error::Error + Send + Sync + 'static>(e: E) -> TuiError {
    TuiError::Terminal(io::Error::other(e))
}

/// The loop itself, generic over the backend and the event source so it can be driven
/// by tests with a `TestBackend` and a synthetic stream.
pub async fn event_loop<B, S>(
    terminal: &mut Terminal<B>,
    mut events: S,
    setup: Setup,
    mut feeds: Feeds,
    mut on_suspend: impl FnMut(&mut Terminal<B>) -> io::Result<()>,
) -> Result<(), TuiError>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let size = terminal.size().map_err(term_err)?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let probe = feeds.utm_probe.take();
    let mut core = Core::start(
        setup,
        Timestamp::now(),
        (size.width, size.height),
        tx,
        probe,
    );
    if let Some(wake) = feeds.exchange_wake.take() {
        core.exec.set_exchange_wake(wake);
    }
    core.initial(&mut feeds);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    terminal.draw(|f| draw(&core.state, f)).map_err(term_err)?;
    loop {
        let deadline = core.assembler.next_deadline();
        let mut controls = Vec::new();
        tokio::select! {
            biased;
            ev = events.next() => match ev {
                Some(Ok(ev)) => controls.extend(terminal_event(&mut core, ev)),
                Some(Err(e)) => return Err(e.into()),
                // The terminal went away (SSH dropped): nothing left to serve.
                None => return Ok(()),
            },
            _ = sleep_until(deadline) => controls.extend(core.assembler_tick(Instant::now())),
            Some(scan) = recv(&mut feeds.scans) => controls.extend(core.handle(Msg::Scan(scan))),
            Some(msg) = rx.recv() => controls.extend(core.handle(msg)),
            Some(msg) = recv_unbounded(&mut feeds.events) => controls.extend(core.handle(msg)),
            Some(ev) = recv(&mut feeds.exchange) => {
                for msg in exchange_msgs(ev) {
                    controls.extend(core.handle(msg));
                }
            }
            Some(s) = recv(&mut feeds.scanner_status) => controls.extend(core.handle(scanner_msg(s))),
            Some(v) = changed(&mut feeds.utm) => controls.extend(core.handle(Msg::Utm(v))),
            Some(v) = changed(&mut feeds.outbox) => controls.extend(core.handle(Msg::Outbox(v))),
            _ = tick.tick() => controls.extend(core.handle(Msg::Tick(Timestamp::now()))),
        }
        while let Ok(msg) = rx.try_recv() {
            controls.extend(core.handle(msg));
        }
        core.exec.reap();
        for c in controls {
            match c {
                Control::Quit => return Ok(()),
                Control::Suspend => {
                    on_suspend(terminal)?;
                }
                Control::Redraw => terminal.clear().map_err(term_err)?,
            }
        }
        if core.state.quit {
            return Ok(());
        }
        terminal.draw(|f| draw(&core.state, f)).map_err(term_err)?;
    }
}

fn terminal_event(core: &mut Core, ev: Event) -> Vec<Control> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => core.key(k, Instant::now()),
        Event::Paste(text) => core.handle(Msg::Paste(text)),
        Event::Resize(w, h) => core.handle(Msg::Resize(w, h)),
        _ => Vec::new(),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => pending().await,
    }
}

/// Next item of an optional channel; a closed or absent channel never answers.
async fn recv<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    if let Some(r) = rx.as_mut()
        && let Some(v) = r.recv().await
    {
        return Some(v);
    }
    *rx = None;
    pending().await
}

async fn recv_unbounded<T>(rx: &mut Option<mpsc::UnboundedReceiver<T>>) -> Option<T> {
    if let Some(r) = rx.as_mut()
        && let Some(v) = r.recv().await
    {
        return Some(v);
    }
    *rx = None;
    pending().await
}

async fn changed<T: Clone>(rx: &mut Option<watch::Receiver<T>>) -> Option<T> {
    if let Some(r) = rx.as_mut()
        && r.changed().await.is_ok()
    {
        return Some(r.borrow_and_update().clone());
    }
    *rx = None;
    pending().await
}
