//! Sign-in, sign-out and the signed-in person.

use super::extract::{ApiJson, ClientAddr};
use super::problem::{HttpError, empty};
use crate::auth::{self, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use linli_api::platform::{OtpRequest, OtpSent, Problem, Profile, SessionGrant, SignInRequest};

/// Ask for a one-time sign-in code.
///
/// The code goes to the phone by SMS; on the demo platform it is written to the log and to
/// `<data-dir>/codes`. Limits: one code per phone every 30 s, five per hour, twenty asks per
/// network address per hour (registered numbers or not).
#[utoipa::path(
    post, path = "/v1/auth/otp", tag = "auth",
    request_body = OtpRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 200, description = "A code is on its way", body = OtpSent),
        (status = 400, description = "Unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`phone_not_registered`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: not a mobile number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn request_code(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<OtpRequest>,
) -> Result<Json<OtpSent>, HttpError> {
    let issued = state
        .blocking(move |s| {
            auth::issue_code(
                s.store(),
                s.limits(),
                s.now(),
                &body.phone,
                &client.to_string(),
            )
        })
        .await?;
    if let Err(e) = state.sms().send_code(&issued.message).await {
        tracing::error!(error = %e, "sending a sign-in code");
        let id = issued.id;
        // Withdrawn, so the failed send does not count against the person's limits.
        state
            .blocking(move |s| Ok(s.store().withdraw_code(id)?))
            .await?;
        return Err(HttpError(linli_api::ApiError::new(
            linli_api::ErrorCode::Internal,
            "the code could not be sent; try again",
        )));
    }
    Ok(Json(auth::code_sent(state.limits())))
}

/// Sign in with a phone and the code sent to it.
///
/// Each code may be tried five times; a network address may try sixty times an hour.
#[utoipa::path(
    post, path = "/v1/auth/sessions", tag = "auth",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in", body = SessionGrant),
        (status = 400, description = "Unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`otp_invalid` (wrong code) or `otp_expired` (expired, used, or too many wrong tries)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`phone_not_registered`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many sign-in attempts from this network address", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<(StatusCode, Json<SessionGrant>), HttpError> {
    let grant = state
        .blocking(move |s| {
            auth::sign_in(
                s.store(),
                s.limits(),
                s.now(),
                &body.phone,
                &body.code,
                &client.to_string(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Sign out: the presented token stops working.
#[utoipa::path(
    delete, path = "/v1/auth/sessions/current", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, HttpError> {
    state
        .blocking(move |s| auth::sign_out(s.store(), s.now(), &caller))
        .await?;
    state.notify_sign_out();
    Ok(empty(StatusCode::NO_CONTENT))
}

/// The signed-in person.
#[utoipa::path(
    get, path = "/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who is signed in", body = Profile),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Profile>, HttpError> {
    let profile = state
        .blocking(move |s| auth::profile(s.store(), &caller.user))
        .await?;
    Ok(Json(profile))
}
