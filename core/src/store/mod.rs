//! The one SQLite database. All SQL in Peerline lives under this module, so another backend
//! (PostgreSQL for a national deployment) is a sibling module rather than a rewrite.
//!
//! Two pools: a single-connection writer, on which every write transaction starts with
//! `BEGIN IMMEDIATE` (so a read-then-write transaction takes the write lock up front and never
//! fails with `SQLITE_BUSY` half-way), and a small pool of readers that WAL lets run beside it.
//!
//! A failed statement or commit never leaves a connection stuck inside a transaction: a
//! transaction dropped without commit is rolled back when its connection goes back to the pool,
//! and a connection whose rollback failed too (SQLite may already have rolled back after
//! `SQLITE_FULL`) is closed and replaced, so the next write starts clean. Every write's
//! outcome feeds [`health`], which `/healthz` reads.

mod audit;
mod callbacks;
mod escalations;
mod health;
mod jobs;
mod messages;
mod people;
mod privacy;
mod schedule;
mod strangers;
mod threads;

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use sqlx::{
    Connection, Sqlite, SqlitePool, Transaction,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use audit::{AuditEntry, AuditQuery, AuditRow};
pub use callbacks::{Callback, Window};
pub use escalations::{Escalation, EscalationEvent, NewEscalation};
pub use health::{Unavailable, Writable};
pub use jobs::{JobClaim, JobOutcome};
pub use messages::{
    ClaimedMessage, DeliveryStatus, IdentityEffect, InboxInsert, InboxRow, Keyboard, NewOutbound, OutboxRow, Priority,
    QueueStat, Safeguard, Undelivered,
};
pub use people::{Identity, ImportRow, InviteCode, NewPerson, Person, PersonStatus, RedeemOutcome, Service};
pub use privacy::Erasure;
pub use schedule::{Checkin, Contact, NewSession, Recipient, RecipientPages, ServiceUpdate, SessionAttendee};
pub use strangers::{Stranger, StrangerSent, WrongCode};
pub use threads::{MediaNote, ThreadEnd, Unanswered};

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
    /// The database could not be opened at start-up; `problem` says what to do.
    #[error("cannot open the database {file}: {problem}")]
    Open { file: String, problem: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
    health: Arc<health::WriteHealth>,
    /// `PRAGMA max_page_count` for every writer connection, 0 for none: see [`Store::cap_pages`].
    page_cap: Arc<AtomicU32>,
}

/// How the store waits for a lock held elsewhere.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a statement waits for a lock another program holds (a `sqlite3` shell, a
    /// backup) before failing with "locked"; a write waiting for the writer gives up after
    /// twice this.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A write transaction (`BEGIN IMMEDIATE`). Dropping it without [`Tx::commit`] rolls back.
///
/// It holds the only writer connection: while a `Tx` is open, do not call a [`Store`] method
/// that writes (it would wait for this one), and never hold it across network I/O.
pub struct Tx {
    inner: Transaction<'static, Sqlite>,
    health: Arc<health::WriteHealth>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        let Tx { inner, health } = self;
        inner.commit().await.map_err(|e| noted(&health, e))?;
        health.succeeded();
        Ok(())
    }

    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.inner
    }
}

/// Back in the pool, a connection must be outside any transaction. A transaction dropped
/// without commit queued a rollback; the ping lets it run. If the connection is still inside
/// one (the rollback failed: SQLite had already rolled back after a full disk), close it; the
/// pool opens a fresh one, so no caller ever meets "non-zero transaction depth".
fn clean_on_release(pool: SqlitePoolOptions) -> SqlitePoolOptions {
    pool.after_release(|conn, _meta| {
        Box::pin(async move {
            if conn.is_in_transaction() {
                conn.ping().await?;
            }
            if conn.is_in_transaction() {
                tracing::warn!("a database connection was left inside a failed transaction; opening a fresh one");
                return Ok(false);
            }
            Ok(true)
        })
    })
}

