//! Someone who is not enrolled: what they are answered, and how often.
//!
//! They learn nothing about who is enrolled. Each reply to a stranger is paid for (SMS) and
//! can be forced by anyone with a phone, so they are rationed:
//! - a welcome at most once a day per address, crisis numbers at most once an hour;
//! - STOP puts the address on a suppression list: nothing but crisis numbers goes to it until
//!   it sends START;
//! - after [`StrangerPolicy::max_wrong_codes`] wrong invite codes in an hour the address is
//!   answered no more, and its codes are not tried, for [`StrangerPolicy::lockout`]; that is
//!   audited and counted, and a burst of wrong codes across all addresses is logged;
//! - every reply to strangers comes out of a daily budget per channel.

use std::sync::{
    Arc, Mutex, PoisonError,
    atomic::{AtomicBool, Ordering},
};

use chrono::Duration;
use peerline_core::{
    clock::from_millis,
    domain::ChannelKind,
    store::{AuditEntry, RedeemOutcome, Stranger, StrangerSent, Tx},
};

use super::{Engine, EngineError, Turn, keywords::Intent};

/// How often a stranger may be answered, and how much in all.
#[derive(Debug, Clone, Copy)]
pub struct StrangerPolicy {
    pub welcome_every: Duration,
    pub crisis_every: Duration,
    /// Replies to strangers per channel per UTC day.
    pub daily_budget: u32,
    pub max_wrong_codes: u32,
    pub code_window: Duration,
    pub lockout: Duration,
    /// Wrong codes across all addresses within a minute that are worth a warning.
    pub burst: u32,
}

impl Default for StrangerPolicy {
    fn default() -> Self {
        Self {
            welcome_every: Duration::days(1),
            crisis_every: Duration::hours(1),
            daily_budget: 500,
            max_wrong_codes: 5,
            code_window: Duration::hours(1),
            lockout: Duration::hours(1),
            burst: 20,
        }
    }
}

impl StrangerPolicy {
    pub fn from_settings(s: &peerline_core::config::StrangerSettings) -> Self {
        Self {
            daily_budget: s.daily_reply_budget,
            max_wrong_codes: s.max_wrong_codes.max(1),
            lockout: Duration::minutes(i64::from(s.lockout_minutes)),
            ..Self::default()
        }
    }
}

/// In-process bookkeeping for log lines that should appear once, not per message.
#[derive(Debug, Default)]
pub(super) struct StrangerAlarms {
    /// (minute, wrong codes in it) across all addresses.
    wrong_codes: Mutex<(i64, u32)>,
    /// The budget was logged as spent for this (channel, day) already.
    budget_logged: Mutex<Option<(ChannelKind, String)>>,
    burst_logged: AtomicBool,
}

/// Why nothing was sent to a stranger, for the metric.
fn quiet(why: &'static str) {
    metrics::counter!("peerline_stranger_replies_withheld_total", "why" => why).increment(1);
}

impl Engine {
    /// May one more reply go to strangers on `channel` today? Spends it if so.
    async fn stranger_budget(&self, tx: &mut Tx, channel: ChannelKind, now: i64) -> Result<bool, EngineError> {
        let day = from_millis(now).format("%Y-%m-%d").to_string();
        let asked = tx.spend_stranger_budget(channel, &day).await?;
        if asked <= i64::from(self.strangers.daily_budget) {
            return Ok(true);
        }
        quiet("budget");
        let mut logged = self.alarms.budget_logged.lock().unwrap_or_else(PoisonError::into_inner);
        if logged.as_ref() != Some(&(channel, day.clone())) {
            tracing::warn!(%channel, budget = self.strangers.daily_budget, "daily budget for replies to unknown senders spent: they get no more replies today (strangers.daily_reply_budget)");
            *logged = Some((channel, day));
        }
        Ok(false)
    }

    /// Queue a reply to a stranger, within the budget; `what` is remembered for rationing.
    async fn answer_stranger(
        &self,
        turn: &mut Turn<'_>,
        (body, kind, ignore_opt_out): (String, &str, bool),
        what: Option<StrangerSent>,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let channel = turn.reply.inbound.channel;
        if !self.stranger_budget(&mut turn.tx, channel, now).await? {
            return Ok(());
        }
        if let Some(what) = what {
            turn.tx
                .stranger_sent(channel, &turn.reply.inbound.address, what, now)
                .await?;
        }
        turn.reply.push(body, None, ignore_opt_out, kind);
        Ok(())
    }

    /// Crisis numbers to a stranger who used risk language: at most once an hour, even after
    /// STOP, within the day's budget.
    pub(super) async fn stranger_crisis(
        &self,
        turn: &mut Turn<'_>,
        state: &Stranger,
        (body, short): (String, String),
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let channel = turn.reply.inbound.channel;
        if state
            .crisis_replied_at
            .is_some_and(|t| now - t < self.strangers.crisis_every.num_milliseconds())
        {
            quiet("crisis-recent");
            return Ok(());
        }
        if !self.stranger_budget(&mut turn.tx, channel, now).await? {
            return Ok(());
        }
        turn.tx
            .stranger_sent(channel, &turn.reply.inbound.address, StrangerSent::Crisis, now)
            .await?;
        turn.reply.push_crisis(body, short);
        Ok(())
    }

