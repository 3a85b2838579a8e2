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

/// Is `text` entirely GSM-7?
pub fn is_gsm7(text: &str) -> bool {
    segments(text).gsm7
}

#[cfg(test)]
mod tests {
    use super::*;

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
