//! Comments on a report: the conversation between the residents it affects and the party
//! handling it.
//!
//! Who reads: the reporter, residents following it, and staff of all four parties of the
//! estate (and administrators), who see every report of their estate anyway. Other residents
//! who may see a public report read neither its comments nor write any: following it makes
//! them part of the conversation.
//!
//! Who writes: the reporter and the residents following it (they are affected; a follower who
//! can only watch would file a second report to be heard, the very thing the duplicate check
//! exists to prevent), and staff of the handling party, who answer for the report. Staff of
//! the other parties read along but do not write: the resident must hear one voice for the
//! party that holds the report, and a party with something to do takes the report over by a
//! hand-off. Administrators read only.
//!
//! Residents are never named to each other: a comment says "reporter" or "follower"; staff
//! are named with their party, so residents know who answers them.

use super::follow::{Standing, standing};
use super::not_found;
use crate::auth::Caller;
use crate::store::{CommentInsert, CommentRole, NewCommentRecord, Store, StoredComment};
use linli_api::platform::{Comment, CommentAuthor, NewComment};
use linli_api::validate::validate_comment;
use linli_api::{ApiError, ErrorCode, FieldError, FieldErrorCode, ReportId, UserId};
use time::OffsetDateTime;

/// A stored comment as `reader` sees it.
pub fn as_seen_by(comment: StoredComment, reader: UserId) -> Comment {
    let author = match comment.role {
        CommentRole::Reporter => CommentAuthor::Reporter,
        CommentRole::Follower => CommentAuthor::Follower,
        CommentRole::Staff(party) => CommentAuthor::Staff {
            party,
            name: comment.author_name,
        },
    };
    Comment {
        id: comment.id,
        report_id: comment.report_id,
        author,
        mine: comment.author == reader,
        body: comment.body,
        photo_ids: comment.photo_ids,
        created_at: comment.created_at,
    }
}

/// What came of posting.
#[derive(Clone, Debug, PartialEq)]
pub struct Posted {
    /// The comment.
    pub comment: Comment,
    /// Its change event, when it was stored just now (not when it already existed).
    pub seq: Option<i64>,
}

fn not_a_participant() -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        "the conversation on a report is for its reporter, its followers and the parties",
    )
}

fn unknown_photo() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "photos",
        FieldErrorCode::UnknownPhoto,
    )])
}

/// Posts a comment (see the module's rules on who may). The same id with the same content
/// answers the stored comment again (a retry whose first answer was lost); different content
/// under a taken id is a conflict.
pub fn post(
    store: &dyn Store,
    caller: &Caller,
    report_id: ReportId,
    new: &NewComment,
    now: OffsetDateTime,
) -> Result<Posted, ApiError> {
    let user = &caller.user;
    let report = store.report(report_id)?.ok_or_else(not_found)?;
    let role = match standing(store, user, &report)? {
        Standing::Reporter => CommentRole::Reporter,
        Standing::Follower => CommentRole::Follower,
        Standing::Staff => match user.role.party() {
            Some(party) if party == report.report.handling_party => CommentRole::Staff(party),
            _ => {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "only staff of the handling party comment for the parties",
                ));
            }
        },
        Standing::Neighbour => return Err(not_a_participant()),
        Standing::Stranger => return Err(not_found()),
    };
    let errors = validate_comment(&new.body, &new.photo_ids);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let record = NewCommentRecord {
        id: new.id,
        report_id,
        author: user.id,
        role,
        body: new.body.trim().to_owned(),
        photo_ids: new.photo_ids.clone(),
        at: now,
    };
    match store.insert_comment(&record)? {
        CommentInsert::Created { comment, seq } => Ok(Posted {
            comment: as_seen_by(comment, user.id),
            seq: Some(seq),
        }),
        CommentInsert::Exists(comment)
            if comment.report_id == record.report_id
                && comment.author == record.author
                && comment.body == record.body
                && comment.photo_ids == record.photo_ids =>
        {
            Ok(Posted {
                comment: as_seen_by(comment, user.id),
                seq: None,
            })
        }
        CommentInsert::Exists(_) => Err(ApiError::new(
            ErrorCode::Conflict,
            "a different comment with this id already exists",
        )),
        CommentInsert::PhotoUnavailable(_) => Err(unknown_photo()),
        // Deleted between the read above and the write: as if it never was.
        CommentInsert::NoReport => Err(not_found()),
    }
}

/// A report's comments, oldest first, for those who may read them.
pub fn list(
    store: &dyn Store,
    caller: &Caller,
    report_id: ReportId,
) -> Result<Vec<Comment>, ApiError> {
    let user = &caller.user;
    let report = store.report(report_id)?.ok_or_else(not_found)?;
    match standing(store, user, &report)? {
        Standing::Stranger => return Err(not_found()),
        Standing::Neighbour => return Err(not_a_participant()),
        Standing::Reporter | Standing::Follower | Standing::Staff => {}
    }
    Ok(store
        .comments(report_id)?
        .into_iter()
        .map(|c| as_seen_by(c, user.id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{CommentId, Party};

    fn stored(role: CommentRole) -> StoredComment {
        StoredComment {
            id: CommentId::new(),
            report_id: ReportId::new(),
            author: UserId(2),
            author_name: "李建国".into(),
            role,
            body: "还在漏".into(),
            photo_ids: vec![],
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn residents_are_never_named_and_staff_always_are() {
        for role in [CommentRole::Reporter, CommentRole::Follower] {
            let seen = as_seen_by(stored(role), UserId(1));
            assert!(!format!("{seen:?}").contains("李建国"), "{seen:?}");
            assert!(!seen.mine);
        }
        let staff = as_seen_by(
            stored(CommentRole::Staff(Party::PropertyCompany)),
            UserId(2),
        );
        assert_eq!(
            staff.author,
            CommentAuthor::Staff {
                party: Party::PropertyCompany,
                name: "李建国".into()
            }
        );
        assert!(staff.mine);
    }
}
