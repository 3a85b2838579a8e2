//! SMS through a real Kannel (bearerbox + smsbox + fakesmsc) on 127.0.0.1: what a mentee on a
//! cheap phone would see, both ways, in English, Welsh and Polish.

mod support;

use std::time::Duration;

use peerline_core::{
    domain::ChannelKind,
    store::{DeliveryStatus, NewOutbound, Priority},
};
use support::{
    App, Home, eventually,
    kannel::{self, Kannel, KannelPorts},
};

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "kannel-inbound-token-0123456789";
const SHORT_CODE: &str = "60001";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One Kannel at a time in this binary: four at once on two cores only measures contention.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Rig {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    home: Home,
    app: App,
    kannel: Kannel,
    app_port: u16,
}

/// Peerline on a fixed free port, configured for Kannel, and Kannel calling it back.
async fn rig(home: Home, extra: &[(&'static str, String)]) -> Option<Rig> {
    if !kannel::available() {
        return None;
    }
    let turn = ONE_AT_A_TIME.lock().await;
    let ports = KannelPorts::pick();
    let app_port = free_port();
    let mut env = vec![
        ("PEERLINE_HTTP__LISTEN", format!("127.0.0.1:{app_port}")),
        ("PEERLINE_SMS__PROVIDER", "kannel".to_owned()),
        ("PEERLINE_SMS__KANNEL__SENDSMS_URL", ports.sendsms_url()),
        ("PEERLINE_SMS__KANNEL__USERNAME", kannel::USER.to_owned()),
        ("PEERLINE_SMS__KANNEL__PASSWORD", kannel::PASS.to_owned()),
        ("PEERLINE_SMS__KANNEL__FROM", SHORT_CODE.to_owned()),
        ("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", TOKEN.to_owned()),
        (
            "PEERLINE_SMS__KANNEL__PUBLIC_URL",
            format!("http://127.0.0.1:{app_port}"),
        ),
        ("PEERLINE_DELIVERY__IDLE_POLL_MS", "50".to_owned()),
        ("PEERLINE_DELIVERY__BACKOFF_BASE_MS", "200".to_owned()),
    ];
    env.extend_from_slice(extra);
    let app = App::spawn(&home, &env);
    let get_url = format!(
        "http://127.0.0.1:{app_port}/webhooks/kannel/mo?token={TOKEN}&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
    );
    let kannel = Kannel::start(ports, &get_url).await?;
    Some(Rig {
        _turn: turn,
        home,
        app,
        kannel,
        app_port,
    })
}

fn service(home: &Home) {
    home.cli_ok(&["service", "add", "--name", "Camden"]);
}

#[tokio::test]
async fn a_mentee_joins_by_text_stops_and_starts_again_through_kannel() {
    let home = Home::new();
    service(&home);
    let code = home.invite("Camden", "mentee", "Jo", &[]);
    let Some(rig) = rig(home, &[]).await else { return };
    let jo = "+447700900123";

    rig.kannel.inject_mo(jo, SHORT_CODE, &format!("JOIN {code}")).await;
    let mts = rig.kannel.wait_for_mts(Some(jo), 1, WAIT).await;
    assert!(
        mts[0]
            .text
            .starts_with("Welcome, Jo. You are now connected to Camden as a mentee."),
        "{mts:?}"
    );
    assert_eq!(mts[0].from, SHORT_CODE);
    assert_eq!(mts[0].coding, "text", "English stays GSM-7");

    rig.kannel.inject_mo(jo, SHORT_CODE, "STOP").await;
    let mts = rig.kannel.wait_for_mts(Some(jo), 2, WAIT).await;
    assert!(
        mts[1].text.contains("116 123") && mts[1].text.contains("START"),
        "{mts:?}"
    );
    rig.kannel.inject_mo(jo, SHORT_CODE, "help").await;
    // Once HELP is handled, whatever it would get is queued: nothing.
    let store = rig.home.store().await;
    support::handled(&store, 3).await;
    assert_eq!(support::queued_to(&store, jo).await, 2, "silence after STOP");
    assert_eq!(
        rig.kannel.mts().iter().filter(|m| m.to == jo).count(),
        2,
        "silence after STOP"
    );

    rig.kannel.inject_mo(jo, SHORT_CODE, "start").await;
    let mts = rig.kannel.wait_for_mts(Some(jo), 3, WAIT).await;
    assert!(mts[2].text.starts_with("Welcome back"), "{mts:?}");
    let people = rig.home.cli_ok(&["people", "list", "--service", "Camden"]);
    assert!(
        people.lines().any(|l| l.contains("Jo") && l.ends_with("sms")),
        "{people}"
    );
}

#[tokio::test]
async fn welsh_and_polish_with_emoji_arrive_intact_both_ways_and_dlrs_update_the_outbox() {
    let home = Home::new();
    service(&home);
    let code = home.invite("Camden", "mentee", "Ola", &["--language", "pl"]);
    // Folding off: this is about UCS-2 surviving the gateway both ways (with the default,
    // `auto`, a long Polish message goes folded to GSM-7 when that is cheaper).
    let Some(rig) = rig(home, &[("PEERLINE_SMS__FOLD_DIACRITICS", "never".into())]).await else {
        return;
    };
    let ola = "+447700900456";

    // Polish in, Polish out (UCS-2 on the wire, decoded intact by fakesmsc).
    rig.kannel.inject_mo(ola, SHORT_CODE, &format!("dołącz {code}")).await;
    let mts = rig.kannel.wait_for_mts(Some(ola), 1, WAIT).await;
    assert_eq!(mts[0].coding, "ucs-2", "Polish needs UCS-2: {mts:?}");
    assert!(
        mts[0].text.contains("Ola") && mts[0].text.contains("ą") | mts[0].text.contains("ę"),
        "{mts:?}"
    );

    let inbound = "Dzień dobry 😀 łódź, Dŵr ŵ";
    rig.kannel.inject_mo(ola, SHORT_CODE, inbound).await;
    let store = rig.home.store().await;
    eventually(WAIT, "the Unicode MO to be stored intact", || async {
        store
            .inbox_rows(100)
            .await
            .unwrap()
            .iter()
            .any(|r| r.body.as_deref() == Some(inbound) && r.address == ola)
    })
    .await;

    // Welsh with an emoji out: a coordinator's message queued for Ola.
    let people = store
        .people(store.service_by_name("Camden").await.unwrap().id)
        .await
        .unwrap();
    let ola_id = people.iter().find(|p| p.display_name == "Ola").unwrap().id;
    let outbound = "Diolch! Dŵr ŵ, łódź ł, 😀";
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .enqueue(
            &NewOutbound {
                person_id: Some(ola_id),
                ..support::message(ChannelKind::Sms, ola, Priority::Reply, outbound)
            },
            0,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    eventually(WAIT, "the Welsh and emoji MT to reach the phone", || async {
        rig.kannel.mts().iter().any(|m| m.to == ola && m.text == outbound)
    })
    .await;
    // fakesmsc acknowledges and reports delivery: Kannel's DLR marks the row delivered. The DLR
    // can land before sendsms has answered, so also wait for the send to be recorded.
    eventually(WAIT, "the DLR to mark the message delivered", || async {
        store
            .outbox_row(id)
            .await
            .map(|r| r.status == DeliveryStatus::Delivered && r.sent_at.is_some())
            .unwrap_or(false)
    })
    .await;
    assert_eq!(store.outbox_row(id).await.unwrap().segments, Some(1));
}

#[tokio::test]
async fn the_mo_webhook_refuses_forgeries_and_takes_a_burst_of_hundreds_of_connections() {
    let home = Home::new();
    service(&home);
    let Some(rig) = rig(home, &[]).await else { return };
    let client = reqwest::Client::new();
    let url = |query: &str| format!("http://127.0.0.1:{}/webhooks/kannel/mo?{query}", rig.app_port);
    let store = rig.home.store().await;

    for (what, query, want) in [
        (
            "no token",
            "from=%2B447700900001&to=60001&text=hi&id=a1".to_owned(),
            403,
        ),
        (
            "wrong token",
            "token=nope&from=%2B447700900001&to=60001&text=hi&id=a1".to_owned(),
            403,
        ),
        (
            "no id",
            format!("token={TOKEN}&from=%2B447700900001&to=60001&text=hi"),
            400,
        ),
        ("no sender", format!("token={TOKEN}&to=60001&text=hi&id=a2"), 400),
    ] {
        let status = client.get(url(&query)).send().await.unwrap().status().as_u16();
        assert_eq!(status, want, "{what}");
    }
    assert_eq!(
        store.inbox_count().await.unwrap(),
        0,
        "nothing stored from refused requests"
    );

    // smsbox may open hundreds of connections at once: every MO is stored, none twice.
    let burst = 300;
    let mut tasks = Vec::new();
    for i in 0..burst {
        let client = client.clone();
        let u = url(&format!(
            "token={TOKEN}&from=%2B4477009{:05}&to=60001&text=hello+{i}&id=burst-{i}",
            10_000 + i
        ));
        tasks.push(tokio::spawn(async move {
            client.get(u).send().await.map(|r| r.status().as_u16())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, burst);
    assert_eq!(store.inbox_count().await.unwrap(), i64::from(burst));
    // Redelivery of one of them is acknowledged and ignored.
    let again = client
        .get(url(&format!(
            "token={TOKEN}&from=%2B447700910000&to=60001&text=x&id=burst-0"
        )))
        .send()
        .await;
    assert_eq!(again.unwrap().status().as_u16(), 200);
    assert_eq!(store.inbox_count().await.unwrap(), i64::from(burst));
}

#[tokio::test]
async fn kannel_webhooks_refuse_addresses_off_the_allow_list() {
    let home = Home::new();
    service(&home);
    let Some(rig) = rig(
        home,
        &[("PEERLINE_SMS__KANNEL__ALLOWED_IPS", "[\"192.0.2.10\"]".to_owned())],
    )
    .await
    else {
        return;
    };
    let status = reqwest::get(format!(
        "http://127.0.0.1:{}/webhooks/kannel/mo?token={TOKEN}&from=%2B447700900001&to=60001&text=hi&id=x1",
        rig.app_port
    ))
    .await
    .unwrap()
    .status();
    assert_eq!(status.as_u16(), 403);
    assert_eq!(rig.home.store().await.inbox_count().await.unwrap(), 0);
    drop(rig.app);
}
