//! Subject access and erasure through the real CLI, and the audit log that records both.

mod support;

use peerline_bot::InboundPayload;
use peerline_core::{
    Clock,
    domain::{ChannelKind, Role},
};
use support::{BIN, world::World};

const JO: &str = "+447700900303";
const SAM: &str = "+447700900301";
const COORDINATOR_CHAT: &str = "7700123";

/// Run the CLI against the world's database.
fn cli(w: &World, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PEERLINE_DATABASE__URL", w.db_url())
        .env("USER", "alex")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run peerline");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(w: &World, args: &[&str]) -> String {
    let (success, stdout, stderr) = cli(w, args);
    assert!(success, "peerline {args:?} failed: {stdout}{stderr}");
    stdout
}

/// A mentee who has texted, asked for a callback and said something that raised an alert;
/// a mentor and a coordinator beside them. Everything queued counts as sent.
async fn busy_world() -> (World, i64, i64) {
    let w = World::new("2026-11-03T11:00:00Z").await;
    w.store.set_schedule(w.service.id, Some(""), None).await.unwrap();
    w.enrol(
        "Chris",
        Role::Coordinator,
        None,
        ChannelKind::Telegram,
        COORDINATOR_CHAT,
    )
    .await;
    let sam = w
        .enrol("Sam", Role::Mentor, Some("2026-09-01"), ChannelKind::Sms, SAM)
        .await;
    let jo = w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, JO).await;
    for text in [
        "hello, is this the peer line",
        "CALLBACK",
        "after 6pm please, no voicemail",
        "i want to kill myself",
    ] {
        w.say(ChannelKind::Sms, JO, InboundPayload::Text(text.into())).await;
    }
    // Claims take one message per recipient at a time: claim until nothing is left.
    for channel in [ChannelKind::Sms, ChannelKind::Telegram] {
        loop {
            let due = w
                .store
                .claim_due(channel, i64::MAX / 2, i64::MAX / 2, 100)
                .await
                .unwrap();
            if due.is_empty() {
                break;
            }
            for m in due {
                w.store.mark_sent(m.id, None, None, 0).await.unwrap();
            }
        }
    }
    (w, jo.0, sam.0)
}

#[tokio::test]
async fn export_holds_everything_about_the_person_and_nothing_of_anyone_elses_contact_details() {
    let (w, jo, _) = busy_world().await;
    let doc = ok(&w, &["person", "export", &jo.to_string()]);
    let json: serde_json::Value = serde_json::from_str(&doc).expect("export is JSON");

    assert_eq!(json["person"]["display_name"], "Jo");
    assert_eq!(json["person"]["role"], "mentee");
    assert_eq!(json["identities"][0]["address"], JO);
    let said = strings(&json, "messages_from_you", "body");
    assert!(said.contains(&"hello, is this the peer line"), "{said:?}");
    assert!(
        !json["messages_to_you"].as_array().unwrap().is_empty(),
        "replies to Jo are part of the export"
    );
    assert_eq!(
        json["callbacks_requested"][0]["safe_to_call"],
        "after 6pm please, no voicemail"
    );
    assert_eq!(json["safeguarding"][0]["relation"], "about you");
    assert_eq!(json["safeguarding"][0]["verbatim"], "i want to kill myself");
    assert!(json["safeguarding_events"].as_array().unwrap().len() >= 2);
    let actions = strings(&json, "audit_log", "action");
    assert!(actions.contains(&"callback.request"), "{actions:?}");
    // Times read as times, not raw milliseconds.
    assert!(
        json["person"]["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-03T")
    );
    // Other people's numbers and chats are not Jo's data.
    assert!(!doc.contains(SAM) && !doc.contains(COORDINATOR_CHAT), "{doc}");

    // The export was audited, with who ran it.
    let audit = ok(&w, &["audit", "--action", "person.export"]);
    assert!(audit.contains("cli:alex\tperson.export\tJo ("), "{audit}");
}

