//! The one place a local wall-clock time becomes an instant. Everything that does so (cron
//! schedules, quiet hours ending, the next working time, a supervision session typed as
//! "Tuesday 15:30") calls [`resolve`], so a daylight-saving day is handled one way everywhere:
//! a time in the spring-forward gap moves forward by the gap's length (01:30 in London becomes
//! 02:30 BST), and a time in the autumn fold takes the earlier of its two instants.
//!
//! The `cron` crate's zoned iterator skips a 01:30 job on the spring-forward day and runs it
//! twice on the fall-back day, so [`LocalSchedule`] evaluates the expression on naive local
//! times and resolves each through [`resolve`], exactly once.

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, thiserror::Error)]
#[error("invalid schedule {expr:?}: {reason}")]
pub struct ScheduleError {
    pub expr: String,
    pub reason: String,
}

/// A cron expression (`sec min hour day-of-month month day-of-week`, day names not numbers)
/// evaluated in a time zone.
#[derive(Debug, Clone)]
pub struct LocalSchedule {
    schedule: cron::Schedule,
    tz: Tz,
}

impl LocalSchedule {
    /// Refused, in one line saying what to write instead: a 5-field (Unix) expression, since
    /// this cron has seconds first; and numbered days of the week, since the `cron` crate
    /// counts 1 as Sunday, so `1-5` would mean Sunday to Thursday, not what a Unix cron user
    /// means. Day names (`Mon`, `Mon-Fri`) mean the same to everyone.
    pub fn parse(expr: &str, tz: Tz) -> Result<Self, ScheduleError> {
        let refuse = |reason: &str| ScheduleError {
            expr: expr.to_owned(),
            reason: reason.to_owned(),
        };
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() == 5 {
            return Err(refuse(
                "Peerline's schedules have seconds first (sec min hour day-of-month month day-of-week), \
                 so a Unix-style \"0 10 * * Mon\" is written \"0 0 10 * * Mon\"",
            ));
        }
        if let Some(days) = fields.get(5) {
            // Digits after `/` are a step, not days.
            let numbered = days
                .split(',')
                .map(|item| item.split('/').next().unwrap_or_default())
                .any(|day| day.chars().any(|c| c.is_ascii_digit()));
            if numbered {
                return Err(refuse(
                    "write days of the week as names (Mon, Mon-Fri, Sat,Sun), not numbers: numbers mean \
                     different days to different crons",
                ));
            }
        }
        let schedule = cron::Schedule::from_str(expr).map_err(|e| refuse(&e.to_string()))?;
        Ok(Self { schedule, tz })
    }

    /// Occurrences strictly after `after`, as instants, in order, each exactly once.
    pub fn after(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        // Walk naive local times as if they were UTC, starting a day early so that a local
        // time that resolves after `after` is not missed near a DST change.
        let start_local = after.with_timezone(&self.tz).naive_local() - Duration::days(1);
        let naive_start = Utc.from_utc_datetime(&start_local);
        // Two local times can resolve to one instant (an hourly job's 01:00 in the gap moves
        // to the instant 02:00 already names): that instant comes once.
        let mut last = None;
        self.schedule
            .after(&naive_start)
            .map(|t| self.resolve(t.naive_utc()))
            .filter(move |t| *t > after)
            .filter(move |t| {
                let new = last != Some(*t);
                last = Some(*t);
                new
            })
    }

    /// One instant for a local wall-clock time.
    pub fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
        resolve(self.tz, local)
    }
}

