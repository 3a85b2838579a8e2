//! Weekly wellbeing check-ins: the four ONS personal wellbeing questions (ONS4, free to use;
//! Office for National Statistics harmonised standard), how they are asked on each channel,
//! and the rules that turn answers into a flag for the coordinator.
//!
//! Rules (defaults): any of life satisfaction, worthwhile or happy at 4 or below on two
//! consecutive check-ins; anxiety at 6 or above twice in a row; a drop of 3 or more in life
//! satisfaction, worthwhile or happy against the person's own median of their previous four
//! answers; or two missed check-ins in a row. A single low answer earns a kind reply with
//! support numbers, never an alert.

use crate::{
    domain::{ChannelKind, EscalationSource, Language},
    i18n::Localizer,
    store::Keyboard,
};

pub use crate::domain::{Measure, Ons4, Outcome, QUESTIONS};

/// The Fluent message that asks `m`.
fn question_message_id(m: Measure) -> &'static str {
    match m {
        Measure::LifeSatisfaction => "checkin-q-life",
        Measure::Worthwhile => "checkin-q-worthwhile",
        Measure::Happy => "checkin-q-happy",
        Measure::Anxiety => "checkin-q-anxious",
    }
}

/// Why a person was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    LowScores,
    HighAnxiety,
    DropFromMedian,
    MissedTwice,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::LowScores => "low-scores",
            Flag::HighAnxiety => "high-anxiety",
            Flag::DropFromMedian => "drop-from-median",
            Flag::MissedTwice => "missed-twice",
        }
    }
}

/// Thresholds, configurable per deployment.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Life satisfaction, worthwhile or happy at or below this is low.
    pub low_at_most: u8,
    /// Anxiety at or above this is high.
    pub anxious_at_least: u8,
    /// A drop of this much against the median is a flag.
    pub drop_by: u8,
    /// How many previous answers the median uses.
    pub median_of: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            low_at_most: 4,
            anxious_at_least: 6,
            drop_by: 3,
            median_of: 4,
        }
    }
}

impl Rules {
    /// Is any answer in this check-in low (earning a kind reply)?
    pub fn any_low(&self, a: &Ons4) -> bool {
        a.positives().iter().flatten().any(|v| *v <= self.low_at_most)
            || a.anxiety.is_some_and(|v| v >= self.anxious_at_least)
    }

    /// Flags raised by `current`, given earlier check-ins `history` (oldest first).
    pub fn evaluate(&self, history: &[Outcome], current: Outcome) -> Vec<Flag> {
        let mut flags = Vec::new();
        let previous = history.last().copied();
        match (previous, current) {
            (Some(Outcome::Missed), Outcome::Missed) => flags.push(Flag::MissedTwice),
            (_, Outcome::Missed) => {}
            (prev, Outcome::Answered(now)) => {
                let low = |a: &Ons4| a.positives().iter().flatten().any(|v| *v <= self.low_at_most);
                let anxious = |a: &Ons4| a.anxiety.is_some_and(|v| v >= self.anxious_at_least);
                if let Some(Outcome::Answered(before)) = prev {
                    if low(&now) && low(&before) {
                        flags.push(Flag::LowScores);
                    }
                    if anxious(&now) && anxious(&before) {
                        flags.push(Flag::HighAnxiety);
                    }
                }
                let dropped = [Measure::LifeSatisfaction, Measure::Worthwhile, Measure::Happy]
                    .iter()
                    .any(|m| {
                        let earlier: Vec<u8> = history
                            .iter()
                            .rev()
                            .filter_map(|o| match o {
                                Outcome::Answered(a) => a.get(*m),
                                Outcome::Missed => None,
                            })
                            .take(self.median_of)
                            .collect();
                        // A median needs a few answers to mean anything.
                        match (now.get(*m), median(&earlier)) {
                            (Some(v), Some(med)) if earlier.len() >= 3 => med - f64::from(v) >= f64::from(self.drop_by),
                            _ => false,
                        }
                    });
                if dropped {
                    flags.push(Flag::DropFromMedian);
                }
            }
        }
        flags
    }
}

