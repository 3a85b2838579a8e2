//! Risk-language triage: does an inbound text contain words that mean someone may be in danger?
//!
//! Every inbound text, on either channel and from anyone, goes through [`Triage::assess`]. A
//! match sends the sender crisis numbers at once and alerts a coordinator. This is a **triage
//! aid**: it reorders human attention so that the most worrying messages are read first. It
//! never says "all clear": an empty result only means no listed phrase was found, and people
//! still read every message. Humans decide what a message means and what to do.
//!
//! The phrases are data, one file per language in `core/risk/` (format documented at the top
//! of each file), embedded at build time. Every language's phrases apply to every message,
//! because people switch languages mid-sentence.
//!
//! Matching is deliberately forgiving about how people type on a phone in a hurry or in
//! distress. Text and phrases go through the same normalisation:
//!
//! 1. lower case; accents and diacritics folded to ASCII (Welsh ŵ ŷ â ê î ô û, Polish ą ć ę ł
//!    ń ó ś ź ż, and the rest of Latin-1 and Latin Extended-A); combining marks and invisible
//!    characters (zero-width space, soft hyphen) dropped;
//! 2. an apostrophe between letters joins them (`can't` → `cant`, `he'll` → `hell`); any other
//!    punctuation, emoji or space separates words (`kill.myself`, `kill-myself` → `kill myself`);
//!    `!`, `|`, `@`, `$` between two letters read as `i`, `i`, `a`, `s` (`k!ll`), and in a word
//!    that has letters the digits 0 1 3 4 5 7 read as o i e a s t (`su1c1de`, `s3lf h4rm`);
//! 3. every run of a repeated letter becomes one letter (`killlll` → `kil`, `sooo` → `so`,
//!    `lladd` → `lad`), so stretched and doubled letters match either way; one consequence is
//!    that `odd` and `od` are the same word, so the lists only use `od` in unambiguous context;
//! 4. three or more one-letter words in a row are also read joined (`k i l l myself`);
//! 5. a multi-word phrase also matches when typed without spaces (`killmyself`, `wannadie`), and
//!    inside a joined run of single letters (`k.i.l.l.m.y.s.e.l.f`).
//!
//! Phrases match whole words (`skills` never matches `kill`, `pod` never matches `od`); a `*`
//! at the end of a phrase word matches any ending. Phrases in a list's `[except]` section
//! mask the words they cover: `suicide prevention training` or `5 kms` (kilometres) do not
//! raise an alert, while a risk phrase elsewhere in the same message still does. Negation is
//! deliberately not handled: "I'm not going to kill myself" is flagged, because people in
//! crisis minimise and a human should read it.

use std::collections::{HashMap, hash_map::Entry};
use std::fmt;

use crate::text::{APOSTROPHE, fold_chars};

mod rules;
pub use rules::{BadRule, EMBEDDED_RULES, embedded_rule_errors, embedded_rule_names};

/// What kind of danger a phrase suggests. Declared (and so ordered) most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskCategory {
    Suicide,
    SelfHarm,
    Overdose,
    HarmToOthers,
    ChildAtRisk,
    DomesticAbuse,
    /// A relapse with danger attached: using again after a gap (lost tolerance), using alone,
    /// mixing depressants, or about to use.
    RelapseDanger,
}

impl RiskCategory {
    /// Every category, most serious first (the order [`Triage::assess`] reports them in).
    pub const ALL: [RiskCategory; 7] = [
        RiskCategory::Suicide,
        RiskCategory::SelfHarm,
        RiskCategory::Overdose,
        RiskCategory::HarmToOthers,
        RiskCategory::ChildAtRisk,
        RiskCategory::DomesticAbuse,
        RiskCategory::RelapseDanger,
    ];

    /// The kebab-case name, as serialised and as used for the list sections.
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

    /// The category of a kebab-case name (`self-harm`), if there is one.
    pub fn from_name(name: &str) -> Option<RiskCategory> {
        RiskCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }

    fn from_section(name: &str) -> Option<RiskCategory> {
        RiskCategory::from_name(name)
    }
}

