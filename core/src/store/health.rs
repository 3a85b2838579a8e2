//! Whether the database takes writes right now, and why not.
//!
//! A full disk, an operator's `sqlite3` shell holding a write lock or a file made read-only
//! stops writes while reads go on, so "the database answers" is not health. Every write
//! transaction reports its outcome here; the state changes are logged once each (not once per
//! failed webhook) and exported as `peerline_database_writable`, and `/healthz` reads the state,
//! probing with a write that needs fresh space (as a stored message does) when the last word is
//! stale or bad. Only that probe ends an outage: a commit that changed nothing succeeds on a
//! full disk too.

use std::{
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use super::StoreError;

/// Why writes fail, in words for an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// `SQLITE_FULL`: no space left where the database lives (or its size cap).
    Full,
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`, or the writer was not free in time: another program
    /// holds the write lock.
    Locked,
    /// `SQLITE_READONLY`: the file or its file system does not take writes.
    ReadOnly,
    /// `SQLITE_IOERR`/`SQLITE_CANTOPEN` or an I/O error: the storage itself fails.
    Io,
}

impl Unavailable {
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::Full => "disk_full",
            Unavailable::Locked => "locked",
            Unavailable::ReadOnly => "read_only",
            Unavailable::Io => "io_error",
        }
    }

    /// What an operator reads in the health answer and the log.
    pub fn describe(self) -> &'static str {
        match self {
            Unavailable::Full => "the disk holding the database is full",
            Unavailable::Locked => "another program holds the database's write lock",
            Unavailable::ReadOnly => "the database file or its file system is read-only",
            Unavailable::Io => "the storage under the database reports I/O errors",
        }
    }

    /// The SQLite primary result code (the low byte of an extended code) as a cause.
    pub(crate) fn from_sqlite_code(code: i32) -> Option<Unavailable> {
        match code & 0xff {
            13 => Some(Unavailable::Full),
            5 | 6 => Some(Unavailable::Locked),
            8 => Some(Unavailable::ReadOnly),
            10 | 14 => Some(Unavailable::Io),
            _ => None,
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

impl StoreError {
    /// `Some` when this failure is the storage's, not the request's: it will pass by itself
    /// or by an operator's hand, so the caller should answer "retry later" (a webhook's 503)
    /// and back off, rather than treat it as a bug.
    pub fn unavailable(&self) -> Option<Unavailable> {
        match self {
            StoreError::Db(e) => classify(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => classify(e),
            _ => None,
        }
    }
}

/// The SQLite primary result code of a database error (the low byte of the extended code).
pub(crate) fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    match e {
        sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff),
        _ => None,
    }
}

pub(crate) fn classify(e: &sqlx::Error) -> Option<Unavailable> {
    match e {
        sqlx::Error::Database(_) => sqlite_code(e).and_then(Unavailable::from_sqlite_code),
        // The single writer connection was not free within the acquire timeout: something
        // holds it (a transaction waiting out a lock held elsewhere).
        sqlx::Error::PoolTimedOut => Some(Unavailable::Locked),
        sqlx::Error::Io(_) => Some(Unavailable::Io),
        _ => None,
    }
}

/// The writable state as the health check reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writable {
    Yes,
    /// Failing for `for_secs` seconds, for `why`.
    No {
        why: Unavailable,
        for_secs: u64,
    },
}

/// Shared by every clone of a [`Store`](super::Store).
#[derive(Debug)]
pub(crate) struct WriteHealth {
    state: Mutex<State>,
    /// Only one probe at a time; the others read the state it leaves.
    probing: tokio::sync::Mutex<()>,
    /// Where free space is measured, `None` in memory.
    dir: Option<PathBuf>,
}

#[derive(Debug, Default)]
struct State {
    failing: Option<(Unavailable, Instant)>,
    last_ok: Option<Instant>,
    last_probe: Option<Instant>,
}

/// A write that worked this recently needs no probe.
const FRESH: Duration = Duration::from_secs(10);
/// While failing, probe at most this often.
const PROBE_EVERY: Duration = Duration::from_secs(1);

impl WriteHealth {
    pub(crate) fn new(file: Option<&Path>) -> WriteHealth {
        metrics::gauge!("peerline_database_writable").set(1.0);
        let dir = file.map(|f| match f.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        });
        WriteHealth {
            state: Mutex::new(State::default()),
            probing: tokio::sync::Mutex::new(()),
            dir,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A write transaction committed. While failing this proves nothing (a commit that
    /// changed no row writes nothing: the delivery worker's idle claims succeed on a full
    /// disk), so only [`WriteHealth::probe_succeeded`] ends an outage.
    pub(crate) fn succeeded(&self) {
        let mut s = self.lock();
        if s.failing.is_none() {
            s.last_ok = Some(Instant::now());
        }
    }

    /// The probe write, which needs fresh space as a real message does, committed.
    pub(crate) fn probe_succeeded(&self) {
        let mut s = self.lock();
        s.last_ok = Some(Instant::now());
        if let Some((why, since)) = s.failing.take() {
            metrics::gauge!("peerline_database_writable").set(1.0);
            tracing::warn!(
                after_secs = since.elapsed().as_secs(),
                was = why.as_str(),
                "database takes writes again"
            );
        }
    }

    /// A write failed with `e`; only failures of the storage change the state.
    pub(crate) fn failed(&self, e: &StoreError) {
        let Some(why) = e.unavailable() else { return };
        let mut s = self.lock();
        match s.failing {
            Some((was, _)) if was == why => {}
            Some((_, since)) => s.failing = Some((why, since)),
            None => {
                s.failing = Some((why, Instant::now()));
                metrics::gauge!("peerline_database_writable").set(0.0);
                metrics::counter!("peerline_database_unwritable_total", "why" => why.as_str()).increment(1);
                tracing::error!(
                    why = why.as_str(),
                    error = %e,
                    "database stopped taking writes: {why}; webhooks answer 503 until it recovers"
                );
            }
        }
    }

    pub(crate) fn state(&self) -> Writable {
        match self.lock().failing {
            None => Writable::Yes,
            Some((why, since)) => Writable::No {
                why,
                for_secs: since.elapsed().as_secs(),
            },
        }
    }

    /// Whether a probe write is worth making now: the state is bad, or no write has
    /// succeeded lately. Rate-limited, and claims the probe slot when it says yes.
    pub(crate) fn probe_due(&self) -> bool {
        let mut s = self.lock();
        let now = Instant::now();
        let stale = s.failing.is_some() || s.last_ok.is_none_or(|t| now.duration_since(t) > FRESH);
        let recent = s.last_probe.is_some_and(|t| now.duration_since(t) < PROBE_EVERY);
        if stale && !recent {
            s.last_probe = Some(now);
            true
        } else {
            false
        }
    }

    pub(crate) fn probing(&self) -> &tokio::sync::Mutex<()> {
        &self.probing
    }

    /// Bytes free to an unprivileged writer where the database lives (`None` in memory or
    /// when the file system will not say).
    pub(crate) fn free_bytes(&self) -> Option<u64> {
        free_bytes(self.dir.as_deref()?)
    }
}

#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    let st = rustix::fs::statvfs(dir).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_name_their_cause() {
        assert_eq!(Unavailable::from_sqlite_code(13), Some(Unavailable::Full));
        assert_eq!(Unavailable::from_sqlite_code(5), Some(Unavailable::Locked));
        // SQLITE_BUSY_SNAPSHOT (517) and SQLITE_IOERR_WRITE (778) are extended codes.
        assert_eq!(Unavailable::from_sqlite_code(517), Some(Unavailable::Locked));
        assert_eq!(Unavailable::from_sqlite_code(778), Some(Unavailable::Io));
        assert_eq!(Unavailable::from_sqlite_code(8), Some(Unavailable::ReadOnly));
        // A constraint (19) or a syntax error (1) is the request's fault, not the storage's.
        assert_eq!(Unavailable::from_sqlite_code(19), None);
        assert_eq!(Unavailable::from_sqlite_code(2067), None);
        assert_eq!(Unavailable::from_sqlite_code(1), None);
    }

    #[test]
    fn one_state_change_per_outage() {
        let h = WriteHealth::new(None);
        assert_eq!(h.state(), Writable::Yes);
        assert!(h.probe_due(), "no write yet: probe");
        assert!(!h.probe_due(), "rate-limited");
        h.succeeded();
        let locked = StoreError::Db(sqlx::Error::PoolTimedOut);
        h.failed(&locked);
        assert!(matches!(
            h.state(),
            Writable::No {
                why: Unavailable::Locked,
                ..
            }
        ));
        h.failed(&StoreError::NotFound("x".into()));
        assert!(
            matches!(h.state(), Writable::No { .. }),
            "a request's error changes nothing"
        );
        h.succeeded();
        assert!(
            matches!(h.state(), Writable::No { .. }),
            "a commit may have written nothing: only the probe ends an outage"
        );
        h.probe_succeeded();
        assert_eq!(h.state(), Writable::Yes);
    }
}
