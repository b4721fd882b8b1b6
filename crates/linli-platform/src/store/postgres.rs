//! The PostgreSQL store, for a city that runs several platform instances against one
//! database. Same records and same rules as [`super::SqliteStore`]; migrations from
//! `migrations/postgres/`.
//!
//! SQLite makes "check, then write" steps atomic by having one writer. Here many connections,
//! in many processes, write at once, so each such step says how it stays atomic:
//! - a row lock taken by the write itself (`UPDATE ... WHERE <condition>`: under READ
//!   COMMITTED a second writer waits for the first and re-checks the condition on the row as
//!   the first left it), for code attempts, photo links, status compare-and-set;
//! - `INSERT ... ON CONFLICT DO NOTHING` (a racing insert of the same key waits for the first
//!   and then does nothing), for photo claims, idempotency keys, comments, followers;
//! - a row lock on the estate (`SELECT ... FOR NO KEY UPDATE`) for report numbers;
//! - a transaction-scoped advisory lock for rate limits, whose rows are counted, not updated;
//! - one advisory lock that every writer of a change event takes last, so events become
//!   visible in `seq` order and a reader that saw event N has seen every event before it.
//!
//! A transaction PostgreSQL aborts as a deadlock or serialisation failure is run again.
//! The store calls are synchronous (they run on the blocking pool), so the client is the
//! synchronous `postgres` crate with a small pool of our own.

mod lifecycle;
mod migrate;
mod pool;
mod social;

