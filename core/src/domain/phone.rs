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
    #[error("{0:?} is not a valid number for its country")]
    Invalid(String),
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
        let trimmed = input.trim();
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
        if !phonenumber::is_valid(&parsed) && !has_possible_length(&parsed) {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
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

/// libphonenumber's validity check rejects unallocated ranges, including Ofcom's numbers
/// reserved for drama and testing (07700 900000-900999). Accept a number whose national part
/// has a length its country uses, so such numbers work in tests and training set-ups, while
/// wrong-length input is still refused.
fn has_possible_length(number: &phonenumber::PhoneNumber) -> bool {
    let digits = number.national().to_string().len();
    let Ok(digits) = u16::try_from(digits) else {
        return false;
    };
    let code = number.country().code();
    phonenumber::metadata::DATABASE.by_code(&code).is_some_and(|metas| {
        metas.iter().any(|m| {
            let d = m.descriptors();
            // The general descriptor's lengths are often empty; the per-type ones are not.
            [Some(d.general()), d.mobile(), d.fixed_line()]
                .into_iter()
                .flatten()
                .any(|desc| desc.possible_length().contains(&digits))
        })
    })
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
