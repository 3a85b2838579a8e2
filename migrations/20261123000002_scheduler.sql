-- Scheduling: per-service schedule settings, supervision sessions, wellbeing check-ins, flags.

ALTER TABLE services ADD COLUMN checkin_schedule TEXT NOT NULL DEFAULT '0 0 10 * * Mon';
-- Mentors always get check-ins; mentees only when the service opts in.
ALTER TABLE services ADD COLUMN checkin_mentees INTEGER NOT NULL DEFAULT 0;
-- How long a check-in stays open for answers.
ALTER TABLE services ADD COLUMN checkin_window_hours INTEGER NOT NULL DEFAULT 48;
-- Local time policy 1:1 sessions are planned at, and the group session schedule.
ALTER TABLE services ADD COLUMN supervision_time TEXT NOT NULL DEFAULT '14:00';
ALTER TABLE services ADD COLUMN group_schedule TEXT NOT NULL DEFAULT '0 0 18 1-7 * Thu';
ALTER TABLE services ADD COLUMN digest_schedule TEXT NOT NULL DEFAULT '0 0 9 * * Mon';

CREATE TABLE supervision_sessions (
    id                  INTEGER PRIMARY KEY,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    kind                TEXT    NOT NULL CHECK (kind IN ('one-to-one', 'group')),
    starts_at           INTEGER NOT NULL,
    place               TEXT,
    -- booked; or the coordinator's record afterwards.
    status              TEXT    NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'held', 'cancelled')),
    -- 'policy' (planned by Peerline from the cadence), 'cli', 'telegram', 'schedule' (group cron).
    source              TEXT    NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX supervision_upcoming ON supervision_sessions(status, starts_at);
CREATE UNIQUE INDEX supervision_group_once ON supervision_sessions(service_id, kind, starts_at) WHERE kind = 'group';

CREATE TABLE supervision_attendees (
    session_id          INTEGER NOT NULL REFERENCES supervision_sessions(id) ON DELETE CASCADE,
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    -- The mentor's answer to a reminder.
    response            TEXT    CHECK (response IN ('confirmed', 'declined')),
    responded_at        INTEGER,
    -- The coordinator's record.
    outcome             TEXT    CHECK (outcome IN ('attended', 'missed', 'cancelled')),
    recorded_at         INTEGER,
    recorded_by         INTEGER REFERENCES people(id) ON DELETE SET NULL,
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX supervision_attendee_person ON supervision_attendees(person_id);

CREATE TABLE checkins (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    -- The schedule occurrence that opened it.
    occurrence          INTEGER NOT NULL,
    opened_at           INTEGER NOT NULL,
    closes_at           INTEGER NOT NULL,
    -- Next question to ask, 0-3; 4 when all are answered or skipped.
    question            INTEGER NOT NULL DEFAULT 0,
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'missed')),
    -- ONS4 answers, 0-10; NULL when skipped or not given.
    life_satisfaction   INTEGER CHECK (life_satisfaction BETWEEN 0 AND 10),
    worthwhile          INTEGER CHECK (worthwhile BETWEEN 0 AND 10),
    happy               INTEGER CHECK (happy BETWEEN 0 AND 10),
    anxiety             INTEGER CHECK (anxiety BETWEEN 0 AND 10),
    answered            INTEGER NOT NULL DEFAULT 0,
    -- One clarifying message per check-in for replies that are not a number.
    clarified           INTEGER NOT NULL DEFAULT 0,
    -- Answers given after the window closed.
    late                INTEGER NOT NULL DEFAULT 0,
    completed_at        INTEGER,
    UNIQUE (person_id, occurrence)
);
CREATE INDEX checkins_open ON checkins(status, closes_at);
CREATE INDEX checkins_person ON checkins(person_id, occurrence);

CREATE TABLE wellbeing_flags (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    service_id          INTEGER NOT NULL REFERENCES services(id),
    checkin_id          INTEGER REFERENCES checkins(id) ON DELETE SET NULL,
    -- low-scores, high-anxiety, drop-from-median, missed-twice, supervision-missed-twice
    rule                TEXT    NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX wellbeing_flags_person ON wellbeing_flags(person_id, created_at);
