//! Quoting a person's words in a message to someone else (a safeguarding alert, a concern, a
//! callback note), so that the message always fits what the provider accepts.
//!
//! Telegram refuses texts over 4,096 characters and Twilio bodies over 1,600; a message that
//! quotes 1,590 characters of someone's words inside a template is refused, and an alert that
//! is refused never reaches anyone. So a quote is bounded by what the *whole* message may be
//! on the recipient's channel: one Telegram message with at most [`TELEGRAM_QUOTE_CHARS`] of
//! quote, or at most [`SMS_SEGMENTS`] SMS segments. The whole text stays in the record it came
//! from (the escalation's verbatim words, for `/history`).
//!
//! Quoted words also lose control and bidirectional-override characters: an alert must read
//! as what was written, not be reordered or broken up by what the sender slipped into it.

use crate::{domain::ChannelKind, sms::segments, text::display_safe};

/// Most SMS segments a message quoting someone may take.
pub const SMS_SEGMENTS: u32 = 3;
/// Telegram's own limit on a text message, in UTF-16 code units.
pub const TELEGRAM_MAX: usize = 4096;
/// The longest SMS body Twilio accepts (error 21617 beyond), in characters: the bound on a
/// message built from someone's words that must go whole, such as a coordinator's reply.
pub const SMS_MAX_CHARS: usize = 1600;
/// Most characters of quote in a Telegram message: enough to read, short enough to scan.
pub const TELEGRAM_QUOTE_CHARS: usize = 1000;

/// `text` as [`display_safe`] shows it (no control characters or bidirectional overrides),
/// with every run of white space turned into one space and none at either end.
pub fn clean(text: &str) -> String {
    display_safe(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Is `typed` the stored display name `name`? Names are stored [`clean`]ed, so what an operator
/// types is cleaned the same way before comparing (ignoring ASCII case).
pub fn same_name(name: &str, typed: &str) -> bool {
    name.eq_ignore_ascii_case(&clean(typed))
}

/// The first `max_chars` characters of `cleaned`, cut at a word boundary when there is one
/// near the end, with `...` after (three full stops: an ellipsis character is not GSM-7 and
/// would double the price of an SMS).
fn cut(cleaned: &str, max_chars: usize) -> String {
    let end = cleaned.char_indices().nth(max_chars).map_or(cleaned.len(), |(i, _)| i);
    let head = &cleaned[..end];
    // Prefer a word boundary within the last fifth of the excerpt.
    let floor = head.len() - head.len() / 5;
    let head = match head.rfind(' ') {
        Some(i) if i >= floor && i > 0 => &head[..i],
        _ => head,
    };
    format!("{}...", head.trim_end())
}

/// `cleaned` whole when it has at most `max_chars` characters, else cut as a quote is.
pub fn excerpt(cleaned: &str, max_chars: usize) -> String {
    if cleaned.chars().count() <= max_chars {
        cleaned.to_owned()
    } else {
        cut(cleaned, max_chars)
    }
}

/// Does `message` fit one message on `channel` within the bounds above?
pub fn fits(channel: ChannelKind, message: &str) -> bool {
    match channel {
        ChannelKind::Telegram => message.encode_utf16().count() <= TELEGRAM_MAX,
        ChannelKind::Sms => segments(message).parts <= SMS_SEGMENTS,
    }
}

/// Build a message that quotes `words` for a recipient on `channel`: `build(quote, cut)` makes
/// the message around a quote (`cut` says the quote is not the whole text, so the message can
/// say where to read the rest). The longest quote that keeps the message within bounds is
/// used; if even an empty quote does not fit, the message is built with none.
pub fn build_quoting(channel: ChannelKind, words: &str, build: impl Fn(&str, bool) -> String) -> String {
    let cleaned = clean(words);
    let total = cleaned.chars().count();
    let limit = match channel {
        ChannelKind::Telegram => total.min(TELEGRAM_QUOTE_CHARS),
        ChannelKind::Sms => total,
    };
    if limit == total {
        let whole = build(&cleaned, false);
        if fits(channel, &whole) {
            return whole;
        }
    }
    // The longest excerpt that fits, by bisection on its length in characters.
    let (mut lo, mut hi) = (0usize, limit.min(total.saturating_sub(1)));
    let mut best = build("...", true);
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        let candidate = build(&cut(&cleaned, mid), true);
        if fits(channel, &candidate) {
            best = candidate;
            lo = mid + 1;
        } else if mid == 0 {
            break;
        } else {
            hi = mid - 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(quote: &str, cut: bool) -> String {
        let more = if cut { " (full text: /history E4K7)" } else { "" };
        format!("URGENT safeguarding E4K7: risk words from Sam: \"{quote}\"{more}. Reply ACK E4K7 to acknowledge.")
    }

    #[test]
    fn short_words_are_quoted_whole_and_clean() {
        let m = build_quoting(ChannelKind::Sms, "I want\n\n to \u{202E}die\u{0007}", alert);
        assert!(m.contains("\"I want to die\""), "{m}");
        assert!(!m.contains("full text"));
    }

    #[test]
    fn long_words_are_cut_to_fit_each_channel() {
        let words = "I can't go on any more and nobody listens ".repeat(100);
        for (channel, words) in [
            (ChannelKind::Sms, words.clone()),
            (ChannelKind::Telegram, words.clone()),
            // Not GSM-7: UCS-2 segments hold 67 characters, not 153.
            (ChannelKind::Sms, format!("Nie mogę już {words} 😢")),
        ] {
            let m = build_quoting(channel, &words, alert);
            assert!(fits(channel, &m), "{channel:?}: {} chars", m.chars().count());
            assert!(m.contains("(full text: /history E4K7)"), "{m}");
            assert!(m.contains("...\""), "{m}");
            // Not needlessly short: most of the room is used.
            let room = match channel {
                ChannelKind::Telegram => TELEGRAM_QUOTE_CHARS,
                ChannelKind::Sms if crate::sms::is_gsm7(&m) => 3 * 153,
                ChannelKind::Sms => 3 * 67,
            };
            assert!(m.chars().count() > room * 3 / 4, "{channel:?}: {m}");
        }
    }

    #[test]
    fn a_template_too_long_by_itself_still_yields_a_message() {
        let m = build_quoting(ChannelKind::Sms, "help", |q, _| format!("{}{q}", "x".repeat(600)));
        assert!(m.starts_with("xxx"));
    }
}
