//! The command line. Each subcommand opens the configured database (migrating it), does one
//! thing, and prints plain English for the operator. Bad input exits non-zero with one line.

use std::{path::PathBuf, sync::Arc};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};
use peerline_bot::conversation::availability;
use peerline_core::{
    Clock, SystemClock,
    clock::{from_millis, to_millis},
    config::Settings,
    domain::{Language, PhoneNumber, Role},
    store::{AuditEntry, AuditQuery, ImportRow, NewPerson, PersonStatus, Store},
    text::{cell_safe, display_safe},
};
use tokio_util::sync::CancellationToken;

use crate::startup::{Application, cancel_on_signals};

/// Peerline: Telegram and SMS companion for peer-support programmes.
#[derive(Debug, Parser)]
#[command(name = "peerline", version, about)]
pub struct Cli {
    /// Configuration file (TOML). Defaults to ./peerline.toml when it exists.
    #[arg(long, global = true, env = "PEERLINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run Peerline: HTTP (health, metrics, webhooks), channels and delivery.
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage services (one per recovery programme).
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Issue a one-time enrolment code for a new person.
    Invite(InviteArgs),
    /// List people.
    #[command(subcommand)]
    People(PeopleCommand),
    /// Scheduled messages.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Supervision sessions.
    #[command(subcommand)]
    Supervision(SupervisionCommand),
    /// Set when a mentor takes callbacks (replaces their windows).
    Availability(AvailabilityArgs),
    /// A person's data: export it (subject access request) or erase it.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Read the audit log: who saw or changed what, and when (newest first).
    Audit(AuditArgs),
    /// What Peerline is sending or has sent: status, attempts, segments, last error (newest
    /// first; never a number, and never a message's text unless --show-text, which is audited).
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Import people from a CSV file (name, role, phone, telegram_username, language,
    /// placement_start). Nothing is imported if any row is bad.
    Import(ImportArgs),
    /// Risk triage tools for coordinators tuning their service's extra phrases.
    #[command(subcommand)]
    Risk(RiskCommand),
}

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

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and check the configuration, then print it with secrets redacted.
    Check,
}

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

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List what would be sent between two dates: to whom (names, never numbers), when, in
    /// which language.
    Preview {
        #[arg(long)]
        service: String,
        /// First day (YYYY-MM-DD), in the service's time zone.
        #[arg(long)]
        from: String,
        /// Last day (YYYY-MM-DD), inclusive.
        #[arg(long)]
        to: String,
        /// `text` (for people), or `tsv` / `json` with RFC 3339 times and UTC offsets (for tools).
        #[arg(long, default_value = "text")]
        format: PreviewFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreviewFormat {
    Text,
    Tsv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SupervisionCommand {
    /// Book a session.
    Add {
        #[arg(long)]
        service: String,
        /// Mentor's name; repeat for a group.
        #[arg(long = "mentor", required = true)]
        mentors: Vec<String>,
        /// Local date and time, "YYYY-MM-DD HH:MM".
        #[arg(long)]
        at: String,
        /// one-to-one or group.
        #[arg(long, default_value = "one-to-one")]
        kind: String,
        /// Room or video link.
        #[arg(long)]
        place: Option<String>,
    },
    /// Upcoming and recent sessions: id, time, kind, mentor, place, their answer, the outcome.
    List {
        #[arg(long)]
        service: String,
    },
    /// Record attended, missed or cancelled for a mentor's session.
    Record {
        #[arg(long)]
        service: String,
        #[arg(long)]
        session: i64,
        #[arg(long)]
        mentor: String,
        /// attended, missed or cancelled.
        #[arg(long)]
        outcome: String,
    },
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The service's name.
    #[arg(long)]
    service: String,
    /// coordinator, deputy, mentor or mentee.
    #[arg(long)]
    role: String,
    /// The person's name as the service knows them.
    #[arg(long)]
    name: String,
    /// en-GB, cy or pl.
    #[arg(long, default_value = "en-GB")]
    language: String,
    /// Mentors: the placement start date (YYYY-MM-DD), which drives supervision.
    #[arg(long)]
    placement_start: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// List a service's people (names, roles, channels; never numbers).
    List {
        #[arg(long)]
        service: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List outbound messages, newest first.
    List {
        /// Only messages to this person (the id `people list` shows).
        #[arg(long)]
        person: Option<i64>,
        /// Only this status: queued, sending, sent, delivered, failed, dead, skipped.
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Show each message's text too (audited as outbox.view-text).
        #[arg(long)]
        show_text: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Everything held about a person as one JSON document (for a subject access request).
    Export {
        /// The person's id, as `people list` shows it.
        id: i64,
        /// Write the document to this file (created readable by you only) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Erase a person, keeping only what safeguarding records must keep. Without --yes, says
    /// what would be removed and kept, and changes nothing.
    Erase {
        id: i64,
        /// Really erase.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this service.
    #[arg(long)]
    service: Option<String>,
    /// Only entries where this person (id) acted or was acted upon.
    #[arg(long)]
    person: Option<i64>,
    /// Only actions starting with this, e.g. escalation. or person.export.
    #[arg(long)]
    action: Option<String>,
    /// Only entries on or after this date (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 100)]
    limit: i64,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The service's name.
    #[arg(long)]
    service: String,
    /// CSV file with a header row.
    file: PathBuf,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve => {
            let app = Application::build(settings, clock).await?;
            let token = CancellationToken::new();
            cancel_on_signals(token.clone());
            app.run_until_stopped(token).await
        }
        Command::Risk(RiskCommand::Check(args)) => risk_check(&settings, &args),
        Command::Config(ConfigCommand::Check) => {
            for warning in settings.warnings() {
                eprintln!("warning: {warning}");
            }
            // Every secret is a `Secret`, whose Debug form is `[redacted]`.
            println!("Configuration is valid.\n{settings:#?}");
            Ok(())
        }
        command => {
            let store = crate::startup::open_store(&settings).await?;
            let result = admin(command, &settings, &store, clock.now()).await;
            store.close().await;
            result
        }
    }
}

async fn admin(command: Command, settings: &Settings, store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
    match command {
        Command::Serve | Command::Config(_) | Command::Risk(_) => unreachable_command(),
        Command::Migrate => {
            println!("Database {} is up to date.", settings.database.url);
            Ok(())
        }
        Command::Service(ServiceCommand::Add { name, timezone, nation }) => {
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
        Command::Service(ServiceCommand::List) => {
            let services = store.services().await?;
            if services.is_empty() {
                println!("No services yet. Add one with: peerline service add --name \"Camden peer mentoring\"");
            }
            for s in services {
                println!("{}\t{}\t{}\t{}", s.id, cell_safe(&s.name), s.timezone, s.nation);
            }
            Ok(())
        }
        Command::Service(ServiceCommand::Set(a)) => {
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
        Command::Invite(args) => {
            let service = store.service_by_name(&args.service).await?;
            let role: Role = args.role.parse()?;
            let language: Language = args.language.parse()?;
            let placement_start = args.placement_start.as_deref().map(parse_date).transpose()?;
            let name = args.name.trim();
            if name.is_empty() {
                bail!("--name must not be empty");
            }
            let person = NewPerson {
                service_id: service.id,
                role,
                display_name: name.to_owned(),
                language,
                status: PersonStatus::Invited,
                placement_start,
                telegram_username: None,
            };
            let ttl = i64::from(settings.invites.ttl_hours) * 3_600_000;
            let invite = store.create_invite(person, ttl, now_ms).await?;
            let expires = from_millis(invite.expires_at).with_timezone(&service.timezone);
            println!(
                "Invite for {} ({role}) at {}:",
                display_safe(name),
                display_safe(&service.name)
            );
            println!("  code:    {}", invite.code);
            println!("  expires: {}", expires.format("%a %-d %b %Y %H:%M %Z"));
            println!("  Telegram: /start {}   SMS: JOIN {}", invite.code, invite.code);
            Ok(())
        }
        Command::People(PeopleCommand::List { service }) => {
            let service = store.service_by_name(&service).await?;
            let people = store.people(service.id).await?;
            if people.is_empty() {
                println!(
                    "{} has nobody yet. Invite someone with: peerline invite --service {:?} --role mentor --name NAME",
                    display_safe(&service.name),
                    service.name
                );
            }
            for p in people {
                let identities = store.identities_of(p.id).await?;
                let channels: Vec<String> = identities
                    .iter()
                    .map(|i| {
                        let mut s = i.channel.to_string();
                        if i.opted_out_at.is_some() {
                            s.push_str(" (opted out)");
                        } else if i.unreachable_at.is_some() {
                            s.push_str(" (unreachable)");
                        }
                        s
                    })
                    .collect();
                let channels = if channels.is_empty() {
                    "-".to_owned()
                } else {
                    channels.join(", ")
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.id,
                    p.role,
                    cell_safe(&p.display_name),
                    p.language,
                    p.status.as_str(),
                    channels
                );
            }
            Ok(())
        }
        Command::Schedule(ScheduleCommand::Preview {
            service,
            from,
            to,
            format,
        }) => {
            let service = store.service_by_name(&service).await?;
            let (from, to) = (parse_date(&from)?, parse_date(&to)?);
            if to < from {
                bail!("--to is before --from");
            }
            let start = local_midnight(&service, from);
            let end = local_midnight(&service, to + chrono::Days::new(1));
            let lines = peerline_scheduler::preview::preview(store, &service, start, end).await?;
            if format == PreviewFormat::Json {
                let rows: Vec<serde_json::Value> = lines
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "at": l.at.with_timezone(&service.timezone).to_rfc3339(),
                            "name": l.name,
                            "what": l.what,
                            "language": l.language.tag(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            if format == PreviewFormat::Tsv {
                println!("at\tname\twhat\tlanguage");
                for l in &lines {
                    println!(
                        "{}\t{}\t{}\t{}",
                        l.at.with_timezone(&service.timezone).to_rfc3339(),
                        cell_safe(&l.name),
                        cell_safe(&l.what),
                        l.language
                    );
                }
                return Ok(());
            }
            if lines.is_empty() {
                println!(
                    "Nothing would be sent by {} in that period.",
                    display_safe(&service.name)
                );
            }
            for l in lines {
                let at = l.at.with_timezone(&service.timezone);
                println!(
                    "{}	{}	{}	{}",
                    at.format("%a %Y-%m-%d %H:%M %Z"),
                    cell_safe(&l.name),
                    cell_safe(&l.what),
                    l.language
                );
            }
            Ok(())
        }
        Command::Supervision(SupervisionCommand::Add {
            service,
            mentors,
            at,
            kind,
            place,
        }) => {
            let service = store.service_by_name(&service).await?;
            if kind != "one-to-one" && kind != "group" {
                bail!("--kind must be one-to-one or group");
            }
            let local = chrono::NaiveDateTime::parse_from_str(at.trim(), "%Y-%m-%d %H:%M")
                .map_err(|_| anyhow::anyhow!("--at {at:?} is not \"YYYY-MM-DD HH:MM\""))?;
            let starts = peerline_core::localtime::resolve(service.timezone, local);
            if starts <= now {
                bail!("--at is in the past");
            }
            let people = store.people(service.id).await?;
            let mut ids = Vec::new();
            for name in &mentors {
                let p = people
                    .iter()
                    .find(|p| peerline_core::quote::same_name(&p.display_name, name) && p.role == Role::Mentor)
                    .ok_or_else(|| anyhow::anyhow!("no mentor named {name:?} in {}", service.name))?;
                ids.push(p.id);
            }
            let session = peerline_core::store::NewSession {
                service: service.id,
                kind: &kind,
                starts_at: to_millis(starts),
                place: place.as_deref(),
                source: "cli",
                attendees: &ids,
            };
            let id = store.add_session(&session, now_ms).await?;
            println!(
                "Booked {kind} supervision {id} on {} for {}.",
                starts.with_timezone(&service.timezone).format("%a %-d %b %Y %H:%M %Z"),
                mentors.join(", ")
            );
            // A place too long for an SMS reminder still reaches the mentor, as its own message.
            if let Some(p) = place.as_deref() {
                let reminder = peerline_core::supervision::reminder_message(
                    &peerline_core::i18n::Localizer::embedded()?,
                    peerline_core::domain::Language::EnGb,
                    peerline_core::domain::ChannelKind::Sms,
                    id,
                    &kind,
                    "Tue 22 Dec, 15:30",
                    Some(p),
                    settings.sms.max_segments,
                );
                if reminder.place.is_some() {
                    println!(
                        "Note: the place is too long to fit in an SMS reminder (sms.max_segments = {}); mentors on SMS will get it as a separate message after the reminder.",
                        settings.sms.max_segments
                    );
                }
            }
            Ok(())
        }
        Command::Supervision(SupervisionCommand::List { service }) => {
            let service = store.service_by_name(&service).await?;
            let from = now - chrono::Duration::days(31);
            let rows = store
                .sessions_between(to_millis(from), to_millis(now + chrono::Duration::days(92)))
                .await?;
            if rows.is_empty() {
                println!("No booked sessions from a month ago to three months ahead.");
            }
            for r in rows.iter().filter(|r| r.service_id == service.id.0) {
                let name = store
                    .person(peerline_core::domain::PersonId(r.person_id))
                    .await?
                    .display_name;
                let at = from_millis(r.starts_at).with_timezone(&service.timezone);
                println!(
                    "{}	{}	{}	{}	{}	{}	{}",
                    r.session_id,
                    at.format("%a %Y-%m-%d %H:%M %Z"),
                    r.kind,
                    cell_safe(&name),
                    cell_or_dash(r.place.as_deref()),
                    cell_or_dash(r.response.as_deref()),
                    cell_or_dash(r.outcome.as_deref())
                );
            }
            Ok(())
        }
        Command::Supervision(SupervisionCommand::Record {
            service,
            session,
            mentor,
            outcome,
        }) => {
            let service = store.service_by_name(&service).await?;
            if !["attended", "missed", "cancelled"].contains(&outcome.as_str()) {
                bail!("--outcome must be attended, missed or cancelled");
            }
            let person = store
                .people(service.id)
                .await?
                .into_iter()
                .find(|p| peerline_core::quote::same_name(&p.display_name, &mentor))
                .ok_or_else(|| anyhow::anyhow!("no one named {mentor:?} in {}", service.name))?;
            let mut tx = store.begin().await?;
            let rec = peerline_core::supervision::record_outcome(
                &mut tx, service.id, session, person.id, &outcome, None, now_ms,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("{mentor} is not booked on session {session} of {}", service.name))?;
            tx.commit().await?;
            println!("Recorded: {} {outcome}.", display_safe(&rec.mentor_name));
            if rec.rebook {
                println!("Please rebook within 7 days.");
            }
            if rec.review {
                println!("Second miss in a row: a review flag was raised.");
            }
            Ok(())
        }
        Command::Availability(a) => {
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
        Command::Person(PersonCommand::Export { id, out }) => {
            let person = peerline_core::domain::PersonId(id);
            let mut tx = store.begin().await?;
            let doc = tx.export_person(person, now_ms).await?;
            let service_id = tx.person(person).await?.service_id;
            tx.audit(AuditEntry {
                at: now_ms,
                service_id: Some(service_id),
                actor_person_id: None,
                actor_label: &operator(),
                action: "person.export",
                subject_person_id: Some(person),
                detail: Some(out.as_ref().map_or("stdout".to_owned(), |p| p.display().to_string())),
            })
            .await?;
            let text = serde_json::to_string_pretty(&doc)?;
            match out {
                Some(path) => {
                    write_private(&path, text.as_bytes())?;
                    tx.commit().await?;
                    println!("Wrote everything held about person {id} to {}.", path.display());
                }
                None => {
                    tx.commit().await?;
                    println!("{text}");
                }
            }
            Ok(())
        }
        Command::Person(PersonCommand::Erase { id, yes }) => {
            let person = peerline_core::domain::PersonId(id);
            let mut tx = store.begin().await?;
            let before = tx.person(person).await?;
            let erasure = tx
                .erase_person(person, settings.privacy.escalation_retention_days, now_ms)
                .await?;
            let removed: u64 = erasure.removed.iter().map(|(_, n)| n).sum();
            if yes {
                tx.audit(AuditEntry {
                    at: now_ms,
                    service_id: Some(before.service_id),
                    actor_person_id: None,
                    actor_label: &operator(),
                    action: "person.erase",
                    subject_person_id: Some(person),
                    detail: Some(format!(
                        "removed {removed} rows; kept {}",
                        erasure
                            .kept
                            .iter()
                            .filter(|(_, n, _)| *n > 0)
                            .map(|(what, n, _)| format!("{n} {what}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                })
                .await?;
                tx.commit().await?;
                println!("Erased {} (person {id}).", display_safe(&before.display_name));
            } else {
                drop(tx); // rolls back: a dry run changes nothing
                println!(
                    "Erasing {} (person {id}) would remove the following; nothing has changed yet.",
                    display_safe(&before.display_name)
                );
            }
            println!("Removed:");
            for (what, n) in &erasure.removed {
                println!("  {n}\t{what}");
            }
            println!("Kept:");
            for (what, n, why) in erasure.kept.iter().filter(|(_, n, _)| *n > 0) {
                println!("  {n}\t{what}: {why}");
            }
            if !yes {
                println!("Run again with --yes to erase.");
            }
            Ok(())
        }
        Command::Outbox(OutboxCommand::List {
            person,
            status,
            limit,
            show_text,
        }) => {
            const STATUSES: [&str; 7] = ["queued", "sending", "sent", "delivered", "failed", "dead", "skipped"];
            if let Some(s) = &status
                && !STATUSES.contains(&s.as_str())
            {
                bail!("--status {s:?} is not one of {}", STATUSES.join(", "));
            }
            let person = person.map(peerline_core::domain::PersonId);
            let rows = store.outbox_rows(person).await?;
            let shown: Vec<_> = rows
                .iter()
                .rev()
                .filter(|r| status.as_deref().is_none_or(|s| r.status.as_str() == s))
                .take(limit)
                .collect();
            if show_text {
                let mut tx = store.begin().await?;
                tx.audit(AuditEntry {
                    at: now_ms,
                    service_id: None,
                    actor_person_id: None,
                    actor_label: &operator(),
                    action: "outbox.view-text",
                    subject_person_id: person,
                    detail: Some(format!("{} message(s)", shown.len())),
                })
                .await?;
                tx.commit().await?;
            }
            println!(
                "id\tcreated\tperson\tchannel\tkind\tpriority\tstatus\tattempts\tsegments\tlast error{}",
                if show_text { "\ttext" } else { "" }
            );
            for r in shown {
                let created = peerline_core::clock::from_millis(r.created_at).format("%Y-%m-%d %H:%M:%S UTC");
                let text = if show_text {
                    format!("\t{}", cell_safe(&r.body))
                } else {
                    String::new()
                };
                println!(
                    "{}\t{created}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}{text}",
                    r.id.0,
                    r.person_id.map_or("-".to_owned(), |p| p.0.to_string()),
                    r.channel.as_str(),
                    cell_safe(&r.kind),
                    r.priority.as_str(),
                    r.status.as_str(),
                    r.attempts,
                    r.segments.map_or("-".to_owned(), |s| s.to_string()),
                    r.last_error
                        .as_deref()
                        .map_or("-".to_owned(), |e| cell_safe(e).into_owned()),
                );
            }
            Ok(())
        }
        Command::Audit(a) => {
            let service = match &a.service {
                Some(name) => Some(store.service_by_name(name).await?),
                None => None,
            };
            if a.limit < 1 {
                bail!("--limit must be at least 1");
            }
            let since = a.since.as_deref().map(parse_date).transpose()?.map(|d| {
                to_millis(match &service {
                    Some(s) => local_midnight(s, d),
                    None => d.and_time(chrono::NaiveTime::MIN).and_utc(),
                })
            });
            let rows = store
                .audit_rows(&AuditQuery {
                    service: service.as_ref().map(|s| s.id),
                    person: a.person.map(peerline_core::domain::PersonId),
                    action_prefix: a.action.clone(),
                    since,
                    limit: a.limit,
                })
                .await?;
            if rows.is_empty() {
                println!("No audit entries match.");
            }
            let tz = service.as_ref().map_or(settings.default_timezone.0, |s| s.timezone);
            for r in rows {
                let who = |id: Option<i64>, name: &Option<String>| match (id, name) {
                    (Some(id), Some(name)) => format!("{} ({id})", display_safe(name)),
                    (Some(id), None) => format!("person {id}"),
                    (None, _) => "-".to_owned(),
                };
                let actor = match r.actor_person_id {
                    Some(_) => format!("{} via {}", who(r.actor_person_id, &r.actor_name), r.actor_label),
                    None => r.actor_label.clone(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    from_millis(r.at).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z"),
                    cell_safe(&actor),
                    cell_safe(&r.action),
                    cell_safe(&who(r.subject_person_id, &r.subject_name)),
                    cell_or_dash(r.detail.as_deref())
                );
            }
            Ok(())
        }
        Command::Import(args) => {
            let service = store.service_by_name(&args.service).await?;
            let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "{} is not UTF-8 text: in Excel or LibreOffice, save it as \"CSV UTF-8\" and import that",
                    args.file.display()
                )
            })?;
            // Excel's "CSV UTF-8" starts with a byte-order mark.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let rows = parse_people_csv(text, service.id)?;
            let ids = store.import_people(&rows, now_ms).await?;
            let ttl = i64::from(settings.invites.ttl_hours) * 3_600_000;
            println!("Imported {} people into {}.", ids.len(), display_safe(&service.name));
            println!(
                "Codes to link Telegram (/start CODE), valid for {} hours:",
                settings.invites.ttl_hours
            );
            for (row, id) in rows.iter().zip(ids) {
                let invite = store.reissue_invite(id, ttl, now_ms).await?;
                println!(
                    "  {}\t{}\t{}",
                    cell_safe(&row.person.display_name),
                    row.person.role,
                    invite.code
                );
            }
            Ok(())
        }
    }
}

/// One field of tab-separated output that may be absent (`-`).
fn cell_or_dash(value: Option<&str>) -> std::borrow::Cow<'_, str> {
    value.map_or(std::borrow::Cow::Borrowed("-"), cell_safe)
}

/// Who ran a CLI command, for the audit log: `cli:<login>` when the shell says.
fn operator() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("cli:{}", user.trim()),
        _ => "cli".to_owned(),
    }
}

/// Write a file only its owner can read: exports hold special-category health data.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `Mon-Fri`, `Sat,Sun`, `Mon` as ISO weekday numbers (Monday = 1).
fn local_midnight(service: &peerline_core::store::Service, date: NaiveDate) -> DateTime<Utc> {
    peerline_core::localtime::resolve(service.timezone, date.and_time(chrono::NaiveTime::MIN))
}

/// `peerline risk check "text" [--language cy]`: what triage makes of a text, and why.
fn risk_check(settings: &Settings, args: &RiskCheckArgs) -> anyhow::Result<()> {
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

fn unreachable_command() -> anyhow::Result<()> {
    bail!("internal error: command dispatched to the wrong handler")
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

/// `YYYY-MM-DD`, or the UK's `DD/MM/YYYY`.
fn parse_date(s: &str) -> anyhow::Result<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| anyhow::anyhow!("{s:?} is not a date (use YYYY-MM-DD)"))
}

/// Parse and check every row; any bad row fails the whole file, naming each bad line.
pub fn parse_people_csv(text: &str, service: peerline_core::domain::ServiceId) -> anyhow::Result<Vec<ImportRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .context("cannot read the CSV header")?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_name), Some(c_role)) = (col("name"), col("role")) else {
        bail!(
            "the CSV header must include name and role (and may include phone, telegram_username, language, placement_start)"
        );
    };
    let known = [
        "name",
        "role",
        "phone",
        "telegram_username",
        "language",
        "placement_start",
    ];
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        bail!("unknown CSV column {unknown:?} (expected {})", known.join(", "));
    }
    let (c_phone, c_tg, c_lang, c_start) = (
        col("phone"),
        col("telegram_username"),
        col("language"),
        col("placement_start"),
    );
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_phones = std::collections::HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2; // the header is line 1
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim).filter(|s| !s.is_empty());
        let mut problems = Vec::new();
        let name = get(Some(c_name));
        if name.is_none() {
            problems.push("name is empty".to_owned());
        }
        let role = match get(Some(c_role)).map(str::parse::<Role>) {
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => {
                problems.push(e.to_string());
                None
            }
            None => {
                problems.push("role is empty".to_owned());
                None
            }
        };
        let phone = match get(c_phone).map(PhoneNumber::parse) {
            Some(Ok(p)) => {
                if let Some(first) = seen_phones.insert(p.clone(), line) {
                    problems.push(format!("same phone number as line {first}"));
                }
                Some(p)
            }
            Some(Err(e)) => {
                problems.push(e.to_string());
                None
            }
            None => None,
        };
        let language = match get(c_lang).map(str::parse::<Language>) {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                problems.push(e.to_string());
                Language::EnGb
            }
            None => Language::EnGb,
        };
        let placement_start = match get(c_start).map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                problems.push(e.to_string());
                None
            }
            None => None,
        };
        if role == Some(Role::Mentor) && placement_start.is_none() && !problems.iter().any(|p| p.contains("date")) {
            problems.push("mentors need a placement_start date".to_owned());
        }
        if !problems.is_empty() {
            errors.push(format!("line {line}: {}", problems.join("; ")));
            continue;
        }
        if let (Some(name), Some(role)) = (name, role) {
            rows.push(ImportRow {
                line,
                person: NewPerson {
                    service_id: service,
                    role,
                    display_name: name.to_owned(),
                    language,
                    status: if phone.is_some() {
                        PersonStatus::Active
                    } else {
                        PersonStatus::Invited
                    },
                    placement_start,
                    telegram_username: get(c_tg).map(|u| u.trim_start_matches('@').to_owned()),
                },
                phone,
            });
        }
    }
    if !errors.is_empty() {
        bail!("nothing imported; fix these rows: {}", errors.join(" | "));
    }
    if rows.is_empty() {
        bail!("the file has no people in it");
    }
    Ok(rows)
}
