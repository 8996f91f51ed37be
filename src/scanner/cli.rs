//! `egais-tui scanner list`, `scanner learn` and `scanner test`: setting a scanner up
//! in the shop. `test` shows every scan as decoded (GS visible as `<GS>`), what it is, how
//! long it took and where it came from; `--record FILE` saves the raw key stream in the
//! fixture format so a misbehaving scanner can be replayed in the tests.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::fixture::{self, TermRecord};
use super::mode::{self, ChosenMode};
use super::terminal::{Routed, TermAssembler};
use super::{ScanEvent, ScanSource, visible};
use crate::config::{self, Config};

#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct ScannerArgs {
    #[command(subcommand)]
    pub command: ScannerCommand,
}

#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum ScannerCommand {
    /// Устройства ввода (evdev): имя, путь by-id, похоже ли на сканер, есть ли доступ.
    List,
    /// Показывать каждое сканирование: код, тип, время, источник. Выход: Esc или Ctrl+C.
    Test {
        /// Устройство evdev (/dev/input/by-id/...-event-kbd); без него решают настройки.
        device: Option<PathBuf>,
        /// Читать сканер из терминала (как по SSH), даже если указано устройство.
        #[arg(long, conflicts_with = "device")]
        terminal: bool,
        /// Записать поток клавиш в FILE (формат тестовых фикстур).
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
    },
    /// Найти сканер: отсканируйте любой код, и будет показано, с какого он устройства.
    Learn {
        /// Сколько секунд ждать скан.
        #[arg(long, default_value_t = 60, value_name = "SECONDS")]
        timeout: u64,
    },
}

