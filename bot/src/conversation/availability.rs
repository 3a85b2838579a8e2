//! When a mentor takes callbacks: the weekly windows they give by `/available` (or `AVAILABLE`
//! by text, or the CLI), read the way people type them on a phone, and printed back.
//!
//! `Mon-Fri 18:00-21:00`, `sat sun 10am-1pm`, `Llun-Gwener 6-9pm`, `pon, śr 18-21`,
//! `weekdays 9-12 13:30-17`: days in English, Welsh or Polish (full or short), ranges with a
//! hyphen or "to", lists with spaces or commas, hours in 24-hour or am/pm form. A window that
//! runs past midnight is split at it. Anything not understood is named back to the person
//! rather than guessed at.

pub use peerline_core::store::Window;

use peerline_core::text::keyword_form;

/// Why a spec could not be read; each names the words at fault, as the person typed them
/// (accents folded, upper case).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("{0:?} is not a day")]
    NotADay(String),
    #[error("{0:?} is not a time range such as 18:00-21:00")]
    NotHours(String),
    #[error("{0:?}: which days?")]
    HoursWithoutDays(String),
    #[error("{0:?}: which hours?")]
    DaysWithoutHours(String),
    #[error("nothing to read")]
    Empty,
    #[error("more than {MAX_WINDOWS} windows")]
    TooMany,
}

impl SpecError {
    /// The words at fault, if any.
    pub fn words(&self) -> Option<&str> {
        match self {
            SpecError::NotADay(w)
            | SpecError::NotHours(w)
            | SpecError::HoursWithoutDays(w)
            | SpecError::DaysWithoutHours(w) => Some(w),
            SpecError::Empty | SpecError::TooMany => None,
        }
    }
}

/// More than this is a typo, not a week.
const MAX_WINDOWS: usize = 50;

/// Words that clear someone's availability.
const OFF_WORDS: &[&str] = &["OFF", "NONE", "CLEAR", "DIM", "BRAK"];

/// Day names, folded as [`normalise`] folds them: English, Welsh, Polish; full and short.
const DAYS: [&[&str]; 7] = [
    &["MON", "MONDAY", "LLUN", "PON", "PN", "PONIEDZIALEK"],
    &["TUE", "TUES", "TUESDAY", "MAW", "MAWRTH", "WT", "WTOREK"],
    &["WED", "WEDS", "WEDNESDAY", "MER", "MERCHER", "SR", "SRODA"],
    &["THU", "THUR", "THURS", "THURSDAY", "IAU", "CZW", "CZWARTEK"],
    &["FRI", "FRIDAY", "GWE", "GWENER", "PT", "PIATEK"],
    &["SAT", "SATURDAY", "SAD", "SADWRN", "SOB", "SOBOTA"],
    &["SUN", "SUNDAY", "SUL", "ND", "NDZ", "NIEDZ", "NIEDZIELA"],
];

/// Words for several days at once.
const DAY_SETS: &[(&str, &[u32])] = &[
    ("WEEKDAYS", &[1, 2, 3, 4, 5]),
    ("WEEKENDS", &[6, 7]),
    ("WEEKEND", &[6, 7]),
    ("DAILY", &[1, 2, 3, 4, 5, 6, 7]),
    ("EVERYDAY", &[1, 2, 3, 4, 5, 6, 7]),
];

/// English day names, for the audit log and the command line.
pub fn english_day(weekday: u32) -> String {
    DAYS.get(weekday.wrapping_sub(1) as usize)
        .and_then(|names| names.first())
        .map_or_else(
            || weekday.to_string(),
            |n| n[..1].to_owned() + &n[1..].to_ascii_lowercase(),
        )
}

/// Words people put in that carry nothing here ("dydd Llun" is Welsh for Monday).
const FILLER: &[&str] = &["DYDD", "AND", "FROM", "ON"];

/// Does `spec` ask to clear availability?
pub fn is_off(spec: &str) -> bool {
    OFF_WORDS.contains(&keyword_form(spec).as_str())
}

/// Does `spec` start like availability (a day, or OFF), rather than like a sentence?
pub fn looks_like_spec(spec: &str) -> bool {
    is_off(spec) || tokens(spec).first().is_some_and(|t| day_token(t).is_ok())
}

