//! What a person meant, from what they typed: Telegram commands and SMS keywords in English,
//! Welsh and Polish. Matching ignores case, accents, spacing and trailing punctuation, because
//! people type on cheap phones in a hurry. Keywords must be the whole message (`STOP`, not
//! "please don't stop"), as carriers and people expect.
//!
//! Words are compared in their [`keyword_form`], the same folding risk triage uses. Pressed
//! buttons are classified here too ([`parse_button`]), so every handler matches on [`Intent`]
//! and none parses button data of its own.

use peerline_core::{
    callbacks,
    domain::AttendanceOutcome,
    safeguarding,
    supervision::{self, Booking},
    text::keyword_form,
    wellbeing::{self, Answer},
};

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// `/start CODE`, `JOIN CODE`: enrol with an invite code.
    Join(String),
    /// `/start` or `START` without a code: resume after opting out, or say hello.
    Start,
    /// Opt out of everything but safeguarding replies.
    Stop,
    Help,
    /// Change language; `None` asks for the choices.
    Language(Option<String>),
    /// A mentee asks for a call from a peer mentor.
    Callback,
    /// The mentee no longer needs a callback.
    CancelCallback,
    /// A mentor takes a callback by reference (`TAKE C4K7`).
    Take(String),
    /// A mentor records a callback's outcome (`DONE C4K7 CALLED`).
    CallbackDone(String, String),
    /// Raise a safeguarding concern (`/concern text`, `CONCERN text`); `None` asks how.
    Concern(Option<String>),
    /// Coordinators: acknowledge an alert (`/ack REF`, `ACK REF`).
    Ack(Option<String>),
    /// Coordinators: resolve an alert with an outcome note.
    Resolve(Option<String>, String),
    /// Coordinators: list open alerts.
    Escalations,
    /// Coordinators: an alert's timeline.
    History(Option<String>),
    /// Coordinators: book supervision (`/supervision [part of a name]`), buttons from there.
    Supervision(Option<String>),
    /// Mentors: when they take callbacks (`/available Mon-Fri 18:00-21:00`, `AVAILABLE OFF`),
    /// as typed; `None` asks what is set.
    Available(Option<String>),
    /// Coordinators: the service's unanswered messages (`/inbox`, `INBOX`).
    Inbox,
    /// Coordinators: answer an unanswered message (`/reply M4K2 text`, `REPLY M4K2 text`).
    Reply(Option<String>, String),
    /// Coordinators: close a thread without a reply (`/done M4K2`, `DONE M4K2`).
    CloseThread(Option<String>),
    /// A `/command` Peerline does not have.
    UnknownCommand(String),
    /// A pressed button, parsed once here (see [`Button`]).
    Button(Button),
    /// Anything else, as typed: words for a human.
    Text(String),
}

/// What a pressed button asks for. Button data is Peerline's own, but it comes back over the
/// network, so it is parsed like anything else a person sends: data Peerline did not make (or
/// no longer understands) is [`Button::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    /// Answer a wellbeing check-in question.
    Checkin {
        checkin: i64,
        question: usize,
        answer: Answer,
    },
    /// A mentor's yes or no to a supervision reminder.
    SupervisionReply {
        session: i64,
        yes: bool,
    },
    /// A coordinator records whether a mentor came to a session.
    SupervisionRecord {
        session: i64,
        mentor: i64,
        outcome: AttendanceOutcome,
    },
    /// A step of booking supervision on Telegram.
    Booking(Booking),
    /// A mentor takes a callback.
    TakeCallback(i64),
    /// A mentor records a callback's outcome.
    CallbackDone(i64, &'static str),
    /// A coordinator acknowledges a safeguarding alert.
    Acknowledge(i64),
    Unknown,
}

/// Button data for the language picker.
pub const LANGUAGE_BUTTON_PREFIX: &str = "lang:";

