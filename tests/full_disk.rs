//! A full disk or a lock held elsewhere never stops Peerline for good. The real binary, signed
//! Twilio webhooks in, the Twilio fake out: webhooks not stored are answered 503 with
//! `Retry-After` (never 2xx), `/healthz` says why, and intake and delivery resume by themselves
//! once the cause goes away. The full disk is a real 8 MiB tmpfs, mounted when the tests run as
//! root (as CI does); without root those tests say they were skipped, and the store's own test
//! (`core/tests/store_outage.rs`) covers the same path with SQLite's page cap.

mod support;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use sqlx::{Connection, SqliteConnection};
use support::{
    App, Home, eventually,
    fake_twilio::{AUTH_TOKEN, FakeTwilio, PUBLIC_URL, inbound_sms},
};

const WAIT: Duration = Duration::from_secs(20);
const SOL: &str = "+447700900901";
const JO: &str = "+447700900303";

/// A tmpfs mounted over a directory for one test; unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// `None` (and a line saying so) when this process may not mount: not root, or no
    /// `CAP_SYS_ADMIN` in this container.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs here (not root?); core/tests/store_outage.rs covers the store");
            return None;
        }
        Some(Tmpfs { dir: dir.to_owned() })
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .status()
            .expect("mount");
        assert!(status.success(), "remount read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// A signed inbound SMS; returns the status and any `Retry-After`.
async fn text_in(client: &reqwest::Client, app: &App, sid: &str, from: &str, body: &str) -> (u16, Option<String>) {
    let path = "/webhooks/twilio/sms";
    let params = inbound_sms(sid, from, body);
    let sig = peerline_bot::sms::twilio::signature::compute(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), &params);
    let response = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(&params).expect("form"))
        .send()
        .await
        .expect("post webhook");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), retry_after)
}

