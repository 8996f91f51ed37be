//! Scans in the terminal's key stream (SSH, or a console without evdev access).
//!
//! A pure state machine in front of the keymap and the widgets. Scanner keys come in
//! bursts (a batch written at once arrives within 1 ms, a scanner types every ~8 ms),
//! human keys have gaps of 60-100 ms and more. So:
//! * the first keys are held back (`holdback_ms`, at least `burst_max_gap_ms`) while
//!   they might start a burst;
//! * `burst_min_chars` scannable keys, each within `burst_max_gap_ms` of the previous,
//!   make a burst; it is captured until Enter/Tab or `timeout_ms` of silence;
//! * everything that does not qualify is replayed as ordinary keys, in order;
//! * a programmed prefix key (`prefix = "f12"`) starts a capture at once, whatever
//!   the timing.
//!
//! A key held down autorepeats at 25-40 Hz and could look like a burst, so a run of
//! one repeated character never qualifies. Over a terminal the release of Alt is not
//! visible, so Alt+keypad codes are decoded per run of Alt+digits (Alt+0,2,9 → GS);
//! scanners in full "Alt mode" need the evdev source.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::keyspec::{KeySpec, KeySpecError};
use super::{MAX_SCAN_CHARS, ScanEvent, ScanSource, repair};
use crate::config;
use crate::domain::mark::GS;

/// What the assembler hands on: an ordinary key for the keymap/widgets, or a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    Key(KeyEvent),
    Scan(ScanEvent),
}

/// What one key means to the assembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Char(char),
    Gs,
    AltDigit(u8),
    Terminator,
    Prefix,
    /// A key release (kitty protocol): kept in order with held keys, never counted.
    Release,
    Other,
}

