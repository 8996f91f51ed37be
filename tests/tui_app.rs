//! The whole app driven by synthetic keys and scans: pane switching, dialogs, keymap
//! overrides, refused keymap/theme files, hostile text, the real event loop.

mod tui_support;

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use egais_tui::tui::app::{Modal, Msg, Note, PaneId};
use egais_tui::tui::headless::buffer_text;
use egais_tui::tui::runner::event_loop;
use egais_tui::tui::widgets::toast::Level;
use egais_tui::tui::{Setup, TuiError};
use futures::StreamExt;
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::*;

#[test]
fn f_keys_switch_every_pane() {
    let expect = [
        ("F2", "Чек пуст"),
        ("F3", "Новые (2)"),
        ("F4", "Карточек товаров: 3"),
        ("F5", "приказ 164"),
        ("F9", "Организация"),
    ];
    for (key, text) in expect {
        let s = screen(key, (80, 24));
        assert!(s.contains(text), "{key}: {s}");
    }
}

#[test]
fn lists_move_and_open_and_go_back() {
    let s = screen("F3 Down Enter", (80, 24));
    assert!(s.contains("№ ТТН-102"), "{s}");
    assert!(s.contains("История:"));
    let s = screen("F3 Down Enter Esc", (80, 24));
    assert!(s.contains("Новые (2)") && !s.contains("История:"), "{s}");
    let s = screen("F3 Tab Tab", (80, 24));
    assert!(s.contains("ТТН-080"), "archive: {s}");
    let s = screen("F3 backtab", (80, 24));
    assert!(s.contains("ТТН-080"), "backtab wraps to the archive: {s}");
}

#[test]
fn quit_dialog_opens_and_cancels_and_confirms() {
    let s = screen("F10", (80, 24));
    assert!(s.contains("Закрыть программу?"));
    let s = screen("F10 Esc", (80, 24));
    assert!(!s.contains("Закрыть программу?"));
    // Ctrl+Й is Ctrl+Q on the same physical key under the Russian layout.
    let s = screen("ctrl+й", (80, 24));
    assert!(s.contains("Закрыть программу?"), "{s}");
    let (feeds, _u, _o) = feeds();
    let t = terminal_with(setup("default"), feeds, "F10 Enter F3", (80, 24));
    let s = buffer_text(t.backend().buffer());
    assert!(
        !s.contains("Новые (2)"),
        "keys after quitting are not processed: {s}"
    );
}

#[test]
fn input_dialog_validates_and_cancels() {
    let s = screen("F5 F6", (80, 24));
    assert!(s.contains("Период журнала"));
    let s = screen("F5 F6 Backspace text:abc Enter", (80, 24));
    assert!(s.contains("«abc» — не целое число"), "{s}");
    let s = screen("F5 F6 Backspace text:7 Enter", (80, 24));
    assert!(s.contains("Период: с 20.11.2026 по 26.11.2026"), "{s}");
    let s = screen("F5 F6 Backspace text:30 Esc", (80, 24));
    assert!(
        s.contains("Период: за 26.11.2026"),
        "cancel keeps the old period: {s}"
    );
}

#[test]
fn manual_code_with_a_russian_layout_typo_is_refused() {
    let s = screen("F2 F6 text:46О1 Enter", (80, 24));
    assert!(s.contains("проверьте раскладку"), "{s}");
}

#[test]
fn picker_searches_and_picks() {
    let s = screen("F4 F7 text:коньяк", (80, 24));
    assert!(s.contains("Коньяк «Образец»"), "{s}");
    assert!(!s.contains("Водка «Пример» 0,5 0,5 л"), "filtered: {s}");
    let s = screen("F4 F7 text:коньяк Enter", (80, 24));
    assert!(
        s.contains("Полное наименование: Коньяк «Образец» 0,5"),
        "{s}"
    );
    assert!(s.contains("не привязаны: товар нельзя продать"), "{s}");
    let s = screen("F4 F7 text:нет-такого", (80, 24));
    assert!(s.contains("Ничего не найдено"), "{s}");
    let s = screen("F4 F7 Esc", (80, 24));
    assert!(!s.contains("Поиск:"), "{s}");
}

