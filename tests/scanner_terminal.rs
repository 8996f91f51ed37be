//! The terminal source: bursts become scans, everything else replays as keys in order.

mod scanner_support;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use egais_tui::domain::mark::{CodeKind, classify};
use egais_tui::scanner::ScanSource;
use egais_tui::scanner::layout::is_ru_only;
use egais_tui::scanner::simulate::{
    GS_FORMS, GsForm, Layout, TermStyle, Terminator, terminal_keys, typed_text,
};
use egais_tui::scanner::terminal::{Routed, TermAssembler};
use proptest::prelude::*;
use scanner_support::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn a_us_scan_is_one_scan_and_no_keys() {
    let routed = drive_terminal(
        &cfg(),
        timed(terminal_keys(DATAMATRIX, TermStyle::default()), 0, 8),
    );
    assert_eq!(keys(&routed), vec![]);
    let s = scans(&routed);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].code, DATAMATRIX);
    assert_eq!(s[0].source, ScanSource::Terminal);
    assert!(!s[0].layout_fixed && !s[0].caps_fixed);
    assert_eq!(s[0].took.as_millis(), 150 * 8);
}

#[test]
fn russian_layout_is_reversed_and_flagged() {
    for code in [DATAMATRIX, PDF417, HONEST_SIGN] {
        let style = TermStyle {
            layout: Layout::Ru,
            ..TermStyle::default()
        };
        let keys_in = terminal_keys(code, style);
        assert!(
            keys_in
                .iter()
                .any(|k| matches!(k.code, KeyCode::Char(c) if is_ru_only(c))),
            "the RU stream must really be Cyrillic"
        );
        let routed = drive_terminal(&cfg(), timed(keys_in, 0, 5));
        let s = scans(&routed);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].code, code);
        assert!(s[0].layout_fixed);
        assert!(s[0].warning_ru().is_some());
    }
}

#[test]
fn caps_lock_datamatrix_is_repaired_with_a_warning() {
    let style = TermStyle {
        caps_lock: true,
        ..TermStyle::default()
    };
    let routed = drive_terminal(&cfg(), timed(terminal_keys(DATAMATRIX, style), 0, 8));
    let s = scans(&routed);
    assert_eq!(s[0].code, DATAMATRIX);
    assert!(s[0].caps_fixed);
    assert!(s[0].warning_ru().unwrap().contains("Caps Lock"));
}

#[test]
fn caps_lock_on_a_mixed_case_code_cannot_be_repaired_and_is_left_alone() {
    let style = TermStyle {
        caps_lock: true,
        ..TermStyle::default()
    };
    let routed = drive_terminal(&cfg(), timed(terminal_keys(HONEST_SIGN, style), 0, 8));
    let s = scans(&routed);
    assert_ne!(s[0].code, HONEST_SIGN);
    assert!(!s[0].caps_fixed);
}

#[test]
fn gs_in_each_terminal_form_is_restored() {
    for gs in GS_FORMS {
        for kitty in [false, true] {
            let style = TermStyle {
                gs,
                kitty,
                ..TermStyle::default()
            };
            let routed = drive_terminal(&cfg(), timed(terminal_keys(HONEST_SIGN, style), 0, 8));
            let s = scans(&routed);
            assert_eq!(s.len(), 1, "{gs:?} kitty={kitty}");
            assert_eq!(s[0].code, HONEST_SIGN, "{gs:?} kitty={kitty}");
            assert_eq!(
                classify(&s[0].code),
                CodeKind::HonestSign {
                    gtin: HONEST_SIGN_GTIN.into()
                }
            );
        }
    }
}

#[test]
fn gs_key_not_configured_is_not_gs() {
    let mut c = cfg();
    c.gs_keys = vec!["f8".into()];
    let style = TermStyle {
        gs: GsForm::Ctrl5,
        ..TermStyle::default()
    };
    let routed = drive_terminal(&c, timed(terminal_keys(HONEST_SIGN, style), 0, 8));
    // Ctrl+5 is then an ordinary key: it passes through, the scan has no separator.
    assert!(
        keys(&routed)
            .iter()
            .any(|k| k.modifiers == KeyModifiers::CONTROL)
    );
    assert!(!scans(&routed)[0].code.contains('\u{1d}'));
}

#[test]
fn slow_human_typing_replays_as_keys_in_order() {
    let mut typed = typed_text("Пиво светлое 0,5");
    typed.push(key(KeyCode::Enter));
    let routed = drive_terminal(&cfg(), timed(typed.clone(), 0, 220));
    assert_eq!(scans(&routed).len(), 0);
    assert_eq!(keys(&routed), typed);
}

#[test]
fn fast_human_typing_of_a_barcode_is_still_typing() {
    let mut typed = typed_text(EAN13);
    typed.push(key(KeyCode::Enter));
    let routed = drive_terminal(&cfg(), timed(typed.clone(), 0, 65));
    assert_eq!(scans(&routed).len(), 0);
    assert_eq!(keys(&routed), typed);
}

