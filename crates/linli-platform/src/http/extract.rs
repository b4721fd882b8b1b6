//! Extractors: JSON bodies that fail as problem documents, the signed-in caller, and the
//! client's network address.

use super::problem::HttpError;
use crate::auth::{self, Caller};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use linli_api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Reads a whole body; an over-limit body becomes `payload_too_large`.
pub async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(body_error)
}

/// Why a body could not be read, as a problem: `payload_too_large` or `malformed_request`.
pub fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
    } else {
        ApiError::new(ErrorCode::MalformedRequest, rejection.body_text())
    }
}

/// A body read as JSON of `T`: sent as JSON, and readable as `T`, or `malformed_request`.
pub fn json_body<T: DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    bytes: &[u8],
) -> Result<T, ApiError> {
    require_json(headers)?;
    parse_json(bytes)
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedRequest,
            format!("the body is not the expected JSON: {e}"),
        )
    })
}

/// `malformed_request` unless the body is sent as JSON.
fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(crate::photo::media_type)
        .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::MalformedRequest,
            "send the body as Content-Type: application/json",
        ))
    }
}

/// A JSON request body. Unlike `axum::Json`, every failure is a problem document:
/// unreadable JSON is `malformed_request` (400), an oversized body `payload_too_large` (413).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Judged before the body is read: a wrong type is refused without waiting for it.
        require_json(request.headers())?;
        let bytes = read_body(request, state).await?;
        Ok(ApiJson(parse_json(&bytes)?))
    }
}

/// The bearer token of a request, if it carries one.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    bearer_in(&parts.headers)
}

/// The bearer token in these headers, if there is one (`Authorization: Bearer <token>`).
pub fn bearer_in(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The bearer token in these headers, or `unauthenticated`.
pub fn required_bearer(headers: &axum::http::HeaderMap) -> Result<String, ApiError> {
    bearer_in(headers).map(str::to_owned).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "sign in and send Authorization: Bearer <token>",
        )
    })
}

/// Finds the caller of a request: `Authorization: Bearer <token>`.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let token = required_bearer(&parts.headers)?;
    state
        .blocking(move |s| auth::authenticate(s.store(), s.now(), &token))
        .await
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The idempotency layer may have found the caller already.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = authenticate(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// The network address a request came from: the socket's peer (unspecified when served
/// without a socket, as in router tests). Behind a reverse proxy every client would share the
/// proxy's address; trusting a forwarded-for header is left for when a deployment needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(ip))
    }
}
