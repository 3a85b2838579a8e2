//! Safeguarding escalation: opening an escalation, alerting the service's coordinators with an
//! Acknowledge button (SMS: `ACK <ref>`), re-alerting until someone acknowledges, widening to
//! deputies after a while, and the service's working hours that decide what the sender is
//! told about when a person will next respond.
//!
//! Alerts go at the highest priority and are never held for quiet hours. If a coordinator's
//! Telegram cannot be reached, the delivery worker falls back to their phone.

use chrono::{DateTime, Duration, Utc};

use crate::{
    clock::to_millis,
    domain::{EscalationSource, Language, Nation, PersonId, Role, ServiceId},
    i18n::{FluentValue, Localizer},
    quote,
    store::{Escalation, NewOutbound, Priority, Safeguard, StoreError, Tx, Undelivered},
};

/// Re-alert and widening intervals.
#[derive(Debug, Clone, Copy)]
pub struct EscalationPolicy {
    pub reprompt_every: Duration,
    pub deputy_after: Duration,
    /// An open escalation none of whose alerts a provider has accepted this long after it
    /// opened is reported to every member of staff on every channel they have.
    pub undelivered_after: Duration,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            reprompt_every: Duration::minutes(10),
            deputy_after: Duration::minutes(30),
            undelivered_after: Duration::minutes(3),
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
    let service = tx.service(ServiceId(esc.service_id)).await?;
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
        let name = quote::clean(name);
        let raiser = raiser.as_deref().map(quote::clean);
        let args = |text: &str, cut: bool| -> Vec<(&'static str, FluentValue<'static>)> {
            vec![
                ("reference", esc.reference.clone().into()),
                ("source", esc.source.as_str().into()),
                ("name", name.clone().into()),
                ("raiser", raiser.clone().unwrap_or_else(|| "none".into()).into()),
                ("text", text.to_owned().into()),
                ("cut", if cut { "yes" } else { "no" }.into()),
                ("reprompt", if reprompt { "yes" } else { "no" }.into()),
                ("minutes", minutes.into()),
            ]
        };
        // A wellbeing flag has no words of the person's: describe the rule instead. Anything
        // else quotes the person's words, as much as fits one message on the coordinator's
        // channel; the whole text stays in the escalation for /history.
        let body = if esc.source == EscalationSource::WellbeingFlag {
            let rule = i18n.format(
                lang,
                "wellbeing-flag",
                &[
                    ("name", name.as_str().into()),
                    ("reason", esc.categories.as_str().into()),
                ],
            );
            i18n.format(lang, "escalation-alert", &args(&rule, false))
        } else {
            quote::build_quoting(c.channel, esc.verbatim.as_deref().unwrap_or_default(), |q, cut| {
                i18n.format(lang, "escalation-alert", &args(q, cut))
            })
        };
        let short = i18n.format(lang, "escalation-alert-short", &args("", false));
        let buttons = (c.channel == crate::domain::ChannelKind::Telegram)
            .then(|| vec![vec![(i18n.text(lang, "button-acknowledge"), ack_button(esc.id))]]);
        tx.enqueue_with(
            &NewOutbound {
                person_id: Some(c.person),
                identity_id: Some(c.identity),
                channel: c.channel,
                address: c.address.clone(),
                priority: Priority::Safeguarding,
                kind: if esc.source == EscalationSource::WellbeingFlag {
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
            &Safeguard {
                escalation_id: Some(esc.id),
                short_body: Some(&short),
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

/// The message a person gets the moment risk language is seen: crisis numbers, the helplines
/// that fit what they wrote, and (out of hours) when the service will next respond.
/// `nation` picks the lines: the service's nation, or England for someone not yet enrolled.
pub fn crisis_reply(
    i18n: &Localizer,
    lang: Language,
    nation: Nation,
    extra: &str,
    known: bool,
    next_open: Option<String>,
) -> String {
    let mut body = i18n.format(
        lang,
        "crisis-reply",
        &[
            ("extra", extra.into()),
            ("known", if known { "yes" } else { "no" }.into()),
            ("nation", nation.as_str().into()),
        ],
    );
    if let Some(when) = next_open {
        body.push(' ');
        body.push_str(&i18n.format(lang, "crisis-out-of-hours", &[("when", when.into())]));
    }
    body
}

/// Queue message `kind`, worded by `body` in each person's language, to every reachable
/// identity of every coordinator and deputy of `service` but `except`, on every channel they
/// have: for when the usual way has failed. Returns how many messages were queued.
async fn tell_all_staff(
    tx: &mut Tx,
    service: ServiceId,
    except: Option<PersonId>,
    (kind, body): (&str, impl Fn(Language) -> String),
    escalation_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    for c in tx.staff_identities(service).await? {
        if Some(c.person) == except {
            continue;
        }
        let body = body(c.language);
        tx.enqueue_with(
            &NewOutbound {
                person_id: Some(c.person),
                identity_id: Some(c.identity),
                channel: c.channel,
                address: c.address.clone(),
                priority: Priority::Safeguarding,
                kind: kind.to_owned(),
                body,
                buttons: None,
                ignore_opt_out: true,
                not_before: to_millis(now),
            },
            &Safeguard {
                escalation_id,
                short_body: None,
            },
            to_millis(now),
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// A safeguarding message ended `failed` or `dead` with no other way to its recipient: tell
/// every other coordinator and deputy of the service, on every channel they have. A notice
/// of this kind that fails itself is only logged (there is nobody left to tell by Peerline).
/// Returns how many notices were queued.
pub async fn report_undelivered(
    tx: &mut Tx,
    i18n: &Localizer,
    msg: &Undelivered,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let notice = msg.kind.starts_with("alert-undelivered") || msg.kind.starts_with("alert-unreached");
    let escalation = match msg.escalation_id {
        // Gone (erased with its person): the notice is still sent, without its reference.
        Some(id) => tx.escalation(id).await?,
        None => None,
    };
    let person = match msg.person_id {
        Some(p) => Some(tx.person(p).await?),
        None => None,
    };
    let service = escalation
        .as_ref()
        .map(|e| ServiceId(e.service_id))
        .or(person.as_ref().map(|p| p.service_id));
    tracing::error!(id = %msg.id, kind = %msg.kind, channel = %msg.channel, status = msg.status.as_str(),
        escalation = ?escalation.as_ref().map(|e| e.reference.as_str()),
        "safeguarding message not delivered");
    metrics::counter!("peerline_safeguarding_undelivered_total", "kind" => if notice { "notice" } else { "message" })
        .increment(1);
    tx.mark_followed_up(msg.id, to_millis(now)).await?;
    let (Some(service), false) = (service, notice) else {
        return Ok(0);
    };
    let what = if msg.kind.starts_with("crisis-reply") {
        "crisis"
    } else if escalation.is_some() {
        "alert"
    } else {
        "other"
    };
    let reference = escalation.as_ref().map_or_else(String::new, |e| e.reference.clone());
    let name = person
        .as_ref()
        .map_or_else(|| "someone".to_owned(), |p| quote::clean(&p.display_name));
    let body = |lang| {
        i18n.format(
            lang,
            "alert-undelivered",
            &[
                ("what", what.into()),
                ("reference", reference.as_str().into()),
                ("name", name.as_str().into()),
                ("channel", msg.channel.as_str().into()),
            ],
        )
    };
    let queued = tell_all_staff(
        tx,
        service,
        msg.person_id,
        ("alert-undelivered", body),
        msg.escalation_id,
        now,
    )
    .await?;
    if let Some(e) = &escalation {
        tx.escalation_event(
            e.id,
            "alert-failed",
            msg.person_id,
            Some(msg.channel.as_str()),
            to_millis(now),
        )
        .await?;
    }
    Ok(queued)
}

/// No alert of `esc` has been accepted by a provider for anyone since it opened: tell every
/// coordinator and deputy on every channel they have, once. Returns how many were queued.
pub async fn report_unreached(
    tx: &mut Tx,
    i18n: &Localizer,
    esc: &Escalation,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let minutes = (to_millis(now) - esc.created_at) / 60_000;
    let name = match esc.subject_person_id.or(esc.raised_by) {
        Some(p) => quote::clean(&tx.person(PersonId(p)).await?.display_name),
        None => "someone".to_owned(),
    };
    let body = |lang| {
        i18n.format(
            lang,
            "alert-unreached",
            &[
                ("reference", esc.reference.as_str().into()),
                ("name", name.as_str().into()),
                ("minutes", minutes.into()),
            ],
        )
    };
    let queued = tell_all_staff(
        tx,
        ServiceId(esc.service_id),
        None,
        ("alert-unreached", body),
        Some(esc.id),
        now,
    )
    .await?;
    tx.mark_undelivered(esc.id, to_millis(now)).await?;
    tracing::error!(escalation = %esc.reference, service = esc.service_id, minutes, staff_told = queued,
        "no safeguarding alert has reached a coordinator");
    metrics::counter!("peerline_safeguarding_unreached_total").increment(1);
    Ok(queued)
}