#[test]
fn help_lists_the_current_panes_keys_from_the_keymap() {
    let s = screen("F5 F1", (80, 24));
    assert!(s.contains("Клавиши: Журнал"));
    assert!(s.contains("Период журнала"));
    let s = screen("F2 F1", (80, 24));
    assert!(s.contains("Ввести код вручную"));
    assert!(!s.contains("Период журнала"));
    let s = screen("F2 F1 Esc", (80, 24));
    assert!(!s.contains("Клавиши:"));
}

#[test]
fn user_keymap_overlays_the_default() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    writeln!(
        file,
        "[global]\nf2 = {{ action = \"none\" }}\nf8 = {{ action = \"pane.sale\", description = \"Касса\" }}\n\"alt+a\" = {{ action = \"pane.stock\", description = \"Склад\" }}"
    )
    .expect("write");
    let mut cfg = config("default");
    cfg.ui.keymap = Some(file.path().to_path_buf());
    let setup = || Setup::with_model(&cfg, model()).expect("setup");
    let run = |keys: &str| {
        let (feeds, _u, _o) = feeds();
        buffer_text(
            terminal_with(setup(), feeds, keys, (80, 24))
                .backend()
                .buffer(),
        )
    };
    let s = run("F3 F2");
    assert!(s.contains("Новые (2)"), "F2 is unbound now: {s}");
    let s = run("F3 F8");
    assert!(s.contains("Чек пуст"), "F8 opens the sale pane: {s}");
    assert!(s.contains("F8 Продажа"), "the tab shows the new key: {s}");
    let s = run("alt+a");
    assert!(s.contains("Карточек товаров"), "{s}");
    let s = run("F8 F1");
    assert!(
        s.contains("Касса") && s.contains("Alt+A"),
        "help follows the keymap: {s}"
    );
}

#[test]
fn bad_keymap_and_theme_files_are_refused_with_line_and_column() {
    let mut keymap = tempfile::NamedTempFile::new().expect("temp");
    writeln!(keymap, "[global]\n\nf2 = {{ action = \"pane.nowhere\" }}").expect("write");
    let mut cfg = config("default");
    cfg.ui.keymap = Some(keymap.path().to_path_buf());
    let err = Setup::with_model(&cfg, model()).err().expect("refused");
    assert!(matches!(err, TuiError::Keymap(_)));
    let msg = err.message_ru();
    assert!(msg.contains("строка 3, позиция 17"), "{msg}");
    assert!(msg.contains("pane.nowhere"), "{msg}");

    let mut theme = tempfile::NamedTempFile::new().expect("temp");
    writeln!(theme, "[error]\nfg = \"#ff0000\"").expect("write");
    let mut cfg = config("default");
    cfg.ui.theme_file = Some(theme.path().to_path_buf());
    let err = Setup::with_model(&cfg, model()).err().expect("refused");
    assert!(matches!(err, TuiError::Theme(_)));
    assert!(
        err.message_ru().contains("строка 2, позиция 6"),
        "{}",
        err.message_ru()
    );
    assert!(err.to_string().contains(":2:6:"), "{err}");

    let cfg = config("neon");
    let err = Setup::with_model(&cfg, model()).err().expect("refused");
    assert!(err.message_ru().contains("нет встроенной темы «neon»"));
}

#[test]
fn hostile_names_never_reach_the_screen() {
    for keys in ["F3", "F3 Down Enter", "F4 End", "F4 F7 text:вино"] {
        let t = terminal("default", keys, (120, 40));
        for cell in &t.backend().buffer().content {
            let sym = cell.symbol();
            assert!(
                !sym.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{keys}: control character in {sym:?}"
            );
        }
        let s = buffer_text(t.backend().buffer());
        assert!(!s.contains("pwned"), "{keys}: OSC payload leaked: {s}");
    }
    let s = screen("F3 Down", (120, 40));
    assert!(s.contains("ООО «Пивной двор»"), "{s}");
}

