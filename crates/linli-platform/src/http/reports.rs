//! Reports: the catalogue to file them from, filing, reading and moving them on.

use super::extract::{self, ApiJson};
use super::idempotency::{self, UnclaimedKey};
use super::lifecycle::swept;
use super::problem::HttpError;
use crate::auth::{self, Caller};
use crate::report::{self, KeyedFiling, lifecycle};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use linli_api::platform::{
    Catalogue, NewReport, Problem, ReportDetail, ReportsQuery, StatusChange,
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
    headers: HeaderMap,
    unclaimed: Option<Extension<UnclaimedKey>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HttpError> {
    // Who asks comes first, then the key's earlier answer, then what was sent; all of it on
    // one trip to the store, with the filing (the route devices use most).
    let token = extract::required_bearer(&headers)?;
    let filed = state
        .blocking(move |s| {
            let now = s.now();
            let caller = auth::authenticate(s.store(), now, &token)?;
            let stale_before = now - s.limits().idempotency_lease;
            // The idempotency layer read the body and left its key to claim here.
            let pending = unclaimed.map(|Extension(key)| key.of(&caller));
            if let Some(key) = &pending
                && let Some(taken) =
                    s.store()
                        .key_taken(&key.scope, &key.key, &key.fingerprint, stale_before)?
            {
                return Ok(KeyedFiling::KeyTaken(taken));
            }
            let new: NewReport = extract::json_body(&headers, &body.map_err(extract::body_error)?)?;
            // With the body read, the layer left a key whenever one was sent (it answered an
            // invalid one itself): none here means none was sent.
            let Some(pending) = pending else {
                return Err(ApiError::new(
                    ErrorCode::IdempotencyKeyInvalid,
                    "Idempotency-Key is required and must be the report's id",
                ));
            };
            if pending.key.parse::<ReportId>().ok() != Some(new.id) {
                return Err(ApiError::new(
                    ErrorCode::IdempotencyKeyInvalid,
                    "Idempotency-Key must equal the report's id",
                ));
            }
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
        // Answered before (or by a copy of this request that got there first), in progress,
        // or used for another request.
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
