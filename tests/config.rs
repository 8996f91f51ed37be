//! Golden bad config files: the exact position and message of each error, through the
//! library and through the real binary's `config check` (exit codes 0 and 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use egais_tui::config::{Config, ConfigSources};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

/// The binary with its XDG directories inside `home`, so nothing of the user's is read.
fn binary(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_egais-tui"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("RUST_LOG");
    cmd
}

fn check(file: &Path) -> Output {
    let home = tempfile::tempdir().unwrap();
    binary(home.path())
        .args(["config", "check", "--config"])
        .arg(file)
        .output()
        .unwrap()
}

/// (fixture, line, column, message)
const GOLDEN: &[(&str, usize, usize, &str)] = &[
    (
        "unknown_key.toml",
        6,
        1,
        "unknown field `poll_intervall_s`, expected one of `url`, `connect_timeout_ms`, \
         `request_timeout_ms`, `poll_interval_s`, `cheque_format`, `stock_query_min_interval_s`",
    ),
    (
        "unknown_section.toml",
        4,
        2,
        "unknown field `printr`, expected one of `organisation`, `till`, `utm`, `scanner`, \
         `printer`, `ui`, `journal`, `acceptance`",
    ),
    (
        "bad_fsrar.toml",
        3,
        12,
        "invalid FSRAR ID \"03000019400\": expected exactly 12 digits",
    ),
    (
        "bad_inn_checksum.toml",
        3,
        7,
        "invalid INN \"7707083894\": the check digit does not match",
    ),
    (
        "bad_kpp.toml",
        2,
        11,
        "invalid KPP \"7707o1001\": expected 9 characters NNNNPPNNN",
    ),
    (
        "syntax_error.toml",
        3,
        22,
        "invalid basic string, expected `\"`",
    ),
    (
        "wrong_type.toml",
        2,
        10,
        "invalid type: string \"один\", expected u32",
    ),
    (
        "bad_url.toml",
        2,
        7,
        "invalid UTM URL \"192.168.1.10:8080\": relative URL without a base",
    ),
    ("bad_timezone.toml", 2, 12, "unknown time zone \"Moscow\""),
    (
        "bad_theme.toml",
        2,
        9,
        "unknown theme \"dark\", expected one of `default`, `high-contrast`, `mono`",
    ),
    (
        "bad_enum.toml",
        2,
        8,
        "unknown variant `usb`, expected one of `auto`, `evdev`, `terminal`",
    ),
];

#[test]
fn golden_errors_from_the_library() {
    for (name, line, column, message) in GOLDEN {
        let path = fixture(name);
        let err = Config::load(Some(&path)).expect_err(name);
        assert_eq!(err.file.as_deref(), Some(path.as_path()), "{name}");
        assert_eq!(
            (err.line, err.column, err.message.as_str()),
            (Some(*line), Some(*column), *message),
            "{name}"
        );
        assert!(!err.hint.is_empty(), "{name} has no hint");
    }
}

#[test]
fn golden_errors_from_config_check() {
    for (name, line, column, message) in GOLDEN {
        let path = fixture(name);
        let out = check(&path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        let expected = format!("{}:{line}:{column}: {message}", path.display());
        let mut lines = stderr.lines();
        assert_eq!(lines.next(), Some(expected.as_str()), "{name}");
        let hint = lines.next().unwrap_or_default();
        assert!(hint.starts_with("  подсказка / hint: "), "{name}: {hint}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
}

#[test]
fn hints_are_specific() {
    let hint = |name: &str| Config::load(Some(&fixture(name))).unwrap_err().hint;
    assert!(hint("bad_fsrar.toml").contains("12 цифр"));
    assert!(hint("bad_inn_checksum.toml").contains("контрольной"));
    assert!(hint("unknown_key.toml").contains("spelling"));
    assert!(hint("wrong_type.toml").contains("кавычк"));
    assert!(hint("syntax_error.toml").contains("TOML"));
}

#[test]
fn good_file_passes_config_check() {
    let path = fixture("good.toml");
    let out = check(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("ok: {}", path.display()));
    let c = Config::load(Some(&path)).unwrap();
    assert_eq!(c.organisation.inn, "7707083893");
    assert_eq!(c.ui.theme, "high-contrast");
    c.require_organisation().unwrap();
}

#[test]
fn a_missing_explicit_file_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nope.toml");
    let out = check(&missing);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("{}: cannot read the file", missing.display())),
        "{stderr}"
    );
}

