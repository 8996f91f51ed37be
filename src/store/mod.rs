//! The embedded database: one redb file in the data directory, owned by one process.
//!
//! Pattern for every table family: one module per family, a `TableDefinition` with a typed
//! key and a `&[u8]` value holding a postcard-encoded Rust type, and functions that take a
//! `&WriteTransaction` so that a business change and its outbox entry commit together.
//! Values are decoded through [`decode`], which turns a damaged record into an error, never
//! a panic.

pub mod archive;
pub mod documents;
pub mod invoices;
mod lock;
pub mod marks;
pub mod outbox;
pub mod products;

use std::path::{Path, PathBuf};

use redb::{
    Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition,
    TableHandle, WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use lock::{DirLock, LOCK_FILE};

/// Schema version written by this binary. Bump it together with a step in
/// [`migrations::STEPS`].
pub const SCHEMA_VERSION: u64 = 2;

/// The database file inside the data directory.
pub const DB_FILE: &str = "egais-tui.redb";

pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
pub const SCHEMA_KEY: &str = "schema_version";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the database in {dir} is in use by another egais-tui process (PID {pid}); close it first"
    )]
    Locked { dir: PathBuf, pid: String },
    #[error(
        "the database {path} was written by a newer egais-tui (schema {found}, this program knows {supported}); install the newer version"
    )]
    TooNew {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    #[error(
        "the database {path} is damaged or is not an egais-tui database ({detail}); it was not changed — restore it from a backup"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("database error: {0}")]
    Db(String),
    #[error("damaged record in table {table}: {detail}")]
    Decode { table: String, detail: String },
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Db(e.to_string()) }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

impl StoreError {
    /// A message for the cashier.
    pub fn message_ru(&self) -> String {
        match self {
            StoreError::Locked { pid, .. } => {
                format!("База данных уже открыта другой копией программы (PID {pid}). Закройте её.")
            }
            StoreError::TooNew {
                found, supported, ..
            } => format!(
                "База данных создана более новой версией программы (схема {found}, эта версия знает {supported}). Установите новую версию."
            ),
            StoreError::Corrupt { path, .. } => format!(
                "Файл базы данных {} повреждён. Он не изменён; восстановите его из резервной копии.",
                path.display()
            ),
            other => format!("Ошибка базы данных: {other}"),
        }
    }
}

/// The open database plus the directory lock that makes this process its only owner.
pub struct Store {
    db: Database,
    path: PathBuf,
    _lock: DirLock,
}

impl Store {
    /// Opens (or creates) the database in `data_dir`, taking the directory lock first,
    /// then checking the schema version and running migrations.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let lock = DirLock::acquire(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let db = open_db_file(&path)?;
        let store = Store {
            db,
            path,
            _lock: lock,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Runs `f` in a write transaction and commits durably (fsync, two-phase commit).
    /// If `f` fails nothing is written.
    pub fn write<T, E>(&self, f: impl FnOnce(&WriteTransaction) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut tx = self.db.begin_write().map_err(StoreError::from)?;
        tx.set_two_phase_commit(true);
        tx.set_quick_repair(true);
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    pub fn read<T, E>(&self, f: impl FnOnce(&ReadTransaction) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self.db.begin_read().map_err(StoreError::from)?;
        f(&tx)
    }

    pub fn schema_version(&self) -> Result<u64, StoreError> {
        self.read(read_schema_version)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == 0 && !self.is_empty()? {
            // Tables but no version: some other program's redb file. Leave it alone.
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: "it has tables but no egais-tui schema version".into(),
            });
        }
        // One transaction: a crash mid-migration leaves the old schema and version intact.
        self.write(|tx| {
            if found == 0 {
                tracing::info!(version = SCHEMA_VERSION, "creating a new database");
            }
            for step in migrations::STEPS
                .iter()
                .filter(|s| found != 0 && s.from >= found)
            {
                tracing::info!(
                    from = step.from,
                    to = step.from + 1,
                    "migrating database schema"
                );
                (step.run)(tx)?;
            }
            // Idempotent: also adds tables that a newer build of the same schema introduced.
            create_all_tables(tx)?;
            let mut meta = tx.open_table(META)?;
            meta.insert(SCHEMA_KEY, SCHEMA_VERSION)?;
            Ok(())
        })
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.list_tables()?.next().is_none() && tx.list_multimap_tables()?.next().is_none())
    }
}

pub mod migrations {
    //! Schema migrations, one step per version. A new file gets the current schema directly
    //! (`create_all_tables`); an older file runs every step from its version up, inside the
    //! single write transaction that also bumps the version.
    //!
    //! History:
    //! * 1: `products_v1`: cards keyed by AlcCode with one optional EAN and the price in
    //!   kopecks ([`v1::ProductV1`]).
    //! * 2: `products_v2` holds [`crate::domain::ProductCard`] (several EANs, price as
    //!   Money) and `ean_index_v1` maps each EAN to its AlcCode, which the till needs to turn
    //!   a scanned barcode into a product without reading every card.

