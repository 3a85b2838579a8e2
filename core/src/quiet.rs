//! Quiet hours: scheduled, non-urgent messages wait until the service's quiet hours end.
//! Safeguarding messages are never held (callers simply do not ask).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use crate::store::Service;

fn hm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// The first instant at or after `t` that is outside the service's quiet hours.
pub fn after_quiet_hours(service: &Service, t: DateTime<Utc>) -> DateTime<Utc> {
    let (Some(start), Some(end)) = (hm(&service.quiet_start), hm(&service.quiet_end)) else {
        return t;
    };
    if start == end {
        return t;
    }
    let local = t.with_timezone(&service.timezone);
    let time = local.time();
    let quiet = if start < end {
        time >= start && time < end
    } else {
        time >= start || time < end
    };
    if !quiet {
        return t;
    }
    // The quiet period ends at `end` today if we are before it, else tomorrow.
    let date = if time < end {
        local.date_naive()
    } else {
        local.date_naive() + Duration::days(1)
    };
    let wake = date.and_time(end);
    service
        .timezone
        .from_local_datetime(&wake)
        .earliest()
        // 08:00 never falls in a DST gap in practice; if it did, an hour later exists.
        .or_else(|| {
            service
                .timezone
                .from_local_datetime(&(wake + Duration::hours(1)))
                .earliest()
        })
        .map_or(t, |w| w.with_timezone(&Utc))
}
