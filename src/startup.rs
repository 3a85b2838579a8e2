//! The long-running service: HTTP (health, metrics, webhooks), channel intake and delivery
//! workers, all sharing one store and one shutdown signal.
//!
//! [`Application::build`] does all the wiring: it checks the settings, opens and migrates the
//! database, binds the listeners (port 0 works), decides which channels are on, registers the
//! Telegram webhook (refusing to start without it) and builds the router, workers and
//! scheduler. [`Application::run_until_stopped`] starts them, runs until the shutdown token
//! fires, then lets in-flight work finish before closing the store. `peerline serve` and the
//! in-process tests run the same `Application`.

use std::{net::SocketAddr, pin::Pin, sync::Arc, time::Duration};

use anyhow::{Context, bail};
use axum::{Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use peerline_bot::{
    conversation::Engine,
    delivery::{Limits, Worker},
    sms::{self, SmsChannel, SmsContext},
    telegram::{self, BotApi, IntakeSlot, TelegramChannel, TelegramIntake},
};
use peerline_core::{
    Clock,
    config::{Settings, TelegramMode},
    i18n::Localizer,
    signal::OutboxSignal,
    store::{Store, StoreError, Writable},
};
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;

use crate::server;

/// Work that runs from start to shutdown, started by [`Application::run_until_stopped`]
/// with the shutdown token.
type Task = Box<dyn FnOnce(CancellationToken) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

fn task<F>(start: impl FnOnce(CancellationToken) -> F + Send + 'static) -> Task
where
    F: Future<Output = ()> + Send + 'static,
{
    Box::new(move |token| Box::pin(start(token)))
}

/// A built, not yet running, Peerline: every part wired, nothing started.
pub struct Application {
    /// This process's claim on the database; released when it ends.
    _instance: Option<crate::instance::InstanceLock>,
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    limits: server::Limits,
    /// The delivery workers, Telegram intake, scheduler and watchers.
    tasks: Vec<Task>,
    settings: Settings,
    store: Store,
    signal: OutboxSignal,
}

/// Open and migrate the configured database: one line naming the file and what to do when it
/// cannot be used.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    match Store::open_with(&settings.database.url, &settings.database.store_options()).await {
        Ok(store) => Ok(store),
        Err(e @ StoreError::Open { .. }) => Err(e.into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot open database {}", settings.database.url))),
    }
}

#[derive(Clone)]
struct HttpState {
    store: Store,
    /// `database.min_free_mib` in bytes (0: not checked).
    min_free_bytes: u64,
    clock: Arc<dyn Clock>,
    /// An escalation with no alert accepted this long after it opened degrades safeguarding health.
    undelivered_after: chrono::Duration,
}

impl Application {
    /// Everything `peerline serve` runs, wired from `settings` on `clock`. Tests build the
    /// same application (with a simulated clock and fakes' URLs in the settings) in-process.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        settings.validate()?;
        // The store first, so a database that cannot be used is reported as such; then the
        // claim on it, before anything starts working on it.
        let store = open_store(&settings).await?;
        let mut instance = Store::database_file(&settings.database.url)
            .map(|file| crate::instance::InstanceLock::acquire(&file))
            .transpose()?;
        let i18n = Arc::new(Localizer::new(settings.locales.dir.as_deref()).context("cannot load locales")?);
        let listener = TcpListener::bind(settings.http.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.http.listen))?;
        let addr = listener.local_addr()?;
        if let Some(lock) = &mut instance
            && let Err(e) = lock.record(addr)
        {
            tracing::warn!(error = %e, lock = %lock.path().display(), "could not write to the instance lock");
        }
        let limits = server::Limits::from_settings(&settings.http);
        let min_free_bytes = settings.database.min_free_mib.saturating_mul(1024 * 1024);
        let mut tasks: Vec<Task> = Vec::new();
        let signal = OutboxSignal::new();
        let engine = Engine::new(
            store.clone(),
            Arc::clone(&i18n),
            Arc::clone(&clock),
            signal.clone(),
            settings.invites.ttl_hours,
        )
        .with_strangers(peerline_bot::conversation::StrangerPolicy::from_settings(
            &settings.strangers,
        ))
        .with_triage(Arc::new(settings.risk.triage()))
        .with_forward_media(settings.privacy.forward_media);
        let policy = peerline_core::safeguarding::EscalationPolicy {
            reprompt_every: chrono::Duration::minutes(i64::from(settings.escalation.reprompt_minutes.max(1))),
            deputy_after: chrono::Duration::minutes(i64::from(settings.escalation.deputy_after_minutes)),
            undelivered_after: chrono::Duration::minutes(i64::from(
                settings.escalation.undelivered_after_minutes.max(1),
            )),
        };

        let mut router = Router::new()
            .route("/healthz", get(healthz))
            .route("/healthz/safeguarding", get(safeguarding_health))
            .route("/healthz/storage", get(storage_health));
        match settings.http.metrics_listen {
            None => router = router.route("/metrics", get(metrics)),
            Some(at) => {
                let listener = TcpListener::bind(at)
                    .await
                    .with_context(|| format!("cannot listen on {at} (http.metrics_listen)"))?;
                tracing::info!(metrics_listen = %listener.local_addr()?, "/metrics is served on its own listener");
                let metrics_router = Router::new().route("/metrics", get(metrics));
                tasks.push(task(move |stop| server::serve(listener, metrics_router, limits, stop)));
            }
        }
        let mut router = router.with_state(HttpState {
            store: store.clone(),
            min_free_bytes,
            clock: Arc::clone(&clock),
            undelivered_after: policy.undelivered_after,
        });

        match &settings.telegram.token {
            None => tracing::info!(
                "Telegram is off: set telegram.token in peerline.toml (or PEERLINE_TELEGRAM__TOKEN) to turn it on"
            ),
            Some(token) => {
                // Long polls hold a request open for poll_timeout_secs; give them room.
                let timeout = Duration::from_secs(u64::from(settings.telegram.poll_timeout_secs) + 15);
                let api = BotApi::new(&settings.telegram.api_url, token, timeout)?;
                let slot: IntakeSlot = Arc::default();
                let polling = settings.telegram.mode == TelegramMode::Polling;
                if !polling {
                    let (Some(url), Some(secret)) = (
                        settings.telegram.webhook_url.as_deref(),
                        settings.telegram.secret_token.clone(),
                    ) else {
                        bail!(
                            "telegram.webhook_url and telegram.secret_token must be set when telegram.mode = \"webhook\""
                        );
                    };
                    // Without the webhook Telegram sends nothing: refuse to start rather
                    // than run deaf.
                    telegram::register_webhook(&api, url, &secret)
                        .await
                        .with_context(|| format!("cannot register the Telegram webhook {url}"))?;
                    tracing::info!("Telegram webhook registered");
                    router = router.merge(telegram::webhook_router(
                        Arc::clone(&slot),
                        secret,
                        settings.http.max_body_bytes,
                    ));
                }
                let (intake_api, intake_engine, intake_clock, poll_timeout) = (
                    api.clone(),
                    engine.clone(),
                    Arc::clone(&clock),
                    settings.telegram.poll_timeout_secs,
                );
                tasks.push(task(move |stop| async move {
                    let Some(intake) = TelegramIntake::connect(intake_api, intake_engine, intake_clock, &stop).await
                    else {
                        return;
                    };
                    let _ = slot.set(intake.clone());
                    if polling {
                        intake.run_polling(poll_timeout, stop).await;
                    }
                }));
                let worker = Worker::new(
                    store.clone(),
                    TelegramChannel::new(api),
                    Arc::clone(&clock),
                    settings.delivery.clone(),
                    Limits {
                        per_second: settings.telegram.global_per_second,
                        per_recipient_interval: Duration::from_millis(settings.telegram.per_chat_interval_ms),
                        // About a second's worth: enough to keep the rate up, few enough that
                        // a newly queued urgent message is claimed within a second.
                        max_in_flight: settings.telegram.global_per_second.clamp(4, 64) as usize,
                    },
                    signal.clone(),
                );
                let wake = signal.clone();
                tasks.push(task(move |stop| worker.run(wake, stop)));
                tracing::info!(mode = ?settings.telegram.mode, "Telegram is on");
            }
        }
        let sms_ctx = SmsContext {
            engine: engine.clone(),
            store: store.clone(),
            clock: Arc::clone(&clock),
            max_body_bytes: settings.http.max_body_bytes,
        };
        match sms::build(&settings.sms, &sms_ctx)? {
            None => tracing::info!(
                "SMS is off: set sms.provider = \"twilio\" or \"kannel\" in peerline.toml (or PEERLINE_SMS__PROVIDER) with its [sms.<provider>] settings to turn it on"
            ),
            Some(provider) => {
                router = router.merge(provider.routes);
                let worker = Worker::new(
                    store.clone(),
                    SmsChannel::new(provider.sender, settings.sms.max_segments)
                        .with_folding(settings.sms.fold_diacritics),
                    Arc::clone(&clock),
                    settings.delivery.clone(),
                    Limits {
                        per_second: settings.sms.rate_per_second,
                        per_recipient_interval: Duration::ZERO,
                        max_in_flight: 16,
                    },
                    signal.clone(),
                );
                let wake = signal.clone();
                tasks.push(task(move |stop| worker.run(wake, stop)));
                tracing::info!(
                    provider = provider.name,
                    rate_per_second = settings.sms.rate_per_second,
                    "SMS is on"
                );
            }
        }

        let scheduler = peerline_scheduler::Scheduler::new(
            store.clone(),
            Arc::clone(&i18n),
            Arc::clone(&clock),
            signal.clone(),
            chrono::Duration::hours(i64::from(settings.scheduler.grace_hours)),
        )
        .with_escalation_policy(policy)
        .with_sms_max_segments(settings.sms.max_segments)
        .with_retention(
            chrono::Duration::days(i64::from(settings.privacy.message_retention_days.max(1))),
            chrono::Duration::days(i64::from(settings.privacy.escalation_retention_days.max(1))),
        );
        let tick = Duration::from_secs(settings.scheduler.tick_secs.max(1));
        tasks.push(task(move |stop| scheduler.run(tick, stop)));
        let (gauge_store, gauge_clock) = (store.clone(), Arc::clone(&clock));
        tasks.push(task(move |stop| queue_gauges(gauge_store, gauge_clock, stop)));
        let watched = store.clone();
        tasks.push(task(move |stop| watch_storage(watched, min_free_bytes, stop)));
        Ok(Self {
            _instance: instance,
            listener,
            addr,
            router,
            limits,
            tasks,
            settings,
            store,
            signal,
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Wakes the delivery workers (as queuing a message does); for tests that move a
    /// simulated clock past a message's time.
    pub fn outbox_signal(&self) -> OutboxSignal {
        self.signal.clone()
    }

    /// Run until `shutdown` is cancelled; then finish in-flight work and close the store.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let Application {
            _instance,
            listener,
            addr,
            router,
            limits,
            tasks,
            settings,
            store,
            signal: _,
        } = self;
        let _ = crate::telemetry::metrics_handle();
        for warning in settings.warnings() {
            tracing::warn!("{warning}");
        }
        let mut running = JoinSet::new();
        for start in tasks {
            running.spawn(start(shutdown.clone()));
        }
        tracing::info!(%addr, database = %settings.database.url, "Peerline is listening");
        server::serve(listener, router, limits, shutdown.clone()).await;
        // The server has stopped accepting; wait for workers to finish what they hold.
        shutdown.cancel();
        while let Some(r) = running.join_next().await {
            if let Err(e) = r {
                tracing::error!(error = %e, "a background task failed");
            }
        }
        store.close().await;
        tracing::info!("Peerline stopped cleanly");
        Ok(())
    }
}

