//! The start-up sequence of a command that runs the application: config, paths, the log
//! file, and the panic hook writing a crash report. One test, because it installs the
//! process-wide logger and panic hook.

use egais_tui::cli::{GlobalArgs, Startup};

#[test]
fn startup_logs_to_a_file_and_a_panic_leaves_a_crash_report() {
    let home = tempfile::tempdir().unwrap();
    let state_home = home.path().join("state");
    // SAFETY: the only test in this binary, run before it starts any other thread.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_STATE_HOME", &state_home);
        std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
        std::env::remove_var("RUST_LOG");
    }
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[organisation]\nfsrar_id = \"030000194005\"\n[ui]\ntimezone = \"Asia/Vladivostok\"\n",
    )
    .unwrap();
    let global = GlobalArgs {
        config: Some(config.clone()),
        data_dir: Some(home.path().join("shop")),
        log_level: Some("debug".into()),
    };
    let startup = Startup::init(&global).unwrap();
    let state_dir = state_home.join("egais-tui");
    assert_eq!(startup.paths.state_dir, state_dir);
    assert_eq!(startup.paths.data_dir, home.path().join("shop"));
    assert_eq!(startup.paths.config_file, Some(config));
    assert_eq!(startup.config().ui.timezone, "Asia/Vladivostok");

    let ctx = startup.open_context().unwrap();
    assert!(ctx.store.path().starts_with(home.path().join("shop")));

    tracing::debug!("a debug line reaches the file");
    let outcome = std::panic::catch_unwind(|| panic!("deliberate test panic"));
    assert!(outcome.is_err());

    let names: Vec<String> = std::fs::read_dir(&state_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let crash = names
        .iter()
        .find(|n| n.starts_with("crash-") && n.ends_with(".txt"))
        .unwrap_or_else(|| panic!("no crash report in {names:?}"));
    let report = std::fs::read_to_string(state_dir.join(crash)).unwrap();
    assert!(
        report.contains("message: deliberate test panic"),
        "{report}"
    );
    assert!(report.contains("tests/startup.rs"), "{report}");
    assert!(report.contains(env!("CARGO_PKG_VERSION")));

    drop(ctx);
    drop(startup); // flushes the log
    let log = names
        .iter()
        .find(|n| n.starts_with("egais-tui.") && n.ends_with(".log"))
        .unwrap_or_else(|| panic!("no log file in {names:?}"));
    let text = std::fs::read_to_string(state_dir.join(log)).unwrap();
    assert!(text.contains("a debug line reaches the file"), "{text}");
    assert!(
        text.contains("deliberate test panic"),
        "the panic is logged too: {text}"
    );
    assert!(
        text.contains("+10:00"),
        "timestamps in the configured zone: {text}"
    );
}
