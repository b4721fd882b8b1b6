-- Linli device store, first version. Migrations are only ever appended; never edit a released one.
-- The session token is NOT stored here: it lives in the OS keychain or in memory.

-- Small key/value facts: settings, the change feed position, the session-expired flag.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- The signed-in person as the platform last described them (JSON of linli_api Profile).
CREATE TABLE profile (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    platform_url TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    body         TEXT NOT NULL
) STRICT;

-- Categories and places the resident can report about (JSON of linli_api Catalogue).
CREATE TABLE catalogue (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    platform_url TEXT NOT NULL,
    body         TEXT NOT NULL,
    fetched_at   TEXT NOT NULL
) STRICT;

-- Reports: what the resident wrote, and what the platform last said about it.
CREATE TABLE reports (
    id             TEXT PRIMARY KEY NOT NULL,   -- ReportId, UUIDv7 made on the device
    owner_user_id  INTEGER,                     -- who wrote it, once known; only they send it
    category       TEXT,
    description    TEXT NOT NULL DEFAULT '',
    place          TEXT,                        -- JSON of linli_api Place
    urgency        TEXT NOT NULL DEFAULT 'routine',
    number         INTEGER,                     -- platform fields, once delivered
    status         TEXT,
    handling_party TEXT,
    place_label    TEXT,
    timeline       TEXT NOT NULL DEFAULT '[]',  -- JSON array of linli_api TimelineEntry
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- Photos of a report; the JPEG itself is a file <data_dir>/photos/<id>.jpg.
CREATE TABLE photos (
    id         TEXT PRIMARY KEY NOT NULL,       -- PhotoId
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,      -- the platform has the bytes (PUT succeeded)
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX photos_by_report ON photos (report_id, position);

-- What waits to go to the platform. A report without a row here is a draft.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- sending order
    kind            TEXT NOT NULL,                      -- 'report'
    record_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'rejected')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,                               -- JSON of linli_api ApiError
    sent_bytes      INTEGER NOT NULL DEFAULT 0,
    total_bytes     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (kind, record_id)
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, seq);
