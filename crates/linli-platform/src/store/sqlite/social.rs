//! Comments, followers and the duplicate check's lookup, in SQLite. A child of the SQLite
//! store so it shares its row readers and time encoding.

use super::{
    AFFECTED, REPORT_COLUMNS, append_event, from_json, from_name, from_ts, name, parse_uuid,
    report_by_id, report_row, to_json, ts,
};
use crate::store::{
    CommentInsert, CommentRole, FINISHED_STATUSES, NewCommentRecord, SimilarPlace, SimilarScope,
    StoreError, StoreResult, StoredComment, StoredReport,
};
use linli_api::platform::{ChangeKind, UnitRef};
use linli_api::{ReportId, UnitId, UserId};
use rusqlite::{Connection, OptionalExtension, Row, Savepoint, params};
use time::OffsetDateTime;

pub(super) fn unit(conn: &Connection, id: UnitId) -> rusqlite::Result<Option<UnitRef>> {
    conn.query_row(
        "SELECT id, building_id, label, area_m2 FROM units WHERE id = ?1",
        [id.0],
        |r| super::unit_at(r, 0),
    )
    .optional()
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

fn comment_row(row: &Row<'_>) -> rusqlite::Result<StoredComment> {
    let role = match (
        row.get::<_, String>(4)?.as_str(),
        row.get::<_, Option<String>>(5)?,
    ) {
        ("reporter", _) => CommentRole::Reporter,
        ("follower", _) => CommentRole::Follower,
        ("staff", Some(party)) => CommentRole::Staff(from_name(party)?),
        (other, party) => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("unknown comment author {other} ({party:?})").into(),
            ));
        }
    };
    Ok(StoredComment {
        id: parse_uuid(row.get(0)?)?,
        report_id: parse_uuid(row.get(1)?)?,
        author: UserId(row.get(2)?),
        author_name: row.get(3)?,
        role,
        body: row.get(6)?,
        photo_ids: from_json(&row.get::<_, String>(7)?)?,
        created_at: from_ts(row.get(8)?)?,
    })
}

fn comment_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<StoredComment>> {
    conn.query_row(
        &format!("{COMMENT_SELECT} WHERE c.id = ?1"),
        [id],
        comment_row,
    )
    .optional()
}

pub(super) fn insert_comment(
    tx: Savepoint<'_>,
    new: &NewCommentRecord,
) -> StoreResult<CommentInsert> {
    let id = new.id.to_string();
    if let Some(existing) = comment_by_id(&tx, &id)? {
        return Ok(CommentInsert::Exists(existing));
    }
    let Some(report) = report_by_id(&tx, new.report_id)? else {
        return Ok(CommentInsert::NoReport);
    };
    let (role, party) = role_columns(new.role);
    tx.execute(
        "INSERT INTO report_comments
             (id, report_id, author_id, author_role, author_party, body, photo_ids, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            new.report_id.to_string(),
            new.author.0,
            role,
            party,
            new.body,
            to_json(&new.photo_ids),
            ts(new.at)
        ],
    )?;
    for photo in &new.photo_ids {
        // Judged inside the transaction, as for reports: a photo holds one place only.
        let linked = tx.execute(
            "UPDATE photos SET report_id = ?2, comment_id = ?3
             WHERE id = ?1 AND uploader_id = ?4 AND report_id IS NULL AND comment_id IS NULL",
            params![
                photo.to_string(),
                new.report_id.to_string(),
                id,
                new.author.0
            ],
        )?;
        if linked != 1 {
            return Ok(CommentInsert::PhotoUnavailable(*photo));
        }
    }
    tx.execute(
        "INSERT INTO report_events
             (report_id, estate_id, reporter_id, number, status, at, kind, comment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            report.report.id.to_string(),
            report.estate_id.0,
            report.report.reporter.0,
            report.report.number,
            name(&report.report.status),
            ts(new.at),
            name(&ChangeKind::Comment),
            id
        ],
    )?;
    let seq = tx.last_insert_rowid();
    let comment = comment_by_id(&tx, &id)?
        .ok_or_else(|| StoreError::Corrupt(format!("comment {id} vanished mid-insert")))?;
    tx.commit()?;
    Ok(CommentInsert::Created { comment, seq })
}

pub(super) fn comments(
    conn: &Connection,
    report: ReportId,
) -> rusqlite::Result<Vec<StoredComment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{COMMENT_SELECT} WHERE c.report_id = ?1 ORDER BY c.created_at, c.rowid"
    ))?;
    stmt.query_map([report.to_string()], comment_row)?.collect()
}

pub(super) fn set_following(
    tx: Savepoint<'_>,
    report: ReportId,
    user: UserId,
    at: OffsetDateTime,
    follow: bool,
) -> StoreResult<Option<i64>> {
    let changed = if follow {
        tx.execute(
            "INSERT INTO report_followers (report_id, user_id, since) VALUES (?1, ?2, ?3)
             ON CONFLICT (report_id, user_id) DO NOTHING",
            params![report.to_string(), user.0, ts(at)],
        )?
    } else {
        tx.execute(
            "DELETE FROM report_followers WHERE report_id = ?1 AND user_id = ?2",
            params![report.to_string(), user.0],
        )?
    };
    if changed == 0 {
        return Ok(None);
    }
    // The affected count changed: devices showing the report hear of it.
    let stored = report_by_id(&tx, report)?
        .ok_or_else(|| StoreError::Corrupt(format!("report {report} vanished mid-follow")))?;
    let seq = append_event(
        &tx,
        stored.estate_id,
        &linli_api::Report {
            updated_at: at,
            ..stored.report
        },
    )?;
    tx.commit()?;
    Ok(Some(seq))
}

pub(super) fn followed_reports(conn: &Connection, user: UserId) -> rusqlite::Result<Vec<ReportId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT report_id FROM report_followers WHERE user_id = ?1 ORDER BY since",
    )?;
    stmt.query_map([user.0], |r| parse_uuid(r.get(0)?))?
        .collect()
}

pub(super) fn similar_reports(
    conn: &Connection,
    scope: &SimilarScope,
) -> rusqlite::Result<Vec<StoredReport>> {
    // A report about a home counts as its building's: a leak in 3栋501 and one in 3栋401
    // may be the same riser.
    let (place_condition, place_id) = match scope.place {
        SimilarPlace::Building(building) => (
            "((json_extract(place, '$.kind') = 'building'
                AND json_extract(place, '$.building_id') = ?6)
              OR (json_extract(place, '$.kind') = 'unit'
                AND json_extract(place, '$.unit_id') IN
                    (SELECT id FROM units WHERE building_id = ?6)))",
            building.0,
        ),
        SimilarPlace::CommonArea(area) => (
            "(json_extract(place, '$.kind') = 'common_area'
              AND json_extract(place, '$.area_id') = ?6)",
            area.0,
        ),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS}, {AFFECTED} FROM reports
         WHERE estate_id = ?1 AND category = ?2 AND created_at >= ?3
           AND status NOT IN (?4, ?5) AND {place_condition}
         ORDER BY created_at DESC, number DESC"
    ))?;
    stmt.query_map(
        params![
            scope.estate.0,
            scope.category,
            ts(scope.since),
            FINISHED_STATUSES[0],
            FINISHED_STATUSES[1],
            place_id
        ],
        report_row,
    )?
    .collect()
}
