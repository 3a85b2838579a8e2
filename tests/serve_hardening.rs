//! `peerline serve` against a slow or nosy world, through the real binary: clients that send
//! headers or bodies a byte at a time are cut off within the timeouts, connections are capped,
//! debug logs never hold the query string (Kannel's token, number and text), `/metrics` can
//! live on its own listener, and the database files are readable by their owner only.

mod support;

use std::time::{Duration, Instant};

use support::{App, Home, eventually};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const KANNEL_TOKEN: &str = "kannel-token-in-the-query-0123";

fn kannel_env() -> Vec<(&'static str, String)> {
    vec![
        ("PEERLINE_SMS__PROVIDER", "kannel".into()),
        (
            "PEERLINE_SMS__KANNEL__SENDSMS_URL",
            "http://127.0.0.1:9/cgi-bin/sendsms".into(),
        ),
        ("PEERLINE_SMS__KANNEL__USERNAME", "peerline".into()),
        ("PEERLINE_SMS__KANNEL__PASSWORD", "sendsms-password".into()),
        ("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", KANNEL_TOKEN.into()),
        ("PEERLINE_SMS__KANNEL__PUBLIC_URL", "http://127.0.0.1:1".into()),
    ]
}

/// Read until the server closes the connection (or `limit` passes); returns what was read
/// and when it closed.
async fn read_until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf, limit: Duration) -> (String, Option<Duration>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), None),
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), Some(started.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Send `head` at once, then `drip` one byte every 300 ms, in the background.
async fn slow_client(app: &App, head: &'static str, drip: &'static str) -> tokio::net::tcp::OwnedReadHalf {
    let stream = TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect");
    let (read, mut write) = stream.into_split();
    tokio::spawn(async move {
        if write.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for b in drip.bytes() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if write.write_all(&[b]).await.is_err() {
                return;
            }
        }
        // Then hold the connection open without a word.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(write);
    });
    read
}

