//! What a resident does to a report after sending it — confirm the fix, reopen, rate, follow
//! a neighbour's report or stop, comment — kept on the device first and sent once, like the
//! report itself.
//!
//! Each action is checked at once with the shared rules (`linli_api::validate`), stored with
//! an outbox row in one transaction, and answered at once. The sync engine sends it after its
//! report is delivered and after the actions on the same report before it, with its
//! [`ActionId`] as the `Idempotency-Key`, so a retry never confirms, rates or comments twice.
//! Transient trouble queues it again with the outbox's backoff; a refusal (4xx) keeps it,
//! with the reason, until the person dismisses it.

use crate::client::Failure;
use crate::reports::{no_such_report, photo_path, require_visible};
use crate::session::{self, Session};
use crate::store::{ActionDone, Outgoing};
use crate::sync::{self, Sent};
use crate::{Inner, now};
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::{ActionId, ReportId};
use linli_api::ipc::{ActionKind, Event, LocalReport, Relation};
use linli_api::platform::{
    Comment, FollowState, NewComment, Reopening, ReportDetail, report_comments, report_confirm,
    report_followers, report_rating, report_reopen,
};
use linli_api::report::Rating;
use linli_api::validate::{validate_rating, validate_reason};

/// Who may do an action to a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// Only the person who wrote it (confirm, reopen, rate).
    Reporter,
    /// Only a follower (unfollow).
    Follower,
    /// Either (comment).
    Anyone,
}

/// The report an action is about, if the person may do it: theirs to see, sent (the
/// platform must have it for anything to be done to it), and theirs to act on as `who` says.
pub(crate) fn allowed(inner: &Inner, id: ReportId, who: Who) -> Result<LocalReport, ApiError> {
    require_visible(inner, id)?;
    let report = inner.store.report(id)?.ok_or_else(no_such_report)?;
    if report.delivery.is_editable() {
        return Err(ApiError::new(
            ErrorCode::InvalidTransition,
            "the report has not been sent yet",
        ));
    }
    match (who, report.relation) {
        (Who::Reporter, Relation::Following) => Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the person who reported it may do this",
        )),
        (Who::Follower, Relation::Mine) => Err(ApiError::new(
            ErrorCode::OwnReport,
            "the report is the person's own",
        )),
        _ => Ok(report),
    }
}

/// Keeps an allowed action and wakes the sender.
pub(crate) fn queue(
    inner: &Inner,
    report: ReportId,
    kind: &ActionKind,
) -> Result<LocalReport, ApiError> {
    let stored = inner
        .store
        .add_action(ActionId::new(), report, kind, now())?;
    queued(inner, report);
    Ok(stored)
}

/// Tells the UI and the sender that an action is waiting.
pub(crate) fn queued(inner: &Inner, report: ReportId) {
    inner.reports_changed(vec![report]);
    inner.sync_changed();
    inner.send_wake.notify_one();
}

