//! The store's part of what residents do to delivered reports: actions and their outbox rows,
//! followed reports, cached comments, photos fetched from the platform and the board.

use super::{
    Applied, Cached, OUTBOX_REPORT, Store, Viewer, apply_detail_in, fmt_ts, from_json, load_report,
    not_found, parse_ts, require_report, to_json, wire,
};
use crate::error::Error;
use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::{ActionId, EstateId, PhotoId, ReportId, UserId};
use linli_api::ipc::{ActionDelivery, ActionKind, LocalAction, LocalReport, Relation};
use linli_api::platform::{Board, Comment, ReportDetail, SimilarReport};
use linli_api::report::Urgency;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

const OUTBOX_ACTION: &str = "action";

/// What the platform's answer to a delivered action changes on the device.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionDone {
    /// The report as it is now (confirm, reopen, rate).
    Detail(Box<ReportDetail>),
    /// The comment as the platform keeps it.
    Comment(Box<Comment>),
    /// Following: nothing more to store until the report's detail is fetched.
    Followed,
    /// No longer following: the report leaves the device.
    Unfollowed,
}

/// What storing a delivered action did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActionStored {
    /// For [`ActionDone::Detail`]: what applying it changed.
    pub applied: Option<Applied>,
    /// Photo files no longer needed (a report that left the device).
    pub photos_gone: Vec<PhotoId>,
}

fn parse_id<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, Error>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e| Error::Corrupt(format!("{what} {s:?}: {e}")))
}

fn action_delivery(
    state: &str,
    attempts: i64,
    last_error: Option<&str>,
) -> Result<ActionDelivery, Error> {
    let last_error: Option<ApiError> = last_error.map(from_json).transpose()?;
    Ok(match state {
        "queued" => ActionDelivery::Queued {
            attempts: attempts as u32,
            last_error,
        },
        "sending" => ActionDelivery::Sending,
        "rejected" => ActionDelivery::Rejected {
            error: last_error.unwrap_or_else(|| ApiError::new(ErrorCode::Internal, "")),
        },
        other => return Err(Error::Corrupt(format!("action state {other:?}"))),
    })
}

/// The actions on a report still on the device (waiting or refused), in the order they were
/// done.
pub(super) fn actions_of(conn: &Connection, report: ReportId) -> Result<Vec<LocalAction>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.kind, a.created_at, o.state, o.attempts, o.last_error
         FROM actions a JOIN outbox o ON o.kind = 'action' AND o.record_id = a.id
         WHERE a.report_id = ?1 ORDER BY o.seq",
    )?;
    let rows = stmt
        .query_map([report.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, kind, created_at, state, attempts, last_error)| {
            Ok(LocalAction {
                id: parse_id("action id", &id)?,
                report_id: report,
                kind: from_json(&kind)?,
                delivery: action_delivery(&state, attempts, last_error.as_deref())?,
                created_at: parse_ts(&created_at)?,
            })
        })
        .collect()
}

fn insert_action(
    tx: &Transaction<'_>,
    id: ActionId,
    report: ReportId,
    kind: &ActionKind,
    now: Timestamp,
) -> Result<(), Error> {
    tx.exec(
        "INSERT INTO actions (id, report_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            id.to_string(),
            report.to_string(),
            to_json(kind)?,
            fmt_ts(now)
        ],
    )?;
    tx.exec(
        "INSERT INTO outbox (kind, record_id, idempotency_key, state, created_at, updated_at)
         VALUES (?1, ?2, ?2, 'queued', ?3, ?3)",
        params![OUTBOX_ACTION, id.to_string(), fmt_ts(now)],
    )?;
    if let ActionKind::Comment {
        comment_id, photos, ..
    } = kind
    {
        for photo in photos {
            tx.exec(
                "INSERT INTO photos (id, report_id, position, width, height, bytes, created_at,
                     comment_id)
                 VALUES (?1, ?2,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE report_id = ?2),
                     ?3, ?4, ?5, ?6, ?7)",
                params![
                    photo.id.to_string(),
                    report.to_string(),
                    photo.width,
                    photo.height,
                    photo.bytes as i64,
                    fmt_ts(now),
                    comment_id.to_string()
                ],
            )?;
        }
    }
    Ok(())
}