impl fmt::Display for RiskCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The phrase lists built into the binary: `(language tag, file contents)`.
pub const EMBEDDED_LISTS: [(&str, &str); 3] = [
    ("en-GB", include_str!("../risk/en-GB.txt")),
    ("cy", include_str!("../risk/cy.txt")),
    ("pl", include_str!("../risk/pl.txt")),
];

/// A list line the parser skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub language: String,
    /// 1-based line number in the list file.
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}: {} ({:?})",
            self.language, self.line, self.reason, self.text
        )
    }
}

/// One list line found in a text, as reported by [`Triage::explain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseMatch<'a> {
    /// `None` for a line of an `[except]` section.
    pub category: Option<RiskCategory>,
    pub language: &'a str,
    /// 1-based line number in the list file.
    pub line: usize,
    /// The line as written in the list.
    pub phrase: &'a str,
    /// A risk phrase whose words were all covered by `[except]` phrases wherever it matched.
    pub suppressed: bool,
}

/// A phrase as the lists define it, for tools and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedPhrase<'a> {
    pub category: Option<RiskCategory>,
    pub language: &'a str,
    pub line: usize,
    pub phrase: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Alt {
    /// The normalised word, and its English stem key (see [`Word::stem`]).
    Exact(String, String),
    Prefix(String),
    Number,
}

impl Alt {
    /// Does `word` match? With `stemmed`, an exact word also matches any word of the same
    /// English stem (`hurt` = `hurts` = `hurting`).
    fn matches(&self, word: &Word, stemmed: bool) -> bool {
        match self {
            Alt::Exact(s, stem) => word.text == *s || (stemmed && word.stem == *stem),
            Alt::Prefix(s) => word.text.starts_with(s.as_str()),
            Alt::Number => !word.text.is_empty() && word.text.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

/// Where a phrase came from, for its rule name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// A line of a built-in list.
    List,
    /// A service's configured phrase.
    Extra,
}

#[derive(Debug)]
struct Phrase {
    category: Option<RiskCategory>,
    language: usize,
    line: usize,
    source: String,
    words: Vec<Vec<Alt>>,
    /// English phrases match every form of their words (stemmed).
    stemmed: bool,
    origin: Origin,
}

impl Phrase {
    fn matches_at(&self, seq: &[Word], start: usize) -> bool {
        start + self.words.len() <= seq.len()
            && self
                .words
                .iter()
                .zip(&seq[start..])
                .all(|(alts, w)| alts.iter().any(|a| a.matches(w, self.stemmed)))
    }

    /// The stable rule name: where the phrase comes from, its category and its text.
    fn rule_name(&self, language: &str) -> String {
        let category = self.category.map_or("except", RiskCategory::as_str);
        match self.origin {
            Origin::List => format!("phrase:{language}:{category}:{}", self.source),
            Origin::Extra => format!("service:{language}:{category}:{}", self.source),
        }
    }
}

/// One reason a text was flagged, as [`Triage::matches`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RiskMatch {
    pub category: RiskCategory,
    /// A stable name for what matched, recorded with the escalation:
    /// `phrase:<language>:<category>:<list line>` for a built-in list line,
    /// `service:<language>:<category>:<phrase>` for a service's configured phrase, and
    /// `rule:<language>:<category>:<name>` for a word-form or proximity rule.
    pub rule: String,
    /// What the rule looks for, as written (the phrase, or the rule's word slots).
    pub pattern: String,
}

/// A phrase a service adds in its configuration (`[[risk.extra_phrases]]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPhrase {
    /// A category name: `suicide`, `self-harm`, `overdose`, `harm-to-others`,
    /// `child-at-risk`, `domestic-abuse` or `relapse-danger`.
    pub category: String,
    /// Written like a list line: whole words, `a|b` alternatives, `word*` any ending.
    pub phrase: String,
    /// `en-GB` (the default; every form of each word matches), `cy` or `pl`.
    #[serde(default = "default_extra_language")]
    pub language: String,
}

fn default_extra_language() -> String {
    "en-GB".to_owned()
}

/// Why a configured phrase was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraPhraseError {
    #[error(
        "unknown category {0:?} (use one of suicide, self-harm, overdose, harm-to-others, child-at-risk, domestic-abuse, relapse-danger)"
    )]
    UnknownCategory(String),
    #[error("unknown language {0:?} (use en-GB, cy or pl)")]
    UnknownLanguage(String),
    #[error("the phrase is empty")]
    Empty,
    #[error("{0}")]
    Malformed(String),
}