    /// Someone we do not know, with no risk language in what they sent.
    pub(super) async fn stranger(
        &self,
        turn: &mut Turn<'_>,
        state: &Stranger,
        intent: Intent,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let channel = turn.reply.inbound.channel;
        let address = turn.reply.inbound.address.clone();
        let ch = Self::channel_arg(channel);
        if state.locked_until.is_some_and(|t| t > now) {
            // Locked out for guessing codes: not answered, and no code is tried.
            quiet("locked-out");
            return Ok(());
        }
        match intent {
            Intent::Join(code) => match turn.tx.redeem_invite(&code, channel, &address, now).await? {
                RedeemOutcome::Redeemed { person, identity } => {
                    turn.tx.forget_stranger(channel, &address).await?;
                    let service = turn.tx.service(person.service_id).await?;
                    turn.reply.identity = Some(identity);
                    turn.reply.person = Some(person.id);
                    // The person's recorded language wins over what their app reports.
                    turn.reply.language = person.language;
                    let body = self.text(
                        person.language,
                        "enrol-welcome",
                        &[
                            ("name", person.display_name.as_str().into()),
                            ("service", service.name.as_str().into()),
                            ("role", person.role.as_str().into()),
                        ],
                    );
                    turn.reply.push(body, None, false, "enrol-welcome");
                    tracing::info!(person = %person.id, service = %service.id, %channel, "person enrolled");
                }
                outcome => self.wrong_code(turn, outcome).await?,
            },
            Intent::Stop if state.suppressed_at.is_some() => quiet("suppressed"),
            Intent::Stop => {
                // Nothing to opt out of, but confirm as anyone would expect, reveal nothing,
                // and send nothing more but crisis numbers until START.
                turn.tx.suppress_stranger(channel, &address, Some(now)).await?;
                metrics::counter!("peerline_stranger_suppressed_total", "channel" => channel.as_str()).increment(1);
                let body = self.text(turn.reply.language, "stop-confirm", &[("channel", ch)]);
                self.answer_stranger(turn, (body, "opt-out-confirmation", true), None)
                    .await?;
            }
            Intent::Start if state.suppressed_at.is_some() => {
                turn.tx.suppress_stranger(channel, &address, None).await?;
                let body = self.text(turn.reply.language, "welcome-unknown", &[("channel", ch)]);
                self.answer_stranger(turn, (body, "welcome-unknown", false), Some(StrangerSent::Welcome))
                    .await?;
            }
            _ if state.suppressed_at.is_some() => quiet("suppressed"),
            _ if state
                .welcomed_at
                .is_some_and(|t| now - t < self.strangers.welcome_every.num_milliseconds()) =>
            {
                quiet("welcomed-today");
            }
            _ => {
                let body = self.text(turn.reply.language, "welcome-unknown", &[("channel", ch)]);
                self.answer_stranger(turn, (body, "welcome-unknown", false), Some(StrangerSent::Welcome))
                    .await?;
            }
        }
        Ok(())
    }

    /// A code that did not enrol anyone: counted against the address, which is locked out at
    /// the limit (audited; the locking code gets no answer either).
    async fn wrong_code(&self, turn: &mut Turn<'_>, outcome: RedeemOutcome) -> Result<(), EngineError> {
        let now = turn.now();
        let channel = turn.reply.inbound.channel;
        let why = match outcome {
            RedeemOutcome::Unknown => "unknown",
            RedeemOutcome::Used => "used",
            RedeemOutcome::Expired => "expired",
            RedeemOutcome::AddressTaken => "address already enrolled",
            RedeemOutcome::Redeemed { .. } => "redeemed",
        };
        tracing::info!(%channel, why, "invite code refused");
        metrics::counter!("peerline_invite_codes_refused_total", "channel" => channel.as_str()).increment(1);
        self.note_wrong_code_burst(now);
        let policy = &self.strangers;
        let wrong = turn
            .tx
            .stranger_wrong_code(
                channel,
                &turn.reply.inbound.address,
                now,
                (
                    policy.code_window.num_milliseconds(),
                    i64::from(policy.max_wrong_codes),
                    policy.lockout.num_milliseconds(),
                ),
            )
            .await?;
        if wrong.locked {
            metrics::counter!("peerline_invite_lockouts_total", "channel" => channel.as_str()).increment(1);
            tracing::warn!(%channel, wrong_codes = wrong.count, minutes = policy.lockout.num_minutes(), "address locked out after wrong invite codes");
            turn.tx
                .audit(AuditEntry {
                    at: now,
                    service_id: None,
                    actor_person_id: None,
                    actor_label: channel.as_str(),
                    action: "invite.lockout",
                    subject_person_id: None,
                    detail: Some(format!(
                        "{} wrong codes within {} min; not answered for {} min",
                        wrong.count,
                        policy.code_window.num_minutes(),
                        policy.lockout.num_minutes()
                    )),
                })
                .await?;
        }
        let body = self.text(
            turn.reply.language,
            "enrol-invalid-code",
            &[("days", self.invite_ttl_days.into())],
        );
        self.answer_stranger(turn, (body, "enrol-invalid-code", false), None)
            .await
    }

    /// Count a wrong code across all addresses; warn once when a minute holds a burst.
    fn note_wrong_code_burst(&self, now: i64) {
        let minute = now / 60_000;
        let mut window = self.alarms.wrong_codes.lock().unwrap_or_else(PoisonError::into_inner);
        if window.0 != minute {
            *window = (minute, 0);
            self.alarms.burst_logged.store(false, Ordering::Relaxed);
        }
        window.1 += 1;
        if window.1 >= self.strangers.burst && !self.alarms.burst_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                wrong_codes = window.1,
                "burst of wrong invite codes across addresses in the last minute: someone may be guessing codes"
            );
        }
    }
}

/// Shared between clones of one engine.
pub(super) type Alarms = Arc<StrangerAlarms>;
