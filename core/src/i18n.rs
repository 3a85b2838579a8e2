//! Every word a person reads comes from the Fluent files in `locales/`. They are embedded in
//! the binary; a service may point `locales.dir` at a directory of its own `<lang>/*.ftl` files
//! to override single messages without rebuilding.
//!
//! Bidi isolation marks are turned off: they are not GSM-7 and would double the price of every
//! SMS that contains a placeable.

use std::{collections::HashMap, path::Path};

pub use fluent_bundle::FluentValue;
use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};

use crate::domain::Language;

/// The built-in Fluent sources: (language, file name, text).
pub const EMBEDDED: &[(Language, &str, &str)] = &[
    (
        Language::EnGb,
        "peerline.ftl",
        include_str!("../../locales/en-GB/peerline.ftl"),
    ),
    (
        Language::Cy,
        "peerline.ftl",
        include_str!("../../locales/cy/peerline.ftl"),
    ),
    (
        Language::Pl,
        "peerline.ftl",
        include_str!("../../locales/pl/peerline.ftl"),
    ),
];

/// The language every other falls back to when a message is missing.
pub const FALLBACK: Language = Language::EnGb;

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("locale file {file} ({lang}) has syntax errors: {errors}")]
    Parse {
        lang: Language,
        file: String,
        errors: String,
    },
    #[error("locale file {file} ({lang}) defines a message twice: {errors}")]
    Duplicate {
        lang: Language,
        file: String,
        errors: String,
    },
    #[error("cannot read locale override {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// Arguments for a message: `&[("name", "Sam".into())]`.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

/// Formats messages in any supported language. Cheap to share (`Arc<Localizer>`).
pub struct Localizer {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Localizer {
    /// Only the built-in messages.
    pub fn embedded() -> Result<Self, I18nError> {
        Self::new(None)
    }

    /// Built-in messages, overridden by any `<dir>/<lang>/*.ftl` files.
    pub fn new(override_dir: Option<&Path>) -> Result<Self, I18nError> {
        let mut bundles = HashMap::new();
        for lang in Language::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
            bundle.set_use_isolating(false);
            for (l, file, source) in EMBEDDED {
                if *l == lang {
                    add(&mut bundle, lang, file, source.to_string(), false)?;
                }
            }
            if let Some(dir) = override_dir {
                let lang_dir = dir.join(lang.tag());
                if lang_dir.is_dir() {
                    let entries = std::fs::read_dir(&lang_dir).map_err(|source| I18nError::Io {
                        path: lang_dir.display().to_string(),
                        source,
                    })?;
                    let mut files: Vec<_> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
                        .collect();
                    files.sort();
                    for path in files {
                        let text = std::fs::read_to_string(&path).map_err(|source| I18nError::Io {
                            path: path.display().to_string(),
                            source,
                        })?;
                        add(&mut bundle, lang, &path.display().to_string(), text, true)?;
                    }
                }
            }
            bundles.insert(lang, bundle);
        }
        Ok(Self { bundles })
    }

    /// Does `lang` define `id` itself (without falling back)?
    pub fn has(&self, lang: Language, id: &str) -> bool {
        self.bundles.get(&lang).is_some_and(|b| b.has_message(id))
    }

