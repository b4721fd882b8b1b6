//! The device store: one SQLite file, `<data_dir>/linli.db`, in WAL mode, with append-only
//! migrations. Every change that belongs together (a report and its outbox row) is one
//! transaction, so a crash or kill leaves either all of it or none.

use crate::error::Error;
use crate::outbox;
use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode, FieldError, FieldErrorCode};
use linli_api::ids::{ActionId, CommentId, PhotoId, ReportId, UserId};
use linli_api::ipc::{Delivery, LocalAction, LocalPhoto, LocalReport, Relation, ReportSummary};
use linli_api::platform::{Catalogue, NewReport, PartyTime, Profile, ReportDetail};
use linli_api::report::{
    Place, Report, ReportDraft, ReportStatus, TimelineEntry, TimelineKind, Urgency,
};
use linli_api::validate::MAX_PHOTOS;
use rusqlite::{Connection, OptionalExtension, Params, Row, Transaction, params};
use rusqlite_migration::{M, Migrations};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use time::format_description::well_known::Rfc3339;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "linli.db";

const OUTBOX_REPORT: &str = "report";

mod actions;
mod list;
pub use actions::ActionDone;
use list::{ListModel, Touched};

/// Statements run through the connection's prepared-statement cache. The sender and the feed
/// run the same few dozen statements for every item, and parsing each one again cost more than
/// running it (the sync benchmark's profile, issue 5).
trait Cached {
    /// [`Connection::execute`], prepared once.
    fn exec<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;

    /// [`Connection::query_row`], prepared once.
    fn row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Distinct statements the store runs, with room to spare: more than the cache holds and the
/// least recently used are parsed again.
const STATEMENT_CACHE: usize = 128;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_initial.sql")),
        M::up(include_str!("../migrations/0002_report_platform.sql")),
        M::up(include_str!("../migrations/0003_actions.sql")),
        M::up(include_str!("../migrations/0004_report_list.sql")),
    ])
}

/// Settings keys.
pub(crate) mod keys {
    pub const LANGUAGE: &str = "language";
    pub const ELDERLY_MODE: &str = "elderly_mode";
    pub const ELDERLY_ASKED: &str = "elderly_asked";
    pub const PLATFORM_URL: &str = "platform_url";
    pub const SESSION_EXPIRED: &str = "session_expired";
    pub const FEED_LAST_SEQ: &str = "feed_last_seq";
}

pub(crate) fn fmt_ts(t: Timestamp) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn parse_ts(s: &str) -> Result<Timestamp, Error> {
    Timestamp::parse(s, &Rfc3339).map_err(|e| Error::Corrupt(format!("timestamp {s:?}: {e}")))
}

fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    Ok(serde_json::to_string(v)?)
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, Error> {
    Ok(serde_json::from_str(s)?)
}

/// An enum's wire name (`"in_progress"`), for a text column.
fn wire<T: Serialize>(v: &T) -> Result<String, Error> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(Error::Corrupt(format!("not a plain name: {other}"))),
    }
}

fn from_wire<T: DeserializeOwned>(s: &str) -> Result<T, Error> {
    Ok(serde_json::from_value(serde_json::Value::String(
        s.to_string(),
    ))?)
}

fn not_found(what: &str) -> Error {
    Error::Api(ApiError::new(
        ErrorCode::NotFound,
        format!("no such {what}"),
    ))
}

/// Who is looking at the device's reports now: the platform in use, and the person known on it
/// (signed in, or known but with an expired session), if anyone.
///
/// A person sees, edits and sends only their own reports of this platform. With nobody known
/// (never signed in, or signed out on a shared tablet) the list is empty; only drafts that have
/// no owner yet (written before anyone signed in) can be opened by id, and the next person to
/// sign in claims them ([`Store::save_profile`]): whoever sits at the device writing a draft is
/// the one asked to sign in to send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// The platform address in use.
    pub platform_url: String,
    /// The person known on that platform.
    pub user_id: Option<UserId>,
}

/// How long an item whose failed attempt could not be recorded waits before it goes out again
/// (instead of at once, since the disk that refused the write may refuse the next one too).
pub(crate) const UNRECORDED_FAILURE_WAIT: time::Duration = time::Duration::minutes(1);

/// A queued item the sync engine may send.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    /// Outbox position.
    pub seq: i64,
    /// The report, or the report the action is about.
    pub report_id: ReportId,
    /// The action, when the item is one (`None`: the report itself).
    pub action: Option<ActionId>,
    /// Sent as `Idempotency-Key`.
    pub idempotency_key: String,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// What applying the platform's view of a report changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The report was not on the device before (filed from another device).
    pub imported: bool,
    /// The status before, if the device knew one.
    pub old_status: Option<ReportStatus>,
    /// Whether the person wrote it or follows it.
    pub relation: Relation,
    /// Anything the resident would see changed.
    pub changed: bool,
    /// Whether the report's delivery changed (a queued report the platform turned out to
    /// have), so the count of what waits may have moved.
    pub delivery_changed: bool,
}

/// The device database.
pub struct Store {
    conn: Mutex<Connection>,
    /// The person's list as of the last listing (see [`list`]); only used with `conn` held.
    list: Mutex<Option<ListModel>>,
    /// The `reports` rows written since, from SQLite's update hook.
    touched: Arc<Mutex<Touched>>,
    /// The `settings` table as last read ([`Store::setting`]); only used with `conn` held.
    settings: Mutex<Option<HashMap<String, String>>>,
    /// Set by the update hook at any write to `settings`, whatever wrote it: read them again.
    settings_written: Arc<AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

const REPORT_COLUMNS: &str = "r.id, r.category, r.description, r.place, r.urgency, r.number, \
     r.status, r.handling_party, r.place_label, r.timeline, r.created_at, r.updated_at, \
     o.state, o.attempts, o.next_attempt_at, o.last_error, o.sent_bytes, o.total_bytes, \
     r.relation, r.visibility, r.platform, r.time_held";

const REPORT_FROM: &str =
    "FROM reports r LEFT JOIN outbox o ON o.kind = 'report' AND o.record_id = r.id";

/// Outbox rows of both kinds with the report each is about (`o`, `a` for actions, `r`).
const OUTBOX_FROM: &str = "FROM outbox o
     LEFT JOIN actions a ON o.kind = 'action' AND a.id = o.record_id
     JOIN reports r ON r.id = COALESCE(a.report_id, o.record_id)";

/// The raw columns of one report row, read inside the rusqlite callback and converted after.
type RawReport = (
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    RawOutbox,
    RawIssue4,
);
/// Relation, visibility, the platform's report and time held.
type RawIssue4 = (String, String, Option<String>, String);
/// An outbox row's state (`None`: the report has no row, a draft) and its other columns.
type RawOutbox = (Option<String>, RawOutboxDetails);
/// Attempts, next attempt, last error (JSON), bytes sent and bytes in all: all `None` without a
/// row.
type RawOutboxDetails = (
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn raw_report(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawReport> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        row.get(11)?,
        (
            row.get(12)?,
            (
                row.get(13)?,
                row.get(14)?,
                row.get(15)?,
                row.get(16)?,
                row.get(17)?,
            ),
        ),
        (row.get(18)?, row.get(19)?, row.get(20)?, row.get(21)?),
    ))
}

fn delivery_of(
    state: Option<&str>,
    details: &RawOutboxDetails,
    number: Option<i64>,
) -> Result<Delivery, Error> {
    let (attempts, next, last_error, sent, total) = details;
    let last_error: Option<ApiError> = last_error.as_deref().map(from_json).transpose()?;
    Ok(match state {
        None => Delivery::Draft,
        Some("queued") => Delivery::Queued {
            attempts: attempts.unwrap_or(0) as u32,
            next_attempt_at: next.as_deref().map(parse_ts).transpose()?,
            last_error,
        },
        Some("sending") => Delivery::Sending {
            sent_bytes: sent.unwrap_or(0) as u64,
            total_bytes: total.unwrap_or(0) as u64,
        },
        Some("delivered") => Delivery::Delivered {
            number: number.unwrap_or(0),
        },
        Some("rejected") => Delivery::Rejected {
            error: last_error.unwrap_or_else(|| ApiError::new(ErrorCode::Internal, "")),
        },
        Some(other) => return Err(Error::Corrupt(format!("outbox state {other:?}"))),
    })
}

/// A report's words as its row keeps them: category, description, place (JSON), urgency and
/// visibility (wire names).
type RawDraft = (Option<String>, String, Option<String>, String, String);

const DRAFT_COLUMNS: &str = "category, description, place, urgency, visibility";

fn draft_from_raw(raw: RawDraft, photos: &[LocalPhoto]) -> Result<ReportDraft, Error> {
    let (category, description, place, urgency, visibility) = raw;
    Ok(ReportDraft {
        category,
        description,
        place: place.as_deref().map(from_json::<Place>).transpose()?,
        urgency: from_wire::<Urgency>(&urgency)?,
        photo_ids: photos.iter().map(|p| p.id).collect(),
        visibility: from_wire(&visibility)?,
    })
}

fn report_from_raw(
    raw: RawReport,
    photos: Vec<LocalPhoto>,
    actions: Vec<LocalAction>,
) -> Result<LocalReport, Error> {
    let (
        id,
        category,
        description,
        place,
        urgency,
        number,
        status,
        party,
        place_label,
        timeline,
        created_at,
        updated_at,
        outbox,
        (relation, visibility, platform, time_held),
    ) = raw;
    let id: ReportId = id
        .parse()
        .map_err(|e| Error::Corrupt(format!("report id {id:?}: {e}")))?;
    let draft = draft_from_raw((category, description, place, urgency, visibility), &photos)?;
    Ok(LocalReport {
        id,
        draft,
        photos,
        delivery: delivery_of(outbox.0.as_deref(), &outbox.1, number)?,
        status: status.as_deref().map(from_wire).transpose()?,
        handling_party: party.as_deref().map(from_wire).transpose()?,
        place_label,
        timeline: from_json(&timeline)?,
        relation: from_wire(&relation)?,
        platform: platform.as_deref().map(from_json).transpose()?,
        time_held: from_json(&time_held)?,
        actions,
        created_at: parse_ts(&created_at)?,
        updated_at: parse_ts(&updated_at)?,
    })
}

fn photos_of(tx: &Connection, report_id: ReportId) -> Result<Vec<LocalPhoto>, Error> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, width, height, bytes FROM photos
         WHERE report_id = ?1 AND comment_id IS NULL ORDER BY position",
    )?;
    let rows = stmt.query_map([report_id.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, width, height, bytes) = row?;
        out.push(LocalPhoto {
            id: id
                .parse()
                .map_err(|e| Error::Corrupt(format!("photo id {id:?}: {e}")))?,
            width: width as u32,
            height: height as u32,
            bytes: bytes as u64,
        });
    }
    Ok(out)
}

fn load_report(conn: &Connection, id: ReportId) -> Result<Option<LocalReport>, Error> {
    let raw = conn
        .row(
            &format!("SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE r.id = ?1"),
            [id.to_string()],
            raw_report,
        )
        .optional()?;
    match raw {
        None => Ok(None),
        Some(raw) => {
            let photos = photos_of(conn, id)?;
            let actions = actions::actions_of(conn, id)?;
            Ok(Some(report_from_raw(raw, photos, actions)?))
        }
    }
}

fn require_report(conn: &Connection, id: ReportId) -> Result<LocalReport, Error> {
    load_report(conn, id)?.ok_or_else(|| not_found("report"))
}

