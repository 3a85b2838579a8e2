//! The one SQLite database. All SQL in Peerline lives under this module, so another backend
//! (PostgreSQL for a national deployment) is a sibling module rather than a rewrite.
//!
//! Two pools: a single-connection writer, on which every write transaction starts with
//! `BEGIN IMMEDIATE` (so a read-then-write transaction takes the write lock up front and never
//! fails with `SQLITE_BUSY` half-way), and a small pool of readers that WAL lets run beside it.

mod audit;
mod callbacks;
mod escalations;
mod jobs;
mod messages;
mod people;
mod privacy;
mod schedule;
mod strangers;

use std::{str::FromStr, time::Duration};

use sqlx::{
    Sqlite, SqlitePool, Transaction,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use audit::{AuditEntry, AuditQuery, AuditRow};
pub use callbacks::{Callback, Window};
pub use escalations::{Escalation, EscalationEvent, NewEscalation};
pub use jobs::JobClaim;
pub use messages::{
    ClaimedMessage, DeliveryStatus, IdentityEffect, InboxInsert, InboxRow, Keyboard, NewOutbound, OutboxRow, Priority,
    QueueStat, Safeguard, Undelivered,
};
pub use people::{Identity, ImportRow, InviteCode, NewPerson, Person, PersonStatus, RedeemOutcome, Service};
pub use privacy::Erasure;
pub use schedule::{Checkin, Contact, NewSession, Recipient, RecipientPages, ServiceUpdate, SessionAttendee};
pub use strangers::{Stranger, StrangerSent, WrongCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("unexpected value in the database: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
}

/// A write transaction (`BEGIN IMMEDIATE`). Dropping it without [`Tx::commit`] rolls back.
///
/// It holds the only writer connection: while a `Tx` is open, do not call a [`Store`] method
/// that writes (it would wait for this one), and never hold it across network I/O.
pub struct Tx {
    inner: Transaction<'static, Sqlite>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }

    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.inner
    }
}

impl Store {
    /// Open (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            create_owner_only(options.get_filename())?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        let read = if in_memory {
            // Each in-memory connection is its own database: share the writer.
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?
        };
        Ok(Store { read, write })
    }

    /// Apply pending migrations from `migrations/` (embedded at build time).
    pub async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("../migrations").run(&self.write).await?;
        Ok(())
    }

    /// Connect and migrate: what `serve` and every CLI command do first.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Does the database answer? Used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Start a write transaction that holds the write lock from its first statement.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Tx { inner })
    }

    /// Close both pools, waiting for in-flight queries; used at shutdown.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    pub async fn kv_get(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM kv WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.read)
            .await?)
    }
}

impl Tx {
    pub async fn kv_set(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

/// Create a missing database file readable and writable by its owner only (0600): it holds
/// special-category health data. SQLite gives its `-wal` and `-shm` files the database file's
/// permissions, so they are owner-only too. An existing file is left as the operator set it.
fn create_owner_only(path: &std::path::Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Db(sqlx::Error::Io(e))),
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
