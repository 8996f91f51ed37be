//! The evdev decoder on synthesised scanner key streams (fixed US table, own
//! modifier state, every GS form, Alt mode, terminators, timeouts).

mod scanner_support;

use egais_tui::domain::mark::{CodeKind, classify};
use egais_tui::scanner::ScanSource;
use egais_tui::scanner::evdev_decoder::{AUTOREPEAT, EvdevDecoder, PRESS, RELEASE};
use egais_tui::scanner::keycodes::*;
use egais_tui::scanner::simulate::{EvdevStyle, GS_FORMS, GsForm, Terminator, evdev_keys};
use proptest::prelude::*;
use scanner_support::*;

fn style() -> EvdevStyle {
    EvdevStyle::default()
}

#[test]
fn a_datamatrix_scan_with_shift_chords() {
    let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(DATAMATRIX, style()), 0, 2));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].code, DATAMATRIX);
    assert_eq!(out[0].source, ScanSource::Evdev);
    assert!(!out[0].layout_fixed && !out[0].caps_fixed);
    assert_eq!(classify(&out[0].code), CodeKind::StampDataMatrix);
}

#[test]
fn pdf417_gives_its_alc_code() {
    let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(PDF417, style()), 0, 2));
    assert_eq!(
        classify(&out[0].code),
        CodeKind::StampPdf417 {
            alc_code: PDF417_ALC_CODE.into()
        }
    );
}

#[test]
fn gs_in_every_form() {
    for gs in GS_FORMS {
        let s = EvdevStyle { gs, ..style() };
        let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(HONEST_SIGN, s), 0, 2));
        assert_eq!(out.len(), 1, "{gs:?}");
        assert_eq!(out[0].code, HONEST_SIGN, "{gs:?}");
    }
}

#[test]
fn alt_mode_sends_every_character_as_an_alt_code() {
    let s = EvdevStyle {
        alt_mode: true,
        gs: GsForm::AltCode,
        ..style()
    };
    let events = evdev_keys(HONEST_SIGN, s);
    assert!(!events.iter().any(|(c, _)| *c == KEY_LEFTSHIFT));
    let out = drive_evdev(&cfg(), timed_evdev(events, 0, 1));
    assert_eq!(out[0].code, HONEST_SIGN);
}

#[test]
fn alt_codes_can_be_switched_off() {
    let mut c = cfg();
    c.alt_codes = false;
    let s = EvdevStyle {
        gs: GsForm::AltCode,
        ..style()
    };
    let out = drive_evdev(&c, timed_evdev(evdev_keys(HONEST_SIGN, s), 0, 2));
    assert!(!out[0].code.contains('\u{1d}'));
}

#[test]
fn the_scanner_pressing_caps_lock_is_tracked() {
    let s = EvdevStyle {
        caps_lock_pressed: true,
        ..style()
    };
    let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(HONEST_SIGN, s), 0, 2));
    assert_eq!(out[0].code, HONEST_SIGN);
    assert!(!out[0].caps_fixed);
}

#[test]
fn a_scanner_inverting_shift_for_a_host_caps_lock_is_repaired_on_datamatrix() {
    // "Caps Lock auto": the scanner saw the host's Caps LED on and inverted Shift,
    // but on evdev we see raw keys, so letters come out in the wrong case.
    let mut events = evdev_keys(
        DATAMATRIX,
        EvdevStyle {
            caps_lock_pressed: true,
            ..style()
        },
    );
    events.retain(|(code, _)| *code != KEY_CAPSLOCK);
    let out = drive_evdev(&cfg(), timed_evdev(events, 0, 2));
    assert_eq!(out[0].code, DATAMATRIX);
    assert!(out[0].caps_fixed);
}

#[test]
fn keypad_digits_and_keypad_enter() {
    let s = EvdevStyle {
        keypad_digits: true,
        terminator: Terminator::KpEnter,
        ..style()
    };
    let events = evdev_keys(EAN13, s);
    assert!(events.iter().all(|(c, _)| *c != KEY_1));
    let out = drive_evdev(&cfg(), timed_evdev(events, 0, 3));
    assert_eq!(out[0].code, EAN13);
    assert_eq!(classify(&out[0].code), CodeKind::Ean13);
}

#[test]
fn tab_terminates() {
    let s = EvdevStyle {
        terminator: Terminator::Tab,
        ..style()
    };
    let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(EAN13, s), 0, 3));
    assert_eq!(out[0].code, EAN13);
}

#[test]
fn two_scans_back_to_back() {
    let mut events = timed_evdev(evdev_keys(EAN13, style()), 0, 3);
    let next = events.last().map_or(0, |e| e.2) + 10;
    events.extend(timed_evdev(evdev_keys(PDF417, style()), next, 3));
    let out = drive_evdev(&cfg(), events);
    let codes: Vec<&str> = out.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec![EAN13, PDF417]);
}

