//! E.164 phone numbers. Parsing uses libphonenumber's metadata (the `phonenumber` crate), with
//! the UK as the region for national-format input, because a mistyped digit here means a
//! message reaches a stranger.

use std::{fmt, str::FromStr};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("{0:?} is not a phone number")]
    Unparseable(String),
    #[error("{0:?} is not a valid phone number{hint}", hint = hint(.0))]
    Invalid(String),
}

/// For a number that is not valid in the UK but is valid in a country people in UK services
/// often come from, say so: "a Polish number? write it with +48".
fn hint(input: &str) -> String {
    use phonenumber::country::Id;
    let cleaned = clean_typed(input);
    if cleaned.trim_start().starts_with('+') || cleaned.trim_start().starts_with("00") {
        return String::new();
    }
    let fits: Vec<(&str, &str, u32)> = [
        (Id::PL, "a Polish", "Poland", 48),
        (Id::IE, "an Irish", "Ireland", 353),
        (Id::US, "a US", "the US", 1),
    ]
    .into_iter()
    .filter(|(region, ..)| phonenumber::parse(Some(*region), &cleaned).is_ok_and(|n| phonenumber::is_valid(&n)))
    .map(|(_, adjective, name, code)| (adjective, name, code))
    .collect();
    match fits.as_slice() {
        [] => {}
        [(adjective, _, code)] => return format!(" in the UK: {adjective} number? write it with +{code}"),
        many => {
            let codes: Vec<String> = many
                .iter()
                .map(|(_, name, code)| format!("+{code} for {name}"))
                .collect();
            return format!(
                " in the UK: a number from abroad? write it with its country code ({})",
                codes.join(", ")
            );
        }
    }
    " (check the digits; write a number from abroad with its country code, such as +48)".to_owned()
}

/// What people paste into a number field besides digits: no-break and thin spaces, dashes of
/// every width, zero-width and direction marks, a byte-order mark, full-width digits and plus.
/// Normalised before parsing, so a number copied from a web page or a phone's contacts reads
/// as typed.
fn clean_typed(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' | '\u{3000}' => Some(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => Some('-'),
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' => None,
            '\u{FF0B}' => Some('+'),
            '\u{FF10}'..='\u{FF19}' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')),
            '\u{FF08}' => Some('('),
            '\u{FF09}' => Some(')'),
            c => Some(c),
        })
        .collect()
}

/// A phone number in E.164 form (`+447700900123`). The field is private: the only way to get
/// one is to parse it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parse a number typed in UK national form (`07700 900123`) or international form
    /// (`+44 7700 900123`, `0044…`).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        Self::parse_with_region(input, phonenumber::country::Id::GB)
    }

    /// Parse with another default region for national-format numbers.
    pub fn parse_with_region(input: &str, region: phonenumber::country::Id) -> Result<Self, PhoneError> {
        let cleaned = clean_typed(input);
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        // Allow only the characters people really type in numbers; the parser is lenient
        // about letters (vanity numbers) which we never want.
        if !trimmed.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            return Err(PhoneError::Unparseable(trimmed.to_owned()));
        }
        let parsed =
            phonenumber::parse(Some(region), trimmed).map_err(|_| PhoneError::Unparseable(trimmed.to_owned()))?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        if !phonenumber::is_valid(&parsed) && !is_drama_number(&e164) {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        // What we store must read back as the same number. libphonenumber keeps a trunk `0`
        // typed after an international prefix (`00044 394 385` gives +44 044394385), and that
        // E.164 form reads back as another number (+4444394385): refuse such input.
        let reads_back = phonenumber::parse(Some(region), &e164)
            .is_ok_and(|again| again.format().mode(phonenumber::Mode::E164).to_string() == e164);
        if !reads_back {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        Ok(PhoneNumber(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits hidden, for logs and screens where the
    /// full number must not appear (`+44*******123`).
    pub fn redacted(&self) -> String {
        redact_address(&self.0)
    }
}

/// Ofcom's numbers reserved for drama, training and tests, which libphonenumber (rightly)
/// calls unallocated: mobiles 07700 900000-900999 and the "no area" 01632 960000-960999. The
/// geographic drama ranges (020 7946 0xxx, 0161 496 0xxx, ...) are valid to libphonenumber
/// already. Nothing else outside libphonenumber's valid numbers is accepted.
fn is_drama_number(e164: &str) -> bool {
    ["+447700900", "+441632960"]
        .iter()
        .any(|prefix| e164.len() == prefix.len() + 3 && e164.starts_with(prefix))
}

/// Hide all but the last three characters of an address (a phone number or chat id).
pub fn redact_address(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    let keep_tail = 3.min(chars.len());
    let keep_head = if address.starts_with('+') {
        3.min(chars.len() - keep_tail)
    } else {
        0
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i >= chars.len() - keep_tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug never shows the whole number: a stray `{:?}` in a log must not leak it.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.redacted())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_national_and_international_forms_agree() {
        let expected = "+447700900123";
        for input in [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "+447700900123",
            "0044 7700 900123",
            " (07700) 900-123 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.0),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn other_countries_in_international_form() {
        assert_eq!(
            PhoneNumber::parse("+48 512 345 678").map(|p| p.0),
            Ok("+48512345678".into())
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("   "), Err(PhoneError::Empty));
        assert!(matches!(PhoneNumber::parse("call me"), Err(PhoneError::Unparseable(_))));
        assert!(matches!(
            PhoneNumber::parse("0800 FLOWERS"),
            Err(PhoneError::Unparseable(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("123"),
            Err(PhoneError::Invalid(_) | PhoneError::Unparseable(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+44 12"),
            Err(PhoneError::Invalid(_) | PhoneError::Unparseable(_))
        ));
        // Found by `scripts/fuzz phone`: a trunk 0 after the international prefix.
        assert_eq!(
            PhoneNumber::parse("00044 394 385"),
            Err(PhoneError::Invalid("00044 394 385".into()))
        );
    }

    #[test]
    fn debug_and_redaction_hide_the_number() {
        let p = PhoneNumber::parse("07700 900123").unwrap();
        assert_eq!(p.redacted(), "+44*******123");
        assert!(!format!("{p:?}").contains("900123"));
        assert_eq!(redact_address("123456789"), "******789");
        assert_eq!(redact_address("12"), "12");
    }
}