/// Read a spec into windows, sorted, without duplicates.
pub fn parse(spec: &str) -> Result<Vec<Window>, SpecError> {
    let tokens = tokens(spec);
    if tokens.is_empty() {
        return Err(SpecError::Empty);
    }
    let mut windows = Vec::new();
    // The days the hours that follow apply to, and whether any hours have followed yet.
    let mut days: Vec<u32> = Vec::new();
    let mut days_words = String::new();
    let mut had_hours = false;
    for token in tokens {
        if token.bytes().any(|b| b.is_ascii_digit()) {
            if days.is_empty() {
                return Err(SpecError::HoursWithoutDays(token));
            }
            let (start, end) = hours(&token).ok_or_else(|| SpecError::NotHours(token.clone()))?;
            for &day in &days {
                push_window(&mut windows, day, start, end);
            }
            had_hours = true;
        } else {
            if had_hours {
                days.clear();
                days_words.clear();
                had_hours = false;
            }
            days.extend(day_token(&token)?);
            if !days_words.is_empty() {
                days_words.push(' ');
            }
            days_words.push_str(&token);
        }
    }
    if !had_hours {
        return Err(SpecError::DaysWithoutHours(days_words));
    }
    windows.sort();
    windows.dedup();
    if windows.len() > MAX_WINDOWS {
        return Err(SpecError::TooMany);
    }
    Ok(windows)
}

/// Folded words, with ranges typed with spaces ("Mon - Fri", "6 to 9pm") joined into one
/// token, and filler words dropped.
fn tokens(spec: &str) -> Vec<String> {
    // "Mon - Fri": the hyphen would be dropped as punctuation on its own.
    let spec = spec.replace(['–', '—'], "-");
    let spec = spec.split('-').map(str::trim).collect::<Vec<_>>().join("-");
    let norm = keyword_form(&spec);
    let mut out: Vec<String> = Vec::new();
    let mut join_next = false;
    for word in norm.split([' ', ',', ';']).filter(|w| !w.is_empty()) {
        if word == "-" || word == "TO" {
            join_next = true;
            continue;
        }
        if FILLER.contains(&word) {
            continue;
        }
        let word = word.to_owned();
        match out.last_mut() {
            Some(last) if join_next || last.ends_with('-') || word.starts_with('-') => {
                if !last.ends_with('-') && !word.starts_with('-') {
                    last.push('-');
                }
                last.push_str(&word);
            }
            _ => out.push(word),
        }
        join_next = false;
    }
    out
}

/// A day's number from its name; a trailing full stop is allowed (Polish "pon.").
fn day_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    DAYS.iter()
        .position(|names| names.contains(&word))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The days a day word names: one day, a set ("weekdays"), or a range ("Mon-Fri", "Fri-Mon").
fn day_token(token: &str) -> Result<Vec<u32>, SpecError> {
    if let Some((_, set)) = DAY_SETS.iter().find(|(w, _)| *w == token) {
        return Ok(set.to_vec());
    }
    let not_a_day = || SpecError::NotADay(token.to_owned());
    match token.split_once('-') {
        Some((a, b)) => {
            let (first, last) = (
                day_number(a).ok_or_else(not_a_day)?,
                day_number(b).ok_or_else(not_a_day)?,
            );
            let mut day = first;
            let mut out = vec![day];
            while day != last {
                day = day % 7 + 1;
                out.push(day);
            }
            Ok(out)
        }
        None => day_number(token).map(|d| vec![d]).ok_or_else(not_a_day),
    }
}

/// Minutes after midnight, from `18`, `18:30`, `18.30`, `1830`, `6pm`, `6:30PM`. Hours alone
/// or with am/pm; `None` when it is not a time. `pm` is whether the time said so, if it did.
fn clock_time(s: &str) -> Option<(u32, Option<bool>)> {
    let (digits, pm) = if let Some(d) = s.strip_suffix("AM") {
        (d, Some(false))
    } else if let Some(d) = s.strip_suffix("PM") {
        (d, Some(true))
    } else {
        (s, None)
    };
    // Digits and separators only: anything else is not a time (and slicing below is by byte).
    if !digits.is_ascii() {
        return None;
    }
    let (h, m) = match digits.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "00"),
    };
    if h.is_empty() || h.len() > 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 {
        return None;
    }
    let h = match pm {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ if h > 24 || (h == 24 && m > 0) => return None,
        _ => h,
    };
    Some((h * 60 + m, pm))
}

