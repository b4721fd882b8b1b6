//! Reports: the catalogue to file them from, filing, reading and moving them on.

use super::extract::ApiJson;
use super::idempotency::{self, parse_key};
use super::lifecycle::swept;
use super::problem::HttpError;
use crate::auth::Caller;
use crate::report::{self, KeyedFiling, lifecycle};
use crate::state::AppState;
use crate::store::PendingKey;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use linli_api::platform::{
    Catalogue, IDEMPOTENCY_KEY, NewReport, Problem, ReportDetail, ReportsQuery, StatusChange,
};
use linli_api::{ApiError, ErrorCode, Report, ReportId};

/// Categories and places the signed-in resident can report about.
#[utoipa::path(
    get, path = "/v1/catalogue", tag = "reports",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Categories, the caller's units, the estate's buildings and common areas", body = Catalogue),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn catalogue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Catalogue>, HttpError> {
    let catalogue = state
        .blocking(move |s| report::catalogue(s.store(), &caller))
        .await?;
    Ok(Json(catalogue))
}

/// File a report.
///
/// `Idempotency-Key` is required and must be the report's id: a retry of the same report
/// answers the first response again and never files a second copy.
#[utoipa::path(
    post, path = "/v1/reports", tag = "reports",
    security(("bearer" = [])),
    request_body = NewReport,
    params(("Idempotency-Key" = String, Header, description = "The report's id (UUIDv7)")),
    responses(
        (status = 201, description = "Filed, with its number", body = Report),
        (status = 400, description = "`idempotency_key_invalid` or `malformed_request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: only residents file reports", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_key_in_progress` or `conflict`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (see `errors`) or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    pending: Option<Extension<PendingKey>>,
    ApiJson(new): ApiJson<NewReport>,
) -> Result<Response, HttpError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::IdempotencyKeyInvalid,
                "Idempotency-Key is required and must be the report's id",
            )
        })
        .and_then(parse_key)?;
    if key.parse::<ReportId>().ok() != Some(new.id) {
        return Err(HttpError(ApiError::new(
            ErrorCode::IdempotencyKeyInvalid,
            "Idempotency-Key must equal the report's id",
        )));
    }
    // The idempotency layer looked the key up and left it to this write to claim.
    let Some(Extension(pending)) = pending else {
        return Err(HttpError(ApiError::new(
            ErrorCode::Internal,
            "the report's Idempotency-Key was not looked up",
        )));
    };
    let filed = state
        .blocking(move |s| {
            let now = s.now();
            let stale_before = now - s.limits().idempotency_lease;
            report::file_report_keyed(s.store(), &caller, &new, now, &pending, stale_before)
        })
        .await?;
    match filed {
        KeyedFiling::Answered { answer, seq } => {
            if let Some(seq) = seq {
                state.feed().notify(seq);
            }
            Ok(idempotency::answer(answer))
        }
        // A copy of this request under the same key got there first.
        KeyedFiling::KeyTaken(claim) => match idempotency::settled(claim)? {
            Some(replayed) => Ok(replayed),
            None => Err(HttpError(ApiError::new(
                ErrorCode::Internal,
                "the report's Idempotency-Key was taken and free at once",
            ))),
        },
    }
}

/// Reports the caller may see: residents their own (and with `scope=estate` their estate's
/// public ones, without their reporters' identity), staff their estate's. Newest first, each
/// with its clock: who has it, since when, what next, by when, and whether it is late.
#[utoipa::path(
    get, path = "/v1/reports", tag = "reports",
    security(("bearer" = [])),
    params(ReportsQuery),
    responses(
        (status = 200, description = "Reports, newest first", body = Vec<Report>),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportsQuery>,
) -> Result<Json<Vec<Report>>, HttpError> {
    let reports = swept(&state, move |s| {
        report::list(s.store(), &caller, query.scope, s.now())
    })
    .await?;
    Ok(Json(reports))
}

/// One report with its timeline.
#[utoipa::path(
    get, path = "/v1/reports/{id}", tag = "reports",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The report and every status change", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such report, or not the caller's to see", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Result<Json<ReportDetail>, HttpError> {
    let detail = swept(&state, move |s| {
        report::detail(s.store(), &caller, id, s.now())
    })
    .await?;
    Ok(Json(detail))
}

/// Move a report forward (staff of its handling party), with a note the resident sees.
#[utoipa::path(
    post, path = "/v1/reports/{id}/status", tag = "reports",
    security(("bearer" = [])),
    request_body = StatusChange,
    params(
        ("id" = uuid::Uuid, Path, description = "The report's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Moved; the report with its timeline", body = ReportDetail),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not staff of the handling party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: statuses only move forward", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: the note", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ReportId>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<ReportDetail>, HttpError> {
    let moved = swept(&state, move |s| {
        lifecycle::change_status(s.store(), &caller, id, &change, s.now())
    })
    .await?;
    state.feed().notify(moved.seq);
    Ok(Json(moved.detail))
}
