-- Every message a person sends reaches a human: free text and media no command handles are
-- kept as unanswered threads in the service's inbox until a coordinator replies or closes them.
ALTER TABLE inbox ADD COLUMN service_id INTEGER REFERENCES services(id) ON DELETE CASCADE;
-- NULL: handled by Peerline itself. 'unanswered', 'answered' (a coordinator replied) or 'done'
-- (closed without a reply).
ALTER TABLE inbox ADD COLUMN thread TEXT;
-- 'M' and four characters, for /reply and /done.
ALTER TABLE inbox ADD COLUMN reference TEXT;
-- 'voice', 'photo', 'video', 'document', 'sticker', 'audio', 'animation'; NULL for text.
ALTER TABLE inbox ADD COLUMN media_kind TEXT;
ALTER TABLE inbox ADD COLUMN media_seconds INTEGER;
-- The Telegram message id of a media message, so it can be copied to a coordinator (never
-- downloaded) when privacy.forward_media allows.
ALTER TABLE inbox ADD COLUMN media_message_id INTEGER;
-- When coordinators were told about it (batched).
ALTER TABLE inbox ADD COLUMN notified_at INTEGER;
ALTER TABLE inbox ADD COLUMN closed_at INTEGER;
ALTER TABLE inbox ADD COLUMN closed_by INTEGER REFERENCES people(id) ON DELETE SET NULL;

CREATE UNIQUE INDEX inbox_reference ON inbox (reference) WHERE reference IS NOT NULL;
CREATE INDEX inbox_unanswered ON inbox (service_id, received_at) WHERE thread = 'unanswered';
-- One acknowledgement per burst: "was an inbox-ack queued to this person lately?" on every
-- free-text message, without scanning the outbox.
CREATE INDEX outbox_person_kind ON outbox (person_id, kind, created_at);