#[test]
fn without_files_the_defaults_are_used_and_run_would_refuse() {
    let home = tempfile::tempdir().unwrap();
    let sources = ConfigSources {
        files: vec![home.path().join("etc.toml"), home.path().join("user.toml")],
        explicit: false,
    };
    let loaded = Config::load_sources(&sources).unwrap();
    assert!(loaded.files.is_empty());
    assert_eq!(loaded.config, Config::default());
    assert!(loaded.config.require_organisation().is_err());
}

#[test]
fn layers_merge_and_errors_name_the_right_file() {
    let dir = tempfile::tempdir().unwrap();
    let system = dir.path().join("system.toml");
    let user = dir.path().join("user.toml");
    std::fs::write(
        &system,
        "[organisation]\nfsrar_id = \"030000194005\"\n[utm]\nurl = \"http://10.0.0.5:8080\"\npoll_interval_s = 30\n",
    )
    .unwrap();
    std::fs::write(
        &user,
        "[utm]\npoll_interval_s = 5\n[ui]\ntheme = \"mono\"\n",
    )
    .unwrap();
    let sources = ConfigSources {
        files: vec![system.clone(), user.clone()],
        explicit: false,
    };
    let loaded = Config::load_sources(&sources).unwrap();
    assert_eq!(loaded.config.organisation.fsrar_id, "030000194005");
    assert_eq!(loaded.config.utm.url, "http://10.0.0.5:8080");
    assert_eq!(loaded.config.utm.poll_interval_s, 5);
    assert_eq!(loaded.config.ui.theme, "mono");
    assert_eq!(loaded.files, vec![system.clone(), user.clone()]);
    assert_eq!(loaded.user_file(), Some(user.clone()));

    // A bad value in the second file is reported against that file, and both files'
    // errors are reported together.
    std::fs::write(&system, "[till]\nnumber = -1\n").unwrap();
    std::fs::write(&user, "\n[ui]\ntimezone = \"Europe/Mosow\"\n").unwrap();
    let errors = Config::load_sources(&sources).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].file.as_deref(), Some(system.as_path()));
    assert_eq!((errors[0].line, errors[0].column), (Some(2), Some(10)));
    assert_eq!(errors[1].file.as_deref(), Some(user.as_path()));
    assert_eq!((errors[1].line, errors[1].column), (Some(3), Some(12)));
}

#[test]
fn config_show_prints_the_merged_config_as_toml() {
    let home = tempfile::tempdir().unwrap();
    let out = binary(home.path())
        .args(["config", "show", "--config"])
        .arg(fixture("good.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&home.path().join("data/egais-tui").display().to_string()));
    let shown: Config = toml::from_str(&text).unwrap();
    assert_eq!(shown, Config::load(Some(&fixture("good.toml"))).unwrap());
}

#[test]
fn version_and_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let out = binary(home.path()).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("egais-tui {}", env!("CARGO_PKG_VERSION"))
    );
    let out = binary(home.path()).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The README's example is the packaged example, and it passes the checks.
#[test]
fn readme_examples_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("packaging/config.example.toml")).unwrap();
    Config::from_toml_str(Path::new("packaging/config.example.toml"), &example)
        .unwrap()
        .require_organisation()
        .unwrap();
    for readme in ["README.md", "README.en.md"] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        let block = text
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| panic!("{readme} has no toml example"));
        assert_eq!(
            block, example,
            "{readme}'s example differs from the packaged one"
        );
    }
}

/// Without `--config`, the user's XDG file is read and its errors name it.
#[test]
fn config_check_reads_the_users_xdg_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/egais-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let user = dir.join("config.toml");
    std::fs::write(&user, "[till]\nnumber = 2\noutlet = 5\n").unwrap();
    let out = binary(home.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "{}:3:10: invalid type: integer `5`, expected a string",
        user.display()
    );
    assert!(stderr.lines().any(|l| l == expected), "{stderr}");

    std::fs::write(&user, "[till]\nnumber = 2\n").unwrap();
    let out = binary(home.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !std::path::Path::new("/etc/egais-tui/config.toml").exists() {
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(
            stdout.starts_with(&format!("ok: {}", user.display())),
            "{stdout}"
        );
        // No FSRAR ID anywhere: fine for the check, with a note about `run`.
        assert!(
            stdout.contains("note: organisation.fsrar_id is not set"),
            "{stdout}"
        );
    }
}
