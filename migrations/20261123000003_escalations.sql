-- Safeguarding escalations: risk language, a mentor's concern, or a wellbeing flag. An
-- escalation stays open, and its alert keeps coming back, until a coordinator acknowledges it.

CREATE TABLE escalations (
    id                  INTEGER PRIMARY KEY,
    -- Short reference coordinators type: "E4K7".
    ref                 TEXT    NOT NULL UNIQUE,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    -- Whom it is about (the sender of risk language, the flagged person) and who raised it.
    subject_person_id   INTEGER REFERENCES people(id) ON DELETE SET NULL,
    raised_by           INTEGER REFERENCES people(id) ON DELETE SET NULL,
    source              TEXT    NOT NULL CHECK (source IN ('risk-language', 'concern', 'wellbeing-flag')),
    channel             TEXT,
    -- Verbatim text as received (kept longer than ordinary message bodies).
    verbatim            TEXT,
    categories          TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    created_at          INTEGER NOT NULL,
    last_alert_at       INTEGER NOT NULL,
    alerts_sent         INTEGER NOT NULL DEFAULT 0,
    deputy_alerted_at   INTEGER,
    acknowledged_at     INTEGER,
    acknowledged_by     INTEGER REFERENCES people(id) ON DELETE SET NULL,
    resolved_at         INTEGER,
    resolved_by         INTEGER REFERENCES people(id) ON DELETE SET NULL,
    outcome             TEXT
);
CREATE INDEX escalations_open ON escalations(status, last_alert_at);

CREATE TABLE escalation_events (
    id                  INTEGER PRIMARY KEY,
    escalation_id       INTEGER NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
    at                  INTEGER NOT NULL,
    -- opened, alerted, reprompted, deputy-alerted, acknowledged, resolved, note
    kind                TEXT    NOT NULL,
    person_id           INTEGER REFERENCES people(id) ON DELETE SET NULL,
    detail              TEXT
);
CREATE INDEX escalation_events_by ON escalation_events(escalation_id, at);