/// A range such as `18:00-21:00` or `6-9pm`, as minutes after midnight. A start without am/pm
/// takes the end's when that keeps it before the end (`6-9pm` is 18:00-21:00, `11-1pm` is
/// 11:00-13:00). An end of midnight is the end of the day.
fn hours(token: &str) -> Option<(u32, u32)> {
    let (a, b) = token.split_once('-')?;
    let (end, end_pm) = clock_time(b)?;
    let (mut start, start_pm) = clock_time(a)?;
    if start_pm.is_none()
        && end_pm.is_some()
        && let Some((with_suffix, _)) = clock_time(&format!("{a}{}", if end_pm == Some(true) { "PM" } else { "AM" }))
        && with_suffix < end
    {
        start = with_suffix;
    }
    let end = if end == 0 { 24 * 60 } else { end };
    (start != end && start < 24 * 60).then_some((start, end))
}

/// Add `day`'s window, split at midnight into the next day when it runs past it.
fn push_window(windows: &mut Vec<Window>, day: u32, start: u32, end: u32) {
    let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    if start < end {
        windows.push(Window::new(day, &hm(start), &hm(end)));
    } else {
        windows.push(Window::new(day, &hm(start), &hm(24 * 60)));
        if end > 0 {
            windows.push(Window::new(day % 7 + 1, &hm(0), &hm(end)));
        }
    }
}