impl ExtraPhrase {
    /// Check the phrase as start-up does: a known category and language, and a phrase that
    /// parses and is not empty.
    pub fn validate(&self) -> Result<(), ExtraPhraseError> {
        self.parse().map(|_| ())
    }

    fn parse(&self) -> Result<(RiskCategory, Vec<Vec<Alt>>), ExtraPhraseError> {
        let category = RiskCategory::from_name(self.category.trim())
            .ok_or_else(|| ExtraPhraseError::UnknownCategory(self.category.clone()))?;
        if !LANGUAGES.contains(&self.language.as_str()) {
            return Err(ExtraPhraseError::UnknownLanguage(self.language.clone()));
        }
        if self.phrase.trim().is_empty() {
            return Err(ExtraPhraseError::Empty);
        }
        let words = parse_phrase(&self.phrase).map_err(ExtraPhraseError::Malformed)?;
        Ok((category, words))
    }
}

/// The languages with built-in lists and rules.
pub const LANGUAGES: [&str; 3] = ["en-GB", "cy", "pl"];

/// The phrase lists, parsed and indexed once. Cheap to share behind an `Arc`.
pub struct Triage {
    languages: Vec<String>,
    phrases: Vec<Phrase>,
    /// Phrases by the exact text of (an alternative of) their first word.
    by_first_word: HashMap<String, Vec<usize>>,
    /// Phrases by the first three letters of a wildcard first word.
    by_first_stem: HashMap<String, Vec<usize>>,
    /// Stemmed phrases by the English stem key of (an alternative of) their first word.
    by_first_stemkey: HashMap<String, Vec<usize>>,
    /// Phrases whose first word is `<num>`.
    number_first: Vec<usize>,
    /// Multi-word risk phrases written without spaces.
    compact: HashMap<String, Vec<usize>>,
    /// Word-form and proximity rules (see [`rules`]); empty with [`Triage::phrases_only`].
    rules: Vec<rules::Rule>,
    /// With [`Triage::only_language`]: matches of other languages are not reported.
    only: Option<String>,
}

impl fmt::Debug for Triage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Triage")
            .field("languages", &self.languages)
            .field("phrases", &self.phrases.len())
            .finish_non_exhaustive()
    }
}

/// Stems shorter than this would match far too many words.
const MIN_STEM: usize = 3;
/// Compact (space-less) forms shorter than this are too likely to be ordinary words.
const MIN_COMPACT: usize = 6;
/// Phrases with more combinations of alternatives than this get no compact forms.
const MAX_COMPACT_FORMS: usize = 64;
/// How many one-letter words in a row count as letter-spaced typing.
const MIN_LETTER_RUN: usize = 3;

impl Triage {
    /// The built-in lists. Never panics: a malformed line is logged and skipped (and the test
    /// suite fails on it).
    pub fn embedded() -> Triage {
        let (triage, bad) = Triage::from_lists(&EMBEDDED_LISTS);
        for b in &bad {
            tracing::error!(language = %b.language, line = b.line, reason = %b.reason, "risk phrase list: line skipped");
        }
        triage
    }