/// Locks, whether or not a thread panicked holding the lock: what these locks guard is whole
/// after every statement.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn touch(tx: &Transaction<'_>, id: ReportId, now: Timestamp) -> Result<(), Error> {
    tx.exec(
        "UPDATE reports SET updated_at = ?2 WHERE id = ?1",
        params![id.to_string(), fmt_ts(now)],
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, brings it to the latest schema and
    /// puts back into the queue anything a previous run left half-sent.
    pub fn open(data_dir: &Path) -> Result<Store, Error> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, e))?;
        let mut conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Pages kept in memory, in KiB (negative). SQLite's default of 2 MiB is less than the
        // list index of ten thousand reports (`reports_listed`, about 2 MiB), so each listing
        // read all of it from the file again.
        conn.pragma_update(None, "cache_size", -8192)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrations().to_latest(&mut conn)?;
        // Installed after the migrations and before anything else writes: from here on every
        // write to a report's row is seen by the list (see [`list`]).
        let touched = Arc::new(Mutex::new(Touched::default()));
        let seen = touched.clone();
        let settings_written = Arc::new(AtomicBool::new(false));
        let settings_seen = settings_written.clone();
        conn.update_hook(Some(move |_, _: &str, table: &str, rowid| match table {
            "reports" => lock(&seen).note(rowid),
            "settings" => settings_seen.store(true, Ordering::SeqCst),
            _ => {}
        }))?;
        let store = Store {
            conn: Mutex::new(conn),
            list: Mutex::new(None),
            touched,
            settings: Mutex::new(None),
            settings_written,
        };
        let recovered = store.recover_sending()?;
        if recovered > 0 {
            tracing::info!(
                recovered,
                "items left sending by the last run are queued again"
            );
        }
        Ok(store)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so the connection is still good.
        lock(&self.conn)
    }

    /// Runs `f` in one transaction: all of it is written, or none.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// `Sending` at start-up (or after the sender stopped) means an attempt was cut short: queue
    /// it again, keeping its attempts and backoff (the platform deduplicates by the report's id
    /// if the attempt did arrive). The only place this rule lives.
    pub(crate) fn recover_sending(&self) -> Result<usize, Error> {
        Ok(self.conn().exec(
            "UPDATE outbox SET state = 'queued', sent_bytes = 0 WHERE state = 'sending'",
            [],
        )?)
    }

    // ---- settings and small facts ----

    /// A stored setting.
    ///
    /// Read from memory: the settings in force are asked for several times for each report
    /// sent (who is signed in, the platform's address, the language), and written rarely. The
    /// table is read again after any write to it, which the update hook sees; a write rolled
    /// back only costs a read.
    pub fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        let conn = self.conn();
        let mut kept = lock(&self.settings);
        if self.settings_written.swap(false, Ordering::SeqCst) {
            *kept = None;
        }
        let settings = match &mut *kept {
            Some(settings) => settings,
            None => {
                let mut stmt = conn.prepare_cached("SELECT key, value FROM settings")?;
                let all = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                kept.insert(all)
            }
        };
        Ok(settings.get(key).cloned())
    }

    /// Stores a setting, or forgets it with `None`.
    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), Error> {
        self.set_settings(&[(key, value.map(str::to_string))])
    }

    /// Stores several settings in one transaction.
    pub fn set_settings(&self, values: &[(&str, Option<String>)]) -> Result<(), Error> {
        self.write(|tx| {
            for (key, value) in values {
                match value {
                    Some(v) => tx.exec(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![key, v],
                    )?,
                    None => tx.exec("DELETE FROM settings WHERE key = ?1", [key])?,
                };
            }
            Ok(())
        })
    }

    // ---- profile and catalogue ----

    /// The last known profile and the platform it belongs to.
    pub fn profile(&self) -> Result<Option<(String, Profile)>, Error> {
        let row: Option<(String, String)> = self
            .conn()
            .row(
                "SELECT platform_url, body FROM profile WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(url, body)| Ok((url, from_json(&body)?)))
            .transpose()
    }

    /// Remembers who signed in, on which platform. When that is someone else than the person
    /// known before, what was theirs goes: the change-feed position (so the new person's own
    /// earlier reports are imported from the start) and the catalogue (it lists the person's
    /// units). Drafts nobody owns yet are claimed by this person (see [`Viewer`]), as are
    /// their own reports from before reports recorded their platform.
    pub fn save_profile(&self, platform_url: &str, profile: &Profile) -> Result<(), Error> {
        self.write(|tx| {
            let before: Option<(String, i64)> = tx
                .row(
                    "SELECT platform_url, user_id FROM profile WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if before.as_ref().map(|(u, id)| (u.as_str(), *id))
                != Some((platform_url, profile.user_id.0))
            {
                forget_person(tx)?;
            }
            tx.exec(
                "INSERT INTO profile (id, platform_url, user_id, body) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET platform_url = excluded.platform_url,
                     user_id = excluded.user_id, body = excluded.body",
                params![platform_url, profile.user_id.0, to_json(profile)?],
            )?;
            tx.exec(
                "UPDATE reports SET owner_user_id = ?1, platform_url = ?2
                 WHERE owner_user_id IS NULL",
                params![profile.user_id.0, platform_url],
            )?;
            tx.exec(
                "UPDATE reports SET platform_url = ?2
                 WHERE platform_url IS NULL AND owner_user_id = ?1",
                params![profile.user_id.0, platform_url],
            )?;
            Ok(())
        })
    }

    /// Forgets who was signed in (on sign-out), with what was theirs: the change-feed position
    /// and the catalogue (their units). Reports and settings stay; the reports are hidden until
    /// their owner signs in again.
    pub fn forget_profile(&self) -> Result<(), Error> {
        self.write(|tx| {
            tx.exec("DELETE FROM profile", [])?;
            forget_person(tx)
        })?;
        self.forget_list();
        Ok(())
    }

    /// Drops the list kept in memory, so a signed-out person's rows do not stay in memory.
    fn forget_list(&self) {
        let _conn = self.conn();
        *lock(&self.list) = None;
    }

    /// Forgets everything tied to one platform (after the address changed): profile,
    /// catalogue, change-feed position. Reports stay.
    pub fn forget_platform(&self) -> Result<(), Error> {
        self.write(|tx| {
            tx.exec("DELETE FROM profile", [])?;
            tx.exec("DELETE FROM catalogue", [])?;
            tx.exec(
                "DELETE FROM settings WHERE key IN (?1, ?2)",
                params![keys::FEED_LAST_SEQ, keys::SESSION_EXPIRED],
            )?;
            Ok(())
        })?;
        self.forget_list();
        Ok(())
    }

    /// The cached catalogue of `platform_url`, if any.
    pub fn catalogue(&self, platform_url: &str) -> Result<Option<Catalogue>, Error> {
        let body: Option<String> = self
            .conn()
            .row(
                "SELECT body FROM catalogue WHERE id = 1 AND platform_url = ?1",
                [platform_url],
                |r| r.get(0),
            )
            .optional()?;
        body.as_deref().map(from_json).transpose()
    }

    /// Caches the catalogue; says whether it differs from what was cached.
    pub fn save_catalogue(
        &self,
        platform_url: &str,
        catalogue: &Catalogue,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let before = self.catalogue(platform_url)?;
        self.conn().exec(
            "INSERT INTO catalogue (id, platform_url, body, fetched_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET platform_url = excluded.platform_url,
                 body = excluded.body, fetched_at = excluded.fetched_at",
            params![platform_url, to_json(catalogue)?, fmt_ts(now)],
        )?;
        Ok(before.as_ref() != Some(catalogue))
    }

    // ---- reports ----

    /// Starts a new, empty draft on `viewer`'s platform, owned by the person known there (none
    /// before anyone signed in: the next person to sign in claims it).
    pub fn new_draft(
        &self,
        id: ReportId,
        viewer: &Viewer,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO reports (id, owner_user_id, platform_url, urgency, created_at,
                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    id.to_string(),
                    viewer.user_id.map(|u| u.0),
                    viewer.platform_url,
                    wire(&Urgency::default())?,
                    fmt_ts(now)
                ],
            )?;
            require_report(tx, id)
        })
    }

    /// One report, whoever it belongs to (the sync engine's view; the person's is
    /// [`Store::is_visible`]).
    pub fn report(&self, id: ReportId) -> Result<Option<LocalReport>, Error> {
        load_report(&self.conn(), id)
    }

    /// The report's status and last change as the platform's latest stored answer gives them;
    /// `None` when the device has no answer for it (a draft, a queued report, an unknown id).
    pub fn platform_version(
        &self,
        id: ReportId,
    ) -> Result<Option<(ReportStatus, Timestamp)>, Error> {
        let platform: Option<Option<String>> = self
            .conn()
            .row(
                "SELECT platform FROM reports WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        platform
            .flatten()
            .map(|json| from_json::<Report>(&json).map(|r| (r.status, r.updated_at)))
            .transpose()
    }

    /// Whether the report is being sent right now.
    pub fn is_sending(&self, id: ReportId) -> Result<bool, Error> {
        Ok(self
            .conn()
            .row(
                "SELECT 1 FROM outbox WHERE kind = ?1 AND record_id = ?2 AND state = 'sending'",
                params![OUTBOX_REPORT, id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Whether `viewer` may see and change the report (see [`Viewer`]).
    pub fn is_visible(&self, id: ReportId, viewer: &Viewer) -> Result<bool, Error> {
        let owner: Option<(Option<i64>, Option<String>)> = self
            .conn()
            .row(
                "SELECT owner_user_id, platform_url FROM reports WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match (owner, viewer.user_id) {
            (None, _) => false,
            (Some((owner, platform)), Some(me)) => {
                owner == Some(me.0) && platform.as_deref() == Some(viewer.platform_url.as_str())
            }
            (Some((owner, _)), None) => owner.is_none(),
        })
    }

    /// The report a photo belongs to.
    pub fn photo_report(&self, photo_id: PhotoId) -> Result<Option<ReportId>, Error> {
        let id: Option<String> = self
            .conn()
            .row(
                "SELECT report_id FROM photos WHERE id = ?1",
                [photo_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| {
            id.parse()
                .map_err(|e| Error::Corrupt(format!("report id {id:?}: {e}")))
        })
        .transpose()
    }

    /// The list rows of the person known on `viewer`'s platform, newest first; none when nobody
    /// is known. Kept in memory between listings and brought up to date with the reports
    /// written since (see `store/list.rs`), so a listing costs a copy of the rows.
    pub fn report_summaries(&self, viewer: &Viewer) -> Result<Vec<ReportSummary>, Error> {
        if viewer.user_id.is_none() {
            return Ok(Vec::new());
        }
        let conn = self.conn();
        let touched = std::mem::take(&mut *lock(&self.touched));
        ListModel::listing(&mut lock(&self.list), &conn, viewer, touched)
    }

    /// Saves what the resident wrote (not photos), if the report is still theirs to edit.
    pub fn save_draft(
        &self,
        id: ReportId,
        draft: &ReportDraft,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            let current = require_report(tx, id)?;
            outbox::can_edit(&current.delivery)?;
            tx.exec(
                "UPDATE reports SET category = ?2, description = ?3, place = ?4, urgency = ?5,
                     updated_at = ?6, visibility = ?7 WHERE id = ?1",
                params![
                    id.to_string(),
                    draft.category,
                    draft.description,
                    draft.place.as_ref().map(to_json).transpose()?,
                    wire(&draft.urgency)?,
                    fmt_ts(now),
                    wire(&draft.visibility)?
                ],
            )?;
            require_report(tx, id)
        })
    }

    /// Whether another photo may be added to the report (checked before the costly resize).
    pub fn check_photo_room(&self, id: ReportId) -> Result<(), Error> {
        let conn = self.conn();
        let current = require_report(&conn, id)?;
        outbox::can_edit(&current.delivery)?;
        if current.photos.len() >= MAX_PHOTOS {
            return Err(too_many_photos());
        }
        Ok(())
    }

    /// Adds a photo whose file is already written.
    pub fn add_photo(
        &self,
        report_id: ReportId,
        photo: &LocalPhoto,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            let current = require_report(tx, report_id)?;
            outbox::can_edit(&current.delivery)?;
            if current.photos.len() >= MAX_PHOTOS {
                return Err(too_many_photos());
            }
            tx.exec(
                "INSERT INTO photos (id, report_id, position, width, height, bytes, created_at)
                 VALUES (?1, ?2,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE report_id = ?2),
                     ?3, ?4, ?5, ?6)",
                params![
                    photo.id.to_string(),
                    report_id.to_string(),
                    photo.width,
                    photo.height,
                    photo.bytes as i64,
                    fmt_ts(now)
                ],
            )?;
            touch(tx, report_id, now)?;
            require_report(tx, report_id)
        })
    }

    /// Takes a photo off a report the resident may still edit.
    pub fn remove_photo(
        &self,
        report_id: ReportId,
        photo_id: PhotoId,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            let current = require_report(tx, report_id)?;
            outbox::can_edit(&current.delivery)?;
            let removed = tx.exec(
                "DELETE FROM photos WHERE id = ?1 AND report_id = ?2",
                params![photo_id.to_string(), report_id.to_string()],
            )?;
            if removed == 0 {
                return Err(not_found("photo"));
            }
            touch(tx, report_id, now)?;
            require_report(tx, report_id)
        })
    }

    /// Queues a draft (or a rejected report) for delivery, if `check` finds nothing wrong with
    /// it. The report and its outbox row are written together; a refused submit changes nothing.
    /// A report goes out only under its owner's name, so one without an owner (written before
    /// anyone signed in, with nobody signed in now) is refused with `sign_in_required`.
    pub fn submit(
        &self,
        id: ReportId,
        viewer: &Viewer,
        now: Timestamp,
        check: impl FnOnce(&LocalReport) -> Vec<FieldError>,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            let current = require_report(tx, id)?;
            let next = outbox::submit(&current.delivery)?;
            let problems = check(&current);
            if !problems.is_empty() {
                return Err(Error::Api(ApiError::validation(problems)));
            }
            let owner: Option<i64> = tx.row(
                "SELECT COALESCE(owner_user_id, ?2) FROM reports WHERE id = ?1",
                params![id.to_string(), viewer.user_id.map(|u| u.0)],
                |r| r.get(0),
            )?;
            if owner.is_none() {
                return Err(Error::Api(ApiError::new(
                    ErrorCode::SignInRequired,
                    "sign in to send the report; it is kept as a draft",
                )));
            }
            let Delivery::Queued { attempts, .. } = next else {
                return Err(Error::Corrupt("submit must queue".into()));
            };
            // Re-queued reports go to the back of the line with a fresh row.
            tx.exec(
                "DELETE FROM outbox WHERE kind = ?1 AND record_id = ?2",
                params![OUTBOX_REPORT, id.to_string()],
            )?;
            tx.exec(
                "INSERT INTO outbox (kind, record_id, idempotency_key, state, attempts,
                     created_at, updated_at)
                 VALUES (?1, ?2, ?2, 'queued', ?3, ?4, ?4)",
                params![OUTBOX_REPORT, id.to_string(), attempts, fmt_ts(now)],
            )?;
            tx.exec(
                "UPDATE reports SET owner_user_id = ?2,
                     platform_url = COALESCE(platform_url, ?3), updated_at = ?4
                 WHERE id = ?1",
                params![id.to_string(), owner, viewer.platform_url, fmt_ts(now)],
            )?;
            require_report(tx, id)
        })
    }

    /// Deletes a report the platform never took; returns its photos so their files can go too.
    pub fn discard(&self, id: ReportId) -> Result<Vec<PhotoId>, Error> {
        self.write(|tx| {
            let current = require_report(tx, id)?;
            outbox::can_discard(&current.delivery)?;
            tx.exec(
                "DELETE FROM outbox WHERE kind = ?1 AND record_id = ?2",
                params![OUTBOX_REPORT, id.to_string()],
            )?;
            tx.exec("DELETE FROM reports WHERE id = ?1", [id.to_string()])?;
            Ok(current.photos.iter().map(|p| p.id).collect())
        })
    }

    // ---- outbox, for the sync engine ----

    /// Items of `viewer`'s person waiting (queued or sending); none when nobody is known.
    pub fn pending_count(&self, viewer: &Viewer) -> Result<u32, Error> {
        let Some(me) = viewer.user_id else {
            return Ok(0);
        };
        Ok(self.conn().row(
            &format!(
                "SELECT COUNT(*) {OUTBOX_FROM}
                 WHERE o.state IN ('queued', 'sending')
                   AND r.owner_user_id = ?1 AND r.platform_url = ?2"
            ),
            params![me.0, viewer.platform_url],
            |r| r.get::<_, i64>(0),
        )? as u32)
    }

    /// Goes through the queued items that `sender` may send to `platform_url`, in order, with
    /// their delivery state (only their own, and only those written for or imported from that
    /// platform), until `visit` says it has seen enough. The rows are read as they are visited,
    /// so finding the next item to send costs the same with ten or ten thousand waiting.
    fn scan_queued(
        &self,
        sender: UserId,
        platform_url: &str,
        mut visit: impl FnMut(Outgoing, Delivery) -> std::ops::ControlFlow<()>,
    ) -> Result<(), Error> {
        let conn = self.conn();
        // An action waits for its report to be delivered and for the actions on the same
        // report before it (creation order per report); a refused one no longer holds others.
        // The earlier actions are looked up from the report's own (CROSS JOIN keeps that
        // order): from the outbox side, every waiting row before this one was read for each
        // action, which made draining a backlog of thousands cubic.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT o.seq, r.id, o.idempotency_key, o.state, o.attempts,
                    o.next_attempt_at, o.last_error, o.sent_bytes, o.total_bytes, a.id
             {OUTBOX_FROM}
             WHERE o.state = 'queued'
               AND r.owner_user_id = ?1 AND r.platform_url = ?2
               AND (o.kind = 'report' OR (
                   EXISTS (SELECT 1 FROM outbox ro WHERE ro.kind = 'report'
                           AND ro.record_id = r.id AND ro.state = 'delivered')
                   AND NOT EXISTS (SELECT 1 FROM actions ea
                           CROSS JOIN outbox eo ON eo.kind = 'action' AND eo.record_id = ea.id
                           WHERE ea.report_id = r.id AND eo.seq < o.seq
                             AND eo.state IN ('queued', 'sending'))))
             ORDER BY o.seq"
        ))?;
        let rows = stmt.query_map(params![sender.0, platform_url], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                (
                    row.get::<_, Option<String>>(3)?,
                    (
                        row.get::<_, Option<i64>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, Option<i64>>(7)?,
                        row.get::<_, Option<i64>>(8)?,
                    ),
                ),
                row.get::<_, Option<String>>(9)?,
            ))
        })?;
        for row in rows {
            let (seq, record_id, key, raw, action) = row?;
            let delivery = delivery_of(raw.0.as_deref(), &raw.1, None)?;
            let attempts = match &delivery {
                Delivery::Queued { attempts, .. } => *attempts,
                _ => 0,
            };
            let outgoing = Outgoing {
                seq,
                report_id: record_id
                    .parse()
                    .map_err(|e| Error::Corrupt(format!("outbox record id: {e}")))?,
                action: action
                    .map(|a| a.parse())
                    .transpose()
                    .map_err(|e| Error::Corrupt(format!("action id: {e}")))?,
                idempotency_key: key,
                attempts,
            };
            if visit(outgoing, delivery).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// The first item `sender` should send to `platform_url` now that `pass` offers
    /// ([`outbox::Pass::offers`]).
    pub fn next_due(
        &self,
        sender: UserId,
        platform_url: &str,
        now: Timestamp,
        pass: &outbox::Pass,
    ) -> Result<Option<Outgoing>, Error> {
        let mut found = None;
        self.scan_queued(sender, platform_url, |o, d| {
            if pass.offers(o.seq, &d, now) {
                found = Some(o);
                return std::ops::ControlFlow::Break(());
            }
            std::ops::ControlFlow::Continue(())
        })?;
        Ok(found)
    }

    /// When the next queued item of `sender` for `platform_url` becomes due, if any is waiting.
    pub fn next_wake(
        &self,
        sender: UserId,
        platform_url: &str,
    ) -> Result<Option<Timestamp>, Error> {
        let mut earliest: Option<Timestamp> = None;
        self.scan_queued(sender, platform_url, |_, d| {
            if let Delivery::Queued {
                next_attempt_at, ..
            } = d
            {
                let at = next_attempt_at.unwrap_or(Timestamp::UNIX_EPOCH);
                earliest = Some(earliest.map_or(at, |e| e.min(at)));
            }
            std::ops::ControlFlow::Continue(())
        })?;
        Ok(earliest)
    }

    /// Marks an item as going out; false if it is no longer queued (discarded, already sent).
    /// (The sender goes through [`Store::deliver_then_start`].)
    #[cfg(test)]
    pub fn start_sending(&self, seq: i64, total_bytes: u64, now: Timestamp) -> Result<bool, Error> {
        Ok(self.deliver_then_start(&[], &[(seq, total_bytes)], now)?[0])
    }

    /// Records the platform's answers to delivered reports (outbox item, answer; as
    /// [`Store::mark_delivered`]) and then marks the items of `starts` as going out (`seq`,
    /// bytes to send), all in one transaction; for each start, whether its item was still
    /// queued. While a backlog drains, answers come back as the next items leave: one commit
    /// for all of them costs little more than one of them, as they share most of their pages.
    pub fn deliver_then_start(
        &self,
        delivered: &[(i64, Report)],
        starts: &[(i64, u64)],
        now: Timestamp,
    ) -> Result<Vec<bool>, Error> {
        self.write(|tx| {
            for (seq, report) in delivered {
                deliver(tx, *seq, report, now)?;
            }
            let at = fmt_ts(now);
            starts
                .iter()
                .map(|(seq, total_bytes)| {
                    Ok(tx.exec(
                        "UPDATE outbox SET state = 'sending', sent_bytes = 0, total_bytes = ?2,
                             updated_at = ?3
                         WHERE seq = ?1 AND state = 'queued'",
                        params![seq, *total_bytes as i64, at],
                    )? == 1)
                })
                .collect()
        })
    }

    /// Records upload progress of an item being sent.
    pub fn set_progress(&self, seq: i64, sent_bytes: u64) -> Result<(), Error> {
        self.conn().exec(
            "UPDATE outbox SET sent_bytes = ?2 WHERE seq = ?1 AND state = 'sending'",
            params![seq, sent_bytes as i64],
        )?;
        Ok(())
    }

    /// Photos of a report (`comment`: of that comment on it instead) with whether the
    /// platform already has each.
    pub fn photos_to_send(
        &self,
        report_id: ReportId,
        comment: Option<CommentId>,
    ) -> Result<Vec<(LocalPhoto, bool)>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, width, height, bytes, uploaded FROM photos
             WHERE report_id = ?1 AND comment_id IS ?2 ORDER BY position",
        )?;
        let rows = stmt
            .query_map(
                params![report_id.to_string(), comment.map(|c| c.to_string())],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, i64>(4)? != 0,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, width, height, bytes, uploaded)| {
                let id = id
                    .parse()
                    .map_err(|e| Error::Corrupt(format!("photo id {id:?}: {e}")))?;
                let photo = LocalPhoto {
                    id,
                    width: width as u32,
                    height: height as u32,
                    bytes: bytes as u64,
                };
                Ok((photo, uploaded))
            })
            .collect()
    }

    /// Remembers that the platform has a photo's bytes (`false`: send them again).
    pub fn set_photo_uploaded(&self, photo_id: PhotoId, uploaded: bool) -> Result<(), Error> {
        self.conn().exec(
            "UPDATE photos SET uploaded = ?2 WHERE id = ?1",
            params![photo_id.to_string(), uploaded as i64],
        )?;
        Ok(())
    }

    /// The body to send for a queued report; `Err` with field errors if it is somehow not
    /// complete (it was validated on submit).
    pub fn new_report_body(&self, report_id: ReportId) -> Result<NewReport, Error> {
        // Only the words and the photos: the sender asks for every report it sends, and the
        // whole report (timeline, actions, the platform's answer) is not part of the body.
        let conn = self.conn();
        let raw = conn
            .row(
                &format!("SELECT {DRAFT_COLUMNS} FROM reports WHERE id = ?1"),
                [report_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| not_found("report"))?;
        let d = draft_from_raw(raw, &photos_of(&conn, report_id)?)?;
        drop(conn);
        match (d.category, d.place) {
            (Some(category), Some(place)) => Ok(NewReport {
                id: report_id,
                category,
                description: d.description,
                place,
                urgency: d.urgency,
                photo_ids: d.photo_ids,
                visibility: d.visibility,
            }),
            (category, place) => {
                let mut fields = Vec::new();
                if category.is_none() {
                    fields.push(FieldError::new("category", FieldErrorCode::Required));
                }
                if place.is_none() {
                    fields.push(FieldError::new("place", FieldErrorCode::Required));
                }
                Err(Error::Api(ApiError::validation(fields)))
            }
        }
    }

    /// The platform took the report: store its number and what it says. (The sender goes
    /// through [`Store::deliver_then_start`].)
    #[cfg(test)]
    pub fn mark_delivered(&self, seq: i64, report: &Report, now: Timestamp) -> Result<(), Error> {
        self.write(|tx| deliver(tx, seq, report, now))
    }

    /// Puts an item that was being sent into the state [`outbox::after_failure`] chose.
    pub fn mark_failed(&self, seq: i64, next: &Delivery, now: Timestamp) -> Result<(), Error> {
        let (state, attempts, at, error) = match next {
            Delivery::Queued {
                attempts,
                next_attempt_at,
                last_error,
            } => ("queued", *attempts, *next_attempt_at, last_error.as_ref()),
            Delivery::Rejected { error } => ("rejected", 0, None, Some(error)),
            other => {
                return Err(Error::Corrupt(format!(
                    "a failure cannot lead to {}",
                    outbox::state_name(other)
                )));
            }
        };
        self.conn().exec(
            "UPDATE outbox SET state = ?2, attempts = CASE WHEN ?2 = 'queued' THEN ?3 ELSE attempts END,
                 next_attempt_at = ?4, last_error = ?5, sent_bytes = 0, updated_at = ?6
             WHERE seq = ?1",
            params![
                seq,
                state,
                attempts,
                at.map(fmt_ts),
                error.map(to_json).transpose()?,
                fmt_ts(now)
            ],
        )?;
        Ok(())
    }

    /// Records where a failed attempt leaves an item ([`Store::mark_failed`]), retrying the
    /// write once. If it still cannot be written, the item is at least put back in the queue
    /// (after a short wait) rather than left `sending` until the next start, where nothing would
    /// ever send it. `Err` only when even that failed.
    pub fn record_failure(&self, seq: i64, next: &Delivery, now: Timestamp) -> Result<(), Error> {
        let Err(first) = self.mark_failed(seq, next, now) else {
            return Ok(());
        };
        tracing::warn!(error = %first, seq, "failed attempt not recorded; trying again");
        let Err(second) = self.mark_failed(seq, next, now) else {
            return Ok(());
        };
        tracing::error!(error = %second, seq, "failed attempt not recorded; queuing the item again");
        let at = match next {
            Delivery::Queued {
                next_attempt_at: Some(at),
                ..
            } => *at,
            _ => now + UNRECORDED_FAILURE_WAIT,
        };
        self.requeue(seq, Some(at))
    }

    /// Puts an item caught `sending` back in the queue, keeping its attempts; `at`: not before.
    pub fn requeue(&self, seq: i64, at: Option<Timestamp>) -> Result<(), Error> {
        self.conn().exec(
            "UPDATE outbox SET state = 'queued', sent_bytes = 0,
                 next_attempt_at = COALESCE(?2, next_attempt_at)
             WHERE seq = ?1 AND state = 'sending'",
            params![seq, at.map(fmt_ts)],
        )?;
        Ok(())
    }

    /// Stores what the platform at `platform_url` says about a report now. A report the device
    /// did not have (filed from another device) is added as delivered, as that platform's; one
    /// the device had queued or rejected is delivered after all (the platform holds it, so an
    /// earlier try arrived).
    ///
    /// `viewer` is the person the platform answered: a report they follow (the platform
    /// names no reporter for it) is kept as theirs, [`Relation::Following`].
    pub fn apply_detail(
        &self,
        detail: &ReportDetail,
        platform_url: &str,
        viewer: UserId,
        now: Timestamp,
    ) -> Result<Applied, Error> {
        self.write(|tx| apply_detail_in(tx, detail, platform_url, viewer, now))
    }
}