#[test]
fn two_scans_back_to_back() {
    let mut events = timed(terminal_keys(EAN13, TermStyle::default()), 0, 8);
    let second_start = events.last().map_or(0, |e| e.1) + 20;
    events.extend(timed(
        terminal_keys(DATAMATRIX, TermStyle::default()),
        second_start,
        8,
    ));
    let routed = drive_terminal(&cfg(), events);
    let codes: Vec<&str> = scans(&routed).iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec![EAN13, DATAMATRIX]);
    assert!(keys(&routed).is_empty());
}

#[test]
fn a_scan_without_terminator_ends_on_the_timeout() {
    let style = TermStyle {
        terminator: Terminator::None,
        ..TermStyle::default()
    };
    let mut events = timed(terminal_keys(EAN13, style), 0, 8);
    // The cashier presses F2 a second later: it stays a key, after the scan.
    events.push((key(KeyCode::F(2)), 1100));
    let routed = drive_terminal(&cfg(), events);
    assert_eq!(routed.len(), 2);
    assert!(
        matches!(&routed[0], Routed::Scan(s) if s.code == EAN13 && s.took.as_millis() == 12 * 8)
    );
    assert_eq!(routed[1], Routed::Key(key(KeyCode::F(2))));
}

#[test]
fn a_key_right_after_an_unterminated_scan_ends_it_first() {
    let style = TermStyle {
        terminator: Terminator::None,
        ..TermStyle::default()
    };
    let mut events = timed(terminal_keys(EAN13, style), 0, 8);
    events.push((key(KeyCode::Esc), 96 + 100));
    let routed = drive_terminal(&cfg(), events);
    assert!(matches!(&routed[0], Routed::Scan(s) if s.code == EAN13));
    assert_eq!(routed[1], Routed::Key(key(KeyCode::Esc)));
}

#[test]
fn a_prefix_key_captures_a_slow_scan() {
    let mut c = cfg();
    c.prefix = Some("f12".into());
    let mut keys_in = vec![key(KeyCode::F(12))];
    keys_in.extend(terminal_keys("12345", TermStyle::default()));
    let routed = drive_terminal(&c, timed(keys_in, 0, 120));
    assert_eq!(routed.len(), 1);
    assert!(matches!(&routed[0], Routed::Scan(s) if s.code == "12345"));
}

#[test]
fn a_held_key_autorepeating_is_not_a_scan() {
    let typed = typed_text(&"0".repeat(30));
    let routed = drive_terminal(&cfg(), timed(typed.clone(), 0, 30));
    assert_eq!(scans(&routed).len(), 0);
    assert_eq!(keys(&routed), typed);
}

#[test]
fn a_short_fast_run_is_replayed_in_order_with_what_follows() {
    let mut typed = typed_text("abc");
    typed.push(key(KeyCode::Backspace));
    typed.push(key(KeyCode::Enter));
    let routed = drive_terminal(&cfg(), timed(typed.clone(), 0, 5));
    assert_eq!(
        routed,
        typed.into_iter().map(Routed::Key).collect::<Vec<_>>()
    );
}

#[test]
fn typing_then_a_scan_keeps_both_apart_and_in_order() {
    let mut events = timed(typed_text("12"), 0, 300);
    events.extend(timed(terminal_keys(EAN13, TermStyle::default()), 900, 8));
    let routed = drive_terminal(&cfg(), events);
    assert_eq!(routed.len(), 3);
    assert_eq!(
        routed[0],
        Routed::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE))
    );
    assert_eq!(
        routed[1],
        Routed::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE))
    );
    assert!(matches!(&routed[2], Routed::Scan(s) if s.code == EAN13));
}

#[test]
fn a_human_key_is_held_back_no_longer_than_the_holdback() {
    let c = cfg();
    let mut asm = TermAssembler::new(&c);
    let t0 = std::time::Instant::now();
    assert!(
        asm.feed(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE), t0)
            .is_empty()
    );
    let deadline = asm.next_deadline().expect("a deadline");
    assert_eq!(
        deadline.duration_since(t0).as_millis() as u64,
        c.holdback_ms.max(c.burst_max_gap_ms)
    );
    assert!(
        asm.tick(deadline - std::time::Duration::from_millis(1))
            .is_empty()
    );
    assert_eq!(asm.tick(deadline).len(), 1);
    assert_eq!(asm.next_deadline(), None);
}

#[test]
fn unknown_fast_russian_text_stays_russian() {
    let typed = typed_text("привет, мир");
    let routed = drive_terminal(&cfg(), timed(typed, 0, 1));
    let s = scans(&routed);
    assert_eq!(s[0].code, "привет, мир");
    assert!(!s[0].layout_fixed);
}

#[test]
fn releases_inside_a_scan_are_dropped() {
    let mut events = Vec::new();
    for (i, k) in terminal_keys(EAN13, TermStyle::default())
        .into_iter()
        .enumerate()
    {
        let t = i as u64 * 8;
        events.push((k, t));
        let mut release = k;
        release.kind = KeyEventKind::Release;
        events.push((release, t + 2));
    }
    let routed = drive_terminal(&cfg(), events);
    assert_eq!(routed.len(), 1, "{routed:?}");
    assert!(matches!(&routed[0], Routed::Scan(s) if s.code == EAN13));
}

