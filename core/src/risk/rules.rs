//! Word-form and proximity rules: matching that does not depend on listing every form.
//!
//! The phrase lists match the consecutive words they hold. People in distress rarely type a
//! listed phrase: they write "I hurt myself last night", "gonna take the lot tonight and not
//! wake up", "I have the pills lined up". A rule names a few **slots** (sets of words) that
//! must appear in order, each within `gap` words of the one before: a first-person subject
//! or intent, a harm or ending verb, an object, means or time. So "I ... hurt ... myself" or
//! "take ... the lot ... tonight" match however many words sit between, up to the gap.
//!
//! Word forms: in English rules a word matches every word of the same stem (Snowball's
//! English stemmer, from `rust-stemmers`: `hurt` = `hurts` = `hurting`, `pill` = `pills`).
//! Welsh rules match each word's soft, nasal and aspirate mutations, generated here
//! (`brifo` also matches `frifo` and `mrifo`; `tabledi` also `dabledi`, `nhabledi`), and a
//! word joined to its clitic by an apostrophe also matches by its head (`iwsio'r` as
//! `iwsio`). Polish has no Snowball stemmer: Polish rules use stems with `*` (any ending:
//! `przedawk*`, `tabletk*`), which is the suffix-tolerant match Polish inflection needs.
//!
//! Rules are data, in `core/risk/rules/<language>.txt` (format at the top of each file),
//! embedded at build time and checked by the test suite. Each rule has a stable name,
//! `rule:<language>:<category>:<name>`, reported with every match and recorded in the
//! escalation, so a coordinator can always see why a message was flagged.
//!
//! Precision comes from four things besides the slots themselves: `needs` (a word that must
//! appear somewhere in the message), `unless` (a word within three words of the match that
//! cancels it: "cut myself *shaving*", "take the lot to the *tip*"), `never` (a word anywhere
//! in the message that cancels it: "about to die" with *phone* or *battery*), and the lists'
//! `[except]` phrases, which cancel a rule match on any word they cover. Like the lists,
//! rules do not handle negation on purpose.

use super::{RiskCategory, Word, single_word_full};

/// The rule files built into the binary: `(language tag, file contents)`.
pub const EMBEDDED_RULES: [(&str, &str); 3] = [
    ("en-GB", include_str!("../../risk/rules/en-GB.txt")),
    ("cy", include_str!("../../risk/rules/cy.txt")),
    ("pl", include_str!("../../risk/rules/pl.txt")),
];

/// How far outside a match an `unless` word still cancels it.
const UNLESS_REACH: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pat {
    /// A normalised word; with the English stem key when the rule is stemmed.
    Word(String, Option<String>),
    Prefix(String),
    /// A number at least this big (`<num>` is 0, `<num10>` 10).
    Number(u64),
}

impl Pat {
    fn matches(&self, w: &Word) -> bool {
        match self {
            Pat::Word(text, stem) => {
                w.text == *text
                    || w.head.as_deref() == Some(text.as_str())
                    || stem.as_ref().is_some_and(|s| *s == w.stem)
            }
            Pat::Prefix(p) => {
                w.text.starts_with(p.as_str()) || w.head.as_deref().is_some_and(|h| h.starts_with(p.as_str()))
            }
            Pat::Number(min) => {
                !w.text.is_empty()
                    && w.text.bytes().all(|b| b.is_ascii_digit())
                    && w.text.parse::<u64>().map_or(true, |n| n >= *min)
            }
        }
    }
}

fn any(pats: &[Pat], w: &Word) -> bool {
    pats.iter().any(|p| p.matches(w))
}

/// One compiled rule.
#[derive(Debug)]
pub(super) struct Rule {
    /// `rule:<language>:<category>:<name>`.
    pub name: String,
    pub language: &'static str,
    pub category: RiskCategory,
    /// The slots as written, for explanations.
    pub pattern: String,
    slots: Vec<Vec<Pat>>,
    gap: usize,
    any_order: bool,
    needs: Vec<Pat>,
    unless: Vec<Pat>,
    never: Vec<Pat>,
}

