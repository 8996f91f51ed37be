//! The store as a whole: schema version and migration, the single-owner lock (in-process
//! and across processes), damaged files, and recovery after the process is killed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use egais_tui::domain::{Money, ProductCard, Volume};
use egais_tui::store::migrations::v1::{self, ProductV1};
use egais_tui::store::{DB_FILE, META, SCHEMA_KEY, SCHEMA_VERSION, Store, StoreError, products};
use redb::{Database, ReadableDatabase, ReadableTableMetadata};

const CHILD_ENV: &str = "EGAIS_STORE_TEST_CHILD";
const READY: &str = "CHILD-READY";

fn card(n: u32) -> ProductCard {
    ProductCard {
        alc_code: format!("{:019}", 300_000_000_000_000_000u64 + u64::from(n)),
        full_name: format!("Вино столовое красное сухое №{n}"),
        short_name: None,
        eans: vec![],
        capacity: Some(Volume::parse("0,75").unwrap()),
        alc_percent: None,
        type_code: "400".into(),
        producer: None,
        is_alcohol: true,
        needs_stamp: true,
        price: Some(Money::from_kopecks(45_000 + i64::from(n))),
    }
}

fn fill(store: &Store, from: u32, to: u32) {
    store
        .write(|tx| {
            for n in from..to {
                products::upsert(tx, &card(n))?;
            }
            Ok::<_, products::ProductError>(())
        })
        .unwrap();
}

/// Opens a store that this test just closed. Tests in this binary spawn child processes in
/// parallel, and a child forked in the instant before it execs shares every open file of
/// the parent, the closed store's lock file included; the lock is then held for that
/// instant. Production has no such fork storm, so the retry lives here only.
fn reopen(dir: &Path) -> Result<Store, StoreError> {
    let mut tries = 0;
    loop {
        match Store::open(dir) {
            Err(StoreError::Locked { .. }) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    bytes.len().hash(&mut h);
    h.finish()
}

#[test]
fn a_new_database_gets_the_current_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(&dir.path().join("data")).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 2);
    drop(store);
    // Reopening an up-to-date file changes nothing about the version.
    let store = reopen(&dir.path().join("data")).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(dir.path()).unwrap();
    let tx = store.db().begin_write().unwrap();
    tx.open_table(META)
        .unwrap()
        .insert(SCHEMA_KEY, SCHEMA_VERSION + 1)
        .unwrap();
    tx.commit().unwrap();
    drop(store);
    let before = hash(&dir.path().join(DB_FILE));
    let err = reopen(dir.path()).err().expect("newer schema accepted");
    assert_eq!(
        hash(&dir.path().join(DB_FILE)),
        before,
        "a newer database was modified"
    );
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("newer egais-tui"), "{err}");
    assert!(
        err.message_ru().contains("более новой версией"),
        "{}",
        err.message_ru()
    );
}

/// Builds a version-1 file by hand with redb alone, as the version-1 program wrote it.
#[test]
fn version_1_products_migrate_to_cards_and_a_barcode_index() {
    let dir = tempfile::tempdir().unwrap();
    let old = |alc: &str, name: &str, ean: Option<&str>, kopecks: Option<i64>| ProductV1 {
        alc_code: alc.into(),
        full_name: name.into(),
        short_name: None,
        ean: ean.map(str::to_string),
        capacity: Some(Volume::parse("0,5").unwrap()),
        alc_percent: None,
        type_code: "200".into(),
        producer: None,
        is_alcohol: true,
        needs_stamp: true,
        price_kopecks: kopecks,
    };
    let rows = [
        old(
            "0100000000000000001",
            "Водка «Пример» 0,5",
            Some("4601234567893"),
            Some(49_990),
        ),
        old(
            "0100000000000000002",
            "Водка «Пример» 0,5 (другой код)",
            Some("4601234567893"),
            None,
        ),
        old(
            "0100000000000000003",
            "Коньяк без штрихкода",
            None,
            Some(150_000),
        ),
    ];
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(META)
            .unwrap()
            .insert(SCHEMA_KEY, 1u64)
            .unwrap();
        {
            let mut t = tx.open_table(v1::PRODUCTS).unwrap();
            for r in &rows {
                t.insert(
                    r.alc_code.as_str(),
                    postcard::to_stdvec(r).unwrap().as_slice(),
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }

    let store = reopen(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    let cards = store.read(products::all).unwrap();
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[0].eans, vec!["4601234567893".to_string()]);
    assert_eq!(cards[0].price, Some(Money::parse("499,90").unwrap()));
    // The second card had the same barcode typed in; the first keeps it.
    assert!(cards[1].eans.is_empty());
    assert_eq!(cards[2].price, Some(Money::from_kopecks(150_000)));
    let by_code = store
        .read(|r| products::by_ean(r, "4601234567893"))
        .unwrap()
        .unwrap();
    assert_eq!(by_code.alc_code, "0100000000000000001");
    // The old table is gone.
    let tx = store.db().begin_read().unwrap();
    assert!(matches!(
        tx.open_table(v1::PRODUCTS),
        Err(redb::TableError::TableDoesNotExist(_))
    ));
}

#[test]
fn a_second_open_in_the_same_process_names_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).err().expect("second open accepted");
    match &err {
        StoreError::Locked { pid, .. } => assert_eq!(pid, &std::process::id().to_string()),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.message_ru().contains(&std::process::id().to_string()));
}