impl Item {
    fn is_scannable(self) -> bool {
        matches!(self, Item::Char(_) | Item::Gs | Item::AltDigit(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Keys that may start a burst, not yet given to anyone.
    Holding,
    /// A qualified burst (or a prefixed scan) being captured.
    Capturing {
        by_prefix: bool,
    },
    /// A held-down key's autorepeat: pass its repeats straight through.
    Repeating(char),
}

#[derive(Debug, Clone)]
struct Settings {
    gs: Vec<KeySpec>,
    prefix: Option<KeySpec>,
    alt_codes: bool,
    min_chars: usize,
    max_gap: Duration,
    holdback: Duration,
    timeout: Duration,
}

/// The key specs in the scanner config that cannot be parsed (they are ignored).
pub fn config_problems(cfg: &config::Scanner) -> Vec<KeySpecError> {
    let mut problems: Vec<KeySpecError> = cfg
        .gs_keys
        .iter()
        .filter_map(|s| s.parse::<KeySpec>().err())
        .collect();
    if let Some(Err(e)) = cfg.prefix.as_deref().map(str::parse::<KeySpec>) {
        problems.push(e);
    }
    problems
}

impl Settings {
    fn from_config(cfg: &config::Scanner) -> Self {
        for problem in config_problems(cfg) {
            tracing::warn!(error = %problem, "scanner: ignoring a key spec in the config");
        }
        let gs = cfg
            .gs_keys
            .iter()
            .filter_map(|s| s.parse::<KeySpec>().ok())
            .collect();
        Settings {
            gs,
            prefix: cfg.prefix.as_deref().and_then(|p| p.parse().ok()),
            alt_codes: cfg.alt_codes,
            min_chars: cfg.burst_min_chars.max(1),
            max_gap: Duration::from_millis(cfg.burst_max_gap_ms),
            holdback: Duration::from_millis(cfg.holdback_ms.max(cfg.burst_max_gap_ms)),
            timeout: Duration::from_millis(cfg.timeout_ms.max(cfg.burst_max_gap_ms)),
        }
    }
}

/// Splits the terminal key stream into ordinary keys and scans. Feed every key event
/// with its arrival time, and call [`TermAssembler::tick`] at
/// [`TermAssembler::next_deadline`] so held keys and unterminated scans come out.
#[derive(Debug, Clone)]
pub struct TermAssembler {
    cfg: Settings,
    phase: Phase,
    held: Vec<(KeyEvent, Item, Instant)>,
    /// Time of the last scannable key (or the prefix key) of the current phase.
    last: Option<Instant>,
    /// The terminator that ended the last scan: its release (kitty protocol) belongs
    /// to the scan and must not reach the widgets on its own.
    terminator_release: Option<KeyCode>,
}

impl TermAssembler {
    pub fn new(cfg: &config::Scanner) -> Self {
        TermAssembler {
            cfg: Settings::from_config(cfg),
            phase: Phase::Idle,
            held: Vec::with_capacity(192),
            last: None,
            terminator_release: None,
        }
    }

    fn classify(&self, ev: &KeyEvent) -> Item {
        if ev.kind == KeyEventKind::Release {
            return Item::Release;
        }
        if self.cfg.prefix.is_some_and(|p| p.matches_key_event(ev)) {
            return Item::Prefix;
        }
        if self.cfg.gs.iter().any(|g| g.matches_key_event(ev)) {
            return Item::Gs;
        }
        let m = ev.modifiers;
        match ev.code {
            KeyCode::Enter | KeyCode::Tab if m.is_empty() => Item::Terminator,
            KeyCode::Char(c) if m == KeyModifiers::ALT && self.cfg.alt_codes => c
                .to_digit(10)
                .and_then(|d| u8::try_from(d).ok())
                .map_or(Item::Other, Item::AltDigit),
            KeyCode::Char(c) if (m - KeyModifiers::SHIFT).is_empty() && !c.is_control() => {
                Item::Char(c)
            }
            _ => Item::Other,
        }
    }

    /// Routes one key event that arrived at `now`.
    pub fn feed(&mut self, ev: KeyEvent, now: Instant) -> Vec<Routed> {
        let mut out = Vec::new();
        let item = self.classify(&ev);
        self.expire(now, &mut out);
        self.step(ev, item, now, &mut out);
        out
    }

    /// Releases what is due at `now`: held keys that did not become a burst, and a
    /// scan that ended without a terminator.
    pub fn tick(&mut self, now: Instant) -> Vec<Routed> {
        let mut out = Vec::new();
        self.expire(now, &mut out);
        out
    }

    /// When [`TermAssembler::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        let last = self.last?;
        match self.phase {
            Phase::Holding => Some(last + self.cfg.holdback),
            Phase::Capturing { .. } => Some(last + self.cfg.timeout),
            Phase::Idle | Phase::Repeating(_) => None,
        }
    }

    /// True while keys are held back or a scan is being captured, so the UI may show
    /// a "scanning…" hint.
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Holding | Phase::Capturing { .. })
    }

    fn expire(&mut self, now: Instant, out: &mut Vec<Routed>) {
        if let Some(deadline) = self.next_deadline()
            && now >= deadline
        {
            match self.phase {
                Phase::Holding => self.flush_as_keys(out),
                Phase::Capturing { .. } => self.finish_scan(now, false, out),
                Phase::Idle | Phase::Repeating(_) => {}
            }
        }
    }

    fn gap_ok(&self, now: Instant, limit: Duration) -> bool {
        self.last
            .is_some_and(|last| now.saturating_duration_since(last) <= limit)
    }

    fn step(&mut self, ev: KeyEvent, item: Item, now: Instant, out: &mut Vec<Routed>) {
        match self.phase {
            Phase::Idle => self.step_idle(ev, item, now, out),
            Phase::Repeating(c) => {
                if item == Item::Char(c) && self.gap_ok(now, self.cfg.max_gap) {
                    self.last = Some(now);
                    out.push(Routed::Key(ev));
                } else {
                    self.reset();
                    self.step_idle(ev, item, now, out);
                }
            }
            Phase::Holding => self.step_holding(ev, item, now, out),
            Phase::Capturing { .. } => self.step_capturing(ev, item, now, out),
        }
    }

