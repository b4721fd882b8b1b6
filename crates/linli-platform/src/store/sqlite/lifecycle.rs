//! The report lifecycle in SQLite: steps, timelines with their kinds, service targets and
//! histories for the board. A child of the SQLite store so it shares its row readers.

use super::{
    AFFECTED, REPORT_COLUMNS, append_event, from_json, from_name, from_ts, name, report_by_id,
    report_row, to_json, ts,
};
use crate::demo::SeedTarget;
use crate::store::{
    ReportHistory, ReportStep, StepOutcome, StoreError, StoreResult, StoredReport, TargetRow,
};
use linli_api::{EstateId, ReportId, ReportStatus, TimelineEntry};
use rusqlite::{Connection, Row, Savepoint, params};
use std::collections::HashMap;
use time::OffsetDateTime;

const TIMELINE_COLUMNS: &str =
    "at, status, party, note, kind, from_party, to_party, photo_ids, rating";

fn timeline_row(r: &Row<'_>) -> rusqlite::Result<TimelineEntry> {
    timeline_row_at(r, 0)
}

pub(super) fn timeline(conn: &Connection, id: ReportId) -> rusqlite::Result<Vec<TimelineEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TIMELINE_COLUMNS} FROM report_timeline WHERE report_id = ?1 ORDER BY position"
    ))?;
    stmt.query_map([id.to_string()], timeline_row)?.collect()
}

fn opt_ts(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(ts)
}

pub(super) fn apply_step(
    tx: Savepoint<'_>,
    id: ReportId,
    step: &ReportStep,
) -> StoreResult<StepOutcome> {
    let entry = &step.entry;
    // The rating is written only where none is yet: a second one finds the row unchanged.
    let moved = tx.execute(
        "UPDATE reports SET status = ?2, handling_party = ?3, held_since = ?4,
             resolved_at = ?5, closed_at = ?6, reopen_count = ?7,
             rating = COALESCE(?8, rating), updated_at = ?9
         WHERE id = ?1 AND status = ?10 AND handling_party = ?11 AND updated_at = ?12
             AND (?8 IS NULL OR rating IS NULL)",
        params![
            id.to_string(),
            name(&step.status),
            name(&step.handling_party),
            ts(step.held_since),
            opt_ts(step.resolved_at),
            opt_ts(step.closed_at),
            step.reopen_count,
            step.new_rating.as_ref().map(to_json),
            ts(entry.at),
            name(&step.expect_status),
            name(&step.expect_party),
            ts(step.expect_updated_at),
        ],
    )?;
    if moved == 0 {
        return Ok(StepOutcome::Stale);
    }
    tx.execute(
        "INSERT INTO report_timeline
             (report_id, position, at, status, party, note, author_id, kind, from_party,
              to_party, photo_ids, rating)
         VALUES (?1, (SELECT COUNT(*) FROM report_timeline WHERE report_id = ?1),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id.to_string(),
            ts(entry.at),
            name(&entry.status),
            entry.party.as_ref().map(name),
            entry.note,
            step.author.map(|a| a.0),
            name(&entry.kind),
            entry.from_party.as_ref().map(name),
            entry.to_party.as_ref().map(name),
            to_json(&entry.photo_ids),
            entry.rating.as_ref().map(to_json),
        ],
    )?;
    for photo in &entry.photo_ids {
        // Judged inside the transaction, as when filing: a photo goes to one report only.
        let linked = tx.execute(
            "UPDATE photos SET report_id = ?2
             WHERE id = ?1 AND uploader_id = ?3 AND comment_id IS NULL
               AND (report_id IS NULL OR report_id = ?2)",
            params![photo.to_string(), id.to_string(), step.author.map(|a| a.0)],
        )?;
        if linked != 1 {
            return Ok(StepOutcome::PhotoUnavailable(*photo));
        }
    }
    let stored = report_by_id(&tx, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("report {id} vanished mid-update")))?;
    let seq = append_event(&tx, stored.estate_id, &stored.report)?;
    tx.commit()?;
    Ok(StepOutcome::Applied {
        report: Box::new(stored.report),
        seq,
    })
}

