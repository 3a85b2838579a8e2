//! Supervision cadence and the words around it. A mentor's first eight weeks on placement
//! have a 1:1 every two weeks; after that, a 1:1 every month (and the service's monthly group
//! session). Peerline plans the policy 1:1s itself so nobody misses supervision by accident;
//! coordinators can add, move or cancel sessions.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};

use crate::{
    domain::{AttendanceOutcome, ChannelKind, Language, SessionKind},
    i18n::Localizer,
    store::{Keyboard, Service},
};

/// Weeks of fortnightly supervision at the start of a placement.
pub const INTENSIVE_WEEKS: u64 = 8;

/// Move a weekend date to the following Monday: supervision happens on working days.
fn working_day(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d + Days::new(2),
        Weekday::Sun => d + Days::new(1),
        _ => d,
    }
}

/// The policy 1:1 dates for a placement starting on `start`, in order: weeks 2, 4, 6 and 8,
/// then monthly from week 8.
pub fn policy_dates(start: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let fortnightly = (1..=INTENSIVE_WEEKS / 2).map(move |k| start + Days::new(14 * k));
    let base = start + Days::new(7 * INTENSIVE_WEEKS);
    let monthly = (1u32..600).filter_map(move |m| base.checked_add_months(Months::new(m)));
    fortnightly.chain(monthly).map(working_day)
}

/// The first policy date strictly after `after`.
pub fn next_policy_date(start: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
    policy_dates(start).find(|d| *d > after)
}

/// How long a mentor may go between 1:1s before they are "due", in days.
pub fn cadence_days(start: NaiveDate, on: NaiveDate) -> i64 {
    if on < start + Days::new(7 * INTENSIVE_WEEKS) {
        14
    } else {
        31
    }
}

/// "Yes I can come" / "No I can't", as typed by SMS in English, Welsh or Polish.
pub fn parse_reply(text: &str) -> Option<bool> {
    match text.trim().trim_end_matches(['.', '!']).to_lowercase().as_str() {
        "yes" | "y" | "yep" | "yeah" | "ok" | "ie" | "iawn" | "tak" => Some(true),
        "no" | "n" | "nope" | "na" | "nac ydw" | "nie" => Some(false),
        _ => None,
    }
}

/// Button data for a mentor's answer: `sv:<session>:yes|no`.
pub fn reply_button(session: i64, yes: bool) -> String {
    format!("sv:{session}:{}", if yes { "yes" } else { "no" })
}

pub fn parse_reply_button(data: &str) -> Option<(i64, bool)> {
    let mut parts = data.strip_prefix("sv:")?.split(':');
    let id = parts.next()?.parse().ok()?;
    let yes = match parts.next()? {
        "yes" => true,
        "no" => false,
        _ => return None,
    };
    Some((id, yes))
}

/// Button data for a coordinator's record: `svr:<session>:<person>:attended|missed|cancelled`.
pub fn record_button(session: i64, person: i64, outcome: AttendanceOutcome) -> String {
    format!("svr:{session}:{person}:{outcome}")
}

pub fn parse_record_button(data: &str) -> Option<(i64, i64, AttendanceOutcome)> {
    let mut parts = data.strip_prefix("svr:")?.split(':');
    let session = parts.next()?.parse().ok()?;
    let person = parts.next()?.parse().ok()?;
    let outcome = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((session, person, outcome))
}

/// Whom a session booked from Telegram is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookWith {
    /// One mentor, by person id: a 1:1.
    Mentor(i64),
    /// Every active mentor of the service: a group session.
    Group,
}

/// One step of booking from Telegram, carried by its button: whom, then which day, then
/// what time (a time only ever follows a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub with: BookWith,
    pub day: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
}

/// Button data for a booking step: `svb:<mentor id|g>[:<YYYYMMDD>[:<HHMM>]]` (well inside
/// Telegram's 64 bytes).
pub fn booking_button(b: Booking) -> String {
    let mut data = match b.with {
        BookWith::Mentor(id) => format!("svb:{id}"),
        BookWith::Group => "svb:g".to_owned(),
    };
    if let Some(day) = b.day {
        data.push_str(&day.format(":%Y%m%d").to_string());
        if let Some(time) = b.time {
            data.push_str(&time.format(":%H%M").to_string());
        }
    }
    data
}