    /// Parse lists given as `(language tag, contents)`. Bad lines are skipped and returned.
    pub fn from_lists(lists: &[(&str, &str)]) -> (Triage, Vec<BadLine>) {
        let mut triage = Triage {
            languages: Vec::new(),
            phrases: Vec::new(),
            by_first_word: HashMap::new(),
            by_first_stem: HashMap::new(),
            by_first_stemkey: HashMap::new(),
            number_first: Vec::new(),
            compact: HashMap::new(),
            rules: rules::compile(),
            only: None,
        };
        let mut bad = Vec::new();
        for (language, source) in lists {
            let lang_index = triage.languages.len();
            triage.languages.push((*language).to_owned());
            let mut section: Option<Option<RiskCategory>> = None;
            let mut seen: HashMap<(Option<RiskCategory>, Vec<Vec<Alt>>), usize> = HashMap::new();
            for (n, raw) in source.lines().enumerate() {
                let line = raw.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut fail = |reason: String| {
                    bad.push(BadLine {
                        language: (*language).to_owned(),
                        line: n + 1,
                        text: raw.to_owned(),
                        reason,
                    })
                };
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    let name = name.trim();
                    section = if name == "except" {
                        Some(None)
                    } else if let Some(c) = RiskCategory::from_section(name) {
                        Some(Some(c))
                    } else {
                        fail(format!("unknown section [{name}]"));
                        None
                    };
                    continue;
                }
                let Some(category) = section else {
                    fail("phrase outside a known section".into());
                    continue;
                };
                let words = match parse_phrase(line) {
                    Ok(w) => w,
                    Err(reason) => {
                        fail(reason);
                        continue;
                    }
                };
                match seen.entry((category, words.clone())) {
                    Entry::Occupied(first) => {
                        fail(format!("same phrase as line {}", first.get()));
                        continue;
                    }
                    Entry::Vacant(v) => {
                        v.insert(n + 1);
                    }
                }
                triage.add(Phrase {
                    category,
                    language: lang_index,
                    line: n + 1,
                    source: line.to_owned(),
                    words,
                    stemmed: *language == "en-GB",
                    origin: Origin::List,
                });
            }
        }
        (triage, bad)
    }

    fn add(&mut self, phrase: Phrase) {
        let id = self.phrases.len();
        let push = |v: &mut Vec<usize>| {
            if v.last() != Some(&id) {
                v.push(id);
            }
        };
        if let Some(first) = phrase.words.first() {
            for alt in first {
                if let (true, Alt::Exact(_, stem)) = (phrase.stemmed, alt) {
                    push(self.by_first_stemkey.entry(stem.clone()).or_default());
                }
                match alt {
                    Alt::Exact(s, _) => push(self.by_first_word.entry(s.clone()).or_default()),
                    Alt::Prefix(s) => push(
                        self.by_first_stem
                            .entry(s.chars().take(MIN_STEM).collect())
                            .or_default(),
                    ),
                    Alt::Number => push(&mut self.number_first),
                }
            }
        }
        if phrase.category.is_some() && phrase.words.len() >= 2 {
            for form in compact_forms(&phrase.words) {
                push(self.compact.entry(form).or_default());
            }
        }
        self.phrases.push(phrase);
    }

    /// Every phrase in the lists, in list order.
    pub fn phrases(&self) -> impl Iterator<Item = ListedPhrase<'_>> {
        self.phrases.iter().map(|p| ListedPhrase {
            category: p.category,
            language: &self.languages[p.language],
            line: p.line,
            phrase: &p.source,
        })
    }

    /// The same lists matched as they were before rules and word forms: exact listed forms
    /// only, no rules. Kept for comparison (the evaluation prints both) and for the test that
    /// nothing matched before stops matching.
    pub fn phrases_only(mut self) -> Triage {
        self.rules.clear();
        self.by_first_stemkey.clear();
        for p in &mut self.phrases {
            p.stemmed = false;
        }
        self
    }

    /// Report only matches of one language's lists, rules and configured phrases (for a
    /// coordinator tuning phrases; Peerline itself applies every language to every message).
    pub fn only_language(mut self, language: &str) -> Triage {
        self.only = Some(language.to_owned());
        self
    }

    /// Add a service's configured phrases. Each was checked at start-up
    /// ([`ExtraPhrase::validate`]); one that does not parse is returned and skipped.
    pub fn with_extra_phrases(mut self, extra: &[ExtraPhrase]) -> (Triage, Vec<ExtraPhraseError>) {
        let mut bad = Vec::new();
        for (n, e) in extra.iter().enumerate() {
            match e.parse() {
                Ok((category, words)) => {
                    let language = match self.languages.iter().position(|l| *l == e.language) {
                        Some(i) => i,
                        None => {
                            self.languages.push(e.language.clone());
                            self.languages.len() - 1
                        }
                    };
                    self.add(Phrase {
                        category: Some(category),
                        language,
                        line: n + 1,
                        source: e.phrase.trim().to_owned(),
                        words,
                        stemmed: e.language == "en-GB",
                        origin: Origin::Extra,
                    });
                }
                Err(err) => bad.push(err),
            }
        }
        (self, bad)
    }

    /// Categories matched in `text`, most serious first; empty when nothing matched (which is
    /// not an all-clear). Phrases and rules of every language apply, whatever the sender's
    /// language.
    pub fn assess(&self, text: &str) -> Vec<RiskCategory> {
        let mut out: Vec<RiskCategory> = self.matches(text).into_iter().map(|m| m.category).collect();
        out.dedup();
        out
    }

    /// Every reason `text` was flagged, most serious category first, each rule once: list
    /// phrases (not suppressed by an `[except]` phrase), configured phrases and rules.
    pub fn matches(&self, text: &str) -> Vec<RiskMatch> {
        let mut out: Vec<RiskMatch> =
            self.explain(text)
                .into_iter()
                .filter(|m| !m.suppressed)
                .filter_map(|m| {
                    let category = m.category?;
                    let p = self.phrases.iter().find(|p| {
                        self.languages[p.language] == m.language && p.line == m.line && p.source == m.phrase
                    })?;
                    Some(RiskMatch {
                        category,
                        rule: p.rule_name(m.language),
                        pattern: m.phrase.to_owned(),
                    })
                })
                .collect();
        if !self.rules.is_empty() {
            let plain = words(text);
            let joined = join_letter_runs(&plain);
            for seq in std::iter::once(&plain).chain(joined.as_ref()) {
                let masked = self.except_mask(seq);
                for r in &self.rules {
                    if self.only.as_deref().is_some_and(|l| l != r.language) || out.iter().any(|m| m.rule == r.name) {
                        continue;
                    }
                    if r.fires(seq, &masked) {
                        out.push(RiskMatch {
                            category: r.category,
                            rule: r.name.clone(),
                            pattern: r.pattern.clone(),
                        });
                    }
                }
            }
        }
        out.sort_by_key(|m| m.category);
        out
    }

    /// Which words of one reading are covered by an `[except]` phrase.
    fn except_mask(&self, seq: &[Word]) -> Vec<bool> {
        let mut masked = vec![false; seq.len()];
        for start in 0..seq.len() {
            for p in self.phrases.iter().filter(|p| p.category.is_none()) {
                if p.matches_at(seq, start) {
                    masked[start..start + p.words.len()].iter_mut().for_each(|m| *m = true);
                }
            }
        }
        masked
    }

    /// Which list lines matched `text` (each once, in list order), including `[except]` lines
    /// and risk lines they suppressed: for coordinators asking "why was this flagged?" and for
    /// tests.
    pub fn explain(&self, text: &str) -> Vec<PhraseMatch<'_>> {
        let plain = words(text);
        let joined = join_letter_runs(&plain);
        // (phrase, suppressed) for every match in either reading of the text.
        let mut found: Vec<(usize, bool)> = Vec::new();
        self.scan(&plain, &mut found);
        if let Some(joined) = &joined {
            self.scan(joined, &mut found);
        }
        found.sort_unstable();
        // A phrase counts as suppressed only if it was suppressed everywhere it matched.
        let mut merged: Vec<(usize, bool)> = Vec::with_capacity(found.len());
        for (id, suppressed) in found {
            match merged.last_mut() {
                Some((last, s)) if *last == id => *s &= suppressed,
                _ => merged.push((id, suppressed)),
            }
        }
        merged
            .into_iter()
            .filter(|(id, _)| {
                self.only
                    .as_deref()
                    .is_none_or(|l| self.languages[self.phrases[*id].language] == l)
            })
            .map(|(id, suppressed)| {
                let p = &self.phrases[id];
                PhraseMatch {
                    category: p.category,
                    language: &self.languages[p.language],
                    line: p.line,
                    phrase: &p.source,
                    suppressed,
                }
            })
            .collect()
    }

    /// Find every phrase in one reading of the text.
    fn scan(&self, seq: &[Word], found: &mut Vec<(usize, bool)>) {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (start, word) in seq.iter().enumerate() {
            let stem = word
                .text
                .char_indices()
                .nth(MIN_STEM)
                .map_or(word.text.as_str(), |(i, _)| &word.text[..i]);
            let candidates = self
                .by_first_word
                .get(&word.text)
                .into_iter()
                .chain(self.by_first_stemkey.get(&word.stem))
                .chain(self.by_first_stem.get(stem))
                .flatten()
                .chain(&self.number_first);
            for &id in candidates {
                if self.phrases[id].matches_at(seq, start) {
                    hits.push((id, start));
                }
            }
        }
        let mut masked = vec![false; seq.len()];
        hits.sort_unstable();
        hits.dedup();
        for &(id, start) in &hits {
            let p = &self.phrases[id];
            if p.category.is_none() {
                masked[start..start + p.words.len()].iter_mut().for_each(|m| *m = true);
            }
        }
        for (id, start) in hits {
            let len = self.phrases[id].words.len();
            found.push((id, masked[start..start + len].iter().any(|m| *m)));
        }
        // Phrases typed without spaces, or spelled out letter by letter.
        for (i, word) in seq.iter().enumerate() {
            if word.joined {
                for (form, ids) in &self.compact {
                    if word.text.contains(form.as_str()) {
                        found.extend(ids.iter().map(|&id| (id, masked[i])));
                    }
                }
            } else if let Some(ids) = self.compact.get(&word.text) {
                found.extend(ids.iter().map(|&id| (id, masked[i])));
            }
        }
    }
}

