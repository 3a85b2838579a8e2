//! Making someone else's words safe to show: names and message text come from anyone who can
//! text the service, and end up in a coordinator's alert and in the CLI's tab-separated output.
//!
//! [`display_safe`] takes out what can disguise or rearrange text: control characters (a tab or
//! newline would break a column or forge a line; an escape sequence can rewrite a terminal) and
//! the bidirectional overrides and isolates that make "ecnetnes" read as "sentence" (U+202E).
//! [`cell_safe`] also defuses a leading `= + - @`, which a spreadsheet would run as a formula
//! when the output is pasted into one.

use std::borrow::Cow;

/// A character that is removed outright.
fn is_hidden(c: char) -> bool {
    matches!(c,
        // C0 controls and DEL, C1 controls (whitespace among them is handled by `is_break`)
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Arabic letter mark, left-to-right and right-to-left marks
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        // embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates (LRI, RLI, FSI, PDI)
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A character that separates words or lines: it becomes one space, so words stay apart.
fn is_break(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// `s` without control characters and bidirectional formatting characters. Tabs, newlines and
/// other line or paragraph breaks become a single space (one for each run of them). Borrows
/// when there is nothing to take out.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hidden(c) || is_break(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut in_break = false;
    for c in s.chars() {
        if is_break(c) {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
        } else if !is_hidden(c) {
            out.push(c);
            in_break = false;
        }
    }
    Cow::Owned(out)
}

/// [`display_safe`], then a `'` before a leading `=`, `+`, `-` or `@`, so that a spreadsheet
/// shows the value instead of evaluating it. For one field of the CLI's tab-separated output.
pub fn cell_safe(s: &str) -> Cow<'_, str> {
    let shown = display_safe(s);
    if shown.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["Sam", "Siân ap Dafydd", "Łucja Żółć", "Jo 😀", "O'Neill", ""] {
            assert!(matches!(display_safe(s), Cow::Borrowed(b) if b == s), "{s:?}");
            assert!(matches!(cell_safe(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn bidirectional_formatting_is_removed() {
        assert_eq!(display_safe("Sam\u{202e}gnp.exe"), "Samgnp.exe");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200e}', '\u{200f}', '\u{61c}',
        ] {
            assert_eq!(display_safe(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn controls_go_and_breaks_become_one_space() {
        assert_eq!(display_safe("Jo\tBloggs"), "Jo Bloggs");
        assert_eq!(display_safe("line one\r\n\r\nline two"), "line one line two");
        assert_eq!(display_safe("a\u{2028}b\u{85}c"), "a b c");
        assert_eq!(display_safe("\u{1b}[31mred\u{1b}[0m"), "[31mred[0m");
        assert_eq!(display_safe("nul\u{0}del\u{7f}c1\u{9b}"), "nuldelc1");
    }

    #[test]
    fn a_leading_formula_character_is_quoted_in_cells() {
        assert_eq!(cell_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell_safe("+44"), "'+44");
        assert_eq!(cell_safe("-1"), "'-1");
        assert_eq!(cell_safe("@SUM(A1)"), "'@SUM(A1)");
        // What hides in front of the formula is taken out first, so it cannot shield it.
        assert_eq!(cell_safe("\u{202e}=1+1"), "'=1+1");
        assert_eq!(cell_safe("Jo = Jo"), "Jo = Jo");
        // display_safe alone leaves it: a Telegram alert is not a spreadsheet.
        assert_eq!(display_safe("=1+1"), "=1+1");
    }
}
