//! The person's list of reports (`Request::MyReports`): one row per report, kept in memory and
//! in step with the database, so listing ten thousand reports costs a copy of the rows.
//!
//! How it stays true:
//! - Whatever a row shows lives in the report's own columns, or changes them: triggers
//!   (migration 0004) copy the state of the report's outbox row into `reports.outbox_state`,
//!   and count a change of its outbox details, photos or actions in `reports.list_changes`.
//!   So every change to a row is a write to that report's row in `reports`, whichever code
//!   path makes it.
//! - SQLite's update hook tells the store which `reports` rows were written ([`Touched`]);
//!   the next listing reads those rows again (or everything, after many changes).
//! - The first listing, a new person or platform, and any write by another connection to the
//!   file (`PRAGMA data_version`) read the whole list again: one walk along the
//!   `reports_listed` index, which holds every column a row needs.

use super::{RawOutboxDetails, Viewer, delivery_of, parse_ts};
use crate::error::Error;
use linli_api::ids::ReportId;
use linli_api::ipc::{Relation, ReportSummary};
use linli_api::report::ReportStatus;
use rusqlite::{Connection, params};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// The columns of a list row, in the order [`summary_of`] reads them.
macro_rules! list_columns {
    () => {
        "rowid, id, relation, category, description, status, number, created_at, outbox_state"
    };
}

/// The person's list rows (`?1` owner, `?2` platform): one walk along the `reports_listed`
/// index, which holds every column read here, so no report row is visited.
const LIST_ROWS: &str = concat!(
    "SELECT ",
    list_columns!(),
    " FROM reports WHERE owner_user_id = ?1 AND platform_url = ?2"
);

/// One report's list row (`?3` its rowid), if it is the person's.
const LIST_ROW: &str = concat!(
    "SELECT ",
    list_columns!(),
    " FROM reports WHERE rowid = ?3 AND owner_user_id = ?1 AND platform_url = ?2"
);

/// Reports whose outbox row is waiting, being sent or refused, with its columns (the rest are
/// drafts or delivered, which `reports.outbox_state` says alone). Read by state, where these
/// few rows are (`+kind` keeps SQLite from walking every report's row by kind instead).
const LIST_OUTBOX: &str = "
    SELECT record_id, state, attempts, next_attempt_at, last_error, sent_bytes, total_bytes
    FROM outbox WHERE state IN ('queued', 'sending', 'rejected') AND +kind = 'report'";

/// Photos of each report that has any (not its comments'), from the `photos_of_reports` index.
const LIST_PHOTOS: &str = "
    SELECT report_id, COUNT(*) FROM photos WHERE comment_id IS NULL GROUP BY report_id";

/// Actions still on the device per report: waiting (queued or sending) and refused. Delivered
/// actions leave the device, so these are few.
const LIST_ACTIONS: &str = "
    SELECT a.report_id, SUM(o.state IN ('queued', 'sending')), SUM(o.state = 'rejected')
    FROM actions a CROSS JOIN outbox o ON o.kind = 'action' AND o.record_id = a.id
    GROUP BY a.report_id";

/// The same three for one report (`?1`), when only its row is read again.
const ROW_OUTBOX: &str = "
    SELECT record_id, state, attempts, next_attempt_at, last_error, sent_bytes, total_bytes
    FROM outbox WHERE kind = 'report' AND record_id = ?1
        AND state IN ('queued', 'sending', 'rejected')";
const ROW_PHOTOS: &str = "
    SELECT report_id, COUNT(*) FROM photos WHERE report_id = ?1 AND comment_id IS NULL
    GROUP BY report_id";
const ROW_ACTIONS: &str = "
    SELECT a.report_id, SUM(o.state IN ('queued', 'sending')), SUM(o.state = 'rejected')
    FROM actions a CROSS JOIN outbox o ON o.kind = 'action' AND o.record_id = a.id
    WHERE a.report_id = ?1 GROUP BY a.report_id";

/// More written rows than this are not worth reading one by one: the list is read again whole.
const MAX_TOUCHED: usize = 64;

/// The `reports` rows written since the list was last brought up to date, as SQLite's update
/// hook reports them (inserted, updated or deleted alike).
#[derive(Debug, Default)]
pub(super) struct Touched {
    rowids: HashSet<i64>,
    /// Too many to keep: read everything again.
    all: bool,
}