    use redb::{ReadableTable, TableHandle, WriteTransaction};

    use super::StoreError;

    pub struct Step {
        /// The version this step upgrades from (to `from + 1`).
        pub from: u64,
        pub run: fn(&WriteTransaction) -> Result<(), StoreError>,
    }

    pub static STEPS: &[Step] = &[Step {
        from: 1,
        run: products_v1_to_v2,
    }];

    pub mod v1 {
        //! The version-1 layout, kept to read old files.

        use redb::TableDefinition;
        use serde::{Deserialize, Serialize};

        use crate::domain::product::Producer;
        use crate::domain::volume::{AlcoholPercent, Volume};

        pub const PRODUCTS: TableDefinition<&str, &[u8]> = TableDefinition::new("products_v1");

        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ProductV1 {
            pub alc_code: String,
            pub full_name: String,
            pub short_name: Option<String>,
            pub ean: Option<String>,
            pub capacity: Option<Volume>,
            pub alc_percent: Option<AlcoholPercent>,
            pub type_code: String,
            pub producer: Option<Producer>,
            pub is_alcohol: bool,
            pub needs_stamp: bool,
            pub price_kopecks: Option<i64>,
        }
    }

    fn products_v1_to_v2(tx: &WriteTransaction) -> Result<(), StoreError> {
        use crate::domain::{Money, ProductCard};
        use crate::store::products;

        let old: Vec<v1::ProductV1> = {
            let table = match tx.open_table(v1::PRODUCTS) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let mut rows = Vec::new();
            for row in table.iter()? {
                let (_, v) = row?;
                rows.push(super::decode(v1::PRODUCTS.name(), v.value())?);
            }
            rows
        };
        for p in old {
            let card = ProductCard {
                alc_code: p.alc_code,
                full_name: p.full_name,
                short_name: p.short_name,
                eans: Vec::new(),
                capacity: p.capacity,
                alc_percent: p.alc_percent,
                type_code: p.type_code,
                producer: p.producer,
                is_alcohol: p.is_alcohol,
                needs_stamp: p.needs_stamp,
                price: p.price_kopecks.map(Money::from_kopecks),
            };
            products::put_card(tx, &card)?;
            if let Some(ean) = p.ean.filter(|e| !e.trim().is_empty()) {
                // Version 1 did not stop one barcode being typed on two cards. The first
                // card keeps it; the cashier rebinds the other one when it is scanned.
                match products::bind_ean(tx, &card.alc_code, ean.trim()) {
                    Ok(_) => {}
                    Err(products::ProductError::EanTaken { ean, bound_to, .. }) => {
                        tracing::warn!(%ean, %bound_to, alc_code = %card.alc_code,
                            "migration: barcode bound to two products, kept the first");
                    }
                    Err(products::ProductError::Store(e)) => return Err(e),
                    Err(e) => {
                        tracing::warn!(alc_code = %card.alc_code, "migration: barcode dropped: {e}");
                    }
                }
            }
        }
        tx.delete_table(v1::PRODUCTS)?;
        Ok(())
    }
}

/// Creates every table of the current schema, so that readers never meet a missing table.
/// Each table family registers its tables here.
fn create_all_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(META)?;
    products::create_tables(tx)?;
    documents::create_tables(tx)?;
    outbox::create_tables(tx)?;
    archive::create_tables(tx)?;
    invoices::create_tables(tx)?;
    marks::create_tables(tx)?;
    Ok(())
}

