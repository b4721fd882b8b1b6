//! Comments on a report between the resident (and followers) and the handling party: shown
//! from the device at once (the platform's, as last fetched, then the person's own still on
//! their way), refreshed in the background and whenever the change feed says one arrived.
//! Writing one is an action ([`crate::actions`]): photos resized on the device, sent once.

use crate::actions::{self, Who};
use crate::client::Failure;
use crate::reports::{self, photo_path, require_visible};
use crate::session::{self, Session};
use crate::{Inner, now};
use linli_api::error::ApiError;
use linli_api::ids::{CommentId, PhotoId, ReportId};
use linli_api::ipc::{ActionKind, Event, LocalAction, LocalComment, LocalReport, Relation};
use linli_api::platform::{Comment, CommentAuthor};
use linli_api::validate::validate_comment;
use std::sync::Arc;

/// What the device shows: the platform's comments, oldest first, then the person's own not
/// delivered yet (one the platform already lists is shown once, as the platform's).
pub fn merge(cached: Vec<Comment>, report: &LocalReport) -> Vec<LocalComment> {
    let mut out: Vec<LocalComment> = cached
        .into_iter()
        .map(|c| LocalComment {
            id: c.id,
            author: c.author,
            mine: c.mine,
            body: c.body,
            photo_ids: c.photo_ids,
            created_at: c.created_at,
            delivery: None,
        })
        .collect();
    let author = match report.relation {
        Relation::Mine => CommentAuthor::Reporter,
        Relation::Following => CommentAuthor::Follower,
    };
    for action in &report.actions {
        if let Some(comment) = waiting(action, &author)
            && !out.iter().any(|c| c.id == comment.id)
        {
            out.push(comment);
        }
    }
    out
}

fn waiting(action: &LocalAction, author: &CommentAuthor) -> Option<LocalComment> {
    let ActionKind::Comment {
        comment_id,
        body,
        photos,
    } = &action.kind
    else {
        return None;
    };
    Some(LocalComment {
        id: *comment_id,
        author: author.clone(),
        mine: true,
        body: body.clone(),
        photo_ids: photos.iter().map(|p| p.id).collect(),
        created_at: action.created_at,
        delivery: Some(action.delivery.clone()),
    })
}

fn from_device(inner: &Inner, id: ReportId) -> Result<Vec<LocalComment>, ApiError> {
    let report = reports::get(inner, id)?;
    Ok(merge(inner.store.comments(id)?, &report))
}

/// The comments from the device at once; a background refresh follows when signed in.
pub(crate) fn list(inner: &Arc<Inner>, id: ReportId) -> Result<Vec<LocalComment>, ApiError> {
    let comments = from_device(inner, id)?;
    if let Some(session) = session::current(inner) {
        let inner = inner.clone();
        tokio::spawn(async move {
            if let Err(f) = refresh(&inner, &session, id).await {
                tracing::debug!(error = %f.error, "comments not refreshed");
            }
        });
    }
    Ok(comments)
}

/// Fetches a report's comments and keeps them; tells the UI when anything changed. A report
/// the person may no longer read comments on is left as it is.
pub(crate) async fn refresh(inner: &Inner, session: &Session, id: ReportId) -> Result<(), Failure> {
    match inner
        .client
        .comments(&session.base, &session.token, id)
        .await
    {
        Ok(comments) => {
            inner.set_online(true);
            let changed = inner
                .store
                .replace_comments(id, &comments)
                .map_err(crate::sync::internal)?;
            if changed {
                inner.emit(Event::CommentsChanged { id });
            }
            Ok(())
        }
        Err(f) if matches!(f.status, Some(403 | 404 | 410)) => Ok(()),
        Err(f) => {
            session::observe(inner, session, &f);
            Err(f)
        }
    }
}

