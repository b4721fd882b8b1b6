-- Linli platform, first schema. Migrations are append-only: never edit a released file, add
-- the next one. Timestamps are UTC nanoseconds since the Unix epoch (INTEGER), so ranges and
-- expiry compare as numbers.

CREATE TABLE estates (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL
) STRICT;

CREATE TABLE buildings (
    id          INTEGER PRIMARY KEY,
    estate_id   INTEGER NOT NULL REFERENCES estates(id),
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL
) STRICT;
CREATE INDEX buildings_by_estate ON buildings(estate_id, position);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    entrance    INTEGER NOT NULL,
    number      TEXT NOT NULL,
    label       TEXT NOT NULL,
    area_m2     REAL NOT NULL CHECK (area_m2 > 0),
    UNIQUE (building_id, entrance, number)
) STRICT;

CREATE TABLE common_areas (
    id          INTEGER PRIMARY KEY,
    estate_id   INTEGER NOT NULL REFERENCES estates(id),
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL
) STRICT;
CREATE INDEX common_areas_by_estate ON common_areas(estate_id, position);

CREATE TABLE clinics (
    id          INTEGER PRIMARY KEY,
    estate_id   INTEGER NOT NULL REFERENCES estates(id),
    name        TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    phone       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    estate_id   INTEGER NOT NULL REFERENCES estates(id),
    clinic_id   INTEGER REFERENCES clinics(id)
) STRICT;

-- Who lives in or owns which unit: `owner` or `tenant`.
CREATE TABLE occupancies (
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    relation    TEXT NOT NULL CHECK (relation IN ('owner', 'tenant')),
    PRIMARY KEY (unit_id, user_id)
) STRICT;
CREATE INDEX occupancies_by_user ON occupancies(user_id);

CREATE TABLE categories (
    code          TEXT PRIMARY KEY,
    names         TEXT NOT NULL, -- JSON object: language tag -> name
    default_party TEXT NOT NULL,
    position      INTEGER NOT NULL
) STRICT;

-- One-time sign-in codes. Only a salted hash of the code is kept.
CREATE TABLE otp_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    phone       TEXT NOT NULL,
    client      TEXT NOT NULL,
    salt        BLOB NOT NULL,
    code_hash   BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
) STRICT;
CREATE INDEX otp_codes_by_phone ON otp_codes(phone, created_at);
CREATE INDEX otp_codes_by_client ON otp_codes(client, created_at);

-- Sessions. Only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    estate_id      INTEGER NOT NULL REFERENCES estates(id),
    number         INTEGER NOT NULL,
    reporter_id    INTEGER NOT NULL REFERENCES users(id),
    category       TEXT NOT NULL REFERENCES categories(code),
    description    TEXT NOT NULL,
    place          TEXT NOT NULL, -- JSON of linli_api::Place
    place_label    TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    status         TEXT NOT NULL,
    handling_party TEXT NOT NULL,
    photo_ids      TEXT NOT NULL, -- JSON array, in the resident's order
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (estate_id, number)
) STRICT;
CREATE INDEX reports_by_reporter ON reports(reporter_id, created_at);

CREATE TABLE report_timeline (
    report_id   TEXT NOT NULL REFERENCES reports(id),
    position    INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status      TEXT NOT NULL,
    party       TEXT,
    note        TEXT,
    author_id   INTEGER REFERENCES users(id),
    PRIMARY KEY (report_id, position)
) STRICT;

-- The change feed: one row per create or status change; `seq` is the SSE event id.
CREATE TABLE report_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   TEXT NOT NULL REFERENCES reports(id),
    estate_id   INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    status      TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;

-- Photos live as files under <data-dir>/photos/<id>; this is their register.
CREATE TABLE photos (
    id           TEXT PRIMARY KEY,
    uploader_id  INTEGER NOT NULL REFERENCES users(id),
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    report_id    TEXT REFERENCES reports(id)
) STRICT;

-- Answers to POST requests by (scope, Idempotency-Key). `response_status` is NULL while the
-- first request is still being handled.
CREATE TABLE idempotency_keys (
    scope            TEXT NOT NULL,
    key              TEXT NOT NULL,
    fingerprint      BLOB NOT NULL,
    started_at       INTEGER NOT NULL,
    response_status  INTEGER,
    response_type    TEXT,
    response_body    BLOB,
    PRIMARY KEY (scope, key)
) STRICT;