fn median(values: &[u8]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<u8> = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    })
}

/// A reply to a check-in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Score(u8),
    Skip,
}

/// Read an answer: a number 0-10 (also "7/10", "seven" is not accepted), or skip in any of
/// our languages. `None` when it is neither.
pub fn parse_answer(text: &str) -> Option<Answer> {
    let t = text.trim().trim_end_matches(['.', '!']).trim();
    let lower = t.to_lowercase();
    if ["skip", "pass", "hepgor", "pomin", "pomiń"].contains(&lower.as_str()) {
        return Some(Answer::Skip);
    }
    let number = lower.strip_suffix("/10").unwrap_or(&lower).trim();
    match number.parse::<u8>() {
        Ok(n) if n <= 10 => Some(Answer::Score(n)),
        _ => None,
    }
}

/// Button data for an answer: `ci:<checkin id>:<question>:<score|skip>`.
pub fn button_data(checkin: i64, question: usize, answer: Answer) -> String {
    match answer {
        Answer::Score(n) => format!("ci:{checkin}:{question}:{n}"),
        Answer::Skip => format!("ci:{checkin}:{question}:skip"),
    }
}

/// Parse button data made by [`button_data`].
pub fn parse_button(data: &str) -> Option<(i64, usize, Answer)> {
    let mut parts = data.strip_prefix("ci:")?.split(':');
    let id = parts.next()?.parse().ok()?;
    let q = parts.next()?.parse().ok()?;
    let answer = match parts.next()? {
        "skip" => Answer::Skip,
        n => Answer::Score(n.parse().ok().filter(|v: &u8| *v <= 10)?),
    };
    Some((id, q, answer))
}

/// The message asking question `question` (0-3) of check-in `checkin`, for `channel`:
/// Telegram gets a 0-10 keyboard and a skip button, SMS gets "reply with a number".
pub fn question_message(
    i18n: &Localizer,
    lang: Language,
    channel: ChannelKind,
    checkin: i64,
    question: usize,
) -> (String, Option<Keyboard>) {
    let Some(measure) = QUESTIONS.get(question) else {
        return (i18n.text(lang, "checkin-thanks"), None);
    };
    let mut body = i18n.format(
        lang,
        question_message_id(*measure),
        &[
            ("number", (question as i64 + 1).into()),
            ("channel", channel.as_str().into()),
        ],
    );
    if question == 0 {
        body = format!(
            "{} {body}",
            i18n.format(lang, "checkin-intro", &[("channel", channel.as_str().into())])
        );
    }
    let buttons = (channel == ChannelKind::Telegram).then(|| {
        let row = |r: std::ops::RangeInclusive<u8>| {
            r.map(|n| (n.to_string(), button_data(checkin, question, Answer::Score(n))))
                .collect::<Vec<_>>()
        };
        vec![
            row(0..=5),
            row(6..=10),
            vec![(
                i18n.text(lang, "button-skip"),
                button_data(checkin, question, Answer::Skip),
            )],
        ]
    });
    (body, buttons)
}

