//! The delivery worker: drains one channel's outbox through a [`Channel`], durably.
//!
//! - Claims due messages by priority then age with a lease, one per recipient at a time, so a
//!   crash mid-send re-queues the message when the lease expires (at-least-once delivery).
//! - Spaces sends to honour the channel's overall rate and its per-recipient interval.
//! - A 429 pauses the whole channel for exactly `retry_after` and puts the message back
//!   without spending an attempt; 5xx and timeouts retry with exponential back-off and jitter
//!   until `max_attempts`, then the message is `dead`; a permanent refusal marks it `failed`
//!   and the identity unreachable (or opted out).
//! - When the provider itself looks down (transient failures in a row, no answer in between)
//!   the channel is held instead, and probed with its most urgent messages: see `Health`. An
//!   outage spends no attempts, and when it ends the queue goes out in priority order. While it
//!   lasts, safeguarding and callback messages go by the person's other channel, if they have one.
//! - No database transaction is held across a send.

use std::{
    collections::HashMap,
    num::NonZeroU32,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use peerline_core::{
    Clock,
    clock::to_millis,
    config::DeliverySettings,
    domain::OutboxId,
    signal::OutboxSignal,
    store::{ClaimedMessage, DeliveryStatus, IdentityEffect, Priority, Store},
};
use rand::Rng;
use tokio::{sync::Semaphore, time::Instant};
use tokio_util::sync::CancellationToken;

use crate::channel::{Channel, SendError};

/// How fast a channel may send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages per second across the channel.
    pub per_second: u32,
    /// Minimum time between two messages to one recipient (zero for none).
    pub per_recipient_interval: Duration,
    /// Sends in flight at once.
    pub max_in_flight: usize,
}

/// Longest wait between two tries of a provider that is down.
const MAX_OUTAGE_PROBE_INTERVAL: Duration = Duration::from_secs(30);
/// Transient failures in a row, with no answer from the provider in between, that mean the
/// provider is down. (One or two are left to the message's own back-off: a blip, or a message
/// the provider cannot take.)
const OUTAGE_AFTER_FAILURES: u32 = 3;

/// Is the provider down? After [`OUTAGE_AFTER_FAILURES`] transient failures in a row the
/// channel is held: nothing is claimed until the hold ends, and then one message is sent as a
/// probe, the most urgent due (or the next most urgent, if the most urgent failed the last
/// probe, so that one message the provider cannot take does not hold the channel for good). The
/// hold grows with each failed probe (back-off with jitter, at most 30 s). Messages that fail
/// meanwhile go back in the queue, due when the hold ends, without spending an attempt. Any
/// answer from the provider (a success or a refusal) ends the outage.
///
/// Without this, every message backed off on its own timer: a few minutes of outage used up
/// `max_attempts` (messages, safeguarding alerts included, went `dead`), and after it the
/// queue went out in the order the timers happened to expire, not by priority.
#[derive(Debug, Default)]
struct Health {
    /// Transient failures since the provider last answered.
    failures: u32,
    /// Set while the provider looks down.
    outage: Option<Outage>,
}

#[derive(Debug)]
struct Outage {
    probes_failed: u32,
    /// Nothing is claimed before this (on the injected clock).
    until: DateTime<Utc>,
    /// The message that failed last: the next probe is another one, if another is due.
    last_failed: OutboxId,
}

/// Safeguarding and callback messages must reach the person, by another channel if need be.
fn must_reach(msg: &ClaimedMessage) -> bool {
    matches!(msg.priority, Priority::Safeguarding | Priority::Callback)
}

/// What one claim-and-send round did, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundOutcome {
    pub claimed: usize,
}

/// Drains one channel's outbox.
pub struct Worker<C: Channel> {
    inner: Arc<Inner<C>>,
}

