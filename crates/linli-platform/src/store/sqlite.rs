//! The SQLite store: one file in the data dir, WAL, foreign keys on, append-only migrations
//! from `migrations/sqlite/`.
//!
//! Writes go through one connection, one at a time, which makes "check then insert" steps
//! (rate limits, idempotency claims, report numbers) atomic without retry loops. They are
//! committed in groups: each write runs in a savepoint of a transaction that stays open while
//! more writes are queued behind it, and the last of them commits for all (at most
//! [`MAX_GROUP`] writes or [`MAX_GROUP_AGE`] per commit). A write returns only once its group
//! is committed, so an answer is never sent for something that is not on disk; one write's
//! failure rolls back only its savepoint. Reads use a few connections of their own, which WAL
//! lets run beside the writer and which see only committed data.
//!
//! One process owns the file (several instances need PostgreSQL), so the estate's reference
//! data, written only when seeding, is read once and kept.

mod lifecycle;
mod social;

use super::reference::{Reference, kept, kept_for};
use super::{
    ClientAction, CodeAttempt, CodeHistory, CommentInsert, Estate, HeldKey, KeyClaim, KeyedAnswer,
    NewCode, NewCommentRecord, NewReportRecord, PhotoClaim, ReportHistory, ReportInsert,
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
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, Row, Savepoint, params};
use rusqlite_migration::{M, Migrations};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The migrations, in order. Append only: a released file is never edited.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/sqlite/0001_initial.sql")),
    M::up(include_str!(
        "../../migrations/sqlite/0002_client_requests.sql"
    )),
    M::up(include_str!(
        "../../migrations/sqlite/0003_report_lifecycle.sql"
    )),
    M::up(include_str!(
        "../../migrations/sqlite/0004_comments_followers.sql"
    )),
];

/// Most writes committed together (see the module's documentation).
pub const MAX_GROUP: usize = 256;

/// Longest a group of writes stays open while more keep arriving.
pub const MAX_GROUP_AGE: Duration = Duration::from_millis(4);

/// Read connections beside the writer.
const READERS: usize = 4;

/// Storage in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    writer: Mutex<Writer>,
    /// Signalled when a group is committed (or fails).
    group_done: Condvar,
    /// Writers waiting for the writer's lock: while there are any, the group stays open.
    queued: AtomicUsize,
    /// Read-only connections; none for a database in memory, which reads on the writer.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    reference: Reference,
}

#[derive(Debug)]
struct Writer {
    conn: Connection,
    /// Commit after every write (a database in memory, where reads share this connection
    /// and must not see a group's uncommitted writes).
    grouping: bool,
    open: Option<Group>,
    next_group: u64,
    /// Every group up to this one has ended.
    ended_through: u64,
    /// Recent groups whose commit failed, with why.
    failed: VecDeque<(u64, String)>,
}

#[derive(Debug)]
struct Group {
    id: u64,
    writes: usize,
    opened: Instant,
}

/// A read connection: one of the readers, or the writer's for a database in memory.
enum ReadConn<'a> {
    Reader(MutexGuard<'a, Connection>),
    Writer(MutexGuard<'a, Writer>),
}

impl std::ops::Deref for ReadConn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            ReadConn::Reader(conn) => conn,
            ReadConn::Writer(writer) => &writer.conn,
        }
    }
}