/// Parse one phrase line into its words' alternatives.
fn parse_phrase(line: &str) -> Result<Vec<Vec<Alt>>, String> {
    let mut words = Vec::new();
    for word in line.split_whitespace() {
        let mut alts: Vec<Alt> = Vec::new();
        for alt in word.split('|') {
            let parsed = if alt.is_empty() {
                return Err(format!("empty alternative in {word:?}"));
            } else if alt == "<num>" {
                Alt::Number
            } else if alt.contains(['<', '>']) {
                return Err(format!("unknown token {alt:?} (only <num> is special)"));
            } else if let Some(stem) = alt.strip_suffix('*') {
                if stem.contains('*') {
                    return Err(format!("'*' only goes at the end of a word: {alt:?}"));
                }
                let stem = single_word(stem)?;
                if stem.chars().count() < MIN_STEM {
                    return Err(format!("wildcard stem {alt:?} is shorter than {MIN_STEM} letters"));
                }
                Alt::Prefix(stem)
            } else if alt.contains('*') {
                return Err(format!("'*' only goes at the end of a word: {alt:?}"));
            } else {
                let w = single_word_full(alt)?;
                Alt::Exact(w.text, w.stem)
            };
            if !alts.contains(&parsed) {
                alts.push(parsed);
            }
        }
        words.push(alts);
    }
    if words.is_empty() {
        return Err("empty phrase".into());
    }
    if words.iter().all(|alts| alts.iter().all(|a| *a == Alt::Number)) {
        return Err("a phrase needs at least one word that is not <num>".into());
    }
    Ok(words)
}