use super::reference::{Reference, kept, kept_for};
use super::{
    ClientAction, CodeAttempt, CodeHistory, CommentInsert, Estate, HeldKey, KeyClaim, KeyedAnswer,
    NewCode, NewCommentRecord, NewReportRecord, OpenError, PhotoClaim, ReportHistory, ReportInsert,
    ReportStep, SessionHolder, SimilarScope, StatusMove, StepOutcome, Store, StoreError,
    StoreResult, StoredCode, StoredComment, StoredPhoto, StoredReport, StoredResponse,
    StoredSession, TargetRow, User, Visibility, judge_key,
};
use crate::auth::otp::CodeState;
use crate::auth::rate_limit::RetryAfter;
use crate::demo::Seed;
use linli_api::platform::{BuildingRef, CommonAreaRef, ReportEvent, UnitRef};
use linli_api::{
    BuildingId, Category, CommonAreaId, EstateId, PhotoId, Report, ReportId, TimelineEntry, UnitId,
    UserId,
};
use pool::Pool;
use postgres::error::SqlState;
use postgres::types::Json;
use postgres::{GenericClient, Row, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

/// Connections one instance keeps at most. Store calls are short; more requests than this
/// wait their turn rather than crowding the server (PostgreSQL's default limit is 100
/// connections for every instance together).
const POOL_SIZE: usize = 16;

/// Advisory lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`).
mod locks {
    /// Codes sent to one phone (second key: hash of the phone).
    pub const PHONE_CODES: i32 = 0x4c4c_0001;
    /// Requests from one network address (second key: hash of action and address).
    pub const CLIENT_REQUESTS: i32 = 0x4c4c_0002;
    /// Appending to the change feed (second key: 0).
    pub const EVENTS: i32 = 0x4c4c_0003;
    /// A running instance, held for its life (second key: the instance's holder id).
    pub const INSTANCE: i32 = 0x4c4c_0004;
    /// Migrating the schema (second key: 0).
    pub const MIGRATE: i32 = 0x4c4c_0005;
}

/// How many times a transaction aborted by a deadlock or serialisation failure is tried.
const TRIES: u32 = 8;

/// Storage in a PostgreSQL database.
pub struct PgStore {
    pool: Pool,
    /// This instance's id in `idempotency_keys.holder`, locked (session advisory lock) on
    /// `_instance` while the store lives, so other instances can tell a claim whose holder
    /// died from one still being handled.
    holder: i32,
    _instance: std::sync::Mutex<pool::Held>,
    reference: Reference,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

/// How a unit of work inside [`PgStore::write`] ends.
enum Finish<T> {
    /// Keep what was written.
    Commit(T),
    /// Undo it, answering `T` all the same (a refusal, or nothing to do).
    Rollback(T),
}
use Finish::{Commit, Rollback};

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`), brings the schema
    /// up to date and registers this instance.
    pub fn open(url: &str) -> Result<Self, OpenError> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("linli-platform");
        let pool = Pool::new(config, POOL_SIZE);
        let mut instance = pool.connect_held()?;
        migrate::to_latest(&mut instance)?;
        // A random id, locked for as long as this connection lives: a crash ends the
        // connection and so the lock, and the next instance to start frees the claims.
        let holder = loop {
            let candidate = (rand::random::<u32>() >> 1) as i32;
            let locked: bool = instance
                .query_one(
                    "SELECT pg_try_advisory_lock($1, $2)",
                    &[&locks::INSTANCE, &candidate],
                )?
                .try_get(0)?;
            if locked && candidate != 0 {
                break candidate;
            }
        };
        Ok(Self {
            pool,
            holder,
            _instance: std::sync::Mutex::new(instance),
            reference: Reference::default(),
        })
    }

    /// Runs `work` in a transaction on a pooled connection, committing or rolling back as it
    /// says, and running it again when PostgreSQL aborted it as a deadlock or serialisation
    /// failure (nothing of an aborted try remains).
    fn write<T>(
        &self,
        mut work: impl FnMut(&mut Transaction<'_>) -> StoreResult<Finish<T>>,
    ) -> StoreResult<T> {
        let mut conn = self.pool.get()?;
        let mut tries = 0;
        loop {
            tries += 1;
            let result = (|| {
                let mut tx = conn.transaction()?;
                match work(&mut tx)? {
                    Commit(value) => {
                        tx.commit()?;
                        Ok(value)
                    }
                    Rollback(value) => {
                        tx.rollback()?;
                        Ok(value)
                    }
                }
            })();
            match result {
                Err(StoreError::Postgres(e)) if tries < TRIES && retryable(&e) => {
                    // A little jitter, so the two losers of a deadlock do not meet again.
                    std::thread::sleep(Duration::from_millis(
                        rand::random::<u64>() % (5 * u64::from(tries)),
                    ));
                }
                other => return other,
            }
        }
    }

    /// Claims `(scope, key)` inside the write `tx`: `None` when claimed now (the claim
    /// lasts if `tx` commits), or what holds it.
    fn claim_key_in(
        &self,
        tx: &mut Transaction<'_>,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Option<KeyClaim>> {
        loop {
            // A racing claim of the same key (on any instance) waits here for the first,
            // then inserts nothing and judges the first one's row below.
            let inserted = tx.execute(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, started_at, holder)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING",
                &[&scope, &key, &fingerprint, &ts(now), &self.holder],
            )?;
            if inserted == 1 {
                return Ok(None);
            }
            // Locked, so a stale claim is taken over by one request only.
            let Some(held) = held_key(tx, scope, key, true)? else {
                // Released between the two statements: try to claim it again.
                continue;
            };
            if let Some(taken) = judge_key(Some(held), fingerprint, stale_before) {
                return Ok(Some(taken));
            }
            tx.execute(
                "UPDATE idempotency_keys SET started_at = $3, holder = $4
                 WHERE scope = $1 AND key = $2",
                &[&scope, &key, &ts(now), &self.holder],
            )?;
            return Ok(None);
        }
    }

    /// A pooled connection for reads (each statement sees what was committed before it).
    fn read(&self) -> StoreResult<pool::Conn<'_>> {
        self.pool.get()
    }
}

fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_DEADLOCK_DETECTED) | Some(&SqlState::T_R_SERIALIZATION_FAILURE)
    )
}

fn ts(t: OffsetDateTime) -> i64 {
    // i64 nanoseconds reach from 1677 to 2262. Moments the platform stamps are inside;
    // a moment a client asks about (a board period up to 9999) may be outside, and
    // stands for the first or last moment there is, so comparisons keep their order.
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.unix_timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn opt_ts(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(ts)
}

fn from_ts(n: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {n}: {e}")))
}

fn from_opt_ts(n: Option<i64>) -> StoreResult<Option<OffsetDateTime>> {
    n.map(from_ts).transpose()
}

/// An enum's wire name (`in_progress`, `property_company`...), as stored.
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("enums stored as text serialise to strings, got {other:?}"),
    }
}

fn from_name<T: DeserializeOwned>(s: String) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|e| StoreError::Corrupt(format!("{s:?}: {e}")))
}

fn count(n: i64) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n} out of range")))
}

const USER_COLUMNS: &str = "id, phone, name, role, estate_id";

fn user_row(row: &Row) -> StoreResult<User> {
    user_at(row, 0)
}

/// A person from the `USER_COLUMNS` that start at column `at`.
fn user_at(row: &Row, at: usize) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.try_get(at)?),
        phone: row.try_get(at + 1)?,
        name: row.try_get(at + 2)?,
        role: from_name(row.try_get(at + 3)?)?,
        estate_id: EstateId(row.try_get(at + 4)?),
    })
}

/// What `read` makes of the columns from `at` on, or `None` when a LEFT JOIN found nothing
/// there (its first column, an id, is NULL).
fn joined_at<T>(
    row: &Row,
    at: usize,
    read: fn(&Row, usize) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    match row.try_get::<_, Option<i64>>(at)? {
        Some(_) => read(row, at).map(Some),
        None => Ok(None),
    }
}

/// A session from `user_id, expires_at, revoked_at`.
fn session_row(row: &Row) -> StoreResult<StoredSession> {
    Ok(StoredSession {
        user_id: UserId(row.try_get(0)?),
        expires_at: from_ts(row.try_get(1)?)?,
        revoked_at: from_opt_ts(row.try_get(2)?)?,
    })
}

const REPORT_COLUMNS: &str = "id, number, reporter_id, category, description, place, \
     place_label, urgency, status, handling_party, photo_ids, created_at, updated_at, estate_id, \
     visibility, held_since, resolved_at, closed_at, reopen_count, rating";

/// Residents a report affects, computed where reports are read.
const AFFECTED: &str =
    "1 + (SELECT COUNT(*) FROM report_followers f WHERE f.report_id = reports.id) AS affected";

fn report_row(row: &Row) -> StoreResult<StoredReport> {
    Ok(StoredReport {
        report: Report {
            id: ReportId(row.try_get(0)?),
            number: row.try_get(1)?,
            reporter: UserId(row.try_get(2)?),
            category: row.try_get(3)?,
            description: row.try_get(4)?,
            place: row.try_get::<_, Json<_>>(5)?.0,
            place_label: row.try_get(6)?,
            urgency: from_name(row.try_get(7)?)?,
            status: from_name(row.try_get(8)?)?,
            handling_party: from_name(row.try_get(9)?)?,
            photo_ids: row.try_get::<_, Json<_>>(10)?.0,
            created_at: from_ts(row.try_get(11)?)?,
            updated_at: from_ts(row.try_get(12)?)?,
            affected: count(row.try_get("affected")?)?,
            following: false,
            visibility: from_name(row.try_get("visibility")?)?,
            clock: linli_api::ReportClock {
                held_since: Some(from_ts(row.try_get("held_since")?)?),
                resolved_at: from_opt_ts(row.try_get("resolved_at")?)?,
                closed_at: from_opt_ts(row.try_get("closed_at")?)?,
                ..Default::default()
            },
            reopen_count: count(row.try_get("reopen_count")?)?,
            rating: row.try_get::<_, Option<Json<_>>>("rating")?.map(|j| j.0),
        },
        estate_id: EstateId(row.try_get(13)?),
    })
}

/// The row of `(scope, key)`, if any; `for_update` locks it until the transaction ends.
fn held_key(
    conn: &mut impl GenericClient,
    scope: &str,
    key: &str,
    for_update: bool,
) -> StoreResult<Option<HeldKey>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let Some(row) = conn.query_opt(
        &format!(
            "SELECT fingerprint, started_at, response_status, response_type, response_body
             FROM idempotency_keys WHERE scope = $1 AND key = $2{lock}"
        ),
        &[&scope, &key],
    )?
    else {
        return Ok(None);
    };
    let answer = match row.try_get::<_, Option<i64>>(2)? {
        Some(status) => Some(StoredResponse {
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt(format!("stored HTTP status {status}")))?,
            content_type: row.try_get::<_, Option<String>>(3)?.unwrap_or_default(),
            body: row.try_get::<_, Option<Vec<u8>>>(4)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Some(HeldKey {
        fingerprint: row.try_get(0)?,
        started_at: from_ts(row.try_get(1)?)?,
        answer,
    }))
}

/// Keeps the answer of a claimed key.
fn keep_answer(
    conn: &mut impl GenericClient,
    scope: &str,
    key: &str,
    answer: &StoredResponse,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE idempotency_keys
         SET response_status = $3, response_type = $4, response_body = $5
         WHERE scope = $1 AND key = $2",
        &[
            &scope,
            &key,
            &i64::from(answer.status),
            &answer.content_type,
            &answer.body,
        ],
    )?;
    Ok(())
}

fn report_by_id(conn: &mut impl GenericClient, id: ReportId) -> StoreResult<Option<StoredReport>> {
    conn.query_opt(
        &format!("SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports WHERE id = $1"),
        &[&id.0],
    )?
    .as_ref()
    .map(report_row)
    .transpose()
}

const PHOTO_COLUMNS: &str = "id, uploader_id, sha256, size, content_type, report_id";

fn photo_row(row: &Row) -> StoreResult<StoredPhoto> {
    Ok(StoredPhoto {
        id: PhotoId(row.try_get(0)?),
        uploader: UserId(row.try_get(1)?),
        sha256: row.try_get(2)?,
        size: u64::try_from(row.try_get::<_, i64>(3)?)
            .map_err(|e| StoreError::Corrupt(format!("photo size: {e}")))?,
        content_type: row.try_get(4)?,
        report_id: row.try_get::<_, Option<uuid::Uuid>>(5)?.map(ReportId),
    })
}

fn event_row(row: &Row) -> StoreResult<ReportEvent> {
    Ok(ReportEvent {
        seq: row.try_get(0)?,
        report_id: ReportId(row.try_get(1)?),
        number: row.try_get(2)?,
        status: from_name(row.try_get(3)?)?,
        at: from_ts(row.try_get(4)?)?,
        kind: from_name(row.try_get(5)?)?,
        comment_id: row
            .try_get::<_, Option<uuid::Uuid>>(6)?
            .map(linli_api::CommentId),
    })
}

/// Takes the change feed's lock, held until the transaction ends. Every writer of an event
/// takes it as its last lock, just before inserting the event, so no two event writers are
/// ever between "sequence number drawn" and "committed" at once: events become visible in
/// `seq` order, and a reader resuming after `seq` N can never later find an event below N
/// committed behind its back. Taking it last also means it is never held while waiting
/// for a row lock, so it cannot be part of a deadlock.
fn lock_feed(tx: &mut Transaction<'_>) -> StoreResult<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&locks::EVENTS])?;
    Ok(())
}

/// Appends a report's change event (under the feed lock) and returns its sequence number.
fn append_event(tx: &mut Transaction<'_>, estate: EstateId, report: &Report) -> StoreResult<i64> {
    lock_feed(tx)?;
    Ok(tx
        .query_one(
            "INSERT INTO report_events (report_id, estate_id, reporter_id, number, status, at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
            &[
                &report.id.0,
                &estate.0,
                &report.reporter.0,
                &report.number,
                &name(&report.status),
                &ts(report.updated_at),
            ],
        )?
        .try_get(0)?)
}

/// The SQL condition for a visibility scope over a table whose report id is `id_column`,
/// with its one parameter at position `$p` (`Nothing` matches no row).
fn scope_filter(scope: Visibility, id_column: &str, p: usize) -> (String, i64) {
    match scope {
        Visibility::Reporter(user) => (
            format!(
                "(reporter_id = ${p} OR {id_column} IN \
                 (SELECT report_id FROM report_followers WHERE user_id = ${p}))"
            ),
            user.0,
        ),
        Visibility::Estate(estate) => (format!("estate_id = ${p}"), estate.0),
        // A neighbour's public report is listed for residents who ask for their estate's.
        Visibility::Neighbourhood(user, _) => (
            format!(
                "(reporter_id = ${p} OR {id_column} IN \
                 (SELECT report_id FROM report_followers WHERE user_id = ${p}) OR \
                 {id_column} IN (SELECT id FROM reports WHERE visibility = 'public' AND \
                 estate_id = (SELECT estate_id FROM users WHERE id = ${p})))"
            ),
            user.0,
        ),
        // Typed, or PostgreSQL would take the parameter for an `int4` beside the literal.
        Visibility::Nothing => (format!("${p}::bigint = 0"), 1),
    }
}

impl Store for PgStore {
    fn seed_if_empty(&self, seed: &Seed) -> StoreResult<bool> {
        // Whatever was kept may be about to change.
        self.reference.forget();
        self.write(|tx| {
            // Two instances starting on an empty database at once: the second waits here,
            // then finds the first one's estate and seeds nothing.
            tx.batch_execute("LOCK TABLE estates IN SHARE ROW EXCLUSIVE MODE")?;
            let estates: i64 = tx
                .query_one("SELECT count(*) FROM estates", &[])?
                .try_get(0)?;
            if estates > 0 {
                return Ok(Rollback(false));
            }
            let (estate, estate_name) = seed.estate;
            tx.execute(
                "INSERT INTO estates (id, name, duty_phone) VALUES ($1, $2, $3)",
                &[&estate.0, &estate_name, &seed.duty_phone],
            )?;
            for (position, (id, label)) in seed.buildings.iter().enumerate() {
                tx.execute(
                    "INSERT INTO buildings (id, estate_id, label, position)
                     VALUES ($1, $2, $3, $4)",
                    &[&id.0, &estate.0, label, &(position as i64)],
                )?;
            }
            for u in &seed.units {
                tx.execute(
                    "INSERT INTO units (id, building_id, entrance, number, label, area_m2)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &u.id.0,
                        &u.building_id.0,
                        &i64::from(u.entrance),
                        &u.number,
                        &u.label,
                        &u.area_m2,
                    ],
                )?;
            }
            for (position, (id, label)) in seed.common_areas.iter().enumerate() {
                tx.execute(
                    "INSERT INTO common_areas (id, estate_id, label, position)
                     VALUES ($1, $2, $3, $4)",
                    &[&id.0, &estate.0, label, &(position as i64)],
                )?;
            }
            for (id, clinic) in &seed.clinics {
                tx.execute(
                    "INSERT INTO clinics (id, estate_id, name) VALUES ($1, $2, $3)",
                    &[id, &estate.0, clinic],
                )?;
            }
            for user in &seed.users {
                tx.execute(
                    "INSERT INTO users (id, phone, name, role, estate_id, clinic_id)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &user.id.0,
                        &user.phone,
                        &user.name,
                        &name(&user.role),
                        &estate.0,
                        &user.clinic_id,
                    ],
                )?;
                for (unit, relation) in &user.units {
                    tx.execute(
                        "INSERT INTO occupancies (unit_id, user_id, relation) VALUES ($1, $2, $3)",
                        &[&unit.0, &user.id.0, relation],
                    )?;
                }
            }
            for (position, c) in seed.categories.iter().enumerate() {
                let names = BTreeMap::from([("zh-CN", c.zh), ("en", c.en)]);
                tx.execute(
                    "INSERT INTO categories (code, names, default_party, position, emergency)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &c.code,
                        &Json(&names),
                        &name(&c.party),
                        &(position as i64),
                        &c.emergency,
                    ],
                )?;
            }
            lifecycle::seed_targets(tx, &seed.targets)?;
            Ok(Commit(true))
        })
    }

    fn user_by_phone(&self, phone: &str) -> StoreResult<Option<User>> {
        self.read()?
            .query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE phone = $1"),
                &[&phone],
            )?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.read()?
            .query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                &[&id.0],
            )?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    fn estate(&self, id: EstateId) -> StoreResult<Option<Estate>> {
        kept_for(&self.reference.estates, id, || {
            self.read()?
                .query_opt(
                    "SELECT id, name, duty_phone FROM estates WHERE id = $1",
                    &[&id.0],
                )?
                .map(|r| {
                    Ok(Estate {
                        id: EstateId(r.try_get(0)?),
                        name: r.try_get(1)?,
                        duty_phone: r.try_get(2)?,
                    })
                })
                .transpose()
        })
    }

    fn units_of(&self, user: UserId) -> StoreResult<Vec<UnitRef>> {
        self.read()?
            .query(
                "SELECT u.id, u.building_id, u.label, u.area_m2
                 FROM occupancies o JOIN units u ON u.id = o.unit_id
                 WHERE o.user_id = $1 ORDER BY o.seq",
                &[&user.0],
            )?
            .iter()
            .map(social::unit_row)
            .collect()
    }

    fn buildings(&self, estate: EstateId) -> StoreResult<Vec<BuildingRef>> {
        kept_for(&self.reference.buildings, estate, || {
            self.read()?
                .query(
                    "SELECT id, label FROM buildings WHERE estate_id = $1 ORDER BY position",
                    &[&estate.0],
                )?
                .iter()
                .map(|r| {
                    Ok(BuildingRef {
                        id: BuildingId(r.try_get(0)?),
                        label: r.try_get(1)?,
                    })
                })
                .collect()
        })
    }

    fn common_areas(&self, estate: EstateId) -> StoreResult<Vec<CommonAreaRef>> {
        kept_for(&self.reference.common_areas, estate, || {
            self.read()?
                .query(
                    "SELECT id, label FROM common_areas WHERE estate_id = $1 ORDER BY position",
                    &[&estate.0],
                )?
                .iter()
                .map(|r| {
                    Ok(CommonAreaRef {
                        id: CommonAreaId(r.try_get(0)?),
                        label: r.try_get(1)?,
                    })
                })
                .collect()
        })
    }

    fn categories(&self) -> StoreResult<Vec<Category>> {
        kept(&self.reference.categories, || {
            self.read()?
            .query(
                "SELECT code, names, default_party, emergency FROM categories ORDER BY position",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Category {
                    code: r.try_get(0)?,
                    names: r.try_get::<_, Json<_>>(1)?.0,
                    default_party: from_name(r.try_get(2)?)?,
                    emergency: r.try_get(3)?,
                    targets: Vec::new(),
                })
            })
            .collect()
        })
    }

    fn issue_code(
        &self,
        code: &NewCode,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&CodeHistory) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<i64, RetryAfter>> {
        self.write(|tx| {
            // The phone's codes are counted, not updated, so no row lock can guard the count:
            // racing requests for one phone queue on this lock until the first commits, and
            // each counts the codes of those before it.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                &[&locks::PHONE_CODES, &code.phone],
            )?;
            let history = CodeHistory {
                phone: tx
                    .query(
                        "SELECT created_at FROM otp_codes WHERE phone = $1 AND created_at > $2",
                        &[&code.phone, &ts(window_start)],
                    )?
                    .iter()
                    .map(|r| from_ts(r.try_get(0)?))
                    .collect::<StoreResult<_>>()?,
            };
            if let Err(wait) = admit(&history) {
                return Ok(Rollback(Err(wait)));
            }
            let id: i64 = tx
                .query_one(
                    "INSERT INTO otp_codes (phone, client, salt, code_hash, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[
                        &code.phone,
                        &code.client,
                        &code.salt,
                        &code.code_hash,
                        &ts(code.created_at),
                        &ts(code.expires_at),
                    ],
                )?
                .try_get(0)?;
            Ok(Commit(Ok(id)))
        })
    }

    fn withdraw_code(&self, id: i64) -> StoreResult<()> {
        self.read()?
            .execute("DELETE FROM otp_codes WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn latest_code(&self, phone: &str) -> StoreResult<Option<StoredCode>> {
        self.read()?
            .query_opt(
                "SELECT id, salt, code_hash, expires_at, attempts, used_at FROM otp_codes
                 WHERE phone = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
                &[&phone],
            )?
            .map(|r| {
                Ok(StoredCode {
                    id: r.try_get(0)?,
                    state: CodeState {
                        salt: r.try_get(1)?,
                        code_hash: r.try_get(2)?,
                        expires_at: from_ts(r.try_get(3)?)?,
                        attempts: count(r.try_get(4)?)?,
                        used: r.try_get::<_, Option<i64>>(5)?.is_some(),
                    },
                })
            })
            .transpose()
    }

    fn count_attempt(
        &self,
        id: i64,
        max_attempts: u32,
        now: OffsetDateTime,
    ) -> StoreResult<CodeAttempt> {
        // One statement: racing guesses queue on the code's row lock, and each re-checks
        // the condition on the row as the one before left it, so at most `max_attempts`
        // are ever counted, across every instance.
        let attempts = self.read()?.query_opt(
            "UPDATE otp_codes SET attempts = attempts + 1
             WHERE id = $1 AND attempts < $2 AND used_at IS NULL AND expires_at > $3
             RETURNING attempts",
            &[&id, &i64::from(max_attempts), &ts(now)],
        )?;
        Ok(match attempts {
            Some(row) => CodeAttempt::Counted(count(row.try_get(0)?)?),
            None => CodeAttempt::Refused,
        })
    }

    fn admit_client(
        &self,
        action: ClientAction,
        client: &str,
        now: OffsetDateTime,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&[OffsetDateTime]) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<(), RetryAfter>> {
        let subject = format!("{}\n{client}", action.as_str());
        self.write(|tx| {
            // As for codes per phone: the address's requests queue here, so each counts
            // those admitted before it.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                &[&locks::CLIENT_REQUESTS, &subject],
            )?;
            tx.execute(
                "DELETE FROM client_requests WHERE at <= $1",
                &[&ts(window_start)],
            )?;
            let earlier: Vec<OffsetDateTime> = tx
                .query(
                    "SELECT at FROM client_requests WHERE action = $1 AND client = $2 AND at > $3",
                    &[&action.as_str(), &client, &ts(window_start)],
                )?
                .iter()
                .map(|r| from_ts(r.try_get(0)?))
                .collect::<StoreResult<_>>()?;
            if let Err(wait) = admit(&earlier) {
                // The old rows' deletion may stand; it changes no answer.
                return Ok(Commit(Err(wait)));
            }
            tx.execute(
                "INSERT INTO client_requests (action, client, at) VALUES ($1, $2, $3)",
                &[&action.as_str(), &client, &ts(now)],
            )?;
            Ok(Commit(Ok(())))
        })
    }

    fn use_code(&self, id: i64, at: OffsetDateTime) -> StoreResult<bool> {
        // The second of two racing sign-ins waits for the first's row lock, then finds
        // `used_at` set and changes nothing.
        let changed = self.read()?.execute(
            "UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
            &[&id, &ts(at)],
        )?;
        Ok(changed == 1)
    }

    fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.read()?.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[&token_hash, &user.0, &ts(created_at), &ts(expires_at)],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<StoredSession>> {
        self.read()?
            .query_opt(
                "SELECT user_id, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
                &[&token_hash],
            )?
            .as_ref()
            .map(session_row)
            .transpose()
    }

    fn session_holder(&self, token_hash: &[u8]) -> StoreResult<Option<SessionHolder>> {
        // One query, so one round trip, not three.
        let rows = self.read()?.query(
            "SELECT s.user_id, s.expires_at, s.revoked_at,
                    u.id, u.phone, u.name, u.role, u.estate_id,
                    un.id, un.building_id, un.label, un.area_m2
             FROM sessions s
             LEFT JOIN users u ON u.id = s.user_id
             LEFT JOIN occupancies o ON o.user_id = u.id
             LEFT JOIN units un ON un.id = o.unit_id
             WHERE s.token_hash = $1
             ORDER BY o.seq",
            &[&token_hash],
        )?;
        // One row per unit (one with NULLs when there is none); the session and its person
        // are on each.
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut units = Vec::new();
        for r in &rows {
            units.extend(joined_at(r, 8, social::unit_at)?);
        }
        Ok(Some(SessionHolder {
            session: session_row(first)?,
            user: joined_at(first, 3, user_at)?,
            units,
        }))
    }

    fn revoke_session(&self, token_hash: &[u8], at: OffsetDateTime) -> StoreResult<()> {
        self.read()?.execute(
            "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            &[&token_hash, &ts(at)],
        )?;
        Ok(())
    }

    fn photo(&self, id: PhotoId) -> StoreResult<Option<StoredPhoto>> {
        self.read()?
            .query_opt(
                &format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE id = $1"),
                &[&id.0],
            )?
            .as_ref()
            .map(photo_row)
            .transpose()
    }

    fn claim_photo(&self, photo: &StoredPhoto, at: OffsetDateTime) -> StoreResult<PhotoClaim> {
        self.write(|tx| {
            // A racing upload of the same id waits for this insert, then inserts nothing
            // and reads what this one stored.
            let inserted = tx.execute(
                "INSERT INTO photos (id, uploader_id, sha256, size, content_type, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
                &[
                    &photo.id.0,
                    &photo.uploader.0,
                    &photo.sha256,
                    &(photo.size as i64),
                    &photo.content_type,
                    &ts(at),
                ],
            )?;
            if inserted == 1 {
                return Ok(Commit(PhotoClaim::Created));
            }
            let existing = tx
                .query_opt(
                    &format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE id = $1"),
                    &[&photo.id.0],
                )?
                .as_ref()
                .map(photo_row)
                .transpose()?
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("photo {} both taken and missing", photo.id))
                })?;
            Ok(Rollback(PhotoClaim::Existing(existing)))
        })
    }

    fn insert_report(
        &self,
        new: &NewReportRecord,
        keyed: Option<&KeyedAnswer<'_>>,
    ) -> StoreResult<ReportInsert> {
        self.write(|tx| {
            // The estate's row lock serialises filing per estate: the next number is read
            // and used by one transaction at a time, and released only at its commit or
            // rollback, so numbers stay unique and without gaps. Estates file in parallel.
            tx.execute(
                "SELECT id FROM estates WHERE id = $1 FOR NO KEY UPDATE",
                &[&new.estate_id.0],
            )?;
            // The key after the estate, always in this order: a copy racing on another
            // instance waits for the estate, then finds the key answered.
            if let Some(k) = keyed {
                let taken = self.claim_key_in(
                    tx,
                    &k.key.scope,
                    &k.key.key,
                    &k.key.fingerprint,
                    k.now,
                    k.stale_before,
                )?;
                if let Some(taken) = taken {
                    return Ok(Rollback(ReportInsert::KeyTaken(taken)));
                }
            }
            // Checked after the lock: a racing copy of this very report (the same device
            // retrying on another instance) has committed by now, and is found.
            if let Some(existing) = report_by_id(tx, new.id)? {
                return Ok(Rollback(ReportInsert::Exists(existing.report)));
            }
            let number: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM reports WHERE estate_id = $1",
                    &[&new.estate_id.0],
                )?
                .try_get(0)?;
            let report = new.filed_as(number);
            // ON CONFLICT as well, for a copy filed under another estate's lock (a reporter
            // moved estates between two tries): it is found, never a second row.
            let inserted = tx.execute(
                &format!(
                    "INSERT INTO reports ({REPORT_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                             $15, $16, NULL, NULL, 0, NULL)
                     ON CONFLICT (id) DO NOTHING"
                ),
                &[
                    &report.id.0,
                    &report.number,
                    &report.reporter.0,
                    &report.category,
                    &report.description,
                    &Json(&report.place),
                    &report.place_label,
                    &name(&report.urgency),
                    &name(&report.status),
                    &name(&report.handling_party),
                    &Json(&report.photo_ids),
                    &ts(report.created_at),
                    &ts(report.updated_at),
                    &new.estate_id.0,
                    &name(&report.visibility),
                    &ts(new.at),
                ],
            )?;
            if inserted == 0 {
                let existing = report_by_id(tx, new.id)?.ok_or_else(|| {
                    StoreError::Corrupt(format!("report {} both taken and missing", new.id))
                })?;
                return Ok(Rollback(ReportInsert::Exists(existing.report)));
            }
            tx.execute(
                "INSERT INTO report_timeline
                     (report_id, position, at, status, party, note, author_id, kind, to_party)
                 VALUES ($1, 0, $2, $3, NULL, NULL, $4, 'filed', $5)",
                &[
                    &report.id.0,
                    &ts(report.created_at),
                    &name(&report.status),
                    &report.reporter.0,
                    &name(&report.handling_party),
                ],
            )?;
            for photo in &report.photo_ids {
                // The photo's row lock: a racing report or comment taking the same photo
                // waits, then re-checks `report_id` as this one left it.
                let linked = tx.execute(
                    "UPDATE photos SET report_id = $2
                     WHERE id = $1 AND uploader_id = $3 AND (report_id IS NULL OR report_id = $2)",
                    &[&photo.0, &report.id.0, &report.reporter.0],
                )?;
                if linked != 1 {
                    // Rolling back undoes the report, its timeline and earlier links.
                    return Ok(Rollback(ReportInsert::PhotoUnavailable(*photo)));
                }
            }
            let seq = append_event(tx, new.estate_id, &report)?;
            let answer = match keyed {
                Some(k) => {
                    let answer = (k.answer)(&report)?;
                    keep_answer(tx, &k.key.scope, &k.key.key, &answer)?;
                    Some(answer)
                }
                None => None,
            };
            Ok(Commit(ReportInsert::Created {
                report,
                seq,
                answer,
            }))
        })
    }

    fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>> {
        report_by_id(&mut *self.read()?, id)
    }

    fn timeline(&self, id: ReportId) -> StoreResult<Vec<TimelineEntry>> {
        lifecycle::timeline(&mut *self.read()?, id)
    }

    fn reports(&self, scope: Visibility) -> StoreResult<Vec<Report>> {
        let (condition, value) = scope_filter(scope, "id", 1);
        self.read()?
            .query(
                &format!(
                    "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports WHERE {condition}
                     ORDER BY created_at DESC, number DESC"
                ),
                &[&value],
            )?
            .iter()
            .map(|r| report_row(r).map(|s| s.report))
            .collect()
    }

    fn move_report(&self, id: ReportId, change: &StatusMove) -> StoreResult<Option<(Report, i64)>> {
        self.write(|tx| {
            // Compare-and-set on the report's row: a racing move waits for this one, then
            // finds the status changed and moves nothing.
            let moved = tx.execute(
                "UPDATE reports SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4",
                &[
                    &id.0,
                    &name(&change.to),
                    &ts(change.at),
                    &name(&change.from),
                ],
            )?;
            if moved == 0 {
                return Ok(Rollback(None));
            }
            tx.execute(
                "INSERT INTO report_timeline
                     (report_id, position, at, status, party, note, author_id)
                 VALUES ($1, (SELECT COUNT(*) FROM report_timeline WHERE report_id = $1),
                         $2, $3, $4, $5, $6)",
                &[
                    &id.0,
                    &ts(change.at),
                    &name(&change.to),
                    &name(&change.party),
                    &change.note,
                    &change.author.0,
                ],
            )?;
            let stored = report_by_id(tx, id)?
                .ok_or_else(|| StoreError::Corrupt(format!("report {id} vanished mid-update")))?;
            let seq = append_event(tx, stored.estate_id, &stored.report)?;
            Ok(Commit(Some((stored.report, seq))))
        })
    }

    fn events_after(
        &self,
        after: i64,
        scope: Visibility,
        limit: usize,
    ) -> StoreResult<Vec<ReportEvent>> {
        let (condition, value) = scope_filter(scope, "report_id", 2);
        self.read()?
            .query(
                &format!(
                    "SELECT seq, report_id, number, status, at, kind, comment_id
                     FROM report_events WHERE seq > $1 AND {condition} ORDER BY seq LIMIT $3"
                ),
                &[&after, &value, &(limit as i64)],
            )?
            .iter()
            .map(event_row)
            .collect()
    }

    fn latest_event_seq(&self) -> StoreResult<i64> {
        Ok(self
            .read()?
            .query_one("SELECT COALESCE(MAX(seq), 0) FROM report_events", &[])?
            .try_get(0)?)
    }

    fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<KeyClaim> {
        self.write(|tx| {
            let claim = self.claim_key_in(tx, scope, key, fingerprint, now, stale_before)?;
            Ok(match claim {
                None => Commit(KeyClaim::Claimed),
                Some(taken) => Rollback(taken),
            })
        })
    }

    fn key_taken(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        stale_before: OffsetDateTime,
    ) -> StoreResult<Option<KeyClaim>> {
        let held = held_key(&mut *self.read()?, scope, key, false)?;
        Ok(judge_key(held, fingerprint, stale_before))
    }

    fn complete_key(&self, scope: &str, key: &str, response: &StoredResponse) -> StoreResult<()> {
        keep_answer(&mut *self.read()?, scope, key, response)
    }

    fn release_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        self.read()?.execute(
            "DELETE FROM idempotency_keys
             WHERE scope = $1 AND key = $2 AND response_status IS NULL",
            &[&scope, &key],
        )?;
        Ok(())
    }

    fn release_unanswered_keys(&self) -> StoreResult<usize> {
        // Other instances may be handling requests right now: only claims whose holder no
        // longer holds its instance lock (it stopped or crashed) are given up. A claim with
        // no holder was written by hand or by an older version: nobody is handling it.
        let released = self.read()?.execute(
            &format!(
                "DELETE FROM idempotency_keys k
                 WHERE response_status IS NULL AND (holder IS NULL OR NOT EXISTS (
                     SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.granted
                       AND l.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database())
                       AND l.classid = {}::oid AND l.objid = k.holder::oid
                       AND l.objsubid = 2))",
                locks::INSTANCE
            ),
            &[],
        )?;
        Ok(released as usize)
    }

    fn unit(&self, id: UnitId) -> StoreResult<Option<UnitRef>> {
        social::unit(&mut *self.read()?, id)
    }

    fn insert_comment(&self, comment: &NewCommentRecord) -> StoreResult<CommentInsert> {
        self.write(|tx| social::insert_comment(tx, comment))
    }

    fn comments(&self, report: ReportId) -> StoreResult<Vec<StoredComment>> {
        social::comments(&mut *self.read()?, report)
    }

    fn follow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>> {
        self.write(|tx| social::set_following(tx, report, user, at, true))
    }

    fn unfollow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>> {
        self.write(|tx| social::set_following(tx, report, user, at, false))
    }

    fn followed_reports(&self, user: UserId) -> StoreResult<Vec<ReportId>> {
        social::followed_reports(&mut *self.read()?, user)
    }

    fn similar_reports(&self, scope: &SimilarScope) -> StoreResult<Vec<StoredReport>> {
        social::similar_reports(&mut *self.read()?, scope)
    }

    fn apply_step(&self, id: ReportId, step: &ReportStep) -> StoreResult<StepOutcome> {
        self.write(|tx| lifecycle::apply_step(tx, id, step))
    }

    fn resolved_before(&self, cutoff: OffsetDateTime) -> StoreResult<Vec<StoredReport>> {
        lifecycle::resolved_before(&mut *self.read()?, cutoff)
    }

    fn service_targets(&self) -> StoreResult<Vec<TargetRow>> {
        kept(&self.reference.targets, || {
            lifecycle::service_targets(&mut *self.read()?)
        })
    }

    fn estate_history(
        &self,
        estate: EstateId,
        before: OffsetDateTime,
    ) -> StoreResult<Vec<ReportHistory>> {
        lifecycle::estate_history(&mut *self.read()?, estate, before)
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::demo;

    fn claim(store: &PgStore, now: OffsetDateTime) -> KeyClaim {
        store
            .claim_key("user:1", "k", b"A", now, now - time::Duration::minutes(1))
            .unwrap()
    }

    #[test]
    fn a_starting_instance_frees_only_the_claims_of_instances_that_are_gone() {
        if !crate::testing::requested() {
            return; // runs with LINLI_TEST_DATABASE=postgres
        }
        let url = crate::testing::fresh_database_url();
        let first = PgStore::open(&url).unwrap();
        assert!(first.seed_if_empty(&demo::seed()).unwrap());
        let now = OffsetDateTime::now_utc();
        assert_eq!(claim(&first, now), KeyClaim::Claimed);

        // A neighbour starts while the first is handling the request: the claim stays.
        let second = PgStore::open(&url).unwrap();
        assert!(!second.seed_if_empty(&demo::seed()).unwrap(), "seeded once");
        assert_eq!(second.release_unanswered_keys().unwrap(), 0);
        assert_eq!(claim(&second, now), KeyClaim::InProgress);

        // The first dies; the next instance to start frees what it held.
        drop(first);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let third = PgStore::open(&url).unwrap();
            if third.release_unanswered_keys().unwrap() == 1 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the dead instance's claim was never freed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(claim(&second, now), KeyClaim::Claimed);
    }

    #[test]
    fn racing_claims_of_one_key_on_many_connections_give_it_to_one() {
        if !crate::testing::requested() {
            return; // runs with LINLI_TEST_DATABASE=postgres
        }
        let store = PgStore::open(&crate::testing::fresh_database_url()).unwrap();
        let now = OffsetDateTime::now_utc();
        let claims: Vec<KeyClaim> = std::thread::scope(|s| {
            let racers: Vec<_> = (0..12).map(|_| s.spawn(|| claim(&store, now))).collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let won = claims.iter().filter(|c| **c == KeyClaim::Claimed).count();
        assert_eq!(won, 1, "{claims:?}");
        assert!(
            claims
                .iter()
                .all(|c| matches!(c, KeyClaim::Claimed | KeyClaim::InProgress))
        );
    }
}