struct Inner<C: Channel> {
    store: Store,
    channel: C,
    clock: Arc<dyn Clock>,
    settings: DeliverySettings,
    limits: Limits,
    global: DefaultDirectRateLimiter,
    /// Senders queue here, first come first served, for the global rate: without it the
    /// limiter wakes waiters in no particular order and some recipients fall behind.
    global_queue: tokio::sync::Mutex<()>,
    /// When each recipient was last sent to. Spacing is measured from the actual send, not
    /// from when a slot was reserved, so waiting for the global limit cannot squeeze two
    /// messages to one chat closer together. Only one message per recipient is in flight (the
    /// claim guarantees it), so this needs no reservation logic.
    last_sent: Mutex<HashMap<String, Instant>>,
    /// Set by a 429: nothing is sent on this channel before this instant.
    paused_until: Mutex<Option<Instant>>,
    /// Whether the provider looks down.
    health: Mutex<Health>,
    in_flight: Arc<Semaphore>,
    /// Wakes the other channels' workers when a message is rerouted to them.
    reroute_signal: OutboxSignal,
}

/// The first and longest waits between claims while the database takes no writes: short
/// enough that sending resumes within seconds of space being freed or a lock released.
const STORE_RETRY_FIRST: Duration = Duration::from_millis(100);
const STORE_RETRY_MAX: Duration = Duration::from_secs(2);

