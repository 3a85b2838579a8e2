mod support;

// Self-test of the Kannel harness, without Peerline: a tiny HTTP sink stands in for the app's
// webhooks. MOs go phone -> fakesmsc -> bearerbox -> smsbox -> get-url; MTs go sendsms ->
// smsbox -> bearerbox -> fakesmsc, with delivery reports back to the dlr-url.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{Query, State},
    http::Uri,
    routing::get,
};
use support::kannel::{self, Kannel, KannelPorts, Mt, PASS, USER};

const WAIT: Duration = Duration::from_secs(15);
const PHONE: &str = "+447700900123";
const SHORTCODE: &str = "60001";

/// One GET the sink received.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    query: Vec<(String, String)>,
}

impl Hit {
    fn get(&self, key: &str) -> &str {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key:?} in {self:?}"))
    }
}

/// Records the path and query of every GET, and answers 200 with an empty body.
#[derive(Clone, Default)]
struct Sink {
    hits: Arc<Mutex<Vec<Hit>>>,
}

async fn record(State(sink): State<Sink>, uri: Uri, Query(query): Query<Vec<(String, String)>>) {
    let hit = Hit {
        path: uri.path().to_owned(),
        query,
    };
    sink.hits.lock().expect("sink lock").push(hit);
}

impl Sink {
    async fn start() -> (Sink, u16) {
        let sink = Sink::default();
        let app = Router::new()
            .route("/mo", get(record))
            .route("/dlr", get(record))
            .with_state(sink.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let port = listener.local_addr().expect("sink addr").port();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve sink") });
        (sink, port)
    }

    fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.hits.lock().expect("sink lock");
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }

    async fn wait_for(&self, path: &str, n: usize) -> Vec<Hit> {
        let deadline = Instant::now() + WAIT;
        loop {
            let hits = self.hits(path);
            if hits.len() >= n {
                return hits;
            }
            assert!(
                Instant::now() < deadline,
                "waited {WAIT:?} for {n} GETs of {path}; got {hits:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn mo_get_url(sink_port: u16) -> String {
    format!("http://127.0.0.1:{sink_port}/mo?from=%p&to=%P&text=%b&id=%I&smsc=%i&coding=%c&charset=%C")
}

async fn sendsms(ports: &KannelPorts, params: &[(&str, &str)]) -> (u16, String) {
    let mut query = vec![("username", USER), ("password", PASS)];
    query.extend_from_slice(params);
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(ports.sendsms_url())
        .query(&query)
        .send()
        .await
        .expect("sendsms request");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("sendsms body"))
}

// Multi-threaded: the sink must keep answering smsbox while dropping Kannel blocks this thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mo_and_mt_round_trip_through_real_kannel() {
    let (sink, sink_port) = Sink::start().await;
    let ports = KannelPorts::pick();
    let started = Instant::now();
    let Some(kannel) = Kannel::start(ports, &mo_get_url(sink_port)).await else {
        return;
    };
    eprintln!("Kannel started in {:?}", started.elapsed());

    // MO, plain ASCII: fakesmsc type `text`.
    kannel.inject_mo(PHONE, SHORTCODE, "CALLBACK please").await;
    let mo = &sink.wait_for("/mo", 1).await[0];
    assert_eq!(mo.get("from"), PHONE);
    assert_eq!(mo.get("to"), SHORTCODE);
    assert_eq!(mo.get("text"), "CALLBACK please");
    assert_eq!(mo.get("smsc"), kannel::MO_LINK);
    assert_eq!(mo.get("coding"), "0");
    assert_eq!(mo.get("charset"), "UTF-8");
    let id = mo.get("id");
    assert!(
        id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "Kannel message id {id:?}"
    );

    // MO with Welsh, Polish and an emoji: UCS-2 from the SMSC, recoded to UTF-8 by mo-recode.
    let unicode = "Dŵr ŵ łódź ł 😀 CALLBACK";
    kannel.inject_mo(PHONE, SHORTCODE, unicode).await;
    let mo = &sink.wait_for("/mo", 2).await[1];
    assert_eq!(mo.get("from"), PHONE);
    assert_eq!(mo.get("to"), SHORTCODE);
    assert_eq!(mo.get("text"), unicode);
    assert_eq!(mo.get("charset"), "UTF-8");
    assert_eq!(mo.get("coding"), "0", "mo-recode turns UCS-2 into UTF-8 text");

    // MT: UTF-8 text sent as UCS-2, with every delivery report.
    let text = "Diolch! Dŵr ŵ, łódź ł, 😀";
    let dlr_url = format!("http://127.0.0.1:{sink_port}/dlr?ref=msg-42&status=%d&smsc=%i");
    let (status, body) = sendsms(
        &ports,
        &[
            ("from", SHORTCODE),
            ("to", PHONE),
            ("text", text),
            ("coding", "2"),
            ("charset", "UTF-8"),
            ("dlr-mask", "31"),
            ("dlr-url", &dlr_url),
        ],
    )
    .await;
    assert_eq!((status, body.trim()), (202, "0: Accepted for delivery"));
    let mts = kannel.wait_for_mts(Some(PHONE), 1, WAIT).await;
    assert_eq!(
        mts,
        vec![Mt {
            from: SHORTCODE.to_owned(),
            to: PHONE.to_owned(),
            coding: "ucs-2".to_owned(),
            text: text.to_owned(),
            parts: 1,
        }]
    );
    let dlrs = sink.wait_for("/dlr", 2).await;
    let mut statuses: Vec<&str> = dlrs.iter().map(|d| d.get("status")).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["1", "8"], "SMSC ack (8) and delivered (1): {dlrs:#?}");
    for dlr in &dlrs {
        assert_eq!(dlr.get("ref"), "msg-42");
        assert_eq!(dlr.get("smsc"), kannel::MT_LINK);
    }

