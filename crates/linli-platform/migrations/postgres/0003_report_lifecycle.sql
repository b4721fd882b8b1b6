-- The report lifecycle of issue 4 (mirrors migrations/sqlite/0003_report_lifecycle.sql):
-- resolution confirmed by the resident, reopening, rating, hand-offs between parties, a clock
-- per party against configurable targets, private and public reports, emergency categories
-- and the estate's duty phone. Append-only.

-- Who may see a report besides its reporter and the parties: 'private' or 'public'.
ALTER TABLE reports ADD COLUMN visibility TEXT NOT NULL DEFAULT 'private'
    CHECK (visibility IN ('private', 'public'));
-- Since when the handling party has it: filing, the last hand-off, or the last reopening.
ALTER TABLE reports ADD COLUMN held_since BIGINT NOT NULL DEFAULT 0;
UPDATE reports SET held_since = created_at;
-- When it was last resolved and when it closed (NULL while not).
ALTER TABLE reports ADD COLUMN resolved_at BIGINT;
ALTER TABLE reports ADD COLUMN closed_at BIGINT;
UPDATE reports SET resolved_at = updated_at WHERE status = 'resolved';
ALTER TABLE reports ADD COLUMN reopen_count BIGINT NOT NULL DEFAULT 0;
-- The reporter's rating, linli_api::Rating; given once.
ALTER TABLE reports ADD COLUMN rating JSONB;
-- The seven-day rule looks for resolved reports by when they were resolved.
CREATE INDEX reports_awaiting_confirmation ON reports(status, resolved_at);

-- What each timeline entry records (linli_api::TimelineKind). Entries before this migration
-- were filings (the first) and status changes.
ALTER TABLE report_timeline ADD COLUMN kind TEXT NOT NULL DEFAULT 'status_changed';
UPDATE report_timeline SET kind = 'filed' WHERE position = 0;
-- Hand-offs: from which party to which. A filing names the party it went to in to_party.
ALTER TABLE report_timeline ADD COLUMN from_party TEXT;
ALTER TABLE report_timeline ADD COLUMN to_party TEXT;
UPDATE report_timeline t SET to_party = (SELECT handling_party FROM reports r WHERE r.id = t.report_id)
    WHERE position = 0;
-- Photos of a resolution.
ALTER TABLE report_timeline ADD COLUMN photo_ids JSONB NOT NULL DEFAULT '[]';
-- A rating entry's rating, linli_api::Rating.
ALTER TABLE report_timeline ADD COLUMN rating JSONB;

-- Gas smell, fire, someone trapped in a lift: the app shows the emergency numbers first.
ALTER TABLE categories ADD COLUMN emergency BOOLEAN NOT NULL DEFAULT FALSE;

-- The property company's 24-hour duty phone.
ALTER TABLE estates ADD COLUMN duty_phone TEXT;

-- How long a party has to respond to and to resolve a report, per category and urgency.
-- A row without a category applies to every category that has no row of its own.
CREATE TABLE service_targets (
    category        TEXT REFERENCES categories(code),
    urgency         TEXT NOT NULL CHECK (urgency IN ('routine', 'soon', 'urgent')),
    respond_minutes BIGINT NOT NULL CHECK (respond_minutes > 0),
    resolve_minutes BIGINT NOT NULL CHECK (resolve_minutes >= respond_minutes)
);
CREATE UNIQUE INDEX service_targets_key ON service_targets((COALESCE(category, '')), urgency);
INSERT INTO service_targets (category, urgency, respond_minutes, resolve_minutes) VALUES
    (NULL, 'urgent', 60, 240),
    (NULL, 'soon', 240, 1440),
    (NULL, 'routine', 1440, 4320);
