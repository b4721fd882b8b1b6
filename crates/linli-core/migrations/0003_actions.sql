-- Issue 4: what residents do to delivered reports (confirm, reopen, rate, follow, comment),
-- followed neighbours' reports, comments, the platform's last word on each report, fetched
-- photos and the accountability board. Append-only, like every migration here.

-- How the person stands to a report: 'mine' (they wrote it) or 'following' (a neighbour's,
-- owned on this device by the follower so it is listed and sent for them only).
ALTER TABLE reports ADD COLUMN relation TEXT NOT NULL DEFAULT 'mine'
    CHECK (relation IN ('mine', 'following'));
-- Private or public, as the resident chose in the draft.
ALTER TABLE reports ADD COLUMN visibility TEXT NOT NULL DEFAULT 'private';
-- JSON of linli_api Report as the platform last answered (clock, rating, affected...).
ALTER TABLE reports ADD COLUMN platform TEXT;
-- JSON array of linli_api PartyTime.
ALTER TABLE reports ADD COLUMN time_held TEXT NOT NULL DEFAULT '[]';

-- An action on a report; its outbox row (kind 'action', record_id = id) says where it is.
-- Delivered actions are deleted: their effect is in the report.
CREATE TABLE actions (
    id         TEXT PRIMARY KEY NOT NULL,   -- ActionId, UUIDv7 made on the device
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,               -- JSON of linli_api ActionKind
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX actions_by_report ON actions (report_id);

-- Photos of a comment written here are rows of `photos` too (their file, their upload flag),
-- marked with the comment; report photos have none.
ALTER TABLE photos ADD COLUMN comment_id TEXT;

-- Comments as the platform last listed them (JSON of linli_api Comment).
CREATE TABLE comments (
    id         TEXT PRIMARY KEY NOT NULL,   -- CommentId
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comments_by_report ON comments (report_id, created_at);

-- Photos fetched from the platform (staff's, neighbours'), for the person who fetched them;
-- the bytes are <data_dir>/photos/<id>.fetched.
CREATE TABLE fetched_photos (
    id           TEXT NOT NULL,
    platform_url TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (id, platform_url, user_id)
) STRICT;

-- The last board fetched per estate and period ('' for an open end).
CREATE TABLE boards (
    platform_url TEXT NOT NULL,
    estate_id    INTEGER NOT NULL,
    period_from  TEXT NOT NULL,
    period_to    TEXT NOT NULL,
    body         TEXT NOT NULL,             -- JSON of linli_api Board
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (platform_url, estate_id, period_from, period_to)
) STRICT;