fn read_schema_version(tx: &ReadTransaction) -> Result<u64, StoreError> {
    match tx.open_table(META) {
        Ok(t) => Ok(t.get(SCHEMA_KEY)?.map(|v| v.value()).unwrap_or(0)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Creates `dir` (and its parents) readable only by the owner: the database holds the
/// shop's business data, the state directory its logs.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The copy of the database taken before redb repairs it, so a failed repair can put the
/// original bytes back.
pub const PRE_REPAIR_SUFFIX: &str = "pre-repair";

/// Opens the database file without ever damaging what is there.
///
/// redb trusts a cleanly closed file and can panic on a damaged one, and opening read-write
/// writes to the file (and repairs a file that was not closed cleanly). So an existing file
/// is first probed read-only (which cannot write), under `catch_unwind`:
/// * the probe succeeds: the file is sound, open it read-write;
/// * the probe says a repair is needed (the process was killed): copy the file aside,
///   let redb repair it, and if the repair fails put the original bytes back;
/// * anything else: [`StoreError::Corrupt`], and the file is untouched.
fn open_db_file(path: &Path) -> Result<Database, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(StoreError::DataDir {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    // A missing or empty file holds nothing to lose (a crash right after creating it).
    if meta.as_ref().is_none_or(|m| m.len() == 0) {
        return fenced(|| Database::create(path)).map_err(|e| match e {
            Fenced::Err(redb::DatabaseError::Storage(redb::StorageError::Io(source))) => {
                StoreError::DataDir {
                    path: path.to_path_buf(),
                    source,
                }
            }
            other => corrupt(other.to_string()),
        });
    }
    match fenced(|| ReadOnlyDatabase::open(path)) {
        Ok(probe) => {
            // Refuse what we must refuse while the file is still only open read-only:
            // a read-write open writes to it even if nothing is committed.
            check_before_writing(path, &probe)?;
            drop(probe);
            fenced(|| Database::open(path)).map_err(|e| corrupt(e.to_string()))
        }
        Err(Fenced::Err(redb::DatabaseError::RepairAborted)) => repair(path),
        Err(Fenced::Err(redb::DatabaseError::DatabaseAlreadyOpen)) => Err(StoreError::Db(
            "the database file is already open in this process".into(),
        )),
        // Not being allowed to read the file says nothing about its contents.
        Err(Fenced::Err(redb::DatabaseError::Storage(redb::StorageError::Io(e))))
            if e.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            Err(StoreError::DataDir {
                path: path.to_path_buf(),
                source: e,
            })
        }
        Err(e) => Err(corrupt(e.to_string())),
    }
}

/// The schema checks of [`Store::migrate`], done on the read-only probe.
fn check_before_writing(path: &Path, probe: &ReadOnlyDatabase) -> Result<(), StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let result = fenced_store(|| {
        let tx = probe.begin_read()?;
        let version = read_schema_version(&tx)?;
        let has_tables =
            tx.list_tables()?.next().is_some() || tx.list_multimap_tables()?.next().is_some();
        Ok((version, has_tables))
    });
    match result {
        Ok((found, _)) if found > SCHEMA_VERSION => Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        }),
        Ok((0, true)) => Err(corrupt(
            "it has tables but no egais-tui schema version".into(),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(corrupt(e)),
    }
}

fn fenced_store<T>(f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, String> {
    let caught = crate::panic_hook::expecting_panics(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    });
    match caught {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(format!(
            "the storage engine failed while reading it ({})",
            panic_text(payload.as_ref())
        )),
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Repairs a file left by a killed process, keeping the original bytes if the repair fails.
fn repair(path: &Path) -> Result<Database, StoreError> {
    let backup = path.with_extension(format!("redb.{PRE_REPAIR_SUFFIX}"));
    let io = |source| StoreError::DataDir {
        path: backup.clone(),
        source,
    };
    tracing::warn!(path = %path.display(), "database was not closed cleanly; repairing");
    std::fs::copy(path, &backup).map_err(io)?;
    std::fs::File::open(&backup)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    match fenced(|| Database::open(path)) {
        Ok(db) => {
            tracing::info!(path = %path.display(), "database repaired");
            let _ = std::fs::remove_file(&backup);
            Ok(db)
        }
        Err(e) => {
            std::fs::copy(&backup, path).map_err(io)?;
            let _ = std::fs::remove_file(&backup);
            Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("repair failed: {e}"),
            })
        }
    }
}

enum Fenced {
    Err(redb::DatabaseError),
    Panic(String),
}

impl std::fmt::Display for Fenced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fenced::Err(e) => write!(f, "{e}"),
            Fenced::Panic(m) => write!(f, "the storage engine failed while reading it ({m})"),
        }
    }
}

/// Runs a redb open, turning its panics on damaged pages into an error.
fn fenced<T>(f: impl FnOnce() -> Result<T, redb::DatabaseError>) -> Result<T, Fenced> {
    let caught = crate::panic_hook::expecting_panics(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    });
    match caught {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Fenced::Err(e)),
        Err(payload) => Err(Fenced::Panic(panic_text(payload.as_ref()))),
    }
}

/// Encodes a value for a `&[u8]` column.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError::Db(format!("encode: {e}")))
}

/// Decodes a value read from `table`; a damaged record is an error, not a panic.
pub fn decode<T: DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Decode {
        table: table.to_string(),
        detail: e.to_string(),
    })
}

/// Reads every row of a `&str → bytes` table, decoded, in key order.
pub fn read_all<T: DeserializeOwned>(
    tx: &ReadTransaction,
    def: TableDefinition<&str, &[u8]>,
) -> Result<Vec<(String, T)>, StoreError> {
    let table = match tx.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for row in table.iter()? {
        let (k, v) = row?;
        out.push((k.value().to_string(), decode(def.name(), v.value())?));
    }
    Ok(out)
}