/// Deletes an action with its outbox row and its photos' rows; returns the photos.
fn delete_action(tx: &Transaction<'_>, id: ActionId) -> Result<Vec<PhotoId>, Error> {
    let kind: Option<String> = tx
        .row(
            "SELECT kind FROM actions WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    tx.exec(
        "DELETE FROM outbox WHERE kind = ?1 AND record_id = ?2",
        params![OUTBOX_ACTION, id.to_string()],
    )?;
    tx.exec("DELETE FROM actions WHERE id = ?1", [id.to_string()])?;
    Ok(
        match kind.as_deref().map(from_json::<ActionKind>).transpose()? {
            Some(ActionKind::Comment { photos, .. }) => photos.iter().map(|p| p.id).collect(),
            _ => Vec::new(),
        },
    )
}

/// Removes a report and everything of it on the device; returns its photos.
fn delete_report(tx: &Transaction<'_>, id: ReportId) -> Result<Vec<PhotoId>, Error> {
    let mut stmt = tx.prepare_cached("SELECT id FROM photos WHERE report_id = ?1")?;
    let photos = stmt
        .query_map([id.to_string()], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .iter()
        .map(|p| parse_id("photo id", p))
        .collect::<Result<Vec<PhotoId>, Error>>()?;
    tx.exec(
        "DELETE FROM outbox WHERE (kind = ?1 AND record_id = ?2)
            OR (kind = ?3 AND record_id IN (SELECT id FROM actions WHERE report_id = ?2))",
        params![OUTBOX_REPORT, id.to_string(), OUTBOX_ACTION],
    )?;
    tx.exec("DELETE FROM reports WHERE id = ?1", [id.to_string()])?;
    Ok(photos)
}

impl Store {
    /// Keeps an action on a report for the sync engine (validated by the caller), with the
    /// rows of a comment's photos whose files are already written.
    pub fn add_action(
        &self,
        id: ActionId,
        report: ReportId,
        kind: &ActionKind,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        self.write(|tx| {
            require_report(tx, report)?;
            insert_action(tx, id, report, kind, now)?;
            require_report(tx, report)
        })
    }

    /// "Same problem": keeps a neighbour's report on the device as followed by `viewer`'s
    /// person, from what the duplicate check showed, and queues the follow. A report the
    /// person wrote cannot be followed (`own_report`).
    pub fn follow(
        &self,
        similar: &SimilarReport,
        viewer: &Viewer,
        action: ActionId,
        now: Timestamp,
    ) -> Result<LocalReport, Error> {
        let Some(me) = viewer.user_id else {
            return Err(Error::Api(ApiError::new(
                ErrorCode::SignInRequired,
                "sign in to follow a report",
            )));
        };
        self.write(|tx| {
            match load_report(tx, similar.id)? {
                Some(known) if known.relation == Relation::Mine => {
                    return Err(Error::Api(ApiError::new(
                        ErrorCode::OwnReport,
                        "the report is the person's own",
                    )));
                }
                Some(_) => {}
                None => {
                    tx.exec(
                        "INSERT INTO reports (id, owner_user_id, platform_url, category,
                             description, urgency, number, status, place_label, relation,
                             created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'following', ?10, ?11)",
                        params![
                            similar.id.to_string(),
                            me.0,
                            viewer.platform_url,
                            similar.category,
                            similar.description,
                            wire(&Urgency::default())?,
                            similar.number,
                            wire(&similar.status)?,
                            similar.place_label,
                            fmt_ts(similar.created_at),
                            fmt_ts(now)
                        ],
                    )?;
                    // The report is on the platform already: nothing of it to send.
                    tx.exec(
                        "INSERT INTO outbox (kind, record_id, idempotency_key, state,
                             created_at, updated_at)
                         VALUES (?1, ?2, ?2, 'delivered', ?3, ?3)",
                        params![OUTBOX_REPORT, similar.id.to_string(), fmt_ts(now)],
                    )?;
                }
            }
            insert_action(tx, action, similar.id, &ActionKind::Follow, now)?;
            require_report(tx, similar.id)
        })
    }

    /// One action still on the device, with its outbox position.
    pub fn action(&self, id: ActionId) -> Result<Option<LocalAction>, Error> {
        let conn = self.conn();
        let report: Option<String> = conn
            .row(
                "SELECT report_id FROM actions WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(report) = report else {
            return Ok(None);
        };
        let report = parse_id("report id", &report)?;
        Ok(actions_of(&conn, report)?.into_iter().find(|a| a.id == id))
    }

    /// Forgets a refused action once the person has read why; returns its report and the
    /// photos whose files can go. Only refused actions: one still waiting may be on its way.
    pub fn dismiss_action(&self, id: ActionId) -> Result<(ReportId, Vec<PhotoId>), Error> {
        self.write(|tx| {
            let found: Option<(String, String)> = tx
                .row(
                    "SELECT a.report_id, o.state FROM actions a
                     JOIN outbox o ON o.kind = 'action' AND o.record_id = a.id
                     WHERE a.id = ?1",
                    [id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((report, state)) = found else {
                return Err(not_found("action"));
            };
            if state != "rejected" {
                return Err(Error::Api(ApiError::new(
                    ErrorCode::Conflict,
                    "only a refused action can be dismissed; this one is still on its way",
                )));
            }
            let photos = delete_action(tx, id)?;
            tx.exec(
                "DELETE FROM photos WHERE comment_id IS NOT NULL AND id IN
                     (SELECT value FROM json_each(?1))",
                [to_json(&photos)?],
            )?;
            Ok((parse_id("report id", &report)?, photos))
        })
    }

    /// The platform took an action: it leaves the device and what it answered is stored, in
    /// one transaction.
    pub fn action_delivered(
        &self,
        action: ActionId,
        done: &ActionDone,
        platform_url: &str,
        viewer: UserId,
        now: Timestamp,
    ) -> Result<ActionStored, Error> {
        self.write(|tx| {
            let report: Option<String> = tx
                .row(
                    "SELECT report_id FROM actions WHERE id = ?1",
                    [action.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            // A comment's photos stay (rows and files): they are shown from the device.
            delete_action(tx, action)?;
            let mut stored = ActionStored::default();
            match done {
                ActionDone::Detail(detail) => {
                    stored.applied = Some(apply_detail_in(tx, detail, platform_url, viewer, now)?);
                }
                ActionDone::Comment(comment) => {
                    tx.exec(
                        "UPDATE photos SET uploaded = 1 WHERE comment_id = ?1",
                        [comment.id.to_string()],
                    )?;
                    upsert_comment(tx, comment)?;
                }
                ActionDone::Followed => {}
                ActionDone::Unfollowed => {
                    if let Some(report) = report {
                        let id: ReportId = parse_id("report id", &report)?;
                        let known = load_report(tx, id)?;
                        // Followed again meanwhile: the newer follow keeps it.
                        if known.is_some_and(|r| {
                            r.relation == Relation::Following
                                && !r.actions.iter().any(|a| a.kind == ActionKind::Follow)
                        }) {
                            stored.photos_gone = delete_report(tx, id)?;
                        }
                    }
                }
            }
            Ok(stored)
        })
    }

    // ---- comments ----

    /// The platform's comments on a report as last fetched, oldest first.
    pub fn comments(&self, report: ReportId) -> Result<Vec<Comment>, Error> {
        comments_in(&self.conn(), report)
    }

    /// Replaces the cached comments of a report with the platform's list; says whether
    /// anything changed. A report no longer on the device keeps nothing.
    pub fn replace_comments(&self, report: ReportId, comments: &[Comment]) -> Result<bool, Error> {
        self.write(|tx| {
            if load_report(tx, report)?.is_none() {
                return Ok(false);
            }
            let before = comments_in(tx, report)?;
            tx.exec(
                "DELETE FROM comments WHERE report_id = ?1",
                [report.to_string()],
            )?;
            for comment in comments.iter().filter(|c| c.report_id == report) {
                upsert_comment(tx, comment)?;
            }
            let mut sorted = comments.to_vec();
            sorted.sort_by_key(|c| (c.created_at, c.id));
            Ok(before != sorted)
        })
    }

    // ---- photos fetched from the platform ----

    /// The content type of a photo `viewer`'s person fetched before, if they did.
    pub fn fetched_photo(&self, id: PhotoId, viewer: &Viewer) -> Result<Option<String>, Error> {
        let Some(me) = viewer.user_id else {
            return Ok(None);
        };
        Ok(self
            .conn()
            .row(
                "SELECT content_type FROM fetched_photos
                 WHERE id = ?1 AND platform_url = ?2 AND user_id = ?3",
                params![id.to_string(), viewer.platform_url, me.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Remembers that `viewer`'s person fetched a photo (its file is written).
    pub fn save_fetched_photo(
        &self,
        id: PhotoId,
        viewer: &Viewer,
        content_type: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        let Some(me) = viewer.user_id else {
            return Ok(());
        };
        self.conn().exec(
            "INSERT INTO fetched_photos (id, platform_url, user_id, content_type, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET content_type = excluded.content_type,
                 fetched_at = excluded.fetched_at",
            params![
                id.to_string(),
                viewer.platform_url,
                me.0,
                content_type,
                fmt_ts(now)
            ],
        )?;
        Ok(())
    }

    // ---- the board ----

    /// The board last fetched for an estate and period, with when.
    pub fn board(
        &self,
        platform_url: &str,
        estate: EstateId,
        period: (Option<Timestamp>, Option<Timestamp>),
    ) -> Result<Option<(Board, Timestamp)>, Error> {
        let row: Option<(String, String)> = self
            .conn()
            .row(
                "SELECT body, fetched_at FROM boards WHERE platform_url = ?1 AND estate_id = ?2
                     AND period_from = ?3 AND period_to = ?4",
                params![
                    platform_url,
                    estate.0,
                    period_key(period.0),
                    period_key(period.1)
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(body, at)| Ok((from_json(&body)?, parse_ts(&at)?)))
            .transpose()
    }

    /// Keeps the board just fetched for an estate and period.
    pub fn save_board(
        &self,
        platform_url: &str,
        period: (Option<Timestamp>, Option<Timestamp>),
        board: &Board,
        fetched_at: Timestamp,
    ) -> Result<(), Error> {
        self.conn().exec(
            "INSERT INTO boards (platform_url, estate_id, period_from, period_to, body, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            params![
                platform_url,
                board.estate_id.0,
                period_key(period.0),
                period_key(period.1),
                to_json(board)?,
                fmt_ts(fetched_at)
            ],
        )?;
        Ok(())
    }
}

fn comments_in(conn: &Connection, report: ReportId) -> Result<Vec<Comment>, Error> {
    let mut stmt = conn
        .prepare_cached("SELECT body FROM comments WHERE report_id = ?1 ORDER BY created_at, id")?;
    let rows = stmt
        .query_map([report.to_string()], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.iter().map(|b| from_json(b)).collect()
}

fn period_key(at: Option<Timestamp>) -> String {
    at.map(fmt_ts).unwrap_or_default()
}

fn upsert_comment(tx: &Transaction<'_>, comment: &Comment) -> Result<(), Error> {
    tx.exec(
        "INSERT INTO comments (id, report_id, body, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, created_at = excluded.created_at",
        params![
            comment.id.to_string(),
            comment.report_id.to_string(),
            to_json(comment)?,
            fmt_ts(comment.created_at)
        ],
    )?;
    Ok(())
}