/// Failures opening the database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite could not open or configure the file.
    #[error("opening the database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("migrating the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// PostgreSQL could not be reached or configured.
    #[cfg(feature = "postgres")]
    #[error("opening the PostgreSQL database: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// A PostgreSQL migration failed.
    #[cfg(feature = "postgres")]
    #[error("migrating the PostgreSQL database to version {version}: {source}")]
    PostgresMigration {
        /// The migration that failed.
        version: i64,
        /// Why.
        source: ::postgres::Error,
    },
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        let conn = Connection::open(path)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        let writer = Self::configure(conn)?;
        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open(path)?;
                Self::tune(&conn)?;
                // A reader that tried to write would bypass the writer's order.
                conn.pragma_update(None, "query_only", "ON")?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<_, OpenError>>()?;
        Ok(Self::assemble(writer, true, readers))
    }

    /// A database in memory, for tests of the store itself.
    pub fn open_in_memory() -> Result<Self, OpenError> {
        let writer = Self::configure(Connection::open_in_memory()?)?;
        Ok(Self::assemble(writer, false, Vec::new()))
    }

    fn tune(conn: &Connection) -> Result<(), OpenError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Every statement on the hot paths stays prepared.
        conn.set_prepared_statement_cache_capacity(128);
        // ...and keeps the plan it was prepared with. Otherwise SQLite plans again whenever a
        // parameter it looked at while planning is bound anew, whatever its value: the feed's
        // `LIMIT ?` made every read of the change feed parse and plan its SQL again (3 % of
        // the CPU while a device's backlog went out). Our queries are written for one plan.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        Ok(())
    }

    fn configure(mut conn: Connection) -> Result<Connection, OpenError> {
        Self::tune(&conn)?;
        // Safe with WAL: a power cut may lose the last commits, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Each write of a group runs in a savepoint, whose journal (the pages as they were
        // before it) SQLite spills to a temporary file past 64 KiB: opened, written and
        // truncated in the kernel for every write of a busy group. A group's journal is a
        // few megabytes at most (256 writes), so it stays in memory.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(conn)
    }

    fn assemble(conn: Connection, grouping: bool, readers: Vec<Mutex<Connection>>) -> Self {
        Self {
            writer: Mutex::new(Writer {
                conn,
                grouping,
                open: None,
                next_group: 1,
                ended_through: 0,
                failed: VecDeque::new(),
            }),
            group_done: Condvar::new(),
            queued: AtomicUsize::new(0),
            readers,
            next_reader: AtomicUsize::new(0),
            reference: Reference::default(),
        }
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic mid-write rolls its savepoint back when the savepoint is dropped, so the
        // connection is still sound.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection to read committed data on: a free reader if there is one.
    fn conn(&self) -> ReadConn<'_> {
        if self.readers.is_empty() {
            return ReadConn::Writer(self.writer());
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(conn) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return ReadConn::Reader(conn);
            }
        }
        let reader = &self.readers[start % self.readers.len()];
        ReadConn::Reader(reader.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs one write in a savepoint of the open group and returns once the group is
    /// committed. `write` keeps what it did by committing the savepoint; returning without
    /// (or with an error) undoes it.
    fn write<R>(&self, write: impl FnOnce(Savepoint<'_>) -> StoreResult<R>) -> StoreResult<R> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut w = self.writer();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if w.open.is_some() && w.conn.is_autocommit() {
            // SQLite rolled the open group back on its own (an I/O error, a full disk): its
            // writers hear so, and this write starts a new group.
            let _ = Self::end_group(&mut w);
            self.group_done.notify_all();
        }
        if w.open.is_none() {
            w.conn.execute_batch("BEGIN IMMEDIATE")?;
            let id = w.next_group;
            w.next_group += 1;
            w.open = Some(Group {
                id,
                writes: 0,
                opened: Instant::now(),
            });
        }
        // A panicking write must still let its group be committed for the others.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match w.conn.savepoint() {
                Ok(savepoint) => write(savepoint),
                Err(e) => Err(e.into()),
            }));
        let grouping = w.grouping;
        let group = w.open.as_mut().expect("a group is open while writing");
        group.writes += 1;
        let id = group.id;
        let last_in_line = self.queued.load(Ordering::SeqCst) == 0;
        if !grouping
            || last_in_line
            || group.writes >= MAX_GROUP
            || group.opened.elapsed() >= MAX_GROUP_AGE
        {
            let committed = Self::end_group(&mut w);
            drop(w);
            self.group_done.notify_all();
            let outcome = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            return committed.and(outcome);
        }
        drop(w);
        // A failed write left nothing in the group (a writer queued behind commits it).
        let written = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        let w = self
            .group_done
            .wait_while(self.writer(), |w| w.ended_through < id)
            .unwrap_or_else(|e| e.into_inner());
        match w.failed.iter().find(|(group, _)| *group == id) {
            Some((_, why)) => Err(StoreError::Unavailable(format!(
                "committing a group of writes failed: {why}"
            ))),
            None => Ok(written),
        }
    }

    fn read_buildings(&self, estate: EstateId) -> StoreResult<Vec<BuildingRef>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, label FROM buildings WHERE estate_id = ?1 ORDER BY position",
        )?;
        let rows = stmt
            .query_map([estate.0], |r| {
                Ok(BuildingRef {
                    id: BuildingId(r.get(0)?),
                    label: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn read_common_areas(&self, estate: EstateId) -> StoreResult<Vec<CommonAreaRef>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, label FROM common_areas WHERE estate_id = ?1 ORDER BY position",
        )?;
        let rows = stmt
            .query_map([estate.0], |r| {
                Ok(CommonAreaRef {
                    id: CommonAreaId(r.get(0)?),
                    label: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn read_categories(&self) -> StoreResult<Vec<Category>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT code, names, default_party, emergency FROM categories ORDER BY position",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Category {
                    code: r.get(0)?,
                    names: from_json(&r.get::<_, String>(1)?)?,
                    default_party: from_name(r.get(2)?)?,
                    emergency: r.get::<_, i64>(3)? != 0,
                    targets: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn read_estate(&self, id: EstateId) -> StoreResult<Option<Estate>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, duty_phone FROM estates WHERE id = ?1",
                [id.0],
                |r| {
                    Ok(Estate {
                        id: EstateId(r.get(0)?),
                        name: r.get(1)?,
                        duty_phone: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn end_group(w: &mut Writer) -> StoreResult<()> {
        let Some(group) = w.open.take() else {
            return Ok(());
        };
        w.ended_through = group.id;
        let committed = if w.conn.is_autocommit() {
            Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the database rolled the group of writes back".into()),
            ))
        } else {
            w.conn.execute_batch("COMMIT")
        };
        match committed {
            Ok(()) => Ok(()),
            Err(e) => {
                // The transaction may still be open after a failed COMMIT (SQLITE_BUSY).
                let _ = w.conn.execute_batch("ROLLBACK");
                w.failed.push_back((group.id, e.to_string()));
                if w.failed.len() > 64 {
                    w.failed.pop_front();
                }
                Err(e.into())
            }
        }
    }
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

fn from_ts(n: i64) -> rusqlite::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

/// An enum's wire name (`in_progress`, `property_company`...), as stored.
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("enums stored as text serialise to strings, got {other:?}"),
    }
}

fn conversion(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

fn from_name<T: DeserializeOwned>(s: String) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(conversion)
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("platform records serialise to JSON")
}

fn from_json<T: DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s).map_err(conversion)
}

fn parse_uuid<T: std::str::FromStr<Err = uuid::Error>>(s: String) -> rusqlite::Result<T> {
    s.parse().map_err(conversion)
}

const USER_COLUMNS: &str = "id, phone, name, role, estate_id";

fn user_row(row: &Row<'_>) -> rusqlite::Result<User> {
    user_at(row, 0)
}

/// A person from the `USER_COLUMNS` that start at column `at`.
fn user_at(row: &Row<'_>, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(row.get(at)?),
        phone: row.get(at + 1)?,
        name: row.get(at + 2)?,
        role: from_name(row.get(at + 3)?)?,
        estate_id: EstateId(row.get(at + 4)?),
    })
}

/// A unit from `id, building_id, label, area_m2` starting at column `at`.
fn unit_at(row: &Row<'_>, at: usize) -> rusqlite::Result<UnitRef> {
    Ok(UnitRef {
        id: UnitId(row.get(at)?),
        building_id: BuildingId(row.get(at + 1)?),
        label: row.get(at + 2)?,
        area_m2: row.get(at + 3)?,
    })
}

/// What `read` makes of the columns from `at` on, or `None` when a LEFT JOIN found nothing
/// there (its first column, an id, is NULL).
fn joined_at<T>(
    row: &Row<'_>,
    at: usize,
    read: fn(&Row<'_>, usize) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<i64>>(at)? {
        Some(_) => read(row, at).map(Some),
        None => Ok(None),
    }
}

/// A session from `user_id, expires_at, revoked_at`.
fn session_row(row: &Row<'_>) -> rusqlite::Result<StoredSession> {
    Ok(StoredSession {
        user_id: UserId(row.get(0)?),
        expires_at: from_ts(row.get(1)?)?,
        revoked_at: row.get::<_, Option<i64>>(2)?.map(from_ts).transpose()?,
    })
}

const REPORT_COLUMNS: &str = "id, number, reporter_id, category, description, place, \
     place_label, urgency, status, handling_party, photo_ids, created_at, updated_at, estate_id, \
     visibility, held_since, resolved_at, closed_at, reopen_count, rating";

/// Residents a report affects, computed where reports are read (`SELECT {REPORT_COLUMNS},
/// {AFFECTED} FROM reports ...`) and read by name, wherever it stands in the list.
const AFFECTED: &str =
    "1 + (SELECT COUNT(*) FROM report_followers f WHERE f.report_id = reports.id) AS affected";

fn report_row(row: &Row<'_>) -> rusqlite::Result<StoredReport> {
    Ok(StoredReport {
        report: Report {
            id: parse_uuid(row.get(0)?)?,
            number: row.get(1)?,
            reporter: UserId(row.get(2)?),
            category: row.get(3)?,
            description: row.get(4)?,
            place: from_json(&row.get::<_, String>(5)?)?,
            place_label: row.get(6)?,
            urgency: from_name(row.get(7)?)?,
            status: from_name(row.get(8)?)?,
            handling_party: from_name(row.get(9)?)?,
            photo_ids: from_json(&row.get::<_, String>(10)?)?,
            created_at: from_ts(row.get(11)?)?,
            updated_at: from_ts(row.get(12)?)?,
            affected: row.get("affected")?,
            following: false,
            visibility: from_name(row.get("visibility")?)?,
            clock: linli_api::ReportClock {
                held_since: Some(from_ts(row.get("held_since")?)?),
                resolved_at: row
                    .get::<_, Option<i64>>("resolved_at")?
                    .map(from_ts)
                    .transpose()?,
                closed_at: row
                    .get::<_, Option<i64>>("closed_at")?
                    .map(from_ts)
                    .transpose()?,
                ..Default::default()
            },
            reopen_count: row.get("reopen_count")?,
            rating: row
                .get::<_, Option<String>>("rating")?
                .as_deref()
                .map(from_json)
                .transpose()?,
        },
        estate_id: EstateId(row.get(13)?),
    })
}

fn report_by_id(conn: &Connection, id: ReportId) -> rusqlite::Result<Option<StoredReport>> {
    conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports WHERE id = ?1"
    ))?
    .query_row([id.to_string()], report_row)
    .optional()
}