/// Windows as people read them, with `day` naming each weekday: days with the same hours
/// together, runs of days as ranges: `Mon-Fri 18:00-21:00, Sat 10:00-12:00`.
pub fn describe(windows: &[Window], day: impl Fn(u32) -> String) -> String {
    // Each distinct set of hours a day has (start, end pairs), with the days that have it, in
    // the order of its first day.
    type Hours<'a> = Vec<(&'a str, &'a str)>;
    let mut groups: Vec<(Hours<'_>, Vec<u32>)> = Vec::new();
    for weekday in 1..=7 {
        let hours: Vec<(&str, &str)> = windows
            .iter()
            .filter(|w| w.weekday == weekday)
            .map(|w| (w.start.as_str(), w.end.as_str()))
            .collect();
        if hours.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(h, _)| *h == hours) {
            Some((_, days)) => days.push(weekday),
            None => groups.push((hours, vec![weekday])),
        }
    }
    groups
        .iter()
        .map(|(hours, days)| {
            let hours: Vec<String> = hours.iter().map(|(s, e)| format!("{s}-{e}")).collect();
            format!("{} {}", day_runs(days, &day), hours.join(" "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[1, 2, 3, 5]` → `Mon-Wed Fri`.
fn day_runs(days: &[u32], day: &impl Fn(u32) -> String) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &d in days {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == d => *last = d,
            _ => runs.push((d, d)),
        }
    }
    runs.iter()
        .map(|&(a, b)| match b - a {
            0 => day(a),
            1 => format!("{} {}", day(a), day(b)),
            _ => format!("{}-{}", day(a), day(b)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(weekday: u32, start: &str, end: &str) -> Window {
        Window::new(weekday, start, end)
    }

    fn every(days: &[u32], start: &str, end: &str) -> Vec<Window> {
        days.iter().map(|d| w(*d, start, end)).collect()
    }

    #[test]
    fn specs_as_people_type_them() {
        let weekdays = [1, 2, 3, 4, 5];
        let cases: Vec<(&str, Vec<Window>)> = vec![
            ("Mon-Fri 18:00-21:00", every(&weekdays, "18:00", "21:00")),
            ("mon - fri 18:00 - 21:00", every(&weekdays, "18:00", "21:00")),
            ("Monday to Friday 6pm to 9pm", every(&weekdays, "18:00", "21:00")),
            ("weekdays 6-9pm", every(&weekdays, "18:00", "21:00")),
            ("Mon–Fri 1800-2100", every(&weekdays, "18:00", "21:00")),
            ("sat, sun 10am-1pm", every(&[6, 7], "10:00", "13:00")),
            ("Sat 11-1pm", vec![w(6, "11:00", "13:00")]),
            ("Sat 9.30-12", vec![w(6, "09:30", "12:00")]),
            ("dydd Llun-Gwener 6-9pm", every(&weekdays, "18:00", "21:00")),
            ("Sadwrn Sul 10:00-12:00", every(&[6, 7], "10:00", "12:00")),
            ("pon, śr 18-21", every(&[1, 3], "18:00", "21:00")),
            ("pon.-pt. 18:00-21:00", every(&weekdays, "18:00", "21:00")),
            ("Poniedziałek-Piątek 18-21", every(&weekdays, "18:00", "21:00")),
            ("niedziela 12am-2am", vec![w(7, "00:00", "02:00")]),
            ("Fri-Mon 12-14", every(&[1, 5, 6, 7], "12:00", "14:00")),
            (
                "Mon Wed 9-12 13:30-17 Sat 10-12",
                vec![
                    w(1, "09:00", "12:00"),
                    w(1, "13:30", "17:00"),
                    w(3, "09:00", "12:00"),
                    w(3, "13:30", "17:00"),
                    w(6, "10:00", "12:00"),
                ],
            ),
            // Past midnight: split at it, the rest on the next day (Sunday wraps to Monday).
            ("Sun 22:00-02:00", vec![w(1, "00:00", "02:00"), w(7, "22:00", "24:00")]),
            ("Fri 20-24", vec![w(5, "20:00", "24:00")]),
            ("Fri 20-0", vec![w(5, "20:00", "24:00")]),
        ];
        for (spec, want) in cases {
            assert_eq!(parse(spec), Ok(want), "{spec:?}");
        }
    }

    #[test]
    fn what_cannot_be_read_is_named_back() {
        let cases = [
            ("Mon-Fri", SpecError::DaysWithoutHours("MON-FRI".into())),
            ("18:00-21:00", SpecError::HoursWithoutDays("18:00-21:00".into())),
            ("Mun 18-21", SpecError::NotADay("MUN".into())),
            ("Mon 25-26", SpecError::NotHours("25-26".into())),
            ("Mon 18:75-19", SpecError::NotHours("18:75-19".into())),
            ("Mon 18", SpecError::NotHours("18".into())),
            ("Mon 9-9", SpecError::NotHours("9-9".into())),
            ("Mon 24-2", SpecError::NotHours("24-2".into())),
            ("Fri 8pm-midnight", SpecError::NotHours("8PM-MIDNIGHT".into())),
            // Found by fuzzing: a four-byte "time" with a multi-byte letter in it.
            ("Mon 1é2-1800", SpecError::NotHours("1E2-1800".into())),
            ("Mon 1ł2-1800", SpecError::NotHours("1L2-1800".into())),
            ("Mon 1€-1800", SpecError::NotHours("1€-1800".into())),
            ("Mon 13pm-14", SpecError::NotHours("13PM-14".into())),
            ("Mon 9-12 Sat", SpecError::DaysWithoutHours("SAT".into())),
            ("", SpecError::Empty),
            ("  , ; ", SpecError::Empty),
        ];
        for (spec, want) in cases {
            assert_eq!(parse(spec), Err(want), "{spec:?}");
        }
        let many = (0..60)
            .map(|h| format!("Mon {}:{:02}-{}:{:02}", h % 23, h, h % 23 + 1, h))
            .collect::<Vec<_>>();
        assert!(matches!(
            parse(&many.join(" ")),
            Err(SpecError::NotHours(_) | SpecError::TooMany)
        ));
        assert!(is_off("off") && is_off(" Brak. ") && is_off("DIM") && !is_off("Mon off"));
    }

    #[test]
    fn windows_read_back_grouped_by_hours() {
        let en = english_day;
        let mut windows = every(&[1, 2, 3, 5], "18:00", "21:00");
        windows.push(w(6, "10:00", "12:00"));
        windows.push(w(7, "10:00", "12:00"));
        assert_eq!(describe(&windows, en), "Mon-Wed Fri 18:00-21:00, Sat Sun 10:00-12:00");
        let spec = "Mon Wed 9-12 13:30-17";
        assert_eq!(describe(&parse(spec).unwrap(), en), "Mon Wed 09:00-12:00 13:30-17:00");
        // What is printed can be typed back in.
        let printed = describe(&parse("weekdays 6-9pm, Sun 22:00-02:00").unwrap(), en);
        assert_eq!(
            printed,
            "Mon 00:00-02:00 18:00-21:00, Tue-Fri 18:00-21:00, Sun 22:00-24:00"
        );
        assert_eq!(describe(&parse(&printed).unwrap(), en), printed);
        assert_eq!(describe(&[], en), "");
    }
}
