//! The store through a full disk, a lock held by another program, and files it cannot use:
//! every write it acknowledged is kept, it says why writes fail, and it takes writes again by
//! itself once the cause is gone. The "disk" is SQLite's page cap (`Store::cap_pages`), the
//! same `SQLITE_FULL` path a full file system takes, so this runs without root; the whole
//! binary on a real, tiny file system is in the workspace's `tests/full_disk.rs`.

use std::time::{Duration, Instant};

use peerline_core::{
    domain::ChannelKind,
    store::{NewOutbound, Priority, Store, StoreError, StoreOptions, Unavailable, Writable},
};
use sqlx::{Connection, SqliteConnection};

const T0: i64 = 1_790_000_000_000;

fn url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("outage.db").display())
}

fn outbound(n: usize) -> NewOutbound {
    NewOutbound {
        person_id: None,
        identity_id: None,
        channel: ChannelKind::Sms,
        address: format!("+4477009{n:05}"),
        priority: Priority::Reply,
        kind: "test".into(),
        // About a page of text per message, so the cap is reached in a few dozen.
        body: format!("message {n} ").repeat(300),
        buttons: None,
        ignore_opt_out: false,
        not_before: 0,
    }
}

/// One message in its own transaction, as a webhook stores one.
async fn accept(store: &Store, n: usize) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.enqueue(&outbound(n), T0).await?;
    tx.commit().await
}

async fn queued(store: &Store) -> i64 {
    store.queue_stats().await.unwrap().iter().map(|s| s.queued).sum()
}

#[tokio::test]
async fn a_full_disk_refuses_writes_plainly_and_the_next_write_after_space_returns_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&url(&dir)).await.unwrap();
    // The "disk" is exactly as big as the database is now.
    store.cap_pages(1).await.unwrap();

    let mut acked = 0usize;
    let mut refusals = Vec::new();
    for n in 0..400 {
        match accept(&store, n).await {
            Ok(()) => acked += 1,
            Err(e) => {
                store.note_write_error(&e);
                refusals.push(e);
            }
        }
    }
    assert!(refusals.len() > 300, "the cap was reached: {acked} accepted");
    // Every refusal, not only the first, says the disk is full: no connection is left
    // stuck inside a failed transaction ("non-zero transaction depth").
    for e in &refusals {
        assert_eq!(e.unavailable(), Some(Unavailable::Full), "{e}");
    }
    assert!(matches!(
        store.writable().await,
        Writable::No {
            why: Unavailable::Full,
            ..
        }
    ));
    // Reads go on.
    assert_eq!(queued(&store).await, acked as i64);

    // Space is freed: the very next write is accepted.
    store.cap_pages(u32::MAX).await.unwrap();
    accept(&store, 10_000).await.expect("accepted once space is back");
    tokio::time::sleep(Duration::from_millis(1100)).await; // the probe is rate-limited to 1/s
    assert_eq!(store.writable().await, Writable::Yes);
    assert_eq!(
        queued(&store).await,
        acked as i64 + 1,
        "every acknowledged message is kept"
    );
}

#[tokio::test]
async fn a_lock_held_by_another_program_fails_writes_after_the_busy_timeout_and_they_resume_when_it_goes() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions {
        busy_timeout: Duration::from_millis(200),
    };
    let store = Store::open_with(&url(&dir), &opts).await.unwrap();
    accept(&store, 0).await.unwrap();

    // An operator's sqlite3 shell inside a transaction.
    let mut shell = SqliteConnection::connect(&url(&dir)).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut shell).await.unwrap();

    let started = Instant::now();
    let e = accept(&store, 1).await.expect_err("the lock is held");
    assert_eq!(e.unavailable(), Some(Unavailable::Locked), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "waited {:?}",
        started.elapsed()
    );
    assert!(matches!(
        store.writable().await,
        Writable::No {
            why: Unavailable::Locked,
            ..
        }
    ));
    // Reads go on beside the lock (WAL).
    assert_eq!(queued(&store).await, 1);

    sqlx::query("COMMIT").execute(&mut shell).await.unwrap();
    let released = Instant::now();
    accept(&store, 2).await.expect("accepted once the lock is released");
    println!(
        "first write accepted {:?} after the lock was released",
        released.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(store.writable().await, Writable::Yes);
    assert_eq!(queued(&store).await, 2);
}

fn open_problem(e: StoreError) -> (String, String) {
    match e {
        StoreError::Open { file, problem } => (file, problem),
        other => panic!("not an open error: {other}"),
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_naming_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outage.db");
    std::fs::write(&path, "name,phone\nSam,+447700900123\n".repeat(200)).unwrap();
    let e = Store::open(&url(&dir)).await.map(|_| ()).expect_err("not a database");
    let line = e.to_string();
    let (file, problem) = open_problem(e);
    assert_eq!(file, path.display().to_string());
    assert!(problem.contains("restore it from a backup"), "{line}");
    assert!(!line.contains('\n'), "one line: {line}");
}

#[tokio::test]
async fn a_database_from_a_newer_peerline_is_refused_rather_than_guessed_at() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&url(&dir)).await.unwrap();
    store.close().await;
    let mut conn = SqliteConnection::connect(&url(&dir)).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000000, 'from the future', 1, x'00', 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let e = Store::open(&url(&dir)).await.map(|_| ()).expect_err("newer");
    let line = e.to_string();
    let (_, problem) = open_problem(e);
    assert!(problem.contains("newer version of Peerline"), "{line}");
    assert!(problem.contains("29991231000000"), "{line}");
}

#[tokio::test]
async fn a_database_locked_while_it_needs_migrating_is_refused_naming_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    // A database that exists but has not been migrated, held by another program.
    let mut shell = SqliteConnection::connect(&format!("{}?mode=rwc", url(&dir)))
        .await
        .unwrap();
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut shell)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE operator_notes (x)")
        .execute(&mut shell)
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut shell).await.unwrap();
    let opts = StoreOptions {
        busy_timeout: Duration::from_millis(200),
    };
    let e = Store::open_with(&url(&dir), &opts)
        .await
        .map(|_| ())
        .expect_err("locked");
    let line = e.to_string();
    let (_, problem) = open_problem(e);
    assert!(problem.contains("another program holds its lock"), "{line}");
    sqlx::query("ROLLBACK").execute(&mut shell).await.unwrap();
    Store::open_with(&url(&dir), &opts)
        .await
        .expect("opens once the lock is gone");
}
