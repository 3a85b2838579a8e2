-- Alerts must reach a coordinator, and strangers cannot run up costs or flood the queue.

-- Lanes inside a priority, lower first: 0 staff alerts (and everything that is not
-- safeguarding), 1 crisis replies to enrolled people, 2 crisis replies to strangers. A flood of
-- strangers' crisis replies never delays an alert to a coordinator.
ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 0 CHECK (lane BETWEEN 0 AND 2);
-- The escalation an alert belongs to, so a watchdog can tell whether any alert reached a
-- provider.
ALTER TABLE outbox ADD COLUMN escalation_id INTEGER REFERENCES escalations(id) ON DELETE SET NULL;
-- A shorter form to try when a provider refuses the message for its content (too long).
-- Never holds a person's words.
ALTER TABLE outbox ADD COLUMN short_body TEXT;
-- Set when a failed safeguarding message was dealt with: sent another way, or reported to
-- the service's other staff.
ALTER TABLE outbox ADD COLUMN followed_up_at INTEGER;

DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(status, priority, lane, not_before, id);
CREATE INDEX outbox_escalation ON outbox(escalation_id) WHERE escalation_id IS NOT NULL;
CREATE INDEX outbox_unreported ON outbox(status, priority) WHERE followed_up_at IS NULL AND priority = 0;

-- When staff were told that no alert of this escalation had reached a provider.
ALTER TABLE escalations ADD COLUMN undelivered_at INTEGER;

-- Addresses that wrote to Peerline without being enrolled: what they were last sent, whether
-- they asked to hear nothing more (STOP), and wrong invite codes. Rows that are not
-- suppressed are removed by the retention job once idle for a week.
CREATE TABLE strangers (
    channel             TEXT    NOT NULL,
    address             TEXT    NOT NULL,
    last_seen_at        INTEGER NOT NULL,
    welcomed_at         INTEGER,
    crisis_replied_at   INTEGER,
    suppressed_at       INTEGER,
    -- Wrong invite codes since failed_since; at the limit the address is locked until locked_until.
    failed_codes        INTEGER NOT NULL DEFAULT 0,
    failed_since        INTEGER,
    locked_until        INTEGER,
    PRIMARY KEY (channel, address)
) WITHOUT ROWID;

-- Replies sent to unknown addresses per channel per UTC day, against strangers.daily_reply_budget.
CREATE TABLE stranger_budget (
    channel             TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    replies             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel, day)
) WITHOUT ROWID;
