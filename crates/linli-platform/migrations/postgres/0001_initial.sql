-- Linli platform on PostgreSQL, first schema: the same tables, columns and rules as
-- migrations/sqlite/0001_initial.sql, in PostgreSQL's types. Append-only, like SQLite's: never
-- edit a released file, add the next one.
--
-- Timestamps stay UTC nanoseconds since the Unix epoch (BIGINT), as in SQLite, rather than
-- TIMESTAMPTZ: TIMESTAMPTZ keeps microseconds, and the platform hands back exactly the moment
-- it was given and compares a report's last change for equality (compare-and-set), which a
-- rounded moment would break. Ids made on devices are UUIDs; JSON is JSONB; bytes are BYTEA.

CREATE TABLE estates (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL
);

CREATE TABLE buildings (
    id          BIGINT PRIMARY KEY,
    estate_id   BIGINT NOT NULL REFERENCES estates(id),
    label       TEXT NOT NULL,
    position    BIGINT NOT NULL
);
CREATE INDEX buildings_by_estate ON buildings(estate_id, position);

CREATE TABLE units (
    id          BIGINT PRIMARY KEY,
    building_id BIGINT NOT NULL REFERENCES buildings(id),
    entrance    BIGINT NOT NULL,
    number      TEXT NOT NULL,
    label       TEXT NOT NULL,
    area_m2     DOUBLE PRECISION NOT NULL CHECK (area_m2 > 0),
    UNIQUE (building_id, entrance, number)
);

CREATE TABLE common_areas (
    id          BIGINT PRIMARY KEY,
    estate_id   BIGINT NOT NULL REFERENCES estates(id),
    label       TEXT NOT NULL,
    position    BIGINT NOT NULL
);
CREATE INDEX common_areas_by_estate ON common_areas(estate_id, position);

CREATE TABLE clinics (
    id          BIGINT PRIMARY KEY,
    estate_id   BIGINT NOT NULL REFERENCES estates(id),
    name        TEXT NOT NULL
);

CREATE TABLE users (
    id          BIGINT PRIMARY KEY,
    phone       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    estate_id   BIGINT NOT NULL REFERENCES estates(id),
    clinic_id   BIGINT REFERENCES clinics(id)
);

-- Who lives in or owns which unit: `owner` or `tenant`. `seq` keeps the order they were
-- recorded in (SQLite's rowid).
CREATE TABLE occupancies (
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    relation    TEXT NOT NULL CHECK (relation IN ('owner', 'tenant')),
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX occupancies_by_user ON occupancies(user_id, seq);

CREATE TABLE categories (
    code          TEXT PRIMARY KEY,
    names         JSONB NOT NULL, -- language tag -> name
    default_party TEXT NOT NULL,
    position      BIGINT NOT NULL
);

-- One-time sign-in codes. Only a salted hash of the code is kept.
CREATE TABLE otp_codes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone       TEXT NOT NULL,
    client      TEXT NOT NULL,
    salt        BYTEA NOT NULL,
    code_hash   BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    used_at     BIGINT
);
CREATE INDEX otp_codes_by_phone ON otp_codes(phone, created_at);
CREATE INDEX otp_codes_by_client ON otp_codes(client, created_at);

-- Sessions. Only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE reports (
    id             UUID PRIMARY KEY,
    estate_id      BIGINT NOT NULL REFERENCES estates(id),
    number         BIGINT NOT NULL,
    reporter_id    BIGINT NOT NULL REFERENCES users(id),
    category       TEXT NOT NULL REFERENCES categories(code),
    description    TEXT NOT NULL,
    place          JSONB NOT NULL, -- linli_api::Place
    place_label    TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    status         TEXT NOT NULL,
    handling_party TEXT NOT NULL,
    photo_ids      JSONB NOT NULL, -- array, in the resident's order
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (estate_id, number)
);
CREATE INDEX reports_by_reporter ON reports(reporter_id, created_at);

CREATE TABLE report_timeline (
    report_id   UUID NOT NULL REFERENCES reports(id),
    position    BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status      TEXT NOT NULL,
    party       TEXT,
    note        TEXT,
    author_id   BIGINT REFERENCES users(id),
    PRIMARY KEY (report_id, position)
);

-- The change feed: one row per create or status change; `seq` is the SSE event id. Writers
-- append under one lock, so rows become visible in `seq` order (see store/postgres.rs).
CREATE TABLE report_events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id   UUID NOT NULL REFERENCES reports(id),
    estate_id   BIGINT NOT NULL,
    reporter_id BIGINT NOT NULL,
    number      BIGINT NOT NULL,
    status      TEXT NOT NULL,
    at          BIGINT NOT NULL
);

-- Photos live as files under <data-dir>/photos/<id>; this is their register.
CREATE TABLE photos (
    id           UUID PRIMARY KEY,
    uploader_id  BIGINT NOT NULL REFERENCES users(id),
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    report_id    UUID REFERENCES reports(id)
);

-- Answers to POST requests by (scope, Idempotency-Key). `response_status` is NULL while the
-- first request is still being handled. `holder` names the platform instance handling it
-- (PostgreSQL only: several instances share this table, so one starting up must release only
-- the claims of instances that are gone, not those of its running neighbours).
CREATE TABLE idempotency_keys (
    scope            TEXT NOT NULL,
    key              TEXT NOT NULL,
    fingerprint      BYTEA NOT NULL,
    started_at       BIGINT NOT NULL,
    response_status  BIGINT,
    response_type    TEXT,
    response_body    BYTEA,
    holder           INTEGER,
    PRIMARY KEY (scope, key)
);