fn checked(errors: Vec<linli_api::FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// "Fixed".
pub(crate) fn confirm(inner: &Inner, id: ReportId) -> Result<LocalReport, ApiError> {
    allowed(inner, id, Who::Reporter)?;
    queue(inner, id, &ActionKind::Confirm)
}

/// "Not fixed", with a reason.
pub(crate) fn reopen(inner: &Inner, id: ReportId, reason: &str) -> Result<LocalReport, ApiError> {
    checked(validate_reason(reason))?;
    allowed(inner, id, Who::Reporter)?;
    let reason = reason.to_string();
    queue(inner, id, &ActionKind::Reopen { reason })
}

/// The rating after closing.
pub(crate) fn rate(inner: &Inner, id: ReportId, rating: &Rating) -> Result<LocalReport, ApiError> {
    checked(validate_rating(rating))?;
    allowed(inner, id, Who::Reporter)?;
    let rating = rating.clone();
    queue(inner, id, &ActionKind::Rate { rating })
}

/// Stop following; the report leaves the list once the platform has it.
pub(crate) fn unfollow(inner: &Inner, id: ReportId) -> Result<(), ApiError> {
    allowed(inner, id, Who::Follower)?;
    queue(inner, id, &ActionKind::Unfollow)?;
    Ok(())
}

/// Forgets a refused action after the person read why.
pub(crate) fn dismiss(inner: &Inner, id: ActionId) -> Result<LocalReport, ApiError> {
    let action = inner
        .store
        .action(id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such action"))?;
    require_visible(inner, action.report_id)?;
    let (report, photos) = inner.store.dismiss_action(id)?;
    for photo in photos {
        let _ = std::fs::remove_file(photo_path(inner, photo));
    }
    if matches!(action.kind, ActionKind::Comment { .. }) {
        inner.emit(Event::CommentsChanged { id: report });
    }
    inner.reports_changed(vec![report]);
    inner.store.report(report)?.ok_or_else(no_such_report)
}

// ---- sending ----

/// Sends one queued action (the sync engine's side).
pub(crate) async fn send(
    inner: &Inner,
    session: &Session,
    item: &Outgoing,
    batch: &sync::Batch,
) -> Sent {
    let action = match item.action.map(|id| inner.store.action(id)) {
        Some(Ok(Some(action))) => action,
        Some(Ok(None)) | None => return Sent::Skipped,
        Some(Err(e)) => return sync::failed(inner, session, item, sync::internal(e)),
    };
    let is_comment = matches!(action.kind, ActionKind::Comment { .. });
    let outcome = send_kind(inner, session, item, &action.kind, batch).await;
    if is_comment && outcome != Sent::Skipped {
        inner.emit(Event::CommentsChanged { id: item.report_id });
    }
    outcome
}

async fn send_kind(
    inner: &Inner,
    session: &Session,
    item: &Outgoing,
    kind: &ActionKind,
    batch: &sync::Batch,
) -> Sent {
    let report = item.report_id;
    let pending = match kind {
        ActionKind::Comment { comment_id, .. } => {
            match inner.store.photos_to_send(report, Some(*comment_id)) {
                Ok(photos) => sync::not_uploaded(&photos),
                Err(e) => return sync::failed(inner, session, item, sync::internal(e)),
            }
        }
        _ => Vec::new(),
    };
    let total = pending.iter().map(|p| p.bytes).sum();
    if let Err(outcome) = sync::start(item, total, batch).await {
        return outcome;
    }
    if let Err(outcome) = sync::upload_photos(inner, session, item, pending, total).await {
        return outcome;
    }
    match post(inner, session, item, kind).await {
        Ok(done) => {
            inner.set_online(true);
            delivered(inner, session, item, &done).await;
            Sent::Delivered
        }
        Err(f) => sync::failed(inner, session, item, f),
    }
}

/// The request that carries an action, and what its answer means.
async fn post(
    inner: &Inner,
    session: &Session,
    item: &Outgoing,
    kind: &ActionKind,
) -> Result<ActionDone, Failure> {
    let (client, base, token, key) = (
        &inner.client,
        session.base.as_str(),
        session.token.as_str(),
        item.idempotency_key.as_str(),
    );
    let id = item.report_id;
    let detail = |d: ReportDetail| ActionDone::Detail(Box::new(d));
    Ok(match kind {
        ActionKind::Confirm => detail(
            client
                .post_json(base, token, &report_confirm(id), key, None::<&()>)
                .await?,
        ),
        ActionKind::Reopen { reason } => {
            let body = Reopening {
                reason: reason.clone(),
            };
            detail(
                client
                    .post_json(base, token, &report_reopen(id), key, Some(&body))
                    .await?,
            )
        }
        ActionKind::Rate { rating } => detail(
            client
                .post_json(base, token, &report_rating(id), key, Some(rating))
                .await?,
        ),
        ActionKind::Follow => {
            let _: FollowState = client
                .post_json(base, token, &report_followers(id), key, None::<&()>)
                .await?;
            ActionDone::Followed
        }
        ActionKind::Unfollow => {
            let _: FollowState = client
                .delete_json(base, token, &report_followers(id))
                .await?;
            ActionDone::Unfollowed
        }
        ActionKind::Comment {
            comment_id,
            body,
            photos,
        } => {
            let new = NewComment {
                id: *comment_id,
                body: body.clone(),
                photo_ids: photos.iter().map(|p| p.id).collect(),
            };
            let comment: Comment = client
                .post_json(base, token, &report_comments(id), key, Some(&new))
                .await?;
            ActionDone::Comment(Box::new(comment))
        }
    })
}

/// Stores what the platform answered to a delivered action and tells the UI.
async fn delivered(inner: &Inner, session: &Session, item: &Outgoing, done: &ActionDone) {
    let Some(action) = item.action else { return };
    let report = item.report_id;
    match inner
        .store
        .action_delivered(action, done, &session.base, session.user_id, now())
    {
        Ok(stored) => {
            for photo in stored.photos_gone {
                let _ = std::fs::remove_file(photo_path(inner, photo));
            }
        }
        Err(e) => {
            // Queue it again rather than leave it sending: the retry gets the platform's
            // replayed answer (same key) and records it then.
            tracing::error!(error = %e, "delivered action not recorded; queuing it again");
            let retry_at = now() + crate::store::UNRECORDED_FAILURE_WAIT;
            if let Err(e) = inner.store.requeue(item.seq, Some(retry_at)) {
                tracing::error!(error = %e, "action left sending until the next start");
            }
        }
    }
    tracing::info!(%report, %action, "action delivered");
    if matches!(done, ActionDone::Followed) {
        // The report as its followers see it: clock, timeline, how many it affects.
        match inner
            .client
            .report(&session.base, &session.token, report)
            .await
        {
            Ok(detail) => {
                if let Err(e) = sync::apply_detail(inner, session, &detail, false) {
                    tracing::warn!(error = %e, "followed report not stored");
                }
            }
            Err(f) => {
                session::observe(inner, session, &f);
                tracing::debug!(error = %f.error, "followed report not fetched");
            }
        }
    }
    inner.reports_changed(vec![report]);
    inner.sync_changed();
}

/// An error for a call that needs the platform now: network trouble and the platform's own
/// failures read as `platform_unreachable`; what the platform refused stays as it said.
pub(crate) fn online_only(inner: &Inner, session: &Session, failure: Failure) -> ApiError {
    session::observe(inner, session, &failure);
    match failure.status {
        None => failure.error,
        Some(s) if s >= 500 => ApiError::new(ErrorCode::PlatformUnreachable, failure.error.detail),
        Some(_) => failure.error,
    }
}

/// The session to call the platform with now, or why there is none.
pub(crate) fn session_now(inner: &Inner) -> Result<Session, ApiError> {
    session::current(inner).ok_or_else(|| {
        ApiError::new(
            ErrorCode::SignInRequired,
            "sign in to ask the platform for this",
        )
    })
}
