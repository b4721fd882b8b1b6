//! A report's life after filing: resolve, confirm, reopen, rate, hand off; and the estate's
//! accountability board. Thin: each handler extracts, calls `report::lifecycle` or
//! `report::board`, announces the change on the feed and answers.

use super::extract::ApiJson;
use super::problem::HttpError;
use crate::auth::Caller;
use crate::report::{board, lifecycle};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use linli_api::platform::{
    Board, BoardQuery, HandOff, Problem, Reopening, ReportDetail, Resolution,
};
use linli_api::{ApiError, EstateId, Rating, ReportId};

/// Runs `work` after closing what the seven-day rule closes by now, announcing those
/// closings on the feed whatever `work` answers.
pub(crate) async fn swept<T, F>(state: &AppState, work: F) -> Result<T, HttpError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
{
    let (answer, closed) = state
        .blocking(move |s| {
            let closed = lifecycle::sweep(s.store(), s.now())?;
            Ok((work(s), closed))
        })
        .await?;
    if let Some(&last) = closed.iter().max() {
        state.feed().notify(last);
    }
    Ok(answer?)
}

/// Runs a step and announces it.
async fn step<F>(state: &AppState, work: F) -> Result<Json<ReportDetail>, HttpError>
where
    F: FnOnce(&AppState) -> Result<lifecycle::Stepped, ApiError> + Send + 'static,
{
    let stepped = swept(state, work).await?;
    state.feed().notify(stepped.seq);
    Ok(Json(stepped.detail))
}

/// Mark a report resolved (staff of its handling party), with a note and photos of the fix.
///
/// The reporter then confirms ("fixed": it closes) or reopens it; with no answer for seven
/// days it closes by itself.
#[utoipa::path(
    post, path = "/v1/reports/{id}/resolve", tag = "reports",
    security(("bearer" = [])),
    request_body = Resolution,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Resolved; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not staff of the handling party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: resolved or closed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `note` (required, too_short, too_long), `photos` (too_many, unknown_photo)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(resolution): ApiJson<Resolution>,
) -> Result<Json<ReportDetail>, HttpError> {
    step(&state, move |s| {
        lifecycle::resolve(s.store(), &caller, id, &resolution, s.now())
    })
    .await
}

/// Confirm the fix (the reporter): the report closes. No body.
#[utoipa::path(
    post, path = "/v1/reports/{id}/confirm", tag = "reports",
    security(("bearer" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Closed; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not the reporter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the report is not resolved", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Result<Json<ReportDetail>, HttpError> {
    step(&state, move |s| {
        lifecycle::confirm(s.store(), &caller, id, s.now())
    })
    .await
}

/// Reopen a resolved report, or a closed one up to 30 days after it closed (the reporter),
/// saying what is still wrong. It goes back to the handling party as work to do again.
#[utoipa::path(
    post, path = "/v1/reports/{id}/reopen", tag = "reports",
    security(("bearer" = [])),
    request_body = Reopening,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Reopened; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not the reporter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not resolved or closed; `reopen_window_passed`: closed more than 30 days ago", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `reason` (required, too_short, too_long)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(reopening): ApiJson<Reopening>,
) -> Result<Json<ReportDetail>, HttpError> {
    step(&state, move |s| {
        lifecycle::reopen(s.store(), &caller, id, &reopening, s.now())
    })
    .await
}

/// Rate a closed report (the reporter, once): attitude, quality and speed from 1 to 5 and an
/// optional comment.
#[utoipa::path(
    post, path = "/v1/reports/{id}/rating", tag = "reports",
    security(("bearer" = [])),
    request_body = Rating,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Rated; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not the reporter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_rated` or `not_closed_yet`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `attitude` / `quality` / `speed` (required when 0, invalid_choice above 5), `comment` (too_long)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(rating): ApiJson<Rating>,
) -> Result<Json<ReportDetail>, HttpError> {
    step(&state, move |s| {
        lifecycle::rate(s.store(), &caller, id, &rating, s.now())
    })
    .await
}

/// Hand a report to another party (staff of its handling party), naming it and saying why.
/// The other party starts at `received`, with its own clock; everyone involved sees the
/// hand-off in the timeline.
#[utoipa::path(
    post, path = "/v1/reports/{id}/hand-off", tag = "reports",
    security(("bearer" = [])),
    request_body = HandOff,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Handed over; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not staff of the handling party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: resolved or closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `to` (required, same_party), `reason` (required, too_short, too_long)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn hand_off(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(hand_off): ApiJson<HandOff>,
) -> Result<Json<ReportDetail>, HttpError> {
    step(&state, move |s| {
        lifecycle::hand_off(s.store(), &caller, id, &hand_off, s.now())
    })
    .await
}

/// The estate's accountability board: per party, reports received, median time to first
/// response and to resolution, share reopened and average rating, for reports that reached
/// the party in the period (`from` inclusive, `to` exclusive; default the last 30 days).
/// For residents and staff of the estate.
#[utoipa::path(
    get, path = "/v1/estates/{id}/board", tag = "reports",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The estate's id (the caller's own)"),
        BoardQuery,
    ),
    responses(
        (status = 200, description = "One row per party", body = Board),
        (status = 400, description = "`malformed_request`: a date that is not RFC 3339", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: neither a resident nor staff of the estate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: not the caller's estate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `to` (end_before_start)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Path(estate): Path<EstateId>,
    Query(query): Query<BoardQuery>,
) -> Result<Json<Board>, HttpError> {
    let board = swept(&state, move |s| {
        board::board(s.store(), &caller, estate, &query, s.now())
    })
    .await?;
    Ok(Json(board))
}