/// Classify a pressed button's data. The language picker's buttons mean what `/language`
/// with a choice means.
pub fn parse_button(data: &str) -> Intent {
    if let Some(tag) = data.strip_prefix(LANGUAGE_BUTTON_PREFIX) {
        return Intent::Language(Some(tag.to_owned()));
    }
    let button = if let Some((checkin, question, answer)) = wellbeing::parse_button(data) {
        Button::Checkin {
            checkin,
            question,
            answer,
        }
    } else if let Some((session, yes)) = supervision::parse_reply_button(data) {
        Button::SupervisionReply { session, yes }
    } else if let Some((session, mentor, outcome)) = supervision::parse_record_button(data) {
        Button::SupervisionRecord {
            session,
            mentor,
            outcome,
        }
    } else if let Some(step) = supervision::parse_booking_button(data) {
        Button::Booking(step)
    } else if let Some(id) = callbacks::parse_take_button(data) {
        Button::TakeCallback(id)
    } else if let Some((id, outcome)) = callbacks::parse_done_button(data) {
        Button::CallbackDone(id, outcome)
    } else if let Some(id) = safeguarding::parse_ack_button(data) {
        Button::Acknowledge(id)
    } else {
        Button::Unknown
    };
    Intent::Button(button)
}

const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT", // English (carrier standard)
    "STOPIO",
    "DADDANYSGRIFIO",
    "DIWEDD",
    "GADAEL", // Welsh
    "KONIEC",
    "WYPISZ",
    "REZYGNUJE",
    "ANULUJ", // Polish
];
const START_WORDS: &[&str] = &["START", "UNSTOP", "DECHRAU", "AILDDECHRAU", "WZNOW"];
const HELP_WORDS: &[&str] = &["HELP", "INFO", "CYMORTH", "POMOC"];
const JOIN_WORDS: &[&str] = &["JOIN", "YMUNO", "DOLACZ"];
const LANGUAGE_WORDS: &[&str] = &["LANGUAGE", "IAITH", "JEZYK"];
const CALLBACK_WORDS: &[&str] = &["CALLBACK", "GALWAD", "ODDZWON"];
const CONCERN_WORDS: &[&str] = &["CONCERN", "PRYDER", "OBAWA"];
const AVAILABLE_WORDS: &[&str] = &["AVAILABLE", "AVAILABILITY", "DOSTEPNY", "DOSTEPNA", "DOSTEPNOSC"];

/// Classify a message. `/commands` work on every channel, and so do keywords.
pub fn parse(text: &str) -> Intent {
    let trimmed = text.trim();
    if let Some(command) = trimmed.strip_prefix('/') {
        return parse_command(command, trimmed);
    }
    let norm = keyword_form(trimmed);
    let mut words = norm.split(' ');
    let first = words.next().unwrap_or_default();
    let rest: Vec<&str> = words.collect();
    // Single-keyword messages, also when typed with spaces or hyphens ("STOP ALL", "dad-danysgrifio").
    let compact: String = norm.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if STOP_WORDS.contains(&compact.as_str()) {
        return Intent::Stop;
    }
    if START_WORDS.contains(&compact.as_str()) {
        return Intent::Start;
    }
    if HELP_WORDS.contains(&compact.as_str()) {
        return Intent::Help;
    }
    if compact == "CANCELCALLBACK" || compact == "CANSLOGALWAD" || compact == "ANULUJODDZWON" {
        return Intent::CancelCallback;
    }
    if compact == "INBOX" || compact == "MEWNFLWCH" || compact == "SKRZYNKA" {
        return Intent::Inbox;
    }
    if first == "DONE" && rest.len() == 1 && rest[0].starts_with('M') {
        return Intent::CloseThread(Some(rest[0].to_owned()));
    }
    if first == "REPLY" && rest.first().is_some_and(|r| r.starts_with('M') && r.len() == 5) {
        let text = words_after(trimmed, 2).unwrap_or_default();
        return Intent::Reply(Some(rest[0].to_owned()), text);
    }
    if first == "DONE" && rest.len() == 2 {
        return Intent::CallbackDone(rest[0].to_owned(), rest[1].to_owned());
    }
    if first == "TAKE" && rest.len() == 1 {
        return Intent::Take(rest[0].to_owned());
    }
    if CALLBACK_WORDS.contains(&compact.as_str()) || compact == "CALLMEBACK" {
        return Intent::Callback;
    }
    if JOIN_WORDS.contains(&first) && !rest.is_empty() {
        return Intent::Join(rest.concat());
    }
    if LANGUAGE_WORDS.contains(&first) {
        return Intent::Language((!rest.is_empty()).then(|| rest.join(" ")));
    }
    if CONCERN_WORDS.contains(&first) {
        // Keep the person's own words, not the normalised ones.
        return Intent::Concern(words_after(trimmed, 1));
    }
    // "AR GAEL" is Welsh for "available".
    let available = if AVAILABLE_WORDS.contains(&first) {
        Some(1)
    } else if first == "AR" && rest.first() == Some(&"GAEL") {
        Some(2)
    } else {
        None
    };
    // Only when what follows reads as days (or OFF): "available to talk? ..." is a message,
    // and must reach risk triage like any other.
    if let Some(keyword_words) = available {
        let spec = words_after(trimmed, keyword_words);
        if spec.as_deref().is_none_or(super::availability::looks_like_spec) {
            return Intent::Available(spec);
        }
    }
    if first == "ACK" && rest.len() == 1 {
        return Intent::Ack(Some(rest[0].to_owned()));
    }
    Intent::Text(trimmed.to_owned())
}