    fn step_idle(&mut self, ev: KeyEvent, item: Item, now: Instant, out: &mut Vec<Routed>) {
        match item {
            Item::Release if self.terminator_release == Some(ev.code) => {
                self.terminator_release = None;
            }
            Item::Prefix => self.start_prefix(now),
            i if i.is_scannable() => {
                self.phase = Phase::Holding;
                self.held.push((ev, item, now));
                self.last = Some(now);
                self.maybe_qualify(out);
            }
            _ => out.push(Routed::Key(ev)),
        }
    }

    fn step_holding(&mut self, ev: KeyEvent, item: Item, now: Instant, out: &mut Vec<Routed>) {
        match item {
            Item::Release => self.held.push((ev, item, now)),
            Item::Prefix => {
                self.flush_as_keys(out);
                self.start_prefix(now);
            }
            i if i.is_scannable() => {
                if !self.gap_ok(now, self.cfg.max_gap) {
                    self.flush_as_keys(out);
                    self.step_idle(ev, item, now, out);
                    return;
                }
                self.held.push((ev, item, now));
                self.last = Some(now);
                self.maybe_qualify(out);
            }
            _ => {
                // Enter after a short fast run, or any non-scanner key: it was typing.
                self.flush_as_keys(out);
                out.push(Routed::Key(ev));
            }
        }
    }

    fn step_capturing(&mut self, ev: KeyEvent, item: Item, now: Instant, out: &mut Vec<Routed>) {
        match item {
            Item::Release => {}
            Item::Prefix => {
                self.finish_scan(now, false, out);
                self.start_prefix(now);
            }
            Item::Terminator => {
                self.finish_scan(now, true, out);
                self.terminator_release = Some(ev.code);
            }
            i if i.is_scannable() => {
                if self.held.len() < MAX_SCAN_CHARS {
                    self.held.push((ev, item, now));
                }
                self.last = Some(now);
            }
            _ => {
                // A scanner never sends this key. If the scanner has paused, the scan
                // ended without a terminator and the cashier pressed a key after it;
                // otherwise a key pressed mid-scan goes through without splitting it.
                if !self.gap_ok(now, self.cfg.max_gap) {
                    self.finish_scan(now, false, out);
                }
                out.push(Routed::Key(ev));
            }
        }
    }

    fn start_prefix(&mut self, now: Instant) {
        self.phase = Phase::Capturing { by_prefix: true };
        self.held.clear();
        self.last = Some(now);
    }

    fn maybe_qualify(&mut self, out: &mut Vec<Routed>) {
        let mut count = 0usize;
        let mut first_char = None;
        let mut all_same = true;
        for (_, item, _) in &self.held {
            if !item.is_scannable() {
                continue;
            }
            count += 1;
            match (item, first_char) {
                (Item::Char(c), None) => first_char = Some(*c),
                (Item::Char(c), Some(f)) if *c == f => {}
                _ => all_same = false,
            }
        }
        if count < self.cfg.min_chars {
            return;
        }
        if all_same && let Some(c) = first_char {
            // Autorepeat of a held key, not a scanner: hand the keys over now and let
            // further repeats through without delay.
            self.flush_keys_into(out);
            self.phase = Phase::Repeating(c);
            return;
        }
        self.phase = Phase::Capturing { by_prefix: false };
    }

    fn flush_keys_into(&mut self, out: &mut Vec<Routed>) {
        out.extend(self.held.drain(..).map(|(ev, _, _)| Routed::Key(ev)));
    }

    fn flush_as_keys(&mut self, out: &mut Vec<Routed>) {
        self.flush_keys_into(out);
        self.reset();
    }

    fn reset(&mut self) {
        self.phase = Phase::Idle;
        self.held.clear();
        self.last = None;
    }

