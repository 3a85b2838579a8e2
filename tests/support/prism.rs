//! Prism serving Twilio's OpenAPI spec for tests: a mock of Twilio's 2010-04-01 REST API on
//! 127.0.0.1 that rejects every request breaking the spec.
//!
//! Prism is Stoplight's OpenAPI mock server (npm `@stoplight/prism-cli`, pinned in
//! `tests/twilio/package-lock.json`; `scripts/test` installs it into `tests/twilio/node_modules`).
//! It runs with `--errors`, so a request that breaks the spec gets an error instead of the spec's
//! example response: `422` (a parameter missing, of the wrong type or format, or a bad SID in the
//! path), `415` (not `application/x-www-form-urlencoded`), `401` (no basic auth) or `404` (no such
//! path), each with an `application/problem+json` body. A valid Messages create gets `201` and the
//! spec's example Message (it does not echo what was sent). Prism does not catch parameters the
//! spec doesn't know, a missing `Body`/`From`, or a malformed phone number: the spec doesn't say.
//!
//! The spec is read from `PEERLINE_TWILIO_SPEC` (default `../shared/twilio/twilio_api_v2010.json`
//! beside the repository). When the spec or Prism is missing the Twilio contract tests are skipped
//! with a loud notice, except under `CI`, where they fail.

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// A syntactically valid test Account SID (`AC` + 32 hex digits, as the spec's path pattern requires).
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// A test auth token, shaped like Twilio's (32 hex digits). Prism only checks that basic auth is used.
pub const AUTH_TOKEN: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/// How long Prism may take to parse the spec (about 1.9 MB) and start listening.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// What Prism logs once it serves requests.
const LISTENING: &str = "Prism is listening on";

/// A running Prism mock of Twilio's REST API; killed on drop.
pub struct Prism {
    /// `http://127.0.0.1:PORT`, Twilio's `https://api.twilio.com` for the code under test.
    pub url: String,
    /// How long Prism took from spawn to listening.
    pub started_in: Duration,
    child: Child,
    log: Arc<Mutex<Log>>,
}

#[derive(Default)]
struct Log {
    lines: Vec<String>,
    listening: bool,
}

fn spec_path() -> PathBuf {
    std::env::var_os("PEERLINE_TWILIO_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/twilio/twilio_api_v2010.json"))
}

fn prism_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/twilio/node_modules/.bin/prism")
}

/// Skip (loudly), or under `CI` fail, because something the harness needs is missing.
fn unavailable(msg: &str) -> Option<Prism> {
    if std::env::var_os("CI").is_some() {
        panic!("Twilio contract tests cannot run under CI: {msg}");
    }
    eprintln!("\n!!!!!!!!!!\n!!! SKIPPING Twilio contract tests: {msg}\n!!!!!!!!!!\n");
    None
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port on 127.0.0.1")
        .port()
}

/// Copy each line of `stream` into `log`, noting when Prism says it is listening. Before then Prism
/// lists every route of the spec (hundreds of lines); those are left out.
fn pump(stream: impl Read + Send + 'static, log: Arc<Mutex<Log>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
            if line.contains(LISTENING) {
                log.listening = true;
            } else if !log.listening && line.contains("[CLI]") && line.contains(" info ") {
                continue;
            }
            log.lines.push(line);
        }
    });
}

impl Prism {
    /// Start `tests/twilio/node_modules/.bin/prism mock -h 127.0.0.1 -p <free port> --errors <spec>`
    /// and wait (at most 90 s) until it listens. `None` when the spec, Prism or Node.js is missing
    /// and `CI` is unset; under `CI` that panics. Panics when Prism is there but fails to start.
    pub async fn start() -> Option<Prism> {
        let spec = spec_path();
        if !spec.is_file() {
            return unavailable(&format!(
                "Twilio's OpenAPI spec not found at {}. Set PEERLINE_TWILIO_SPEC to a copy of \
                 twilio_api_v2010.json (MIT; spec/json/ in github.com/twilio/twilio-oai; shipped in the \
                 developers' shared/twilio/).",
                spec.display()
            ));
        }
        let prism = prism_path();
        let node = Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !prism.is_file() || !node.is_ok_and(|s| s.success()) {
            return unavailable(&format!(
                "Prism (npm @stoplight/prism-cli) not installed at {} or Node.js `node` not on PATH. \
                 Run scripts/test (installs it), or install Node.js and npm and run \
                 `npm ci --no-audit --no-fund` in tests/twilio.",
                prism.display()
            ));
        }
        // The free port may be taken before Prism binds it; then try another.
        for _ in 0..3 {
            let port = free_port();
            if let Some(prism) = Self::spawn(&prism, &spec, port).await {
                return Some(prism);
            }
        }
        panic!("Prism could not bind a free port on 127.0.0.1 in 3 attempts");
    }

    /// Spawn Prism on `port` and wait until it listens; `None` when it exited because the port was taken.
    async fn spawn(prism: &Path, spec: &Path, port: u16) -> Option<Prism> {
        let started = Instant::now();
        let mut child = Command::new(prism)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
            .arg(spec)
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", prism.display()));
        let log = Arc::new(Mutex::new(Log::default()));
        pump(child.stdout.take().expect("prism stdout"), Arc::clone(&log));
        pump(child.stderr.take().expect("prism stderr"), Arc::clone(&log));
        let mut prism = Prism {
            url: format!("http://127.0.0.1:{port}"),
            started_in: Duration::ZERO,
            child,
            log,
        };
        loop {
            if prism.log.lock().unwrap_or_else(PoisonError::into_inner).listening {
                prism.started_in = started.elapsed();
                eprintln!(
                    "Prism (Twilio mock) listening on {} after {:.1?}",
                    prism.url, prism.started_in
                );
                return Some(prism);
            }
            if let Ok(Some(status)) = prism.child.try_wait() {
                // Let the readers drain what Prism wrote before it exited.
                tokio::time::sleep(Duration::from_millis(100)).await;
                if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                    eprintln!("Prism could not bind 127.0.0.1:{port} (taken); trying another port");
                    return None;
                }
                panic!("Prism exited ({status}) before listening; its log:\n{}", prism.log());
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "Prism did not listen within {START_TIMEOUT:?}; its log:\n{}",
                    prism.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The lines Prism logged so far, without its start-up list of routes: each request, whether it
    /// passed validation, and every violation (`[VALIDATOR] ✖  error  ...`).
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).lines.join("\n")
    }

    /// Wait (at most `timeout`) until Prism has logged a line containing `needle`; whether it did.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self
                .log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .lines
                .iter()
                .any(|l| l.contains(needle))
            {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json`: where a Message is created.
    pub fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", self.url)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
