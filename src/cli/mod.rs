//! The command line. Each subcommand opens the configured database (migrating it), does one
//! thing, and prints plain English for the operator. Bad input exits non-zero with one line.
//!
//! One module per subcommand; this one parses the command line and dispatches.

mod audit;
mod availability;
mod outbox;
mod people;
mod person;
mod risk;
mod schedule;
mod service;
mod supervision;

use std::{path::PathBuf, sync::Arc};

use anyhow::bail;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use peerline_core::{Clock, SystemClock, config::Settings, store::Store, text::cell_safe};
use tokio_util::sync::CancellationToken;

use crate::startup::{Application, cancel_on_signals};
use audit::AuditArgs;
use availability::AvailabilityArgs;
use outbox::OutboxCommand;
pub use people::parse_people_csv;
use people::{ImportArgs, InviteArgs, PeopleCommand};
use person::PersonCommand;
use risk::RiskCommand;
use schedule::ScheduleCommand;
use service::ServiceCommand;
use supervision::SupervisionCommand;

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
pub enum ConfigCommand {
    /// Load and check the configuration, then print it with secrets redacted.
    Check,
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
        Command::Risk(RiskCommand::Check(args)) => risk::check(&settings, &args),
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
    match command {
        Command::Serve | Command::Config(_) | Command::Risk(_) => {
            bail!("internal error: command dispatched to the wrong handler")
        }
        Command::Migrate => {
            println!("Database {} is up to date.", settings.database.url);
            Ok(())
        }
        Command::Service(c) => service::run(c, settings, store, now).await,
        Command::Invite(args) => people::invite(args, settings, store, now).await,
        Command::People(c) => people::run(c, store).await,
        Command::Import(args) => people::import(args, settings, store, now).await,
        Command::Schedule(c) => schedule::run(c, store).await,
        Command::Supervision(c) => supervision::run(c, settings, store, now).await,
        Command::Availability(a) => availability::set(a, store).await,
        Command::Person(c) => person::run(c, settings, store, now).await,
        Command::Audit(a) => audit::list(a, settings, store).await,
        Command::Outbox(c) => outbox::run(c, store, now).await,
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

/// The first instant of `date` on the service's wall clock.
fn local_midnight(service: &peerline_core::store::Service, date: NaiveDate) -> DateTime<Utc> {
    peerline_core::localtime::resolve(service.timezone, date.and_time(chrono::NaiveTime::MIN))
}

/// `YYYY-MM-DD`, or the UK's `DD/MM/YYYY`.
fn parse_date(s: &str) -> anyhow::Result<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| anyhow::anyhow!("{s:?} is not a date (use YYYY-MM-DD)"))
}