/// Runs a `scanner` subcommand; the result is the process exit code.
pub fn run(args: &ScannerArgs, config: &Config) -> anyhow::Result<i32> {
    match &args.command {
        ScannerCommand::List => list(),
        ScannerCommand::Learn { timeout } => learn(&config.scanner, *timeout),
        ScannerCommand::Test {
            device,
            terminal,
            record,
        } => {
            let source = if *terminal {
                ChosenMode::Terminal
            } else if let Some(device) = device {
                ChosenMode::Evdev {
                    device: device.clone(),
                }
            } else {
                let decision = mode::choose_for_process(&config.scanner);
                if let Some(w) = &decision.warning {
                    println!("внимание: {}", w.message_ru());
                }
                decision.mode
            };
            for problem in super::terminal::config_problems(&config.scanner) {
                println!("внимание: настройки сканера: {problem}");
            }
            match source {
                ChosenMode::Terminal => test_terminal(&config.scanner, record.as_ref()),
                ChosenMode::Evdev { device } => {
                    test_evdev(device, config.scanner.clone(), record.as_ref())
                }
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn list() -> anyhow::Result<i32> {
    use super::devices::{self, Access, Looks};
    let all = devices::list();
    if all.is_empty() {
        println!(
            "устройства ввода не найдены ({} пуст или недоступен)",
            devices::SYS_CLASS_INPUT
        );
        return Ok(1);
    }
    let mut any_denied = None;
    for d in &all {
        let looks = match d.looks {
            Looks::Scanner => "похоже на сканер",
            Looks::Keyboard => "клавиатура (или сканер)",
            Looks::Other => "не клавиатура",
        };
        let access = match &d.access {
            Access::Readable => "доступ есть".to_string(),
            Access::NoPermission => {
                any_denied.get_or_insert_with(|| d.path.clone());
                "НЕТ ДОСТУПА".to_string()
            }
            Access::Failed(e) => format!("ошибка: {e}"),
        };
        let id = match (d.vendor, d.product) {
            (Some(v), Some(p)) => format!("{v:04x}:{p:04x}"),
            _ => "----:----".to_string(),
        };
        println!(
            "{}  «{}»  {id}  {looks}, {access}",
            d.path.display(),
            d.name
        );
        for link in &d.by_id {
            println!("    {}", link.display());
        }
    }
    println!();
    println!(
        "В настройках укажите путь by-id: [scanner] device = \"/dev/input/by-id/...-event-kbd\""
    );
    println!("Какое устройство — сканер, покажет egais-tui scanner learn.");
    if let Some(path) = any_denied {
        println!("{}", super::no_permission_ru(&path));
    }
    Ok(0)
}

#[cfg(not(target_os = "linux"))]
fn list() -> anyhow::Result<i32> {
    println!("список устройств evdev доступен только в Linux");
    Ok(1)
}

#[cfg(target_os = "linux")]
fn learn(cfg: &config::Scanner, timeout_s: u64) -> anyhow::Result<i32> {
    super::learn::run(cfg, Duration::from_secs(timeout_s))
}

#[cfg(not(target_os = "linux"))]
fn learn(_cfg: &config::Scanner, _timeout_s: u64) -> anyhow::Result<i32> {
    println!("поиск сканера через evdev доступен только в Linux");
    Ok(1)
}

fn describe(scan: &ScanEvent) -> String {
    let source = match scan.source {
        ScanSource::Evdev => "evdev",
        ScanSource::Terminal => "терминал",
    };
    let chars = scan.code.chars().count();
    let per_char = if chars > 1 {
        format!(
            ", {:.1} мс/симв.",
            scan.took.as_secs_f64() * 1000.0 / (chars - 1) as f64
        )
    } else {
        String::new()
    };
    let mut text = format!(
        "скан ({source}): {chars} симв. за {} мс{per_char}\n  код: {}\n  тип: {}",
        scan.took.as_millis(),
        visible(&scan.code),
        scan.kind().label_ru()
    );
    if let Some(w) = scan.warning_ru() {
        text.push_str(&format!("\n  внимание: {w}"));
    }
    if crate::domain::mark::looks_like_honest_sign_without_gs(&scan.code) {
        text.push_str(
            "\n  внимание: код Честного знака без разделителей GS — настройте сканер \
             (GS как Ctrl+] или F8)",
        );
    }
    text
}

/// Restores the terminal on every way out, including a panic unwinding through.
pub(crate) struct RawModeGuard;

impl RawModeGuard {
    pub(crate) fn enable() -> io::Result<RawModeGuard> {
        crossterm::terminal::enable_raw_mode()?;
        Ok(RawModeGuard)
    }
}

impl Drop for RawModeGuard {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Raw mode has no output post-processing, so every line needs its own `\r`.
fn raw_println(text: &str) {
    let mut out = io::stdout().lock();
    let _ = write!(out, "{}\r\n", text.replace('\n', "\r\n"));
    let _ = out.flush();
}

pub(crate) fn is_quit(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && (key.code == KeyCode::Esc
            || (key.modifiers.contains(KeyModifiers::CONTROL)
                && matches!(key.code, KeyCode::Char('c' | 'C' | 'с' | 'С'))))
}

fn create_record(path: &PathBuf, header: &str) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    writeln!(w, "# {header}")?;
    Ok(w)
}

fn test_terminal(cfg: &config::Scanner, record: Option<&PathBuf>) -> anyhow::Result<i32> {
    let mut recorder = match record {
        Some(path) => Some(create_record(path, "egais-tui scanner test --terminal")?),
        None => None,
    };
    println!(
        "Сканер читается из терминала: не меньше {} символов с паузами до {} мс{}.",
        cfg.burst_min_chars,
        cfg.burst_max_gap_ms,
        cfg.prefix
            .as_deref()
            .map(|p| format!(", или после префикса {p}"))
            .unwrap_or_default()
    );
    println!("Отсканируйте код. Выход: Esc или Ctrl+C.");
    let _raw = RawModeGuard::enable().context("cannot switch the terminal to raw mode")?;
    let mut assembler = TermAssembler::new(cfg);
    let started = Instant::now();
    loop {
        let now = Instant::now();
        let wait = assembler
            .next_deadline()
            .map_or(Duration::from_secs(1), |d| d.saturating_duration_since(now));
        let routed = if event::poll(wait).context("cannot read the terminal")? {
            match event::read().context("cannot read the terminal")? {
                Event::Key(key) => {
                    let now = Instant::now();
                    if let Some(w) = recorder.as_mut() {
                        let rec = TermRecord {
                            at_ms: now.duration_since(started).as_millis() as u64,
                            key,
                        };
                        w.write_all(fixture::format_terminal(&[rec]).as_bytes())?;
                    }
                    assembler.feed(key, now)
                }
                _ => Vec::new(),
            }
        } else {
            assembler.tick(Instant::now())
        };
        for r in routed {
            match r {
                Routed::Key(key) if is_quit(&key) => {
                    if let Some(mut w) = recorder {
                        w.flush()?;
                    }
                    return Ok(0);
                }
                Routed::Key(key) => {
                    let name = fixture::format_terminal_key(&key)
                        .unwrap_or_else(|| format!("{:?}", key.code));
                    raw_println(&format!("клавиша (не скан): {name}"));
                }
                Routed::Scan(scan) => raw_println(&describe(&scan)),
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn test_evdev(
    device: PathBuf,
    cfg: config::Scanner,
    record: Option<&PathBuf>,
) -> anyhow::Result<i32> {
    use super::evdev_reader::{self, RawKey};
    use super::fixture::EvdevRecord;
    use tokio::sync::mpsc;

    let mut recorder = match record {
        Some(path) => Some(create_record(path, "egais-tui scanner test (evdev)")?),
        None => None,
    };
    println!(
        "Сканер читается из {} (устройство захватывается). Выход: Ctrl+C.",
        device.display()
    );
    // A thread of its own: the caller may already be inside a tokio runtime.
    let worker = std::thread::spawn(move || -> anyhow::Result<i32> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?;
        rt.block_on(async move {
            let (scan_tx, mut scans) = mpsc::channel(16);
            let (status_tx, mut statuses) = mpsc::channel(16);
            let (tap_tx, mut taps) = mpsc::unbounded_channel::<RawKey>();
            let tap = recorder.is_some().then_some(tap_tx);
            let reader = tokio::spawn(evdev_reader::run_with_tap(
                device, cfg, scan_tx, status_tx, tap,
            ));
            let mut first: Option<std::time::SystemTime> = None;
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    Some(scan) = scans.recv() => println!("{}", describe(&scan)),
                    Some(status) = statuses.recv() => println!("[{}]", status.message_ru()),
                    Some(raw) = taps.recv() => {
                        if let Some(w) = recorder.as_mut() {
                            let start = *first.get_or_insert(raw.at);
                            let at_ms = raw.at.duration_since(start).unwrap_or_default().as_millis() as u64;
                            w.write_all(fixture::format_evdev(&EvdevRecord {
                                at_ms,
                                code: raw.code,
                                value: raw.value,
                            }).as_bytes())?;
                        }
                    }
                }
            }
            drop(scans);
            let _ = reader.await;
            if let Some(mut w) = recorder {
                w.flush()?;
            }
            Ok(0)
        })
    });
    worker
        .join()
        .map_err(|_| anyhow::anyhow!("the scanner test thread panicked"))?
}

#[cfg(not(target_os = "linux"))]
fn test_evdev(
    device: PathBuf,
    _cfg: config::Scanner,
    _record: Option<&PathBuf>,
) -> anyhow::Result<i32> {
    println!(
        "evdev есть только в Linux ({}); используйте --terminal",
        device.display()
    );
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ScannerArgs,
    }

    #[test]
    fn arguments_parse() {
        let cli = Cli::try_parse_from(["x", "test", "--terminal", "--record", "a.txt"]).unwrap();
        assert_eq!(
            cli.args.command,
            ScannerCommand::Test {
                device: None,
                terminal: true,
                record: Some("a.txt".into())
            }
        );
        assert!(Cli::try_parse_from(["x", "test", "/dev/input/event3", "--terminal"]).is_err());
        assert_eq!(
            Cli::try_parse_from(["x", "list"]).unwrap().args.command,
            ScannerCommand::List
        );
        assert_eq!(
            Cli::try_parse_from(["x", "learn", "--timeout", "5"])
                .unwrap()
                .args
                .command,
            ScannerCommand::Learn { timeout: 5 }
        );
    }

    #[test]
    fn description_shows_gs_kind_and_timing() {
        let scan = ScanEvent {
            code: "0104600439931256215ZIJDsU\u{1d}93dGVz".into(),
            source: ScanSource::Terminal,
            layout_fixed: true,
            caps_fixed: false,
            took: Duration::from_millis(310),
        };
        let text = describe(&scan);
        assert!(text.contains("<GS>93dGVz"), "{text}");
        assert!(
            text.contains("Честный знак (GTIN 04600439931256)"),
            "{text}"
        );
        assert!(text.contains("310 мс"), "{text}");
        assert!(text.contains("терминал"), "{text}");
        assert!(text.contains("русской раскладке"), "{text}");
    }
}