/// Writes a comment: checked, photos made small and anonymous, kept, sent once.
pub(crate) async fn add(
    inner: &Inner,
    id: ReportId,
    body: &str,
    photos_base64: &[String],
) -> Result<Vec<LocalComment>, ApiError> {
    // Cheap checks first: nothing is resized for a comment that cannot be sent.
    let planned: Vec<PhotoId> = photos_base64.iter().map(|_| PhotoId::new()).collect();
    let errors = validate_comment(body, &planned);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    require_visible(inner, id)?;
    actions::allowed(inner, id, Who::Anyone)?;
    let mut photos = Vec::with_capacity(photos_base64.len());
    for data in photos_base64 {
        match reports::prepare_photo(inner, data).await {
            Ok(photo) => photos.push(photo),
            Err(e) => {
                forget_files(inner, photos.iter().map(|p| p.id));
                return Err(e);
            }
        }
    }
    let kind = ActionKind::Comment {
        comment_id: CommentId::new(),
        body: body.to_string(),
        photos: photos.clone(),
    };
    let stored = inner
        .store
        .add_action(linli_api::ids::ActionId::new(), id, &kind, now());
    if let Err(e) = stored {
        forget_files(inner, photos.iter().map(|p| p.id));
        return Err(e.into());
    }
    actions::queued(inner, id);
    inner.emit(Event::CommentsChanged { id });
    from_device(inner, id)
}

fn forget_files(inner: &Inner, photos: impl Iterator<Item = PhotoId>) {
    for photo in photos {
        let _ = std::fs::remove_file(photo_path(inner, photo));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::ids::ActionId;
    use linli_api::ipc::{ActionDelivery, Delivery, LocalPhoto};
    use linli_api::report::{Party, ReportDraft};
    use time::macros::datetime;

    fn report(relation: Relation, actions: Vec<LocalAction>) -> LocalReport {
        LocalReport {
            id: ReportId::new(),
            draft: ReportDraft::default(),
            photos: vec![],
            delivery: Delivery::Delivered { number: 3 },
            status: None,
            handling_party: None,
            place_label: None,
            timeline: vec![],
            relation,
            platform: None,
            time_held: vec![],
            actions,
            created_at: datetime!(2025-06-01 08:00 UTC),
            updated_at: datetime!(2025-06-01 08:00 UTC),
        }
    }

    fn comment_action(id: CommentId, photo: PhotoId) -> LocalAction {
        LocalAction {
            id: ActionId::new(),
            report_id: ReportId::new(),
            kind: ActionKind::Comment {
                comment_id: id,
                body: "还在漏".into(),
                photos: vec![LocalPhoto {
                    id: photo,
                    width: 1,
                    height: 1,
                    bytes: 1,
                }],
            },
            delivery: ActionDelivery::Queued {
                attempts: 1,
                last_error: None,
            },
            created_at: datetime!(2025-06-02 08:00 UTC),
        }
    }

    fn staff_comment(id: CommentId) -> Comment {
        Comment {
            id,
            report_id: ReportId::new(),
            author: CommentAuthor::Staff {
                party: Party::PropertyCompany,
                name: "王师傅".into(),
            },
            mine: false,
            body: "明天上午来".into(),
            photo_ids: vec![],
            created_at: datetime!(2025-06-01 09:00 UTC),
        }
    }

    #[test]
    fn the_platforms_comments_come_first_then_the_persons_own_on_their_way() {
        let staff = CommentId::new();
        let mine = CommentId::new();
        let photo = PhotoId::new();
        let waiting_rating = LocalAction {
            kind: ActionKind::Confirm,
            ..comment_action(CommentId::new(), photo)
        };
        let r = report(
            Relation::Following,
            vec![comment_action(mine, photo), waiting_rating],
        );
        let shown = merge(vec![staff_comment(staff)], &r);
        assert_eq!(
            shown.iter().map(|c| c.id).collect::<Vec<_>>(),
            [staff, mine]
        );
        assert_eq!(shown[0].delivery, None);
        assert!(!shown[0].mine);
        assert_eq!(shown[1].author, CommentAuthor::Follower);
        assert!(shown[1].mine);
        assert_eq!(shown[1].photo_ids, [photo]);
        assert!(matches!(
            shown[1].delivery,
            Some(ActionDelivery::Queued { attempts: 1, .. })
        ));
    }

    #[test]
    fn a_comment_the_platform_lists_already_is_shown_once() {
        let id = CommentId::new();
        let r = report(Relation::Mine, vec![comment_action(id, PhotoId::new())]);
        let mut delivered = staff_comment(id);
        delivered.author = CommentAuthor::Reporter;
        delivered.mine = true;
        let shown = merge(vec![delivered], &r);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].delivery, None);
    }
}
