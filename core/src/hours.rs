//! A service's hours, parsed once: the days and hours it is staffed, its quiet hours, and the
//! time of day policy supervision is planned at. Stored as text (`Mon-Fri`, `09:00`), they are
//! read into [`Hours`] when the service is loaded, so a bad value is an error naming it there,
//! never a silent "always staffed" or "midnight" later. Every answer that turns a local time
//! into an instant goes through [`crate::localtime::resolve`].

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::localtime;

/// A stored or typed hours setting that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {value:?} is not {expected}")]
pub struct HoursError {
    pub field: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Days of the week, as `Mon-Fri`, `Mon,Wed,Fri`, `Sat-Sun` or `Fri-Mon` (wrapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays([bool; 7]);

impl WorkingDays {
    pub fn parse(spec: &str) -> Result<WorkingDays, HoursError> {
        let bad = || HoursError {
            field: "working_days",
            value: spec.to_owned(),
            expected: "days such as Mon-Fri or Mon,Wed,Fri",
        };
        let day = |s: &str| s.trim().parse::<Weekday>().map_err(|_| bad());
        let mut days = [false; 7];
        for part in spec.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?.num_days_from_monday(), day(b)?.num_days_from_monday());
                    let mut d = a;
                    loop {
                        days[d as usize] = true;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                None => days[day(part)?.num_days_from_monday() as usize] = true,
            }
        }
        Ok(WorkingDays(days))
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0[day.num_days_from_monday() as usize]
    }

    /// The days as runs from Monday to Sunday (`Mon-Fri` is one run, `Mon,Wed` two), each as
    /// its first and last day numbered 1 (Monday) to 7: for saying them in a person's language.
    pub fn runs(&self) -> Vec<(u8, u8)> {
        let mut runs: Vec<(u8, u8)> = Vec::new();
        for (i, on) in self.0.iter().enumerate() {
            let n = u8::try_from(i + 1).unwrap_or(7);
            match runs.last_mut() {
                Some((_, last)) if *on && *last + 1 == n => *last = n,
                _ if *on => runs.push((n, n)),
                _ => {}
            }
        }
        runs
    }

    /// Exactly Monday to Friday?
    pub fn is_weekdays(&self) -> bool {
        self.0 == [true, true, true, true, true, false, false]
    }
}

/// A daily span of local time, `start` inclusive to `end` exclusive, wrapping past midnight
/// when `end` is earlier (quiet hours `21:00`-`08:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Span {
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// `HH:MM`, for a stored or typed setting named `field`.
pub fn time_of_day(field: &'static str, value: &str) -> Result<NaiveTime, HoursError> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| HoursError {
        field,
        value: value.to_owned(),
        expected: "a time of day (HH:MM)",
    })
}

/// A service's hours in its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub tz: Tz,
    pub days: WorkingDays,
    /// Staffed from `start` to `end` on working days (never wrapping past midnight).
    pub working: Span,
    /// `None` when quiet hours are off (the same start and end).
    pub quiet: Option<Span>,
    /// When policy 1:1 supervision is planned, on a working day.
    pub supervision_at: NaiveTime,
}

/// The stored text of a service's hours, as [`Hours::parse`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct HoursText<'a> {
    pub working_days: &'a str,
    pub working_start: &'a str,
    pub working_end: &'a str,
    pub quiet_start: &'a str,
    pub quiet_end: &'a str,
    pub supervision_time: &'a str,
}

impl Hours {
    pub fn parse(tz: Tz, text: HoursText<'_>) -> Result<Hours, HoursError> {
        let working = Span {
            start: time_of_day("working_start", text.working_start)?,
            end: time_of_day("working_end", text.working_end)?,
        };
        if working.start >= working.end {
            return Err(HoursError {
                field: "working_end",
                value: text.working_end.to_owned(),
                expected: "later than working_start",
            });
        }
        let quiet = Span {
            start: time_of_day("quiet_start", text.quiet_start)?,
            end: time_of_day("quiet_end", text.quiet_end)?,
        };
        Ok(Hours {
            tz,
            days: WorkingDays::parse(text.working_days)?,
            working,
            quiet: (quiet.start != quiet.end).then_some(quiet),
            supervision_at: time_of_day("supervision_time", text.supervision_time)?,
        })
    }