impl Store {
    /// Open (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    pub async fn connect_with(url: &str, opts: &StoreOptions) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout);
        let in_memory = is_in_memory(url);
        if !in_memory {
            create_owner_only(options.get_filename())?;
        }
        let page_cap = Arc::new(AtomicU32::new(0));
        let cap = Arc::clone(&page_cap);
        let write = clean_on_release(SqlitePoolOptions::new())
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(opts.busy_timeout.saturating_mul(2).max(Duration::from_secs(1)))
            .after_connect(move |conn, _meta| {
                let cap = cap.load(Ordering::Relaxed);
                Box::pin(async move {
                    if cap > 0 {
                        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {cap}")))
                            .execute(conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        let read = if in_memory {
            // Each in-memory connection is its own database: share the writer.
            write.clone()
        } else {
            clean_on_release(SqlitePoolOptions::new())
                .max_connections(4)
                .connect_with(options.clone())
                .await?
        };
        let file = (!in_memory).then(|| options.get_filename());
        Ok(Store {
            read,
            write,
            health: Arc::new(health::WriteHealth::new(file)),
            page_cap,
        })
    }

    /// The file a `sqlite://` URL names, `None` for an in-memory database or a URL that is
    /// not SQLite's.
    pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
        if is_in_memory(url) {
            return None;
        }
        SqliteConnectOptions::from_str(url)
            .ok()
            .map(|o| o.get_filename().to_path_buf())
    }

    /// Apply pending migrations from `migrations/` (embedded at build time).
    pub async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("../migrations").run(&self.write).await?;
        Ok(())
    }

    /// Connect and migrate: what `serve` and every CLI command do first.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, &StoreOptions::default()).await
    }

    /// [`Store::open`] with options. A database that cannot be used (read-only, locked,
    /// damaged, written by a newer Peerline) fails with [`StoreError::Open`], one line
    /// naming the file and what to do.
    pub async fn open_with(url: &str, opts: &StoreOptions) -> Result<Store> {
        let attempt = async {
            let store = Store::connect_with(url, opts).await?;
            store.migrate().await?;
            Ok(store)
        };
        attempt.await.map_err(|e| explain_open(url, e))
    }

    /// Does the database answer? Used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Does the database take writes? The outcome of the latest write, refreshed by a probe
    /// write (at most once a second while failing, or when nothing was written for a while)
    /// so the answer turns back to yes soon after the cause goes away. The probe stores and
    /// removes 16 KiB, so it needs fresh space as an incoming message does.
    pub async fn writable(&self) -> Writable {
        if self.health.probe_due()
            && let Ok(_guard) = self.health.probing().try_lock()
        {
            let probe = async {
                let mut tx = self.begin().await?;
                sqlx::query("INSERT INTO kv (key, value) VALUES ('health.probe', zeroblob(16384))")
                    .execute(tx.conn())
                    .await?;
                sqlx::query("DELETE FROM kv WHERE key = 'health.probe'")
                    .execute(tx.conn())
                    .await?;
                tx.commit().await
            };
            match probe.await {
                Ok(()) => self.health.probe_succeeded(),
                Err(e) => self.health.failed(&e),
            }
        }
        self.health.state()
    }

    /// The outcome of the latest write, without probing.
    pub fn last_write(&self) -> Writable {
        self.health.state()
    }

    /// Bytes free where the database file lives, `None` in memory.
    pub fn free_bytes(&self) -> Option<u64> {
        self.health.free_bytes()
    }

    /// Record a failure a caller met on a write outside [`Tx::commit`] (a statement inside a
    /// transaction): the state turns to "not writable" when the failure is the storage's.
    pub fn note_write_error(&self, e: &StoreError) {
        self.health.failed(e);
    }

    /// Cap the database file at `pages` pages (of 4 KiB) on the writer, as a full disk would:
    /// writes that need more fail with `SQLITE_FULL`. Tests fill and free "the disk" with it
    /// without root; `u32::MAX` lifts the cap. SQLite never lowers the cap below the pages in use.
    pub async fn cap_pages(&self, pages: u32) -> Result<()> {
        self.page_cap.store(pages, Ordering::Relaxed);
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}")))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Start a write transaction that holds the write lock from its first statement.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = self
            .write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| noted(&self.health, e))?;
        Ok(Tx {
            inner,
            health: Arc::clone(&self.health),
        })
    }

