//! Every error answers `application/problem+json` (RFC 9457) with a stable code: errors from
//! handlers directly, and errors from axum and tower layers (unknown routes, wrong methods,
//! bodies over the limit, panics) rewritten by [`problems_everywhere`].

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use linli_api::platform::Problem;
use linli_api::{ApiError, ErrorCode};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<crate::store::StoreError> for HttpError {
    fn from(e: crate::store::StoreError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        problem_response(Problem::from(self.0))
    }
}

/// The response for a problem document, with `Retry-After` when it says to wait.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry_after = problem.retry_after_seconds;
    let body = serde_json::to_vec(&problem).expect("problems serialise");
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Some(secs) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// The code for an error status that came from outside our handlers.
fn code_for(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_server_error() => ErrorCode::Internal,
        // 400, 405, 406, 411, 422 from extractors: the request could not be read as sent.
        _ => ErrorCode::MalformedRequest,
    }
}

/// Rewrites error responses that are not problem documents yet (from axum's extractors and
/// router, tower-http's body limit, the panic catcher) into problem documents, keeping their
/// HTTP status and using their text as the detail.
pub async fn problems_everywhere(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let code = code_for(status);
    let mut detail = String::from_utf8_lossy(&text).trim().to_owned();
    if detail.is_empty() || status.is_server_error() {
        detail = status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase();
    }
    let mut problem = Problem::from(ApiError::new(code, detail));
    // The status stays the one the layer chose (405 stays 405), even where the code's usual
    // status differs.
    problem.status = status.as_u16();
    let mut rewritten = problem_response(problem);
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        rewritten.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rewritten
}

/// The answer for paths no route knows.
pub async fn no_such_route() -> HttpError {
    HttpError(ApiError::new(ErrorCode::NotFound, "no such path"))
}

/// A body holding nothing, for handlers that answer only a status.
pub fn empty(status: StatusCode) -> Response {
    (status, Body::empty()).into_response()
}
