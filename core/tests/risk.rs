//! Risk-language triage, table-driven: what must be caught in English, Welsh and Polish, however
//! it is typed; the everyday phrases that must not raise an alert; and the false positives we
//! accept on purpose, each with the reason. Every case asserts the exact categories, most
//! serious first.
//!
//! Accepted false positives (a triage aid reorders human attention; a human decides):
//! - Negations still flag ("I'm not going to kill myself"): people in crisis minimise.
//! - Past tense and other people's stories still flag ("I used to cut myself", "I relapsed in
//!   2019"): a mentor reads it in seconds; missing a present disclosure costs far more.
//! - Hyperbole with a named target flags ("I'll kill him if he's late again"), "kms" as a joke
//!   flags, "can't breathe" from laughing flags, "I want to end it" about a relationship flags.
//!
//! Accepted false negatives (not listed, or too ambiguous to list):
//! - bare "sh" (also shush and censored swearing: "sh*t"); only "sh" in context ("sh again",
//!   "urge to sh") flags;
//! - bare "od" (Polish "od" means "from"; "odd" folds to "od"); only "od" in context ("od on",
//!   "she od'd") flags;
//! - figures of speech on their own: "killing me", "dying to", "murder a pizza", "I'm dead";
//! - "kill me" alone (usually "just kill me now, Monday again"), "I hurt myself" (usually an
//!   accident), "relapse" as a noun ("relapse prevention group").

use peerline_core::risk::{BadLine, EMBEDDED_LISTS, RiskCategory, RiskCategory::*, Triage};

