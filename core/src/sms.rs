//! SMS cost arithmetic: which alphabet a text needs and how many segments it takes.
//! A single character outside GSM-7 (a curly quote, an emoji, Welsh ŵ) switches the whole
//! message to UCS-2 and cuts a segment from 160 to 70 characters.

use sms_splitter::SplitSms;

/// How a text will travel as SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// True when every character is in the GSM 03.38 alphabet (with its extension table).
    pub gsm7: bool,
    /// Number of SMS parts the text needs.
    pub parts: u32,
}

/// How many segments `text` costs, counted as Twilio's own segment calculator counts them:
/// GSM-7 septets (an extension character takes two and is never split) through `sms_splitter`,
/// and UCS-2 by grapheme cluster, so a family or flag emoji that would straddle a segment
/// boundary moves whole to the next segment, as the provider sends it.
pub fn segments(text: &str) -> Segments {
    let splitter = SplitSms::default();
    let split = splitter.split(String::from(text));
    let gsm7 = split.character_set == "GSM";
    let parts = if gsm7 {
        u32::try_from(split.parts.len()).unwrap_or(u32::MAX)
    } else {
        ucs2_parts(text)
    };
    Segments {
        gsm7,
        parts: parts.max(1),
    }
}

/// UCS-2 code units in one segment alone, and in each part of a concatenated message (the
/// rest of the 140 bytes carries the concatenation header).
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

fn ucs2_parts(text: &str) -> u32 {
    use unicode_segmentation::UnicodeSegmentation;
    let total: usize = text.encode_utf16().count();
    if total <= UCS2_SINGLE {
        return 1;
    }
    let mut parts: u32 = 1;
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let units = grapheme.encode_utf16().count();
        if used > 0 && used + units > UCS2_PART {
            parts = parts.saturating_add(1);
            used = 0;
        }
        used += units;
        // A cluster longer than a whole part (never in practice) spills into parts of its own.
        while used > UCS2_PART {
            parts = parts.saturating_add(1);
            used -= UCS2_PART;
        }
    }
    parts
}

/// When to fold letters GSM-7 lacks (Polish ą ę ł ś ż, Welsh ŵ ŷ â ê î ô û) and typographic
/// punctuation to their plain forms for an SMS (`sms.fold_diacritics`). Text is always written
/// correctly; folding happens only as an SMS is sent, never on Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Folding {
    /// Fold when it lowers the number of segments (the person pays less, or gets it in one
    /// piece on a cheap phone).
    #[default]
    Auto,
    Always,
    Never,
}

/// `text` with the letters and punctuation GSM-7 lacks replaced by their plain forms; letters
/// GSM-7 has (é, ü, ñ, å, ø...) and everything else unchanged. A character with no plain form
/// (an emoji) stays, so the text stays UCS-2.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match plain(c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    out
}

/// The plain GSM-7 form of a letter or mark GSM-7 lacks; `None` to keep `c` as it is.
fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'ą' => "a",
        'ć' => "c",
        'ę' => "e",
        'ł' => "l",
        'ń' => "n",
        'ó' => "o",
        'ś' => "s",
        'ź' | 'ż' => "z",
        'Ą' => "A",
        'Ć' => "C",
        'Ę' => "E",
        'Ł' => "L",
        'Ń' => "N",
        'Ó' => "O",
        'Ś' => "S",
        'Ź' | 'Ż' => "Z",
        'ŵ' => "w",
        'ŷ' | 'ỳ' => "y",
        'â' | 'á' => "a",
        'ê' | 'ë' => "e",
        'î' | 'ï' | 'í' => "i",
        'ô' => "o",
        'û' | 'ú' => "u",
        'Ŵ' => "W",
        'Ŷ' => "Y",
        'Â' | 'Á' => "A",
        'Ê' | 'Ë' => "E",
        'Î' | 'Ï' | 'Í' => "I",
        'Ô' => "O",
        'Û' | 'Ú' => "U",
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => "\"",
        '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => " ",
        _ => return None,
    })
}

/// The body to send as SMS under `folding`, with its segments.
pub fn prepare(text: &str, folding: Folding) -> (std::borrow::Cow<'_, str>, Segments) {
    let as_written = segments(text);
    if as_written.gsm7 || folding == Folding::Never {
        return (std::borrow::Cow::Borrowed(text), as_written);
    }
    let folded = fold(text);
    let after = segments(&folded);
    if folding == Folding::Always || after.parts < as_written.parts {
        (std::borrow::Cow::Owned(folded), after)
    } else {
        (std::borrow::Cow::Borrowed(text), as_written)
    }
}

/// Is `text` entirely GSM-7?
pub fn is_gsm7(text: &str) -> bool {
    segments(text).gsm7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_makes_polish_and_welsh_gsm7_only_when_it_saves_segments() {
        let pl = "Jeśli jesteś teraz w niebezpieczeństwie, zadzwoń pod 999 lub 112. Dziękujemy, że nam o tym piszesz. Nie musisz mierzyć się z tym w pojedynkę. Samaritans: 116 123 (bezpłatnie, całą dobę).";
        assert!(!is_gsm7(pl));
        let (sent, seg) = prepare(pl, Folding::Auto);
        assert!(seg.gsm7 && seg.parts < segments(pl).parts, "{sent}");
        assert!(
            sent.starts_with("Jesli jestes teraz w niebezpieczenstwie, zadzwon"),
            "{sent}"
        );
        // Short enough to fit one UCS-2 segment: nothing to save, so it goes as written.
        let (sent, _) = prepare("Dziękujemy", Folding::Auto);
        assert_eq!(sent, "Dziękujemy");
        assert_eq!(prepare("Dziękujemy", Folding::Always).0, "Dziekujemy");
        assert_eq!(prepare(pl, Folding::Never).0, pl);
        // Welsh circumflexes, and letters GSM-7 has, which stay.
        assert_eq!(
            fold("grŵp, tîm, ar ôl, ffôn; café, Müller"),
            "grwp, tim, ar ol, ffon; café, Müller"
        );
        assert!(is_gsm7(&fold(
            "It\u{2019}s \u{201C}fine\u{201D} \u{2013} really\u{2026}"
        )));
        // An emoji has no plain form: the text stays UCS-2.
        assert!(!is_gsm7(&fold("ok \u{1F600}")));
    }

    #[test]
    fn counts_gsm_and_unicode_segments() {
        assert_eq!(segments("Hello"), Segments { gsm7: true, parts: 1 });
        assert_eq!(segments(&"a".repeat(160)).parts, 1);
        assert_eq!(segments(&"a".repeat(161)).parts, 2);
        assert!(!is_gsm7("It\u{2019}s"));
        assert!(!is_gsm7("Sut wyt ti? ŵ"));
        assert_eq!(segments(&"ł".repeat(70)).parts, 1);
        assert_eq!(segments(&"ł".repeat(71)).parts, 2);
        assert!(is_gsm7("Reply {YES} or [NO] ~ 100% €"));
    }
}
