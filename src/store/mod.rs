//! The embedded database: one redb file in the data directory, owned by one process.
//!
//! Pattern for every table family: one module per family, a `TableDefinition` with a typed
//! key and a `&[u8]` value holding a postcard-encoded Rust type, and functions that take a
//! `&WriteTransaction` so that a business change and its outbox entry commit together.
//! Values are decoded through [`decode`], which turns a damaged record into an error, never
//! a panic.

pub mod archive;
pub mod invoices;
mod lock;
pub mod marks;
pub mod outbox;

use std::path::{Path, PathBuf};

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, TableHandle,
    WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use lock::DirLock;

/// Schema version written by this binary. Bump it together with a migration in `MIGRATIONS`.
pub const SCHEMA_VERSION: u64 = 1;

/// The database file inside the data directory.
pub const DB_FILE: &str = "egais-tui.redb";

pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const SCHEMA_KEY: &str = "schema_version";

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
        create_private_dir(data_dir)?;
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
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        self.write(|tx| {
            for step in migrations::STEPS.iter().filter(|s| s.from >= found) {
                tracing::info!(
                    from = step.from,
                    to = step.from + 1,
                    "migrating database schema"
                );
                (step.run)(tx)?;
            }
            let mut meta = tx.open_table(META)?;
            meta.insert(SCHEMA_KEY, SCHEMA_VERSION)?;
            Ok(())
        })
    }
}

pub mod migrations {
    //! Schema migrations, one step per version. Version 0 is a file with no `meta` table:
    //! a freshly created database. Each step runs inside the single write transaction that
    //! also bumps the version, so a crash mid-migration leaves the old schema intact.

    use redb::WriteTransaction;

    use super::StoreError;

    pub struct Step {
        pub from: u64,
        pub run: fn(&WriteTransaction) -> Result<(), StoreError>,
    }

    /// Step 0 → 1 creates every table so that readers never meet a missing table.
    pub static STEPS: &[Step] = &[Step {
        from: 0,
        run: super::create_all_tables,
    }];
}

fn create_all_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(META)?;
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

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::DataDir {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(err)?;
    }
    Ok(())
}

/// redb can panic on damaged pages instead of returning an error, so opening is fenced
/// with `catch_unwind`. An existing file is opened, never created over.
fn open_db_file(path: &Path) -> Result<Database, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let exists = path.exists();
    let owned = path.to_path_buf();
    let result = std::panic::catch_unwind(move || {
        if exists {
            Database::open(&owned)
        } else {
            Database::create(&owned)
        }
    });
    match result {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(redb::DatabaseError::Storage(redb::StorageError::Io(e)))) if !exists => {
            Err(StoreError::DataDir {
                path: path.to_path_buf(),
                source: e,
            })
        }
        Ok(Err(e)) => Err(corrupt(e.to_string())),
        Err(_) => Err(corrupt("the storage engine failed while reading it".into())),
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
