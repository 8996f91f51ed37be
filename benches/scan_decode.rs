//! Decoding one 150-character DataMatrix scan, key by key, through each decoder.
//! Target: well under 50 µs per scan (a scanner needs ~1.2 s to type it).

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use egais_tui::config;
use egais_tui::domain::mark::classify;
use egais_tui::scanner::evdev_decoder::EvdevDecoder;
use egais_tui::scanner::simulate::{
    EvdevStyle, GsForm, Layout, TermStyle, evdev_keys, terminal_keys,
};
use egais_tui::scanner::terminal::{Routed, TermAssembler};

const DATAMATRIX: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";

fn bench_terminal(c: &mut Criterion, name: &str, style: TermStyle) {
    let cfg = config::Scanner::default();
    let base = Instant::now();
    let events: Vec<_> = terminal_keys(DATAMATRIX, style)
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, base + Duration::from_millis(i as u64 * 8)))
        .collect();
    c.bench_function(name, |b| {
        b.iter_batched(
            || TermAssembler::new(&cfg),
            |mut asm| {
                let mut scans = 0;
                for (key, at) in &events {
                    for r in asm.feed(*key, *at) {
                        if let Routed::Scan(s) = r {
                            black_box(&s);
                            scans += 1;
                        }
                    }
                }
                assert_eq!(scans, 1);
            },
            BatchSize::SmallInput,
        )
    });
}

fn bench_evdev(c: &mut Criterion, name: &str, style: EvdevStyle) {
    let cfg = config::Scanner::default();
    let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let events: Vec<_> = evdev_keys(DATAMATRIX, style)
        .into_iter()
        .enumerate()
        .map(|(i, (code, value))| (code, value, base + Duration::from_millis(i as u64 * 3)))
        .collect();
    c.bench_function(name, |b| {
        b.iter_batched(
            || EvdevDecoder::new(&cfg),
            |mut dec| {
                let mut scans = 0;
                for (code, value, at) in &events {
                    if let Some(s) = dec.feed(*code, *value, *at) {
                        black_box(&s);
                        scans += 1;
                    }
                }
                assert_eq!(scans, 1);
            },
            BatchSize::SmallInput,
        )
    });
}

fn benches(c: &mut Criterion) {
    bench_terminal(
        c,
        "terminal: DataMatrix 150, US layout",
        TermStyle::default(),
    );
    bench_terminal(
        c,
        "terminal: DataMatrix 150, Russian layout reversed",
        TermStyle {
            layout: Layout::Ru,
            ..TermStyle::default()
        },
    );
    bench_terminal(
        c,
        "terminal: DataMatrix 150, Caps Lock repaired",
        TermStyle {
            caps_lock: true,
            ..TermStyle::default()
        },
    );
    bench_evdev(
        c,
        "evdev: DataMatrix 150, Shift chords",
        EvdevStyle::default(),
    );
    bench_evdev(
        c,
        "evdev: DataMatrix 150, Alt mode",
        EvdevStyle {
            alt_mode: true,
            gs: GsForm::AltCode,
            ..EvdevStyle::default()
        },
    );
    c.bench_function("classify: DataMatrix 150", |b| {
        b.iter(|| classify(black_box(DATAMATRIX)))
    });
}

criterion_group!(scan_decode, benches);
criterion_main!(scan_decode);