impl<C: Channel> Worker<C> {
    pub fn new(
        store: Store,
        channel: C,
        clock: Arc<dyn Clock>,
        settings: DeliverySettings,
        limits: Limits,
        signal: OutboxSignal,
    ) -> Self {
        let per_second = NonZeroU32::new(limits.per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        // Burst 1: sends are evenly spaced, so no one-second window ever holds more than the limit.
        let spacing = Duration::from_secs(1) / per_second.get();
        let global = RateLimiter::direct(Quota::with_period(spacing).unwrap_or_else(|| Quota::per_second(per_second)));
        Self {
            inner: Arc::new(Inner {
                store,
                channel,
                clock,
                settings,
                global,
                global_queue: tokio::sync::Mutex::new(()),
                last_sent: Mutex::new(HashMap::new()),
                paused_until: Mutex::new(None),
                health: Mutex::new(Health::default()),
                in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
                reroute_signal: signal,
                limits,
            }),
        }
    }

    /// Run until `shutdown`, then wait for sends in flight to finish.
    pub async fn run(self, signal: OutboxSignal, shutdown: CancellationToken) {
        let kind = self.inner.channel.kind();
        let mut wake = signal.subscribe();
        let idle = Duration::from_millis(self.inner.settings.idle_poll_ms.max(10));
        let mut cleanup = tokio::time::interval(Duration::from_secs(60));
        tracing::info!(channel = %kind, per_second = self.inner.limits.per_second, "delivery worker started");
        // While the database takes no writes, claims are retried at a growing interval (the
        // store logs the outage once); the first claim after it recovers resumes sending.
        let mut backoff = Duration::ZERO;
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let round = match self.round().await {
                Ok(r) => {
                    backoff = Duration::ZERO;
                    r
                }
                Err(e) => {
                    self.inner.store.note_write_error(&e);
                    if e.unavailable().is_some() {
                        backoff = (backoff * 2).clamp(STORE_RETRY_FIRST, STORE_RETRY_MAX);
                        tokio::select! {
                            _ = shutdown.cancelled() => break,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        continue;
                    }
                    tracing::error!(channel = %kind, error = %e, "delivery: could not claim messages");
                    RoundOutcome::default()
                }
            };
            if round.claimed == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = wake.changed() => {}
                    _ = tokio::time::sleep(idle) => {}
                    _ = cleanup.tick() => self.inner.forget_idle_recipients(),
                }
            }
        }
        // Let in-flight sends record their outcome before the store closes.
        let permits = u32::try_from(self.inner.limits.max_in_flight.max(1)).unwrap_or(u32::MAX);
        let _ = self.inner.in_flight.acquire_many(permits).await;
        tracing::info!(channel = %kind, "delivery worker stopped");
    }

    /// Claim what is due (as many as there are free send slots) and start sending it.
    /// Returns once every claimed message has a send slot; sends finish in the background.
    pub async fn round(&self) -> Result<RoundOutcome, peerline_core::store::StoreError> {
        let inner = &self.inner;
        // Wait for at least one free slot, then claim as many as are free.
        let first = Arc::clone(&inner.in_flight)
            .acquire_owned()
            .await
            .map_err(|_| peerline_core::store::StoreError::Conflict("delivery worker closed".into()))?;
        let free = inner.in_flight.available_permits() + 1;
        let now = inner.clock.now();
        let in_flight = inner.limits.max_in_flight.max(1).saturating_sub(free);
        let held = inner
            .health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .outage
            .as_ref()
            .map(|o| (o.until, o.last_failed));
        let free = match held {
            // The provider is down: alerts and callbacks with another way to the person go that
            // way now; the rest wait for the hold to end, then the channel is probed, one
            // message at a time.
            Some((until, _)) if now < until || in_flight > 0 => {
                inner.reroute_stranded(now).await;
                return Ok(RoundOutcome::default());
            }
            // The two most urgent, to choose the probe from (see `Health`).
            Some(_) => 2,
            // About a tenth of a second of sending per round: slots are taken in order below,
            // so a round lasts as long as its batch takes to send, and an alert queued
            // meanwhile waits for the next round. Small rounds keep that wait short.
            None => free.min((inner.limits.per_second / 10).max(1) as usize),
        };
        let lease = now + chrono::Duration::seconds(i64::from(inner.settings.lease_secs));
        let batch = inner
            .store
            .claim_due(
                inner.channel.kind(),
                to_millis(now),
                to_millis(lease),
                u32::try_from(free).unwrap_or(u32::MAX),
            )
            .await?;
        let batch = match held {
            Some((_, last_failed)) => inner.choose_probe(batch, last_failed, now).await?,
            None => batch,
        };
        let claimed = batch.len();
        let mut first = Some(first);
        for msg in batch {
            let permit = match first.take() {
                Some(p) => p,
                None => match Arc::clone(&inner.in_flight).acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let inner = Arc::clone(inner);
            if inner.recipient_waiting(&msg) {
                // Its recipient had a message moments ago: it waits on its own, without
                // holding the rest of the batch back.
                tokio::spawn(async move {
                    inner.wait_for_slot(&msg).await;
                    inner.deliver(msg).await;
                    drop(permit);
                });
            } else {
                // The rest take their turn here, in delivery order (the batch is sorted by
                // priority): spawned tasks start in no particular order, and a check-in could
                // otherwise reach the wire before a safeguarding alert claimed with it.
                inner.wait_for_slot(&msg).await;
                tokio::spawn(async move {
                    inner.deliver(msg).await;
                    drop(permit);
                });
            }
        }
        Ok(RoundOutcome { claimed })
    }
}

