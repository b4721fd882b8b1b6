//! Comments, followers and the duplicate check's lookup, in PostgreSQL. A child of the
//! PostgreSQL store so it shares its readers and time encoding.

use super::{
    AFFECTED, Commit, Finish, REPORT_COLUMNS, Rollback, append_event, from_name, from_ts,
    lock_feed, name, report_by_id, report_row, ts,
};
use crate::store::{
    CommentInsert, CommentRole, FINISHED_STATUSES, NewCommentRecord, SimilarPlace, SimilarScope,
    StoreError, StoreResult, StoredComment, StoredReport,
};
use linli_api::platform::{ChangeKind, UnitRef};
use linli_api::{BuildingId, CommentId, ReportId, UnitId, UserId};
use postgres::types::Json;
use postgres::{GenericClient, Row, Transaction};
use time::OffsetDateTime;

pub(super) fn unit_row(r: &Row) -> StoreResult<UnitRef> {
    unit_at(r, 0)
}

/// A unit from `id, building_id, label, area_m2` starting at column `at`.
pub(super) fn unit_at(r: &Row, at: usize) -> StoreResult<UnitRef> {
    Ok(UnitRef {
        id: UnitId(r.try_get(at)?),
        building_id: BuildingId(r.try_get(at + 1)?),
        label: r.try_get(at + 2)?,
        area_m2: r.try_get(at + 3)?,
    })
}

pub(super) fn unit(conn: &mut impl GenericClient, id: UnitId) -> StoreResult<Option<UnitRef>> {
    conn.query_opt(
        "SELECT id, building_id, label, area_m2 FROM units WHERE id = $1",
        &[&id.0],
    )?
    .as_ref()
    .map(unit_row)
    .transpose()
}

const COMMENT_SELECT: &str = "SELECT c.id, c.report_id, c.author_id, u.name, c.author_role, \
     c.author_party, c.body, c.photo_ids, c.created_at \
     FROM report_comments c JOIN users u ON u.id = c.author_id";

fn role_columns(role: CommentRole) -> (&'static str, Option<String>) {
    match role {
        CommentRole::Reporter => ("reporter", None),
        CommentRole::Follower => ("follower", None),
        CommentRole::Staff(party) => ("staff", Some(name(&party))),
    }
}

fn comment_row(row: &Row) -> StoreResult<StoredComment> {
    let role = match (
        row.try_get::<_, String>(4)?.as_str(),
        row.try_get::<_, Option<String>>(5)?,
    ) {
        ("reporter", _) => CommentRole::Reporter,
        ("follower", _) => CommentRole::Follower,
        ("staff", Some(party)) => CommentRole::Staff(from_name(party)?),
        (other, party) => {
            return Err(StoreError::Corrupt(format!(
                "unknown comment author {other} ({party:?})"
            )));
        }
    };
    Ok(StoredComment {
        id: CommentId(row.try_get(0)?),
        report_id: ReportId(row.try_get(1)?),
        author: UserId(row.try_get(2)?),
        author_name: row.try_get(3)?,
        role,
        body: row.try_get(6)?,
        photo_ids: row.try_get::<_, Json<_>>(7)?.0,
        created_at: from_ts(row.try_get(8)?)?,
    })
}

fn comment_by_id(
    conn: &mut impl GenericClient,
    id: CommentId,
) -> StoreResult<Option<StoredComment>> {
    conn.query_opt(&format!("{COMMENT_SELECT} WHERE c.id = $1"), &[&id.0])?
        .as_ref()
        .map(comment_row)
        .transpose()
}