    /// Is the service staffed at `t`?
    pub fn staffed_at(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.tz);
        self.days.contains(local.weekday()) && self.working.contains(local.time())
    }

    /// When the service is next staffed (`t` itself if it is now). A service with no working
    /// day is never staffed: then `t`.
    pub fn next_staffed(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        if self.staffed_at(t) {
            return t;
        }
        let today = t.with_timezone(&self.tz).date_naive();
        (0..8)
            .map(|days| today + Duration::days(days))
            .filter(|d| self.days.contains(d.weekday()))
            .map(|d| localtime::resolve(self.tz, d.and_time(self.working.start)))
            .find(|open| *open > t)
            .unwrap_or(t)
    }

    /// The first instant at or after `t` outside quiet hours: when a scheduled, non-urgent
    /// message may go. (Safeguarding messages are never held: their callers do not ask.)
    pub fn after_quiet(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let Some(quiet) = self.quiet else { return t };
        let local = t.with_timezone(&self.tz);
        if !quiet.contains(local.time()) {
            return t;
        }
        // Quiet ends at `end` today if we are before it, else tomorrow.
        let date = if local.time() < quiet.end {
            local.date_naive()
        } else {
            local.date_naive() + Duration::days(1)
        };
        localtime::resolve(self.tz, date.and_time(quiet.end))
    }

    /// The whole hours a booking can start at: from opening to an hour before closing.
    pub fn booking_hours(&self) -> impl Iterator<Item = NaiveTime> {
        (self.working.start.hour()..self.working.end.hour()).filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hours(days: &str, working: (&str, &str), quiet: (&str, &str)) -> Hours {
        Hours::parse(
            London,
            HoursText {
                working_days: days,
                working_start: working.0,
                working_end: working.1,
                quiet_start: quiet.0,
                quiet_end: quiet.1,
                supervision_time: "15:00",
            },
        )
        .unwrap()
    }

    #[test]
    fn working_days_read_ranges_lists_and_wraps() {
        let d = WorkingDays::parse("Mon-Fri").unwrap();
        assert!(d.contains(Weekday::Mon) && d.contains(Weekday::Fri) && !d.contains(Weekday::Sat));
        let d = WorkingDays::parse("Fri-Mon").unwrap();
        assert!(d.contains(Weekday::Sun) && d.contains(Weekday::Mon) && !d.contains(Weekday::Tue));
        let d = WorkingDays::parse("Mon, Wed,Fri").unwrap();
        assert!(d.contains(Weekday::Wed) && !d.contains(Weekday::Tue));
        for bad in ["Mondays", "", "Mon-", "Mon-Xyz", "1-5"] {
            let e = WorkingDays::parse(bad).unwrap_err();
            assert_eq!(e.field, "working_days", "{bad}");
        }
    }

    #[test]
    fn days_read_back_as_runs() {
        assert_eq!(WorkingDays::parse("Mon-Fri").unwrap().runs(), [(1, 5)]);
        assert!(WorkingDays::parse("Mon-Fri").unwrap().is_weekdays());
        assert_eq!(
            WorkingDays::parse("Mon,Wed-Thu,Sun").unwrap().runs(),
            [(1, 1), (3, 4), (7, 7)]
        );
        assert!(!WorkingDays::parse("Mon-Sat").unwrap().is_weekdays());
    }

    #[test]
    fn a_bad_stored_value_is_an_error_naming_it() {
        let text = HoursText {
            working_days: "Mon-Fri",
            working_start: "9am",
            working_end: "17:00",
            quiet_start: "21:00",
            quiet_end: "08:00",
            supervision_time: "15:00",
        };
        let e = Hours::parse(London, text).unwrap_err();
        assert_eq!(e.to_string(), "working_start \"9am\" is not a time of day (HH:MM)");
        let e = Hours::parse(
            London,
            HoursText {
                working_start: "17:00",
                working_end: "09:00",
                ..text
            },
        )
        .unwrap_err();
        assert_eq!(e.field, "working_end");
        let e = Hours::parse(
            London,
            HoursText {
                working_start: "09:00",
                supervision_time: "",
                ..text
            },
        )
        .unwrap_err();
        assert_eq!(e.field, "supervision_time");
    }

    #[test]
    fn the_next_staffed_time_skips_nights_and_weekends() {
        let h = hours("Mon-Fri", ("09:00", "17:00"), ("21:00", "08:00"));
        // Friday 18:00 GMT -> Monday 09:00.
        assert_eq!(h.next_staffed(utc("2026-11-27T18:00:00Z")), utc("2026-11-30T09:00:00Z"));
        assert_eq!(h.next_staffed(utc("2026-11-30T10:00:00Z")), utc("2026-11-30T10:00:00Z"));
        assert!(!h.staffed_at(utc("2026-11-30T17:00:00Z")), "closing time is closed");
    }

    #[test]
    fn quiet_hours_end_at_their_end_through_midnight_and_daylight_saving() {
        let h = hours("Mon-Fri", ("09:00", "17:00"), ("21:00", "08:00"));
        assert_eq!(h.after_quiet(utc("2026-11-30T22:00:00Z")), utc("2026-12-01T08:00:00Z"));
        assert_eq!(h.after_quiet(utc("2026-12-01T06:00:00Z")), utc("2026-12-01T08:00:00Z"));
        assert_eq!(h.after_quiet(utc("2026-12-01T12:00:00Z")), utc("2026-12-01T12:00:00Z"));
        // Quiet hours that end at 01:30 on the spring-forward night end at 02:30 BST, as
        // every local time in the gap does.
        let h = hours("Mon-Fri", ("09:00", "17:00"), ("23:00", "01:30"));
        assert_eq!(h.after_quiet(utc("2026-03-28T23:30:00Z")), utc("2026-03-29T01:30:00Z"));
        // Off when start and end are the same.
        let h = hours("Mon-Fri", ("09:00", "17:00"), ("08:00", "08:00"));
        assert_eq!(h.quiet, None);
    }

    #[test]
    fn an_opening_time_in_the_gap_moves_forward_rather_than_skipping_the_day() {
        // A (Sunday-working) service opening at 01:30 on the spring-forward Sunday opens at
        // 02:30 BST that day, not on Monday.
        let h = hours("Sun", ("01:30", "05:00"), ("08:00", "08:00"));
        assert_eq!(h.next_staffed(utc("2026-03-29T00:10:00Z")), utc("2026-03-29T01:30:00Z"));
    }
}
