//! Following neighbours' reports, and the duplicate check that offers them.

use super::problem::HttpError;
use crate::auth::Caller;
use crate::report::follow;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use linli_api::ReportId;
use linli_api::platform::{FollowState, Problem, SimilarQuery, SimilarReport};

/// The duplicate check while reporting: open reports of the same category and place from the
/// last 14 days in the caller's estate, newest first, without their reporters' identity.
///
/// Give `category` and exactly one of `building_id`, `unit_id` (its building is searched:
/// reports about any home in it or its shared parts) or `area_id`.
#[utoipa::path(
    get, path = "/v1/reports/similar", tag = "reports",
    security(("bearer" = [])),
    params(SimilarQuery),
    responses(
        (status = 200, description = "Open reports the caller may be about to report again", body = Vec<SimilarReport>),
        (status = 400, description = "`malformed_request`: the query cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: neither a resident nor staff of the estate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `category` (required, unknown_category), `building_id` / `unit_id` / `area_id` (unknown_place) or `place` (required, or invalid_choice when more than one is given)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SimilarQuery>,
) -> Result<Json<Vec<SimilarReport>>, HttpError> {
    let found = state
        .blocking(move |s| follow::similar(s.store(), &caller, &query, s.now()))
        .await?;
    Ok(Json(found))
}

/// Follow a neighbour's report: its updates reach the caller through the change feed, it
/// shows in their list (marked `following`), and they count as affected. Following twice is
/// one follow.
#[utoipa::path(
    post, path = "/v1/reports/{id}/followers", tag = "reports",
    security(("bearer" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; following is idempotent anyway"),
    ),
    responses(
        (status = 200, description = "Following", body = FollowState),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: only residents follow reports", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such report in the caller's estate", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`own_report`: the caller filed it; `not_followable`: resolved, closed or older than 14 days", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn follow(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Result<Json<FollowState>, HttpError> {
    let followed = state
        .blocking(move |s| follow::follow(s.store(), &caller, id, s.now()))
        .await?;
    if let Some(seq) = followed.seq {
        state.feed().notify(seq);
    }
    Ok(Json(followed.state))
}

/// Stop following a report. Not following it answers the same.
#[utoipa::path(
    delete, path = "/v1/reports/{id}/followers", tag = "reports",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "Not following", body = FollowState),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: only residents follow reports", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such report in the caller's estate", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unfollow(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Result<Json<FollowState>, HttpError> {
    let unfollowed = state
        .blocking(move |s| follow::unfollow(s.store(), &caller, id, s.now()))
        .await?;
    if let Some(seq) = unfollowed.seq {
        state.feed().notify(seq);
    }
    Ok(Json(unfollowed.state))
}
