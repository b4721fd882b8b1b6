//! Comments on a report.

use super::extract::ApiJson;
use super::problem::HttpError;
use crate::auth::Caller;
use crate::report::comments;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_api::ReportId;
use linli_api::platform::{Comment, NewComment, Problem};

/// Comment on a report: its reporter, its followers, or staff of its handling party.
///
/// The comment's id comes from the device (UUIDv7): sending the same comment again answers
/// the first one and never adds a second. Photos must have been uploaded with
/// `PUT /v1/photos/{id}` by the writer and not be attached to anything yet. The comment
/// reaches everyone who may read it through the change feed (an event of kind `comment`).
#[utoipa::path(
    post, path = "/v1/reports/{id}/comments", tag = "reports",
    security(("bearer" = [])),
    request_body = NewComment,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; the comment's id already makes a retry safe"),
    ),
    responses(
        (status = 201, description = "Posted (or posted before with the same content)", body = Comment),
        (status = 400, description = "`malformed_request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: staff of a party not handling the report, or a resident who only sees it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such report, or not the caller's to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: another comment has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `body` (required, at most 1000 characters) or `photos` (at most 3, uploaded by the writer, not attached elsewhere)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(new): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), HttpError> {
    let posted = state
        .blocking(move |s| comments::post(s.store(), &caller, id, &new, s.now()))
        .await?;
    if let Some(seq) = posted.seq {
        state.feed().notify(seq);
    }
    Ok((StatusCode::CREATED, Json(posted.comment)))
}

/// A report's comments, oldest first: for its reporter, its followers and staff of the
/// estate's four parties.
#[utoipa::path(
    get, path = "/v1/reports/{id}/comments", tag = "reports",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "Comments, oldest first", body = Vec<Comment>),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: a resident who only sees the report", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Result<Json<Vec<Comment>>, HttpError> {
    let comments = state
        .blocking(move |s| comments::list(s.store(), &caller, id))
        .await?;
    Ok(Json(comments))
}
