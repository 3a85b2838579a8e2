//! `peerline service add|list|set`: the services (one per recovery programme), their
//! schedules, hours and nation.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use peerline_core::{
    clock::to_millis,
    config::Settings,
    store::Store,
    text::{cell_safe, display_safe},
};

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Add a service.
    Add {
        /// The service's name, e.g. "Camden peer mentoring".
        #[arg(long)]
        name: String,
        /// IANA time zone; defaults to the configured default_timezone (Europe/London).
        #[arg(long)]
        timezone: Option<String>,
        /// The UK nation it is in, for the crisis lines people are given: england (the
        /// default), wales, scotland or northern-ireland.
        #[arg(long)]
        nation: Option<String>,
    },
    /// List services.
    List,
    /// Change a service's schedules and hours.
    Set(ServiceSetArgs),
}

#[derive(Debug, Args)]
pub struct ServiceSetArgs {
    /// The service's name.
    #[arg(long)]
    name: String,
    /// Weekly check-in schedule, cron with day names (`0 0 10 * * Mon`); "" turns check-ins off.
    #[arg(long)]
    checkin_schedule: Option<String>,
    /// Send check-ins to mentees too.
    #[arg(long)]
    checkin_mentees: Option<bool>,
    /// Working days, e.g. Mon-Fri.
    #[arg(long)]
    working_days: Option<String>,
    /// The UK nation it is in: england, wales, scotland or northern-ireland.
    #[arg(long)]
    nation: Option<String>,
    /// Working hours, e.g. 09:00-17:00.
    #[arg(long)]
    working_hours: Option<String>,
    /// Quiet hours, e.g. 21:00-08:00: scheduled messages wait until they end.
    #[arg(long)]
    quiet_hours: Option<String>,
    /// Local time policy 1:1 supervision is planned at, e.g. 14:00.
    #[arg(long)]
    supervision_time: Option<String>,
    /// Group supervision schedule (cron).
    #[arg(long)]
    group_schedule: Option<String>,
}

pub(super) async fn run(
    command: ServiceCommand,
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
    match command {
        ServiceCommand::Add { name, timezone, nation } => {
            let nation = nation
                .as_deref()
                .map(str::parse::<peerline_core::domain::Nation>)
                .transpose()?;
            let tz = match timezone {
                Some(t) => t
                    .parse::<Tz>()
                    .map_err(|_| anyhow::anyhow!("unknown time zone {t:?} (use an IANA name such as Europe/London)"))?,
                None => settings.default_timezone.0,
            };
            let mut service = store.add_service(&name, tz, now_ms).await?;
            if let Some(nation) = nation {
                let update = peerline_core::store::ServiceUpdate {
                    nation: Some(nation),
                    ..Default::default()
                };
                store.update_service(service.id, &update).await?;
                service = store.service(service.id).await?;
            }
            println!(
                "Added service {:?} (id {}, time zone {}, {}).",
                service.name,
                service.id,
                service.timezone,
                nation_name(service.nation)
            );
            Ok(())
        }
        ServiceCommand::List => {
            let services = store.services().await?;
            if services.is_empty() {
                println!("No services yet. Add one with: peerline service add --name \"Camden peer mentoring\"");
            }
            for s in services {
                println!("{}\t{}\t{}\t{}", s.id, cell_safe(&s.name), s.timezone, s.nation);
            }
            Ok(())
        }
        ServiceCommand::Set(a) => {
            let service = store.service_by_name(&a.name).await?;
            let cron = |what: &str, v: &Option<String>| -> anyhow::Result<Option<String>> {
                match v.as_deref().map(str::trim) {
                    Some("") if what == "--checkin-schedule" => Ok(Some(String::new())),
                    Some(expr) => peerline_core::localtime::LocalSchedule::parse(expr, service.timezone)
                        .map(|_| Some(expr.to_owned()))
                        .map_err(|e| anyhow::anyhow!("{what}: {e}")),
                    None => Ok(None),
                }
            };
            let time = |what: &'static str, v: &str| -> anyhow::Result<String> {
                peerline_core::hours::time_of_day(what, v)
                    .map(|t| t.format("%H:%M").to_string())
                    .map_err(|e| anyhow::anyhow!("{e}"))
            };
            if let Some(days) = &a.working_days {
                peerline_core::hours::WorkingDays::parse(days)
                    .map_err(|e| anyhow::anyhow!("--working-days {:?} is not {}", e.value, e.expected))?;
            }
            let range = |what: &'static str, v: &Option<String>| -> anyhow::Result<(Option<String>, Option<String>)> {
                match v {
                    None => Ok((None, None)),
                    Some(r) => {
                        let (a, b) = r
                            .split_once('-')
                            .ok_or_else(|| anyhow::anyhow!("{what}: use HH:MM-HH:MM"))?;
                        Ok((Some(time(what, a)?), Some(time(what, b)?)))
                    }
                }
            };
            let (working_start, working_end) = range("--working-hours", &a.working_hours)?;
            let (quiet_start, quiet_end) = range("--quiet-hours", &a.quiet_hours)?;
            let update = peerline_core::store::ServiceUpdate {
                checkin_schedule: cron("--checkin-schedule", &a.checkin_schedule)?,
                checkin_mentees: a.checkin_mentees,
                working_days: a.working_days.clone(),
                working_start,
                working_end,
                quiet_start,
                quiet_end,
                supervision_time: a
                    .supervision_time
                    .as_deref()
                    .map(|t| time("--supervision-time", t))
                    .transpose()?,
                group_schedule: cron("--group-schedule", &a.group_schedule)?,
                nation: a
                    .nation
                    .as_deref()
                    .map(str::parse::<peerline_core::domain::Nation>)
                    .transpose()?,
            };
            // The hours as they would be stored must read back, or the service could not load.
            let or = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_owned());
            let (days, ws, we, qs, qe, st) = (
                or(&update.working_days, &service.working_days),
                or(&update.working_start, &service.working_start),
                or(&update.working_end, &service.working_end),
                or(&update.quiet_start, &service.quiet_start),
                or(&update.quiet_end, &service.quiet_end),
                or(&update.supervision_time, &service.supervision_time),
            );
            peerline_core::hours::Hours::parse(
                service.timezone,
                peerline_core::hours::HoursText {
                    working_days: &days,
                    working_start: &ws,
                    working_end: &we,
                    quiet_start: &qs,
                    quiet_end: &qe,
                    supervision_time: &st,
                },
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.update_service(service.id, &update).await?;
            let s = store.service(service.id).await?;
            println!(
                "{}: check-ins {:?} (mentees {}), working {} {}-{}, quiet {}-{}, supervision at {}, group {:?}",
                display_safe(&s.name),
                s.checkin_schedule,
                if s.checkin_mentees { "yes" } else { "no" },
                s.working_days,
                s.working_start,
                s.working_end,
                s.quiet_start,
                s.quiet_end,
                s.supervision_time,
                s.group_schedule
            );
            Ok(())
        }
    }
}

/// A nation as a sentence names it.
fn nation_name(n: peerline_core::domain::Nation) -> &'static str {
    match n {
        peerline_core::domain::Nation::England => "England",
        peerline_core::domain::Nation::Wales => "Wales",
        peerline_core::domain::Nation::Scotland => "Scotland",
        peerline_core::domain::Nation::NorthernIreland => "Northern Ireland",
    }
}