    /// Format `id` in `lang`, falling back to en-GB. A message missing everywhere yields its id
    /// (and an error in the log): a test keeps that from ever shipping.
    pub fn format(&self, lang: Language, id: &str, args: &Args<'_>) -> String {
        let bundle = match self.bundles.get(&lang).filter(|b| b.has_message(id)) {
            Some(b) => b,
            None => match self.bundles.get(&FALLBACK).filter(|b| b.has_message(id)) {
                Some(b) => {
                    tracing::warn!(%lang, id, "message missing in locale; using en-GB");
                    b
                }
                None => {
                    tracing::error!(id, "message missing in every locale");
                    return id.to_owned();
                }
            },
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, "message has no value");
            return id.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
        if !errors.is_empty() {
            tracing::error!(%lang, id, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }

    /// A local date and time for people to read, e.g. `Tue 3 Mar, 14:00` (en-GB), with day
    /// and month names from the locale files.
    pub fn when(&self, lang: Language, at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
        use chrono::Timelike;
        let local = at.with_timezone(&tz);
        let mut args = self.date_args(lang, local.date_naive());
        args.push(("time", format!("{:02}:{:02}", local.hour(), local.minute()).into()));
        self.format(lang, "date-time", &args)
    }

    /// A date for people to read, e.g. `Tue 3 Mar` (en-GB).
    pub fn day(&self, lang: Language, date: chrono::NaiveDate) -> String {
        self.format(lang, "date-day", &self.date_args(lang, date))
    }

    /// Weekday, day and month of `date`, with the names from the locale files.
    fn date_args(&self, lang: Language, date: chrono::NaiveDate) -> Vec<(&'static str, FluentValue<'static>)> {
        use chrono::Datelike;
        let weekday = self.format(
            lang,
            "weekday",
            &[("n", i64::from(date.weekday().number_from_monday()).into())],
        );
        let month = self.format(lang, "month", &[("n", i64::from(date.month()).into())]);
        vec![
            ("weekday", weekday.into()),
            ("day", i64::from(date.day()).into()),
            ("month", month.into()),
        ]
    }

    /// Shorthand for a message without arguments.
    pub fn text(&self, lang: Language, id: &str) -> String {
        self.format(lang, id, &[])
    }
}

fn add(
    bundle: &mut FluentBundle<FluentResource>,
    lang: Language,
    file: &str,
    source: String,
    overriding: bool,
) -> Result<(), I18nError> {
    let resource = FluentResource::try_new(source).map_err(|(_, errors)| I18nError::Parse {
        lang,
        file: file.to_owned(),
        errors: errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join("; "),
    })?;
    if overriding {
        bundle.add_resource_overriding(resource);
        Ok(())
    } else {
        bundle.add_resource(resource).map_err(|errors| I18nError::Duplicate {
            lang,
            file: file.to_owned(),
            errors: errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_cldr_per_language() {
        let l = Localizer::embedded().unwrap();
        let n = |lang, days: i64| l.format(lang, "enrol-invalid-code", &[("days", days.into())]);
        // English: one/other. Welsh: zero/one/two/few/many/other, with the soft mutation
        // after "two". Polish: one/few/many.
        assert!(n(Language::EnGb, 1).contains("1 day "));
        assert!(n(Language::EnGb, 3).contains("3 days"));
        assert!(n(Language::Cy, 1).contains("1 diwrnod"));
        assert!(n(Language::Cy, 2).contains("2 ddiwrnod"));
        assert!(n(Language::Cy, 3).contains("3 diwrnod"));
        assert!(n(Language::Pl, 1).contains("1 dzień"));
        assert!(n(Language::Pl, 3).contains("3 dni"));
        assert!(n(Language::Pl, 5).contains("5 dni"));
    }

    #[test]
    fn placeables_have_no_isolation_marks() {
        let l = Localizer::embedded().unwrap();
        let s = l.format(
            Language::EnGb,
            "enrol-welcome",
            &[
                ("name", "Sam".into()),
                ("service", "Camden".into()),
                ("role", "mentor".into()),
            ],
        );
        assert!(
            s.starts_with("Welcome, Sam. You are now connected to Camden as a peer mentor."),
            "{s}"
        );
        assert!(!s.contains('\u{2068}') && !s.contains('\u{2069}'));
    }

    #[test]
    fn override_directory_replaces_single_messages() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en-GB")).unwrap();
        std::fs::write(
            dir.path().join("en-GB/ours.ftl"),
            "welcome-unknown = Hello from Camden.\n",
        )
        .unwrap();
        let l = Localizer::new(Some(dir.path())).unwrap();
        assert_eq!(l.text(Language::EnGb, "welcome-unknown"), "Hello from Camden.");
        // Other messages and languages keep their built-in text.
        assert_ne!(l.text(Language::Cy, "welcome-unknown"), "Hello from Camden.");
        assert!(l.has(Language::EnGb, "help-mentor"));
    }

    #[test]
    fn broken_override_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pl")).unwrap();
        std::fs::write(dir.path().join("pl/bad.ftl"), "this is { not fluent\n").unwrap();
        let err = Localizer::new(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("bad.ftl"), "{err}");
    }
}
