//! A real Kannel for whole-app tests: bearerbox, smsbox and fakesmsc (Debian `kannel` and
//! `kannel-extras`), all on 127.0.0.1, configured from `tests/kannel/kannel.conf.in`.
//!
//! ```ignore
//! let ports = KannelPorts::pick();
//! let get_url = format!("http://127.0.0.1:{app}/webhooks/kannel/mo?token=T&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C");
//! let Some(kannel) = Kannel::start(ports, &get_url).await else { return }; // not installed: skipped
//! kannel.inject_mo("+447700900123", "60001", "JOIN ABC123").await;        // a phone texts in
//! let mts = kannel.wait_for_mts(Some("+447700900123"), 1, Duration::from_secs(15)).await;
//! ```
//!
//! * [`Kannel::start`] returns `None` when Kannel is not installed and `CI` is unset (after a loud
//!   "SKIPPING Kannel tests" notice on stderr); under `CI` a missing Kannel panics. Any other
//!   start-up failure panics with the tail of Kannel's logs.
//! * Everything runs in a fresh temporary directory (rendered `kannel.conf`, logs); dropping the
//!   [`Kannel`] stops smsbox, the fakesmsc sink and bearerbox (TERM, then KILL after 5 s). Set
//!   `PEERLINE_KANNEL_KEEP=1` to keep the directory, and `PEERLINE_KANNEL_LOG_LEVEL` (0 debug ..
//!   4 panic, default 1) for more detail in `bearerbox.log` and `smsbox.log`.
//! * Binaries: `$KANNEL_BIN/{bearerbox,smsbox}` (default `/usr/sbin`) and `$FAKESMSC` (default
//!   `/usr/lib/kannel/test/fakesmsc`).
//! * Start takes about 0.2 s, and dropping (TERM to all three at once) about 0.15 s. Drop blocks
//!   its thread: if the get-url sink runs inside the test process, use a multi-threaded runtime
//!   so it keeps answering smsbox meanwhile.
//!
//! Kannel's MT links are the `fake` SMSC type: every MT is printed by the fakesmsc sink as one line
//! `FROM TO text|data|ucs-2 PAYLOAD`, or `FROM TO udh UDH data PAYLOAD` for each part of a
//! concatenated message. [`Kannel::mts`] decodes those back into whole messages (see [`Mt`]).

use std::{
    collections::HashMap,
    fs::{self, File},
    net::TcpListener,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

/// sendsms-user credentials.
pub const USER: &str = "peerline";
pub const PASS: &str = "sendsms-test-password";
/// Password of bearerbox's admin and status pages.
pub const ADMIN_PASS: &str = "admin-test-password";
/// smsc-id of the link every MT goes to (the fakesmsc sink).
pub const MT_LINK: &str = "fake-mt";
/// smsc-id of the link MOs are injected through.
pub const MO_LINK: &str = "fake-mo";

const TEMPLATE: &str = include_str!("../kannel/kannel.conf.in");
const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);
const MT_LOG: &str = "fakesmsc-mt.log";

pub fn bearerbox_path() -> PathBuf {
    kannel_bin_dir().join("bearerbox")
}

pub fn smsbox_path() -> PathBuf {
    kannel_bin_dir().join("smsbox")
}

pub fn fakesmsc_path() -> PathBuf {
    std::env::var_os("FAKESMSC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/kannel/test/fakesmsc"))
}

fn kannel_bin_dir() -> PathBuf {
    std::env::var_os("KANNEL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin"))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Loopback ports for one Kannel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KannelPorts {
    /// bearerbox admin and status pages.
    pub admin: u16,
    /// bearerbox's port for smsbox.
    pub smsbox: u16,
    /// bearerbox listens here for the fakesmsc MT sink.
    pub fake_mt: u16,
    /// bearerbox listens here for fakesmsc MO injections.
    pub fake_mo: u16,
    /// smsbox's sendsms HTTP interface.
    pub sendsms: u16,
}

/// A listener on a free loopback port in 20000-32767, tried in a pseudo-random order.
pub fn bind_low_port() -> TcpListener {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
        ^ std::process::id().rotate_left(16);
    let mut x = u64::from(seed) | 1;
    for _ in 0..500 {
        // xorshift: cheap, and different per process and moment.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let port = 20_000 + (x % 12_768) as u16;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            return l;
        }
    }
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0")
}