async fn health(client: &reqwest::Client, app: &App) -> (u16, String) {
    let r = client.get(app.url("/healthz")).send().await.expect("healthz");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Camden with coordinator Sol and mentee Jo on SMS, both joined.
async fn camden(home: &Home, extra: &[(&'static str, &str)]) -> (FakeTwilio, App) {
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let sol = home.invite("Camden", "coordinator", "Sol", &[]);
    let jo = home.invite("Camden", "mentee", "Jo", &[]);
    let twilio = FakeTwilio::start().await;
    let mut env = twilio.env();
    env.push(("PEERLINE_SCHEDULER__TICK_SECS", "1".into()));
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let app = App::spawn(home, &env);
    let client = reqwest::Client::new();
    assert_eq!(
        text_in(&client, &app, "SMjoin1", SOL, &format!("JOIN {sol}")).await.0,
        200
    );
    assert_eq!(
        text_in(&client, &app, "SMjoin2", JO, &format!("JOIN {jo}")).await.0,
        200
    );
    eventually(WAIT, "welcomes", || async {
        !twilio.delivered_to(SOL).is_empty() && !twilio.delivered_to(JO).is_empty()
    })
    .await;
    (twilio, app)
}

async fn stored(home: &Home, sids: &[String]) -> usize {
    let mut conn = SqliteConnection::connect(&home.db_url()).await.expect("open db");
    let mut n = 0;
    for sid in sids {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inbox WHERE provider_key = ?")
            .bind(format!("twilio:{sid}"))
            .fetch_optional(&mut conn)
            .await
            .expect("query");
        n += usize::from(found.is_some());
    }
    n
}

fn log_count(app: &App, needle: &str) -> usize {
    app.logs().iter().filter(|l| l.contains(needle)).count()
}

/// Fill the file system holding `dir` to within `leave` bytes of full; returns the filler.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    let mut written: u64 = 0;
    while f.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    let _ = f.flush();
    f.set_len(written.saturating_sub(leave)).expect("truncate filler");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_fills_mid_burst_answers_503_and_everything_resumes_when_space_is_freed() {
    let home = Home::new();
    let Some(_fs) = Tmpfs::mount(home.path(), "8m") else {
        return;
    };
    let (twilio, app) = camden(&home, &[("PEERLINE_DATABASE__MIN_FREE_MIB", "1")]).await;
    let client = reqwest::Client::new();
    let filler = fill(home.path(), 1024 * 1024);

    // The burst: Jo writes and writes until the disk is full and then some.
    let body = "Had a rough day at the hostel, the kettle is broken again and the bus was late. ".repeat(6);
    let (mut acked, mut refused) = (Vec::new(), 0usize);
    for n in 0..3000 {
        let sid = format!("SMburst{n:05}");
        let (status, retry_after) = text_in(&client, &app, &sid, JO, &body).await;
        match status {
            200 => acked.push(sid),
            503 => {
                assert_eq!(retry_after.as_deref(), Some("5"), "503 for {sid} says when to retry");
                refused += 1;
            }
            other => panic!("{sid} answered {other}: neither stored (200) nor retry later (503)"),
        }
        if refused >= 50 {
            break;
        }
    }
    assert!(
        refused >= 50,
        "the disk filled: {} accepted, {refused} refused",
        acked.len()
    );
    assert!(
        acked.len() > 10,
        "some were accepted before it filled: {} accepted, {refused} refused",
        acked.len()
    );
    eventually(WAIT, "healthz to say the database takes no writes", || async {
        let (status, body) = health(&client, &app).await;
        status == 503 && body.contains("not writable") && body.contains("disk")
    })
    .await;

    // The operator frees space.
    std::fs::remove_file(&filler).expect("free space");
    let freed = Instant::now();
    let mut n = 0;
    let first_accepted = loop {
        let (status, _) = text_in(&client, &app, &format!("SMafter{n:04}"), JO, "HELP").await;
        if status == 200 {
            acked.push(format!("SMafter{n:04}"));
            break freed.elapsed();
        }
        assert!(
            freed.elapsed() < WAIT,
            "no message accepted {WAIT:?} after space was freed"
        );
        n += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    println!(
        "accepted {} and refused {refused} with 503 while full; first message accepted {first_accepted:?} after space was freed",
        acked.len() - 1
    );
    eventually(WAIT, "healthz to be ok again", || async {
        health(&client, &app).await.0 == 200
    })
    .await;
    let back = freed.elapsed();
    println!("/healthz ok {back:?} after space was freed");

    // Delivery resumed by itself: the answer to HELP reaches Jo.
    let before = twilio.delivered_to(JO).len();
    assert_eq!(text_in(&client, &app, "SMhelp2", JO, "HELP").await.0, 200);
    acked.push("SMhelp2".into());
    eventually(WAIT, "a reply to Jo after recovery", || async {
        twilio.delivered_to(JO).len() > before
    })
    .await;

    // Every 2xx was stored; the outage was logged once, not once per refusal.
    assert_eq!(
        stored(&home, &acked).await,
        acked.len(),
        "every acknowledged message is stored"
    );
    let outages = log_count(&app, "database stopped taking writes");
    println!("{outages} outage log line(s) for {refused} refusals");
    assert!((1..=3).contains(&outages), "{outages} outage lines");
    assert!(log_count(&app, "database takes writes again") >= 1);
    assert_eq!(
        log_count(&app, "could not store Twilio message"),
        0,
        "no error line per refusal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_by_an_operators_shell_gets_503s_then_writes_resume_when_it_is_released() {
    let home = Home::new();
    let (twilio, app) = camden(&home, &[("PEERLINE_DATABASE__BUSY_TIMEOUT_MS", "300")]).await;
    let client = reqwest::Client::new();

    // `sqlite3 peerline.db` then `BEGIN IMMEDIATE;`, left open over lunch.
    let mut shell = SqliteConnection::connect(&home.db_url()).await.expect("shell");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut shell).await.expect("lock");
    let (status, retry_after) = text_in(&client, &app, "SMlocked1", JO, "HELP").await;
    assert_eq!(
        (status, retry_after.as_deref()),
        (503, Some("5")),
        "not stored while locked"
    );
    let (status, body) = health(&client, &app).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("another program holds the database's write lock"),
        "{body}"
    );
    // Longer than the busy timeout, several times over.
    for n in 2..5 {
        assert_eq!(text_in(&client, &app, &format!("SMlocked{n}"), JO, "HELP").await.0, 503);
    }

    sqlx::query("ROLLBACK").execute(&mut shell).await.expect("release");
    let released = Instant::now();
    // Twilio retries the first refused message: now it is stored and answered.
    let before = twilio.delivered_to(JO).len();
    assert_eq!(text_in(&client, &app, "SMlocked1", JO, "HELP").await.0, 200);
    println!(
        "first message accepted {:?} after the lock was released",
        released.elapsed()
    );
    eventually(WAIT, "healthz ok", || async { health(&client, &app).await.0 == 200 }).await;
    eventually(WAIT, "the reply to the retried message", || async {
        twilio.delivered_to(JO).len() > before
    })
    .await;
    assert_eq!(stored(&home, &["SMlocked1".to_owned()]).await, 1);
    assert_eq!(
        stored(&home, &["SMlocked2".to_owned()]).await,
        0,
        "a 503 stored nothing"
    );
}

#[test]
fn serve_on_a_read_only_database_stops_with_one_line_naming_the_file() {
    let home = Home::new();
    let Some(fs) = Tmpfs::mount(home.path(), "4m") else {
        return;
    };
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    fs.remount_read_only();
    let out = home.cli(&["serve"], &[("PEERLINE_HTTP__LISTEN", "127.0.0.1:0")]);
    assert!(!out.status.success(), "serve must not start on a read-only database");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: cannot open the database"), "{stderr}");
    assert!(
        last.contains(&home.db_path().display().to_string()),
        "names the file: {last}"
    );
    assert!(
        last.contains("write access") || last.contains("may write"),
        "says what to do: {last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_resumes_within_seconds_of_a_lock_being_released_not_at_its_next_tick() {
    use peerline_core::domain::{ChannelKind, Role};
    use std::sync::Arc;
    use support::world::World;

    // Monday 2 November 2026, just after the 10:00 check-in was due.
    let w = World::new("2026-11-02T10:05:00Z").await;
    w.enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    let opts = peerline_core::store::StoreOptions {
        busy_timeout: Duration::from_millis(100),
    };
    let store = peerline_core::store::Store::open_with(&w.db_url(), &opts)
        .await
        .unwrap();
    let mut shell = SqliteConnection::connect(&w.db_url()).await.expect("shell");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut shell).await.expect("lock");

    let shutdown = tokio_util::sync::CancellationToken::new();
    let scheduler = peerline_scheduler::Scheduler::new(
        store.clone(),
        Arc::clone(&w.i18n),
        Arc::new(w.clock.clone()),
        peerline_core::signal::OutboxSignal::new(),
        chrono::Duration::hours(6),
    );
    // Ticks a minute apart: without backing off to seconds after a failed tick, the check-in
    // would wait a minute.
    let task = tokio::spawn(scheduler.run(Duration::from_secs(60), shutdown.clone()));
    eventually(WAIT, "the scheduler to meet the lock", || async {
        matches!(store.last_write(), peerline_core::store::Writable::No { .. })
    })
    .await;
    assert!(w.bodies_to("101").await.is_empty(), "nothing queued while locked");

    sqlx::query("ROLLBACK").execute(&mut shell).await.expect("release");
    let released = Instant::now();
    eventually(Duration::from_secs(10), "the check-in to be queued", || async {
        !w.bodies_to("101").await.is_empty()
    })
    .await;
    println!("check-in queued {:?} after the lock was released", released.elapsed());
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_disk_is_reported_before_writes_fail_and_peerline_keeps_serving() {
    let home = Home::new();
    // More free space asked for than any test machine has: "low" from the start.
    let (_twilio, app) = camden(&home, &[("PEERLINE_DATABASE__MIN_FREE_MIB", "1000000000")]).await;
    let client = reqwest::Client::new();
    app.wait_for_log("low disk where the database lives", WAIT).await;
    let r = client
        .get(app.url("/healthz/storage"))
        .send()
        .await
        .expect("storage health");
    assert_eq!(r.status().as_u16(), 503);
    let body = r.text().await.unwrap_or_default();
    assert!(
        body.contains("degraded") && body.contains("database.min_free_mib = 1000000000"),
        "{body}"
    );
    // Still serving and storing: /healthz stays ok and messages are accepted.
    assert_eq!(health(&client, &app).await.0, 200);
    assert_eq!(text_in(&client, &app, "SMlow1", JO, "HELP").await.0, 200);
    assert_eq!(log_count(&app, "low disk where the database lives"), 1, "warned once");
}
