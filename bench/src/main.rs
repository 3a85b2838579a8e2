//! peerline-bench: the figures in the README's performance section, each measured side by
//! side in one run on this machine, against stub providers on 127.0.0.1.
//!
//! `cargo run --release -p peerline-bench -- all` (or `ingest`, `kannel`, `fanout`, `delivery`,
//! `alert`, `serve-rss`).
//! Prints one line per figure. Figures, not assertions: regressions are for a human to read.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context;
use axum::{Router, body::Bytes, extract::Path, routing::post};
use chrono::{DateTime, Utc};
use peerline::startup::Application;
use peerline_core::{
    ManualClock, SystemClock,
    clock::to_millis,
    config::{KannelSection, Secret, Settings, SmsProvider, TwilioSection},
    domain::{ChannelKind, Language, PhoneNumber, Role},
    i18n::Localizer,
    signal::OutboxSignal,
    store::{ImportRow, NewOutbound, NewPerson, PersonStatus, Priority, RedeemOutcome, Store},
};
use tokio_util::sync::CancellationToken;

/// The test suite's real-Kannel harness (bearerbox + smsbox + fakesmsc), reused here.
#[path = "../../tests/support/kannel.rs"]
#[allow(dead_code)]
mod kannel;

const TWILIO_TOKEN: &str = "0123456789abcdef0123456789abcdef";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const PUBLIC: &str = "https://bench.example.org";
const KANNEL_TOKEN: &str = "bench-kannel-token-0123456789";
const BOT_TOKEN: &str = "123:bench";

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A stub that answers every provider call at once and records Telegram sends.
#[derive(Clone, Default)]
struct Stub {
    telegram: Arc<Mutex<Vec<(i64, String, Instant)>>>,
}

