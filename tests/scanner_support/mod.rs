//! Shared by the scanner integration tests: sample codes and drivers that feed the
//! pure decoders the way the UI loop and the evdev reader do.
#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::KeyEvent;
use egais_tui::config;
use egais_tui::scanner::ScanEvent;
use egais_tui::scanner::evdev_decoder::EvdevDecoder;
use egais_tui::scanner::terminal::{Routed, TermAssembler};

/// A real 150-character stamp from a sample invoice (shared/egais/samples).
pub const DATAMATRIX: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";
/// The official 68-character PDF417 sample (PROTOCOL.md §4.2).
pub const PDF417: &str = "19N00000XOPN13MM66T12TS311080076535486539219152175585956302712947119";
pub const PDF417_ALC_CODE: &str = "0123163000001747669";
pub const EAN13: &str = "4600439931256";
/// A Честный знак code with GS-separated 91/92 tails.
pub const HONEST_SIGN: &str =
    "0104600439931256215ZIJDsU\u{1d}91EE06\u{1d}92YWCXbmK6SN8vvwoxZFk7WAY8WoJNMGGr6Cgtiuja04c=";
pub const HONEST_SIGN_GTIN: &str = "04600439931256";

pub fn cfg() -> config::Scanner {
    config::Scanner::default()
}

/// Feeds (key, ms) pairs like the UI loop: before each key, `tick` at every deadline
/// that passes first; after the last key, ticks until nothing is pending.
pub fn drive_terminal(
    cfg: &config::Scanner,
    keys: impl IntoIterator<Item = (KeyEvent, u64)>,
) -> Vec<Routed> {
    let base = Instant::now();
    let at = |ms: u64| base + Duration::from_millis(ms);
    let mut asm = TermAssembler::new(cfg);
    let mut out = Vec::new();
    for (key, ms) in keys {
        while let Some(d) = asm.next_deadline() {
            if d > at(ms) {
                break;
            }
            out.extend(asm.tick(d));
        }
        out.extend(asm.feed(key, at(ms)));
    }
    while let Some(d) = asm.next_deadline() {
        out.extend(asm.tick(d));
    }
    out
}

/// Spaces keys `step` ms apart from `start`.
pub fn timed(keys: Vec<KeyEvent>, start: u64, step: u64) -> Vec<(KeyEvent, u64)> {
    keys.into_iter()
        .enumerate()
        .map(|(i, k)| (k, start + i as u64 * step))
        .collect()
}

pub fn scans(routed: &[Routed]) -> Vec<&ScanEvent> {
    routed
        .iter()
        .filter_map(|r| match r {
            Routed::Scan(s) => Some(s),
            Routed::Key(_) => None,
        })
        .collect()
}

pub fn keys(routed: &[Routed]) -> Vec<KeyEvent> {
    routed
        .iter()
        .filter_map(|r| match r {
            Routed::Key(k) => Some(*k),
            Routed::Scan(_) => None,
        })
        .collect()
}

pub fn epoch_ms(ms: u64) -> SystemTime {
    // An arbitrary fixed kernel time, so tests never read the clock.
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000) + Duration::from_millis(ms)
}

/// Feeds (code, value, ms) events like the evdev reader: `tick` at each deadline that
/// passes before the next event, and at the end.
pub fn drive_evdev(
    cfg: &config::Scanner,
    events: impl IntoIterator<Item = (u16, i32, u64)>,
) -> Vec<ScanEvent> {
    let mut dec = EvdevDecoder::new(cfg);
    let mut out = Vec::new();
    for (code, value, ms) in events {
        if let Some(d) = dec.deadline()
            && d <= epoch_ms(ms)
        {
            out.extend(dec.tick(d));
        }
        out.extend(dec.feed(code, value, epoch_ms(ms)));
    }
    if let Some(d) = dec.deadline() {
        out.extend(dec.tick(d));
    }
    out
}

/// Spaces (code, value) events `step` ms apart.
pub fn timed_evdev(events: Vec<(u16, i32)>, start: u64, step: u64) -> Vec<(u16, i32, u64)> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, (c, v))| (c, v, start + i as u64 * step))
        .collect()
}