impl KannelPorts {
    /// Five distinct free ports (all bound at once, read, then released). They come from below
    /// Linux's ephemeral range (32768-60999), so an outgoing connection made between picking
    /// and Kannel binding cannot take one as its source port.
    pub fn pick() -> Self {
        let listeners: Vec<TcpListener> = (0..5).map(|_| bind_low_port()).collect();
        let port = |i: usize| listeners[i].local_addr().expect("local addr").port();
        KannelPorts {
            admin: port(0),
            smsbox: port(1),
            fake_mt: port(2),
            fake_mo: port(3),
            sendsms: port(4),
        }
    }

    pub fn sendsms_url(&self) -> String {
        format!("http://127.0.0.1:{}/cgi-bin/sendsms", self.sendsms)
    }

    /// bearerbox's plain-text status page.
    pub fn status_url(&self) -> String {
        format!("http://127.0.0.1:{}/status.txt?password={ADMIN_PASS}", self.admin)
    }
}

/// One MT as the fake SMSC received it, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mt {
    pub from: String,
    pub to: String,
    /// `"text"` (GSM 7-bit), `"ucs-2"` or `"data"` (8-bit).
    pub coding: String,
    /// The message as UTF-8. Concatenated parts are joined in order.
    pub text: String,
    /// 1, or the number of parts of a concatenated message.
    pub parts: usize,
}

/// Is Kannel installed? If not: panics under `CI` (naming the Debian packages), otherwise prints
/// a loud "SKIPPING Kannel tests" notice to stderr and returns false.
pub fn available() -> bool {
    let missing: Vec<String> = [bearerbox_path(), smsbox_path(), fakesmsc_path()]
        .iter()
        .filter(|p| !is_executable(p))
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "Kannel is not installed (missing {}); install the Debian packages `kannel` and `kannel-extras` \
         (apt-get install kannel kannel-extras)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}. CI is set, so the Kannel tests must not be skipped.");
    }
    eprintln!(
        "\n{bar}\n!!! SKIPPING Kannel tests: {why}.\n!!! Under CI this is a failure.\n{bar}\n",
        bar = "!".repeat(100)
    );
    false
}

/// Replace every `@NAME@` in the template; panics on an unknown or leftover placeholder.
pub fn render_config(vars: &[(&str, String)]) -> String {
    let mut out = TEMPLATE.to_owned();
    for (name, value) in vars {
        let placeholder = format!("@{name}@");
        assert!(out.contains(&placeholder), "kannel.conf.in has no {placeholder}");
        out = out.replace(&placeholder, value);
    }
    let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    for line in out.lines().filter(|l| !l.trim_start().starts_with('#')) {
        // Between two '@' signs: every segment but the first and the last.
        let segments: Vec<&str> = line.split('@').collect();
        let inner = segments.get(1..segments.len().saturating_sub(1)).unwrap_or_default();
        if let Some(name) = inner.iter().find(|s| is_name(s)) {
            panic!("kannel.conf.in: @{name}@ was not rendered");
        }
    }
    out
}

/// The fakesmsc message line for one MO, as a phone would send it: ASCII as type `text`;
/// anything else (and ASCII with control characters such as a newline, which would break
/// fakesmsc's line protocol) as `ucs2`, URL-encoded UTF-16BE.
pub fn mo_line(from: &str, to: &str, text: &str) -> String {
    for (what, number) in [("from", from), ("to", to)] {
        assert!(
            !number.is_empty() && !number.contains(char::is_whitespace),
            "MO {what} must be one word: {number:?}"
        );
    }
    if text.is_ascii() && !text.chars().any(|c| c.is_ascii_control()) {
        format!("{from} {to} text {text}")
    } else {
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        format!("{from} {to} ucs2 {}", url_encode(&utf16))
    }
}