#[tokio::test]
async fn an_export_file_is_private_and_never_overwrites_another() {
    let (w, jo, _) = busy_world().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jo.json");
    let path_s = path.to_str().unwrap();
    let out = ok(&w, &["person", "export", &jo.to_string(), "--out", path_s]);
    assert!(out.contains("Wrote everything held about person"), "{out}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("after 6pm please"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the operator can read an export");
    }
    let (success, _, stderr) = cli(&w, &["person", "export", &jo.to_string(), "--out", path_s]);
    assert!(!success && stderr.contains("must not exist yet"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    let (success, _, stderr) = cli(&w, &["person", "export", "999"]);
    assert!(!success, "an unknown person is an error");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn erasure_removes_contact_details_and_messages_and_keeps_the_safeguarding_record() {
    let (w, jo, sam) = busy_world().await;
    let id = jo.to_string();

    // A dry run says what would happen and changes nothing.
    let plan = ok(&w, &["person", "erase", &id]);
    assert!(plan.contains("would remove") && plan.contains("--yes"), "{plan}");
    assert_eq!(
        w.store
            .identities_of(peerline_core::domain::PersonId(jo))
            .await
            .unwrap()
            .len(),
        1
    );

    let done = ok(&w, &["person", "erase", &id, "--yes"]);
    assert!(done.starts_with("Erased Jo"), "{done}");
    assert!(done.contains("phone numbers and Telegram chats"), "{done}");
    assert!(done.contains("safeguarding records"), "{done}");

    // Contact details, messages and the callback request are gone.
    let person = peerline_core::domain::PersonId(jo);
    assert!(w.store.identities_of(person).await.unwrap().is_empty());
    let outbox = w.store.outbox_rows(None).await.unwrap();
    assert!(outbox.iter().all(|r| r.address != JO), "no messages to Jo remain");
    let inbox = w.store.inbox_rows(1000).await.unwrap();
    assert!(inbox.iter().all(|r| r.address != JO), "no messages from Jo remain");
    // The coordinator's copies of alerts that named Jo lose their text.
    assert!(
        outbox.iter().all(|r| !r.body.contains("Jo")),
        "{:?}",
        outbox.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    // The safeguarding record stays, words and all, and still says whom it is about.
    let esc = &w.store.escalations(None).await.unwrap()[0];
    assert_eq!(esc.subject_person_id, Some(jo));
    assert_eq!(esc.verbatim.as_deref(), Some("i want to kill myself"));
    let after = w.store.person(person).await.unwrap();
    assert_eq!(
        after.display_name, "Jo",
        "the name stays because a safeguarding record needs it"
    );
    assert_eq!(after.status.as_str(), "left");

    // What remains is what the export shows.
    let json: serde_json::Value = serde_json::from_str(&ok(&w, &["person", "export", &id])).unwrap();
    assert!(json["identities"].as_array().unwrap().is_empty());
    assert!(json["messages_from_you"].as_array().unwrap().is_empty());
    assert!(json["callbacks_requested"].as_array().unwrap().is_empty());
    assert_eq!(json["safeguarding"].as_array().unwrap().len(), 1);
    assert!(json["person"]["erased_at"].is_string());

    // Texting in again is a stranger writing: nothing links the number to Jo any more.
    w.say(ChannelKind::Sms, JO, InboundPayload::Text("hello?".into())).await;
    assert_eq!(w.last_to(JO).await.kind, "welcome-unknown");

    // Erasing twice is refused, clearly.
    let (success, _, stderr) = cli(&w, &["person", "erase", &id, "--yes"]);
    assert!(!success && stderr.contains("already erased"), "{stderr}");

    // Someone with no safeguarding records loses their name too.
    ok(&w, &["person", "erase", &sam.to_string(), "--yes"]);
    let sam_after = w.store.person(peerline_core::domain::PersonId(sam)).await.unwrap();
    assert_eq!(sam_after.display_name, format!("Erased person {sam}"));

    // Both erasures are in the audit log, newest first, with the operator's login.
    let audit = ok(&w, &["audit", "--service", "Camden", "--action", "person.erase"]);
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(lines[0].contains(&format!("Erased person {sam} ({sam})")), "{audit}");
    assert!(
        lines[1].contains(&format!("Jo ({jo})")) && lines[1].contains("kept 1 safeguarding records"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_audit_log_answers_who_did_what_to_whom_and_when() {
    let (w, jo, _) = busy_world().await;
    let reference = w.store.escalations(None).await.unwrap()[0].reference.clone();
    w.clock.advance(chrono::Duration::minutes(5));
    w.say(
        ChannelKind::Telegram,
        COORDINATOR_CHAT,
        InboundPayload::Text(format!("/history {reference}")),
    )
    .await;
    w.say(
        ChannelKind::Telegram,
        COORDINATOR_CHAT,
        InboundPayload::Text(format!("/ack {reference}")),
    )
    .await;

    let all = ok(&w, &["audit", "--service", "Camden"]);
    let first = all.lines().next().unwrap_or_default();
    // Newest first, in the service's time (GMT in November), the coordinator by name.
    assert!(first.starts_with("2026-11-03 11:05:00 GMT\tChris ("), "{all}");
    assert!(first.contains("via telegram\tescalation.acknowledge"), "{all}");
    assert!(all.contains("escalation.view"), "who saw the alert is recorded: {all}");

    // Who looked at Jo's alert is part of what is recorded about Jo.
    let about_jo = ok(&w, &["audit", "--person", &jo.to_string()]);
    assert!(
        about_jo.contains("callback.request") && about_jo.contains("Chris (") && about_jo.contains("escalation.view"),
        "{about_jo}"
    );
    assert_eq!(ok(&w, &["audit", "--limit", "1"]).lines().count(), 1);
    let tomorrow = (w.clock.now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        ok(&w, &["audit", "--since", &tomorrow]).trim(),
        "No audit entries match."
    );
    let (success, _, stderr) = cli(&w, &["audit", "--service", "Nowhere"]);
    assert!(!success && !stderr.is_empty());
}

/// The `field` of every entry of an export's `section` that has it as a string.
fn strings<'a>(json: &'a serde_json::Value, section: &str, field: &str) -> Vec<&'a str> {
    json[section]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e[field].as_str())
        .collect()
}
