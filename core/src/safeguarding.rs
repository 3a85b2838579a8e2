//! Safeguarding escalation: opening an escalation, alerting the service's coordinators with an
//! Acknowledge button (SMS: `ACK <ref>`), re-alerting until someone acknowledges, widening to
//! deputies after a while, and the service's working hours that decide what the sender is
//! told about when a person will next respond.
//!
//! Alerts go at the highest priority and are never held for quiet hours. If a coordinator's
//! Telegram cannot be reached, the delivery worker falls back to their phone.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};

use crate::{
    clock::to_millis,
    domain::{Language, PersonId, Role},
    i18n::Localizer,
    store::{Escalation, NewOutbound, Priority, Service, StoreError, Tx},
};

/// Re-alert and widening intervals.
#[derive(Debug, Clone, Copy)]
pub struct EscalationPolicy {
    pub reprompt_every: Duration,
    pub deputy_after: Duration,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            reprompt_every: Duration::minutes(10),
            deputy_after: Duration::minutes(30),
        }
    }
}

/// Button data for acknowledging: `esc-ack:<id>`.
pub fn ack_button(id: i64) -> String {
    format!("esc-ack:{id}")
}

pub fn parse_ack_button(data: &str) -> Option<i64> {
    data.strip_prefix("esc-ack:")?.parse().ok()
}

/// Send (or re-send) the alert for `esc`: to every coordinator, and to deputies too when
/// `deputies` is set. Returns how many alerts were queued.
pub async fn alert(
    tx: &mut Tx,
    i18n: &Localizer,
    esc: &Escalation,
    deputies: bool,
    reprompt: bool,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let service = tx.service(crate::domain::ServiceId(esc.service_id)).await?;
    let subject = match esc.subject_person_id.or(esc.raised_by) {
        Some(p) => Some(tx.person(PersonId(p)).await?),
        None => None,
    };
    let raiser = match esc.raised_by {
        Some(p) if Some(p) != esc.subject_person_id => Some(tx.person(PersonId(p)).await?.display_name),
        _ => None,
    };
    let mut queued = 0;
    for c in tx.staff_contacts(service.id).await? {
        if c.role == Role::Deputy && !deputies {
            continue;
        }
        let lang = c.language;
        let minutes = (now.timestamp_millis() - esc.created_at) / 60_000;
        let name = subject.as_ref().map_or("someone", |p| p.display_name.as_str());
        // A wellbeing flag has no words of the person's: describe the rule instead.
        let text = if esc.source == "wellbeing-flag" {
            i18n.format(
                lang,
                "wellbeing-flag",
                &[("name", name.into()), ("reason", esc.categories.as_str().into())],
            )
        } else {
            esc.verbatim.clone().unwrap_or_default()
        };
        let body = i18n.format(
            lang,
            "escalation-alert",
            &[
                ("reference", esc.reference.as_str().into()),
                ("source", esc.source.as_str().into()),
                ("name", name.into()),
                ("raiser", raiser.as_deref().unwrap_or("none").into()),
                ("text", text.as_str().into()),
                ("reprompt", if reprompt { "yes" } else { "no" }.into()),
                ("minutes", minutes.into()),
            ],
        );
        let buttons = (c.channel == crate::domain::ChannelKind::Telegram)
            .then(|| vec![vec![(i18n.text(lang, "button-acknowledge"), ack_button(esc.id))]]);
        tx.enqueue(
            &NewOutbound {
                person_id: Some(c.person),
                identity_id: Some(c.identity),
                channel: c.channel,
                address: c.address.clone(),
                priority: Priority::Safeguarding,
                kind: if esc.source == "wellbeing-flag" {
                    "wellbeing-flag".into()
                } else {
                    "escalation-alert".into()
                },
                body,
                buttons,
                // A coordinator who typed STOP still gets safeguarding alerts for their service.
                ignore_opt_out: true,
                not_before: to_millis(now),
            },
            to_millis(now),
        )
        .await?;
        let kind = match (reprompt, c.role) {
            (_, Role::Deputy) => "deputy-alerted",
            (true, _) => "reprompted",
            (false, _) => "alerted",
        };
        tx.escalation_event(esc.id, kind, Some(c.person), Some(c.channel.as_str()), to_millis(now))
            .await?;
        queued += 1;
    }
    if queued == 0 {
        tracing::error!(escalation = %esc.reference, service = %service.id, "no coordinator can be reached for a safeguarding alert");
    }
    tx.alerted(esc.id, deputies, to_millis(now)).await?;
    Ok(queued)
}

fn hm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

fn weekday(s: &str) -> Option<Weekday> {
    s.trim().parse::<Weekday>().ok()
}

/// Is `day` one of the service's working days (`Mon-Fri`, `Mon,Wed,Fri`, `Mon-Sun`)?
pub fn works_on(spec: &str, day: Weekday) -> bool {
    spec.split(',').any(|part| match part.split_once('-') {
        Some((a, b)) => match (weekday(a), weekday(b)) {
            (Some(a), Some(b)) => {
                let (a, b, d) = (
                    a.num_days_from_monday(),
                    b.num_days_from_monday(),
                    day.num_days_from_monday(),
                );
                if a <= b { (a..=b).contains(&d) } else { d >= a || d <= b }
            }
            _ => false,
        },
        None => weekday(part) == Some(day),
    })
}

/// Is the service staffed at `t`?
pub fn in_working_hours(service: &Service, t: DateTime<Utc>) -> bool {
    let (Some(start), Some(end)) = (hm(&service.working_start), hm(&service.working_end)) else {
        return true;
    };
    let local = t.with_timezone(&service.timezone);
    works_on(&service.working_days, local.weekday()) && local.time() >= start && local.time() < end
}

/// When the service is next staffed (now, if it is).
pub fn next_working_time(service: &Service, t: DateTime<Utc>) -> DateTime<Utc> {
    if in_working_hours(service, t) {
        return t;
    }
    let Some(start) = hm(&service.working_start) else {
        return t;
    };
    let local = t.with_timezone(&service.timezone);
    for days in 0..8 {
        let date = local.date_naive() + Duration::days(days);
        if !works_on(&service.working_days, date.weekday()) {
            continue;
        }
        if let Some(open) = service.timezone.from_local_datetime(&date.and_time(start)).earliest()
            && open.with_timezone(&Utc) > t
        {
            return open.with_timezone(&Utc);
        }
    }
    t
}

/// The message a person gets the moment risk language is seen: crisis numbers, the helplines
/// that fit what they wrote, and (out of hours) when the service will next respond.
pub fn crisis_reply(i18n: &Localizer, lang: Language, extra: &str, known: bool, next_open: Option<String>) -> String {
    let mut body = i18n.format(
        lang,
        "crisis-reply",
        &[
            ("extra", extra.into()),
            ("known", if known { "yes" } else { "no" }.into()),
        ],
    );
    if let Some(when) = next_open {
        body.push(' ');
        body.push_str(&i18n.format(lang, "crisis-out-of-hours", &[("when", when.into())]));
    }
    body
}