#[test]
fn a_scan_without_terminator_ends_after_the_timeout() {
    let s = EvdevStyle {
        terminator: Terminator::None,
        ..style()
    };
    let events = timed_evdev(evdev_keys(EAN13, s), 0, 4);
    let mut dec = EvdevDecoder::new(&cfg());
    let mut last = 0;
    for (code, value, ms) in events {
        assert!(dec.feed(code, value, epoch_ms(ms)).is_none());
        last = ms;
    }
    // The last character is pressed 1 event before the end (press, release).
    let last_char = last - 4;
    let deadline = dec.deadline().expect("pending");
    assert_eq!(deadline, epoch_ms(last_char + cfg().timeout_ms));
    assert!(
        dec.tick(epoch_ms(last_char + cfg().timeout_ms - 1))
            .is_none()
    );
    let scan = dec.tick(deadline).expect("the scan");
    assert_eq!(scan.code, EAN13);
    assert_eq!(scan.took.as_millis() as u64, last_char);
}

#[test]
fn a_late_key_ends_the_previous_unterminated_scan_even_without_tick() {
    let s = EvdevStyle {
        terminator: Terminator::None,
        ..style()
    };
    let mut events = timed_evdev(evdev_keys("12345678", s), 0, 4);
    events.extend(timed_evdev(evdev_keys("ABC", style()), 5_000, 4));
    let mut dec = EvdevDecoder::new(&cfg());
    let out: Vec<_> = events
        .into_iter()
        .filter_map(|(c, v, ms)| dec.feed(c, v, epoch_ms(ms)))
        .collect();
    let codes: Vec<&str> = out.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec!["12345678", "ABC"]);
}

#[test]
fn autorepeat_and_releases_do_not_type() {
    let events = vec![
        (KEY_A, PRESS, 0),
        (KEY_A, AUTOREPEAT, 500),
        (KEY_A, AUTOREPEAT, 530),
        (KEY_A, RELEASE, 540),
        (KEY_ENTER, PRESS, 545),
    ];
    let out = drive_evdev(&cfg(), events);
    assert_eq!(out[0].code, "a");
}

#[test]
fn modifier_state_lives_across_reads_and_reset_clears_it() {
    let mut dec = EvdevDecoder::new(&cfg());
    // Shift pressed in one read batch, the letter arrives in the next.
    assert!(dec.feed(KEY_LEFTSHIFT, PRESS, epoch_ms(0)).is_none());
    assert!(dec.feed(KEY_A, PRESS, epoch_ms(1)).is_none());
    assert!(dec.feed(KEY_A, RELEASE, epoch_ms(2)).is_none());
    let scan = dec.feed(KEY_ENTER, PRESS, epoch_ms(3)).expect("scan");
    assert_eq!(scan.code, "A");
    dec.reset();
    dec.feed(KEY_A, PRESS, epoch_ms(10));
    assert_eq!(
        dec.feed(KEY_ENTER, PRESS, epoch_ms(11)).map(|s| s.code),
        Some("a".to_string())
    );
}

#[test]
fn a_configured_prefix_key_is_not_part_of_the_code() {
    let mut c = cfg();
    c.prefix = Some("f12".into());
    let mut events = vec![(KEY_F12, PRESS, 0), (KEY_F12, RELEASE, 1)];
    events.extend(timed_evdev(evdev_keys(EAN13, style()), 2, 3));
    let out = drive_evdev(&c, events);
    assert_eq!(out[0].code, EAN13);
}

#[test]
fn an_empty_enter_is_no_scan() {
    let out = drive_evdev(&cfg(), vec![(KEY_ENTER, PRESS, 0), (KEY_ENTER, RELEASE, 1)]);
    assert!(out.is_empty());
}

fn evdev_style() -> impl Strategy<Value = EvdevStyle> {
    (
        prop::sample::select(GS_FORMS.to_vec()),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            Terminator::Enter,
            Terminator::KpEnter,
            Terminator::Tab,
            Terminator::None,
        ]),
    )
        .prop_map(
            |(gs, alt_mode, caps_lock_pressed, keypad_digits, terminator)| EvdevStyle {
                gs,
                alt_mode,
                caps_lock_pressed,
                keypad_digits,
                terminator,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any printable-ASCII code with GS separators, typed in any supported way,
    /// decodes back exactly.
    #[test]
    fn any_code_in_any_style_decodes_back(
        parts in prop::collection::vec("[ -~]{1,40}", 1..4),
        s in evdev_style(),
        step in 0u64..10,
    ) {
        let code = parts.join("\u{1d}");
        let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(&code, s), 0, step));
        prop_assert_eq!(out.len(), 1);
        prop_assert_eq!(&out[0].code, &code);
        prop_assert!(!out[0].caps_fixed);
    }
}

#[test]
fn an_endless_stream_is_capped() {
    let long = "A1".repeat(3000);
    let out = drive_evdev(&cfg(), timed_evdev(evdev_keys(&long, style()), 0, 1));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].code.len(), egais_tui::scanner::MAX_SCAN_CHARS);
}
