//! `peerline invite`, `people list` and `import`: bringing people into a service.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use peerline_core::{
    clock::{from_millis, to_millis},
    config::Settings,
    domain::{Language, PhoneNumber, Role},
    store::{ImportRow, NewPerson, PersonStatus, Store},
    text::{cell_safe, display_safe},
};
use std::path::PathBuf;

use super::parse_date;

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

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The service's name.
    #[arg(long)]
    service: String,
    /// CSV file with a header row.
    file: PathBuf,
}

pub(super) async fn invite(
    args: InviteArgs,
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
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

pub(super) async fn run(command: PeopleCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        PeopleCommand::List { service } => {
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
    }
}

pub(super) async fn import(
    args: ImportArgs,
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
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
