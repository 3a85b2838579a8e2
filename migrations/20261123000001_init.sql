-- Peerline's schema. Every instant is an INTEGER of Unix milliseconds (UTC); dates without a
-- time (placement start) are TEXT 'YYYY-MM-DD'. Message bodies are special-category data: they
-- live only in inbox.body and outbox.body, which the retention job purges.

CREATE TABLE services (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    timezone            TEXT    NOT NULL,
    -- Local wall-clock times 'HH:MM' and days ('Mon-Fri').
    working_days        TEXT    NOT NULL DEFAULT 'Mon-Fri',
    working_start       TEXT    NOT NULL DEFAULT '09:00',
    working_end         TEXT    NOT NULL DEFAULT '17:00',
    quiet_start         TEXT    NOT NULL DEFAULT '21:00',
    quiet_end           TEXT    NOT NULL DEFAULT '08:00',
    created_at          INTEGER NOT NULL
);

CREATE TABLE people (
    id                  INTEGER PRIMARY KEY,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    role                TEXT    NOT NULL CHECK (role IN ('coordinator', 'deputy', 'mentor', 'mentee')),
    display_name        TEXT    NOT NULL,
    language            TEXT    NOT NULL DEFAULT 'en-GB' CHECK (language IN ('en-GB', 'cy', 'pl')),
    -- invited: has a code, not yet linked; active; paused (e.g. mentor on leave); left.
    status              TEXT    NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'paused', 'left')),
    placement_start     TEXT,
    telegram_username   TEXT,
    created_at          INTEGER NOT NULL
);
CREATE INDEX people_service ON people(service_id, role);

-- One way to reach a person. An address belongs to at most one person.
CREATE TABLE identities (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    channel             TEXT    NOT NULL CHECK (channel IN ('telegram', 'sms')),
    address             TEXT    NOT NULL,
    verified_at         INTEGER,
    consent_at          INTEGER,
    consent_source      TEXT,
    opted_out_at        INTEGER,
    -- Set when the provider says the address can never be reached (blocked bot, dead number).
    unreachable_at      INTEGER,
    unreachable_reason  TEXT,
    created_at          INTEGER NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX identities_person ON identities(person_id);

CREATE TABLE invites (
    id                  INTEGER PRIMARY KEY,
    -- SHA-256 of the code: a copy of the database does not hand out live codes.
    code_hash           TEXT    NOT NULL UNIQUE,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role                TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    used_at             INTEGER,
    used_by_identity    INTEGER REFERENCES identities(id) ON DELETE SET NULL
);

-- One row per inbound message or update; provider_key makes redelivery a no-op.
CREATE TABLE inbox (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT    NOT NULL,
    -- e.g. 'tg:<bot id>:<update_id>', 'twilio:<MessageSid>', 'kannel:<id>'.
    provider_key        TEXT    NOT NULL UNIQUE,
    address             TEXT    NOT NULL,
    identity_id         INTEGER REFERENCES identities(id) ON DELETE SET NULL,
    person_id           INTEGER REFERENCES people(id) ON DELETE SET NULL,
    body                TEXT,
    button_data         TEXT,
    received_at         INTEGER NOT NULL,
    handled_at          INTEGER,
    body_purged_at      INTEGER
);

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER REFERENCES people(id) ON DELETE SET NULL,
    identity_id         INTEGER REFERENCES identities(id) ON DELETE SET NULL,
    channel             TEXT    NOT NULL,
    address             TEXT    NOT NULL,
    -- 0 safeguarding, 1 callback, 2 reply, 3 reminder, 4 check-in: lower goes first.
    priority            INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 4),
    kind                TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    -- JSON: rows of [label, data] buttons (Telegram only).
    buttons             TEXT,
    -- The one message allowed to an opted-out identity: the opt-out confirmation.
    ignore_opt_out      INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'dead', 'skipped')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    lease_until         INTEGER,
    last_error          TEXT,
    provider_id         TEXT,
    segments            INTEGER,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    delivered_at        INTEGER,
    body_purged_at      INTEGER
);
CREATE INDEX outbox_due ON outbox(status, priority, not_before, id);
CREATE INDEX outbox_provider ON outbox(provider_id);
CREATE INDEX outbox_address ON outbox(address, status);

-- Who did what to whom: coordinator actions, enrolments, opt-outs, disclosures.
CREATE TABLE audit_log (
    id                  INTEGER PRIMARY KEY,
    at                  INTEGER NOT NULL,
    service_id          INTEGER REFERENCES services(id),
    -- A person, or NULL with actor_label 'cli' / 'system'.
    actor_person_id     INTEGER REFERENCES people(id) ON DELETE SET NULL,
    actor_label         TEXT    NOT NULL,
    action              TEXT    NOT NULL,
    subject_person_id   INTEGER REFERENCES people(id) ON DELETE SET NULL,
    detail              TEXT
);
CREATE INDEX audit_service ON audit_log(service_id, at);

-- Each scheduled occurrence is claimed once, in the transaction that enqueues its messages.
CREATE TABLE job_runs (
    id                  INTEGER PRIMARY KEY,
    job                 TEXT    NOT NULL,
    -- The occurrence's scheduled instant.
    occurrence          INTEGER NOT NULL,
    service_id          INTEGER REFERENCES services(id),
    claimed_at          INTEGER NOT NULL,
    -- ran, or skipped (too late to catch up).
    outcome             TEXT    NOT NULL DEFAULT 'ran',
    messages            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job, occurrence)
);

-- Small process state that must survive restarts (e.g. the Telegram polling offset).
CREATE TABLE kv (
    key                 TEXT    PRIMARY KEY,
    value               TEXT    NOT NULL
);
