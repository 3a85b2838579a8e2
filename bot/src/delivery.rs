//! The delivery worker: drains one channel's outbox through a [`Channel`], durably.
//!
//! - Claims due messages by priority then age with a lease, one per recipient at a time, so a
//!   crash mid-send re-queues the message when the lease expires (at-least-once delivery).
//! - Spaces sends to honour the channel's overall rate and its per-recipient interval.
//! - A 429 pauses the whole channel for exactly `retry_after` and puts the message back
//!   without spending an attempt; 5xx and timeouts retry with exponential back-off and jitter
//!   until `max_attempts`, then the message is `dead`; a permanent refusal marks it `failed`
//!   and the identity unreachable (or opted out).
//! - No database transaction is held across a send.

use std::{
    collections::HashMap,
    num::NonZeroU32,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use peerline_core::{
    Clock,
    clock::to_millis,
    config::DeliverySettings,
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
    in_flight: Arc<Semaphore>,
    /// Wakes the other channels' workers when a message is rerouted to them.
    reroute_signal: OutboxSignal,
}

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
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let round = match self.round().await {
                Ok(r) => r,
                Err(e) => {
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
            tokio::spawn(async move {
                inner.deliver(msg).await;
                drop(permit);
            });
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

    fn forget_idle_recipients(&self) {
        let now = Instant::now();
        let interval = self.limits.per_recipient_interval;
        self.last_sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, t| *t + interval > now);
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let base = self.settings.backoff_base_ms.max(1);
        let exp = base.saturating_mul(1u64 << attempts.saturating_sub(1).min(20));
        let capped = exp.min(self.settings.backoff_max_ms.max(base));
        // Jitter in [50%, 100%] so a burst of failures does not retry in lock-step.
        let jittered = rand::rng().random_range(capped / 2..=capped);
        Duration::from_millis(jittered)
    }

    async fn deliver(&self, msg: ClaimedMessage) {
        let kind = self.channel.kind();
        let prio = msg.priority.as_str();
        self.wait_for_slot(&msg).await;
        let started = Instant::now();
        let result = self.channel.send(&msg).await;
        metrics::histogram!("peerline_send_seconds", "channel" => kind.as_str())
            .record(started.elapsed().as_secs_f64());
        let now = self.clock.now();
        let now_ms = to_millis(now);
        let recorded = match result {
            Ok(receipt) => {
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
                self.store.release(msg.id, to_millis(retry_at)).await
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
            Err(err @ (SendError::Unreachable(_) | SendError::OptedOut(_) | SendError::Rejected(_))) => {
                metrics::counter!("peerline_outbox_failed_total", "channel" => kind.as_str(), "priority" => prio)
                    .increment(1);
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
                    && matches!(err, SendError::Unreachable(_))
                    && matches!(msg.priority, Priority::Safeguarding | Priority::Callback)
                {
                    match self.store.reroute(&msg, now_ms).await {
                        Ok(Some(new)) => {
                            metrics::counter!("peerline_outbox_rerouted_total").increment(1);
                            tracing::warn!(id = %msg.id, new = %new, "unreachable: sent by another channel instead");
                            self.reroute_signal.notify();
                        }
                        Ok(None) => tracing::error!(id = %msg.id, "unreachable and no other way to reach this person"),
                        Err(e) => tracing::error!(id = %msg.id, error = %e, "could not reroute"),
                    }
                }
                marked
            }
        };
        if let Err(e) = recorded {
            // The lease will expire and the message will be tried again: at-least-once.
            tracing::error!(id = %msg.id, channel = %kind, error = %e, "could not record send outcome");
        }
    }
}