pub fn parse_booking_button(data: &str) -> Option<Booking> {
    let mut parts = data.strip_prefix("svb:")?.split(':');
    let with = match parts.next()? {
        "g" => BookWith::Group,
        id => BookWith::Mentor(id.parse().ok().filter(|id: &i64| *id > 0)?),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let day = match parts.next() {
        Some(d) if digits(d, 8) => Some(NaiveDate::parse_from_str(d, "%Y%m%d").ok()?),
        Some(_) => return None,
        None => None,
    };
    let time = match parts.next() {
        Some(t) if digits(t, 4) => Some(NaiveTime::parse_from_str(t, "%H%M").ok()?),
        Some(_) => return None,
        None => None,
    };
    if parts.next().is_some() || (day.is_none() && time.is_some()) {
        return None;
    }
    Some(Booking { with, day, time })
}

/// How many days ahead a coordinator can pick from when booking from Telegram.
pub const BOOKING_DAYS: usize = 10;

/// The days offered when booking: the service's next [`BOOKING_DAYS`] working days after `today`.
pub fn booking_days(service: &Service, today: NaiveDate) -> Vec<NaiveDate> {
    today
        .iter_days()
        .skip(1)
        .take(7 * 4)
        .filter(|d| service.hours.days.contains(d.weekday()))
        .take(BOOKING_DAYS)
        .collect()
}

/// The times offered on a day: on the hour, from when the service opens to an hour before it
/// closes.
pub fn booking_times(service: &Service) -> Vec<NaiveTime> {
    service.hours.booking_hours().collect()
}

/// A reminder with Confirm / Can't make it buttons (Telegram) or "reply YES or NO" (SMS).
pub struct Reminder {
    pub body: String,
    pub buttons: Option<Keyboard>,
    /// The place on its own, when it would not fit in the reminder: a long video link on SMS.
    /// It goes whole, as a second message (a link cannot be cut).
    pub place: Option<String>,
}

/// The reminder for a session. On SMS, when the reminder with its place would take more than
/// `max_segments` segments (the cap on scheduled messages), the reminder says the place
/// follows and the place goes as its own message, so the mentor is reminded either way.
#[allow(clippy::too_many_arguments)]
pub fn reminder_message(
    i18n: &Localizer,
    lang: Language,
    channel: ChannelKind,
    session: i64,
    kind: SessionKind,
    when: &str,
    place: Option<&str>,
    max_segments: u32,
) -> Reminder {
    let render = |placement: &str| {
        i18n.format(
            lang,
            "supervision-reminder",
            &[
                ("kind", kind.as_str().into()),
                ("when", when.into()),
                ("place", place.unwrap_or("none").into()),
                ("placement", placement.into()),
                ("channel", channel.as_str().into()),
            ],
        )
    };
    let inline = render("inline");
    let too_long = channel == ChannelKind::Sms && crate::sms::segments(&inline).parts > max_segments;
    let (body, place) = match place {
        Some(p) if too_long => (
            render("next"),
            Some(i18n.format(lang, "supervision-place", &[("place", p.into())])),
        ),
        _ => (inline, None),
    };
    let buttons = (channel == ChannelKind::Telegram).then(|| {
        vec![vec![
            (i18n.text(lang, "button-confirm"), reply_button(session, true)),
            (i18n.text(lang, "button-decline"), reply_button(session, false)),
        ]]
    });
    Reminder { body, buttons, place }
}

/// The coordinator's after-session prompt with Attended / Missed / Cancelled buttons.
pub fn record_prompt(
    i18n: &Localizer,
    lang: Language,
    channel: ChannelKind,
    session: i64,
    person: i64,
    name: &str,
    when: &str,
) -> (String, Option<Keyboard>) {
    let body = i18n.format(
        lang,
        "supervision-record-prompt",
        &[
            ("name", name.into()),
            ("when", when.into()),
            ("channel", channel.as_str().into()),
        ],
    );
    let buttons = (channel == ChannelKind::Telegram).then(|| {
        vec![
            AttendanceOutcome::ALL
                .iter()
                .map(|&o| {
                    (
                        i18n.text(lang, &format!("button-{o}")),
                        record_button(session, person, o),
                    )
                })
                .collect(),
        ]
    });
    (body, buttons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn booking_buttons_carry_each_step_and_nothing_else() {
        let t = NaiveTime::from_hms_opt(14, 0, 0);
        for (step, data) in [
            ((BookWith::Mentor(7), None, None), "svb:7"),
            ((BookWith::Group, Some(d("2026-12-03")), None), "svb:g:20261203"),
            ((BookWith::Mentor(7), Some(d("2026-12-03")), t), "svb:7:20261203:1400"),
        ] {
            let b = Booking {
                with: step.0,
                day: step.1,
                time: step.2,
            };
            assert_eq!(booking_button(b), data);
            assert_eq!(parse_booking_button(data), Some(b));
        }
        for bad in [
            "svb:",
            "svb:0",
            "svb:-3",
            "svb:x",
            "svb:7:2026123",
            "svb:7:20261332",
            "svb:7:20261203:2500",
            "svb:7:20261203:1400:1",
            "svb:7::1400",
            "sv:7:yes",
        ] {
            assert_eq!(parse_booking_button(bad), None, "{bad}");
        }
    }

    #[test]
    fn fortnightly_for_eight_weeks_then_monthly_on_working_days() {
        let dates: Vec<String> = policy_dates(d("2026-02-02")).take(7).map(|x| x.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2026-02-16",
                "2026-03-02",
                "2026-03-16",
                "2026-03-30",
                "2026-04-30",
                "2026-06-01",
                "2026-06-30"
            ]
        );
        assert_eq!(
            next_policy_date(d("2026-02-02"), d("2026-03-16")),
            Some(d("2026-03-30"))
        );
        assert_eq!(cadence_days(d("2026-02-02"), d("2026-03-01")), 14);
        assert_eq!(cadence_days(d("2026-02-02"), d("2026-04-01")), 31);
    }

    #[test]
    fn replies_and_buttons_parse() {
        for y in ["YES", "yes.", "Ie", "TAK", "y"] {
            assert_eq!(parse_reply(y), Some(true), "{y}");
        }
        for n in ["no", "NA", "Nie!", "n"] {
            assert_eq!(parse_reply(n), Some(false), "{n}");
        }
        assert_eq!(parse_reply("maybe"), None);
        assert_eq!(parse_reply_button(&reply_button(7, false)), Some((7, false)));
        assert_eq!(
            parse_record_button(&record_button(7, 3, AttendanceOutcome::Missed)),
            Some((7, 3, AttendanceOutcome::Missed))
        );
        assert_eq!(parse_record_button("svr:7:3:partied"), None);
    }
}

/// What recording an outcome led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub mentor_name: String,
    pub starts_at: i64,
    /// A miss: the coordinator should rebook within 7 days.
    pub rebook: bool,
    /// The second miss in a row: a review flag was raised.
    pub review: bool,
}