#[tokio::test]
async fn slow_headers_and_slow_bodies_are_cut_off_within_the_timeouts() {
    let home = Home::new();
    let mut env = kannel_env();
    env.push(("PEERLINE_HTTP__HEADER_TIMEOUT_SECS", "2".into()));
    env.push(("PEERLINE_HTTP__BODY_TIMEOUT_SECS", "2".into()));
    let app = App::spawn(&home, &env);

    // Slowloris: a request line and then a header a byte at a time, never finished.
    let mut headers = slow_client(
        &app,
        "GET /healthz HTTP/1.1\r\nHost: peerline\r\n",
        "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    )
    .await;
    // Headers sent, then a body promised and dripped.
    let mut body = slow_client(
        &app,
        "POST /webhooks/kannel/mo HTTP/1.1\r\nHost: peerline\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\ntoken=",
        "kannel-token-in-the-query-0123&from=%2B447700900123&id=slow1&text=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    )
    .await;
    // Meanwhile everyone else is served.
    let health = reqwest::get(app.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);

    let limit = Duration::from_secs(8);
    let (said, closed) = read_until_closed(&mut headers, limit).await;
    let closed = closed.unwrap_or_else(|| panic!("a slowloris client was still connected after {limit:?}"));
    assert!(
        closed >= Duration::from_millis(1500) && closed <= Duration::from_secs(5),
        "dropped after {closed:?}, not about 2 s"
    );
    assert!(!said.contains("200 OK"), "{said}");

    let (said, closed) = read_until_closed(&mut body, limit).await;
    let closed = closed.unwrap_or_else(|| panic!("a slow body still held its connection after {limit:?}"));
    assert!(said.starts_with("HTTP/1.1 408"), "{said:?}");
    assert!(closed <= Duration::from_secs(5), "answered after {closed:?}");
    assert_eq!(
        home.store().await.inbox_count().await.unwrap(),
        0,
        "a body that never arrived is not a message"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let home = Home::new();
    let app = App::spawn(
        &home,
        &[
            ("PEERLINE_HTTP__MAX_CONNECTIONS", "2".into()),
            ("PEERLINE_HTTP__HEADER_TIMEOUT_SECS", "2".into()),
        ],
    );
    // Two clients connect and say nothing: they hold both connections...
    let mut idle = Vec::new();
    for _ in 0..2 {
        idle.push(TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ...so a third waits until the header timeout frees one.
    let started = Instant::now();
    let health = tokio::time::timeout(Duration::from_secs(8), reqwest::get(app.url("/healthz")))
        .await
        .expect("answered once a connection is free")
        .expect("healthz");
    let waited = started.elapsed();
    assert_eq!(health.status(), 200);
    assert!(
        waited >= Duration::from_millis(1500),
        "answered after {waited:?}: the two idle connections did not count"
    );
    app.wait_for_log("HTTP connection limit reached", Duration::from_secs(2))
        .await;
}

#[tokio::test]
async fn debug_logs_name_the_path_never_the_query() {
    let home = Home::new();
    let mut env = kannel_env();
    env.push(("PEERLINE_LOG", "debug".into()));
    let app = App::spawn(&home, &env);
    let number = "447700900987";
    let text = "my-private-words-here";
    for (i, token) in [KANNEL_TOKEN, "a-wrong-token-guessed-0123"].iter().enumerate() {
        let url = app.url(&format!(
            "/webhooks/kannel/mo?token={token}&from=%2B{number}&to=60001&id=dbg-{i}&text={text}&coding=0&charset=UTF-8"
        ));
        reqwest::get(url).await.expect("kannel mo");
    }
    let store = home.store().await;
    eventually(Duration::from_secs(10), "the MO to be stored", || async {
        store.inbox_count().await.unwrap_or(0) == 1
    })
    .await;
    // The request span is logged...
    // (each request's last line is the trace layer's "finished processing request")
    support::eventually(Duration::from_secs(5), "both requests to finish in the log", || async {
        app.logs()
            .iter()
            .filter(|l| l.contains("request{method=GET") && l.contains("finished processing request"))
            .count()
            >= 2
    })
    .await;
    let logs = app.logs().join("\n");
    // ...never with the query...
    for secret in [KANNEL_TOKEN, "a-wrong-token", number, &number[6..], text, "token="] {
        assert!(!logs.contains(secret), "{secret:?} is in the debug log:\n{logs}");
    }
    // ...but with the route.
    assert!(logs.contains("request{method=GET path=/webhooks/kannel/mo}"), "{logs}");
}

#[tokio::test]
async fn metrics_move_to_their_own_listener() {
    let home = Home::new();
    let app = App::spawn(&home, &[("PEERLINE_HTTP__METRICS_LISTEN", "127.0.0.1:0".into())]);
    app.wait_for_log("metrics_listen=127.0.0.1:", Duration::from_secs(5))
        .await;
    let line = app
        .logs()
        .into_iter()
        .find(|l| l.contains("metrics_listen=127.0.0.1:"))
        .unwrap_or_default();
    let port: String = line
        .split("metrics_listen=127.0.0.1:")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("metrics");
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let public = reqwest::get(app.url("/metrics")).await.expect("main listener");
    assert_eq!(public.status(), 404, "the main listener no longer serves /metrics");
    assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().status(), 200);
    let health_on_metrics = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.unwrap();
    assert_eq!(
        health_on_metrics.status(),
        404,
        "the metrics listener serves /metrics only"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_its_wal_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let app = App::spawn(&home, &[]);
    assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().status(), 200);
    let db = home.db_path();
    let files = [db.clone(), db.with_extension("db-wal"), db.with_extension("db-shm")];
    eventually(Duration::from_secs(5), "the -wal and -shm files", || async {
        files.iter().all(|f| f.exists())
    })
    .await;
    for file in &files {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
    }
}