/// Apply the rules to a check-in that has just been completed or closed: record each flag
/// and open a safeguarding escalation for it, which alerts the coordinators until one of them
/// acknowledges. Returns the flags raised.
pub async fn conclude(
    tx: &mut crate::store::Tx,
    i18n: &Localizer,
    rules: &Rules,
    checkin: &crate::store::Checkin,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Flag>, crate::store::StoreError> {
    use crate::{
        clock::to_millis,
        domain::{PersonId, ServiceId},
        store::NewEscalation,
    };
    let person = PersonId(checkin.person_id);
    let service = ServiceId(checkin.service_id);
    let history: Vec<Outcome> = tx
        .checkin_history(person, checkin.occurrence)
        .await?
        .iter()
        .map(crate::store::Checkin::outcome)
        .collect();
    let flags = rules.evaluate(&history, checkin.outcome());
    for flag in &flags {
        tx.add_flag(person, service, Some(checkin.id), flag.as_str(), to_millis(now))
            .await?;
        tracing::info!(person = %person, rule = flag.as_str(), "wellbeing flag raised");
        let esc = tx
            .open_escalation(
                &NewEscalation {
                    service,
                    subject: Some(person),
                    raised_by: None,
                    source: EscalationSource::WellbeingFlag,
                    channel: None,
                    verbatim: None,
                    categories: flag.as_str(),
                    risk_rules: "",
                },
                to_millis(now),
            )
            .await?;
        crate::safeguarding::alert(tx, i18n, &esc, false, false, now).await?;
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(l: u8, w: u8, h: u8, x: u8) -> Outcome {
        Outcome::Answered(Ons4 {
            life_satisfaction: Some(l),
            worthwhile: Some(w),
            happy: Some(h),
            anxiety: Some(x),
        })
    }

    #[test]
    fn rules_fire_exactly_as_documented() {
        let r = Rules::default();
        let ok = a(7, 7, 7, 2);
        // One low week: a kind reply, no flag.
        assert!(r.any_low(&Ons4 {
            happy: Some(3),
            ..Ons4::default()
        }));
        assert_eq!(r.evaluate(&[ok], a(7, 7, 3, 2)), vec![]);
        // Two in a row (different measures count too).
        assert_eq!(r.evaluate(&[a(4, 7, 7, 2)], a(7, 7, 3, 2)), vec![Flag::LowScores]);
        // Anxiety 6+ twice.
        assert_eq!(r.evaluate(&[a(7, 7, 7, 6)], a(7, 7, 7, 8)), vec![Flag::HighAnxiety]);
        assert_eq!(r.evaluate(&[a(7, 7, 7, 5)], a(7, 7, 7, 8)), vec![]);
        // A missed week breaks a run of low answers.
        assert_eq!(r.evaluate(&[a(3, 3, 3, 2), Outcome::Missed], a(3, 7, 7, 2)), vec![]);
        // Two missed in a row.
        assert_eq!(
            r.evaluate(&[ok, Outcome::Missed], Outcome::Missed),
            vec![Flag::MissedTwice]
        );
        assert_eq!(r.evaluate(&[Outcome::Missed, ok], Outcome::Missed), vec![]);
        // Drop of 3 against the median of the last four (9, 9, 8, 9 -> 9): 6 flags, 7 does not.
        let steady = [a(9, 8, 8, 1), a(9, 8, 8, 1), a(8, 8, 8, 1), a(9, 8, 8, 1)];
        assert_eq!(r.evaluate(&steady, a(6, 8, 8, 1)), vec![Flag::DropFromMedian]);
        assert_eq!(r.evaluate(&steady, a(7, 8, 8, 1)), vec![]);
        // Too little history for a median.
        assert_eq!(r.evaluate(&[a(9, 9, 9, 1)], a(5, 9, 9, 1)), vec![]);
    }

    #[test]
    fn answers_parse_numbers_and_skip_in_every_language() {
        assert_eq!(parse_answer("7"), Some(Answer::Score(7)));
        assert_eq!(parse_answer(" 10 "), Some(Answer::Score(10)));
        assert_eq!(parse_answer("0."), Some(Answer::Score(0)));
        assert_eq!(parse_answer("6/10"), Some(Answer::Score(6)));
        assert_eq!(parse_answer("SKIP"), Some(Answer::Skip));
        assert_eq!(parse_answer("hepgor"), Some(Answer::Skip));
        assert_eq!(parse_answer("Pomiń"), Some(Answer::Skip));
        for bad in ["11", "-1", "seven", "7 or 8", "", "yes"] {
            assert_eq!(parse_answer(bad), None, "{bad}");
        }
        let data = button_data(42, 3, Answer::Score(9));
        assert_eq!(parse_button(&data), Some((42, 3, Answer::Score(9))));
        assert_eq!(
            parse_button(&button_data(1, 0, Answer::Skip)),
            Some((1, 0, Answer::Skip))
        );
        assert_eq!(parse_button("ci:1:0:11"), None);
        assert_eq!(parse_button("lang:cy"), None);
    }
}