/// Record attended / missed / cancelled for one mentor's session; a miss after a miss raises
/// a review flag. `None` when the session or attendee does not exist in `service`.
pub async fn record_outcome(
    tx: &mut crate::store::Tx,
    service: crate::domain::ServiceId,
    session: i64,
    mentor: crate::domain::PersonId,
    outcome: AttendanceOutcome,
    by: Option<crate::domain::PersonId>,
    now: i64,
) -> Result<Option<Recorded>, crate::store::StoreError> {
    let Some(row) = tx.record_outcome(service, session, mentor, outcome, by, now).await? else {
        return Ok(None);
    };
    let person = tx.person(mentor).await?;
    let missed = outcome == AttendanceOutcome::Missed;
    let review = missed && tx.previous_outcome(mentor, row.starts_at).await? == Some(AttendanceOutcome::Missed);
    if review {
        tx.add_flag(mentor, service, None, "supervision-missed-twice", now)
            .await?;
    }
    tx.audit(crate::store::AuditEntry {
        at: now,
        service_id: Some(service),
        actor_person_id: by,
        actor_label: if by.is_some() { "telegram" } else { "cli" },
        action: "supervision.record",
        subject_person_id: Some(mentor),
        detail: Some(format!("session {session}: {outcome}")),
    })
    .await?;
    Ok(Some(Recorded {
        mentor_name: person.display_name,
        starts_at: row.starts_at,
        rebook: missed,
        review,
    }))
}
