//! One `peerline serve` per SQLite database. Two on one file (systemd's, and one started by
//! hand) would both poll Telegram (which answers the second with 409) and each apply the
//! providers' rate limits on its own, so together they could exceed them twice over. The
//! first holds an exclusive lock on `<database>.lock` for its lifetime, with its pid and
//! address written inside; the second reads them and refuses to start, naming the first. The
//! operating system releases the lock when the process ends, however it ends, so a crash
//! leaves nothing stale to clean up. CLI commands take no lock: they are meant to run beside
//! `serve`.

use std::{
    fs::{File, OpenOptions, TryLockError},
    io::{Read, Seek, Write},
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};

/// Held for as long as this process serves the database.
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// Take the lock beside `database`, or fail naming the instance that holds it.
    pub fn acquire(database: &Path) -> anyhow::Result<InstanceLock> {
        let database = std::path::absolute(database).unwrap_or_else(|_| database.to_owned());
        let mut name = database.clone().into_os_string();
        name.push(".lock");
        let path = PathBuf::from(name);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| format!("cannot create the instance lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(InstanceLock { file, path }),
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "starting up" } else { holder };
                bail!(
                    "another peerline serve ({holder}) is already serving {}; stop it first, or give this one \
                     its own database (the lock is {})",
                    database.display(),
                    path.display()
                )
            }
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock the instance lock {}", path.display()))
            }
        }
    }

    /// Write who holds the lock, for the message a second instance prints.
    pub fn record(&mut self, addr: SocketAddr) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        writeln!(
            self.file,
            "pid {}, listening on {addr}, since {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        )?;
        self.file.flush()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_database_is_refused_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("peerline.db");
        let mut first = InstanceLock::acquire(&db).unwrap();
        first.record("127.0.0.1:8080".parse().unwrap()).unwrap();
        let e = InstanceLock::acquire(&db).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        assert!(e.contains("127.0.0.1:8080"), "{e}");
        assert!(e.contains(&db.display().to_string()), "{e}");
        drop(first);
        InstanceLock::acquire(&db).expect("free once the first is gone");
    }
}