fn single_word(s: &str) -> Result<String, String> {
    single_word_full(s).map(|w| w.text)
}

fn single_word_full(s: &str) -> Result<Word, String> {
    let mut w = words(s);
    match (w.pop(), w.is_empty()) {
        (Some(word), true) => Ok(word),
        _ => Err(format!("{s:?} does not normalise to exactly one word")),
    }
}

/// Every way of writing a multi-word phrase without spaces (none if it has wildcards, numbers
/// or too many combinations).
fn compact_forms(words: &[Vec<Alt>]) -> Vec<String> {
    let mut forms = vec![String::new()];
    for alts in words {
        if forms.len() * alts.len() > MAX_COMPACT_FORMS {
            return Vec::new();
        }
        let mut next = Vec::with_capacity(forms.len() * alts.len());
        for f in &forms {
            for a in alts {
                let Alt::Exact(s, _) = a else { return Vec::new() };
                next.push(format!("{f}{s}"));
            }
        }
        forms = next;
    }
    let mut forms: Vec<String> = forms
        .into_iter()
        .map(|f| collapse(&f))
        .filter(|f| f.chars().count() >= MIN_COMPACT)
        .collect();
    forms.sort_unstable();
    forms.dedup();
    forms
}

/// A normalised word.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    /// The English stem of the word as typed (before repeated letters are folded), then
    /// folded: `killing` and `kills` → `kil`, like `kill`.
    stem: String,
    /// The part before an apostrophe that joined it (`i` of `i've`, Welsh `iwsio` of
    /// `iwsio'r`), so that rules can see a word and its clitic apart.
    head: Option<String>,
    /// One character as typed (before folding repeated letters).
    single: bool,
    /// Made by joining letter-spaced single characters.
    joined: bool,
}