    fn finish_scan(&mut self, now: Instant, terminated: bool, out: &mut Vec<Routed>) {
        let by_prefix = matches!(self.phase, Phase::Capturing { by_prefix: true });
        let first = self.held.first().map(|h| h.2);
        let end = if terminated {
            Some(now)
        } else {
            self.held.last().map(|h| h.2)
        };
        let raw = text_of(&self.held);
        self.reset();
        if raw.is_empty() {
            return;
        }
        let took = match (first, end) {
            (Some(a), Some(b)) => b.saturating_duration_since(a),
            _ => Duration::ZERO,
        };
        let fixed = repair(raw, true);
        tracing::debug!(
            code = %super::visible(&fixed.code),
            layout_fixed = fixed.layout_fixed,
            caps_fixed = fixed.caps_fixed,
            took_ms = took.as_millis() as u64,
            terminated,
            by_prefix,
            "scanner: terminal scan"
        );
        out.push(Routed::Scan(ScanEvent {
            code: fixed.code,
            source: ScanSource::Terminal,
            layout_fixed: fixed.layout_fixed,
            caps_fixed: fixed.caps_fixed,
            took,
        }));
    }
}

/// The characters of a captured burst; runs of Alt+digits become one character each.
fn text_of(held: &[(KeyEvent, Item, Instant)]) -> String {
    let mut text = String::with_capacity(held.len());
    let mut alt: Option<u32> = None;
    let mut alt_len = 0u32;
    let flush_alt = |text: &mut String, alt: &mut Option<u32>, alt_len: &mut u32| {
        if let Some(n) = alt.take() {
            let c = if *alt_len <= 4 && n < 0x80 {
                char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER)
            } else {
                char::REPLACEMENT_CHARACTER
            };
            text.push(c);
        }
        *alt_len = 0;
    };
    for (_, item, _) in held {
        match *item {
            Item::AltDigit(d) => {
                alt = Some(
                    alt.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(u32::from(d)),
                );
                alt_len += 1;
            }
            Item::Char(c) => {
                flush_alt(&mut text, &mut alt, &mut alt_len);
                text.push(c);
            }
            Item::Gs => {
                flush_alt(&mut text, &mut alt, &mut alt_len);
                text.push(GS);
            }
            Item::Terminator | Item::Prefix | Item::Release | Item::Other => {}
        }
    }
    flush_alt(&mut text, &mut alt, &mut alt_len);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(items: &[Item]) -> Vec<(KeyEvent, Item, Instant)> {
        let now = Instant::now();
        items
            .iter()
            .map(|&i| (KeyEvent::from(KeyCode::Null), i, now))
            .collect()
    }

    #[test]
    fn alt_digit_runs_become_one_character_each() {
        let gs4 = [0, 0, 2, 9].map(Item::AltDigit);
        let mut items = vec![Item::Char('a')];
        items.extend(gs4);
        items.push(Item::Char('b'));
        items.extend([6, 5].map(Item::AltDigit));
        assert_eq!(text_of(&held(&items)), "a\u{1d}bA");
        let too_long = [1, 2, 3, 4, 5].map(Item::AltDigit);
        assert_eq!(text_of(&held(&too_long)), "\u{fffd}");
        let not_ascii = [2, 0, 0].map(Item::AltDigit);
        assert_eq!(text_of(&held(&not_ascii)), "\u{fffd}");
    }

    #[test]
    fn bad_key_specs_are_reported_and_ignored() {
        let cfg = config::Scanner {
            gs_keys: vec!["ctrl+]".into(), "hyper+x".into()],
            prefix: Some("f99".into()),
            ..config::Scanner::default()
        };
        assert_eq!(config_problems(&cfg).len(), 2);
        let asm = TermAssembler::new(&cfg);
        assert_eq!(asm.cfg.gs.len(), 1);
        assert!(asm.cfg.prefix.is_none());
        assert!(config_problems(&config::Scanner::default()).is_empty());
    }
}