impl<C: Channel> Inner<C> {
    /// Wait until this message may go: after the recipient's interval, after any 429 pause,
    /// and within the channel's overall rate. Records the send time for the recipient.
    async fn wait_for_slot(&self, msg: &ClaimedMessage) {
        let key = self.channel.rate_key(msg);
        let interval = self.limits.per_recipient_interval;
        loop {
            let earliest = {
                let last = self.last_sent.lock().unwrap_or_else(PoisonError::into_inner);
                let recipient = last.get(&key).map(|t| *t + interval);
                let paused = *self.paused_until.lock().unwrap_or_else(PoisonError::into_inner);
                recipient.into_iter().chain(paused).max()
            };
            match earliest {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => {}
            }
            if msg.priority == Priority::Safeguarding {
                // Crisis replies and alerts do not queue behind bulk sends already waiting
                // for a slot: they take the next free one.
                self.global.until_ready().await;
            } else {
                let _turn = self.global_queue.lock().await;
                self.global.until_ready().await;
            }
            // A 429 may have paused the channel while we waited for the global slot.
            let paused = *self.paused_until.lock().unwrap_or_else(PoisonError::into_inner);
            if paused.is_none_or(|p| p <= Instant::now()) {
                break;
            }
        }
        if !interval.is_zero() {
            self.last_sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, Instant::now());
        }
    }

    /// Of the (up to) two most urgent due messages, the one to probe a down provider with:
    /// the first, unless it failed the last probe. The other goes back, due as it was.
    async fn choose_probe(
        &self,
        mut batch: Vec<ClaimedMessage>,
        last_failed: OutboxId,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMessage>, peerline_core::store::StoreError> {
        if batch.len() > 1 && batch[0].id == last_failed {
            batch.swap(0, 1);
        }
        for other in batch.drain(1..) {
            self.store.release(other.id, to_millis(now), None).await?;
        }
        Ok(batch)
    }

    /// Must this message wait for its recipient's interval?
    fn recipient_waiting(&self, msg: &ClaimedMessage) -> bool {
        let interval = self.limits.per_recipient_interval;
        !interval.is_zero()
            && self
                .last_sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&self.channel.rate_key(msg))
                .is_some_and(|t| *t + interval > Instant::now())
    }

    fn forget_idle_recipients(&self) {
        let now = Instant::now();
        let interval = self.limits.per_recipient_interval;
        self.last_sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, t| *t + interval > now);
    }

    /// A send got an answer from the provider (even a refusal): it is up.
    fn provider_answered(&self) {
        let was = std::mem::take(&mut *self.health.lock().unwrap_or_else(PoisonError::into_inner));
        if let Some(o) = was.outage {
            tracing::info!(channel = %self.channel.kind(), probes_failed = o.probes_failed, "provider answering again; channel resumed");
        }
    }

    /// A transient failure of `id` at `now`. Returns when the channel's hold ends if the
    /// provider looks down (see [`Health`]), `None` to leave it to the message's own back-off.
    fn provider_down_until(&self, id: OutboxId, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let probe_interval = |failed: u32| {
            let wait = self.backoff(failed).min(MAX_OUTAGE_PROBE_INTERVAL);
            now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(1))
        };
        let mut health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(o) = &mut health.outage {
            // A failed probe holds the channel longer; sends that were already in flight
            // when the hold began just join it.
            if now >= o.until {
                o.probes_failed += 1;
                o.until = probe_interval(o.probes_failed);
                o.last_failed = id;
            }
            return Some(o.until);
        }
        health.failures += 1;
        if health.failures < OUTAGE_AFTER_FAILURES {
            return None;
        }
        let until = probe_interval(1);
        health.outage = Some(Outage {
            probes_failed: 1,
            until,
            last_failed: id,
        });
        metrics::counter!("peerline_channel_outages_total", "channel" => self.channel.kind().as_str()).increment(1);
        tracing::warn!(channel = %self.channel.kind(), "provider looks down; holding the channel and probing");
        Some(until)
    }

    /// Queue `msg` to the person's next reachable identity and wake that channel's worker.
    /// Returns whether there was another way to reach them.
    async fn send_other_way(&self, msg: &ClaimedMessage, now_ms: i64) -> bool {
        match self.store.reroute(msg, now_ms).await {
            Ok(Some(new)) => {
                metrics::counter!("peerline_outbox_rerouted_total").increment(1);
                tracing::debug!(id = %msg.id, new = %new, "rerouted");
                self.reroute_signal.notify();
                true
            }
            Ok(None) => {
                tracing::error!(id = %msg.id, "no other way to reach this person");
                false
            }
            Err(e) => {
                tracing::error!(id = %msg.id, error = %e, "could not reroute");
                false
            }
        }
    }

    /// While the provider is down, the due alerts and callbacks that have another way to the
    /// person go that way at once (see [`Store::reroute_stranded`]) instead of waiting for the
    /// next probe, which can be 30 s away.
    async fn reroute_stranded(&self, now: DateTime<Utc>) {
        let kind = self.channel.kind();
        let why = format!("{kind} down: sent by another channel instead");
        match self.store.reroute_stranded(kind, to_millis(now), &why).await {
            Ok(moved) if moved.is_empty() => {}
            Ok(moved) => {
                metrics::counter!("peerline_outbox_rerouted_total").increment(moved.len() as u64);
                for (id, new) in &moved {
                    tracing::debug!(id = %id, new = %new, "rerouted");
                }
                tracing::warn!(channel = %kind, count = moved.len(), "provider down: sent by another channel instead");
                self.reroute_signal.notify();
            }
            Err(e) => tracing::error!(channel = %kind, error = %e, "could not reroute while the provider is down"),
        }
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let base = self.settings.backoff_base_ms.max(1);
        let exp = base.saturating_mul(1u64 << attempts.saturating_sub(1).min(20));
        let capped = exp.min(self.settings.backoff_max_ms.max(base));
        // Jitter in [50%, 100%] so a burst of failures does not retry in lock-step.
        let jittered = rand::rng().random_range(capped / 2..=capped);
        Duration::from_millis(jittered)
    }

    /// Send a message that has its slot (see [`Inner::wait_for_slot`]) and record the outcome.
    async fn deliver(&self, msg: ClaimedMessage) {
        let kind = self.channel.kind();
        let prio = msg.priority.as_str();
        let started = Instant::now();
        let result = self.channel.send(&msg).await;
        metrics::histogram!("peerline_send_seconds", "channel" => kind.as_str())
            .record(started.elapsed().as_secs_f64());
        let now = self.clock.now();
        let now_ms = to_millis(now);
        let provider_down_until = match &result {
            Err(SendError::Transient(_)) => self.provider_down_until(msg.id, now),
            _ => None,
        };
        let recorded = match result {
            Ok(receipt) => {
                self.provider_answered();
                metrics::counter!("peerline_outbox_sent_total", "channel" => kind.as_str(), "priority" => prio)
                    .increment(1);
                if let Some(s) = receipt.segments {
                    metrics::counter!("peerline_sms_segments_total", "channel" => kind.as_str())
                        .increment(u64::from(s));
                }
                let age = (now_ms - msg.created_at).max(0) as f64 / 1000.0;
                metrics::histogram!("peerline_delivery_age_seconds", "channel" => kind.as_str(), "priority" => prio)
                    .record(age);
                tracing::debug!(id = %msg.id, channel = %kind, "sent");
                self.store
                    .mark_sent(msg.id, receipt.provider_id.as_deref(), receipt.segments, now_ms)
                    .await
            }
            Err(SendError::Throttled { retry_after }) => {
                metrics::counter!("peerline_outbox_throttled_total", "channel" => kind.as_str()).increment(1);
                tracing::warn!(id = %msg.id, channel = %kind, ?retry_after, "provider asked us to slow down");
                let until = Instant::now() + retry_after;
                {
                    let mut paused = self.paused_until.lock().unwrap_or_else(PoisonError::into_inner);
                    if paused.is_none_or(|p| p < until) {
                        *paused = Some(until);
                    }
                }
                let retry_at = now + chrono::Duration::from_std(retry_after).unwrap_or(chrono::Duration::seconds(1));
                self.store
                    .release(msg.id, to_millis(retry_at), Some("rate limited (429)"))
                    .await
            }
            Err(SendError::Transient(e)) if let Some(until) = provider_down_until => {
                metrics::counter!("peerline_outbox_retried_total", "channel" => kind.as_str()).increment(1);
                tracing::warn!(id = %msg.id, channel = %kind, error = %e, %until, "send failed, provider down; back in the queue");
                // An alert or a callback cannot wait for the provider to come back when the
                // person has another way in: it is due at once (the hold keeps it off this
                // channel), so the held channel's reroute takes it that way now.
                let retry_at = if must_reach(&msg) { now } else { until };
                let released = self
                    .store
                    .release(msg.id, to_millis(retry_at), Some(&format!("provider down: {e}")))
                    .await;
                if released.is_ok() && must_reach(&msg) {
                    self.reroute_stranded(now).await;
                }
                released
            }
            Err(SendError::Transient(e)) if msg.attempts < self.settings.max_attempts => {
                metrics::counter!("peerline_outbox_retried_total", "channel" => kind.as_str()).increment(1);
                let delay = self.backoff(msg.attempts);
                tracing::warn!(id = %msg.id, channel = %kind, attempts = msg.attempts, ?delay, error = %e, "send failed; will retry");
                let retry_at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(1));
                self.store.mark_retry(msg.id, to_millis(retry_at), &e).await
            }
            Err(SendError::Transient(e)) => {
                metrics::counter!("peerline_outbox_dead_total", "channel" => kind.as_str(), "priority" => prio)
                    .increment(1);
                tracing::error!(id = %msg.id, channel = %kind, attempts = msg.attempts, error = %e, "giving up on message");
                self.store
                    .mark_final(msg.id, DeliveryStatus::Dead, &e, IdentityEffect::None, now_ms)
                    .await
            }
            // A safeguarding message refused for what it says (too long for the provider) goes
            // again at once in its shorter form.
            Err(SendError::Rejected(e)) if msg.priority == Priority::Safeguarding && msg.short_body.is_some() => {
                self.provider_answered();
                let shortened = self
                    .store
                    .shorten(msg.id, &format!("refused, sent shorter: {e}"), now_ms)
                    .await;
                match shortened {
                    Ok(true) => {
                        metrics::counter!("peerline_outbox_shortened_total", "channel" => kind.as_str()).increment(1);
                        tracing::warn!(id = %msg.id, channel = %kind, error = %e, "safeguarding message refused; sending its shorter form");
                        self.reroute_signal.notify();
                        Ok(())
                    }
                    Ok(false) => self.refused(&msg, SendError::Rejected(e), now_ms).await,
                    Err(err) => Err(err),
                }
            }
            Err(err @ (SendError::Unreachable(_) | SendError::OptedOut(_) | SendError::Rejected(_))) => {
                self.provider_answered();
                self.refused(&msg, err, now_ms).await
            }
        };
        if let Err(e) = recorded {
            // The lease will expire and the message will be tried again: at-least-once.
            tracing::error!(id = %msg.id, channel = %kind, error = %e, "could not record send outcome");
        }
    }

    /// The provider refused `msg` for good: record it, with what that means for the identity,
    /// and send a safeguarding or callback message some other way. (One that cannot go any
    /// other way is reported to the service's other staff by the scheduler's watchdog.)
    async fn refused(
        &self,
        msg: &ClaimedMessage,
        err: SendError,
        now_ms: i64,
    ) -> Result<(), peerline_core::store::StoreError> {
        let kind = self.channel.kind();
        let prio = msg.priority.as_str();
        metrics::counter!("peerline_outbox_failed_total", "channel" => kind.as_str(), "priority" => prio).increment(1);
        let effect = match (&err, msg.identity_id) {
            (SendError::Unreachable(_), Some(i)) => IdentityEffect::Unreachable(i),
            (SendError::OptedOut(_), Some(i)) => IdentityEffect::OptedOut(i),
            _ => IdentityEffect::None,
        };
        tracing::warn!(id = %msg.id, channel = %kind, error = %err, "message refused for good");
        let marked = self
            .store
            .mark_final(msg.id, DeliveryStatus::Failed, &err.to_string(), effect, now_ms)
            .await;
        // Safeguarding and callback messages must reach the person some other way.
        if marked.is_ok()
            && matches!(err, SendError::Unreachable(_) | SendError::Rejected(_))
            && must_reach(msg)
            && self.send_other_way(msg, now_ms).await
        {
            tracing::warn!(id = %msg.id, channel = %kind, "refused: sent by another channel instead");
        }
        marked
    }
}
