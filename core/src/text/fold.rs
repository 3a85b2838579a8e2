//! Folding for matching: lower case, diacritics and `ł` to their base letter, look-alike
//! letters from other scripts to the Latin letter they imitate, every apostrophe to one, and
//! combining marks and invisible characters dropped. Only for comparing words: what a person
//! reads keeps its letters.

/// The one apostrophe folded text contains (`’`, `‘`, `ʼ`, `` ` ``, `´` and `′` become it).
pub const APOSTROPHE: char = '\'';

/// `text` in its matching form.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        push_folded(c, &mut out);
    }
    out
}

/// [`fold`] as characters, for scanners that look around a position.
pub fn fold_chars(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        push_folded(c, &mut out);
    }
    out
}

/// The form keywords and availability specs are compared in: [`fold`], upper case, words
/// separated by one space, punctuation around each word removed (`/` kept for `Mon/Wed`).
pub fn keyword_form(text: &str) -> String {
    let folded = fold(text).to_ascii_uppercase();
    let words: Vec<&str> = folded
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/'))
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// Fold one lower-case character into `out` (none, one or two characters).
fn push_folded(c: char, out: &mut impl Extend<char>) {
    match c {
        // combining marks (a decomposed "é" is "e" + U+0301), zero-width characters, soft hyphen
        '\u{0300}'..='\u{036f}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' => {}
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' | '\u{00b4}' | '\u{2032}' => out.extend([APOSTROPHE]),
        'æ' => out.extend(['a', 'e']),
        'œ' => out.extend(['o', 'e']),
        'ß' => out.extend(['s', 's']),
        // full-width forms of ASCII (U+FF01..U+FF5E), as some phone keyboards type them
        '\u{ff01}'..='\u{ff5e}' => {
            out.extend([char::from_u32(c as u32 - 0xfee0).unwrap_or(c)]);
        }
        other => out.extend([base_letter(other)]),
    }
}

/// The Latin letter a lower-case letter is written on or imitates; anything else unchanged.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' | 'ẁ' | 'ẃ' | 'ẅ' => 'w',
        'ý' | 'ÿ' | 'ŷ' | 'ỳ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        // Cyrillic and Greek letters that look like Latin ones ("ѕtор" typed to slip past a filter)
        'а' => 'a',
        'с' => 'c',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'у' => 'y',
        'х' | 'χ' => 'x',
        'ν' => 'v',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_welsh_polish_and_marks() {
        assert_eq!(fold("ZABIJĘ SIĘ"), "zabije sie");
        assert_eq!(fold("Łódź żółć"), "lodz zolc");
        assert_eq!(fold("ŵyr, tŷ, ffôn"), "wyr, ty, ffon");
        // decomposed: e + combining acute, z + combining dot above
        assert_eq!(fold("e\u{301}z\u{307}ycie"), "ezycie");
        assert_eq!(fold("zero\u{200b}width soft\u{ad}hyphen"), "zerowidth softhyphen");
        assert_eq!(fold("can’t ʼn"), "can't 'n");
        assert_eq!(fold("Straße, œuvre"), "strasse, oeuvre");
    }

    #[test]
    fn keyword_form_is_upper_case_words_without_surrounding_punctuation() {
        assert_eq!(keyword_form("  Dołącz,  abcd-2345!! "), "DOLACZ ABCD-2345");
        assert_eq!(keyword_form("mon/wed… 18-21"), "MON/WED 18-21");
        assert_eq!(keyword_form("Wzno\u{301}w"), "WZNOW");
    }

    #[test]
    fn folds_look_alikes_and_full_width() {
        // Cyrillic ѕ, о, р and Greek ο
        assert_eq!(fold("ѕtор"), "stop");
        assert_eq!(fold("hοpe"), "hope");
        assert_eq!(fold("ＳＴＯＰ"), "stop");
        // letters with no Latin look-alike stay as they are
        assert_eq!(fold("привет"), "пpивeт");
    }
}