#[test]
fn too_small_screen_says_so_and_still_quits() {
    let s = screen("", (60, 20));
    assert!(s.contains("Окно слишком маленькое"));
    assert!(s.contains("60×20, нужно не меньше 80×24"));
    let s = screen("F10", (60, 20));
    assert!(s.contains("Закрыть программу?"), "{s}");
}

#[test]
fn status_bar_shows_utm_outbox_certificates_and_clock() {
    let s = screen("", (120, 40));
    let last = s.lines().nth(39).expect("status row");
    for part in [
        "УТМ: связь с 09:30",
        "RSA 120 дн",
        "ГОСТ 25 дн",
        "ФСРАР 030000123456",
        "Очередь 2 · 5 ч",
        "12:30",
    ] {
        assert!(last.contains(part), "{part} missing in {last:?}");
    }
}

#[test]
fn utm_going_down_and_a_foreign_key_show_up_at_once() {
    let (feeds1, utm, _o) = feeds();
    let mut down = utm_ok();
    down.reachable = false;
    down.since = Some(now() - SignedDuration::from_mins(10));
    down.fsrar_mismatch = Some("030000999999".into());
    utm.send(down).expect("send");
    let t = terminal_with(setup("default"), feeds1, "wait:1", (100, 30));
    let s = buffer_text(t.backend().buffer());
    assert!(s.contains("УТМ: ЧУЖОЙ ФСРАР ID"), "{s}");
    assert!(s.contains("чужому ФСРАР ID 030000999999"), "notice: {s}");
    assert!(s.contains("Ctrl+O — прочитано"), "{s}");
    let (feeds2, utm, _o) = feeds();
    let mut down = utm_ok();
    down.reachable = false;
    utm.send(down).expect("send");
    let t = terminal_with(setup("default"), feeds2, "wait:1 ctrl+o", (100, 30));
    let s = buffer_text(t.backend().buffer());
    assert!(s.contains("УТМ: НЕТ СВЯЗИ"), "{s}");
}

#[test]
fn notices_stay_until_acknowledged() {
    let (mut feeds, _u, _o) = feeds();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    feeds.events = Some(rx);
    tx.send(Msg::Note(Note {
        level: Level::Error,
        text: "Акт по ТТН-090 отклонён ЕГАИС".into(),
        needs_ack: true,
    }))
    .expect("send");
    let t = terminal_with(
        setup("default"),
        feeds,
        "wait:1 F3 Tab Enter Esc",
        (100, 30),
    );
    let s = buffer_text(t.backend().buffer());
    assert!(
        s.contains("! Акт по ТТН-090 отклонён ЕГАИС"),
        "stays across keys: {s}"
    );
}

#[test]
fn check_utm_without_an_exchange_says_why() {
    let s = screen("F9 ctrl+r", (100, 30));
    assert!(s.contains("обмен с УТМ не запущен"), "{s}");
    // With an exchange listening, the job runs until the UTM answers.
    let (mut feeds, _u, _o) = feeds();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&asked);
    feeds.utm_probe = Some(std::sync::Arc::new(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }));
    let t = terminal_with(setup("default"), feeds, "F9 ctrl+r wait:2000", (100, 30));
    let s = buffer_text(t.backend().buffer());
    assert!(s.contains("Проверка УТМ… 0:02"), "{s}");
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the probe was asked for"
    );
}

#[test]
fn theme_switches_at_runtime() {
    let s = screen("F9 F6", (100, 30));
    assert!(s.contains("Тема: high-contrast"), "{s}");
    let s = screen("F9 F6 F6", (100, 30));
    assert!(s.contains("Тема: mono"), "{s}");
}

#[test]
fn scans_fill_an_open_field() {
    let s = screen("F2 F6 scan:4607654321008 Enter", (100, 30));
    assert!(s.contains("Код:   4607654321008"), "{s}");
    assert!(s.contains("Вино красное «Тест» 0,75"), "{s}");
    let s = screen("F2 scan:0000000000000", (100, 30));
    assert!(
        s.contains("Неизвестный код") || s.contains("не привязан"),
        "{s}"
    );
}