fn check(cases: &[(&str, &[RiskCategory])]) {
    let t = Triage::embedded();
    let mut failures = Vec::new();
    for (text, want) in cases {
        let got = t.assess(text);
        if got != *want {
            let why: Vec<String> = t
                .explain(text)
                .iter()
                .map(|m| format!("{} {}:{} {:?}", m.language, m.line, m.phrase, m.suppressed))
                .collect();
            failures.push(format!("{text:?}: want {want:?}, got {got:?} (matched {why:?})"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn english_risk_is_caught_however_it_is_typed() {
    check(&[
        ("I want to kill myself", &[Suicide]),
        ("i wanna die", &[Suicide]),
        ("want to die", &[Suicide]),
        ("KMS tbh", &[Suicide]),
        ("killlll myselffff", &[Suicide]),
        ("k i l l  myself", &[Suicide]),
        ("k i l l  m y s e l f", &[Suicide]),
        ("kill.myself", &[Suicide]),
        ("kill-myself", &[Suicide]),
        ("killmyself", &[Suicide]),
        ("wannadie", &[Suicide]),
        ("gonna k!ll myself", &[Suicide]),
        ("I can't go on like this", &[Suicide]),
        ("i cant go on, i want to kill myself tonight", &[Suicide]),
        ("i want to end it all", &[Suicide]),
        ("sooo done with life", &[Suicide]),
        ("there's no point living", &[Suicide]),
        ("no point in living anymore", &[Suicide]),
        ("feeling suicidal again", &[Suicide]),
        ("sucidal", &[Suicide]),
        ("Everyone would be BETTER OFF DEAD without me", &[Suicide]),
        ("they'd all be better off without me", &[Suicide]),
        ("thinking of ending it all", &[Suicide]),
        ("I don't want to be here anymore", &[Suicide]),
        ("I dont want to live anymore", &[Suicide]),
        ("going to unalive myself", &[Suicide]),
        ("I'm going to hang myself", &[Suicide]),
        ("gonna jump off the bridge", &[Suicide]),
        ("I've been cutting myself", &[SelfHarm]),
        ("i cut myself again last night", &[SelfHarm]),
        ("self-harming again", &[SelfHarm]),
        ("self harm", &[SelfHarm]),
        ("s3lf h4rm", &[SelfHarm]),
        ("relapsed with sh", &[SelfHarm]),
        ("urges to sh are bad tonight", &[SelfHarm]),
        ("I overdosed last night", &[Overdose]),
        ("I think I'm overdosing", &[Overdose]),
        ("took too many pills", &[Overdose]),
        ("I took to many pills", &[Overdose]),
        ("I took too many tablets", &[Overdose]),
        ("took all my pills", &[Overdose]),
        ("she OD'd and I can't wake her", &[Overdose]),
        ("he o.d. on the sofa", &[Overdose]),
        ("he's not breathing", &[Overdose]),
        ("his lips are going blue", &[Overdose]),
        ("used again and can't breathe", &[Overdose, RelapseDanger]),
        ("I relapsed", &[RelapseDanger]),
        ("using alone tonight", &[RelapseDanger]),
        ("scored gear, first time using in months", &[RelapseDanger]),
        ("mixing benzos and alcohol", &[RelapseDanger]),
        ("I'm going to hurt someone", &[HarmToOthers]),
        ("I will kill him", &[HarmToOthers]),
        ("kys", &[HarmToOthers]),
        ("the kids are not safe with him", &[ChildAtRisk]),
        ("my kid is not safe", &[ChildAtRisk]),
        ("kid found my methadone", &[ChildAtRisk]),
        ("he hits me when he drinks", &[DomesticAbuse]),
        ("he hits me and im scared", &[DomesticAbuse]),
        ("I'm scared of my partner", &[DomesticAbuse]),
        ("he won't let me leave the house", &[DomesticAbuse]),
        ("my boyfriend threatened to kill me", &[DomesticAbuse]),
        (
            "he's hitting me and the kids aren't safe",
            &[ChildAtRisk, DomesticAbuse],
        ),
        ("want to die, took all my tablets", &[Suicide, Overdose]),
        ("I took too many pills and I want to die", &[Suicide, Overdose]),
        // Accepted: negations still flag; a human reads it.
        ("I'm not going to kill myself, don't worry", &[Suicide]),
        ("not suicidal, just tired", &[Suicide]),
        // Accepted: past disclosures flag.
        ("I used to cut myself but I'm 2 years clean", &[SelfHarm]),
        // Accepted: hyperbole with a named target.
        ("if he's late again I'll kill him", &[HarmToOthers]),
        // Accepted: "can't breathe" from laughing (in a drug service it is worth a look).
        ("lol I can't breathe", &[Overdose]),
        // A risk phrase still counts next to an [except] phrase.
        ("did suicide prevention training but I want to kill myself", &[Suicide]),
    ]);
}

#[test]
fn everyday_english_does_not_raise_an_alert() {
    check(&[
        ("this traffic is killing me", &[]),
        ("I could murder a pizza", &[]),
        ("dying to see you all on Thursday", &[]),
        ("my skills are improving", &[]),
        ("got a new pod for my vape", &[]),
        ("that's odd", &[]),
        ("she's odd", &[]),
        ("I hit my target this week", &[]),
        ("I'd use the app again", &[]),
        ("I nearly died laughing", &[]),
        ("my feet are killing me", &[]),
        ("killing it at work today", &[]),
        ("I can't go on Thursday, can we move it?", &[]),
        ("can't go on the trip", &[]),
        ("relapse prevention group tonight", &[]),
        ("suicide prevention training tomorrow at 10", &[]),
        ("cut myself shaving lol", &[]),
        ("ran 5 kms this morning", &[]),
        ("sh*t day at work", &[]),
        ("shh, did sh*t all today", &[]),
        ("he hit me up last night about the meeting", &[]),
        ("hurt people hurt people, as they say in group", &[]),
        ("don't want to burn myself out", &[]),
        ("naloxone training on Tuesday, I'll give naloxone kits out", &[]),
        ("the kids are safe with their gran", &[]),
        ("I'm going to use the bus", &[]),
        ("can you call me back", &[]),
        ("STOP", &[]),
        ("7", &[]),
        ("", &[]),
    ]);
}

#[test]
fn welsh_risk_is_caught_and_everyday_welsh_is_not() {
    check(&[
        ("Dw i eisiau marw", &[Suicide]),
        ("dwi isio marw", &[Suicide]),
        ("w i'n moyn marw", &[Suicide]),
        // Soft mutation (lladd -> ladd) is the same word once repeated letters fold.
        ("dw i'n mynd i ladd fy hun", &[Suicide]),
        ("rwy'n meddwl am ladd fy hunan", &[Suicide]),
        ("meddyliau am hunanladdiad", &[Suicide]),
        ("dw i'n methu mynd ymlaen", &[Suicide]),
        ("does dim pwynt byw", &[Suicide]),
        ("DW I DDIM EISIAU BYW", &[Suicide]),
        ("wedi bod yn hunan-niweidio", &[SelfHarm]),
        ("dw i wedi torri fy hun eto", &[SelfHarm]),
        ("cymerais orddos", &[Overdose]),
        ("gorddos neithiwr", &[Overdose]),
        ("dyw e ddim yn anadlu", &[Overdose]),
        ("wedi cymryd gormod o dabledi", &[Overdose]),
        ("dw i'n mynd i frifo rhywun", &[HarmToOthers]),
        ("mae'r plant ddim yn ddiogel", &[ChildAtRisk]),
        ("mae e'n fy nharo i", &[DomesticAbuse]),
        ("mae gen i ofn fy mhartner", &[DomesticAbuse]),
        ("mae ofn fy ngŵr arna i", &[DomesticAbuse]),
        ("wedi iwsio eto", &[RelapseDanger]),
        // Negatives.
        ("Diolch, wela i chi dydd Iau", &[]),
        ("Bore da, dw i'n iawn", &[]),
        ("marw chwerthin", &[]),
        ("dw i bron â marw eisiau paned", &[]),
        ("mae mam wedi marw llynedd", &[]),
        ("lladd amser cyn y cyfarfod", &[]),
        ("ble mae'r cyfarfod", &[]),
        ("hyfforddiant atal hunanladdiad yfory", &[]),
    ]);
}

#[test]
fn polish_risk_is_caught_with_or_without_diacritics_and_everyday_polish_is_not() {
    check(&[
        ("Zabiję się", &[Suicide]),
        ("zabije sie dzisiaj", &[Suicide]),
        ("ZABIJĘ SIĘ", &[Suicide]),
        ("chyba się zabiję", &[Suicide]),
        ("chcę umrzeć", &[Suicide]),
        ("chce umrzec", &[Suicide]),
        ("nie chcę żyć", &[Suicide]),
        ("nie chce mi sie zyc", &[Suicide]),
        ("mam myśli samobójcze", &[Suicide]),
        ("tnę się znowu", &[SelfHarm]),
        ("pocięłam się wczoraj", &[SelfHarm]),
        ("przedawkowałem", &[Overdose]),
        ("przedawkowalam", &[Overdose]),
        ("przedawkowała i nie oddycha", &[Overdose]),
        ("wziąłem za dużo tabletek", &[Overdose]),
        ("znowu piję", &[RelapseDanger]),
        ("on mnie bije", &[DomesticAbuse]),
        ("mąż bije mnie", &[DomesticAbuse]),
        ("boję się partnera", &[DomesticAbuse]),
        ("boje sie meza", &[DomesticAbuse]),
        ("zabiję go", &[HarmToOthers]),
        ("dzieci nie są bezpieczne", &[ChildAtRisk]),
        // Negatives.
        ("od poniedziałku do piątku", &[]),
        ("i od razu zadzwonię", &[]),
        ("dzień dobry, wszystko dobrze", &[]),
        ("umieram ze śmiechu", &[]),
        ("zabiłem czas grając", &[]),
        ("zabieram się do pracy", &[]),
        ("cieszę się, do zobaczenia", &[]),
        ("chce mi się pić", &[]),
        ("ten korek mnie zabija", &[]),
        ("boję się dentysty", &[]),
        ("zabij mnie, nie pamiętam", &[]),
    ]);
}

#[test]
fn code_switching_is_caught_whatever_language_the_sender_chose() {
    check(&[
        ("sorry, ciężki dzień, chce umrzec", &[Suicide]),
        ("dw i'n iawn but he hits me", &[DomesticAbuse]),
        ("I took gorddos", &[Overdose]),
    ]);
}

#[test]
fn categories_come_most_serious_first_with_stable_names() {
    let t = Triage::embedded();
    let got = t.assess("relapsed again, he hits me, kids aren't safe, took too many pills, cut myself, kill myself");
    assert_eq!(
        got,
        [Suicide, SelfHarm, Overdose, ChildAtRisk, DomesticAbuse, RelapseDanger]
    );
    let mut sorted = RiskCategory::ALL;
    sorted.sort();
    assert_eq!(sorted, RiskCategory::ALL, "ALL is in severity order, and so is Ord");
    for c in RiskCategory::ALL {
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", c.as_str()));
    }
    let names: Vec<&str> = RiskCategory::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "suicide",
            "self-harm",
            "overdose",
            "harm-to-others",
            "child-at-risk",
            "domestic-abuse",
            "relapse-danger"
        ]
    );
}

#[test]
fn every_embedded_list_parses_with_no_bad_lines() {
    let (t, bad) = Triage::from_lists(&EMBEDDED_LISTS);
    let bad: Vec<String> = bad.iter().map(BadLine::to_string).collect();
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
    for (language, _) in EMBEDDED_LISTS {
        for c in RiskCategory::ALL {
            assert!(
                t.phrases().any(|p| p.language == language && p.category == Some(c)),
                "{language} has no {c} phrases"
            );
        }
    }
}

/// Sample texts for a list line: one per alternative position (alternative k of every word,
/// or its last), with `*` dropped and `<num>` as 5.
fn samples(phrase: &str) -> Vec<String> {
    let words: Vec<Vec<&str>> = phrase.split_whitespace().map(|w| w.split('|').collect()).collect();
    let most = words.iter().map(Vec::len).max().unwrap_or(0);
    (0..most)
        .map(|k| {
            words
                .iter()
                .map(|alts| {
                    let a = alts[k.min(alts.len() - 1)];
                    if a == "<num>" { "5" } else { a.trim_end_matches('*') }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn every_listed_phrase_matches_itself_and_no_exception_swallows_a_risk_phrase() {
    let t = Triage::embedded();
    let mut failures = Vec::new();
    for p in t.phrases() {
        for sample in samples(p.phrase) {
            let found = t.explain(&sample);
            let me = found.iter().find(|m| m.language == p.language && m.line == p.line);
            match (me, p.category) {
                (None, _) => failures.push(format!(
                    "{} line {}: {sample:?} does not match itself",
                    p.language, p.line
                )),
                (Some(m), Some(c)) if m.suppressed || !t.assess(&sample).contains(&c) => failures.push(format!(
                    "{} line {}: {sample:?} is suppressed by an [except] phrase",
                    p.language, p.line
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_malformed_list_is_reported_line_by_line_and_the_good_lines_still_work() {
    let list = "\
# comment
orphan phrase
[suicide]
kill myself
kil* myself
ki* myself
k*ll myself
self-harm
a||b
<nums> kms
<num>
kill myself
[no-such-category]
under an unknown section
[overdose]
overdos*
";
    let (t, bad) = Triage::from_lists(&[("test", list)]);
    let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
    assert_eq!(lines, [2, 6, 7, 8, 9, 10, 11, 12, 13, 14], "{bad:#?}");
    assert_eq!(t.assess("I will kill myself"), [Suicide]);
    assert_eq!(t.assess("killing myself"), [Suicide], "kil* myself");
    assert_eq!(t.assess("overdosed"), [Overdose]);
    assert_eq!(t.assess("under an unknown section"), []);
}

#[test]
fn triage_is_shareable_and_everyday_chat_is_quiet() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Triage>();
    let t = Triage::embedded();
    let text = "Hi, sorry it's late, had a rough day at work and the bus was late again. \
                Can we move supervision to Thursday? Dw i'n iawn diolch. Do zobaczenia!";
    // Speed is measured by the bench harness, not asserted here.
    assert!(t.assess(text).is_empty());
}
