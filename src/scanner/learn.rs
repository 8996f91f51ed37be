//! "Scan anything now": listen to every readable keyboard-like input device (without
//! grabbing) and name the one that produced a scanner-speed burst — the scanner.
//! The cashier's keyboard is only read for the few seconds of this setup command.

use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use crossterm::event::{self, Event};
use evdev::{Device, EventSummary, KeyCode};
use tokio::sync::oneshot;

use super::evdev_decoder::EvdevDecoder;
use super::{ScanEvent, devices};
use crate::config;

/// The device a scan came from.
#[derive(Debug, Clone)]
pub struct Learned {
    pub path: PathBuf,
    pub name: String,
    pub scan: ScanEvent,
}

/// A burst counts as the scanner only at scanner speed and length, so keys typed on
/// the real keyboard meanwhile do not win.
pub fn is_scanner_burst(scan: &ScanEvent, cfg: &config::Scanner) -> bool {
    let chars = scan.code.chars().count();
    if chars < cfg.burst_min_chars.max(2) {
        return false;
    }
    let per_key = scan.took / u32::try_from(chars - 1).unwrap_or(u32::MAX);
    per_key <= Duration::from_millis(cfg.burst_max_gap_ms)
}

fn keyboard_like(dev: &Device) -> bool {
    dev.supported_keys().is_some_and(|k| {
        k.contains(KeyCode::KEY_ENTER) && k.contains(KeyCode::KEY_A) && k.contains(KeyCode::KEY_1)
    })
}

async fn listen(
    path: PathBuf,
    dev: Device,
    cfg: config::Scanner,
    found: std_mpsc::Sender<Learned>,
) -> std::io::Result<()> {
    let name = dev.name().unwrap_or_default().to_string();
    let mut stream = dev.into_event_stream()?;
    let mut decoder = EvdevDecoder::new(&cfg);
    loop {
        let wait = decoder.deadline().map(|d| {
            d.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        let event = match wait {
            Some(w) => tokio::time::timeout(w, stream.next_event()).await.ok(),
            None => Some(stream.next_event().await),
        };
        let scan = match event {
            None => decoder.tick(SystemTime::now()),
            Some(Ok(ev)) => {
                let ts = ev.timestamp();
                match ev.destructure() {
                    EventSummary::Key(_, key, value) => decoder.feed(key.code(), value, ts),
                    _ => None,
                }
            }
            Some(Err(e)) => return Err(e),
        };
        if let Some(scan) = scan.filter(|s| is_scanner_burst(s, &cfg)) {
            let learned = Learned {
                path: path.clone(),
                name: name.clone(),
                scan,
            };
            if found.send(learned).is_err() {
                return Ok(());
            }
        }
    }
}

/// Runs the learn mode in the terminal; the result is the exit code.
pub fn run(cfg: &config::Scanner, timeout: Duration) -> anyhow::Result<i32> {
    let candidates: Vec<(PathBuf, Device)> = evdev::enumerate()
        .filter(|(_, d)| keyboard_like(d))
        .collect();
    if candidates.is_empty() {
        println!(
            "нет доступных клавиатур evdev: запустите от root или установите правило udev \
             (см. egais-tui scanner list)"
        );
        return Ok(1);
    }
    println!(
        "Слушаю {} устройств. Отсканируйте любой код (ждать {} с; Esc — выход).",
        candidates.len(),
        timeout.as_secs()
    );
    let (found_tx, found) = std_mpsc::channel();
    let (stop_tx, stop) = oneshot::channel::<()>();
    let cfg_for_tasks = cfg.clone();
    let worker = std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?;
        rt.block_on(async move {
            for (path, dev) in candidates {
                let tx = found_tx.clone();
                let cfg = cfg_for_tasks.clone();
                tokio::spawn(async move {
                    if let Err(e) = listen(path.clone(), dev, cfg, tx).await {
                        tracing::debug!(device = %path.display(), error = %e, "learn: device ended");
                    }
                });
            }
            drop(found_tx);
            let _ = stop.await;
        });
        Ok(())
    });

    // The scan also reaches this terminal (nothing is grabbed): raw mode keeps it from
    // echoing and from being run by the shell afterwards, so it is read and dropped.
    let started = Instant::now();
    let outcome = {
        let _raw = super::cli::RawModeGuard::enable().context("cannot switch to raw mode")?;
        loop {
            if let Ok(learned) = found.try_recv() {
                break Some(learned);
            }
            if started.elapsed() >= timeout {
                break None;
            }
            if event::poll(Duration::from_millis(50)).context("cannot read the terminal")?
                && let Event::Key(key) = event::read().context("cannot read the terminal")?
                && super::cli::is_quit(&key)
            {
                break None;
            }
        }
    };
    let _ = stop_tx.send(());
    let _ = worker.join();
    match outcome {
        Some(learned) => {
            let by_id = devices::list()
                .into_iter()
                .find(|d| d.path == learned.path)
                .and_then(|d| d.by_id.into_iter().next());
            let config_path = by_id.as_ref().unwrap_or(&learned.path);
            println!(
                "Сканер: «{}» ({}), код из {} симв. за {} мс.",
                learned.name,
                learned.path.display(),
                learned.scan.code.chars().count(),
                learned.scan.took.as_millis()
            );
            println!(
                "В настройки:\n[scanner]\ndevice = \"{}\"",
                config_path.display()
            );
            if by_id.is_none() {
                println!(
                    "(у устройства нет пути в /dev/input/by-id: номер eventN может смениться \
                     после перезагрузки)"
                );
            }
            Ok(0)
        }
        None => {
            println!("скан не получен");
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::ScanSource;

    fn scan(code: &str, took_ms: u64) -> ScanEvent {
        ScanEvent {
            code: code.into(),
            source: ScanSource::Evdev,
            layout_fixed: false,
            caps_fixed: false,
            took: Duration::from_millis(took_ms),
        }
    }

    #[test]
    fn only_fast_long_bursts_are_the_scanner() {
        let cfg = config::Scanner::default();
        assert!(is_scanner_burst(&scan("4600439931256", 12 * 8), &cfg));
        assert!(!is_scanner_burst(&scan("4600439931256", 12 * 120), &cfg));
        assert!(!is_scanner_burst(&scan("abc", 2), &cfg));
    }
}
