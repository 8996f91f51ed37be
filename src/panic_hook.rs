//! A panic must not leave the till's terminal in raw mode on the alternate screen, and must
//! leave evidence. The hook restores the terminal first (a crash report nobody can read on a
//! garbled screen helps nobody), then writes the report synchronously (the log writer thread
//! may never run again), then says where it is.
//!
//! Install it before `ratatui::init()`: ratatui's own hook restores the terminal and then
//! calls the hook that was installed before it, which is this one.

use std::backtrace::Backtrace;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};

/// Installs the hook. The previous hook (the standard one, which prints the raw panic message
/// a second time) is deliberately not chained: the message is already in the report and on
/// stderr.
pub fn install(state_dir: &Path) {
    let state_dir = state_dir.to_path_buf();
    std::panic::set_hook(Box::new(move |info| handle(&state_dir, info)));
}

thread_local! {
    static EXPECTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, in which a panic is an expected way of failing that the caller catches and
/// turns into an error (redb panics on some damaged pages). Such a panic is logged, not
/// reported as a crash. The hook runs on the panicking thread, so a thread-local suffices.
pub fn expecting_panics<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            EXPECTED.with(|e| e.set(self.0));
        }
    }
    let _reset = Reset(EXPECTED.with(|e| e.replace(true)));
    f()
}

fn handle(state_dir: &Path, info: &PanicHookInfo<'_>) {
    if EXPECTED.with(|e| e.get()) {
        tracing::warn!(message = %panic_message(info), "caught an expected panic");
        return;
    }
    restore_terminal();
    let message = panic_message(info);
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
    let backtrace = Backtrace::force_capture();
    let report = crash_report(&message, location.as_deref(), &backtrace.to_string());
    tracing::error!(%message, location = location.as_deref().unwrap_or("?"), "panic");
    match write_crash_report(state_dir, &report, jiff::Timestamp::now()) {
        Ok(path) => eprintln!(
            "egais-tui: внутренняя ошибка программы / internal error: {message}\n\
             Отчёт об ошибке / crash report: {}",
            path.display()
        ),
        Err(e) => eprintln!(
            "egais-tui: внутренняя ошибка программы / internal error: {message}\n\
             (the crash report could not be written to {}: {e})\n{report}",
            state_dir.display()
        ),
    }
}

/// Leaves raw mode and the alternate screen, shows the cursor and turns off bracketed paste.
/// Harmless when the TUI never started: crossterm only restores a mode it changed, and the
/// escape sequences are only written to a terminal, never into a redirected output.
pub fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    if out.is_terminal() {
        let _ = crossterm::execute!(
            out,
            crossterm::event::DisableBracketedPaste,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = out.flush();
    }
}

fn panic_message(info: &PanicHookInfo<'_>) -> String {
    if let Some(s) = info.payload().downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// The report's text: enough for a developer without access to the till.
pub fn crash_report(message: &str, location: Option<&str>, backtrace: &str) -> String {
    format!(
        "egais-tui {version} crashed\n\
         time (UTC): {time}\n\
         os: {os} {arch}\n\
         message: {message}\n\
         location: {location}\n\
         \n\
         backtrace:\n{backtrace}\n",
        version = env!("CARGO_PKG_VERSION"),
        time = jiff::Timestamp::now(),
        os = std::env::consts::OS,
        arch = std::env::consts::ARCH,
        location = location.unwrap_or("unknown"),
    )
}

/// Writes `crash-<UTC timestamp>.txt` in `dir` (created if needed), never overwriting an
/// earlier report, and syncs it to disk before returning.
pub fn write_crash_report(
    dir: &Path,
    report: &str,
    at: jiff::Timestamp,
) -> std::io::Result<PathBuf> {
    crate::store::create_private_dir(dir)?;
    let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut n = 0u32;
    loop {
        let name = if n == 0 {
            format!("crash-{stamp}.txt")
        } else {
            format!("crash-{stamp}-{n}.txt")
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(report.as_bytes())?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expecting_panics_is_scoped() {
        assert!(!EXPECTED.with(|e| e.get()));
        let r = std::panic::catch_unwind(|| {
            expecting_panics(|| {
                assert!(EXPECTED.with(|e| e.get()));
                panic!("expected");
            })
        });
        assert!(r.is_err());
        assert!(!EXPECTED.with(|e| e.get()), "reset after an unwind too");
    }

    #[test]
    fn reports_never_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let at: jiff::Timestamp = "2026-11-26T08:15:02Z".parse().unwrap();
        let a = write_crash_report(dir.path(), "first", at).unwrap();
        let b = write_crash_report(dir.path(), "second", at).unwrap();
        assert_eq!(a.file_name().unwrap(), "crash-20261126T081502Z.txt");
        assert_eq!(b.file_name().unwrap(), "crash-20261126T081502Z-1.txt");
        assert_eq!(std::fs::read_to_string(a).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(b).unwrap(), "second");
    }

    #[test]
    fn report_names_version_message_and_location() {
        let r = crash_report(
            "index out of bounds",
            Some("src/tui/app.rs:10:5"),
            "0: main",
        );
        assert!(r.contains(env!("CARGO_PKG_VERSION")));
        assert!(r.contains("message: index out of bounds"));
        assert!(r.contains("location: src/tui/app.rs:10:5"));
        assert!(r.contains("0: main"));
    }
}
