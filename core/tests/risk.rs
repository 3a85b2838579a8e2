//! Risk triage, table-driven: what must be caught, in English, Welsh and Polish, and the
//! everyday phrases that must not raise an alert. Accepted false positives are listed too.

use peerline_core::risk::{LISTS, RiskCategory, RiskCategory::*, Triage};

fn check(cases: &[(&str, &[RiskCategory])]) {
    let t = Triage::embedded();
    for (text, want) in cases {
        assert_eq!(t.assess(text), *want, "{text:?}");
    }
}

#[test]
fn english_risk_is_caught_however_it_is_typed() {
    check(&[
        ("I want to kill myself", &[Suicide]),
        ("i wanna die", &[Suicide]),
        ("KMS tbh", &[Suicide]),
        ("killlll myselffff", &[Suicide]),
        ("k i l l  m y s e l f", &[Suicide]),
        ("kill.myself", &[Suicide]),
        ("I can't go on like this", &[Suicide]),
        ("there's no point living", &[Suicide]),
        ("feeling suicidal again", &[Suicide]),
        ("everyone would be better off without me", &[Suicide]),
        ("thinking of ending it all", &[Suicide]),
        ("I don't want to be here anymore", &[Suicide]),
        ("going to unalive myself", &[Suicide]),
        ("I've been cutting myself", &[SelfHarm]),
        ("self-harming again", &[SelfHarm]),
        ("I overdosed last night", &[Overdose]),
        ("took all my pills", &[Overdose]),
        ("he OD'd and I can't wake him", &[Overdose]),
        ("used again and can't breathe", &[Overdose, RelapseDanger]),
        ("I relapsed", &[RelapseDanger]),
        ("using alone tonight", &[RelapseDanger]),
        ("I'm going to hurt someone", &[HarmToOthers]),
        ("I will kill him", &[HarmToOthers]),
        ("the kids are not safe with him", &[ChildAtRisk]),
        ("he hits me when he drinks", &[DomesticAbuse]),
        ("scared of my partner", &[DomesticAbuse]),
        ("he won't let me leave the house", &[DomesticAbuse]),
        // Accepted: negations still flag. A triage aid asks a human to look; it does not
        // decide that "I'm not going to kill myself" is safe.
        ("I'm not going to kill myself, don't worry", &[Suicide]),
    ]);
}

#[test]
fn everyday_english_does_not_raise_an_alert() {
    check(&[
        ("this traffic is killing me", &[]),
        ("I could murder a pizza", &[]),
        ("dying to see you on Thursday", &[]),
        ("my skills are improving", &[]),
        ("I'm going to the pod", &[]),
        ("the odds are good", &[]),
        ("I hit my target this week", &[]),
        ("used the bus again", &[]),
        ("we had a blast, I nearly died laughing", &[]),
        ("can you call me back", &[]),
        ("the cut on my hand healed", &[]),
        ("my mood is 7 today", &[]),
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
        // Soft mutation (lladd -> ladd, gorddos -> orddos) is still caught.
        ("rwy'n meddwl am ladd fy hun", &[Suicide]),
        ("dw i am lladd fy hun", &[Suicide]),
        ("meddyliau am hunanladdiad", &[Suicide]),
        ("dw i'n methu mynd ymlaen", &[Suicide]),
        ("wedi bod yn hunan-niweidio", &[SelfHarm]),
        ("cymerais orddos", &[Overdose]),
        ("gorddos neithiwr", &[Overdose]),
        ("mae e'n fy nharo i", &[DomesticAbuse]),
        ("mae gen i ofn fy mhartner", &[DomesticAbuse]),
        ("mae'r plant ddim yn ddiogel", &[ChildAtRisk]),
        ("Diolch, wela i chi dydd Iau", &[]),
        ("Bore da, dw i'n iawn", &[]),
        ("marw chwerthin", &[]),
        ("ble mae'r cyfarfod", &[]),
        ("dw i eisiau mynd adref", &[]),
    ]);
}

#[test]
fn polish_risk_is_caught_with_or_without_diacritics_and_everyday_polish_is_not() {
    check(&[
        ("Zabiję się", &[Suicide]),
        ("zabije sie dzisiaj", &[Suicide]),
        ("chcę umrzeć", &[Suicide]),
        ("nie chce zyc", &[Suicide]),
        ("mam myśli samobójcze", &[Suicide]),
        ("tnę się znowu", &[SelfHarm]),
        ("przedawkowałem", &[Overdose]),
        ("przedawkowała i nie oddycha", &[Overdose]),
        ("znowu piję", &[RelapseDanger]),
        ("on mnie bije", &[DomesticAbuse]),
        ("mąż bije mnie", &[DomesticAbuse]),
        ("boję się partnera", &[DomesticAbuse]),
        ("zabiję go", &[HarmToOthers]),
        ("dzieci nie są bezpieczne", &[ChildAtRisk]),
        ("od poniedziałku do piątku", &[]),
        ("dzień dobry, wszystko dobrze", &[]),
        ("umieram ze śmiechu", &[]),
        ("zabiłem czas grając", &[]),
        ("chcę zadzwonić", &[]),
    ]);
}

#[test]
fn every_list_line_is_usable_and_every_phrase_matches_itself() {
    let t = Triage::embedded();
    assert!(t.bad_lines().is_empty(), "{:#?}", t.bad_lines());
    assert!(t.len() > 120, "lists look short: {}", t.len());
    for (file, text) in LISTS {
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with(['#', '[']))
        {
            assert!(t.matches_itself(line), "{file}: {line:?} does not match itself");
        }
    }
}
