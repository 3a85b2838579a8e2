-- Supervision booked from Telegram: who booked it, and until when the next thing they type is
-- taken as its place (a room or a video link).
ALTER TABLE supervision_sessions ADD COLUMN booked_by INTEGER REFERENCES people(id) ON DELETE SET NULL;
ALTER TABLE supervision_sessions ADD COLUMN place_asked_until INTEGER;
