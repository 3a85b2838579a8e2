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

pub fn segments(text: &str) -> Segments {
    let splitter = SplitSms::default();
    let split = splitter.split(String::from(text));
    Segments {
        gsm7: split.character_set == "GSM",
        parts: u32::try_from(split.parts.len()).unwrap_or(u32::MAX).max(1),
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
