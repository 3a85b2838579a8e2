//! Crash safety of the real binary: `kill -9` while 2,000 inbound texts and a check-in run are in
//! flight, then a restart on the same database. Every text whose webhook was acknowledged is in
//! the store and was handled exactly once; every queued message goes out; and the only
//! duplicates on the wire are messages that were mid-send at the kill.
//!
//! Run with `--nocapture` to see the counts.

mod support;

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use peerline_core::store::{DeliveryStatus, Store};
use support::{
    App, Home, eventually,
    fake_twilio::{ACCOUNT_SID, AUTH_TOKEN, FakeTwilio},
};
use tokio::{sync::Semaphore, task::JoinSet};

const PUBLIC: &str = "https://peerline.example.org";
const OUR_NUMBER: &str = "+447700900000";
const PATH: &str = "/webhooks/twilio/sms";
/// 200 mentees each text HELP ten times: 2,000 inbound messages, each answered with one reply.
const PEOPLE: usize = 200;
const PER_PERSON: usize = 10;
const TOTAL: usize = PEOPLE * PER_PERSON;
/// Webhooks in flight at once, as a provider's pool of delivery workers would have them.
const CONCURRENCY: usize = 32;
/// The kill comes once this many webhooks have been acknowledged (and the check-in run has
/// queued its messages).
const KILL_AFTER_ACKS: usize = TOTAL / 2;
/// Offered load: one webhook every 2.5 ms at most, so the flood lasts about five seconds and
/// the check-in run (due about two seconds in) lands in the middle of it.
const PACE: Duration = Duration::from_micros(2_500);
const WAIT: Duration = Duration::from_secs(60);

fn phone(person: usize) -> String {
    format!("+447700900{:03}", 300 + person)
}