/// Like Python's `urllib.parse.quote_plus` on bytes.
pub fn url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Kannel's URL decoding: `+` is a space, `%XX` a byte; anything malformed is kept as it is.
pub fn url_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn utf16be(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Decode a message whose coding the fake SMSC line does not say (a concatenated part): no NUL
/// byte and valid UTF-8 is GSM text (Kannel keeps 7-bit text as UTF-8); otherwise an even length
/// is UCS-2. Good for Latin-script text, where UCS-2 always has NUL high bytes.
fn guess_coding(bytes: &[u8]) -> (&'static str, String) {
    if !bytes.contains(&0)
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return ("text", s.to_owned());
    }
    if bytes.len().is_multiple_of(2) {
        ("ucs-2", utf16be(bytes))
    } else {
        ("data", String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The concatenation information element of a UDH: (reference, total, sequence).
fn concat_info(udh: &[u8]) -> Option<(u16, u8, u8)> {
    let body = udh.get(1..usize::from(*udh.first()?) + 1)?;
    let mut i = 0;
    while i + 1 < body.len() {
        let (iei, len) = (body[i], usize::from(body[i + 1]));
        let ie = body.get(i + 2..i + 2 + len)?;
        match (iei, ie) {
            (0x00, [r, t, s]) => return Some((u16::from(*r), *t, *s)),
            (0x08, [r1, r2, t, s]) => return Some((u16::from_be_bytes([*r1, *r2]), *t, *s)),
            _ => i += 2 + len,
        }
    }
    None
}

/// The raw line fakesmsc received, from one of its log lines `... Got message N: <LINE>`.
fn got_message(log_line: &str) -> Option<&str> {
    let rest = &log_line[log_line.find("Got message ")? + "Got message ".len()..];
    let rest = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix(": <")?;
    Some(rest.strip_suffix('>').unwrap_or(rest))
}

/// Decode everything the fakesmsc MT sink has logged into whole messages, in the order they
/// completed. Kannel writes a `text` MT raw, so a newline in it splits it over several lines;
/// a line that is not `FROM TO TYPE ...` right after a `text` MT is joined back onto it.
pub fn parse_mt_log(log: &str) -> Vec<Mt> {
    type Key = (String, String, u16, u8);
    let complete = log.rfind('\n').map_or("", |i| &log[..=i]);
    let mut out: Vec<Mt> = Vec::new();
    let mut pending: HashMap<Key, Vec<Option<Vec<u8>>>> = HashMap::new();
    let mut last_was_text = false;
    for raw in complete.lines().filter_map(got_message) {
        let fields: Vec<&str> = raw.splitn(4, ' ').collect();
        let (from, to, kind, payload) = match fields[..] {
            [from, to, kind, payload] => (from.to_owned(), to.to_owned(), kind, payload),
            [from, to, kind] => (from.to_owned(), to.to_owned(), kind, ""),
            _ => ("".to_owned(), "".to_owned(), "", ""),
        };
        let single = |coding: &str, text: String| Mt {
            from: from.clone(),
            to: to.clone(),
            coding: coding.to_owned(),
            text,
            parts: 1,
        };
        let was_text = std::mem::replace(&mut last_was_text, false);
        match kind {
            "text" => {
                out.push(single("text", payload.to_owned()));
                last_was_text = true;
            }
            "data" => out.push(single(
                "data",
                String::from_utf8_lossy(&url_decode(payload)).into_owned(),
            )),
            "ucs-2" => out.push(single("ucs-2", utf16be(&url_decode(payload)))),
            "udh" => {
                let (udh, data) = match payload.split_once(' ') {
                    Some((udh, rest)) => (url_decode(udh), url_decode(rest.strip_prefix("data ").unwrap_or(rest))),
                    None => (url_decode(payload), Vec::new()),
                };
                let Some((reference, total, seq)) = concat_info(&udh).filter(|(_, t, s)| *s >= 1 && s <= t) else {
                    let (coding, text) = guess_coding(&data);
                    out.push(single(coding, text));
                    continue;
                };
                let key = (from.clone(), to.clone(), reference, total);
                let slots = pending
                    .entry(key.clone())
                    .or_insert_with(|| vec![None; usize::from(total)]);
                slots[usize::from(seq) - 1] = Some(data);
                if slots.iter().all(Option::is_some) {
                    let bytes: Vec<u8> = pending.remove(&key).into_iter().flatten().flatten().flatten().collect();
                    let (coding, text) = guess_coding(&bytes);
                    out.push(Mt {
                        parts: usize::from(total),
                        ..single(coding, text)
                    });
                }
            }
            _ if was_text => {
                if let Some(last) = out.last_mut() {
                    last.text.push('\n');
                    last.text.push_str(raw);
                }
                last_was_text = true;
            }
            _ => {}
        }
    }
    out
}

/// The `rcvd: sms N` counter of one link on bearerbox's status page.
pub fn link_received(status: &str, link: &str) -> Option<u64> {
    let line = link_line(status, link)?;
    let rest = &line[line.find("rcvd: sms ")? + "rcvd: sms ".len()..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn link_line<'a>(status: &'a str, link: &str) -> Option<&'a str> {
    let prefix = format!("{link}[");
    status.lines().find(|l| l.trim_start().starts_with(&prefix))
}

fn link_online(status: &str, link: &str) -> bool {
    link_line(status, link).is_some_and(|l| l.contains("(online"))
}

fn smsbox_connected(status: &str) -> bool {
    status
        .lines()
        .skip_while(|l| !l.starts_with("Box connections:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .any(|l| l.trim_start().starts_with("smsbox:"))
}

#[derive(Debug, Clone, Copy)]
enum Probe {
    Running,
    MtLinkOnline,
    SendsmsAnswers,
    SmsboxConnected,
}

/// A running Kannel: bearerbox, the fakesmsc MT sink and smsbox, in their own temporary directory.
pub struct Kannel {
    pub ports: KannelPorts,
    dir: Option<tempfile::TempDir>,
    /// (name, process), in the order they are stopped: smsbox, fakesmsc, bearerbox.
    procs: Vec<(&'static str, Child)>,
    http: reqwest::Client,
    runs: AtomicUsize,
}

impl Kannel {
    /// Start bearerbox, the fakesmsc MT sink, then smsbox, and wait (at most 20 s each step) until
    /// bearerbox runs, the `fake-mt` link is online, sendsms answers and smsbox is connected.
    /// `get_url` is the full sms-service get-url every MO goes to. `None` when Kannel is not
    /// installed and `CI` is unset (see [`available`]); any other failure panics with the logs.
    pub async fn start(ports: KannelPorts, get_url: &str) -> Option<Kannel> {
        if !available() {
            return None;
        }
        assert!(
            get_url.starts_with("http://127.0.0.1:") && !get_url.contains(['"', '\n', '\r']),
            "get-url must be a plain http://127.0.0.1:PORT/... URL: {get_url:?}"
        );
        let dir = tempfile::Builder::new()
            .prefix("peerline-kannel-")
            .tempdir()
            .expect("temp dir for Kannel");
        let run_dir = dir.path().to_str().expect("UTF-8 temp dir").to_owned();
        assert!(!run_dir.contains(['"', ' ']), "awkward temp dir path {run_dir:?}");
        let log_level = std::env::var("PEERLINE_KANNEL_LOG_LEVEL").unwrap_or_else(|_| "1".to_owned());
        let config = render_config(&[
            ("ADMIN_PORT", ports.admin.to_string()),
            ("ADMIN_PASS", ADMIN_PASS.to_owned()),
            ("SMSBOX_PORT", ports.smsbox.to_string()),
            ("RUN_DIR", run_dir),
            ("LOG_LEVEL", log_level),
            ("FAKE_MT_PORT", ports.fake_mt.to_string()),
            ("FAKE_MO_PORT", ports.fake_mo.to_string()),
            ("SENDSMS_PORT", ports.sendsms.to_string()),
            ("SEND_USER", USER.to_owned()),
            ("SEND_PASS", PASS.to_owned()),
            ("GET_URL", get_url.to_owned()),
        ]);
        let conf = dir.path().join("kannel.conf");
        fs::write(&conf, config).expect("write kannel.conf");
        let conf = conf.to_str().expect("UTF-8 path").to_owned();

        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        // Built before anything is spawned: a panic below drops it, which stops what did start.
        let mut kannel = Kannel {
            ports,
            dir: Some(dir),
            procs: Vec::new(),
            http,
            runs: AtomicUsize::new(0),
        };

        // -v 2: warnings and worse on stderr; the detailed logs go to bearerbox.log / smsbox.log.
        let bearerbox = kannel.spawn(&bearerbox_path(), &["-v", "2", &conf], "bearerbox.out");
        kannel.procs.push(("bearerbox", bearerbox));
        kannel.wait_for(Probe::Running).await;

        // -m 0: send nothing, print every MT. It needs a (never sent) message argument, or it
        // reads messages from stdin and exits. -v 0 so that each "Got message" line is printed.
        let sink = kannel.spawn(
            &fakesmsc_path(),
            &[
                "-H",
                "127.0.0.1",
                "-r",
                &ports.fake_mt.to_string(),
                "-m",
                "0",
                "-v",
                "0",
                "0 0 text unused",
            ],
            MT_LOG,
        );
        kannel.procs.insert(0, ("fakesmsc MT sink", sink));
        kannel.wait_for(Probe::MtLinkOnline).await;

        let smsbox = kannel.spawn(&smsbox_path(), &["-v", "2", &conf], "smsbox.out");
        kannel.procs.insert(0, ("smsbox", smsbox));
        kannel.wait_for(Probe::SendsmsAnswers).await;
        kannel.wait_for(Probe::SmsboxConnected).await;
        Some(kannel)
    }

    /// Same as the free function [`available`].
    pub fn available() -> bool {
        available()
    }

    /// Process ids of smsbox, the fakesmsc MT sink and bearerbox.
    pub fn pids(&self) -> Vec<u32> {
        self.procs.iter().map(|(_, child)| child.id()).collect()
    }

    /// The temporary directory with `kannel.conf` and every log.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("Kannel dir").path()
    }

    pub fn sendsms_url(&self) -> String {
        self.ports.sendsms_url()
    }

    /// A file in the run directory (e.g. `smsbox.log`, `bearerbox.log`, `smsbox-access.log`,
    /// `fakesmsc-mt.log`), or "" when it does not exist.
    pub fn log(&self, name: &str) -> String {
        String::from_utf8_lossy(&fs::read(self.dir().join(name)).unwrap_or_default()).into_owned()
    }

    /// bearerbox's plain-text status page, or None when it does not answer.
    pub async fn status(&self) -> Option<String> {
        let resp = self.http.get(self.ports.status_url()).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.text().await.ok()
    }

    /// How many MOs bearerbox has taken in on the `fake-mo` link.
    pub async fn mo_received(&self) -> u64 {
        let status = self.status().await.expect("bearerbox status page");
        link_received(&status, MO_LINK).unwrap_or_else(|| panic!("no {MO_LINK} link in status:\n{status}"))
    }

    /// Inject one mobile-originated SMS through the `fake-mo` link, like a phone would (see
    /// [`mo_line`]). Returns once bearerbox has counted it; the get-url call follows shortly.
    pub async fn inject_mo(&self, from: &str, to: &str, text: &str) {
        self.inject(&mo_line(from, to, text), 1).await;
    }

    /// Inject `n` copies of one MO as fast as fakesmsc can (one run with `-m n`). Returns once
    /// fakesmsc has sent them all and bearerbox has counted them all in.
    pub async fn inject_many(&self, from: &str, to: &str, text: &str, n: usize) {
        assert!(n > 0, "inject_many needs n > 0");
        self.inject(&mo_line(from, to, text), n).await;
    }

    async fn inject(&self, line: &str, n: usize) {
        let before = self.mo_received().await;
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        let out_name = format!("inject-{run}.log");
        let child = self.spawn(
            &fakesmsc_path(),
            &[
                "-H",
                "127.0.0.1",
                "-r",
                &self.ports.fake_mo.to_string(),
                "-i",
                "0",
                "-m",
                &n.to_string(),
                "-v",
                "1",
                line,
            ],
            &out_name,
        );
        let mut injector = Stopper(Some(("fakesmsc MO injector", child)));
        let timeout = Duration::from_secs(10) + Duration::from_millis(2 * n as u64);
        let deadline = Instant::now() + timeout;
        let sent_line = format!("fakesmsc: sent message {n}");
        let mut sent = false;
        loop {
            // fakesmsc logs only the last send at -v 1; after that it idles until interrupted.
            sent = sent || self.log(&out_name).lines().any(|l| l.ends_with(&sent_line));
            // Interrupting fakesmsc too early could lose what it has not flushed, so wait until
            // bearerbox has counted every message in.
            if sent && self.mo_received().await >= before + n as u64 {
                break;
            }
            if !sent && let Some(status) = injector.exit_status() {
                panic!(
                    "fakesmsc MO injector exited ({status}) before sending {n}:\n{}",
                    self.log(&out_name)
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "MO injection of {n} x {line:?} not complete after {timeout:?} (fakesmsc sent all: {sent}; \
                     bearerbox counted {} of {n}):\n{}\n{}",
                    self.mo_received().await - before,
                    self.log(&out_name),
                    self.diagnostics()
                );
            }
            tokio::time::sleep(POLL).await;
        }
        injector.stop("INT");
        let _ = fs::remove_file(self.dir().join(&out_name));
    }

    /// Every MT the fakesmsc sink has received so far, decoded (see [`parse_mt_log`]).
    pub fn mts(&self) -> Vec<Mt> {
        parse_mt_log(&self.log(MT_LOG))
    }

    /// Wait until at least `n` MTs (to `to`, when given) arrived; returns those MTs. Panics after
    /// `timeout` showing every MT that did arrive.
    pub async fn wait_for_mts(&self, to: Option<&str>, n: usize, timeout: Duration) -> Vec<Mt> {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.mts();
            let matching: Vec<Mt> = all.iter().filter(|m| to.is_none_or(|to| m.to == to)).cloned().collect();
            if matching.len() >= n {
                return matching;
            }
            if Instant::now() >= deadline {
                panic!(
                    "waited {timeout:?} for {n} MT(s){}; {} matched; everything that arrived: {all:#?}\n{}",
                    to.map(|t| format!(" to {t}")).unwrap_or_default(),
                    matching.len(),
                    self.diagnostics()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    fn spawn(&self, program: &Path, args: &[&str], out_name: &str) -> Child {
        let out = File::create(self.dir().join(out_name)).expect("create Kannel output file");
        let err = out.try_clone().expect("clone Kannel output file");
        Command::new(program)
            .args(args)
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()))
    }

    async fn probe(&self, probe: Probe) -> bool {
        if let Probe::SendsmsAnswers = probe {
            let url = format!("http://127.0.0.1:{}/", self.ports.sendsms);
            return self.http.get(url).send().await.is_ok();
        }
        let Some(status) = self.status().await else {
            return false;
        };
        match probe {
            Probe::Running => status.contains("Status: running"),
            Probe::MtLinkOnline => link_online(&status, MT_LINK),
            Probe::SmsboxConnected => smsbox_connected(&status),
            Probe::SendsmsAnswers => unreachable!(),
        }
    }

    async fn wait_for(&mut self, probe: Probe) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let exited = self
                .procs
                .iter_mut()
                .find_map(|(name, child)| child.try_wait().ok().flatten().map(|status| (*name, status)));
            if let Some((name, status)) = exited {
                panic!(
                    "Kannel start: {name} exited ({status}) while waiting for {probe:?}\n{}",
                    self.diagnostics()
                );
            }
            if self.probe(probe).await {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "Kannel start: no {probe:?} after {START_TIMEOUT:?}; status page: {:?}\n{}",
                    self.status().await,
                    self.diagnostics()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The last lines of every log, for failure messages.
    pub fn diagnostics(&self) -> String {
        let Some(dir) = &self.dir else {
            return String::new();
        };
        let mut out = format!("--- Kannel run directory {}", dir.path().display());
        for name in [
            "bearerbox.out",
            "bearerbox.log",
            "smsbox.out",
            "smsbox.log",
            "smsbox-access.log",
            MT_LOG,
        ] {
            let text = self.log(name);
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(25)..];
            out.push_str(&format!(
                "\n--- {name} (last {} of {} lines)\n",
                tail.len(),
                lines.len()
            ));
            out.push_str(&tail.join("\n"));
        }
        out
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.diagnostics());
        }
        let mut procs: Vec<Stopper> = self.procs.drain(..).map(|p| Stopper(Some(p))).collect();
        for p in &mut procs {
            p.signal("TERM");
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline && procs.iter_mut().any(Stopper::is_running) {
            std::thread::sleep(POLL);
        }
        for p in &mut procs {
            p.kill(true);
        }
        if let Some(dir) = self.dir.take()
            && std::env::var_os("PEERLINE_KANNEL_KEEP").is_some()
        {
            eprintln!("Kannel run directory kept: {}", dir.keep().display());
        }
    }
}

/// A child process that is killed (SIGKILL) if it is still running when dropped.
struct Stopper(Option<(&'static str, Child)>);

impl Stopper {
    /// Its exit status once it has exited; None while it runs.
    fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        let (_, child) = self.0.as_mut()?;
        child.try_wait().ok().flatten()
    }

    fn is_running(&mut self) -> bool {
        self.0.is_some() && self.exit_status().is_none()
    }

    fn signal(&mut self, sig: &str) {
        if !self.is_running() {
            return;
        }
        if let Some((_, child)) = &self.0 {
            let _ = Command::new("kill")
                .args([format!("-{sig}"), child.id().to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    /// `sig`, then wait up to the grace period, then KILL.
    fn stop(&mut self, sig: &str) {
        self.signal(sig);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline && self.is_running() {
            std::thread::sleep(POLL);
        }
        self.kill(true);
    }

    fn kill(&mut self, loud: bool) {
        if self.is_running()
            && let Some((name, mut child)) = self.0.take()
        {
            if loud {
                eprintln!(
                    "Kannel harness: {name} (pid {}) ignored the signal; killing it",
                    child.id()
                );
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        self.kill(false);
    }
}
