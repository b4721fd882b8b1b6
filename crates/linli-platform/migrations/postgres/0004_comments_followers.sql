-- Comments on reports, residents following their neighbours' reports, and the duplicate
-- check's lookup (issue 4; mirrors migrations/sqlite/0004_comments_followers.sql).

-- A comment's id comes from the writer's device, so a retry finds the first copy. `seq`
-- orders comments made in the same instant (SQLite's rowid).
CREATE TABLE report_comments (
    id           UUID PRIMARY KEY,
    report_id    UUID NOT NULL REFERENCES reports(id),
    author_id    BIGINT NOT NULL REFERENCES users(id),
    -- How the author took part when writing. Kept, not recomputed: a follower who stops
    -- following still wrote as a follower.
    author_role  TEXT NOT NULL CHECK (author_role IN ('reporter', 'follower', 'staff')),
    -- The party a staff author spoke for.
    author_party TEXT,
    body         TEXT NOT NULL,
    photo_ids    JSONB NOT NULL, -- array, in the writer's order
    created_at   BIGINT NOT NULL,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX report_comments_by_report ON report_comments(report_id, created_at);

-- Residents who follow a report they did not file; they count as affected.
CREATE TABLE report_followers (
    report_id   UUID NOT NULL REFERENCES reports(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    since       BIGINT NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_followers_by_user ON report_followers(user_id);

-- A photo on a comment also names the comment's report, so the report-photo rule (one
-- photo, one place) and the report's readers cover it unchanged.
ALTER TABLE photos ADD COLUMN comment_id UUID REFERENCES report_comments(id);

-- What an event is about: 'report' (filed, moved, followers changed) or 'comment'.
ALTER TABLE report_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'report';
ALTER TABLE report_events ADD COLUMN comment_id UUID;

-- The duplicate check: open reports of one estate and category, newest first.
CREATE INDEX reports_by_estate_category ON reports(estate_id, category, created_at);