/// Split normalised text into words.
fn words(text: &str) -> Vec<Word> {
    let chars = fold_chars(text);
    let is_word = |c: char| c.is_alphanumeric();
    let is_letter = |i: usize| chars.get(i).is_some_and(|c| c.is_alphabetic());
    let mut out = Vec::new();
    let mut current = String::new();
    let mut head: Option<String> = None;
    for (i, &c) in chars.iter().enumerate() {
        let between_letters = i > 0 && is_letter(i - 1) && is_letter(i + 1);
        if is_word(c) {
            current.push(c);
        } else if c == APOSTROPHE && between_letters {
            // can't → cant
            if head.is_none() {
                head = Some(current.clone());
            }
        } else if between_letters && matches!(c, '!' | '|' | '@' | '$') {
            current.push(match c {
                '@' => 'a',
                '$' => 's',
                _ => 'i',
            });
        } else if !current.is_empty() {
            out.push(finish_with_head(&current, head.take()));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(finish_with_head(&current, head.take()));
    }
    out
}

fn finish_with_head(raw: &str, head: Option<String>) -> Word {
    Word {
        head: head.filter(|h| !h.is_empty()).map(|h| finish(&h).text),
        ..finish(raw)
    }
}

/// The English stem key of a word as typed: stemmed, then repeated letters folded.
fn stem_key(raw: &str) -> String {
    use std::sync::OnceLock;
    static STEMMER: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    let stemmer = STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
    collapse(&stemmer.stem(raw))
}

/// Read leetspeak digits in a word that has letters, then fold repeated letters.
fn finish(raw: &str) -> Word {
    let has_letter = raw.chars().any(char::is_alphabetic);
    let text: String = raw
        .chars()
        .map(|c| match c {
            '0' if has_letter => 'o',
            '1' if has_letter => 'i',
            '3' if has_letter => 'e',
            '4' if has_letter => 'a',
            '5' if has_letter => 's',
            '7' if has_letter => 't',
            _ => c,
        })
        .collect();
    Word {
        stem: stem_key(&text),
        text: collapse(&text),
        head: None,
        single: raw.chars().count() == 1,
        joined: false,
    }
}

/// Every run of the same letter becomes one letter (digits are left alone).
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    for c in s.chars() {
        if Some(c) == prev && c.is_alphabetic() {
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// The text again with every run of 3+ one-character words joined into one word; `None` when
/// there is no such run.
fn join_letter_runs(plain: &[Word]) -> Option<Vec<Word>> {
    let mut out = Vec::with_capacity(plain.len());
    let mut changed = false;
    let mut i = 0;
    while i < plain.len() {
        let run = plain[i..].iter().take_while(|w| w.single).count();
        if run >= MIN_LETTER_RUN {
            let raw: String = plain[i..i + run].iter().map(|w| w.text.as_str()).collect();
            out.push(Word {
                joined: true,
                ..finish(&raw)
            });
            changed = true;
            i += run;
        } else {
            out.push(plain[i].clone());
            i += 1;
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        words(s).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn normalises_case_accents_punctuation_and_repeats() {
        assert_eq!(texts("ZABIJĘ SIĘ"), ["zabije", "sie"]);
        assert_eq!(texts("Łódź żółć"), ["lodz", "zolc"]);
        assert_eq!(texts("dw i'n ŵyr"), ["dw", "in", "wyr"]);
        assert_eq!(texts("can’t...go-on!!"), ["cant", "go", "on"]);
        assert_eq!(texts("killlll myselfff"), ["kil", "myself"]);
        assert_eq!(texts("k!ll su1c1de 999"), ["kil", "suicide", "999"]);
        assert_eq!(texts("z\u{307}ycie zero\u{200b}width"), ["zycie", "zerowidth"]);
    }

    #[test]
    fn letter_runs_join() {
        let joined = join_letter_runs(&words("i want to k i l l myself")).unwrap_or_default();
        let t: Vec<&str> = joined.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(t, ["i", "want", "to", "kil", "myself"]);
        assert!(join_letter_runs(&words("a b")).is_none());
    }
}