impl Touched {
    /// Notes a write to a `reports` row.
    pub(super) fn note(&mut self, rowid: i64) {
        if self.all {
            return;
        }
        self.rowids.insert(rowid);
        if self.rowids.len() > MAX_TOUCHED {
            self.rowids.clear();
            self.all = true;
        }
    }
}

/// One row of the list, with the `reports` rowid it was read from.
#[derive(Debug)]
struct Listed {
    rowid: i64,
    summary: ReportSummary,
}

/// The list as of the last listing, for one person on one platform.
#[derive(Debug)]
pub(super) struct ListModel {
    viewer: Viewer,
    /// `PRAGMA data_version` when it was read: it moves when another connection writes.
    data_version: i64,
    /// Newest first ([`newest_first`]).
    rows: Vec<Listed>,
}

/// The list's order: by creation time, newest first, the id breaking ties (as `ORDER BY
/// created_at DESC, id DESC` would on the times themselves rather than their text).
fn newest_first(a: &ReportSummary, b: &ReportSummary) -> Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| b.id.cmp(&a.id))
}

impl ListModel {
    /// The rows of `viewer`'s person now, brought up to date with what was `touched` since
    /// `model` was read (`None`: nothing read yet). Reads everything again when `model` is of
    /// someone else, another connection wrote, or too much changed.
    pub(super) fn listing(
        model: &mut Option<ListModel>,
        conn: &Connection,
        viewer: &Viewer,
        touched: Touched,
    ) -> Result<Vec<ReportSummary>, Error> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let current = model
            .take()
            .filter(|m| m.viewer == *viewer && m.data_version == data_version && !touched.all);
        // Taken out first, so a failed read leaves nothing half up to date behind.
        let fresh = match current {
            Some(mut m) => {
                m.reread(conn, &touched.rowids)?;
                m
            }
            None => ListModel::read(conn, viewer, data_version)?,
        };
        let rows = fresh.rows.iter().map(|r| r.summary.clone()).collect();
        *model = Some(fresh);
        Ok(rows)
    }

    /// The whole list, from the index.
    fn read(conn: &Connection, viewer: &Viewer, data_version: i64) -> Result<ListModel, Error> {
        let mut rows = Vec::new();
        if let Some(me) = viewer.user_id {
            let extras = list_extras(conn, None)?;
            let mut stmt = conn.prepare_cached(LIST_ROWS)?;
            let mut found = stmt.query(params![me.0, viewer.platform_url])?;
            while let Some(row) = found.next()? {
                rows.push(listed_of(row, &extras)?);
            }
            rows.sort_by(|a, b| newest_first(&a.summary, &b.summary));
        }
        Ok(ListModel {
            viewer: viewer.clone(),
            data_version,
            rows,
        })
    }

    /// Reads the written rows again: each leaves the list, and comes back (in its place) if it
    /// still exists and is still the person's.
    fn reread(&mut self, conn: &Connection, rowids: &HashSet<i64>) -> Result<(), Error> {
        if rowids.is_empty() {
            return Ok(());
        }
        self.rows.retain(|r| !rowids.contains(&r.rowid));
        let Some(me) = self.viewer.user_id else {
            return Ok(());
        };
        let mut stmt = conn.prepare_cached(LIST_ROW)?;
        for rowid in rowids {
            let mut found = stmt.query(params![me.0, self.viewer.platform_url, rowid])?;
            let Some(row) = found.next()? else {
                continue;
            };
            let id: ReportId = report_id_at(row, 1)?;
            let extras = list_extras(conn, Some(id))?;
            let listed = listed_of(row, &extras)?;
            let at = self
                .rows
                .partition_point(|r| newest_first(&r.summary, &listed.summary).is_lt());
            self.rows.insert(at, listed);
        }
        Ok(())
    }
}

/// What a list row needs beyond the report's own columns: the outbox row of a report that is
/// neither a draft nor delivered, and the counts.
#[derive(Default)]
struct RowExtras {
    outbox: Option<(String, RawOutboxDetails)>,
    photos: u32,
    actions_waiting: u32,
    actions_refused: u32,
}