// ---------- properties ----------

fn valid_code() -> impl Strategy<Value = String> {
    prop_oneof![
        // 150-character stamps: a valid 21-digit head and a [0-9A-Z] tail.
        (
            "[1-9][0-9]{2}[1-9][0-9]{2}[1-9][0-9]{7}",
            1u32..=12,
            18u32..=99,
            "[1-9][0-9]{2}[0-9A-Z]{129}"
        )
            .prop_map(|(a, m, y, b)| format!("{a}{m:02}{y:02}{b}")),
        // 68-character PDF417.
        "[0-9]{2}N[A-Z0-9]{20}[0-9][01][0-9][0-3][0-9]{10}[A-Za-z0-9]{31}",
        // EAN-13 (check digit fixed below).
        "[0-9]{12}".prop_map(|b| with_check_digit(&b)),
        // Честный знак with GS tails.
        (
            "[0-9]{13}",
            "[A-Za-z0-9!%&()*+,./:;<=>?_-]{6,13}",
            "[A-Za-z0-9]{4}",
            "[A-Za-z0-9+/=]{44}"
        )
            .prop_map(|(g, serial, k, c)| {
                format!("01{}21{serial}\u{1d}91{k}\u{1d}92{c}", with_check_digit(&g))
            }),
    ]
}

fn with_check_digit(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn gs_form() -> impl Strategy<Value = GsForm> {
    prop::sample::select(GS_FORMS.to_vec())
}

fn terminator() -> impl Strategy<Value = Terminator> {
    prop::sample::select(vec![Terminator::Enter, Terminator::Tab, Terminator::None])
}

/// Per-key gaps of a scanner seen through a terminal: 0 (one read batch) to the
/// configured maximum.
fn scanner_gaps(n: usize) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(prop_oneof![Just(0u64), 0u64..=35], n)
}

fn with_gaps(keys: Vec<KeyEvent>, gaps: &[u64]) -> Vec<(KeyEvent, u64)> {
    let mut t = 0;
    keys.into_iter()
        .zip(gaps.iter().cycle())
        .map(|(k, g)| {
            t += g;
            (k, t)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any valid code, typed under either layout, any GS form, with or without the
    /// kitty protocol and Caps Lock (where it can be repaired), comes back exactly.
    #[test]
    fn any_valid_code_in_any_layout_and_gs_form_decodes_back(
        code in valid_code(),
        ru in any::<bool>(),
        gs in gs_form(),
        kitty in any::<bool>(),
        caps in any::<bool>(),
        term in terminator(),
        gaps in scanner_gaps(64),
    ) {
        // Caps Lock is only repairable on the upper-case-only 150-character stamp.
        let caps = caps && code.len() == 150;
        let style = TermStyle {
            layout: if ru { Layout::Ru } else { Layout::Us },
            gs, kitty, caps_lock: caps, terminator: term,
        };
        let routed = drive_terminal(&cfg(), with_gaps(terminal_keys(&code, style), &gaps));
        prop_assert!(keys(&routed).is_empty(), "keys leaked: {:?}", keys(&routed));
        let s = scans(&routed);
        prop_assert_eq!(s.len(), 1);
        prop_assert_eq!(&s[0].code, &code);
        prop_assert_eq!(s[0].caps_fixed, caps);
    }

    /// Any text with a Latin letter typed by a scanner in the US layout comes back
    /// unchanged, valid code or not.
    #[test]
    fn any_us_burst_decodes_back_unchanged(
        head in "[ -~]{4,40}[a-zA-Z]",
        tail in "[ -~]{3,40}",
        gs in gs_form(),
        gaps in scanner_gaps(32),
    ) {
        let code = format!("{head}\u{1d}{tail}");
        let style = TermStyle { gs, ..TermStyle::default() };
        let routed = drive_terminal(&cfg(), with_gaps(terminal_keys(&code, style), &gaps));
        prop_assert!(keys(&routed).is_empty());
        let s = scans(&routed);
        prop_assert_eq!(s.len(), 1);
        prop_assert_eq!(&s[0].code, &code);
    }

    /// A person typing (gaps of 60 ms and more, any characters, Enter, Backspace) is
    /// never taken for a scan, and every key comes out unchanged and in order.
    #[test]
    fn human_speed_typing_is_never_a_scan(
        text in "[ -~а-яА-ЯёЁ]{1,60}",
        gaps in prop::collection::vec(60u64..600, 61),
        enters in prop::collection::vec(any::<bool>(), 61),
    ) {
        let mut typed = Vec::new();
        for (c, enter) in text.chars().zip(enters.iter()) {
            typed.extend(typed_text(&c.to_string()));
            if *enter {
                typed.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            }
        }
        let routed = drive_terminal(&cfg(), with_gaps(typed.clone(), &gaps));
        prop_assert!(scans(&routed).is_empty());
        prop_assert_eq!(keys(&routed), typed);
    }
}
