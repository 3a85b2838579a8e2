//! Text as Peerline reads it and as it shows it.
//!
//! - [`fold`]: the one matching form of what someone typed, used by keywords, availability
//!   and risk triage alike, so a word spelt with a decomposed accent, a `ł`, a curly apostrophe
//!   or a Cyrillic look-alike letter matches everywhere or nowhere.
//! - [`display_safe`] and [`cell_safe`]: someone else's words made safe to show in an alert, a
//!   terminal or a spreadsheet.

mod display;
mod fold;

pub use display::{cell_safe, display_safe};
pub use fold::{APOSTROPHE, fold, fold_chars, keyword_form};
