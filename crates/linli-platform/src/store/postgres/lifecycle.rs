//! The report lifecycle in PostgreSQL: steps, timelines with their kinds, service targets
//! and histories for the board. A child of the PostgreSQL store so it shares its readers.

use super::{
    AFFECTED, Commit, Finish, REPORT_COLUMNS, Rollback, append_event, count, from_name, from_ts,
    name, opt_ts, report_by_id, report_row, ts,
};
use crate::demo::SeedTarget;
use crate::store::{
    ReportHistory, ReportStep, StepOutcome, StoreError, StoreResult, StoredReport, TargetRow,
};
use linli_api::{EstateId, ReportId, ReportStatus, TimelineEntry};
use postgres::types::Json;
use postgres::{GenericClient, Row, Transaction};
use std::collections::HashMap;
use time::OffsetDateTime;

const TIMELINE_COLUMNS: &str =
    "at, status, party, note, kind, from_party, to_party, photo_ids, rating";

pub(super) fn timeline(
    conn: &mut impl GenericClient,
    id: ReportId,
) -> StoreResult<Vec<TimelineEntry>> {
    conn.query(
        &format!(
            "SELECT {TIMELINE_COLUMNS} FROM report_timeline WHERE report_id = $1
             ORDER BY position"
        ),
        &[&id.0],
    )?
    .iter()
    .map(|r| timeline_row_at(r, 0))
    .collect()
}

pub(super) fn apply_step(
    tx: &mut Transaction<'_>,
    id: ReportId,
    step: &ReportStep,
) -> StoreResult<Finish<StepOutcome>> {
    let entry = &step.entry;
    // Compare-and-set on the report's row: a racing step waits for this one's row lock,
    // then re-checks status, party and last change on the row as this one left it, and
    // finds it stale. The rating is written only where none is yet.
    let moved = tx.execute(
        "UPDATE reports SET status = $2, handling_party = $3, held_since = $4,
             resolved_at = $5, closed_at = $6, reopen_count = $7,
             rating = COALESCE($8, rating), updated_at = $9
         WHERE id = $1 AND status = $10 AND handling_party = $11 AND updated_at = $12
             AND ($8::jsonb IS NULL OR rating IS NULL)",
        &[
            &id.0,
            &name(&step.status),
            &name(&step.handling_party),
            &ts(step.held_since),
            &opt_ts(step.resolved_at),
            &opt_ts(step.closed_at),
            &i64::from(step.reopen_count),
            &step.new_rating.as_ref().map(Json),
            &ts(entry.at),
            &name(&step.expect_status),
            &name(&step.expect_party),
            &ts(step.expect_updated_at),
        ],
    )?;
    if moved == 0 {
        return Ok(Rollback(StepOutcome::Stale));
    }
    // The report's row lock, held since the update, keeps positions of one report in turn.
    tx.execute(
        "INSERT INTO report_timeline
             (report_id, position, at, status, party, note, author_id, kind, from_party,
              to_party, photo_ids, rating)
         VALUES ($1, (SELECT COUNT(*) FROM report_timeline WHERE report_id = $1),
                 $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id.0,
            &ts(entry.at),
            &name(&entry.status),
            &entry.party.as_ref().map(name),
            &entry.note,
            &step.author.map(|a| a.0),
            &name(&entry.kind),
            &entry.from_party.as_ref().map(name),
            &entry.to_party.as_ref().map(name),
            &Json(&entry.photo_ids),
            &entry.rating.as_ref().map(Json),
        ],
    )?;
    for photo in &entry.photo_ids {
        // The photo's row lock, as when filing: a photo goes to one report only.
        let linked = tx.execute(
            "UPDATE photos SET report_id = $2
             WHERE id = $1 AND uploader_id = $3 AND comment_id IS NULL
               AND (report_id IS NULL OR report_id = $2)",
            &[&photo.0, &id.0, &step.author.map(|a| a.0)],
        )?;
        if linked != 1 {
            return Ok(Rollback(StepOutcome::PhotoUnavailable(*photo)));
        }
    }
    let stored = report_by_id(tx, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("report {id} vanished mid-update")))?;
    let seq = append_event(tx, stored.estate_id, &stored.report)?;
    Ok(Commit(StepOutcome::Applied {
        report: Box::new(stored.report),
        seq,
    }))
}