async fn start_stub() -> anyhow::Result<(Stub, String)> {
    let stub = Stub::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let tg = stub.clone();
    let app = Router::new()
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(|| async {
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(serde_json::json!({"sid": "SM0123456789abcdef0123456789abcdef", "num_segments": "1"})),
                )
            }),
        )
        .route(
            "/cgi-bin/sendsms",
            axum::routing::get(|| async { (axum::http::StatusCode::ACCEPTED, "0: Accepted") }),
        )
        .route(
            "/{bot}/{method}",
            post(move |Path((_bot, method)): Path<(String, String)>, body: Bytes| {
                let tg = tg.clone();
                async move {
                    let params: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let result = match method.to_ascii_lowercase().as_str() {
                        "getme" => serde_json::json!({"id": 1, "is_bot": true, "first_name": "Bench"}),
                        "getupdates" => {
                            let wait = params["timeout"].as_u64().unwrap_or(0).min(2);
                            tokio::time::sleep(Duration::from_secs(wait)).await;
                            serde_json::json!([])
                        }
                        "sendmessage" => {
                            let chat = params["chat_id"].as_i64().unwrap_or(0);
                            let text = params["text"].as_str().unwrap_or_default().to_owned();
                            if let Ok(mut v) = tg.telegram.lock() {
                                v.push((chat, text, Instant::now()));
                            }
                            serde_json::json!({"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}})
                        }
                        _ => serde_json::json!(true),
                    };
                    axum::Json(serde_json::json!({"ok": true, "result": result}))
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((stub, url))
}

fn settings(dir: &std::path::Path, stub: &str, provider: SmsProvider, telegram: bool) -> Settings {
    let mut s = Settings::default();
    s.database.url = format!("sqlite://{}", dir.join("bench.db").display());
    s.http.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    s.delivery.idle_poll_ms = 20;
    s.sms.provider = provider;
    s.sms.rate_per_second = 1000;
    s.sms.twilio = Some(TwilioSection {
        account_sid: Some(SID.into()),
        auth_token: Some(Secret::new(TWILIO_TOKEN)),
        from: Some("+447700900000".into()),
        api_base: stub.into(),
        public_url: Some(PUBLIC.into()),
        ..TwilioSection::default()
    });
    s.sms.kannel = Some(KannelSection {
        sendsms_url: Some(format!("{stub}/cgi-bin/sendsms")),
        username: Some("u".into()),
        password: Some(Secret::new("p")),
        inbound_token: Some(Secret::new(KANNEL_TOKEN)),
        public_url: Some("http://127.0.0.1:1".into()),
        ..KannelSection::default()
    });
    if telegram {
        s.telegram.token = Some(Secret::new(BOT_TOKEN));
        s.telegram.api_url = stub.into();
        s.telegram.poll_timeout_secs = 1;
    }
    s
}

async fn start(settings: Settings) -> anyhow::Result<(u16, Store, CancellationToken)> {
    let app = Application::build(settings, Arc::new(SystemClock)).await?;
    let (port, store) = (app.port(), app.store().clone());
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move { app.run_until_stopped(t).await });
    Ok((port, store, token))
}

/// Inbound webhook ingest: verify, dedup, store, reply queued; 32 clients at once.
async fn ingest() -> anyhow::Result<()> {
    const N: usize = 3000;
    let (_stub, stub_url) = start_stub().await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    for provider in [SmsProvider::Twilio, SmsProvider::Kannel] {
        let dir = tempfile::tempdir()?;
        let (port, store, token) = start(settings(dir.path(), &stub_url, provider, false)).await?;
        let started = Instant::now();
        let sem = Arc::new(tokio::sync::Semaphore::new(32));
        let mut tasks = Vec::with_capacity(N);
        for i in 0..N {
            let permit = Arc::clone(&sem).acquire_owned().await?;
            let client = client.clone();
            let from = format!("+4474{:08}", i);
            tasks.push(tokio::spawn(async move {
                let r = if provider == SmsProvider::Twilio {
                    let params: Vec<(String, String)> = vec![
                        ("MessageSid".into(), format!("SM{i:032}")),
                        ("From".into(), from),
                        ("To".into(), "+447700900000".into()),
                        ("Body".into(), "hello".into()),
                    ];
                    let sig = peerline_bot::sms::twilio::signature::compute(
                        TWILIO_TOKEN,
                        &format!("{PUBLIC}/webhooks/twilio/sms"),
                        &params,
                    );
                    client
                        .post(format!("http://127.0.0.1:{port}/webhooks/twilio/sms"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("X-Twilio-Signature", sig)
                        .body(serde_urlencoded::to_string(&params).unwrap_or_default())
                        .send()
                        .await
                } else {
                    client
                        .get(format!(
                            "http://127.0.0.1:{port}/webhooks/kannel/mo?token={KANNEL_TOKEN}&from=%2B{}&to=60001&text=hello&id=k{i}&charset=UTF-8",
                            &from[1..]
                        ))
                        .send()
                        .await
                };
                drop(permit);
                r.map(|r| r.status().is_success()).unwrap_or(false)
            }));
        }
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap_or(false) {
                ok += 1;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let stored = store.inbox_count().await?;
        token.cancel();
        println!(
            "ingest {:7}: {ok}/{N} accepted, {stored} stored, {:.0} messages/s (verify, dedup, store, reply queued; 32 concurrent clients)",
            provider.name(),
            N as f64 / secs
        );
    }
    // The floor: one row, one commit, on the same file system and settings.
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!("sqlite://{}", dir.path().join("raw.db").display())).await?;
    let started = Instant::now();
    for i in 0..N {
        let mut tx = store.begin().await?;
        tx.kv_set(&format!("k{i}"), "v").await?;
        tx.commit().await?;
    }
    println!(
        "sqlite raw single-row commit: {:.0} commits/s (WAL, synchronous=NORMAL, same file system)",
        N as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn people(store: &Store, n: usize) -> anyhow::Result<peerline_core::domain::ServiceId> {
    let now = to_millis(Utc::now());
    let service = store.add_service("Bench", chrono_tz::Europe::London, now).await?;
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        rows.push(ImportRow {
            line: i + 2,
            person: NewPerson {
                service_id: service.id,
                role: Role::Mentor,
                display_name: format!("Mentor {i}"),
                language: Language::EnGb,
                status: PersonStatus::Active,
                placement_start: None,
                telegram_username: None,
            },
            phone: Some(PhoneNumber::parse(&format!("+4474{i:08}"))?),
        });
    }
    store.import_people(&rows, now).await?;
    Ok(service.id)
}

/// Kannel's own MO rate (fakesmsc -> bearerbox -> smsbox -> a sink that answers at once), and
/// the same through Peerline's Kannel webhook into the store.
async fn kannel_mo() -> anyhow::Result<()> {
    const N: usize = 2000;
    if !kannel::available() {
        println!("kannel MO: Kannel not installed (Debian kannel, kannel-extras); skipped");
        return Ok(());
    }
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_port = listener.local_addr()?.port();
    let c = Arc::clone(&count);
    let sink = Router::new().route(
        "/mo",
        axum::routing::get(move || {
            let c = Arc::clone(&c);
            async move {
                c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ""
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, sink).await;
    });
    let k = kannel::Kannel::start(
        kannel::KannelPorts::pick(),
        &format!("http://127.0.0.1:{sink_port}/mo?from=%p&to=%P&text=%b&id=%I"),
    )
    .await
    .context("start Kannel")?;
    let t = Instant::now();
    k.inject_many("+447700900123", "60001", "hello", N).await;
    while count.load(std::sync::atomic::Ordering::Relaxed) < N {
        anyhow::ensure!(t.elapsed() < Duration::from_secs(120), "Kannel MO to sink timed out");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "kannel MO alone: {N} MOs through bearerbox and smsbox to a bare HTTP sink at {:.0}/s",
        N as f64 / t.elapsed().as_secs_f64()
    );
    drop(k);

    let (_stub, stub_url) = start_stub().await?;
    let dir = tempfile::tempdir()?;
    let (port, store, token) = start(settings(dir.path(), &stub_url, SmsProvider::Kannel, false)).await?;
    let k = kannel::Kannel::start(
        kannel::KannelPorts::pick(),
        &format!(
            "http://127.0.0.1:{port}/webhooks/kannel/mo?token={KANNEL_TOKEN}&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
        ),
    )
    .await
    .context("start Kannel")?;
    let t = Instant::now();
    k.inject_many("+447700900123", "60001", "hello", N).await;
    while store.inbox_count().await? < N as i64 {
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(120),
            "Kannel MO into Peerline timed out"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "kannel MO into Peerline: {N} MOs through Kannel, verified, stored and answered at {:.0}/s",
        N as f64 / t.elapsed().as_secs_f64()
    );
    drop(k);
    token.cancel();
    Ok(())
}

/// Weekly check-in for 100,000 people: one scheduler occurrence.
async fn fanout() -> anyhow::Result<()> {
    const N: usize = 100_000;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!("sqlite://{}", dir.path().join("fan.db").display())).await?;
    let t = Instant::now();
    people(&store, N).await?;
    println!(
        "setup: {N} people with phone numbers imported in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let rss_idle = status_kib("VmRSS:");
    let monday: DateTime<Utc> = "2026-11-02T10:00:30Z".parse()?;
    let clock = ManualClock::new(monday);
    let scheduler = peerline_scheduler::Scheduler::new(
        store.clone(),
        Arc::new(Localizer::embedded()?),
        Arc::new(clock.clone()),
        OutboxSignal::new(),
        chrono::Duration::hours(6),
    );
    let t = Instant::now();
    let report = scheduler.tick().await?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "fan-out: weekly check-in for {N} people enqueued in {secs:.2}s = {:.0} rows/s ({} messages queued); RSS {} MiB before, peak {} MiB",
        report.queued as f64 / secs,
        report.queued,
        rss_idle / 1024,
        status_kib("VmHWM:") / 1024
    );
    Ok(())
}

/// Time from a risk SMS hitting the Twilio webhook to the coordinator's alert reaching the
/// (stub) Telegram API, idle and while 100,000 check-ins are queued.
async fn alert() -> anyhow::Result<()> {
    let (stub, stub_url) = start_stub().await?;
    let dir = tempfile::tempdir()?;
    let (port, store, token) = start(settings(dir.path(), &stub_url, SmsProvider::Twilio, true)).await?;
    let now = to_millis(Utc::now());
    let service = store.add_service("Alerts", chrono_tz::Europe::London, now).await?;
    let enrol = |name: &str, role: Role, channel: ChannelKind, address: &str| {
        let (store, name, address) = (store.clone(), name.to_owned(), address.to_owned());
        async move {
            let p = NewPerson {
                service_id: service.id,
                role,
                display_name: name,
                language: Language::EnGb,
                status: PersonStatus::Invited,
                placement_start: None,
                telegram_username: None,
            };
            let invite = store.create_invite(p, 3_600_000, now).await?;
            let mut tx = store.begin().await?;
            let r = tx.redeem_invite(&invite.code, channel, &address, now).await?;
            tx.commit().await?;
            anyhow::ensure!(matches!(r, RedeemOutcome::Redeemed { .. }), "enrol failed");
            anyhow::Ok(())
        }
    };
    enrol("Chris", Role::Coordinator, ChannelKind::Telegram, "900").await?;
    enrol("Jo", Role::Mentee, ChannelKind::Sms, "+447700900303").await?;
    let client = reqwest::Client::new();
    let mut sid = 0;
    for phase in ["idle", "with 100,000 check-ins queued"] {
        if phase != "idle" {
            queue_checkins(&store, 100_000, |i| (10_000 + i).to_string(), now).await?;
        }
        let mut lat = Vec::new();
        for _ in 0..20 {
            sid += 1;
            let before = stub
                .telegram
                .lock()
                .map(|v| v.iter().filter(|m| m.0 == 900).count())
                .unwrap_or(0);
            let params: Vec<(String, String)> = vec![
                ("MessageSid".into(), format!("SMrisk{sid}")),
                ("From".into(), "+447700900303".into()),
                ("To".into(), "+447700900000".into()),
                ("Body".into(), "i want to kill myself".into()),
            ];
            let sig = peerline_bot::sms::twilio::signature::compute(
                TWILIO_TOKEN,
                &format!("{PUBLIC}/webhooks/twilio/sms"),
                &params,
            );
            let t0 = Instant::now();
            client
                .post(format!("http://127.0.0.1:{port}/webhooks/twilio/sms"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", sig)
                .body(serde_urlencoded::to_string(&params)?)
                .send()
                .await?;
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let arrived = stub
                    .telegram
                    .lock()
                    .ok()
                    .and_then(|v| v.iter().filter(|m| m.0 == 900).nth(before).map(|m| m.2));
                if let Some(at) = arrived {
                    lat.push(at.duration_since(t0).as_secs_f64() * 1000.0);
                    break;
                }
                anyhow::ensure!(Instant::now() < deadline, "alert never arrived");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // Telegram allows one message a second per chat: do not measure our own spacing.
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        lat.sort_by(f64::total_cmp);
        println!(
            "alert latency ({phase}): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} risk texts (webhook -> alert at the Telegram API)",
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0),
            lat.len()
        );
    }
    token.cancel();
    Ok(())
}

/// Queue `n` Telegram check-in messages, the `i`th to chat `chat(i)`, in one transaction.
async fn queue_checkins(store: &Store, n: i64, chat: impl Fn(i64) -> String, now: i64) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for i in 0..n {
        let message = NewOutbound {
            person_id: None,
            identity_id: None,
            channel: ChannelKind::Telegram,
            address: chat(i),
            priority: Priority::Checkin,
            kind: "checkin".into(),
            body: format!("How are you this week? ({i})"),
            buttons: None,
            ignore_opt_out: false,
            not_before: now,
        };
        tx.enqueue(&message, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Telegram delivery against its limits (30 messages/s overall, one per second per chat by
/// default): the rate achieved from a standing queue, and every breach of either limit seen at
/// the (stub) Bot API.
async fn delivery() -> anyhow::Result<()> {
    const CHATS: i64 = 60;
    const EACH: i64 = 10;
    let (stub, stub_url) = start_stub().await?;
    let dir = tempfile::tempdir()?;
    let settings = settings(dir.path(), &stub_url, SmsProvider::Twilio, true);
    let (limit, per_chat) = (
        settings.telegram.global_per_second,
        Duration::from_millis(settings.telegram.per_chat_interval_ms),
    );
    let (_port, store, token) = start(settings).await?;
    let now = to_millis(Utc::now());
    queue_checkins(&store, CHATS * EACH, |i| (20_000 + i % CHATS).to_string(), now).await?;
    let total = usize::try_from(CHATS * EACH)?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let sends = loop {
        let sends: Vec<(i64, Instant)> = stub
            .telegram
            .lock()
            .map(|v| v.iter().map(|m| (m.0, m.2)).collect())
            .unwrap_or_default();
        if sends.len() >= total {
            break sends;
        }
        anyhow::ensure!(Instant::now() < deadline, "only {} of {total} delivered", sends.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    token.cancel();
    let (first, last) = (sends[0].1, sends[sends.len() - 1].1);
    let rate = (sends.len() - 1) as f64 / last.duration_since(first).as_secs_f64();
    // Overall: no more than `limit` sends in any one-second window.
    let overall = (0..sends.len())
        .filter(|&i| {
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            i + limit < sends.len() && sends[i + limit].1.duration_since(sends[i].1) < Duration::from_secs(1)
        })
        .count();
    // Per chat: consecutive sends to one chat at least the interval apart (less 5 ms of
    // timestamping slack: the stub stamps on arrival, after the network).
    let mut last_to: std::collections::HashMap<i64, Instant> = std::collections::HashMap::new();
    let mut chat = 0;
    for (c, at) in &sends {
        if let Some(prev) = last_to.insert(*c, *at)
            && at.duration_since(prev) + Duration::from_millis(5) < per_chat
        {
            chat += 1;
        }
    }
    println!(
        "telegram delivery: {total} messages to {CHATS} chats at {rate:.1} msg/s against a {limit}/s limit ({:.0}%); limit violations: {overall} overall, {chat} per chat",
        rate * 100.0 / f64::from(limit)
    );
    Ok(())
}

/// RSS of the real `peerline serve` binary: idle with an empty store, and with 100,000 people.
async fn serve_rss() -> anyhow::Result<()> {
    let exe = std::env::current_exe()?.with_file_name("peerline");
    anyhow::ensure!(
        exe.exists(),
        "build the binary first: cargo build --release (looked for {})",
        exe.display()
    );
    for n in [0usize, 100_000] {
        let dir = tempfile::tempdir()?;
        if n > 0 {
            let store = Store::open(&format!("sqlite://{}", dir.path().join("peerline.db").display())).await?;
            people(&store, n).await?;
            store.close().await;
        }
        let mut child = std::process::Command::new(&exe)
            .arg("serve")
            .current_dir(dir.path())
            .env("PEERLINE_HTTP__LISTEN", "127.0.0.1:0")
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("spawn peerline serve")?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let field = |f: &str| {
            status
                .lines()
                .find(|l| l.starts_with(f))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_owned()
        };
        println!(
            "serve RSS with {n} people: {} KiB idle (peak {} KiB)",
            field("VmRSS:"),
            field("VmHWM:")
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    let size = std::fs::metadata(&exe).map(|m| m.len()).unwrap_or(0);
    println!("release binary size: {:.1} MiB", size as f64 / 1_048_576.0);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    match what.as_str() {
        "ingest" => ingest().await,
        "kannel" => kannel_mo().await,
        "fanout" => fanout().await,
        "alert" => alert().await,
        "delivery" => delivery().await,
        "serve-rss" => serve_rss().await,
        "all" => {
            ingest().await?;
            kannel_mo().await?;
            fanout().await?;
            delivery().await?;
            alert().await?;
            serve_rss().await
        }
        other => {
            anyhow::bail!("unknown benchmark {other:?}: use all, ingest, kannel, fanout, delivery, alert or serve-rss")
        }
    }
}