/// What follows the first `n` words of `text`, as typed; `None` if nothing does.
fn words_after(text: &str, n: usize) -> Option<String> {
    let mut rest = text.trim();
    for _ in 0..n {
        rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r.trim_start());
    }
    let rest = rest.trim();
    (!rest.is_empty()).then(|| rest.to_owned())
}

fn parse_command(command: &str, original: &str) -> Intent {
    let mut parts = command.split_whitespace();
    let head = parts.next().unwrap_or_default();
    // Commands in groups arrive as `/help@PeerlineBot`.
    let name = head.split('@').next().unwrap_or_default().to_ascii_lowercase();
    let args: Vec<&str> = parts.collect();
    match name.as_str() {
        // Deep links (t.me/<bot>?start=CODE) arrive as `/start CODE`.
        "start" if !args.is_empty() => Intent::Join(args.concat()),
        "start" => Intent::Start,
        "join" if !args.is_empty() => Intent::Join(args.concat()),
        "stop" => Intent::Stop,
        "help" => Intent::Help,
        "language" | "iaith" | "jezyk" => Intent::Language((!args.is_empty()).then(|| args.join(" "))),
        "callback" => Intent::Callback,
        "concern" => Intent::Concern(words_after(original, 1)),
        "available" | "availability" | "argael" | "dostepny" => Intent::Available(words_after(original, 1)),
        "ack" => Intent::Ack(args.first().map(|a| a.to_ascii_uppercase())),
        "resolve" => Intent::Resolve(
            args.first().map(|a| a.to_ascii_uppercase()),
            args.get(1..).unwrap_or_default().join(" "),
        ),
        "escalations" | "alerts" => Intent::Escalations,
        "history" => Intent::History(args.first().map(|a| a.to_ascii_uppercase())),
        "supervision" | "book" => Intent::Supervision(words_after(original, 1)),
        "inbox" => Intent::Inbox,
        "reply" => Intent::Reply(
            args.first().map(|a| a.to_ascii_uppercase()),
            words_after(original, 2).unwrap_or_default(),
        ),
        "done" => Intent::CloseThread(args.first().map(|a| a.to_ascii_uppercase())),
        _ => Intent::UnknownCommand(original.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_ignore_case_accents_spacing_and_punctuation() {
        let cases: &[(&str, Intent)] = &[
            ("STOP", Intent::Stop),
            ("  stop. ", Intent::Stop),
            ("Stop all", Intent::Stop),
            ("unsubscribe", Intent::Stop),
            ("Quit!", Intent::Stop),
            ("stopio", Intent::Stop),
            ("Dad-danysgrifio", Intent::Stop),
            ("koniec", Intent::Stop),
            ("Rezygnuję", Intent::Stop),
            ("start", Intent::Start),
            ("Wznów", Intent::Start),
            // decomposed accent, Cyrillic look-alikes, full-width letters: folded as risk triage folds them
            ("Wzno\u{301}w", Intent::Start),
            ("ѕtор", Intent::Stop),
            ("ＨＥＬＰ", Intent::Help),
            ("help", Intent::Help),
            ("CYMORTH", Intent::Help),
            ("pomoc", Intent::Help),
            ("callback", Intent::Callback),
            ("Call me back", Intent::Callback),
            ("oddzwoń", Intent::Callback),
            ("join abcd 2345", Intent::Join("ABCD2345".into())),
            ("Dołącz XYZW2345", Intent::Join("XYZW2345".into())),
            ("language", Intent::Language(None)),
            ("iaith cymraeg", Intent::Language(Some("CYMRAEG".into()))),
            ("Język polski", Intent::Language(Some("POLSKI".into()))),
            ("/start", Intent::Start),
            ("/start ABCD2345", Intent::Join("ABCD2345".into())),
            ("/help@PeerlineBot", Intent::Help),
            ("/stop", Intent::Stop),
            ("/language", Intent::Language(None)),
            (
                "/concern Jo said he has pills saved up",
                Intent::Concern(Some("Jo said he has pills saved up".into())),
            ),
            (
                "CONCERN worried about Kim",
                Intent::Concern(Some("worried about Kim".into())),
            ),
            ("concern", Intent::Concern(None)),
            ("ack e4k7", Intent::Ack(Some("E4K7".into()))),
            ("/ack E4K7", Intent::Ack(Some("E4K7".into()))),
            (
                "/resolve e4k7 spoke to her, safe",
                Intent::Resolve(Some("E4K7".into()), "spoke to her, safe".into()),
            ),
            ("/escalations", Intent::Escalations),
            ("cancel callback", Intent::CancelCallback),
            ("Take c4k7", Intent::Take("C4K7".into())),
            ("/history E4K7", Intent::History(Some("E4K7".into()))),
            ("/available", Intent::Available(None)),
            ("/supervision", Intent::Supervision(None)),
            ("/supervision sa", Intent::Supervision(Some("sa".into()))),
            (
                "/available@PeerlineBot Mon-Fri 6-9pm",
                Intent::Available(Some("Mon-Fri 6-9pm".into())),
            ),
            ("available off", Intent::Available(Some("off".into()))),
            ("AVAILABLE", Intent::Available(None)),
            ("Ar gael Llun 18-21", Intent::Available(Some("Llun 18-21".into()))),
            ("dostępny pon 18-21", Intent::Available(Some("pon 18-21".into()))),
            (
                "Available weekdays 6-9pm",
                Intent::Available(Some("weekdays 6-9pm".into())),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn every_button_peerline_makes_parses_back_and_anything_else_is_unknown() {
        use peerline_core::supervision::BookWith;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 29);
        let booking = Booking {
            with: BookWith::Mentor(7),
            day,
            time: chrono::NaiveTime::from_hms_opt(9, 30, 0),
        };
        let cases = [
            (
                wellbeing::button_data(12, 2, Answer::Score(7)),
                Intent::Button(Button::Checkin {
                    checkin: 12,
                    question: 2,
                    answer: Answer::Score(7),
                }),
            ),
            (
                wellbeing::button_data(12, 3, Answer::Skip),
                Intent::Button(Button::Checkin {
                    checkin: 12,
                    question: 3,
                    answer: Answer::Skip,
                }),
            ),
            (
                supervision::reply_button(5, false),
                Intent::Button(Button::SupervisionReply { session: 5, yes: false }),
            ),
            (
                supervision::record_button(5, 9, AttendanceOutcome::Missed),
                Intent::Button(Button::SupervisionRecord {
                    session: 5,
                    mentor: 9,
                    outcome: AttendanceOutcome::Missed,
                }),
            ),
            (
                supervision::booking_button(booking),
                Intent::Button(Button::Booking(booking)),
            ),
            (callbacks::take_button(4), Intent::Button(Button::TakeCallback(4))),
            (
                callbacks::done_button(4, "called"),
                Intent::Button(Button::CallbackDone(4, "called")),
            ),
            (safeguarding::ack_button(3), Intent::Button(Button::Acknowledge(3))),
            (
                format!("{LANGUAGE_BUTTON_PREFIX}cy"),
                Intent::Language(Some("cy".into())),
            ),
        ];
        for (data, want) in cases {
            assert!(data.len() <= 64, "{data:?} is over Telegram's 64 bytes");
            assert_eq!(parse_button(&data), want, "{data:?}");
        }
        for data in [
            "",
            "ci:12:2:11",
            "ci:x:2:3",
            "svr:5:9:danced",
            "cb-done:4:maybe",
            "esc-ack:",
            "esc-ack:-",
            "STOP",
            "sv:5",
        ] {
            assert_eq!(parse_button(data), Intent::Button(Button::Unknown), "{data:?}");
        }
    }

    #[test]
    fn keywords_inside_sentences_are_just_text() {
        for text in [
            "please don't stop",
            "cancel my appointment",
            "I want to start again tomorrow",
            "help me",
            "join",
            "available to talk? I want to die",
            "ar gael yfory?",
        ] {
            assert!(matches!(parse(text), Intent::Text(_)), "{text:?} -> {:?}", parse(text));
        }
        assert_eq!(
            parse("/unknowncommand"),
            Intent::UnknownCommand("/unknowncommand".into())
        );
        assert_eq!(parse(""), Intent::Text(String::new()));
    }
}
