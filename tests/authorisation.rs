//! The authorisation matrix: every role-bound command, typed or pressed, by every role, on a
//! record of their own service and of another. Only the cells marked allowed succeed; every
//! other cell gets a neutral refusal, changes nothing, and leaves one `denied` audit row.
//!
//! The expected table is written out here by hand, not read from `peerline_core::authz`, so a
//! change to the rules has to be made twice, on purpose.

mod support;

use peerline_bot::InboundPayload;
use peerline_core::{
    Clock,
    clock::to_millis,
    domain::{AttendanceOutcome, ChannelKind, EscalationStatus, PersonId, Role, SessionKind, SessionStatus},
    store::{AuditQuery, Callback, Escalation, NewSession, Service, Window},
};
use support::world::World;

/// One service's people and records. Chat ids are `<prefix><n>`.
struct Site {
    service: Service,
    prefix: &'static str,
    mentor: PersonId,
    alert: Escalation,
    /// Offered to the mentor, not taken.
    open_callback: Callback,
    /// Taken by the mentor.
    taken_callback: Callback,
    /// The mentor's 1:1 yesterday, not recorded yet.
    session: i64,
}

const ROLES: [Role; 4] = [Role::Coordinator, Role::Deputy, Role::Mentor, Role::Mentee];

fn chat(prefix: &str, role: Role) -> String {
    let n = match role {
        Role::Coordinator => 1,
        Role::Deputy => 2,
        Role::Mentor => 3,
        Role::Mentee => 4,
    };
    format!("{prefix}{n}")
}

async fn site(w: &World, service: Service, prefix: &'static str) -> Site {
    let tg = ChannelKind::Telegram;
    for role in ROLES {
        let start = (role == Role::Mentor).then_some("2026-09-01");
        w.enrol_at(&service, role.as_str(), role, start, tg, &chat(prefix, role))
            .await;
    }
    let mentor = w.store.people(service.id).await.unwrap();
    let mentor = mentor.iter().find(|p| p.role == Role::Mentor).unwrap().id;
    let every_day: Vec<Window> = (1..=7).map(|d| Window::new(d, "00:00", "23:59")).collect();
    w.store.set_availability(mentor, &every_day).await.unwrap();
    // Two more mentees: one whose words raise an alert and who asks for a call, one whose call
    // the mentor has taken.
    let (a, b) = (format!("{prefix}5"), format!("{prefix}6"));
    w.enrol_at(&service, "Ash", Role::Mentee, None, tg, &a).await;
    w.enrol_at(&service, "Bo", Role::Mentee, None, tg, &b).await;
    let say = |who: String, text: String| async move { w.say(tg, &who, InboundPayload::Text(text)).await };
    say(a.clone(), "i want to kill myself".into()).await;
    say(a.clone(), "CALLBACK".into()).await;
    say(b.clone(), "CALLBACK".into()).await;
    let callbacks = |w: &World| {
        let store = w.store.clone();
        let service = service.id;
        async move {
            let mut tx = store.begin().await.unwrap();
            let mut out = Vec::new();
            for mentee in store
                .people(service)
                .await
                .unwrap()
                .into_iter()
                .filter(|p| p.role == Role::Mentee)
            {
                if let Some(c) = tx.open_callback_of(mentee.id).await.unwrap() {
                    out.push((mentee.display_name.clone(), c));
                }
            }
            out
        }
    };
    let before = callbacks(w).await;
    let of = |name: &str, list: &[(String, Callback)]| list.iter().find(|(n, _)| n == name).unwrap().1.clone();
    say(
        chat(prefix, Role::Mentor),
        format!("TAKE {}", of("Bo", &before).reference),
    )
    .await;
    let after = callbacks(w).await;
    let alert = w.store.escalations(Some(service.id)).await.unwrap().remove(0);
    let now = to_millis(w.clock.now());
    let yesterday = NewSession {
        service: service.id,
        kind: SessionKind::OneToOne,
        starts_at: now - 86_400_000,
        place: None,
        source: "cli",
        attendees: &[mentor],
    };
    let session = w.store.add_session(&yesterday, now).await.unwrap();
    let site = Site {
        open_callback: of("Ash", &after),
        taken_callback: of("Bo", &after),
        service,
        prefix,
        mentor,
        alert,
        session,
    };
    assert_eq!(site.open_callback.status, "offered");
    assert_eq!(site.taken_callback.accepted_by, Some(site.mentor.0));
    site
}