pub(super) fn insert_comment(
    tx: &mut Transaction<'_>,
    new: &NewCommentRecord,
) -> StoreResult<Finish<CommentInsert>> {
    if let Some(existing) = comment_by_id(tx, new.id)? {
        return Ok(Rollback(CommentInsert::Exists(existing)));
    }
    let Some(report) = report_by_id(tx, new.report_id)? else {
        return Ok(Rollback(CommentInsert::NoReport));
    };
    let (role, party) = role_columns(new.role);
    // A racing copy of this comment (a retry on another instance) waits for this insert,
    // then inserts nothing and answers with what this one stored.
    let inserted = tx.execute(
        "INSERT INTO report_comments
             (id, report_id, author_id, author_role, author_party, body, photo_ids, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        &[
            &new.id.0,
            &new.report_id.0,
            &new.author.0,
            &role,
            &party,
            &new.body,
            &Json(&new.photo_ids),
            &ts(new.at),
        ],
    )?;
    if inserted == 0 {
        let existing = comment_by_id(tx, new.id)?.ok_or_else(|| {
            StoreError::Corrupt(format!("comment {} both taken and missing", new.id))
        })?;
        return Ok(Rollback(CommentInsert::Exists(existing)));
    }
    for photo in &new.photo_ids {
        // The photo's row lock, as for reports: a photo holds one place only.
        let linked = tx.execute(
            "UPDATE photos SET report_id = $2, comment_id = $3
             WHERE id = $1 AND uploader_id = $4 AND report_id IS NULL AND comment_id IS NULL",
            &[&photo.0, &new.report_id.0, &new.id.0, &new.author.0],
        )?;
        if linked != 1 {
            return Ok(Rollback(CommentInsert::PhotoUnavailable(*photo)));
        }
    }
    lock_feed(tx)?;
    let seq: i64 = tx
        .query_one(
            "INSERT INTO report_events
                 (report_id, estate_id, reporter_id, number, status, at, kind, comment_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            &[
                &report.report.id.0,
                &report.estate_id.0,
                &report.report.reporter.0,
                &report.report.number,
                &name(&report.report.status),
                &ts(new.at),
                &name(&ChangeKind::Comment),
                &new.id.0,
            ],
        )?
        .try_get(0)?;
    let comment = comment_by_id(tx, new.id)?
        .ok_or_else(|| StoreError::Corrupt(format!("comment {} vanished mid-insert", new.id)))?;
    Ok(Commit(CommentInsert::Created { comment, seq }))
}

pub(super) fn comments(
    conn: &mut impl GenericClient,
    report: ReportId,
) -> StoreResult<Vec<StoredComment>> {
    conn.query(
        &format!("{COMMENT_SELECT} WHERE c.report_id = $1 ORDER BY c.created_at, c.seq"),
        &[&report.0],
    )?
    .iter()
    .map(comment_row)
    .collect()
}

pub(super) fn set_following(
    tx: &mut Transaction<'_>,
    report: ReportId,
    user: UserId,
    at: OffsetDateTime,
    follow: bool,
) -> StoreResult<Finish<Option<i64>>> {
    // A racing follow by the same person waits on the key and then inserts nothing; a
    // racing unfollow waits on the row and then deletes nothing: one event either way.
    let changed = if follow {
        tx.execute(
            "INSERT INTO report_followers (report_id, user_id, since) VALUES ($1, $2, $3)
             ON CONFLICT (report_id, user_id) DO NOTHING",
            &[&report.0, &user.0, &ts(at)],
        )?
    } else {
        tx.execute(
            "DELETE FROM report_followers WHERE report_id = $1 AND user_id = $2",
            &[&report.0, &user.0],
        )?
    };
    if changed == 0 {
        return Ok(Rollback(None));
    }
    // The affected count changed: devices showing the report hear of it.
    let stored = report_by_id(tx, report)?
        .ok_or_else(|| StoreError::Corrupt(format!("report {report} vanished mid-follow")))?;
    let seq = append_event(
        tx,
        stored.estate_id,
        &linli_api::Report {
            updated_at: at,
            ..stored.report
        },
    )?;
    Ok(Commit(Some(seq)))
}

pub(super) fn followed_reports(
    conn: &mut impl GenericClient,
    user: UserId,
) -> StoreResult<Vec<ReportId>> {
    conn.query(
        "SELECT report_id FROM report_followers WHERE user_id = $1 ORDER BY since",
        &[&user.0],
    )?
    .iter()
    .map(|r| Ok(ReportId(r.try_get(0)?)))
    .collect()
}

pub(super) fn similar_reports(
    conn: &mut impl GenericClient,
    scope: &SimilarScope,
) -> StoreResult<Vec<StoredReport>> {
    // A report about a home counts as its building's: a leak in 3栋501 and one in 3栋401
    // may be the same riser.
    let (place_condition, place_id) = match scope.place {
        SimilarPlace::Building(building) => (
            "((place->>'kind' = 'building' AND (place->>'building_id')::bigint = $6)
              OR (place->>'kind' = 'unit' AND (place->>'unit_id')::bigint IN
                    (SELECT id FROM units WHERE building_id = $6)))",
            building.0,
        ),
        SimilarPlace::CommonArea(area) => (
            "(place->>'kind' = 'common_area' AND (place->>'area_id')::bigint = $6)",
            area.0,
        ),
    };
    conn.query(
        &format!(
            "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
             WHERE estate_id = $1 AND category = $2 AND created_at >= $3
               AND status NOT IN ($4, $5) AND {place_condition}
             ORDER BY created_at DESC, number DESC"
        ),
        &[
            &scope.estate.0,
            &scope.category,
            &ts(scope.since),
            &FINISHED_STATUSES[0],
            &FINISHED_STATUSES[1],
            &place_id,
        ],
    )?
    .iter()
    .map(report_row)
    .collect()
}