impl Rule {
    /// Does the rule match this reading of a text? `masked` marks words covered by an
    /// `[except]` phrase.
    pub fn fires(&self, seq: &[Word], masked: &[bool]) -> bool {
        if !self.needs.is_empty() && !seq.iter().any(|w| any(&self.needs, w)) {
            return false;
        }
        if seq.iter().any(|w| any(&self.never, w)) {
            return false;
        }
        // Which positions each slot matches, computed once.
        let hits: Vec<Vec<bool>> = self
            .slots
            .iter()
            .map(|pats| seq.iter().map(|w| any(pats, w)).collect())
            .collect();
        if hits.iter().any(|h| !h.contains(&true)) {
            return false;
        }
        let orders: Vec<Vec<usize>> = if self.any_order {
            permutations(self.slots.len())
        } else {
            vec![(0..self.slots.len()).collect()]
        };
        let mut chosen = Vec::with_capacity(self.slots.len());
        orders.iter().any(|order| {
            (0..seq.len()).any(|start| {
                chosen.clear();
                self.search(seq, masked, &hits, order, start, &mut chosen)
            })
        })
    }

    /// Depth-first: slot `order[chosen.len()]` at `pos`, then the next slot within the gap.
    fn search(
        &self,
        seq: &[Word],
        masked: &[bool],
        hits: &[Vec<bool>],
        order: &[usize],
        pos: usize,
        chosen: &mut Vec<usize>,
    ) -> bool {
        let slot = order[chosen.len()];
        if !hits[slot][pos] || masked[pos] || chosen.contains(&pos) {
            return false;
        }
        chosen.push(pos);
        let found = if chosen.len() == order.len() {
            self.clear_of_unless(seq, chosen)
        } else {
            let last = seq.len().min(pos + 2 + self.gap);
            (pos + 1..last).any(|next| self.search(seq, masked, hits, order, next, chosen))
        };
        chosen.pop();
        found
    }

    fn clear_of_unless(&self, seq: &[Word], chosen: &[usize]) -> bool {
        if self.unless.is_empty() {
            return true;
        }
        let (Some(&lo), Some(&hi)) = (chosen.iter().min(), chosen.iter().max()) else {
            return true;
        };
        let from = lo.saturating_sub(UNLESS_REACH);
        let to = seq.len().min(hi + UNLESS_REACH + 1);
        !(from..to).any(|i| !chosen.contains(&i) && any(&self.unless, &seq[i]))
    }
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n <= 1 {
        return vec![(0..n).collect()];
    }
    let mut out = Vec::new();
    for first in 0..n {
        for rest in permutations(n - 1) {
            let mut p = vec![first];
            p.extend(rest.into_iter().map(|r| if r >= first { r + 1 } else { r }));
            out.push(p);
        }
    }
    out
}

/// A rule-file line the parser skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRule {
    pub language: String,
    pub line: usize,
    pub reason: String,
}

/// The built-in rules. A bad line is logged and skipped (and the test suite fails on it).
pub(super) fn compile() -> Vec<Rule> {
    let (rules, bad) = parse_all(&EMBEDDED_RULES);
    for b in &bad {
        tracing::error!(language = %b.language, line = b.line, reason = %b.reason, "risk rules: line skipped");
    }
    rules
}

/// Problems in the built-in rule files (for the test suite).
pub fn embedded_rule_errors() -> Vec<BadRule> {
    parse_all(&EMBEDDED_RULES).1
}

/// Every built-in rule's name and pattern (for the test suite and tools).
pub fn embedded_rule_names() -> Vec<(String, String)> {
    parse_all(&EMBEDDED_RULES)
        .0
        .into_iter()
        .map(|r| (r.name, r.pattern))
        .collect()
}