/// A command with `{e}` (alert ref), `{eid}`, `{c}` (open callback ref), `{cid}`, `{t}` (taken
/// callback ref), `{tid}`, `{mid}` (the mentor) and `{sid}` (their session) filled in from the
/// target site. Buttons start with `button:`.
struct Command {
    name: &'static str,
    template: &'static str,
    /// Whether it names a record (and so has an "other service" column).
    targeted: bool,
    /// Coordinator, deputy, mentor, mentee.
    allowed: [bool; 4],
}

const YES: bool = true;
const NO: bool = false;

const COMMANDS: &[Command] = &[
    Command {
        name: "ACK",
        template: "ACK {e}",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "/ack",
        template: "/ack {e}",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "Acknowledge button",
        template: "button:esc-ack:{eid}",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "/resolve",
        template: "/resolve {e} spoke to them, safe",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "/history",
        template: "/history {e}",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "/escalations",
        template: "/escalations",
        targeted: false,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "TAKE",
        template: "TAKE {c}",
        targeted: true,
        allowed: [NO, NO, YES, NO],
    },
    Command {
        name: "Take button",
        template: "button:cb-take:{cid}",
        targeted: true,
        allowed: [NO, NO, YES, NO],
    },
    Command {
        name: "DONE",
        template: "DONE {t} CALLED",
        targeted: true,
        allowed: [NO, NO, YES, NO],
    },
    Command {
        name: "Called button",
        template: "button:cb-done:{tid}:called",
        targeted: true,
        allowed: [NO, NO, YES, NO],
    },
    Command {
        name: "CALLBACK",
        template: "CALLBACK",
        targeted: false,
        allowed: [NO, NO, NO, YES],
    },
    Command {
        name: "CANCEL CALLBACK",
        template: "CANCEL CALLBACK",
        targeted: false,
        allowed: [NO, NO, NO, YES],
    },
    Command {
        name: "/supervision",
        template: "/supervision",
        targeted: false,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "Book button",
        template: "button:svb:{mid}:20261110:1400",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "Attended button",
        template: "button:svr:{sid}:{mid}:attended",
        targeted: true,
        allowed: [YES, YES, NO, NO],
    },
    Command {
        name: "/available",
        template: "/available Sat 10:00-12:00",
        targeted: false,
        allowed: [NO, NO, YES, NO],
    },
    Command {
        name: "CONCERN",
        template: "CONCERN I am worried about my neighbour",
        targeted: false,
        allowed: [YES, YES, YES, YES],
    },
];

/// What the world looks like, as far as any command could change it.
#[derive(Debug, PartialEq)]
struct Snapshot {
    escalations: Vec<(String, EscalationStatus, Option<i64>)>,
    callbacks: Vec<(String, String, Option<i64>, Option<String>)>,
    /// Everyone's callback availability: (person, weekday, start, end).
    availability: Vec<(i64, u32, String, String)>,
    /// Supervision: (session, person, status, outcome).
    sessions: Vec<(i64, i64, SessionStatus, Option<AttendanceOutcome>)>,
}

async fn snapshot(w: &World) -> Snapshot {
    let escalations = w
        .store
        .escalations(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.reference, e.status, e.raised_by))
        .collect();
    let mut callbacks = Vec::new();
    let mut availability = Vec::new();
    let mut sessions = Vec::new();
    let mut tx = w.store.begin().await.unwrap();
    for service in w.store.services().await.unwrap() {
        for p in w.store.people(service.id).await.unwrap() {
            if let Some(c) = tx.open_callback_of(p.id).await.unwrap() {
                callbacks.push((c.reference, c.status, c.accepted_by, c.outcome));
            }
            for w in tx.availability_of(p.id).await.unwrap() {
                availability.push((p.id.0, w.weekday, w.start, w.end));
            }
            for s in w.store.sessions_of(p.id).await.unwrap() {
                sessions.push((s.session_id, s.person_id, s.status, s.outcome));
            }
        }
    }
    Snapshot {
        escalations,
        callbacks,
        availability,
        sessions,
    }
}

