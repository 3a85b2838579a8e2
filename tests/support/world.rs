//! An in-process Peerline on a simulated clock: store, engine and scheduler, no network.
//! For tests of time-driven behaviour (weeks of schedule in seconds).

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use peerline_bot::{
    Inbound, InboundPayload,
    conversation::{Engine, Handled},
};
use peerline_core::{
    Clock, ManualClock,
    clock::to_millis,
    domain::{ChannelKind, Language, PersonId, Role},
    i18n::Localizer,
    signal::OutboxSignal,
    store::{NewPerson, OutboxRow, PersonStatus, RedeemOutcome, Service, Store},
};
use peerline_scheduler::Scheduler;

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("rfc3339").with_timezone(&Utc)
}

pub struct World {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub clock: ManualClock,
    pub i18n: Arc<Localizer>,
    pub engine: Engine,
    pub service: Service,
    next_update: std::cell::Cell<u64>,
}

impl World {
    pub async fn new(start: &str) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        let clock = ManualClock::new(utc(start));
        let i18n = Arc::new(Localizer::embedded().unwrap());
        let engine = Engine::new(
            store.clone(),
            Arc::clone(&i18n),
            Arc::new(clock.clone()),
            OutboxSignal::new(),
            72,
        );
        let service = store
            .add_service("Camden", chrono_tz::Europe::London, to_millis(clock.now()))
            .await
            .unwrap();
        World {
            _dir: dir,
            store,
            clock,
            i18n,
            engine,
            service,
            next_update: std::cell::Cell::new(1),
        }
    }

    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(
            self.store.clone(),
            Arc::clone(&self.i18n),
            Arc::new(self.clock.clone()),
            OutboxSignal::new(),
            Duration::hours(6),
        )
    }

    pub async fn enrol(
        &self,
        name: &str,
        role: Role,
        start: Option<&str>,
        channel: ChannelKind,
        address: &str,
    ) -> PersonId {
        let service = self.service.clone();
        self.enrol_at(&service, name, role, start, channel, address).await
    }

    /// Enrol someone in a given service.
    pub async fn enrol_at(
        &self,
        service: &Service,
        name: &str,
        role: Role,
        start: Option<&str>,
        channel: ChannelKind,
        address: &str,
    ) -> PersonId {
        let now = to_millis(self.clock.now());
        let person = NewPerson {
            service_id: service.id,
            role,
            display_name: name.into(),
            language: Language::EnGb,
            status: PersonStatus::Invited,
            placement_start: start.map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()),
            telegram_username: None,
        };
        let invite = self.store.create_invite(person, 3_600_000, now).await.unwrap();
        let mut tx = self.store.begin().await.unwrap();
        let outcome = tx.redeem_invite(&invite.code, channel, address, now).await.unwrap();
        tx.commit().await.unwrap();
        let RedeemOutcome::Redeemed { person, .. } = outcome else {
            panic!("enrol {name}: {outcome:?}")
        };
        person.id
    }

    /// Tick every `step` from now until `end`.
    pub async fn run_until(&self, scheduler: &Scheduler, end: DateTime<Utc>, step: Duration) {
        while self.clock.now() < end {
            self.clock.advance(step);
            scheduler.tick().await.unwrap();
        }
    }

    pub async fn rows(&self, kind_prefix: &str) -> Vec<OutboxRow> {
        self.store
            .outbox_rows(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.kind.starts_with(kind_prefix))
            .collect()
    }

    pub async fn say(&self, channel: ChannelKind, address: &str, payload: InboundPayload) -> Handled {
        let n = self.next_update.get();
        self.next_update.set(n + 1);
        let inbound = Inbound {
            channel,
            provider_key: format!("test:{n}"),
            address: address.into(),
            payload,
            received_at: self.clock.now(),
            language_hint: None,
            reply_to: None,
        };
        self.engine.handle(&inbound).await.unwrap()
    }

    /// Every message queued to `address`, oldest first.
    pub async fn bodies_to(&self, address: &str) -> Vec<String> {
        self.store
            .outbox_rows(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.address == address)
            .map(|r| r.body)
            .collect()
    }

    pub async fn last_to(&self, address: &str) -> OutboxRow {
        self.store
            .outbox_rows(None)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|r| r.address == address)
            .expect("a message")
    }
}

impl World {
    /// The service's audit log, newest first.
    pub async fn audit(&self) -> Vec<peerline_core::store::AuditRow> {
        let query = peerline_core::store::AuditQuery {
            service: Some(self.service.id),
            limit: 10_000,
            ..Default::default()
        };
        self.store.audit_rows(&query).await.unwrap()
    }

    /// The database URL, for running the CLI against this world.
    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self._dir.path().join("t.db").display())
    }
}
