//! `peerline risk check`: what risk triage makes of a text, and which rule fired.

use anyhow::bail;
use clap::{Args, Subcommand};
use peerline_core::config::Settings;

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Does a text match? Prints each category and the rule that matched. Uses the built-in
    /// lists and rules and the configured `[[risk.extra_phrases]]`; nothing is stored or logged.
    Check(RiskCheckArgs),
}

#[derive(Debug, Args)]
pub struct RiskCheckArgs {
    /// The text to check (quote it).
    pub text: String,
    /// Only this language's phrases and rules (en-GB, cy or pl). Peerline itself applies every
    /// language to every message, so leave this out to see what it would do.
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,
}

/// `peerline risk check "text" [--language cy]`: what triage makes of a text, and why.
pub(super) fn check(settings: &Settings, args: &RiskCheckArgs) -> anyhow::Result<()> {
    let mut triage = settings.risk.triage();
    if let Some(language) = &args.language {
        if !peerline_core::risk::LANGUAGES.contains(&language.as_str()) {
            bail!("unknown language {language:?}: use en-GB, cy or pl");
        }
        triage = triage.only_language(language);
    }
    let matches = triage.matches(&args.text);
    if matches.is_empty() {
        println!("No match: no risk phrase or rule fired. This is not an all-clear.");
        return Ok(());
    }
    let mut categories: Vec<&str> = matches.iter().map(|m| m.category.as_str()).collect();
    categories.dedup();
    println!("Match: {} (crisis reply and coordinator alert).", categories.join(", "));
    for m in &matches {
        println!("  {:<15} {}", m.category.as_str(), m.rule);
        println!("  {:<15} looks for: {}", "", m.pattern);
    }
    Ok(())
}
