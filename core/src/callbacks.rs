//! Peer callbacks: offering a mentee's request to mentors who are available now, in fair
//! rotation (least recently given a callback first), with an Accept button (SMS: `TAKE <ref>`).
//! The mentee's number is never in an offer; whether the mentor who takes it sees the number
//! is the service's policy, and showing it is audited.

use chrono::{DateTime, Datelike, Utc};

use crate::{
    clock::to_millis,
    domain::{ChannelKind, PersonId},
    i18n::Localizer,
    store::{Callback, NewOutbound, Priority, Service, StoreError, Tx},
};

/// How many mentors one request is offered to at once.
pub const OFFER_TO: i64 = 3;

pub fn take_button(id: i64) -> String {
    format!("cb-take:{id}")
}

pub fn parse_take_button(data: &str) -> Option<i64> {
    data.strip_prefix("cb-take:")?.parse().ok()
}

/// Outcomes a mentor records after the call.
pub const OUTCOMES: [&str; 3] = ["called", "no-answer", "follow-up"];

/// `CALLED`, `NOANSWER`, `no answer`, `follow-up`… as one of [`OUTCOMES`].
pub fn parse_outcome(word: &str) -> Option<&'static str> {
    let w: String = word
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match w.as_str() {
        "called" | "done" => Some("called"),
        "noanswer" | "none" => Some("no-answer"),
        "followup" | "follow" => Some("follow-up"),
        _ => None,
    }
}

pub fn done_button(id: i64, outcome: &str) -> String {
    format!("cb-done:{id}:{outcome}")
}

pub fn parse_done_button(data: &str) -> Option<(i64, &'static str)> {
    let (id, outcome) = data.strip_prefix("cb-done:")?.split_once(':')?;
    Some((id.parse().ok()?, parse_outcome(outcome)?))
}

/// Offer `cb` to the mentors available now. Returns how many were offered it.
pub async fn offer(
    tx: &mut Tx,
    i18n: &Localizer,
    cb: &Callback,
    service: &Service,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let local = now.with_timezone(&service.timezone);
    let time = local.format("%H:%M").to_string();
    let mentee = tx.person(PersonId(cb.mentee_id)).await?;
    let mentors = tx
        .available_mentors(
            service.id,
            local.weekday().number_from_monday(),
            &time,
            mentee.id,
            OFFER_TO,
        )
        .await?;
    for m in &mentors {
        tx.offer_callback(cb.id, m.person, to_millis(now)).await?;
        let body = i18n.format(
            m.language,
            "callback-offer",
            &[
                ("reference", cb.reference.as_str().into()),
                ("name", mentee.display_name.as_str().into()),
                ("channel", m.channel.as_str().into()),
            ],
        );
        let buttons = (m.channel == ChannelKind::Telegram)
            .then(|| vec![vec![(i18n.text(m.language, "button-accept"), take_button(cb.id))]]);
        tx.enqueue(
            &NewOutbound {
                person_id: Some(m.person),
                identity_id: Some(m.identity),
                channel: m.channel,
                address: m.address.clone(),
                priority: Priority::Callback,
                kind: "callback-offer".into(),
                body,
                buttons,
                ignore_opt_out: false,
                not_before: to_millis(now),
            },
            to_millis(now),
        )
        .await?;
    }
    Ok(mentors.len())
}

/// Tell the service's coordinators about a request nobody has taken (or nobody could be
/// offered). Once per request.
pub async fn tell_coordinators(
    tx: &mut Tx,
    i18n: &Localizer,
    cb: &Callback,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if !tx.callback_coordinator_alerted(cb.id, to_millis(now)).await? {
        return Ok(0);
    }
    let mentee = tx.person(PersonId(cb.mentee_id)).await?;
    let staff = tx.staff_contacts(mentee.service_id).await?;
    for c in &staff {
        let body = i18n.format(
            c.language,
            "callback-unaccepted-staff",
            &[
                ("reference", cb.reference.as_str().into()),
                ("name", mentee.display_name.as_str().into()),
            ],
        );
        tx.enqueue(
            &c.message(Priority::Callback, "callback-unaccepted", body, None, to_millis(now)),
            to_millis(now),
        )
        .await?;
    }
    Ok(staff.len())
}