/// Runs a test of this file as a child process, in one of the roles below.
fn spawn_child(role: &str, dir: &Path) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process_role",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, role)
        .env("EGAIS_STORE_TEST_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "child exited before it was ready"
        );
        if line.contains(READY) {
            break;
        }
    }
    (child, out)
}

/// Not a test of its own: the body of the child processes above. Without the variable it
/// does nothing.
#[test]
fn child_process_role() {
    let Ok(role) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = std::path::PathBuf::from(std::env::var("EGAIS_STORE_TEST_DIR").unwrap());
    let store = reopen(&dir).unwrap();
    fill(&store, 0, 10);
    println!("{READY}");
    std::io::stdout().flush().unwrap();
    match role.as_str() {
        // Hold the store until the parent closes our stdin.
        "hold" => {
            let mut buf = String::new();
            let _ = std::io::stdin().read_line(&mut buf);
        }
        // Keep committing until killed.
        "write-forever" => {
            let mut n = 10;
            loop {
                fill(&store, n, n + 5);
                n += 5;
            }
        }
        // Commit the way a program without quick-repair does, so that after a kill the file
        // needs redb's full repair on the next open.
        "raw-write-forever" => {
            let def: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("scratch");
            let mut n = 0u64;
            loop {
                let tx = store.db().begin_write().unwrap();
                tx.open_table(def).unwrap().insert(n, n).unwrap();
                tx.commit().unwrap();
                n += 1;
            }
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn a_second_process_is_refused_with_the_owner_pid() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _out) = spawn_child("hold", dir.path());
    let err = Store::open(dir.path())
        .err()
        .expect("opened a store another process holds");
    match &err {
        StoreError::Locked { pid, .. } => assert_eq!(pid, &child.id().to_string()),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string().contains(&format!("PID {}", child.id())),
        "{err}"
    );
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    // Released when the owner exits.
    let store = reopen(dir.path()).unwrap();
    assert_eq!(store.read(products::all).unwrap().len(), 10);
}

#[test]
fn after_kill_9_the_database_opens_with_every_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let (mut child, _out) = spawn_child("write-forever", dir.path());
        std::thread::sleep(std::time::Duration::from_millis(150));
        child.kill().unwrap();
        child.wait().unwrap();
        let store = reopen(dir.path()).unwrap();
        let cards = store.read(products::all).unwrap();
        assert!(cards.len() >= 10, "committed writes lost: {}", cards.len());
        // Every batch of five commits whole or not at all.
        assert_eq!(cards.len() % 5, 0, "{}", cards.len());
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }
}

#[test]
fn a_file_that_needs_a_full_repair_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _out) = spawn_child("raw-write-forever", dir.path());
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    // The read-only probe must see a file that needs repair, which is the path under test.
    assert!(matches!(
        redb::ReadOnlyDatabase::open(dir.path().join(DB_FILE)),
        Err(redb::DatabaseError::RepairAborted)
    ));
    let store = reopen(dir.path()).unwrap();
    assert_eq!(store.read(products::all).unwrap().len(), 10);
    let def: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("scratch");
    let tx = store.db().begin_read().unwrap();
    assert!(tx.open_table(def).unwrap().len().unwrap() > 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("pre-repair"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn assert_corrupt_and_unchanged(dir: &Path) {
    let file = dir.join(DB_FILE);
    let before = hash(&file);
    let err = reopen(dir).err().expect("a damaged file was opened");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(
        err.message_ru().contains("повреждён"),
        "{}",
        err.message_ru()
    );
    assert_eq!(hash(&file), before, "the damaged file was modified");
    // Refused again, the same way, and the lock was released.
    let again = reopen(dir).err().expect("a damaged file was opened");
    assert!(matches!(again, StoreError::Corrupt { .. }), "{again:?}");
    assert_eq!(hash(&file), before);
}

fn healthy_file(dir: &Path) -> std::path::PathBuf {
    let store = reopen(dir).unwrap();
    fill(&store, 0, 300);
    drop(store);
    dir.join(DB_FILE)
}

#[test]
fn garbage_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let bytes: Vec<u8> = (0..65536).map(|_| rng.u8(..)).collect();
    std::fs::write(dir.path().join(DB_FILE), bytes).unwrap();
    assert_corrupt_and_unchanged(dir.path());
}

#[test]
fn a_text_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DB_FILE), "hello, this is not a database\n").unwrap();
    assert_corrupt_and_unchanged(dir.path());
}