    // Dropping stops (and reaps) all three processes.
    let pids = kannel.pids();
    assert_eq!(pids.len(), 3);
    let stopping = Instant::now();
    drop(kannel);
    eprintln!("Kannel stopped in {:?}", stopping.elapsed());
    for pid in pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "pid {pid} still there"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_and_multi_line_mts_and_many_mos() {
    let (sink, sink_port) = Sink::start().await;
    let ports = KannelPorts::pick();
    let Some(kannel) = Kannel::start(ports, &mo_get_url(sink_port)).await else {
        return;
    };

    // Concatenated: GSM text over 160 characters, and UCS-2 over 70, reassembled from their parts.
    let long_text: String = (0..45)
        .map(|i| format!("word{i} "))
        .collect::<String>()
        .trim_end()
        .to_owned();
    let long_unicode = format!("Dŵr {long_text} 😀");
    let multi_line = "Line one\nline two > three\n\nend";
    for (i, (text, coding)) in [(&long_text[..], "0"), (&long_unicode[..], "2"), (multi_line, "0")]
        .into_iter()
        .enumerate()
    {
        let (status, body) = sendsms(
            &ports,
            &[
                ("from", SHORTCODE),
                ("to", PHONE),
                ("text", text),
                ("coding", coding),
                ("charset", "UTF-8"),
            ],
        )
        .await;
        assert_eq!((status, body.trim()), (202, "0: Accepted for delivery"), "{text}");
        // One at a time, so the order at the fake SMSC is the order sent.
        kannel.wait_for_mts(None, i + 1, WAIT).await;
    }
    let mts = kannel.mts();
    let got: Vec<(&str, &str, usize)> = mts
        .iter()
        .map(|m| (m.coding.as_str(), m.text.as_str(), m.parts))
        .collect();
    assert_eq!(
        got,
        [
            ("text", &long_text[..], 2),
            ("ucs-2", &long_unicode[..], 5),
            ("text", multi_line, 1)
        ]
    );

    // Many MOs in one fakesmsc run.
    let started = Instant::now();
    kannel.inject_many(PHONE, SHORTCODE, "HELP", 200).await;
    let hits = sink.wait_for("/mo", 200).await;
    eprintln!("200 MOs through Kannel to the sink in {:?}", started.elapsed());
    assert!(hits.iter().all(|h| h.get("text") == "HELP"));
}

#[test]
fn decodes_what_fakesmsc_prints() {
    let log = "\
2026-11-23 09:31:38 [31067] [0] DEBUG: Connecting to <127.0.0.1>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 1: <60001 +447700900123 ucs-2 %00D%01u%00r%00+%D8%3D%DE%00>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 2: <60001 +447700900123 text caf\u{e9} \u{a3} line>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 3: <two ><>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 4: <60001 +447700900123 data a%00b+c>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 5: <1 2 udh %05%00%03%07%02%02 data %00b>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 6: <1 2 udh %05%00%03%07%02%01 data %00a%00+>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 7: <1 2 udh %06%08%04%01%00%02%01 data half+>
2026-11-23 09:31:45 [31067] [0] DEBUG: Got message 8: <1 2 text not yet complete";
    let mt = |from: &str, to: &str, coding: &str, text: &str, parts| Mt {
        from: from.to_owned(),
        to: to.to_owned(),
        coding: coding.to_owned(),
        text: text.to_owned(),
        parts,
    };
    assert_eq!(
        kannel::parse_mt_log(log),
        [
            mt("60001", "+447700900123", "ucs-2", "Dŵr 😀", 1),
            mt("60001", "+447700900123", "text", "café £ line\ntwo ><", 1),
            mt("60001", "+447700900123", "data", "a\0b c", 1),
            mt("1", "2", "ucs-2", "a b", 2),
        ]
    );
}

#[test]
fn encodes_mos_like_a_phone() {
    assert_eq!(kannel::mo_line("+44", "600", "JOIN AB12"), "+44 600 text JOIN AB12");
    assert_eq!(
        kannel::mo_line("+44", "600", "ŵ 😀"),
        "+44 600 ucs2 %01u%00+%D8%3D%DE%00"
    );
    assert_eq!(kannel::mo_line("+44", "600", "a\nb"), "+44 600 ucs2 %00a%00%0A%00b");
    assert_eq!(kannel::url_decode("%01u%00+%zz%"), b"\x01u\0 %zz%");
}

#[test]
fn reads_bearerbox_status() {
    let status = "Box connections:\n    smsbox:(none), IP 127.0.0.1 (0 queued)\n\n\nSMSC connections:\n    \
fake-mo[fake-mo]    FAKE:24011 (online 3s, rcvd: sms 2002 (0.00,0.00,0.00) / dlr 0, sent: sms 0)\n";
    assert_eq!(kannel::link_received(status, "fake-mo"), Some(2002));
    assert_eq!(kannel::link_received(status, "fake-mt"), None);
}