#[test]
fn the_real_event_loop_runs_on_a_test_backend() {
    // The interactive loop, fed by a synthetic terminal stream instead of crossterm.
    let keys = [
        KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    ];
    let (feeds, _u, _o) = feeds();
    let result = block_on(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        // Keys arrive one at a time with a pause, as from a person.
        let stream = futures::stream::iter(keys).then(|k| async move {
            tokio::time::sleep(Duration::from_millis(60)).await;
            Ok::<_, std::io::Error>(Event::Key(k))
        });
        let stream = Box::pin(stream);
        let r = tokio::time::timeout(
            Duration::from_secs(10),
            event_loop(&mut terminal, stream, setup("default"), feeds, |_| Ok(())),
        )
        .await;
        (r, buffer_text(terminal.backend().buffer()))
    });
    let (r, screen) = result;
    assert!(
        matches!(r, Ok(Ok(()))),
        "loop ended by the quit confirmation"
    );
    assert!(
        screen.contains("Закрыть программу?"),
        "last frame drawn before quitting: {screen}"
    );
    assert!(screen.contains("На рассмотрении"), "{screen}");
}

#[test]
fn update_is_pure_and_direct() {
    // The state machine without any runner: what the panes see after a message.
    let s = setup("default");
    let (mut state, effects) =
        egais_tui::tui::State::new(s.info, s.keymap, s.theme, now(), (80, 24));
    assert_eq!(
        effects.len(),
        1,
        "only the counts are read for the first frame"
    );
    let fx = egais_tui::tui::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::F(4), KeyModifiers::NONE)),
    );
    assert_eq!(state.pane, PaneId::Stock);
    assert!(!fx.is_empty());
    egais_tui::tui::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::F(7), KeyModifiers::NONE)),
    );
    assert!(matches!(state.modal, Some(Modal::Picker(_))));
}

/// Delivers a message and, synchronously, every read it causes.
fn drive(
    state: &mut egais_tui::tui::State,
    model: &dyn egais_tui::tui::read_model::ReadModel,
    msg: Msg,
) {
    let mut queue = vec![msg];
    while let Some(m) = queue.pop() {
        for e in egais_tui::tui::update(state, m) {
            if let Some(l) = egais_tui::tui::effects::run_read(model, e) {
                queue.push(Msg::Loaded(l));
            }
        }
    }
}

#[test]
fn data_changed_reloads_counters_and_the_visible_list() {
    use egais_tui::domain::document::DocState;
    use egais_tui::tui::read_model::MemoryModel;
    let s = setup("default");
    let (mut state, effects) =
        egais_tui::tui::State::new(s.info, s.keymap, s.theme, now(), (100, 30));
    let before = MemoryModel::new(documents(), &products());
    for e in effects {
        if let Some(l) = egais_tui::tui::effects::run_read(&before, e) {
            drive(&mut state, &before, Msg::Loaded(l));
        }
    }
    drive(
        &mut state,
        &before,
        Msg::Key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE)),
    );
    assert_eq!(state.acceptance.lists[0].len(), 2);
    // A new invoice arrives; the first one was answered in the meantime.
    let mut docs = documents();
    docs[0].row.state = DocState::UnderReview;
    let mut fresh = docs[1].clone();
    fresh.row.id = "WB-0099".into();
    fresh.row.number = "ТТН-199".into();
    docs.push(fresh);
    let after = MemoryModel::new(docs, &products());
    drive(&mut state, &after, Msg::DataChanged);
    assert_eq!(state.acceptance.lists[0].len(), 2);
    assert!(
        state.acceptance.lists[0]
            .visible(10)
            .iter()
            .any(|(_, r)| r.is_some_and(|r| r.number == "ТТН-199"))
    );
    assert_eq!(state.doc_counts.map(|c| c.under_review), Some(3));
}

#[test]
fn help_scrolls_on_a_small_screen() {
    let top = screen("F3 F1", (80, 24));
    assert!(
        top.contains("Списки") && !top.contains("Свернуть в оболочку"),
        "{top}"
    );
    // The acceptance section is long: three pages reach the end of the help.
    let bottom = screen("F3 F1 PageDown PageDown PageDown", (80, 24));
    assert!(bottom.contains("Свернуть в оболочку"), "{bottom}");
    assert!(bottom.contains("В окнах и диалогах"), "{bottom}");
}