fn parse_all(files: &[(&'static str, &str)]) -> (Vec<Rule>, Vec<BadRule>) {
    let mut rules: Vec<Rule> = Vec::new();
    let mut bad = Vec::new();
    for &(language, source) in files {
        let mut groups: Vec<(String, String)> = Vec::new();
        let mut section: Option<RiskCategory> = None;
        for (n, raw) in source.lines().enumerate() {
            let line = raw.trim();
            let mut fail = |reason: String| {
                bad.push(BadRule {
                    language: language.to_owned(),
                    line: n + 1,
                    reason,
                })
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = RiskCategory::from_name(name.trim());
                if section.is_none() {
                    fail(format!("unknown section [{name}]"));
                }
                continue;
            }
            if let Some(def) = line.strip_prefix('@') {
                match def.split_once('=') {
                    Some((name, alts)) if !name.trim().is_empty() => {
                        let alts = match expand(alts.trim(), &groups) {
                            Ok(a) => a,
                            Err(e) => {
                                fail(e);
                                continue;
                            }
                        };
                        groups.push((name.trim().to_owned(), alts));
                    }
                    _ => fail("a group is written @name = a|b|c".into()),
                }
                continue;
            }
            let Some(category) = section else {
                fail("rule outside a known section".into());
                continue;
            };
            match parse_rule(language, category, line, &groups) {
                Ok(rule) if rules.iter().any(|r| r.name == rule.name) => {
                    fail(format!("duplicate rule name {}", rule.name));
                }
                Ok(rule) => rules.push(rule),
                Err(e) => fail(e),
            }
        }
    }
    (rules, bad)
}

/// Replace `@group` alternatives with the group's alternatives.
fn expand(alts: &str, groups: &[(String, String)]) -> Result<String, String> {
    let mut out: Vec<&str> = Vec::new();
    for alt in alts.split('|').map(str::trim) {
        if let Some(name) = alt.strip_prefix('@') {
            let Some((_, g)) = groups.iter().find(|(n, _)| n == name) else {
                return Err(format!("unknown group @{name}"));
            };
            out.extend(g.split('|'));
        } else if alt.is_empty() {
            return Err(format!("empty alternative in {alts:?}"));
        } else {
            out.push(alt);
        }
    }
    Ok(out.join("|"))
}

/// `name gap [any] : slot : slot ... [; needs a|b] [; unless c|d]`
fn parse_rule(
    language: &'static str,
    category: RiskCategory,
    line: &str,
    groups: &[(String, String)],
) -> Result<Rule, String> {
    let mut parts = line.split(';').map(str::trim);
    let head = parts.next().unwrap_or_default();
    let (left, slots_src) = head
        .split_once(':')
        .ok_or("a rule is written: name gap [any] : slot : slot ...")?;
    let mut left = left.split_whitespace();
    let name = left.next().ok_or("a rule needs a name")?;
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("rule name {name:?}: lower-case letters, digits and - only"));
    }
    let gap: usize = left
        .next()
        .and_then(|g| g.parse().ok())
        .ok_or("a rule needs a gap (a number of words) after its name")?;
    let any_order = match left.next() {
        None => false,
        Some("any") => true,
        Some(other) => return Err(format!("unknown flag {other:?} (only `any`)")),
    };
    let mut slots = Vec::new();
    let mut written = Vec::new();
    for slot in slots_src.split(':').map(str::trim) {
        let alts = expand(slot, groups)?;
        slots.push(compile_alts(language, &alts)?);
        written.push(slot.to_owned());
    }
    if slots.is_empty() || slots.len() > 4 {
        return Err("a rule has one to four slots".into());
    }
    let (mut needs, mut unless, mut never) = (Vec::new(), Vec::new(), Vec::new());
    for part in parts {
        if let Some(a) = part.strip_prefix("needs ") {
            needs = compile_alts(language, &expand(a.trim(), groups)?)?;
            written.push(format!("; needs {}", a.trim()));
        } else if let Some(a) = part.strip_prefix("unless ") {
            unless = compile_alts(language, &expand(a.trim(), groups)?)?;
            written.push(format!("; unless {}", a.trim()));
        } else if let Some(a) = part.strip_prefix("never ") {
            never = compile_alts(language, &expand(a.trim(), groups)?)?;
            written.push(format!("; never {}", a.trim()));
        } else {
            return Err(format!("unknown clause {part:?} (needs, unless or never)"));
        }
    }
    Ok(Rule {
        name: format!("rule:{language}:{category}:{name}"),
        language,
        category,
        pattern: written.join(" : ").replace(" : ; ", " ; "),
        slots,
        gap,
        any_order,
        needs,
        unless,
        never,
    })
}