pub(super) fn resolved_before(
    conn: &mut impl GenericClient,
    cutoff: OffsetDateTime,
) -> StoreResult<Vec<StoredReport>> {
    conn.query(
        &format!(
            "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
             WHERE status = $1 AND resolved_at <= $2 ORDER BY resolved_at"
        ),
        &[&name(&ReportStatus::Resolved), &ts(cutoff)],
    )?
    .iter()
    .map(report_row)
    .collect()
}

pub(super) fn service_targets(conn: &mut impl GenericClient) -> StoreResult<Vec<TargetRow>> {
    conn.query(
        "SELECT category, urgency, respond_minutes, resolve_minutes FROM service_targets",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(TargetRow {
            category: r.try_get(0)?,
            urgency: from_name(r.try_get(1)?)?,
            respond_minutes: count(r.try_get(2)?)?,
            resolve_minutes: count(r.try_get(3)?)?,
        })
    })
    .collect()
}

/// Puts the seed's targets in place of any with the same category and urgency.
pub(super) fn seed_targets(tx: &mut Transaction<'_>, targets: &[SeedTarget]) -> StoreResult<()> {
    for t in targets {
        tx.execute(
            "DELETE FROM service_targets WHERE COALESCE(category, '') = COALESCE($1::text, '')
                 AND urgency = $2",
            &[&t.category, &name(&t.urgency)],
        )?;
        tx.execute(
            "INSERT INTO service_targets (category, urgency, respond_minutes, resolve_minutes)
             VALUES ($1, $2, $3, $4)",
            &[
                &t.category,
                &name(&t.urgency),
                &i64::from(t.respond_minutes),
                &i64::from(t.resolve_minutes),
            ],
        )?;
    }
    Ok(())
}

pub(super) fn estate_history(
    conn: &mut impl GenericClient,
    estate: EstateId,
    before: OffsetDateTime,
) -> StoreResult<Vec<ReportHistory>> {
    let reports: Vec<StoredReport> = conn
        .query(
            &format!(
                "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
                 WHERE estate_id = $1 AND created_at < $2 ORDER BY created_at, number"
            ),
            &[&estate.0, &ts(before)],
        )?
        .iter()
        .map(report_row)
        .collect::<StoreResult<_>>()?;
    let mut entries: HashMap<uuid::Uuid, Vec<TimelineEntry>> = HashMap::new();
    let columns = TIMELINE_COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    for row in conn.query(
        &format!(
            "SELECT t.report_id, {columns} FROM report_timeline t
             JOIN reports r ON r.id = t.report_id
             WHERE r.estate_id = $1 AND r.created_at < $2 ORDER BY t.report_id, t.position"
        ),
        &[&estate.0, &ts(before)],
    )? {
        let report: uuid::Uuid = row.try_get(0)?;
        entries
            .entry(report)
            .or_default()
            .push(timeline_row_at(&row, 1)?);
    }
    Ok(reports
        .into_iter()
        .map(|stored| ReportHistory {
            timeline: entries.remove(&stored.report.id.0).unwrap_or_default(),
            report: stored.report,
        })
        .collect())
}

/// A timeline entry from a row whose timeline columns start at `offset`.
fn timeline_row_at(r: &Row, offset: usize) -> StoreResult<TimelineEntry> {
    let party = |i: usize| -> StoreResult<_> {
        r.try_get::<_, Option<String>>(offset + i)?
            .map(from_name)
            .transpose()
    };
    Ok(TimelineEntry {
        at: from_ts(r.try_get(offset)?)?,
        status: from_name(r.try_get(offset + 1)?)?,
        party: party(2)?,
        note: r.try_get(offset + 3)?,
        kind: from_name(r.try_get(offset + 4)?)?,
        from_party: party(5)?,
        to_party: party(6)?,
        photo_ids: r.try_get::<_, Json<_>>(offset + 7)?.0,
        rating: r.try_get::<_, Option<Json<_>>>(offset + 8)?.map(|j| j.0),
    })
}