    /// The outcome of a write outside a transaction (one autocommit statement), noted.
    fn wrote<T>(&self, r: std::result::Result<T, sqlx::Error>) -> Result<T> {
        let v = r.map_err(|e| noted(&self.health, e))?;
        self.health.succeeded();
        Ok(v)
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
    pub async fn kv_get(&mut self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM kv WHERE key = ?")
            .bind(key)
            .fetch_optional(self.conn())
            .await?)
    }

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

/// The one line an operator reads when the database at `url` cannot be opened.
fn explain_open(url: &str, e: StoreError) -> StoreError {
    use sqlx::migrate::MigrateError;
    const READ_ONLY: &str = "it is read-only: give the user running Peerline write access to the file and its \
                             directory (SQLite keeps -wal and -shm files beside it)";
    let path = Store::database_file(url);
    let file = match &path {
        Some(p) => std::path::absolute(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
        None => url.to_owned(),
    };
    let exists = path.as_ref().is_some_and(|p| p.exists());
    let db_error = match &e {
        StoreError::Db(e) | StoreError::Migrate(MigrateError::Execute(e)) => Some(e),
        _ => None,
    };
    let problem = match (&e, db_error.and_then(health::sqlite_code)) {
        (StoreError::Migrate(MigrateError::VersionMissing(v)), _) => format!(
            "it was written by a newer version of Peerline (its migration {v} is unknown to this one): run that \
             version or a newer one, or restore a backup made before the upgrade"
        ),
        (StoreError::Migrate(MigrateError::VersionMismatch(v)), _) => format!(
            "its migration {v} differs from this build's: it was made by a different build of Peerline; run that build"
        ),
        (StoreError::Migrate(MigrateError::Dirty(v)), _) => {
            format!("migration {v} failed part-way on an earlier start: restore it from a backup")
        }
        (_, Some(26 | 11)) => "it is not a Peerline database, or it is damaged: restore it from a backup, or move \
                               it aside to start with an empty one"
            .to_owned(),
        (_, Some(14)) if exists => "it cannot be opened for writing: give the user running Peerline write access \
                                    to the file and its directory (SQLite keeps -wal and -shm files beside it)"
            .to_owned(),
        (_, Some(14)) => {
            "it cannot be created: check that its directory exists and that Peerline may write there".to_owned()
        }
        (StoreError::Db(sqlx::Error::Io(io)), _)
            if matches!(
                io.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            READ_ONLY.to_owned()
        }
        (StoreError::Db(sqlx::Error::Io(io)), _) if io.kind() == std::io::ErrorKind::NotFound => {
            "its directory does not exist: create it, or set database.url to a file in one that does".to_owned()
        }
        _ => match e.unavailable() {
            Some(Unavailable::Full) => "the disk holding it is full: free some space, then start again".to_owned(),
            Some(Unavailable::Locked) => "another program holds its lock (a sqlite3 shell, a backup, or a second \
                                          Peerline on the same file): close that program, then start again"
                .to_owned(),
            Some(Unavailable::ReadOnly) => READ_ONLY.to_owned(),
            Some(Unavailable::Io) => format!("the storage reports an error ({e}): check the disk, then start again"),
            None => return e,
        },
    };
    StoreError::Open { file, problem }
}

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// A storage failure, noted in `health` (which ignores failures that are not the storage's).
fn noted(health: &health::WriteHealth, e: sqlx::Error) -> StoreError {
    let e = StoreError::from(e);
    health.failed(&e);
    e
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