#[test]
fn a_truncated_file_is_refused_and_left_alone() {
    for keep in [0.5, 0.1] {
        let dir = tempfile::tempdir().unwrap();
        let file = healthy_file(dir.path());
        let len = std::fs::metadata(&file).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
        f.set_len((len as f64 * keep) as u64).unwrap();
        drop(f);
        assert_corrupt_and_unchanged(dir.path());
    }
}

#[test]
fn a_damaged_header_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = healthy_file(dir.path());
    let mut bytes = std::fs::read(&file).unwrap();
    for b in &mut bytes[..512] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, bytes).unwrap();
    assert_corrupt_and_unchanged(dir.path());
}

#[test]
fn another_programs_redb_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let tx = db.begin_write().unwrap();
        let def: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("counters");
        tx.open_table(def).unwrap().insert("x", 1).unwrap();
        tx.commit().unwrap();
    }
    assert_corrupt_and_unchanged(dir.path());
    let db = Database::open(dir.path().join(DB_FILE)).unwrap();
    let tx = db.begin_read().unwrap();
    let def: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("counters");
    assert_eq!(
        tx.open_table(def)
            .unwrap()
            .get("x")
            .unwrap()
            .unwrap()
            .value(),
        1
    );
}

/// Damage in the middle of the file (where redb keeps tree pages) is caught at open: redb's
/// panics on such pages become `Corrupt`, and the file is not modified.
#[test]
fn damaged_pages_are_refused_at_open_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = healthy_file(dir.path());
    let original = std::fs::read(&file).unwrap();
    let mut refused = 0;
    for frac in [0.2, 0.4, 0.6, 0.95] {
        let mut bytes = original.clone();
        let at = (bytes.len() as f64 * frac) as usize;
        let end = (at + 4096).min(bytes.len());
        for b in &mut bytes[at..end] {
            *b ^= 0xa5;
        }
        std::fs::write(&file, &bytes).unwrap();
        let before = hash(&file);
        match reopen(dir.path()) {
            Err(StoreError::Corrupt { .. }) => {
                refused += 1;
                assert_eq!(hash(&file), before, "damaged file modified (at {frac})");
            }
            Err(other) => panic!("at {frac}: unexpected {other:?}"),
            // The damage hit free space; nothing to refuse.
            Ok(_) => {}
        }
    }
    assert!(refused >= 2, "only {refused} damaged files were refused");
}

/// A migration that fails (here: a damaged version-1 record) commits nothing: the file
/// stays at version 1 with its old table, so a fixed program can try again.
#[test]
fn a_failed_migration_leaves_the_old_schema_intact() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(META)
            .unwrap()
            .insert(SCHEMA_KEY, 1u64)
            .unwrap();
        tx.open_table(v1::PRODUCTS)
            .unwrap()
            .insert("0100000000000000001", [0xffu8, 0xff, 0xff].as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let err = reopen(dir.path()).err().expect("a damaged record migrated");
    assert!(
        matches!(err, StoreError::Decode { ref table, .. } if table == "products_v1"),
        "{err:?}"
    );
    let db = Database::open(dir.path().join(DB_FILE)).unwrap();
    let tx = db.begin_read().unwrap();
    assert_eq!(
        tx.open_table(META)
            .unwrap()
            .get(SCHEMA_KEY)
            .unwrap()
            .unwrap()
            .value(),
        1
    );
    assert_eq!(tx.open_table(v1::PRODUCTS).unwrap().len().unwrap(), 1);
    assert!(
        tx.open_table(products::PRODUCTS).is_err(),
        "no half-migrated table"
    );
}
