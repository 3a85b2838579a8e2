//! The languages Peerline speaks. Adding one means a variant here and a folder in `locales/`.

use std::{fmt, str::FromStr};

use unic_langid::LanguageIdentifier;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unsupported language {0:?} (supported: en-GB, cy, pl)")]
pub struct LanguageError(pub String);

/// A language a person can be written to in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Language {
    #[default]
    #[serde(rename = "en-GB")]
    EnGb,
    #[serde(rename = "cy")]
    Cy,
    #[serde(rename = "pl")]
    Pl,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::EnGb, Language::Cy, Language::Pl];

    /// The BCP 47 tag, also the folder name under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::EnGb => "en-GB",
            Language::Cy => "cy",
            Language::Pl => "pl",
        }
    }

    /// The language's own name for itself, as shown on a language picker.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::EnGb => "English",
            Language::Cy => "Cymraeg",
            Language::Pl => "Polski",
        }
    }

    pub fn langid(self) -> LanguageIdentifier {
        // The tags above are valid BCP 47; parsing cannot fail, but fall back rather than panic.
        self.tag().parse().unwrap_or_default()
    }

    /// Best supported language for a requested tag (`en-US` → en-GB, `pl-PL` → pl) or a name a
    /// person might type (`Cymraeg`, `polski`, `welsh`). `None` when nothing fits.
    pub fn negotiate(requested: &str) -> Option<Language> {
        let folded = requested.trim().to_lowercase();
        let by_name = match folded.as_str() {
            "english" | "saesneg" | "angielski" => Some(Language::EnGb),
            "cymraeg" | "welsh" | "walijski" => Some(Language::Cy),
            "polski" | "polish" | "pwyleg" => Some(Language::Pl),
            _ => None,
        };
        if by_name.is_some() {
            return by_name;
        }
        let wanted: LanguageIdentifier = folded.parse().ok()?;
        let available: Vec<LanguageIdentifier> = Self::ALL.iter().map(|l| l.langid()).collect();
        let chosen = fluent_langneg::negotiate_languages(
            &[wanted],
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        let first = chosen.first()?;
        Self::ALL.into_iter().find(|l| &l.langid() == *first)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Language {
    type Err = LanguageError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::negotiate(s).ok_or_else(|| LanguageError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_tags_and_names() {
        assert_eq!(Language::negotiate("en-GB"), Some(Language::EnGb));
        assert_eq!(Language::negotiate("en-US"), Some(Language::EnGb));
        assert_eq!(Language::negotiate("en"), Some(Language::EnGb));
        assert_eq!(Language::negotiate("pl-PL"), Some(Language::Pl));
        assert_eq!(Language::negotiate("CY"), Some(Language::Cy));
        assert_eq!(Language::negotiate("Cymraeg"), Some(Language::Cy));
        assert_eq!(Language::negotiate("polski"), Some(Language::Pl));
        assert_eq!(Language::negotiate("de"), None);
        assert_eq!(Language::negotiate("not a tag!"), None);
        assert!("fr".parse::<Language>().is_err());
    }
}