/// 200 while the database answers reads and takes writes; 503 with the reason while it does
/// not (a full disk, a lock held elsewhere), so a load balancer or monitor sees what webhooks see.
async fn healthz(State(state): State<HttpState>) -> impl IntoResponse {
    if let Err(e) = state.store.ping().await {
        tracing::error!(error = %e, "health check: database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n".to_owned());
    }
    match state.store.writable().await {
        Writable::Yes => (StatusCode::OK, "ok\n".to_owned()),
        Writable::No { why, for_secs } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database not writable for {for_secs} s: {why}\n"),
        ),
    }
}

/// Like `/healthz`, and degraded (503) too while free space where the database lives is under
/// `database.min_free_mib`: the warning before writes fail. (`/healthz` stays 200 then, as
/// Peerline still serves.)
async fn storage_health(State(state): State<HttpState>) -> impl IntoResponse {
    if let Writable::No { why, for_secs } = state.store.writable().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database not writable for {for_secs} s: {why}\n"),
        );
    }
    match state.store.free_bytes() {
        Some(free) if free < state.min_free_bytes => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "degraded: {} MiB free where the database lives, under database.min_free_mib = {}\n",
                free / (1024 * 1024),
                state.min_free_bytes / (1024 * 1024)
            ),
        ),
        _ => (StatusCode::OK, "ok\n".to_owned()),
    }
}