fn photo_row(row: &Row<'_>) -> rusqlite::Result<StoredPhoto> {
    Ok(StoredPhoto {
        id: parse_uuid(row.get(0)?)?,
        uploader: UserId(row.get(1)?),
        sha256: row.get(2)?,
        size: row.get::<_, i64>(3)? as u64,
        content_type: row.get(4)?,
        report_id: row
            .get::<_, Option<String>>(5)?
            .map(parse_uuid)
            .transpose()?,
    })
}

fn event_row(row: &Row<'_>) -> rusqlite::Result<ReportEvent> {
    Ok(ReportEvent {
        seq: row.get(0)?,
        report_id: parse_uuid(row.get(1)?)?,
        number: row.get(2)?,
        status: from_name(row.get(3)?)?,
        at: from_ts(row.get(4)?)?,
        kind: from_name(row.get("kind")?)?,
        comment_id: row
            .get::<_, Option<String>>("comment_id")?
            .map(parse_uuid)
            .transpose()?,
    })
}

fn append_event(conn: &Connection, estate: EstateId, report: &Report) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO report_events (report_id, estate_id, reporter_id, number, status, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        report.id.to_string(),
        estate.0,
        report.reporter.0,
        report.number,
        name(&report.status),
        ts(report.updated_at),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The SQL condition and its one parameter (`:scope`, bound by position like a `?`) for a
/// visibility scope over a table whose report id is `id_column` (`Nothing` matches no row).
/// The row of `(scope, key)`, if any.
fn held_key(conn: &Connection, scope: &str, key: &str) -> StoreResult<Option<HeldKey>> {
    Ok(conn
        .prepare_cached(
            "SELECT fingerprint, started_at, response_status, response_type, response_body
             FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
        )?
        .query_row(params![scope, key], |r| {
            let answer = match r.get::<_, Option<i64>>(2)? {
                Some(status) => Some(StoredResponse {
                    status: u16::try_from(status).map_err(conversion)?,
                    content_type: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    body: r.get::<_, Option<Vec<u8>>>(4)?.unwrap_or_default(),
                }),
                None => None,
            };
            Ok(HeldKey {
                fingerprint: r.get(0)?,
                started_at: from_ts(r.get(1)?)?,
                answer,
            })
        })
        .optional()?)
}

/// Claims `(scope, key)` inside the write `tx`: `None` when claimed now, or what holds it.
fn claim_key_in(
    tx: &Connection,
    scope: &str,
    key: &str,
    fingerprint: &[u8],
    now: OffsetDateTime,
    stale_before: OffsetDateTime,
) -> StoreResult<Option<KeyClaim>> {
    let held = held_key(tx, scope, key)?;
    let existed = held.is_some();
    if let Some(taken) = judge_key(held, fingerprint, stale_before) {
        return Ok(Some(taken));
    }
    if existed {
        // A claim whose request died without an answer: taken over.
        tx.prepare_cached(
            "UPDATE idempotency_keys SET started_at = ?3 WHERE scope = ?1 AND key = ?2",
        )?
        .execute(params![scope, key, ts(now)])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, started_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![scope, key, fingerprint, ts(now)])?;
    }
    Ok(None)
}

/// Keeps the answer of a claimed key, inside the write `tx`.
fn keep_answer(
    tx: &Connection,
    scope: &str,
    key: &str,
    answer: &StoredResponse,
) -> StoreResult<()> {
    tx.prepare_cached(
        "UPDATE idempotency_keys
         SET response_status = ?3, response_type = ?4, response_body = ?5
         WHERE scope = ?1 AND key = ?2",
    )?
    .execute(params![
        scope,
        key,
        i64::from(answer.status),
        answer.content_type,
        answer.body
    ])?;
    Ok(())
}

fn scope_filter(scope: Visibility, id_column: &str) -> (String, i64) {
    match scope {
        Visibility::Reporter(user) => (
            format!(
                "(reporter_id = :scope OR {id_column} IN \
                 (SELECT report_id FROM report_followers WHERE user_id = :scope))"
            ),
            user.0,
        ),
        Visibility::Estate(estate) => ("estate_id = :scope".to_owned(), estate.0),
        // A neighbour's public report is listed for residents who ask for their estate's.
        Visibility::Neighbourhood(user, _) => (
            format!(
                "(reporter_id = :scope OR {id_column} IN \
                 (SELECT report_id FROM report_followers WHERE user_id = :scope) OR \
                 {id_column} IN (SELECT id FROM reports WHERE visibility = 'public' AND \
                 estate_id = (SELECT estate_id FROM users WHERE id = :scope)))"
            ),
            user.0,
        ),
        Visibility::Nothing => ("0 = :scope".to_owned(), 1),
    }
}