/// [`Store::apply_detail`] inside a transaction that may do more.
fn apply_detail_in(
    tx: &Transaction<'_>,
    detail: &ReportDetail,
    platform_url: &str,
    viewer: UserId,
    now: Timestamp,
) -> Result<Applied, Error> {
    {
        {
            let report = &detail.report;
            let before = load_report(tx, report.id)?;
            let imported = before.is_none();
            if imported {
                let (owner, relation) = if report.following {
                    (viewer, Relation::Following)
                } else {
                    (report.reporter, Relation::Mine)
                };
                tx.exec(
                    "INSERT INTO reports (id, owner_user_id, platform_url, category,
                         description, place, urgency, created_at, updated_at, relation,
                         visibility)
                     VALUES (?1, ?2, ?8, ?3, ?4, ?5, ?6, ?7, ?7, ?9, ?10)",
                    params![
                        report.id.to_string(),
                        owner.0,
                        report.category,
                        report.description,
                        to_json(&report.place)?,
                        wire(&report.urgency)?,
                        fmt_ts(report.created_at),
                        platform_url,
                        wire(&relation)?,
                        wire(&report.visibility)?
                    ],
                )?;
            }
            tx.exec(
                "INSERT INTO outbox (kind, record_id, idempotency_key, state, created_at, updated_at)
                 VALUES (?1, ?2, ?2, 'delivered', ?3, ?3)
                 ON CONFLICT (kind, record_id) DO UPDATE SET state = 'delivered',
                     last_error = NULL, next_attempt_at = NULL, updated_at = excluded.updated_at
                 WHERE outbox.state <> 'sending'",
                params![OUTBOX_REPORT, report.id.to_string(), fmt_ts(now)],
            )?;
            write_platform_fields(tx, report, Some((&detail.timeline, &detail.time_held)), now)?;
            let after = require_report(tx, report.id)?;
            let changed = match &before {
                None => true,
                Some(b) => {
                    b.status != after.status
                        || b.timeline != after.timeline
                        || b.handling_party != after.handling_party
                        || b.delivery != after.delivery
                        || b.platform != after.platform
                        || b.time_held != after.time_held
                }
            };
            Ok(Applied {
                imported,
                old_status: before.as_ref().and_then(|b| b.status),
                relation: after.relation,
                changed,
                delivery_changed: before.as_ref().is_none_or(|b| b.delivery != after.delivery),
            })
        }
    }
}