fn compile_alts(language: &str, alts: &str) -> Result<Vec<Pat>, String> {
    let stemmed = language == "en-GB";
    let welsh = language == "cy";
    let mut out = Vec::new();
    for alt in alts.split('|').map(str::trim) {
        if alt.is_empty() {
            return Err(format!("empty alternative in {alts:?}"));
        }
        if let Some(min) = alt.strip_prefix("<num").and_then(|a| a.strip_suffix('>')) {
            let min = if min.is_empty() {
                0
            } else {
                min.parse().map_err(|_| format!("bad number token {alt:?}"))?
            };
            out.push(Pat::Number(min));
            continue;
        }
        let (stem, prefix) = match alt.strip_suffix('*') {
            Some(s) => (s, true),
            None => (alt, false),
        };
        if stem.contains('*') {
            return Err(format!("'*' only goes at the end of a word: {alt:?}"));
        }
        let forms = if welsh { mutations(stem) } else { vec![stem.to_owned()] };
        for form in forms {
            let w = single_word_full(&form)?;
            let pat = if prefix {
                if w.text.chars().count() < 3 {
                    return Err(format!("stem {alt:?} is shorter than 3 letters"));
                }
                Pat::Prefix(w.text)
            } else {
                Pat::Word(w.text, stemmed.then_some(w.stem))
            };
            if !out.contains(&pat) {
                out.push(pat);
            }
        }
    }
    Ok(out)
}

/// A Welsh word and its mutated forms (soft, nasal, aspirate), as people type them.
/// Repeated letters are folded later, so `dd`/`d`, `ll`/`l` and `ff`/`f` need nothing here.
fn mutations(word: &str) -> Vec<String> {
    let w = word.to_lowercase();
    let mut out = vec![w.clone()];
    let mut add = |prefix: &str, rest: &str| out.push(format!("{prefix}{rest}"));
    if let Some(rest) = w.strip_prefix("rh") {
        add("r", rest);
    } else if w.starts_with("ll") || w.starts_with("ch") || w.starts_with("th") || w.starts_with("ph") {
        // ll → l is folded anyway; ch, th, ph do not mutate.
    } else if let Some(rest) = w.strip_prefix('p') {
        add("b", rest);
        add("mh", rest);
        add("ph", rest);
    } else if let Some(rest) = w.strip_prefix('t') {
        add("d", rest);
        add("nh", rest);
        add("th", rest);
    } else if let Some(rest) = w.strip_prefix('c') {
        add("g", rest);
        add("ngh", rest);
        add("ch", rest);
    } else if let Some(rest) = w.strip_prefix('b') {
        add("f", rest);
        add("m", rest);
    } else if let Some(rest) = w.strip_prefix('d') {
        add("n", rest);
    } else if let Some(rest) = w.strip_prefix('g') {
        if rest.chars().count() >= 2 {
            add("", rest);
        }
        add("ng", rest);
    } else if let Some(rest) = w.strip_prefix('m') {
        add("f", rest);
    }
    out.retain(|f| !f.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welsh_mutations() {
        assert_eq!(mutations("brifo"), ["brifo", "frifo", "mrifo"]);
        assert_eq!(mutations("tabledi"), ["tabledi", "dabledi", "nhabledi", "thabledi"]);
        assert_eq!(mutations("gadael"), ["gadael", "adael", "ngadael"]);
        assert_eq!(mutations("rhaff"), ["rhaff", "raff"]);
        assert_eq!(mutations("llafn"), ["llafn"]);
    }

    #[test]
    fn permutations_cover_every_order() {
        assert_eq!(permutations(1), [[0]]);
        assert_eq!(permutations(3).len(), 6);
    }

    #[test]
    fn embedded_rules_parse() {
        let bad = embedded_rule_errors();
        assert!(bad.is_empty(), "{bad:#?}");
    }
}
