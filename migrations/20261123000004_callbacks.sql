-- Peer callbacks: a mentee asks for a call; available mentors are offered it; the first to
-- accept gets it. The mentee's number is shown to the mentor only if the service allows it.

ALTER TABLE services ADD COLUMN callback_expected_minutes INTEGER NOT NULL DEFAULT 60;
ALTER TABLE services ADD COLUMN callback_accept_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE services ADD COLUMN callback_show_number INTEGER NOT NULL DEFAULT 0;

-- When a mentor takes callbacks: weekday 1 (Mon) - 7 (Sun), local 'HH:MM' times.
CREATE TABLE availability (
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    weekday             INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_time          TEXT    NOT NULL,
    end_time            TEXT    NOT NULL,
    PRIMARY KEY (person_id, weekday, start_time)
);

CREATE TABLE callbacks (
    id                  INTEGER PRIMARY KEY,
    ref                 TEXT    NOT NULL UNIQUE,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    mentee_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    status              TEXT    NOT NULL DEFAULT 'offered'
                        CHECK (status IN ('waiting', 'offered', 'accepted', 'cancelled')),
    requested_at        INTEGER NOT NULL,
    accepted_by         INTEGER REFERENCES people(id) ON DELETE SET NULL,
    accepted_at         INTEGER,
    coordinator_alerted_at INTEGER,
    -- The mentee's own words on when it is safe to call and whether a voicemail is OK.
    safe_to_call        TEXT,
    -- called, no-answer, follow-up (recorded by the mentor).
    outcome             TEXT,
    outcome_at          INTEGER
);
CREATE INDEX callbacks_open ON callbacks(status, requested_at);

CREATE TABLE callback_offers (
    callback_id         INTEGER NOT NULL REFERENCES callbacks(id) ON DELETE CASCADE,
    mentor_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    offered_at          INTEGER NOT NULL,
    PRIMARY KEY (callback_id, mentor_id)
);