/// One instant for a local wall-clock time in `tz`: a time in the spring-forward gap moves
/// forward by the gap's length; a time in the autumn fold takes the earlier instant.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // In the spring-forward gap: read the time with the offset in force just
            // before the gap, which moves it forward by the gap's length (01:30 in
            // Europe/London becomes 02:30 BST). Gaps are at most a few hours long.
            let before = tz.from_local_datetime(&(local - Duration::hours(6))).earliest();
            let offset = before.map_or(0, |b| b.offset().fix().local_minus_utc());
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_0130_job_runs_once_on_each_dst_day_in_london() {
        let s = LocalSchedule::parse("0 30 1 * * *", chrono_tz::Europe::London).unwrap();
        // Spring forward: Sunday 29 March 2026, 01:00 GMT -> 02:00 BST. 01:30 does not exist.
        let spring: Vec<_> = s.after(utc("2026-03-28T12:00:00Z")).take(3).collect();
        assert_eq!(
            spring,
            [
                utc("2026-03-29T01:30:00Z"),
                utc("2026-03-30T00:30:00Z"),
                utc("2026-03-31T00:30:00Z")
            ]
        );
        // Fall back: Sunday 25 October 2026, 02:00 BST -> 01:00 GMT. 01:30 happens twice.
        let autumn: Vec<_> = s.after(utc("2026-10-24T12:00:00Z")).take(3).collect();
        assert_eq!(
            autumn,
            [
                utc("2026-10-25T00:30:00Z"),
                utc("2026-10-26T01:30:00Z"),
                utc("2026-10-27T01:30:00Z")
            ]
        );
    }

    #[test]
    fn gap_times_move_forward_by_the_gap() {
        let s = LocalSchedule::parse("0 0 10 * * Mon", chrono_tz::Europe::London).unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        // 01:30 local on spring-forward day is read as 02:30 BST = 01:30 UTC.
        assert_eq!(s.resolve(local), utc("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn weekly_monday_1000_stays_at_local_ten_across_the_change() {
        let s = LocalSchedule::parse("0 0 10 * * Mon", chrono_tz::Europe::London).unwrap();
        let got: Vec<_> = s.after(utc("2026-03-20T00:00:00Z")).take(2).collect();
        assert_eq!(got, [utc("2026-03-23T10:00:00Z"), utc("2026-03-30T09:00:00Z")]);
    }

    #[test]
    fn numbered_days_and_unix_style_expressions_are_refused_saying_what_to_write() {
        let london = chrono_tz::Europe::London;
        for numbered in ["0 0 10 * * 1", "0 0 10 * * 1-5", "0 0 10 * * Mon,3"] {
            let e = LocalSchedule::parse(numbered, london).unwrap_err();
            assert!(e.to_string().contains("as names (Mon, Mon-Fri"), "{e}");
        }
        let e = LocalSchedule::parse("0 10 * * Mon", london).unwrap_err();
        assert!(e.to_string().contains("seconds first"), "{e}");
        assert!(!e.to_string().contains("month name"), "{e}");
        // Names and steps are fine.
        for ok in [
            "0 0 10 * * Mon",
            "0 0 10 * * Mon-Fri",
            "0 0 10 * * Sat,Sun",
            "0 0 */2 * * *",
        ] {
            assert!(LocalSchedule::parse(ok, london).is_ok(), "{ok}");
        }
    }

    #[test]
    fn an_hourly_job_runs_once_per_instant_on_the_spring_forward_day() {
        let s = LocalSchedule::parse("0 0 * * * *", chrono_tz::Europe::London).unwrap();
        let got: Vec<_> = s.after(utc("2026-03-28T23:30:00Z")).take(3).collect();
        // 00:00 GMT, then 01:00 (in the gap, moved to 02:00 BST = 01:00 UTC), then 03:00 BST.
        assert_eq!(
            got,
            [
                utc("2026-03-29T00:00:00Z"),
                utc("2026-03-29T01:00:00Z"),
                utc("2026-03-29T02:00:00Z")
            ]
        );
    }

    #[test]
    fn bad_expressions_are_errors() {
        assert!(LocalSchedule::parse("30 1 * * *", chrono_tz::Europe::London).is_err());
        assert!(LocalSchedule::parse("every day", chrono_tz::Europe::London).is_err());
    }
}