/// Degraded (503) while an open escalation has had no alert accepted by a provider for any
/// coordinator or deputy for longer than `escalation.undelivered_after_minutes`.
async fn safeguarding_health(State(state): State<HttpState>) -> impl IntoResponse {
    let before = peerline_core::clock::to_millis(state.clock.now() - state.undelivered_after);
    match state.store.unreached_escalation_count(before).await {
        Ok(0) => (StatusCode::OK, "ok\n".to_owned()),
        Ok(n) => {
            metrics::gauge!("peerline_safeguarding_unreached").set(n as f64);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("degraded: {n} open safeguarding escalation(s) with no alert delivered to any coordinator\n"),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "safeguarding health: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n".to_owned())
        }
    }
}

async fn metrics() -> impl IntoResponse {
    match crate::telemetry::metrics_handle() {
        Some(h) => (
            StatusCode::OK,
            [("content-type", "text/plain; version=0.0.4")],
            h.render(),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "text/plain")],
            String::from("metrics unavailable\n"),
        ),
    }
}

/// Queue depth and oldest queued age per priority, every few seconds.
async fn queue_gauges(store: Store, clock: Arc<dyn Clock>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let Ok(stats) = store.queue_stats().await else { continue };
        let now = peerline_core::clock::to_millis(clock.now());
        for p in peerline_core::store::Priority::ALL {
            let stat = stats.iter().find(|s| s.priority == p);
            let queued = stat.map_or(0, |s| s.queued);
            let age = stat.and_then(|s| s.oldest_created_at).map_or(0, |t| (now - t).max(0));
            metrics::gauge!("peerline_outbox_queued", "priority" => p.as_str()).set(queued as f64);
            metrics::gauge!("peerline_outbox_oldest_age_seconds", "priority" => p.as_str()).set(age as f64 / 1000.0);
        }
    }
}

/// While the database takes no writes, probe it every second so health and the log say so
/// as soon as it recovers; and every 15 s, free space where it lives as a metric, with one
/// warning when it falls under `min_free` and one line when it is back above.
async fn watch_storage(store: Store, min_free: u64, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut low = false;
    let mut n: u64 = 0;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        if matches!(store.last_write(), Writable::No { .. }) {
            store.writable().await;
        }
        n += 1;
        if n % 15 != 1 {
            continue;
        }
        let Some(free) = store.free_bytes() else { continue };
        metrics::gauge!("peerline_database_free_bytes").set(free as f64);
        let now_low = min_free > 0 && free < min_free;
        if now_low && !low {
            tracing::warn!(
                free_mib = free / (1024 * 1024),
                min_free_mib = min_free / (1024 * 1024),
                "low disk where the database lives: free space before writes start to fail"
            );
        } else if low && !now_low {
            tracing::info!(
                free_mib = free / (1024 * 1024),
                "disk space where the database lives is back above the minimum"
            );
        }
        low = now_low;
    }
}

/// Cancel `token` on SIGINT or SIGTERM.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutdown requested; finishing in-flight work");
        token.cancel();
    });
}