#[tokio::test]
async fn only_the_allowed_cells_succeed_and_every_denial_is_neutral_and_audited() {
    let mut failures = Vec::new();
    let mut cells = 0;
    for command in COMMANDS {
        for (r, role) in ROLES.iter().enumerate() {
            for other_service in [false, true] {
                if other_service && !command.targeted {
                    continue;
                }
                cells += 1;
                if let Err(why) = cell(command, *role, command.allowed[r], other_service).await {
                    let target = if other_service { "other service" } else { "own service" };
                    failures.push(format!("{} by {role} on {target}: {why}", command.name));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, 17 * 4 + 11 * 4);
}

/// Every audit row, newest first.
async fn audit(w: &World) -> Vec<peerline_core::store::AuditRow> {
    let all = AuditQuery {
        limit: 10_000,
        ..Default::default()
    };
    w.store.audit_rows(&all).await.unwrap()
}

/// What the actor sends: `button:DATA` is a button press, anything else typed text.
fn payload(text: &str) -> InboundPayload {
    match text.strip_prefix("button:") {
        Some(data) => InboundPayload::Button(data.to_owned()),
        None => InboundPayload::Text(text.to_owned()),
    }
}

async fn cell(command: &Command, role: Role, allowed: bool, other_service: bool) -> Result<(), String> {
    let w = World::new("2026-11-03T11:00:00Z").await;
    let islington = w
        .store
        .add_service("Islington", chrono_tz::Europe::London, to_millis(w.clock.now()))
        .await
        .unwrap();
    let camden = site(&w, w.service.clone(), "100").await;
    let other = site(&w, islington, "200").await;
    let target = if other_service { &other } else { &camden };
    let text = command
        .template
        .replace("{eid}", &target.alert.id.to_string())
        .replace("{e}", &target.alert.reference)
        .replace("{cid}", &target.open_callback.id.to_string())
        .replace("{c}", &target.open_callback.reference)
        .replace("{tid}", &target.taken_callback.id.to_string())
        .replace("{t}", &target.taken_callback.reference)
        .replace("{mid}", &target.mentor.0.to_string())
        .replace("{sid}", &target.session.to_string());
    let actor_chat = chat(camden.prefix, role);
    let actor = w
        .store
        .people(camden.service.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.role == role && p.display_name == role.as_str())
        .unwrap();
    let audit_before = audit(&w).await.len();
    let before = snapshot(&w).await;
    let outbox_before = w.store.outbox_rows(None).await.unwrap().len();

    w.say(ChannelKind::Telegram, &actor_chat, payload(&text)).await;

    let after = snapshot(&w).await;
    let new_audit = audit(&w).await;
    let new_audit = &new_audit[..new_audit.len() - audit_before];
    let denials: Vec<_> = new_audit
        .iter()
        .filter(|a| a.action == "denied" && a.actor_person_id == Some(actor.id.0))
        .collect();
    let replies: Vec<String> = w.store.outbox_rows(None).await.unwrap()[outbox_before..]
        .iter()
        .filter(|m| m.address == actor_chat)
        .map(|m| m.body.clone())
        .collect();
    let refusal = "Sorry, you can't do that from this account.";

    if !allowed || other_service {
        if denials.len() != 1 {
            return Err(format!("expected one denied audit row, got {new_audit:?}"));
        }
        if before != after {
            return Err(format!("a denied command changed something: {before:?} -> {after:?}"));
        }
        if replies.len() != 1 {
            return Err(format!("expected one reply, got {replies:?}"));
        }
        if !(other_service && allowed) {
            return if replies[0] == refusal {
                Ok(())
            } else {
                Err(format!("expected {refusal:?}, got {replies:?}"))
            };
        }
        // Another service's record: exactly the answer for one that does not exist.
        let bogus = command
            .template
            .replace("{eid}", "999999")
            .replace("{e}", "EQQQQ")
            .replace("{cid}", "999999")
            .replace("{c}", "CQQQQ")
            .replace("{tid}", "999999")
            .replace("{t}", "CQQQQ")
            .replace("{mid}", "999999")
            .replace("{sid}", "999999");
        let outbox_now = w.store.outbox_rows(None).await.unwrap().len();
        w.say(ChannelKind::Telegram, &actor_chat, payload(&bogus)).await;
        let nothing: Vec<String> = w.store.outbox_rows(None).await.unwrap()[outbox_now..]
            .iter()
            .map(|m| m.body.replace("EQQQQ", "REF").replace("CQQQQ", "REF"))
            .collect();
        let mut real = replies[0].clone();
        for r in [
            &target.alert.reference,
            &target.open_callback.reference,
            &target.taken_callback.reference,
        ] {
            real = real.replace(r.as_str(), "REF");
        }
        if nothing != [real.clone()] {
            return Err(format!(
                "refusal {real:?} differs from the answer for a record that does not exist {nothing:?}"
            ));
        }
        return Ok(());
    }

    // Allowed, own service: it worked, and nothing was denied.
    if !denials.is_empty() {
        return Err(format!("allowed but audited as denied: {denials:?}"));
    }
    if replies
        .iter()
        .any(|r| r.starts_with(refusal) || r.starts_with("There is no open"))
    {
        return Err(format!("allowed but refused: {replies:?}"));
    }
    let status_of = |s: &Snapshot, reference: &str| s.escalations.iter().find(|e| e.0 == reference).map(|e| e.1);
    let callback = |s: &Snapshot, reference: &str| s.callbacks.iter().find(|c| c.0 == reference).cloned();
    let worked = match command.name {
        "ACK" | "/ack" | "Acknowledge button" => {
            status_of(&after, &camden.alert.reference) == Some(EscalationStatus::Acknowledged)
        }
        "/resolve" => status_of(&after, &camden.alert.reference) == Some(EscalationStatus::Resolved),
        "/history" => replies
            .iter()
            .any(|r| r.contains(&camden.alert.reference) && r.contains("opened")),
        "/escalations" => {
            replies.iter().any(|r| r.contains(&camden.alert.reference))
                && !replies.iter().any(|r| r.contains(&other.alert.reference))
        }
        "TAKE" | "Take button" => {
            callback(&after, &camden.open_callback.reference).is_some_and(|c| c.2 == Some(camden.mentor.0))
        }
        // A recorded outcome closes the request: it is no longer open.
        "DONE" | "Called button" => {
            callback(&before, &camden.taken_callback.reference).is_some()
                && callback(&after, &camden.taken_callback.reference).is_none()
        }
        "CALLBACK" => after.callbacks.len() == before.callbacks.len() + 1,
        "CANCEL CALLBACK" => replies.iter().any(|r| r.contains("cancelled")),
        "CONCERN" => after.escalations.iter().any(|e| e.2 == Some(actor.id.0)),
        "/supervision" => replies.iter().any(|r| r.starts_with("Book supervision: with whom?")),
        "Book button" => after.sessions.len() == before.sessions.len() + 1,
        "Attended button" => after
            .sessions
            .iter()
            .any(|s| s.0 == camden.session && s.1 == camden.mentor.0 && s.3 == Some(AttendanceOutcome::Attended)),
        "/available" => {
            let mine: Vec<_> = after.availability.iter().filter(|a| a.0 == actor.id.0).collect();
            mine.len() == 1 && (mine[0].1, mine[0].2.as_str(), mine[0].3.as_str()) == (6, "10:00", "12:00")
        }
        other => return Err(format!("no check for {other}")),
    };
    if worked {
        Ok(())
    } else {
        Err(format!("allowed but had no effect; replies {replies:?}"))
    }
}