/// Drops what belonged to the person known until now: where their change feed stopped and their
/// catalogue (which lists their units).
fn forget_person(tx: &Transaction<'_>) -> Result<(), Error> {
    tx.exec("DELETE FROM settings WHERE key = ?1", [keys::FEED_LAST_SEQ])?;
    tx.exec("DELETE FROM catalogue", [])?;
    Ok(())
}

fn too_many_photos() -> Error {
    Error::Api(ApiError::validation(vec![FieldError::with_limit(
        "photos",
        FieldErrorCode::TooMany,
        MAX_PHOTOS as u32,
    )]))
}

/// Outbox item `seq` was delivered and `report` is the platform's answer.
fn deliver(tx: &Transaction<'_>, seq: i64, report: &Report, now: Timestamp) -> Result<(), Error> {
    tx.exec(
        "UPDATE outbox SET state = 'delivered', last_error = NULL, next_attempt_at = NULL,
             sent_bytes = total_bytes, updated_at = ?2
         WHERE seq = ?1",
        params![seq, fmt_ts(now)],
    )?;
    write_platform_fields(tx, report, None, now)
}

fn write_platform_fields(
    tx: &Transaction<'_>,
    report: &Report,
    detail: Option<(&[TimelineEntry], &[PartyTime])>,
    now: Timestamp,
) -> Result<(), Error> {
    let known: Option<Vec<TimelineEntry>> = tx
        .row(
            "SELECT timeline FROM reports WHERE id = ?1",
            [report.id.to_string()],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|t| from_json(&t))
        .transpose()?;
    let newest_known = known.as_ref().and_then(|t| t.last()).map(|e| e.at);
    if newest_known.is_some_and(|at| at > report.updated_at) {
        // An older answer (an idempotent replay of the first response) arriving after a newer
        // one: the device already knows of a later change (statuses can go round again, when a
        // report is reopened, so the platform's time of the change decides, not the status).
        tx.exec(
            "UPDATE reports SET number = ?2, updated_at = ?3 WHERE id = ?1",
            params![report.id.to_string(), report.number, fmt_ts(now)],
        )?;
        return Ok(());
    }
    let time_held = detail.map(|(_, held)| to_json(&held)).transpose()?;
    let timeline = match detail.map(|(t, _)| t) {
        Some(t) => t.to_vec(),
        None => {
            // Until the detail arrives, the timeline starts where the platform received it.
            let existing = known.ok_or_else(|| not_found("report"))?;
            if existing.is_empty() {
                vec![TimelineEntry {
                    at: report.created_at,
                    status: ReportStatus::Received,
                    party: None,
                    note: None,
                    kind: TimelineKind::Filed,
                    from_party: None,
                    to_party: Some(report.handling_party),
                    photo_ids: Vec::new(),
                    rating: None,
                }]
            } else {
                existing
            }
        }
    };
    // A followed report stays the follower's on this device: the platform names no reporter.
    tx.exec(
        "UPDATE reports SET number = ?2, status = ?3, handling_party = ?4, place_label = ?5,
             timeline = ?6,
             owner_user_id = CASE WHEN ?9 THEN owner_user_id ELSE ?7 END,
             relation = CASE WHEN ?9 THEN 'following' ELSE 'mine' END,
             updated_at = ?8, platform = ?10, time_held = COALESCE(?11, time_held),
             visibility = ?12
         WHERE id = ?1",
        params![
            report.id.to_string(),
            report.number,
            wire(&report.status)?,
            wire(&report.handling_party)?,
            report.place_label,
            to_json(&timeline)?,
            report.reporter.0,
            fmt_ts(now),
            report.following,
            to_json(report)?,
            time_held,
            wire(&report.visibility)?
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::ids::{UnitId, UserId};
    use linli_api::report::Party;
    use time::macros::datetime;

    const T0: Timestamp = datetime!(2025-06-01 08:00 UTC);
    const URL: &str = "http://127.0.0.1:8731";

    fn me() -> Viewer {
        Viewer {
            platform_url: URL.into(),
            user_id: Some(UserId(5)),
        }
    }

    fn nobody() -> Viewer {
        Viewer {
            platform_url: URL.into(),
            user_id: None,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    fn complete() -> ReportDraft {
        ReportDraft {
            category: Some("water_plumbing".into()),
            description: "厨房水管漏水很严重".into(),
            place: Some(Place::Unit { unit_id: UnitId(3) }),
            urgency: Urgency::Soon,
            photo_ids: vec![],
            visibility: Default::default(),
        }
    }

    fn platform_report(id: ReportId, status: ReportStatus) -> Report {
        Report {
            id,
            number: 1001,
            reporter: UserId(5),
            category: "water_plumbing".into(),
            description: "厨房水管漏水很严重".into(),
            place: Place::Unit { unit_id: UnitId(3) },
            place_label: "3栋2单元501".into(),
            urgency: Urgency::Soon,
            status,
            handling_party: Party::PropertyCompany,
            photo_ids: vec![],
            created_at: T0,
            updated_at: T0,
            affected: 1,
            following: false,
            visibility: Default::default(),
            clock: Default::default(),
            reopen_count: 0,
            rating: None,
        }
    }

    #[test]
    fn a_draft_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let id = ReportId::new();
        {
            let s = Store::open(dir.path()).unwrap();
            s.new_draft(id, &me(), T0).unwrap();
            s.save_draft(id, &complete(), T0).unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        let r = s.report(id).unwrap().unwrap();
        assert_eq!(r.draft, complete());
        assert_eq!(r.delivery, Delivery::Draft);
        assert_eq!(r.created_at, T0);
    }

    #[test]
    fn a_refused_submit_changes_nothing() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &nobody(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        let err = s
            .submit(id, &me(), T0, |_| {
                vec![FieldError::new("category", FieldErrorCode::UnknownCategory)]
            })
            .unwrap_err();
        let api: ApiError = err.into();
        assert_eq!(api.code, ErrorCode::ValidationFailed);
        let r = s.report(id).unwrap().unwrap();
        assert_eq!(r.delivery, Delivery::Draft);
        assert_eq!(r.draft, complete());
        assert_eq!(s.pending_count(&me()).unwrap(), 0);
    }

    #[test]
    fn submit_queues_and_locks_the_content() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &nobody(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        let r = s.submit(id, &me(), T0, |_| vec![]).unwrap();
        assert!(matches!(r.delivery, Delivery::Queued { attempts: 0, .. }));
        assert_eq!(s.pending_count(&me()).unwrap(), 1);
        let err: ApiError = s
            .save_draft(id, &ReportDraft::default(), T0)
            .unwrap_err()
            .into();
        assert_eq!(err.code, ErrorCode::AlreadySent);
        let err: ApiError = s.discard(id).unwrap_err().into();
        assert_eq!(err.code, ErrorCode::AlreadySent);
        // Someone else signed in on this device does not send it.
        assert_eq!(
            s.next_due(UserId(6), URL, T0, &outbox::Pass::new(true))
                .unwrap(),
            None
        );
        let due = s
            .next_due(UserId(5), URL, T0, &outbox::Pass::default())
            .unwrap()
            .unwrap();
        assert_eq!(due.report_id, id);
        assert_eq!(due.idempotency_key, id.to_string());
    }

    #[test]
    fn sending_left_by_a_crash_is_queued_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let id = ReportId::new();
        {
            let s = Store::open(dir.path()).unwrap();
            s.new_draft(id, &me(), T0).unwrap();
            s.save_draft(id, &complete(), T0).unwrap();
            s.submit(id, &me(), T0, |_| vec![]).unwrap();
            let due = s
                .next_due(UserId(5), URL, T0, &outbox::Pass::default())
                .unwrap()
                .unwrap();
            // One attempt already failed: the count survives the crash (it drives the backoff).
            assert!(s.start_sending(due.seq, 100, T0).unwrap());
            let waiting = Delivery::Queued {
                attempts: 3,
                next_attempt_at: None,
                last_error: Some(ApiError::new(ErrorCode::PlatformUnreachable, "down")),
            };
            s.mark_failed(due.seq, &waiting, T0).unwrap();
            assert!(s.start_sending(due.seq, 100, T0).unwrap());
            assert!(!s.start_sending(due.seq, 100, T0).unwrap(), "only once");
            assert!(matches!(
                s.report(id).unwrap().unwrap().delivery,
                Delivery::Sending { .. }
            ));
        }
        let s = Store::open(dir.path()).unwrap();
        assert!(matches!(
            s.report(id).unwrap().unwrap().delivery,
            Delivery::Queued { attempts: 3, .. }
        ));
        assert_eq!(
            s.next_due(UserId(5), URL, T0, &outbox::Pass::default())
                .unwrap()
                .map(|o| o.attempts),
            Some(3)
        );
    }

    #[test]
    fn failures_and_delivery_are_stored() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();
        let due = s
            .next_due(UserId(5), URL, T0, &outbox::Pass::default())
            .unwrap()
            .unwrap();
        s.start_sending(due.seq, 10, T0).unwrap();
        let later = T0 + time::Duration::seconds(30);
        let waiting = Delivery::Queued {
            attempts: 1,
            next_attempt_at: Some(later),
            last_error: Some(ApiError::new(ErrorCode::PlatformUnreachable, "down")),
        };
        s.mark_failed(due.seq, &waiting, T0).unwrap();
        assert_eq!(s.report(id).unwrap().unwrap().delivery, waiting);
        assert_eq!(
            s.next_due(UserId(5), URL, T0, &outbox::Pass::default())
                .unwrap(),
            None
        );
        assert_eq!(s.next_wake(UserId(5), URL).unwrap(), Some(later));
        assert!(
            s.next_due(UserId(5), URL, T0, &outbox::Pass::new(true))
                .unwrap()
                .is_some()
        );
        // Failed in this very pass: its backoff holds even when forced, until it runs out.
        let mut pass = outbox::Pass::new(true);
        pass.failed(due.seq);
        assert_eq!(s.next_due(UserId(5), URL, T0, &pass).unwrap(), None);
        assert!(s.next_due(UserId(5), URL, later, &pass).unwrap().is_some());

        s.start_sending(due.seq, 10, T0).unwrap();
        s.mark_delivered(due.seq, &platform_report(id, ReportStatus::Received), T0)
            .unwrap();
        let r = s.report(id).unwrap().unwrap();
        assert_eq!(r.delivery, Delivery::Delivered { number: 1001 });
        assert_eq!(r.status, Some(ReportStatus::Received));
        assert_eq!(r.place_label.as_deref(), Some("3栋2单元501"));
        assert_eq!(r.timeline.len(), 1);
        assert_eq!(s.pending_count(&me()).unwrap(), 0);
    }

    #[test]
    fn answers_and_several_marks_share_one_write_and_each_mark_says_whether_it_took() {
        let (_d, s) = store();
        let ids: Vec<ReportId> = (0..4).map(|_| sent(&s)).collect();
        let mut seqs = Vec::new();
        for id in &ids {
            let next = due(&s, &seqs).unwrap();
            assert_eq!(next.report_id, *id);
            seqs.push(next.seq);
        }
        assert!(s.start_sending(seqs[0], 10, T0).unwrap());
        // The third was marked already (by another pass): its mark does not take again.
        assert!(s.start_sending(seqs[2], 10, T0).unwrap());
        let answer = platform_report(ids[0], ReportStatus::Received);
        let took = s
            .deliver_then_start(&[(seqs[0], answer)], &[(seqs[1], 20), (seqs[2], 30)], T0)
            .unwrap();
        assert_eq!(took, [true, false]);
        let delivery = |i: usize| s.report(ids[i]).unwrap().unwrap().delivery;
        assert_eq!(delivery(0), Delivery::Delivered { number: 1001 });
        assert_eq!(
            delivery(1),
            Delivery::Sending {
                sent_bytes: 0,
                total_bytes: 20
            }
        );
        assert_eq!(
            delivery(2),
            Delivery::Sending {
                sent_bytes: 0,
                total_bytes: 10
            },
            "a mark that did not take changes nothing"
        );
        // An answer for an item that is not there (a corrupt outbox) writes none of the rest.
        let missing = platform_report(ReportId::new(), ReportStatus::Received);
        assert!(
            s.deliver_then_start(&[(999, missing)], &[(seqs[3], 40)], T0)
                .is_err()
        );
        assert!(
            matches!(delivery(3), Delivery::Queued { attempts: 0, .. }),
            "{:?}",
            delivery(3)
        );
    }

    #[test]
    fn a_rejected_report_keeps_its_reason_while_edited_and_can_be_queued_again() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();
        let due = s
            .next_due(UserId(5), URL, T0, &outbox::Pass::default())
            .unwrap()
            .unwrap();
        s.start_sending(due.seq, 10, T0).unwrap();
        let error =
            ApiError::validation(vec![FieldError::new("place", FieldErrorCode::UnitNotYours)]);
        s.mark_failed(
            due.seq,
            &Delivery::Rejected {
                error: error.clone(),
            },
            T0,
        )
        .unwrap();
        let mut fixed = complete();
        fixed.place = Some(Place::Unit { unit_id: UnitId(4) });
        let r = s.save_draft(id, &fixed, T0).unwrap();
        assert_eq!(r.delivery, Delivery::Rejected { error });
        assert_eq!(r.draft, fixed);
        let r = s.submit(id, &me(), T0, |_| vec![]).unwrap();
        assert!(matches!(
            r.delivery,
            Delivery::Queued {
                attempts: 0,
                last_error: None,
                ..
            }
        ));
        let again = s
            .next_due(UserId(5), URL, T0, &outbox::Pass::default())
            .unwrap()
            .unwrap();
        assert!(again.seq > due.seq, "re-queued at the back");
    }

    #[test]
    fn platform_detail_updates_status_and_imports_unknown_reports() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();
        // The first try arrived but its answer was lost: the feed proves delivery.
        let detail = ReportDetail {
            report: platform_report(id, ReportStatus::Acknowledged),
            timeline: vec![TimelineEntry {
                at: T0,
                status: ReportStatus::Acknowledged,
                party: Some(Party::PropertyCompany),
                note: Some("马上来".into()),
                kind: TimelineKind::StatusChanged,
                from_party: None,
                to_party: None,
                photo_ids: vec![],
                rating: None,
            }],
            time_held: vec![],
        };
        let applied = s.apply_detail(&detail, URL, UserId(5), T0).unwrap();
        assert_eq!(
            applied,
            Applied {
                imported: false,
                old_status: None,
                relation: Relation::Mine,
                changed: true,
                delivery_changed: true,
            }
        );
        let r = s.report(id).unwrap().unwrap();
        assert_eq!(r.delivery, Delivery::Delivered { number: 1001 });
        assert_eq!(r.timeline, detail.timeline);
        assert_eq!(s.pending_count(&me()).unwrap(), 0);
        let again = s.apply_detail(&detail, URL, UserId(5), T0).unwrap();
        assert!(!again.changed);
        assert!(!again.delivery_changed);
        assert_eq!(again.old_status, Some(ReportStatus::Acknowledged));

        let other = ReportId::new();
        let applied = s
            .apply_detail(
                &ReportDetail {
                    report: platform_report(other, ReportStatus::Received),
                    timeline: vec![],
                    time_held: vec![],
                },
                URL,
                UserId(5),
                T0,
            )
            .unwrap();
        assert!(applied.imported);
        assert_eq!(s.report_summaries(&me()).unwrap().len(), 2);
    }

    fn profile(user: i64) -> Profile {
        Profile {
            user_id: UserId(user),
            name: format!("居民{user}"),
            phone_masked: "138****0001".into(),
            role: linli_api::platform::Role::Owner,
            estate_id: linli_api::ids::EstateId(1),
            estate_name: "幸福里小区".into(),
            units: vec![],
        }
    }

    fn viewer(url: &str, user: Option<i64>) -> Viewer {
        Viewer {
            platform_url: url.into(),
            user_id: user.map(UserId),
        }
    }

    #[test]
    fn a_failed_attempt_that_cannot_be_written_does_not_stay_sending() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();
        let due = s
            .next_due(UserId(5), URL, T0, &outbox::Pass::default())
            .unwrap()
            .unwrap();
        assert!(s.start_sending(due.seq, 10, T0).unwrap());
        // The disk refuses to record the rejection (as a full disk or an I/O error would).
        s.conn()
            .execute_batch(
                "CREATE TEMP TRIGGER refuse BEFORE UPDATE OF state ON outbox
                 WHEN NEW.state = 'rejected' BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
            )
            .unwrap();
        let rejected = Delivery::Rejected {
            error: ApiError::validation(vec![FieldError::new(
                "category",
                FieldErrorCode::UnknownCategory,
            )]),
        };
        assert!(s.mark_failed(due.seq, &rejected, T0).is_err());
        s.record_failure(due.seq, &rejected, T0).unwrap();
        let r = s.report(id).unwrap().unwrap();
        let Delivery::Queued {
            next_attempt_at: Some(at),
            ..
        } = r.delivery
        else {
            panic!("expected queued again, got {:?}", r.delivery);
        };
        assert!(at > T0, "not at once: the next write may fail too");
        assert_eq!(s.next_wake(UserId(5), URL).unwrap(), Some(at));
        assert!(
            s.next_due(UserId(5), URL, at, &outbox::Pass::default())
                .unwrap()
                .is_some()
        );

        // A failure that can be written is written as chosen.
        s.conn().execute_batch("DROP TRIGGER refuse").unwrap();
        assert!(s.start_sending(due.seq, 10, T0).unwrap());
        s.record_failure(due.seq, &rejected, T0).unwrap();
        assert_eq!(s.report(id).unwrap().unwrap().delivery, rejected);
    }

    #[test]
    fn a_person_sees_and_sends_only_their_own_reports() {
        let (_d, s) = store();
        s.save_profile(URL, &profile(5)).unwrap();
        let mine = ReportId::new();
        s.new_draft(mine, &me(), T0).unwrap();
        s.save_draft(mine, &complete(), T0).unwrap();
        s.submit(mine, &me(), T0, |_| vec![]).unwrap();

        // Signed out on a shared tablet: nothing of theirs shows, nothing of theirs is counted.
        s.forget_profile().unwrap();
        let nobody = nobody();
        assert_eq!(s.report_summaries(&nobody).unwrap(), vec![]);
        assert!(!s.is_visible(mine, &nobody).unwrap());
        assert_eq!(s.pending_count(&nobody).unwrap(), 0);

        // A draft written before anyone signs in belongs to nobody yet and cannot be sent.
        let anonymous = ReportId::new();
        s.new_draft(anonymous, &nobody, T0).unwrap();
        s.save_draft(anonymous, &complete(), T0).unwrap();
        assert!(s.is_visible(anonymous, &nobody).unwrap());
        let err: ApiError = s
            .submit(anonymous, &nobody, T0, |_| vec![])
            .unwrap_err()
            .into();
        assert_eq!(err.code, ErrorCode::SignInRequired);
        let kept = s.report(anonymous).unwrap().unwrap();
        assert_eq!(kept.delivery, Delivery::Draft);
        assert_eq!(kept.draft, complete());

        // The next person to sign in takes the ownerless draft, and only that.
        s.save_profile(URL, &profile(6)).unwrap();
        let them = viewer(URL, Some(6));
        let theirs: Vec<_> = s
            .report_summaries(&them)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(theirs, vec![anonymous]);
        assert!(!s.is_visible(mine, &them).unwrap());
        assert!(s.is_visible(anonymous, &them).unwrap());
        assert!(!s.is_visible(anonymous, &nobody).unwrap());
        assert_eq!(
            s.next_due(UserId(6), URL, T0, &outbox::Pass::new(true))
                .unwrap(),
            None
        );
        assert_eq!(s.pending_count(&them).unwrap(), 0);
        s.submit(anonymous, &them, T0, |_| vec![]).unwrap();
        assert_eq!(
            s.next_due(UserId(6), URL, T0, &outbox::Pass::new(true))
                .unwrap()
                .map(|o| o.report_id),
            Some(anonymous)
        );

        // The first person, back, finds their report waiting for them.
        s.save_profile(URL, &profile(5)).unwrap();
        let mine_again: Vec<_> = s
            .report_summaries(&me())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(mine_again, vec![mine]);
        assert_eq!(s.pending_count(&me()).unwrap(), 1);
    }

    #[test]
    fn a_report_goes_only_to_the_platform_it_was_written_for() {
        let (_d, s) = store();
        let other = "http://127.0.0.1:9999";
        s.save_profile(URL, &profile(5)).unwrap();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();

        // The address changes; someone with the same user id signs in over there.
        s.forget_platform().unwrap();
        s.save_profile(other, &profile(5)).unwrap();
        let there = viewer(other, Some(5));
        assert_eq!(
            s.next_due(UserId(5), other, T0, &outbox::Pass::new(true))
                .unwrap(),
            None
        );
        assert_eq!(s.next_wake(UserId(5), other).unwrap(), None);
        assert_eq!(s.report_summaries(&there).unwrap(), vec![]);
        assert!(!s.is_visible(id, &there).unwrap());
        assert_eq!(s.pending_count(&there).unwrap(), 0);

        // Imports from that platform are its own.
        let imported = ReportId::new();
        s.apply_detail(
            &ReportDetail {
                report: platform_report(imported, ReportStatus::Received),
                timeline: vec![],
                time_held: vec![],
            },
            other,
            UserId(5),
            T0,
        )
        .unwrap();
        let listed: Vec<_> = s
            .report_summaries(&there)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(listed, vec![imported]);
        assert!(!s.is_visible(imported, &me()).unwrap());

        // Back on the first platform, the report is still queued there.
        s.forget_platform().unwrap();
        s.save_profile(URL, &profile(5)).unwrap();
        assert_eq!(
            s.next_due(UserId(5), URL, T0, &outbox::Pass::new(true))
                .unwrap()
                .map(|o| o.report_id),
            Some(id)
        );
    }

    #[test]
    fn the_change_feed_starts_over_for_a_new_person() {
        let (_d, s) = store();
        let seq = || s.setting(keys::FEED_LAST_SEQ).unwrap();
        s.save_profile(URL, &profile(5)).unwrap();
        s.save_catalogue(URL, &Catalogue::default(), T0).unwrap();
        s.set_setting(keys::FEED_LAST_SEQ, Some("42")).unwrap();
        // Signing in again as the same person (or a refreshed profile) keeps the position.
        s.save_profile(URL, &profile(5)).unwrap();
        assert_eq!(seq().as_deref(), Some("42"));
        assert!(s.catalogue(URL).unwrap().is_some());
        // Signing out forgets it, and the catalogue that listed their units.
        s.forget_profile().unwrap();
        assert_eq!(seq(), None);
        assert_eq!(s.catalogue(URL).unwrap(), None);
        // Someone else signing in while the first person was still known also starts over.
        s.save_profile(URL, &profile(5)).unwrap();
        s.set_setting(keys::FEED_LAST_SEQ, Some("42")).unwrap();
        s.save_profile(URL, &profile(6)).unwrap();
        assert_eq!(seq(), None);
    }

    #[test]
    fn settings_persist() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.set_setting(keys::LANGUAGE, Some("en")).unwrap();
            s.set_setting(keys::ELDERLY_MODE, Some("true")).unwrap();
            s.set_setting(keys::ELDERLY_MODE, None).unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.setting(keys::LANGUAGE).unwrap().as_deref(), Some("en"));
        assert_eq!(s.setting(keys::ELDERLY_MODE).unwrap(), None);
    }

    /// Settings are read from memory: whatever writes the table, the next read sees it.
    #[test]
    fn a_setting_read_after_any_write_is_the_new_one() {
        let (_d, s) = store();
        s.save_profile(URL, &profile(5)).unwrap();
        s.set_setting(keys::LANGUAGE, Some("en")).unwrap();
        s.set_setting(keys::FEED_LAST_SEQ, Some("42")).unwrap();
        assert_eq!(s.setting(keys::LANGUAGE).unwrap().as_deref(), Some("en"));
        s.set_setting(keys::LANGUAGE, Some("zh-CN")).unwrap();
        assert_eq!(s.setting(keys::LANGUAGE).unwrap().as_deref(), Some("zh-CN"));
        // Written by SQL of its own (signing out forgets where the feed stopped)...
        assert_eq!(
            s.setting(keys::FEED_LAST_SEQ).unwrap().as_deref(),
            Some("42")
        );
        s.forget_profile().unwrap();
        assert_eq!(s.setting(keys::FEED_LAST_SEQ).unwrap(), None);
        // ...or by a statement the store does not know of.
        s.conn()
            .execute(
                "UPDATE settings SET value = 'en' WHERE key = ?1",
                [keys::LANGUAGE],
            )
            .unwrap();
        assert_eq!(s.setting(keys::LANGUAGE).unwrap().as_deref(), Some("en"));
        // A write rolled back leaves the value as it was.
        {
            let mut conn = s.conn();
            let tx = conn.transaction().unwrap();
            tx.execute("DELETE FROM settings WHERE key = ?1", [keys::LANGUAGE])
                .unwrap();
        }
        assert_eq!(s.setting(keys::LANGUAGE).unwrap().as_deref(), Some("en"));
    }

    fn sent(s: &Store) -> ReportId {
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        s.submit(id, &me(), T0, |_| vec![]).unwrap();
        id
    }

    fn due(s: &Store, skip: &[i64]) -> Option<Outgoing> {
        let mut pass = outbox::Pass::default();
        for seq in skip {
            pass.picked(*seq);
        }
        s.next_due(UserId(5), URL, T0, &pass).unwrap()
    }

    #[test]
    fn the_chosen_visibility_is_kept_and_sent() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        let public = ReportDraft {
            visibility: linli_api::ReportVisibility::Public,
            ..complete()
        };
        s.save_draft(id, &public, T0).unwrap();
        assert_eq!(s.report(id).unwrap().unwrap().draft, public);
        assert_eq!(
            s.new_report_body(id).unwrap().visibility,
            linli_api::ReportVisibility::Public
        );
    }

    #[test]
    fn the_body_sent_is_the_reports_words_and_photos_in_order() {
        let (_d, s) = store();
        let id = ReportId::new();
        s.new_draft(id, &me(), T0).unwrap();
        s.save_draft(id, &complete(), T0).unwrap();
        let (first, second) = (photo(1000), photo(2000));
        s.add_photo(id, &first, T0).unwrap();
        s.add_photo(id, &second, T0).unwrap();
        let body = s.new_report_body(id).unwrap();
        let words = complete();
        assert_eq!(body.id, id);
        assert_eq!(body.category.as_str(), words.category.as_deref().unwrap());
        assert_eq!(body.description, words.description);
        assert_eq!(Some(&body.place), words.place.as_ref());
        assert_eq!(body.urgency, words.urgency);
        assert_eq!(body.photo_ids, [first.id, second.id]);
        assert_eq!(body.as_draft(), s.report(id).unwrap().unwrap().draft);

        let unfinished = ReportId::new();
        s.new_draft(unfinished, &me(), T0).unwrap();
        let err: ApiError = s.new_report_body(unfinished).unwrap_err().into();
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["category", "place"]);
        let err: ApiError = s.new_report_body(ReportId::new()).unwrap_err().into();
        assert_eq!(err.code, ErrorCode::NotFound);
    }

    #[test]
    fn actions_wait_for_their_report_and_go_in_the_order_they_were_done() {
        use linli_api::ipc::{ActionDelivery, ActionKind};
        let (_d, s) = store();
        let id = sent(&s);
        let (confirm, rate) = (ActionId::new(), ActionId::new());
        let rating = linli_api::Rating {
            attitude: 5,
            quality: 4,
            speed: 3,
            comment: "谢谢师傅".into(),
        };
        s.add_action(confirm, id, &ActionKind::Confirm, T0).unwrap();
        s.add_action(
            rate,
            id,
            &ActionKind::Rate {
                rating: rating.clone(),
            },
            T0,
        )
        .unwrap();
        assert_eq!(s.pending_count(&me()).unwrap(), 3);

        // Only the report may go while the platform does not have it.
        let report = due(&s, &[]).unwrap();
        assert_eq!((report.report_id, report.action), (id, None));
        assert_eq!(due(&s, &[report.seq]), None);
        assert!(s.start_sending(report.seq, 1, T0).unwrap());
        s.mark_delivered(report.seq, &platform_report(id, ReportStatus::Resolved), T0)
            .unwrap();

        // Then the first action; the second waits for it, also while it backs off.
        let first = due(&s, &[]).unwrap();
        assert_eq!((first.report_id, first.action), (id, Some(confirm)));
        assert_eq!(first.idempotency_key, confirm.to_string());
        assert_eq!(due(&s, &[first.seq]), None);
        assert!(s.start_sending(first.seq, 0, T0).unwrap());
        let later = T0 + time::Duration::seconds(5);
        let waiting = Delivery::Queued {
            attempts: 1,
            next_attempt_at: Some(later),
            last_error: Some(ApiError::new(ErrorCode::PlatformUnreachable, "down")),
        };
        s.mark_failed(first.seq, &waiting, T0).unwrap();
        assert_eq!(due(&s, &[]), None);
        assert_eq!(s.next_wake(UserId(5), URL).unwrap(), Some(later));

        // A refusal frees the next one, and is kept with its reason.
        assert!(s.start_sending(first.seq, 0, later).unwrap());
        let refused = ApiError::new(ErrorCode::InvalidTransition, "not resolved");
        s.mark_failed(
            first.seq,
            &Delivery::Rejected {
                error: refused.clone(),
            },
            later,
        )
        .unwrap();
        let second = due(&s, &[]).unwrap();
        assert_eq!(second.action, Some(rate));
        let actions = s.report(id).unwrap().unwrap().actions;
        assert_eq!(
            actions.iter().map(|a| a.id).collect::<Vec<_>>(),
            [confirm, rate]
        );
        assert_eq!(
            actions[0].delivery,
            ActionDelivery::Rejected { error: refused }
        );
        assert_eq!(s.pending_count(&me()).unwrap(), 1, "refused is not waiting");

        // Only a refused action may be dismissed: one waiting may be on its way.
        let err: ApiError = s.dismiss_action(rate).unwrap_err().into();
        assert_eq!(err.code, ErrorCode::Conflict);
        assert_eq!(s.dismiss_action(confirm).unwrap().0, id);

        // Delivered, it leaves the device and the platform's answer is the report's.
        assert!(s.start_sending(second.seq, 0, later).unwrap());
        let mut closed = platform_report(id, ReportStatus::Closed);
        closed.rating = Some(rating.clone());
        closed.updated_at = later;
        let held = vec![PartyTime {
            party: Party::PropertyCompany,
            seconds: 3600,
            holding_now: false,
        }];
        let detail = ReportDetail {
            report: closed.clone(),
            timeline: vec![],
            time_held: held.clone(),
        };
        let stored = s
            .action_delivered(
                rate,
                &ActionDone::Detail(Box::new(detail)),
                URL,
                UserId(5),
                later,
            )
            .unwrap();
        assert!(stored.applied.unwrap().changed);
        let r = s.report(id).unwrap().unwrap();
        assert!(r.actions.is_empty());
        assert_eq!(r.status, Some(ReportStatus::Closed));
        assert_eq!(r.platform, Some(closed));
        assert_eq!(r.time_held, held);
        assert_eq!(s.pending_count(&me()).unwrap(), 0);
    }

    #[test]
    fn an_action_caught_sending_is_queued_again_at_start_up() {
        use linli_api::ipc::{ActionDelivery, ActionKind};
        let dir = tempfile::tempdir().unwrap();
        let (id, action) = (ReportId::new(), ActionId::new());
        {
            let s = Store::open(dir.path()).unwrap();
            s.new_draft(id, &me(), T0).unwrap();
            s.save_draft(id, &complete(), T0).unwrap();
            s.submit(id, &me(), T0, |_| vec![]).unwrap();
            let report = due(&s, &[]).unwrap();
            s.start_sending(report.seq, 1, T0).unwrap();
            s.mark_delivered(report.seq, &platform_report(id, ReportStatus::Resolved), T0)
                .unwrap();
            s.add_action(action, id, &ActionKind::Confirm, T0).unwrap();
            let item = due(&s, &[]).unwrap();
            s.start_sending(item.seq, 0, T0).unwrap();
            assert_eq!(
                s.action(action).unwrap().unwrap().delivery,
                ActionDelivery::Sending
            );
        }
        let s = Store::open(dir.path()).unwrap();
        assert!(matches!(
            s.action(action).unwrap().unwrap().delivery,
            ActionDelivery::Queued { attempts: 0, .. }
        ));
        assert_eq!(due(&s, &[]).unwrap().action, Some(action));
    }

    fn followed_action(s: &Store, id: ReportId) -> ActionId {
        s.report(id).unwrap().unwrap().actions[0].id
    }

    #[test]
    fn a_followed_report_is_the_followers_until_they_stop() {
        use linli_api::ipc::ActionKind;
        use linli_api::platform::SimilarReport;
        let (_d, s) = store();
        s.save_profile(URL, &profile(5)).unwrap();
        let theirs = ReportId::new();
        let similar = SimilarReport {
            id: theirs,
            number: 77,
            category: "lifts".into(),
            place_label: "2栋".into(),
            description: "电梯门关不上".into(),
            status: ReportStatus::Acknowledged,
            created_at: T0,
            affected: 1,
            following: false,
            mine: false,
        };
        let followed = s.follow(&similar, &me(), ActionId::new(), T0).unwrap();
        assert_eq!(followed.relation, Relation::Following);
        assert_eq!(followed.delivery, Delivery::Delivered { number: 77 });
        assert_eq!(followed.place_label.as_deref(), Some("2栋"));
        assert!(s.is_visible(theirs, &me()).unwrap());
        // The follow itself may go at once: the platform has the report.
        let item = due(&s, &[]).unwrap();
        assert_eq!(item.report_id, theirs);

        // The platform names no reporter for it; it stays the follower's.
        let mut report = platform_report(theirs, ReportStatus::InProgress);
        report.reporter = UserId(0);
        report.following = true;
        report.affected = 2;
        let detail = ReportDetail {
            report,
            timeline: vec![],
            time_held: vec![],
        };
        let applied = s.apply_detail(&detail, URL, UserId(5), T0).unwrap();
        assert_eq!(applied.relation, Relation::Following);
        let listed = s.report_summaries(&me()).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].status, Some(ReportStatus::InProgress));
        assert_eq!(listed[0].relation, Relation::Following);
        let shown = s.report(theirs).unwrap().unwrap();
        assert_eq!(shown.platform.as_ref().map(|p| p.affected), Some(2));

        // One of the person's own cannot be followed.
        let mine = sent(&s);
        let err: ApiError = s
            .follow(
                &SimilarReport {
                    id: mine,
                    ..similar.clone()
                },
                &me(),
                ActionId::new(),
                T0,
            )
            .unwrap_err()
            .into();
        assert_eq!(err.code, ErrorCode::OwnReport);

        // Stopping: once the platform has it, the report leaves the device, unless the
        // person followed it again meanwhile.
        let follow = s.action(followed_action(&s, theirs)).unwrap().unwrap();
        assert_eq!(follow.kind, ActionKind::Follow);
        let stop = ActionId::new();
        s.add_action(stop, theirs, &ActionKind::Unfollow, T0)
            .unwrap();
        s.action_delivered(stop, &ActionDone::Unfollowed, URL, UserId(5), T0)
            .unwrap();
        assert!(s.report(theirs).unwrap().is_some(), "followed again");
        s.action_delivered(follow.id, &ActionDone::Followed, URL, UserId(5), T0)
            .unwrap();
        let stop = ActionId::new();
        s.add_action(stop, theirs, &ActionKind::Unfollow, T0)
            .unwrap();
        s.action_delivered(stop, &ActionDone::Unfollowed, URL, UserId(5), T0)
            .unwrap();
        assert_eq!(s.report(theirs).unwrap(), None);
        assert_eq!(
            s.report_summaries(&me())
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            [mine]
        );
    }

    /// What the list must show of a report, worked out from the whole report.
    fn as_listed(r: &LocalReport) -> ReportSummary {
        use linli_api::ipc::ActionDelivery;
        let actions = |f: fn(&ActionDelivery) -> bool| {
            r.actions.iter().filter(|a| f(&a.delivery)).count() as u32
        };
        ReportSummary {
            id: r.id,
            relation: r.relation,
            category: r.draft.category.clone(),
            excerpt: ReportSummary::excerpt(&r.draft.description),
            delivery: r.delivery.clone(),
            status: r.status,
            photos: r.photos.len() as u32,
            actions_waiting: actions(|d| {
                matches!(d, ActionDelivery::Queued { .. } | ActionDelivery::Sending)
            }),
            actions_refused: actions(|d| matches!(d, ActionDelivery::Rejected { .. })),
            created_at: r.created_at,
        }
    }

    /// The list holds exactly `ids`, newest first, and each row says what the report's detail
    /// says.
    fn assert_list_matches_detail(s: &Store, ids: &[ReportId]) -> Vec<ReportSummary> {
        let listed = s.report_summaries(&me()).unwrap();
        let mut expected: Vec<ReportSummary> = ids
            .iter()
            .map(|id| as_listed(&s.report(*id).unwrap().unwrap()))
            .collect();
        expected.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id.to_string())));
        assert_eq!(listed, expected);
        listed
    }

    fn photo(bytes: u64) -> LocalPhoto {
        LocalPhoto {
            id: PhotoId::new(),
            width: 640,
            height: 480,
            bytes,
        }
    }

    #[test]
    fn each_row_of_the_list_says_what_the_report_says() {
        use linli_api::ipc::ActionKind;
        use linli_api::platform::SimilarReport;
        let (dir, s) = store();
        // Listed before anything is written, so what follows reaches the list as changes to a
        // list already read.
        assert_eq!(s.report_summaries(&me()).unwrap(), vec![]);
        s.save_profile(URL, &profile(5)).unwrap();
        let at = |minutes: i64| T0 + time::Duration::minutes(minutes);
        let mut ids = Vec::new();
        let new = |ids: &mut Vec<ReportId>, minutes: i64| {
            let id = ReportId::new();
            s.new_draft(id, &me(), at(minutes)).unwrap();
            ids.push(id);
            id
        };
        // Listed after every change, so each reaches the list on its own: a change the list
        // missed is not hidden by another write to the same report.
        let check = |ids: &[ReportId]| assert_list_matches_detail(&s, ids);

        // A draft with two photos and words longer than a row shows, after blank lines.
        let draft = new(&mut ids, 0);
        check(&ids);
        let words = format!("\n  {}", "楼道灯坏了，晚上看不见台阶。".repeat(10));
        s.save_draft(
            draft,
            &ReportDraft {
                description: words,
                ..complete()
            },
            at(0),
        )
        .unwrap();
        check(&ids);
        s.add_photo(draft, &photo(1000), at(0)).unwrap();
        check(&ids);
        s.add_photo(draft, &photo(2000), at(0)).unwrap();
        check(&ids);
        // One started at the same moment, without a category yet: the id breaks the tie.
        let twin = new(&mut ids, 0);
        check(&ids);

        // Queued after a failed attempt, with a photo.
        let queued = new(&mut ids, 1);
        check(&ids);
        s.save_draft(queued, &complete(), at(1)).unwrap();
        check(&ids);
        s.add_photo(queued, &photo(3000), at(1)).unwrap();
        check(&ids);
        s.submit(queued, &me(), at(1), |_| vec![]).unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert!(s.start_sending(item.seq, 3000, at(1)).unwrap());
        check(&ids);
        let waiting = Delivery::Queued {
            attempts: 1,
            next_attempt_at: Some(at(2)),
            last_error: Some(ApiError::new(ErrorCode::PlatformUnreachable, "down")),
        };
        s.mark_failed(item.seq, &waiting, at(1)).unwrap();
        check(&ids);

        // Being sent now, part of the way.
        let sending = new(&mut ids, 2);
        check(&ids);
        s.save_draft(sending, &complete(), at(2)).unwrap();
        check(&ids);
        s.submit(sending, &me(), at(2), |_| vec![]).unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert_eq!(item.report_id, sending, "the first is backing off");
        assert!(s.start_sending(item.seq, 5000, at(2)).unwrap());
        check(&ids);
        s.set_progress(item.seq, 1200).unwrap();
        check(&ids);

        // Refused by the platform.
        let refused = new(&mut ids, 3);
        check(&ids);
        s.save_draft(refused, &complete(), at(3)).unwrap();
        check(&ids);
        s.submit(refused, &me(), at(3), |_| vec![]).unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert!(s.start_sending(item.seq, 0, at(3)).unwrap());
        check(&ids);
        let no = ApiError::new(ErrorCode::NotFound, "no such unit");
        s.mark_failed(item.seq, &Delivery::Rejected { error: no }, at(3))
            .unwrap();
        check(&ids);

        // Delivered and resolved, with a refused reopen, a confirm being sent and a comment
        // with a photo waiting (the comment's photo is not the report's).
        let delivered = new(&mut ids, 4);
        check(&ids);
        s.save_draft(delivered, &complete(), at(4)).unwrap();
        check(&ids);
        s.submit(delivered, &me(), at(4), |_| vec![]).unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert!(s.start_sending(item.seq, 0, at(4)).unwrap());
        check(&ids);
        let report = platform_report(delivered, ReportStatus::Resolved);
        s.mark_delivered(item.seq, &report, at(4)).unwrap();
        check(&ids);
        let reopen = ActionId::new();
        let reason = "还是漏水".to_string();
        s.add_action(reopen, delivered, &ActionKind::Reopen { reason }, at(5))
            .unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert_eq!(item.action, Some(reopen));
        assert!(s.start_sending(item.seq, 0, at(5)).unwrap());
        check(&ids);
        let late = ApiError::new(ErrorCode::InvalidTransition, "too late");
        s.mark_failed(item.seq, &Delivery::Rejected { error: late }, at(5))
            .unwrap();
        check(&ids);
        s.add_action(ActionId::new(), delivered, &ActionKind::Confirm, at(6))
            .unwrap();
        check(&ids);
        let comment = ActionKind::Comment {
            comment_id: CommentId::new(),
            body: "师傅什么时候来？".into(),
            photos: vec![photo(4000)],
        };
        s.add_action(ActionId::new(), delivered, &comment, at(6))
            .unwrap();
        check(&ids);
        let item = due(&s, &[]).unwrap();
        assert!(s.start_sending(item.seq, 0, at(6)).unwrap());
        check(&ids);

        // A neighbour's report, followed (the follow not sent yet), and one of the person's
        // own imported from another device.
        let theirs = ReportId::new();
        let similar = SimilarReport {
            id: theirs,
            number: 77,
            category: "lifts".into(),
            place_label: "2栋".into(),
            description: "电梯门关不上".into(),
            status: ReportStatus::Acknowledged,
            created_at: at(7),
            affected: 1,
            following: false,
            mine: false,
        };
        ids.push(theirs);
        s.follow(&similar, &me(), ActionId::new(), at(7)).unwrap();
        check(&ids);
        let imported = ReportId::new();
        let mut report = platform_report(imported, ReportStatus::InProgress);
        report.created_at = at(8);
        let detail = ReportDetail {
            report,
            timeline: vec![],
            time_held: vec![],
        };
        ids.push(imported);
        s.apply_detail(&detail, URL, UserId(5), at(8)).unwrap();
        check(&ids);

        // Someone else's report on the same device is not in the list.
        let someone_else = ReportId::new();
        s.new_draft(someone_else, &viewer(URL, Some(6)), at(9))
            .unwrap();
        check(&ids);

        let listed = assert_list_matches_detail(&s, &ids);
        let row = |id: ReportId| listed.iter().find(|r| r.id == id).unwrap().clone();
        // The comparison above is only as good as the states it covered: each is here.
        assert_eq!(row(draft).photos, 2);
        assert_eq!(
            row(draft).excerpt.chars().count(),
            ReportSummary::EXCERPT_CHARS
        );
        assert!(row(draft).excerpt.starts_with("楼道灯坏了"));
        assert_eq!(row(twin).category, None);
        assert!(matches!(
            row(queued).delivery,
            Delivery::Queued { attempts: 1, .. }
        ));
        assert_eq!(row(queued).photos, 1);
        assert_eq!(
            row(sending).delivery,
            Delivery::Sending {
                sent_bytes: 1200,
                total_bytes: 5000
            }
        );
        assert!(matches!(row(refused).delivery, Delivery::Rejected { .. }));
        let d = row(delivered);
        assert_eq!(d.delivery, Delivery::Delivered { number: 1001 });
        assert_eq!(d.status, Some(ReportStatus::Resolved));
        assert_eq!((d.photos, d.actions_waiting, d.actions_refused), (0, 2, 1));
        assert_eq!(row(theirs).relation, Relation::Following);
        assert_eq!(row(theirs).actions_waiting, 1);
        assert_eq!(row(imported).status, Some(ReportStatus::InProgress));

        // Later changes, each listed on its own too.
        s.recover_sending().unwrap();
        check(&ids);
        s.submit(refused, &me(), at(10), |_| vec![]).unwrap();
        check(&ids);
        let first_photo = s.report(draft).unwrap().unwrap().photos[0].id;
        s.remove_photo(draft, first_photo, at(10)).unwrap();
        check(&ids);
        s.dismiss_action(reopen).unwrap();
        check(&ids);
        let item = s
            .next_due(UserId(5), URL, at(11), &outbox::Pass::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            (item.report_id, item.action),
            (queued, None),
            "its wait is over"
        );
        assert!(s.start_sending(item.seq, 0, at(11)).unwrap());
        check(&ids);
        s.mark_delivered(
            item.seq,
            &platform_report(queued, ReportStatus::Received),
            at(11),
        )
        .unwrap();
        check(&ids);
        ids.retain(|id| *id != twin);
        s.discard(twin).unwrap();
        let listed = assert_list_matches_detail(&s, &ids);
        let row = |id: ReportId| listed.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(row(draft).photos, 1);
        assert!(matches!(row(refused).delivery, Delivery::Queued { .. }));
        assert!(matches!(row(queued).delivery, Delivery::Delivered { .. }));
        assert_eq!(row(delivered).actions_refused, 0);

        // The list kept up to date is the list read afresh.
        let fresh = Store::open(dir.path()).unwrap();
        assert_eq!(fresh.report_summaries(&me()).unwrap(), listed);

        // A write by another connection to the file is seen too.
        let other = Connection::open(dir.path().join(DB_FILE)).unwrap();
        other
            .execute(
                "UPDATE reports SET category = 'lifts' WHERE id = ?1",
                [draft.to_string()],
            )
            .unwrap();
        let listed = assert_list_matches_detail(&s, &ids);
        assert_eq!(
            listed
                .iter()
                .find(|r| r.id == draft)
                .unwrap()
                .category
                .as_deref(),
            Some("lifts")
        );
    }

    #[test]
    fn the_list_follows_many_changes_at_once_and_a_change_of_person() {
        let (_d, s) = store();
        s.save_profile(URL, &profile(5)).unwrap();
        let first = sent(&s);
        assert_eq!(s.report_summaries(&me()).unwrap().len(), 1);
        // More reports written between two listings than are worth reading one by one.
        let mut ids = vec![first];
        for minute in 1..=100 {
            let id = ReportId::new();
            s.new_draft(id, &me(), T0 + time::Duration::minutes(minute))
                .unwrap();
            ids.push(id);
        }
        let listed = assert_list_matches_detail(&s, &ids);
        assert_eq!(listed[0].id, ids[100], "newest first");
        // Someone else signs in on the device: none of it is theirs.
        s.save_profile(URL, &profile(6)).unwrap();
        assert_eq!(s.report_summaries(&viewer(URL, Some(6))).unwrap(), vec![]);
        // Back to the first person, one more change is read on its own.
        s.save_profile(URL, &profile(5)).unwrap();
        assert_list_matches_detail(&s, &ids);
        s.discard(ids[100]).unwrap();
        ids.pop();
        assert_list_matches_detail(&s, &ids);
    }

    #[test]
    fn reports_stored_before_the_list_index_list_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let (draft, queued, delivered) = (ReportId::new(), ReportId::new(), ReportId::new());
        {
            // A device still on the schema before migration 0004.
            let mut conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            migrations().to_version(&mut conn, 3).unwrap();
            let report = "INSERT INTO reports (id, owner_user_id, platform_url, category,
                              description, number, status, created_at, updated_at)
                          VALUES (?1, 5, ?2, 'water_plumbing', '水管漏水', ?3, ?4, ?5, ?5)";
            let outbox = "INSERT INTO outbox (kind, record_id, idempotency_key, state, attempts,
                              created_at, updated_at)
                          VALUES ('report', ?1, ?1, ?2, ?3, ?4, ?4)";
            for (i, (id, number, status)) in [
                (draft, None, None),
                (queued, None, None),
                (delivered, Some(9), Some("received")),
            ]
            .into_iter()
            .enumerate()
            {
                let created = fmt_ts(T0 + time::Duration::minutes(i as i64));
                conn.execute(
                    report,
                    params![id.to_string(), URL, number, status, created],
                )
                .unwrap();
            }
            conn.execute(outbox, params![queued.to_string(), "queued", 2, fmt_ts(T0)])
                .unwrap();
            conn.execute(
                outbox,
                params![delivered.to_string(), "delivered", 0, fmt_ts(T0)],
            )
            .unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        s.save_profile(URL, &profile(5)).unwrap();
        let listed = assert_list_matches_detail(&s, &[draft, queued, delivered]);
        let deliveries: Vec<_> = listed.into_iter().map(|r| r.delivery).collect();
        assert_eq!(
            deliveries,
            [
                Delivery::Delivered { number: 9 },
                Delivery::Queued {
                    attempts: 2,
                    next_attempt_at: None,
                    last_error: None
                },
                Delivery::Draft
            ]
        );
    }
}