/// Inbound message `i`: from person `i % PEOPLE`, with a unique Twilio SID.
fn inbound(i: usize) -> Vec<(String, String)> {
    let sid = format!("SM{i:032}");
    let from = phone(i % PEOPLE);
    let body = ["HELP", "help", "Help"][i % 3];
    [
        ("MessageSid", sid.as_str()),
        ("SmsSid", sid.as_str()),
        ("AccountSid", ACCOUNT_SID),
        ("From", from.as_str()),
        ("To", OUR_NUMBER),
        ("Body", body),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn env(fake: &FakeTwilio) -> Vec<(&'static str, String)> {
    let mut env = fake.env();
    env.extend([
        // Fast enough that 2,200 messages drain in seconds; the fake does not rate-limit.
        ("PEERLINE_SMS__RATE_PER_SECOND", "1000".into()),
        // A message mid-send at the kill goes again once its lease runs out: keep that short.
        ("PEERLINE_DELIVERY__LEASE_SECS", "3".into()),
        ("PEERLINE_SCHEDULER__TICK_SECS", "1".into()),
    ]);
    env
}

/// POST signed webhooks for messages `which` to the app on `port`, at most `CONCURRENCY` at a
/// time and no faster than `pace`; `acked[i]` is set when message `i` got a 2xx.
fn flood(
    client: &reqwest::Client,
    port: u16,
    which: Vec<usize>,
    pace: Duration,
    acked: &Arc<Vec<AtomicBool>>,
    acks: &Arc<AtomicUsize>,
) -> JoinSet<()> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let start = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    for (n, i) in which.into_iter().enumerate() {
        let (client, permits, acked, acks) = (
            client.clone(),
            Arc::clone(&permits),
            Arc::clone(acked),
            Arc::clone(acks),
        );
        tasks.spawn(async move {
            tokio::time::sleep_until(start + pace * u32::try_from(n).unwrap_or(u32::MAX)).await;
            let _permit = permits.acquire_owned().await;
            let params = inbound(i);
            let sig = peerline_bot::sms::twilio::signature::compute(AUTH_TOKEN, &format!("{PUBLIC}{PATH}"), &params);
            let sent = client
                .post(format!("http://127.0.0.1:{port}{PATH}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", sig)
                .body(serde_urlencoded::to_string(&params).expect("form"))
                .send()
                .await;
            // Acknowledged = a 2xx whose body arrived in full, as the provider would see it.
            if let Ok(resp) = sent
                && resp.status().is_success()
                && resp.text().await.is_ok_and(|b| b.contains("<Response/>"))
            {
                acked[i].store(true, Ordering::SeqCst);
                acks.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    tasks
}

async fn drain(mut tasks: JoinSet<()>) {
    while let Some(r) = tasks.join_next().await {
        r.expect("webhook task");
    }
}

fn count_status(rows: &[peerline_core::store::OutboxRow], status: DeliveryStatus) -> usize {
    rows.iter().filter(|r| r.status == status).count()
}

async fn checkins_queued(store: &Store) -> usize {
    store
        .outbox_rows(None)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.kind == "checkin")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_flood_and_check_in_run_loses_nothing_and_repeats_only_what_was_mid_send() {
    let started = Instant::now();
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden", "--timezone", "UTC"]);
    // Check-ins go to mentees too, and there are no quiet hours: the check-in run goes out
    // whenever this test happens to run.
    home.cli_ok(&[
        "service",
        "set",
        "--name",
        "Camden",
        "--quiet-hours",
        "00:00-00:00",
        "--checkin-mentees",
        "true",
    ]);
    let mut csv = String::from("name,role,phone\n");
    for p in 0..PEOPLE {
        csv.push_str(&format!("Mentee {p},mentee,{}\n", phone(p)));
    }
    std::fs::write(home.path().join("people.csv"), csv).unwrap();
    home.cli_ok(&["import", "--service", "Camden", "people.csv"]);

    let fake = FakeTwilio::start().await;
    // Twilio takes 20 ms to answer an accepted message, so at any moment a few sends have
    // been accepted by the provider but not yet recorded as sent: the kill catches some.
    fake.set_latency(Duration::from_millis(20));
    let env = env(&fake);
    let mut app = App::spawn(&home, &env);
    let store = home.store().await;

    // The weekly check-in run, due two seconds from now (cron with seconds, in UTC).
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    let cron = due.format("%-S %-M %-H * * *").to_string();
    home.cli_ok(&["service", "set", "--name", "Camden", "--checkin-schedule", &cron]);

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let acked: Arc<Vec<AtomicBool>> = Arc::new((0..TOTAL).map(|_| AtomicBool::new(false)).collect());
    let acks = Arc::new(AtomicUsize::new(0));
    let flood_started = Instant::now();
    let first = flood(&client, app.port, (0..TOTAL).collect(), PACE, &acked, &acks);

    // Kill -9 once half the texts are acknowledged and the check-in run has queued its messages.
    let deadline = Instant::now() + WAIT;
    loop {
        if acks.load(Ordering::SeqCst) >= KILL_AFTER_ACKS && checkins_queued(&store).await > 0 {
            break;
        }
        assert!(
            acks.load(Ordering::SeqCst) < TOTAL,
            "every text was acknowledged before the check-in run started: nothing left to kill"
        );
        assert!(Instant::now() < deadline, "kill condition never reached");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.kill_hard();
    let killed_at_acks = acks.load(Ordering::SeqCst);
    let kill_after = flood_started.elapsed();

    // The database as the kill left it.
    let at_kill = store.outbox_rows(None).await.unwrap();
    let mid_send = count_status(&at_kill, DeliveryStatus::Sending);
    let queued_at_kill = count_status(&at_kill, DeliveryStatus::Queued);
    let sent_at_kill = count_status(&at_kill, DeliveryStatus::Sent);
    let checkins_at_kill = at_kill.iter().filter(|r| r.kind == "checkin").count();
    let checkins_sent_at_kill = at_kill
        .iter()
        .filter(|r| r.kind == "checkin" && r.status == DeliveryStatus::Sent)
        .count();
    let wire_at_kill = fake.requests().len();

    // Let the webhooks that were in flight fail (connection reset or refused).
    drain(first).await;
    let acked_before_kill: Vec<usize> = (0..TOTAL).filter(|i| acked[*i].load(Ordering::SeqCst)).collect();
    let inbox_at_kill = store.inbox_rows(100_000).await.unwrap();
    let stored: HashMap<&str, Option<i64>> = inbox_at_kill
        .iter()
        .map(|r| (r.provider_key.as_str(), r.handled_at))
        .collect();
    // Every acknowledged text is durable and was handled, before anything is resent.
    for &i in &acked_before_kill {
        let key = format!("twilio:SM{i:032}");
        match stored.get(key.as_str()) {
            Some(Some(_)) => {}
            Some(None) => panic!("acknowledged text {i} is stored but was never handled"),
            None => panic!("acknowledged text {i} is not in the store after the kill"),
        }
    }
    // Stored but not acknowledged: the answer was lost with the process. The provider sends
    // these again; they must not be handled twice.
    let stored_unacked = inbox_at_kill.len() - acked_before_kill.len();

    // Restart on the same database; the provider redelivers everything it has no answer for,
    // and (as Twilio sometimes does) some it had an answer for.
    let restarted = Instant::now();
    let app = App::spawn(&home, &env);
    let mut again: Vec<usize> = (0..TOTAL).filter(|i| !acked[*i].load(Ordering::SeqCst)).collect();
    let resent_unacked = again.len();
    let redelivered_acked: Vec<usize> = acked_before_kill.iter().copied().step_by(10).collect();
    again.extend(&redelivered_acked);
    let acks_before = acks.load(Ordering::SeqCst);
    for &i in &redelivered_acked {
        acked[i].store(false, Ordering::SeqCst);
    }
    drain(flood(&client, app.port, again.clone(), Duration::ZERO, &acked, &acks)).await;
    let acked_after = acks.load(Ordering::SeqCst) - acks_before;
    assert_eq!(
        acked_after,
        again.len(),
        "every redelivered webhook is acknowledged after the restart"
    );
    assert!((0..TOTAL).all(|i| acked[i].load(Ordering::SeqCst)));

    // Everything drains: nothing stuck queued or sending.
    let expected_rows = TOTAL + PEOPLE;
    eventually(WAIT, "every queued message to be sent", || async {
        let rows = store.outbox_rows(None).await.unwrap();
        rows.len() >= expected_rows
            && rows
                .iter()
                .all(|r| matches!(r.status, DeliveryStatus::Sent | DeliveryStatus::Delivered))
    })
    .await;
    // Every row is sent (a final state) and every text was handled before its webhook was
    // answered, so what follows is complete.
    let drained_after = restarted.elapsed();

    // Inbound: every text stored once and handled.
    let inbox = store.inbox_rows(100_000).await.unwrap();
    assert_eq!(inbox.len(), TOTAL, "one inbox row per text");
    let keys: HashSet<&str> = inbox.iter().map(|r| r.provider_key.as_str()).collect();
    assert_eq!(keys.len(), TOTAL);
    for i in 0..TOTAL {
        assert!(keys.contains(format!("twilio:SM{i:032}").as_str()), "text {i} missing");
    }
    assert!(inbox.iter().all(|r| r.handled_at.is_some()), "every text handled");

    // Outbound: exactly one reply per text and one check-in per person, all sent.
    let rows = store.outbox_rows(None).await.unwrap();
    let unexpected: Vec<_> = rows
        .iter()
        .filter(|r| r.kind != "help" && r.kind != "checkin")
        .map(|r| (r.kind.clone(), r.address.clone()))
        .collect();
    assert!(unexpected.is_empty(), "unexpected messages: {unexpected:?}");
    for p in 0..PEOPLE {
        let to = phone(p);
        let help = rows.iter().filter(|r| r.address == to && r.kind == "help").count();
        let checkin = rows.iter().filter(|r| r.address == to && r.kind == "checkin").count();
        assert_eq!(help, PER_PERSON, "{to}: one reply per text, none twice");
        assert_eq!(checkin, 1, "{to}: the check-in run ran once");
    }
    assert_eq!(rows.len(), expected_rows);

    // The wire: every row went out under the SID it records, with its own recipient and words.
    let requests = fake.requests();
    let accepted: HashMap<&str, &support::fake_twilio::Request> = requests
        .iter()
        .filter(|r| r.status == 201)
        .filter_map(|r| r.sid.as_deref().map(|s| (s, r)))
        .collect();
    for r in &rows {
        let sid = r.provider_id.as_deref().expect("a sent row has the provider's SID");
        let on_wire = accepted
            .get(sid)
            .unwrap_or_else(|| panic!("row {} records SID {sid}, which Twilio never gave", r.id));
        assert_eq!(on_wire.get("To"), Some(r.address.as_str()));
        assert_eq!(on_wire.get("Body"), Some(r.body.as_str()));
    }
    // Accepted sends that no row records: sends whose outcome died with the process, sent
    // again after the restart. Count them both ways.
    let recorded: HashSet<&str> = rows.iter().filter_map(|r| r.provider_id.as_deref()).collect();
    let orphans = accepted.keys().filter(|s| !recorded.contains(*s)).count();
    let mut per_message: HashMap<(&str, &str), i64> = HashMap::new();
    for r in accepted.values() {
        *per_message
            .entry((r.get("To").unwrap_or_default(), r.get("Body").unwrap_or_default()))
            .or_default() += 1;
    }
    for r in &rows {
        *per_message.entry((r.address.as_str(), r.body.as_str())).or_default() -= 1;
    }
    assert!(
        per_message.values().all(|n| *n >= 0),
        "a message marked sent never reached the wire"
    );
    let duplicates: i64 = per_message.values().sum();
    assert_eq!(usize::try_from(duplicates).unwrap(), orphans);
    let refused = requests.iter().filter(|r| r.status != 201).count();

    println!(
        "crash: {TOTAL} texts from {PEOPLE} people at <= {CONCURRENCY} in flight; killed after {kill_after:.2?} at {killed_at_acks} acks \
         ({} acked before the kill, {stored_unacked} stored but unacknowledged)",
        acked_before_kill.len()
    );
    println!(
        "crash: at the kill: {} outbox rows ({sent_at_kill} sent, {queued_at_kill} queued, {mid_send} mid-send); \
         check-ins {checkins_sent_at_kill}/{checkins_at_kill} sent; {wire_at_kill} requests on the wire",
        at_kill.len()
    );
    println!(
        "crash: after restart: resent {resent_unacked} unacknowledged + {} acknowledged texts (all acknowledged); \
         all {} messages sent {drained_after:.2?} after the restart",
        redelivered_acked.len(),
        rows.len()
    );
    println!(
        "crash: wire: {} accepted, {refused} refused; {duplicates} duplicate(s) (mid-send at the kill: {mid_send}); total {:.2?}",
        accepted.len(),
        started.elapsed()
    );
    assert!(
        orphans <= mid_send,
        "{orphans} messages went out twice but only {mid_send} were mid-send at the kill"
    );
}
