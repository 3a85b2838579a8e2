//! Whole-app test harness: spawn the real `peerline` binary on a random port in a temporary
//! directory, run its CLI against the same database, and stop it on drop.
#![allow(dead_code)]

pub mod fake_telegram;
pub mod fake_twilio;
pub mod gate;
pub mod kannel;
pub mod prism;
pub mod world;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use peerline_core::store::Store;

pub const BIN: &str = env!("CARGO_BIN_EXE_peerline");

/// A temporary home for one test: its database and config live here.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("peerline.db")
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.db_path().display())
    }

    /// Run a CLI command in this home with `env`; returns its output.
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run peerline")
    }

    /// Run a CLI command that must succeed; returns stdout.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args, &[]);
        assert!(
            out.status.success(),
            "peerline {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Create a service and invite someone; returns the code.
    pub fn invite(&self, service: &str, role: &str, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["invite", "--service", service, "--role", role, "--name", name];
        args.extend_from_slice(extra);
        let out = self.cli_ok(&args);
        code_from(&out)
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.db_url()).await.expect("open test store")
    }
}

/// The code printed by `peerline invite`.
pub fn code_from(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("code:"))
        .map(|c| c.trim().to_owned())
        .unwrap_or_else(|| panic!("no code in: {output}"))
}

/// A running `peerline serve`.
pub struct App {
    pub child: Child,
    pub port: u16,
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl App {
    /// Start `peerline serve` in `home` with extra environment, and wait until it listens.
    pub fn spawn(home: &Home, env: &[(&str, String)]) -> App {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .current_dir(home.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PEERLINE_HTTP__LISTEN", "127.0.0.1:0")
            .env("PEERLINE_LOG", "info,peerline_bot=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn peerline serve");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = line.split("addr=127.0.0.1:").nth(1)
                    && let Some(t) = tx.take()
                {
                    let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
                    let _ = t.send(digits.parse::<u16>().unwrap_or(0));
                }
                sink.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(line);
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "peerline serve did not start; logs: {:#?}",
                    logs.lock().map(|l| l.clone()).unwrap_or_default()
                );
            }
        };
        App { child, port, logs }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Wait until a log line contains `needle`.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.logs().iter().any(|l| l.contains(needle)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no log line with {needle:?}; logs: {:#?}", self.logs());
    }

    fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status();
    }

    /// SIGTERM, then wait for exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        false
    }

    /// kill -9: no chance to clean up.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Environment that points the app at a fake Telegram.
pub fn telegram_env(fake: &fake_telegram::FakeTelegram) -> Vec<(&'static str, String)> {
    vec![
        ("PEERLINE_TELEGRAM__TOKEN", fake_telegram::TOKEN.to_owned()),
        ("PEERLINE_TELEGRAM__API_URL", fake.url.clone()),
        ("PEERLINE_TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
        ("PEERLINE_DELIVERY__IDLE_POLL_MS", "50".to_owned()),
        ("PEERLINE_DELIVERY__BACKOFF_BASE_MS", "100".to_owned()),
    ]
}

/// Poll `check` until it holds, or panic after `timeout` naming `what`.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until `count` inbound messages are stored and every one is handled. An inbound
/// message's replies are committed in the same transaction that marks it handled, so this is
/// the event a "nothing (else) was sent" check must follow: from here, the outbox holds
/// every reply the messages will ever get.
pub async fn handled(store: &Store, count: usize) {
    eventually(
        Duration::from_secs(30),
        &format!("{count} inbound message(s) to be handled"),
        || async {
            let rows = store.inbox_rows(100_000).await.unwrap_or_default();
            rows.len() >= count && rows.iter().all(|r| r.handled_at.is_some())
        },
    )
    .await;
}

/// How many messages Peerline has queued (whatever became of them) to `address`.
pub async fn queued_to(store: &Store, address: &str) -> usize {
    let rows = store.outbox_rows(None).await.unwrap_or_default();
    rows.iter().filter(|r| r.address == address).count()
}

/// POST a form to the app's Twilio webhook `path`, signed as Twilio would sign it for
/// `public_url` with `auth_token`. Returns the status code.
pub async fn signed_twilio_post(
    app: &App,
    public_url: &str,
    path: &str,
    auth_token: &str,
    params: &[(String, String)],
) -> u16 {
    let sig = peerline_bot::sms::twilio::signature::compute(auth_token, &format!("{public_url}{path}"), params);
    reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(params).expect("form"))
        .send()
        .await
        .expect("post webhook")
        .status()
        .as_u16()
}

/// An outbound message as tests queue them: due at once, no person, identity or buttons.
pub fn message(
    channel: peerline_core::domain::ChannelKind,
    address: &str,
    priority: peerline_core::store::Priority,
    body: &str,
) -> peerline_core::store::NewOutbound {
    peerline_core::store::NewOutbound {
        person_id: None,
        identity_id: None,
        channel,
        address: address.into(),
        priority,
        kind: "test".into(),
        body: body.into(),
        buttons: None,
        ignore_opt_out: false,
        not_before: 0,
    }
}