impl Store for SqliteStore {
    fn seed_if_empty(&self, seed: &Seed) -> StoreResult<bool> {
        // Whatever was kept may be about to change.
        self.reference.forget();
        self.write(|tx| {
            let estates: i64 = tx.query_row("SELECT count(*) FROM estates", [], |r| r.get(0))?;
            if estates > 0 {
                return Ok(false);
            }
            let (estate, estate_name) = seed.estate;
            tx.execute(
                "INSERT INTO estates (id, name, duty_phone) VALUES (?1, ?2, ?3)",
                params![estate.0, estate_name, seed.duty_phone],
            )?;
            for (position, (id, label)) in seed.buildings.iter().enumerate() {
                tx.execute(
                "INSERT INTO buildings (id, estate_id, label, position) VALUES (?1, ?2, ?3, ?4)",
                params![id.0, estate.0, label, position as i64],
            )?;
            }
            for u in &seed.units {
                tx.execute(
                    "INSERT INTO units (id, building_id, entrance, number, label, area_m2)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        u.id.0,
                        u.building_id.0,
                        u.entrance,
                        u.number,
                        u.label,
                        u.area_m2
                    ],
                )?;
            }
            for (position, (id, label)) in seed.common_areas.iter().enumerate() {
                tx.execute(
                "INSERT INTO common_areas (id, estate_id, label, position) VALUES (?1, ?2, ?3, ?4)",
                params![id.0, estate.0, label, position as i64],
            )?;
            }
            for (id, clinic) in &seed.clinics {
                tx.execute(
                    "INSERT INTO clinics (id, estate_id, name) VALUES (?1, ?2, ?3)",
                    params![id, estate.0, clinic],
                )?;
            }
            for user in &seed.users {
                tx.execute(
                    "INSERT INTO users (id, phone, name, role, estate_id, clinic_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        user.id.0,
                        user.phone,
                        user.name,
                        name(&user.role),
                        estate.0,
                        user.clinic_id
                    ],
                )?;
                for (unit, relation) in &user.units {
                    tx.execute(
                        "INSERT INTO occupancies (unit_id, user_id, relation) VALUES (?1, ?2, ?3)",
                        params![unit.0, user.id.0, relation],
                    )?;
                }
            }
            for (position, c) in seed.categories.iter().enumerate() {
                let names = BTreeMap::from([("zh-CN", c.zh), ("en", c.en)]);
                tx.execute(
                    "INSERT INTO categories (code, names, default_party, position, emergency)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        c.code,
                        to_json(&names),
                        name(&c.party),
                        position as i64,
                        i64::from(c.emergency)
                    ],
                )?;
            }
            lifecycle::seed_targets(&tx, &seed.targets)?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn user_by_phone(&self, phone: &str) -> StoreResult<Option<User>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE phone = ?1"
            ))?
            .query_row([phone], user_row)
            .optional()?)
    }

    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        Ok(self
            .conn()
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
            .query_row([id.0], user_row)
            .optional()?)
    }

    fn estate(&self, id: EstateId) -> StoreResult<Option<Estate>> {
        kept_for(&self.reference.estates, id, || self.read_estate(id))
    }

    fn units_of(&self, user: UserId) -> StoreResult<Vec<UnitRef>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT u.id, u.building_id, u.label, u.area_m2
             FROM occupancies o JOIN units u ON u.id = o.unit_id
             WHERE o.user_id = ?1 ORDER BY o.rowid",
        )?;
        let units = stmt
            .query_map([user.0], |r| unit_at(r, 0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(units)
    }

    fn buildings(&self, estate: EstateId) -> StoreResult<Vec<BuildingRef>> {
        kept_for(&self.reference.buildings, estate, || {
            self.read_buildings(estate)
        })
    }

    fn common_areas(&self, estate: EstateId) -> StoreResult<Vec<CommonAreaRef>> {
        kept_for(&self.reference.common_areas, estate, || {
            self.read_common_areas(estate)
        })
    }

    fn categories(&self) -> StoreResult<Vec<Category>> {
        kept(&self.reference.categories, || self.read_categories())
    }

    fn issue_code(
        &self,
        code: &NewCode,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&CodeHistory) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<i64, RetryAfter>> {
        self.write(|tx| {
            let history = CodeHistory {
                phone: {
                    let mut stmt = tx.prepare_cached(
                        "SELECT created_at FROM otp_codes WHERE phone = ?1 AND created_at > ?2",
                    )?;
                    stmt.query_map(params![code.phone, ts(window_start)], |r| {
                        from_ts(r.get(0)?)
                    })?
                    .collect::<rusqlite::Result<_>>()?
                },
            };
            if let Err(wait) = admit(&history) {
                return Ok(Err(wait));
            }
            tx.execute(
                "INSERT INTO otp_codes (phone, client, salt, code_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    code.phone,
                    code.client,
                    code.salt,
                    code.code_hash,
                    ts(code.created_at),
                    ts(code.expires_at)
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(Ok(id))
        })
    }

    fn withdraw_code(&self, id: i64) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached("DELETE FROM otp_codes WHERE id = ?1")?
                .execute([id])?;
            Ok(tx.commit()?)
        })
    }

    fn latest_code(&self, phone: &str) -> StoreResult<Option<StoredCode>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, salt, code_hash, expires_at, attempts, used_at FROM otp_codes
                 WHERE phone = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
                [phone],
                |r| {
                    Ok(StoredCode {
                        id: r.get(0)?,
                        state: CodeState {
                            salt: r.get(1)?,
                            code_hash: r.get(2)?,
                            expires_at: from_ts(r.get(3)?)?,
                            attempts: r.get(4)?,
                            used: r.get::<_, Option<i64>>(5)?.is_some(),
                        },
                    })
                },
            )
            .optional()?)
    }

    fn count_attempt(
        &self,
        id: i64,
        max_attempts: u32,
        now: OffsetDateTime,
    ) -> StoreResult<CodeAttempt> {
        self.write(|tx| {
            let attempts: Option<u32> = tx
                .query_row(
                    "UPDATE otp_codes SET attempts = attempts + 1
                     WHERE id = ?1 AND attempts < ?2 AND used_at IS NULL AND expires_at > ?3
                     RETURNING attempts",
                    params![id, max_attempts, ts(now)],
                    |r| r.get(0),
                )
                .optional()?;
            tx.commit()?;
            Ok(attempts.map_or(CodeAttempt::Refused, CodeAttempt::Counted))
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
        self.write(|tx| {
            tx.execute(
                "DELETE FROM client_requests WHERE at <= ?1",
                [ts(window_start)],
            )?;
            let earlier: Vec<OffsetDateTime> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT at FROM client_requests WHERE action = ?1 AND client = ?2 AND at > ?3",
                )?;
                stmt.query_map(params![action.as_str(), client, ts(window_start)], |r| {
                    from_ts(r.get(0)?)
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            if let Err(wait) = admit(&earlier) {
                return Ok(Err(wait));
            }
            tx.execute(
                "INSERT INTO client_requests (action, client, at) VALUES (?1, ?2, ?3)",
                params![action.as_str(), client, ts(now)],
            )?;
            tx.commit()?;
            Ok(Ok(()))
        })
    }

    fn use_code(&self, id: i64, at: OffsetDateTime) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE otp_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
                params![id, ts(at)],
            )?;
            tx.commit()?;
            Ok(changed == 1)
        })
    }

    fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user.0, ts(created_at), ts(expires_at)],
            )?;
            Ok(tx.commit()?)
        })
    }

    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<StoredSession>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT user_id, expires_at, revoked_at FROM sessions WHERE token_hash = ?1",
            )?
            .query_row([token_hash], session_row)
            .optional()?)
    }

    fn session_holder(&self, token_hash: &[u8]) -> StoreResult<Option<SessionHolder>> {
        // One statement, so one read transaction: each one a reader starts after another
        // connection's commit begins with an empty page cache, and a busy platform commits
        // all the time (three reads were 10 % of a filing's CPU).
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.user_id, s.expires_at, s.revoked_at,
                    u.id, u.phone, u.name, u.role, u.estate_id,
                    un.id, un.building_id, un.label, un.area_m2
             FROM sessions s
             LEFT JOIN users u ON u.id = s.user_id
             LEFT JOIN occupancies o ON o.user_id = u.id
             LEFT JOIN units un ON un.id = o.unit_id
             WHERE s.token_hash = ?1
             ORDER BY o.rowid",
        )?;
        let mut rows = stmt.query([token_hash])?;
        // One row per unit (one with NULLs when there is none); the session and its person
        // are on each.
        let Some(first) = rows.next()? else {
            return Ok(None);
        };
        let mut holder = SessionHolder {
            session: session_row(first)?,
            user: joined_at(first, 3, user_at)?,
            units: joined_at(first, 8, unit_at)?.into_iter().collect(),
        };
        while let Some(r) = rows.next()? {
            holder.units.extend(joined_at(r, 8, unit_at)?);
        }
        Ok(Some(holder))
    }

    fn revoke_session(&self, token_hash: &[u8], at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                params![token_hash, ts(at)],
            )?;
            Ok(tx.commit()?)
        })
    }

    fn photo(&self, id: PhotoId) -> StoreResult<Option<StoredPhoto>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, uploader_id, sha256, size, content_type, report_id
                 FROM photos WHERE id = ?1",
                [id.to_string()],
                photo_row,
            )
            .optional()?)
    }

    fn claim_photo(&self, photo: &StoredPhoto, at: OffsetDateTime) -> StoreResult<PhotoClaim> {
        self.write(|tx| {
            let existing = tx
                .query_row(
                    "SELECT id, uploader_id, sha256, size, content_type, report_id
                 FROM photos WHERE id = ?1",
                    [photo.id.to_string()],
                    photo_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(PhotoClaim::Existing(existing));
            }
            tx.execute(
                "INSERT INTO photos (id, uploader_id, sha256, size, content_type, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    photo.id.to_string(),
                    photo.uploader.0,
                    photo.sha256,
                    photo.size as i64,
                    photo.content_type,
                    ts(at)
                ],
            )?;
            tx.commit()?;
            Ok(PhotoClaim::Created)
        })
    }

    fn insert_report(
        &self,
        new: &NewReportRecord,
        keyed: Option<&KeyedAnswer<'_>>,
    ) -> StoreResult<ReportInsert> {
        self.write(|tx| {
            if let Some(k) = keyed {
                // Claimed first: a racing copy under the same key, queued behind this write,
                // finds it answered. Any way out below without a commit undoes the claim.
                let taken = claim_key_in(
                    &tx,
                    &k.key.scope,
                    &k.key.key,
                    &k.key.fingerprint,
                    k.now,
                    k.stale_before,
                )?;
                if let Some(taken) = taken {
                    return Ok(ReportInsert::KeyTaken(taken));
                }
            }
            if let Some(existing) = report_by_id(&tx, new.id)? {
                return Ok(ReportInsert::Exists(existing.report));
            }
            let number: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM reports WHERE estate_id = ?1",
                )?
                .query_row([new.estate_id.0], |r| r.get(0))?;
            let report = new.filed_as(number);
            tx.prepare_cached(&format!(
                "INSERT INTO reports ({REPORT_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                         ?15, ?16, NULL, NULL, 0, NULL)"
            ))?
            .execute(params![
                report.id.to_string(),
                report.number,
                report.reporter.0,
                report.category,
                report.description,
                to_json(&report.place),
                report.place_label,
                name(&report.urgency),
                name(&report.status),
                name(&report.handling_party),
                to_json(&report.photo_ids),
                ts(report.created_at),
                ts(report.updated_at),
                new.estate_id.0,
                name(&report.visibility),
                ts(new.at),
            ])?;
            tx.prepare_cached(
                "INSERT INTO report_timeline
                 (report_id, position, at, status, party, note, author_id, kind, to_party)
             VALUES (?1, 0, ?2, ?3, NULL, NULL, ?4, 'filed', ?5)",
            )?
            .execute(params![
                report.id.to_string(),
                ts(report.created_at),
                name(&report.status),
                report.reporter.0,
                name(&report.handling_party),
            ])?;
            for photo in &report.photo_ids {
                // Judged here, not before the transaction: a racing report could otherwise take
                // the photo in between, and this one would move it away.
                let linked = tx
                    .prepare_cached(
                        "UPDATE photos SET report_id = ?2
                 WHERE id = ?1 AND uploader_id = ?3 AND (report_id IS NULL OR report_id = ?2)",
                    )?
                    .execute(params![
                        photo.to_string(),
                        report.id.to_string(),
                        report.reporter.0
                    ])?;
                if linked != 1 {
                    // Dropping the transaction undoes the report, its timeline and earlier links.
                    return Ok(ReportInsert::PhotoUnavailable(*photo));
                }
            }
            let seq = append_event(&tx, new.estate_id, &report)?;
            let answer = keyed
                .map(|k| -> StoreResult<StoredResponse> {
                    let answer = (k.answer)(&report)?;
                    keep_answer(&tx, &k.key.scope, &k.key.key, &answer)?;
                    Ok(answer)
                })
                .transpose()?;
            tx.commit()?;
            Ok(ReportInsert::Created {
                report,
                seq,
                answer,
            })
        })
    }

    fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>> {
        Ok(report_by_id(&self.conn(), id)?)
    }

    fn timeline(&self, id: ReportId) -> StoreResult<Vec<TimelineEntry>> {
        Ok(lifecycle::timeline(&self.conn(), id)?)
    }

    fn reports(&self, scope: Visibility) -> StoreResult<Vec<Report>> {
        let conn = self.conn();
        let (condition, value) = scope_filter(scope, "id");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports WHERE {condition}
             ORDER BY created_at DESC, number DESC"
        ))?;
        let rows = stmt
            .query_map([value], |r| report_row(r).map(|s| s.report))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn move_report(&self, id: ReportId, change: &StatusMove) -> StoreResult<Option<(Report, i64)>> {
        self.write(|tx| {
            let moved = tx.execute(
                "UPDATE reports SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = ?4",
                params![
                    id.to_string(),
                    name(&change.to),
                    ts(change.at),
                    name(&change.from)
                ],
            )?;
            if moved == 0 {
                return Ok(None);
            }
            tx.execute(
            "INSERT INTO report_timeline (report_id, position, at, status, party, note, author_id)
             VALUES (?1, (SELECT COUNT(*) FROM report_timeline WHERE report_id = ?1),
                     ?2, ?3, ?4, ?5, ?6)",
            params![
                id.to_string(),
                ts(change.at),
                name(&change.to),
                name(&change.party),
                change.note,
                change.author.0
            ],
        )?;
            let stored = report_by_id(&tx, id)?
                .ok_or_else(|| StoreError::Corrupt(format!("report {id} vanished mid-update")))?;
            let seq = append_event(&tx, stored.estate_id, &stored.report)?;
            tx.commit()?;
            Ok(Some((stored.report, seq)))
        })
    }

    fn events_after(
        &self,
        after: i64,
        scope: Visibility,
        limit: usize,
    ) -> StoreResult<Vec<ReportEvent>> {
        let conn = self.conn();
        let (condition, value) = scope_filter(scope, "report_id");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT seq, report_id, number, status, at, kind, comment_id FROM report_events
             WHERE seq > ? AND {condition} ORDER BY seq LIMIT ?"
        ))?;
        let rows = stmt
            .query_map(params![after, value, limit as i64], event_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn latest_event_seq(&self) -> StoreResult<i64> {
        Ok(self
            .conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM report_events", [], |r| {
                r.get(0)
            })?)
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
            let claim = claim_key_in(&tx, scope, key, fingerprint, now, stale_before)?;
            tx.commit()?;
            Ok(claim.unwrap_or(KeyClaim::Claimed))
        })
    }

    fn key_taken(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        stale_before: OffsetDateTime,
    ) -> StoreResult<Option<KeyClaim>> {
        let held = held_key(&self.conn(), scope, key)?;
        Ok(judge_key(held, fingerprint, stale_before))
    }

    fn complete_key(&self, scope: &str, key: &str, response: &StoredResponse) -> StoreResult<()> {
        self.write(|tx| {
            keep_answer(&tx, scope, key, response)?;
            Ok(tx.commit()?)
        })
    }

    fn release_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "DELETE FROM idempotency_keys
                 WHERE scope = ?1 AND key = ?2 AND response_status IS NULL",
            )?
            .execute(params![scope, key])?;
            Ok(tx.commit()?)
        })
    }

    fn release_unanswered_keys(&self) -> StoreResult<usize> {
        self.write(|tx| {
            let released = tx.execute(
                "DELETE FROM idempotency_keys WHERE response_status IS NULL",
                [],
            )?;
            tx.commit()?;
            Ok(released)
        })
    }

    fn unit(&self, id: UnitId) -> StoreResult<Option<UnitRef>> {
        Ok(social::unit(&self.conn(), id)?)
    }

    fn insert_comment(&self, comment: &NewCommentRecord) -> StoreResult<CommentInsert> {
        self.write(|tx| social::insert_comment(tx, comment))
    }

    fn comments(&self, report: ReportId) -> StoreResult<Vec<StoredComment>> {
        Ok(social::comments(&self.conn(), report)?)
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
        Ok(social::followed_reports(&self.conn(), user)?)
    }

    fn similar_reports(&self, scope: &SimilarScope) -> StoreResult<Vec<StoredReport>> {
        Ok(social::similar_reports(&self.conn(), scope)?)
    }

    fn apply_step(&self, id: ReportId, step: &ReportStep) -> StoreResult<StepOutcome> {
        self.write(|tx| lifecycle::apply_step(tx, id, step))
    }

    fn resolved_before(&self, cutoff: OffsetDateTime) -> StoreResult<Vec<StoredReport>> {
        Ok(lifecycle::resolved_before(&self.conn(), cutoff)?)
    }

    fn service_targets(&self) -> StoreResult<Vec<TargetRow>> {
        kept(&self.reference.targets, || {
            Ok(lifecycle::service_targets(&self.conn())?)
        })
    }

    fn estate_history(
        &self,
        estate: EstateId,
        before: OffsetDateTime,
    ) -> StoreResult<Vec<ReportHistory>> {
        Ok(lifecycle::estate_history(&self.conn(), estate, before)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::store::PendingKey;
    use linli_api::{Party, Place, ReportStatus, Urgency};
    use time::Duration;

    fn store() -> SqliteStore {
        let s = SqliteStore::open_in_memory().unwrap();
        assert!(s.seed_if_empty(&demo::seed()).unwrap());
        s
    }

    /// The change feed's read binds its `LIMIT`; SQLite used to plan it again at every read.
    #[test]
    fn a_statement_keeps_its_plan_when_its_parameters_change() {
        let conn = Connection::open_in_memory().unwrap();
        SqliteStore::tune(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY);
             INSERT INTO events VALUES (1), (2), (3), (4);",
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
            .unwrap();
        for (after, limit) in [(0, 2), (1, 3), (2, 1)] {
            let seqs: Vec<i64> = stmt
                .query_map(params![after, limit], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(seqs.len(), limit.min(4 - after) as usize);
            assert_eq!(seqs[0], after + 1);
        }
        assert_eq!(
            stmt.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "planned again after a new binding"
        );
    }

    /// Found with the fuzz harness (`fuzz/`, target `platform_requests`): a board period
    /// ending in year 9999 wrapped round to about 1819 and counted no report.
    #[test]
    fn moments_beyond_the_nanosecond_range_keep_their_order() {
        assert_eq!(
            ts(time::macros::datetime!(9999-12-31 23:59:59 UTC)),
            i64::MAX
        );
        assert_eq!(ts(time::macros::datetime!(0000-01-01 0:00 UTC)), i64::MIN);
        let now = OffsetDateTime::from_unix_timestamp_nanos(1_750_000_000_123_456_789).unwrap();
        assert_eq!(from_ts(ts(now)).unwrap(), now);
    }

    fn new_report(reporter: &User, at: OffsetDateTime) -> NewReportRecord {
        NewReportRecord {
            id: ReportId::new(),
            estate_id: reporter.estate_id,
            reporter: reporter.id,
            category: "water_plumbing".into(),
            description: "厨房水管漏水".into(),
            place: Place::Unit {
                unit_id: UnitId(3251),
            },
            place_label: "3栋2单元501".into(),
            urgency: Urgency::Soon,
            handling_party: Party::PropertyCompany,
            photo_ids: vec![],
            visibility: linli_api::ReportVisibility::Private,
            at,
        }
    }

    #[test]
    fn seeding_happens_once_and_reads_back() {
        let s = store();
        assert!(!s.seed_if_empty(&demo::seed()).unwrap());
        let resident = s.user_by_phone(demo::RESIDENT_PHONE).unwrap().unwrap();
        let units: Vec<_> = s
            .units_of(resident.id)
            .unwrap()
            .into_iter()
            .map(|u| u.label)
            .collect();
        assert_eq!(units, [demo::RESIDENT_UNIT, demo::RESIDENT_SECOND_UNIT]);
        assert_eq!(s.categories().unwrap().len(), 12);
        assert_eq!(s.buildings(resident.estate_id).unwrap().len(), 3);
        assert_eq!(
            s.estate(resident.estate_id).unwrap().unwrap().name,
            demo::ESTATE_NAME
        );
    }

    #[test]
    fn reports_get_increasing_numbers_and_events() {
        let s = store();
        let resident = s.user_by_phone(demo::RESIDENT_PHONE).unwrap().unwrap();
        let now = OffsetDateTime::now_utc();
        let first = new_report(&resident, now);
        let ReportInsert::Created {
            report: a, seq: s1, ..
        } = s.insert_report(&first, None).unwrap()
        else {
            panic!("first insert creates")
        };
        let ReportInsert::Created {
            report: b, seq: s2, ..
        } = s.insert_report(&new_report(&resident, now), None).unwrap()
        else {
            panic!("second insert creates")
        };
        assert_eq!((a.number, b.number), (1, 2));
        assert!(s2 > s1);
        assert_eq!(
            s.insert_report(&first, None).unwrap(),
            ReportInsert::Exists(a.clone())
        );
        assert_eq!(s.report(a.id).unwrap().unwrap().report, a, "round trip");

        let later = now + Duration::minutes(3);
        let change = StatusMove {
            from: ReportStatus::Received,
            to: ReportStatus::Acknowledged,
            note: "已收到".into(),
            party: Party::PropertyCompany,
            author: UserId(10),
            at: later,
        };
        let (moved, s3) = s.move_report(a.id, &change).unwrap().unwrap();
        assert_eq!(moved.status, ReportStatus::Acknowledged);
        assert_eq!(moved.updated_at, later);
        assert!(s3 > s2);
        assert_eq!(s.move_report(a.id, &change).unwrap(), None, "stale from");
        let timeline = s.timeline(a.id).unwrap();
        assert_eq!(timeline.len(), 2);
        assert_eq!(timeline[1].note.as_deref(), Some("已收到"));

        let mine = Visibility::Reporter(resident.id);
        let events = s.events_after(s1, mine, 10).unwrap();
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [s2, s3]);
        assert!(
            s.events_after(0, Visibility::Reporter(UserId(2)), 10)
                .unwrap()
                .is_empty()
        );
        assert!(
            s.events_after(0, Visibility::Nothing, 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.latest_event_seq().unwrap(), s3);
    }

    #[test]
    fn a_photo_held_by_one_report_is_never_moved_to_another() {
        let s = store();
        let resident = s.user_by_phone(demo::RESIDENT_PHONE).unwrap().unwrap();
        let now = OffsetDateTime::now_utc();
        let photo = StoredPhoto {
            id: PhotoId::new(),
            uploader: resident.id,
            sha256: "00".repeat(32),
            size: 10,
            content_type: "image/jpeg".into(),
            report_id: None,
        };
        assert_eq!(s.claim_photo(&photo, now).unwrap(), PhotoClaim::Created);
        // Two reports that both checked the photo as free before either was filed.
        let first = NewReportRecord {
            photo_ids: vec![photo.id],
            ..new_report(&resident, now)
        };
        let second = NewReportRecord {
            photo_ids: vec![photo.id],
            ..new_report(&resident, now)
        };
        assert!(matches!(
            s.insert_report(&first, None).unwrap(),
            ReportInsert::Created { .. }
        ));
        assert_eq!(
            s.insert_report(&second, None).unwrap(),
            ReportInsert::PhotoUnavailable(photo.id)
        );
        assert_eq!(
            s.photo(photo.id).unwrap().unwrap().report_id,
            Some(first.id)
        );
        assert_eq!(s.report(second.id).unwrap(), None, "nothing of it was kept");
        assert!(s.timeline(second.id).unwrap().is_empty());
        assert_eq!(
            s.events_after(0, Visibility::Reporter(resident.id), 10)
                .unwrap()
                .len(),
            1
        );
        // Someone else's photo cannot be attached either.
        let neighbour = s
            .user_by_phone(demo::SECOND_RESIDENT_PHONE)
            .unwrap()
            .unwrap();
        let theirs = NewReportRecord {
            photo_ids: vec![photo.id],
            ..new_report(&neighbour, now)
        };
        assert_eq!(
            s.insert_report(&theirs, None).unwrap(),
            ReportInsert::PhotoUnavailable(photo.id)
        );
        // Filing the first report again (a retry) keeps its photo.
        assert!(matches!(
            s.insert_report(&first, None).unwrap(),
            ReportInsert::Exists(_)
        ));
    }

    #[test]
    fn attempts_are_counted_up_to_the_limit_and_not_on_dead_codes() {
        let s = store();
        let now = OffsetDateTime::now_utc();
        let code = NewCode {
            phone: demo::RESIDENT_PHONE.into(),
            client: "10.0.0.1".into(),
            salt: vec![0; 16],
            code_hash: vec![0; 32],
            created_at: now,
            expires_at: now + Duration::minutes(5),
        };
        let id = s.issue_code(&code, now, &|_| Ok(())).unwrap().unwrap();
        for n in 1..=3 {
            assert_eq!(
                s.count_attempt(id, 3, now).unwrap(),
                CodeAttempt::Counted(n)
            );
        }
        assert_eq!(s.count_attempt(id, 3, now).unwrap(), CodeAttempt::Refused);
        let other = s.issue_code(&code, now, &|_| Ok(())).unwrap().unwrap();
        let late = now + Duration::minutes(5);
        assert_eq!(
            s.count_attempt(other, 3, late).unwrap(),
            CodeAttempt::Refused
        );
        assert!(s.use_code(other, now).unwrap());
        assert_eq!(
            s.count_attempt(other, 3, now).unwrap(),
            CodeAttempt::Refused
        );
        assert_eq!(
            s.latest_code(demo::RESIDENT_PHONE)
                .unwrap()
                .unwrap()
                .state
                .attempts,
            0
        );
    }

    #[test]
    fn client_records_are_admitted_per_action_and_forgotten_after_the_window() {
        let s = store();
        let now = OffsetDateTime::now_utc();
        let at_most = |n: usize| {
            move |earlier: &[OffsetDateTime]| {
                if earlier.len() < n {
                    Ok(())
                } else {
                    Err(RetryAfter(9))
                }
            }
        };
        let admit = |action, at: OffsetDateTime, n| {
            s.admit_client(action, "10.0.0.1", at, at - Duration::hours(1), &at_most(n))
                .unwrap()
        };
        assert_eq!(admit(ClientAction::CodeRequest, now, 1), Ok(()));
        assert_eq!(admit(ClientAction::CodeRequest, now, 1), Err(RetryAfter(9)));
        assert_eq!(admit(ClientAction::SignIn, now, 1), Ok(()), "counted apart");
        let later = now + Duration::hours(1);
        assert_eq!(admit(ClientAction::CodeRequest, later, 1), Ok(()));
        let kept: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM client_requests", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1, "records from before the window are gone");
    }

    #[test]
    fn key_claims_follow_the_idempotency_rules() {
        let s = store();
        let now = OffsetDateTime::now_utc();
        let stale = now - Duration::minutes(1);
        assert_eq!(
            s.claim_key("u1", "k", b"A", now, stale).unwrap(),
            KeyClaim::Claimed
        );
        assert_eq!(
            s.claim_key("u1", "k", b"A", now, stale).unwrap(),
            KeyClaim::InProgress
        );
        assert_eq!(
            s.claim_key("u1", "k", b"B", now, stale).unwrap(),
            KeyClaim::Mismatch
        );
        assert_eq!(
            s.claim_key("u2", "k", b"B", now, stale).unwrap(),
            KeyClaim::Claimed,
            "keys are per scope"
        );
        // A claim that outlived its lease is taken over.
        let much_later = now + Duration::minutes(2);
        assert_eq!(
            s.claim_key(
                "u1",
                "k",
                b"A",
                much_later,
                much_later - Duration::minutes(1)
            )
            .unwrap(),
            KeyClaim::Claimed
        );
        let answer = StoredResponse {
            status: 201,
            content_type: "application/json".into(),
            body: b"{}".to_vec(),
        };
        s.complete_key("u1", "k", &answer).unwrap();
        assert_eq!(
            s.claim_key("u1", "k", b"A", now, stale).unwrap(),
            KeyClaim::Answered(answer)
        );
        s.release_key("u1", "k").unwrap();
        assert!(matches!(
            s.claim_key("u1", "k", b"A", now, stale).unwrap(),
            KeyClaim::Answered(_)
        ));
        assert_eq!(s.release_unanswered_keys().unwrap(), 1, "u2's claim");
    }

    #[test]
    fn a_keyed_filing_claims_files_and_keeps_its_answer_in_one_write_or_writes_nothing() {
        let s = store();
        let resident = s.user_by_phone(demo::RESIDENT_PHONE).unwrap().unwrap();
        let now = OffsetDateTime::now_utc();
        let stale = now - Duration::minutes(1);
        let first = new_report(&resident, now);
        let pending = PendingKey {
            scope: format!("user:{}", resident.id),
            key: first.id.to_string(),
            fingerprint: b"A".to_vec(),
        };
        // The answer names the number, which only the write knows.
        let answer = |report: &Report| {
            Ok(StoredResponse {
                status: 201,
                content_type: "application/json".into(),
                body: format!("report {}", report.number).into_bytes(),
            })
        };
        let keyed = |key| KeyedAnswer {
            key,
            now,
            stale_before: stale,
            answer: &answer,
        };
        let taken = |key: &PendingKey| {
            s.key_taken(&key.scope, &key.key, &key.fingerprint, stale)
                .unwrap()
        };
        assert_eq!(taken(&pending), None);

        let ReportInsert::Created {
            report,
            answer: kept,
            ..
        } = s.insert_report(&first, Some(&keyed(&pending))).unwrap()
        else {
            panic!("not filed");
        };
        let kept = kept.expect("an answer kept");
        assert_eq!(kept.body, format!("report {}", report.number).into_bytes());
        assert_eq!(taken(&pending), Some(KeyClaim::Answered(kept.clone())));
        assert_eq!(
            s.claim_key(&pending.scope, &pending.key, b"A", now, stale)
                .unwrap(),
            KeyClaim::Answered(kept.clone()),
            "the other requests' path reads the same key"
        );

        // The same request again is told the kept answer; another under its key is refused;
        // neither files anything.
        assert_eq!(
            s.insert_report(&first, Some(&keyed(&pending))).unwrap(),
            ReportInsert::KeyTaken(KeyClaim::Answered(kept))
        );
        let other = PendingKey {
            fingerprint: b"B".to_vec(),
            ..pending.clone()
        };
        assert_eq!(taken(&other), Some(KeyClaim::Mismatch));
        assert_eq!(
            s.insert_report(&new_report(&resident, now), Some(&keyed(&other)))
                .unwrap(),
            ReportInsert::KeyTaken(KeyClaim::Mismatch)
        );
        let mine = s.reports(Visibility::Reporter(resident.id)).unwrap();
        assert_eq!(mine.len(), 1);

        // A filing refused inside the write (its photo is not there) leaves its key free and
        // nothing else behind, so the corrected report can come under the same key.
        let refused = NewReportRecord {
            photo_ids: vec![PhotoId::new()],
            ..new_report(&resident, now)
        };
        let key = PendingKey {
            key: refused.id.to_string(),
            ..pending.clone()
        };
        assert!(matches!(
            s.insert_report(&refused, Some(&keyed(&key))).unwrap(),
            ReportInsert::PhotoUnavailable(_)
        ));
        assert_eq!(taken(&key), None);
        assert_eq!(s.report(refused.id).unwrap(), None);
        let corrected = NewReportRecord {
            photo_ids: Vec::new(),
            ..refused
        };
        assert!(matches!(
            s.insert_report(&corrected, Some(&keyed(&key))).unwrap(),
            ReportInsert::Created {
                answer: Some(_),
                ..
            }
        ));

        // A claim left by a request that died is taken over once stale, not before.
        let dead = PendingKey {
            key: "dead".into(),
            ..pending.clone()
        };
        assert_eq!(
            s.claim_key(&dead.scope, &dead.key, b"A", now, stale)
                .unwrap(),
            KeyClaim::Claimed
        );
        assert_eq!(
            s.insert_report(&new_report(&resident, now), Some(&keyed(&dead)))
                .unwrap(),
            ReportInsert::KeyTaken(KeyClaim::InProgress)
        );
        let later = now + Duration::minutes(2);
        let takeover = KeyedAnswer {
            key: &dead,
            now: later,
            stale_before: later - Duration::minutes(1),
            answer: &answer,
        };
        assert!(matches!(
            s.insert_report(&new_report(&resident, now), Some(&takeover))
                .unwrap(),
            ReportInsert::Created {
                answer: Some(_),
                ..
            }
        ));
        assert_eq!(
            s.reports(Visibility::Reporter(resident.id)).unwrap().len(),
            3
        );
    }

    /// A store on a file, where writes are committed in groups and reads have their own
    /// connections.
    fn file_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("linli.sqlite3")).unwrap();
        assert!(s.seed_if_empty(&demo::seed()).unwrap());
        (dir, s)
    }

    fn clients_on_disk(dir: &tempfile::TempDir) -> Vec<String> {
        // A connection of its own sees only what was committed.
        let conn = Connection::open(dir.path().join("linli.sqlite3")).unwrap();
        let mut stmt = conn
            .prepare("SELECT client FROM client_requests ORDER BY client")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn record(tx: &Connection, client: &str) {
        tx.execute(
            "INSERT INTO client_requests (action, client, at) VALUES ('test', ?1, 1)",
            [client],
        )
        .unwrap();
    }

    /// Waits until another thread is queued for the writer.
    fn until_someone_queues(s: &SqliteStore) {
        let deadline = Instant::now() + Duration::seconds(10).unsigned_abs();
        while s.queued.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "nobody queued for the writer");
            std::thread::yield_now();
        }
    }

    #[test]
    fn reports_filed_at_once_from_many_threads_are_all_committed_with_gapless_numbers() {
        let (dir, s) = file_store();
        let resident = s.user_by_phone(demo::RESIDENT_PHONE).unwrap().unwrap();
        let (threads, each) = (16, 40);
        let numbers: Vec<i64> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        (0..each)
                            .map(|_| {
                                match s
                                    .insert_report(
                                        &new_report(&resident, OffsetDateTime::now_utc()),
                                        None,
                                    )
                                    .unwrap()
                                {
                                    ReportInsert::Created { report, .. } => report.number,
                                    other => panic!("not filed: {other:?}"),
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=(threads * each) as i64).collect::<Vec<_>>());
        drop(s);
        // Every answer given is on disk, read by a store opened afresh.
        let again = SqliteStore::open(&dir.path().join("linli.sqlite3")).unwrap();
        assert_eq!(
            again
                .reports(Visibility::Reporter(resident.id))
                .unwrap()
                .len(),
            threads * each
        );
    }

    /// Runs `second` while a write on another thread, which recorded `first`, holds the
    /// writer until `second` queues behind it: the two land in one group, and the first write
    /// must leave committing it to the second.
    fn behind_a_held_write<R>(s: &SqliteStore, first: &str, second: impl FnOnce() -> R) -> R {
        std::thread::scope(|scope| {
            let (holding, held) = std::sync::mpsc::channel();
            let writer = scope.spawn(move || {
                s.write(|tx| {
                    record(&tx, first);
                    holding.send(()).unwrap();
                    until_someone_queues(s);
                    Ok(tx.commit()?)
                })
            });
            held.recv().unwrap();
            let answer = second();
            writer.join().unwrap().unwrap();
            answer
        })
    }

    #[test]
    fn a_failed_write_undoes_only_itself_and_the_last_in_line_commits_the_group() {
        let (dir, s) = file_store();
        let refused: StoreResult<()> = behind_a_held_write(&s, "kept", || {
            s.write(|tx| {
                record(&tx, "undone");
                Err(StoreError::Corrupt("refused".into()))
            })
        });
        assert!(refused.is_err());
        assert_eq!(clients_on_disk(&dir), ["kept"]);
    }

    #[test]
    fn a_write_that_panics_neither_loses_its_group_nor_stops_the_next() {
        let (dir, s) = file_store();
        let panicked = behind_a_held_write(&s, "a", || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                s.write(|tx| -> StoreResult<()> {
                    record(&tx, "never");
                    panic!("a bug mid-write")
                })
            }))
        });
        assert!(panicked.is_err());
        s.write(|tx| {
            record(&tx, "b");
            Ok(tx.commit()?)
        })
        .unwrap();
        assert_eq!(clients_on_disk(&dir), ["a", "b"]);
    }

    #[test]
    fn kept_reference_data_is_read_again_after_seeding() {
        let s = SqliteStore::open_in_memory().unwrap();
        assert!(s.categories().unwrap().is_empty());
        assert!(s.seed_if_empty(&demo::seed()).unwrap());
        assert_eq!(s.categories().unwrap().len(), 12);
        assert!(!s.service_targets().unwrap().is_empty());
    }
}
