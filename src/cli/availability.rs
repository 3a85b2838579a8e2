//! `peerline availability`: when a mentor takes callbacks.

use clap::Args;
use peerline_bot::conversation::availability;
use peerline_core::{domain::Role, store::Store, text::display_safe};

#[derive(Debug, Args)]
pub struct AvailabilityArgs {
    #[arg(long)]
    service: String,
    #[arg(long)]
    mentor: String,
    /// Days, e.g. Mon-Fri, Mon,Wed,Sat or weekdays.
    #[arg(long, required_unless_present = "off")]
    days: Option<String>,
    /// Hours, e.g. 18:00-21:00 or 6-9pm; several with spaces. A window past midnight
    /// carries on into the next day.
    #[arg(long, required_unless_present = "off")]
    hours: Option<String>,
    /// Clear the mentor's availability.
    #[arg(long)]
    off: bool,
}

pub(super) async fn set(a: AvailabilityArgs, store: &Store) -> anyhow::Result<()> {
    let service = store.service_by_name(&a.service).await?;
    let mentor = store
        .people(service.id)
        .await?
        .into_iter()
        .find(|p| peerline_core::quote::same_name(&p.display_name, &a.mentor) && p.role == Role::Mentor)
        .ok_or_else(|| anyhow::anyhow!("no mentor named {:?} in {}", a.mentor, service.name))?;
    let windows = if a.off {
        Vec::new()
    } else {
        let spec = format!("{} {}", a.days.unwrap_or_default(), a.hours.unwrap_or_default());
        availability::parse(&spec).map_err(|e| anyhow::anyhow!("--days/--hours: {e}"))?
    };
    store.set_availability(mentor.id, &windows).await?;
    if windows.is_empty() {
        println!("{} is not offered callbacks now.", display_safe(&mentor.display_name));
    } else {
        println!(
            "{} takes callbacks {}.",
            display_safe(&mentor.display_name),
            availability::describe(&windows, availability::english_day)
        );
    }
    Ok(())
}