/// The extras of every report that has any (`only`: of that report), by report: a few small
/// tables read once each, rather than one lookup per report in the list.
fn list_extras(
    conn: &Connection,
    only: Option<ReportId>,
) -> Result<HashMap<ReportId, RowExtras>, Error> {
    fn entry<'m>(
        extras: &'m mut HashMap<ReportId, RowExtras>,
        id: &str,
    ) -> Result<&'m mut RowExtras, Error> {
        let id: ReportId = id
            .parse()
            .map_err(|e| Error::Corrupt(format!("report id {id:?}: {e}")))?;
        Ok(extras.entry(id).or_default())
    }
    let (outbox, photos, actions) = match only {
        None => (LIST_OUTBOX, LIST_PHOTOS, LIST_ACTIONS),
        Some(_) => (ROW_OUTBOX, ROW_PHOTOS, ROW_ACTIONS),
    };
    let only = only.map(|id| id.to_string());
    let only = only.as_slice();
    let mut extras: HashMap<ReportId, RowExtras> = HashMap::new();
    let mut stmt = conn.prepare_cached(outbox)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    while let Some(row) = rows.next()? {
        let details = (
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
        );
        entry(&mut extras, text_at(row, 0)?)?.outbox = Some((row.get(1)?, details));
    }
    let mut stmt = conn.prepare_cached(photos)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    while let Some(row) = rows.next()? {
        entry(&mut extras, text_at(row, 0)?)?.photos = row.get::<_, i64>(1)? as u32;
    }
    let mut stmt = conn.prepare_cached(actions)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    while let Some(row) = rows.next()? {
        let e = entry(&mut extras, text_at(row, 0)?)?;
        e.actions_waiting = row.get::<_, i64>(1)? as u32;
        e.actions_refused = row.get::<_, i64>(2)? as u32;
    }
    Ok(extras)
}

fn text_at<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, Error> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| Error::Corrupt(format!("column {i}: {e}")))
}

/// A column's bytes as stored, for the names and ids the device writes itself: they are
/// compared with known ASCII names or parsed as ASCII, so they need no UTF-8 check first.
fn name_at<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r [u8]>, Error> {
    row.get_ref(i)?
        .as_bytes_or_null()
        .map_err(|e| Error::Corrupt(format!("column {i}: {e}")))
}

fn corrupt_name(what: &str, name: Option<&[u8]>) -> Error {
    let name = name.map(String::from_utf8_lossy);
    Error::Corrupt(format!("{what} {name:?}"))
}

fn report_id_at(row: &rusqlite::Row<'_>, i: usize) -> Result<ReportId, Error> {
    let id = name_at(row, i)?;
    id.and_then(|id| uuid::Uuid::try_parse_ascii(id).ok())
        .map(ReportId)
        .ok_or_else(|| corrupt_name("report id", id))
}

/// One row of [`LIST_ROWS`] or [`LIST_ROW`] with its extras. The description is borrowed from
/// SQLite, as the row keeps only its start.
fn listed_of(
    row: &rusqlite::Row<'_>,
    extras: &HashMap<ReportId, RowExtras>,
) -> Result<Listed, Error> {
    let rowid: i64 = row.get(0)?;
    let id = report_id_at(row, 1)?;
    let relation = match name_at(row, 2)? {
        Some(b"mine") => Relation::Mine,
        Some(b"following") => Relation::Following,
        other => return Err(corrupt_name("relation", other)),
    };
    let status = match name_at(row, 5)? {
        None => None,
        Some(name) => Some(
            ReportStatus::ALL
                .into_iter()
                .find(|known| known.as_str().as_bytes() == name)
                .ok_or_else(|| corrupt_name("report status", Some(name)))?,
        ),
    };
    let number: Option<i64> = row.get(6)?;
    let no_extras = RowExtras::default();
    let extra = if extras.is_empty() {
        &no_extras
    } else {
        extras.get(&id).unwrap_or(&no_extras)
    };
    let delivery = match (name_at(row, 8)?, &extra.outbox) {
        (None, _) => delivery_of(None, &RawOutboxDetails::default(), number)?,
        (Some(b"delivered"), _) => {
            delivery_of(Some("delivered"), &RawOutboxDetails::default(), number)?
        }
        // The outbox row itself says where a report on its way is.
        (Some(b"queued" | b"sending" | b"rejected"), Some((state, details))) => {
            delivery_of(Some(state), details, number)?
        }
        (state, _) => return Err(corrupt_name(&format!("report {id}: outbox state"), state)),
    };
    let summary = ReportSummary {
        id,
        relation,
        category: row.get(3)?,
        excerpt: ReportSummary::excerpt(text_at(row, 4)?),
        delivery,
        status,
        photos: extra.photos,
        actions_waiting: extra.actions_waiting,
        actions_refused: extra.actions_refused,
        created_at: parse_ts(text_at(row, 7)?)?,
    };
    Ok(Listed { rowid, summary })
}
