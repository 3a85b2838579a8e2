//! Risk-language triage: does a message contain words that mean someone may be at risk?
//!
//! Every inbound text, on either channel, from anyone, is checked against phrase lists kept as
//! data in `core/risk/` (one file per language; all languages are checked for everyone, since
//! people switch languages). A match sends crisis numbers at once and alerts a coordinator.
//! This is a triage aid that reorders human attention: a human decides, and no result here
//! ever means "all clear".
//!
//! Matching is on whole words after folding case and accents (hand-written for Welsh and
//! Polish letters: `ł` has no Unicode decomposition), dropping punctuation, and collapsing
//! repeated letters (`killlll` = `kill`). Letter-spaced writing (`k i l l  m y s e l f`) is
//! matched too.

use std::fmt;

/// What kind of risk a phrase points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskCategory {
    Suicide,
    SelfHarm,
    Overdose,
    HarmToOthers,
    ChildAtRisk,
    DomesticAbuse,
    RelapseDanger,
}

impl RiskCategory {
    /// Most serious first: the order [`Triage::assess`] reports in.
    pub const ALL: [RiskCategory; 7] = [
        RiskCategory::Suicide,
        RiskCategory::SelfHarm,
        RiskCategory::Overdose,
        RiskCategory::HarmToOthers,
        RiskCategory::ChildAtRisk,
        RiskCategory::DomesticAbuse,
        RiskCategory::RelapseDanger,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::Suicide => "suicide",
            RiskCategory::SelfHarm => "self-harm",
            RiskCategory::Overdose => "overdose",
            RiskCategory::HarmToOthers => "harm-to-others",
            RiskCategory::ChildAtRisk => "child-at-risk",
            RiskCategory::DomesticAbuse => "domestic-abuse",
            RiskCategory::RelapseDanger => "relapse-danger",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        RiskCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for RiskCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The embedded phrase lists: (file name, text).
pub const LISTS: &[(&str, &str)] = &[
    ("en-GB.txt", include_str!("../risk/en-GB.txt")),
    ("cy.txt", include_str!("../risk/cy.txt")),
    ("pl.txt", include_str!("../risk/pl.txt")),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Exact(String),
    Prefix(String),
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        match self {
            Word::Exact(w) => token == w,
            Word::Prefix(p) => token.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<Word>,
    /// The phrase without spaces, for letter-spaced text.
    compact: String,
    category: RiskCategory,
}

/// A line of a list that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

/// The compiled phrase lists. Build once, share (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Triage {
    phrases: Vec<Phrase>,
    bad: Vec<BadLine>,
}

fn fold(c: char) -> char {
    match c {
        'ą' | 'â' | 'á' | 'à' | 'ä' | 'Ą' | 'Â' | 'Á' | 'À' | 'Ä' => 'a',
        'ć' | 'ç' | 'Ć' | 'Ç' => 'c',
        'ę' | 'ê' | 'é' | 'è' | 'ë' | 'Ę' | 'Ê' | 'É' | 'È' | 'Ë' => 'e',
        'î' | 'í' | 'ì' | 'ï' | 'Î' | 'Í' | 'Ì' | 'Ï' => 'i',
        'ł' | 'Ł' => 'l',
        'ń' | 'ñ' | 'Ń' | 'Ñ' => 'n',
        'ó' | 'ô' | 'ò' | 'ö' | 'Ó' | 'Ô' | 'Ò' | 'Ö' => 'o',
        'ś' | 'Ś' => 's',
        'û' | 'ú' | 'ù' | 'ü' | 'Û' | 'Ú' | 'Ù' | 'Ü' => 'u',
        'ŵ' | 'ẁ' | 'ẃ' | 'ẅ' | 'Ŵ' | 'Ẁ' | 'Ẃ' | 'Ẅ' => 'w',
        'ŷ' | 'ý' | 'ỳ' | 'ÿ' | 'Ŷ' | 'Ý' | 'Ỳ' | 'Ÿ' => 'y',
        'ź' | 'ż' | 'Ź' | 'Ż' => 'z',
        other => other.to_ascii_lowercase(),
    }
}

/// Folded, punctuation-free words with repeated letters collapsed. Apostrophes vanish so
/// `can't` and `cant` agree.
fn tokens(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '`'))
        .map(fold)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    folded
        .split_whitespace()
        .map(|w| {
            let mut out = String::with_capacity(w.len());
            for c in w.chars() {
                if !out.ends_with(c) {
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

impl Triage {
    /// Compile the embedded lists. Lines that cannot be used are skipped and reported by
    /// [`Triage::bad_lines`] (a test keeps that list empty).
    pub fn embedded() -> Triage {
        let mut phrases = Vec::new();
        let mut bad = Vec::new();
        for (file, text) in LISTS {
            let mut category = None;
            for (i, raw) in text.lines().enumerate() {
                let line = raw.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    category = RiskCategory::parse(name.trim());
                    if category.is_none() {
                        bad.push(BadLine {
                            file,
                            line: i + 1,
                            reason: format!("unknown category {name:?}"),
                        });
                    }
                    continue;
                }
                let Some(cat) = category else {
                    bad.push(BadLine {
                        file,
                        line: i + 1,
                        reason: "phrase outside a category".into(),
                    });
                    continue;
                };
                let words: Vec<Word> = line
                    .split_whitespace()
                    .filter_map(|w| {
                        let (stem, prefix) = match w.strip_suffix('*') {
                            Some(s) => (s, true),
                            None => (w, false),
                        };
                        let t = tokens(stem).concat();
                        (!t.is_empty()).then_some(if prefix { Word::Prefix(t) } else { Word::Exact(t) })
                    })
                    .collect();
                if words.is_empty() {
                    bad.push(BadLine {
                        file,
                        line: i + 1,
                        reason: "no words".into(),
                    });
                    continue;
                }
                let compact = words
                    .iter()
                    .map(|w| match w {
                        Word::Exact(s) | Word::Prefix(s) => s.as_str(),
                    })
                    .collect();
                phrases.push(Phrase {
                    words,
                    compact,
                    category: cat,
                });
            }
        }
        Triage { phrases, bad }
    }

    /// Lines of the lists that were skipped.
    pub fn bad_lines(&self) -> &[BadLine] {
        &self.bad
    }

    /// How many phrases were compiled.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Categories found in `text`, most serious first; empty when nothing matched (which is
    /// not an all-clear).
    pub fn assess(&self, text: &str) -> Vec<RiskCategory> {
        let toks = tokens(text);
        // Letter-spaced writing: many one-letter words; also look at the text run together.
        let singles = toks.iter().filter(|t| t.len() == 1).count();
        let joined: Option<String> = (singles >= 4).then(|| tokens(&toks.concat()).concat());
        let mut found: Vec<RiskCategory> = Vec::new();
        for p in &self.phrases {
            if found.contains(&p.category) {
                continue;
            }
            let n = p.words.len();
            let in_words = toks.len() >= n
                && toks
                    .windows(n)
                    .any(|w| w.iter().zip(&p.words).all(|(t, pw)| pw.matches(t)));
            let in_joined = joined
                .as_deref()
                .is_some_and(|j| p.compact.len() >= 6 && j.contains(&p.compact));
            if in_words || in_joined {
                found.push(p.category);
            }
        }
        found.sort();
        found
    }

    /// Does this phrase (as written in a list) match itself? For list hygiene tests.
    pub fn matches_itself(&self, phrase: &str) -> bool {
        !self.assess(&phrase.replace('*', "")).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_accents_punctuation_and_repeats() {
        assert_eq!(tokens("I can't  GO... on!!!"), ["i", "cant", "go", "on"]);
        assert_eq!(tokens("killlll myselfff"), ["kil", "myself"]);
        assert_eq!(tokens("Zabiję się"), ["zabije", "sie"]);
        assert_eq!(tokens("Dŵr łódź"), ["dwr", "lodz"]);
    }
}