pub(super) fn resolved_before(
    conn: &Connection,
    cutoff: OffsetDateTime,
) -> rusqlite::Result<Vec<StoredReport>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
         WHERE status = ?1 AND resolved_at <= ?2 ORDER BY resolved_at"
    ))?;
    stmt.query_map(
        params![name(&ReportStatus::Resolved), ts(cutoff)],
        report_row,
    )?
    .collect()
}

pub(super) fn service_targets(conn: &Connection) -> rusqlite::Result<Vec<TargetRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT category, urgency, respond_minutes, resolve_minutes FROM service_targets",
    )?;
    stmt.query_map([], |r| {
        Ok(TargetRow {
            category: r.get(0)?,
            urgency: from_name(r.get(1)?)?,
            respond_minutes: r.get(2)?,
            resolve_minutes: r.get(3)?,
        })
    })?
    .collect()
}

/// Puts the seed's targets in place of any with the same category and urgency.
pub(super) fn seed_targets(tx: &Connection, targets: &[SeedTarget]) -> rusqlite::Result<()> {
    for t in targets {
        tx.execute(
            "DELETE FROM service_targets WHERE COALESCE(category, '') = COALESCE(?1, '')
                 AND urgency = ?2",
            params![t.category, name(&t.urgency)],
        )?;
        tx.execute(
            "INSERT INTO service_targets (category, urgency, respond_minutes, resolve_minutes)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                t.category,
                name(&t.urgency),
                t.respond_minutes,
                t.resolve_minutes
            ],
        )?;
    }
    Ok(())
}

pub(super) fn estate_history(
    conn: &Connection,
    estate: EstateId,
    before: OffsetDateTime,
) -> rusqlite::Result<Vec<ReportHistory>> {
    let reports: Vec<StoredReport> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
             WHERE estate_id = ?1 AND created_at < ?2 ORDER BY created_at, number"
        ))?;
        stmt.query_map(params![estate.0, ts(before)], report_row)?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut entries: HashMap<String, Vec<TimelineEntry>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT t.report_id, {} FROM report_timeline t JOIN reports r ON r.id = t.report_id
             WHERE r.estate_id = ?1 AND r.created_at < ?2 ORDER BY t.report_id, t.position",
            TIMELINE_COLUMNS
                .split(", ")
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        let mut rows = stmt.query(params![estate.0, ts(before)])?;
        while let Some(row) = rows.next()? {
            let report: String = row.get(0)?;
            let entry = timeline_row_at(row, 1)?;
            entries.entry(report).or_default().push(entry);
        }
    }
    Ok(reports
        .into_iter()
        .map(|stored| ReportHistory {
            timeline: entries
                .remove(&stored.report.id.to_string())
                .unwrap_or_default(),
            report: stored.report,
        })
        .collect())
}

/// [`timeline_row`] for a row whose timeline columns start at `offset`.
fn timeline_row_at(r: &Row<'_>, offset: usize) -> rusqlite::Result<TimelineEntry> {
    let party = |i: usize| -> rusqlite::Result<_> {
        r.get::<_, Option<String>>(offset + i)?
            .map(from_name)
            .transpose()
    };
    Ok(TimelineEntry {
        at: from_ts(r.get(offset)?)?,
        status: from_name(r.get(offset + 1)?)?,
        party: party(2)?,
        note: r.get(offset + 3)?,
        kind: from_name(r.get(offset + 4)?)?,
        from_party: party(5)?,
        to_party: party(6)?,
        photo_ids: from_json(&r.get::<_, String>(offset + 7)?)?,
        rating: r
            .get::<_, Option<String>>(offset + 8)?
            .as_deref()
            .map(from_json)
            .transpose()?,
    })
}
