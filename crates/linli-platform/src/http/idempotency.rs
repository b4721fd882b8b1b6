//! `Idempotency-Key` on every POST (IETF httpapi draft): the same key with the same request
//! answers the first response again; the same key with a different request is 422
//! `idempotency_key_reused`; a key whose first request is still running is 409
//! `idempotency_key_in_progress`.
//!
//! Keys belong to the signed-in person (or to "anonymous" before sign-in), so two people can
//! never collide. Only successful answers are kept: a request refused for its content (422,
//! 403...) did nothing, and the device must be able to correct it and send it again under the
//! same key (its record's id). Sign-in (`POST /v1/auth/sessions`) is not replayed: replaying
//! would mean storing the session token, and the platform keeps only its hash.
//!
//! Most POSTs claim their key here, run, then keep the answer: three writes. Filing a report,
//! the request devices send most, only has its body read and fingerprinted here; its handler
//! authenticates, looks the key up (a replay or a reused key is still answered before the body
//! is judged), then claims the key, files the report and keeps the answer in one write
//! (`report::file_report_keyed`), all on one trip to the store. A copy racing it waits for
//! that write and is answered with its result rather than told "in progress".

use super::extract;
use super::problem::HttpError;
use crate::auth::{self, Caller};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use linli_api::platform::{IDEMPOTENCY_KEY, paths};
use linli_api::{ApiError, ErrorCode};
use sha2::{Digest, Sha256};

use crate::store::{KeyClaim, PendingKey, StoredResponse};

/// Set on an answer replayed from an earlier request with the same key.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Largest answer kept for replay; report answers are a few kilobytes.
const MAX_KEPT_ANSWER: usize = 1024 * 1024;

/// A key must be printable ASCII, at most this long (a UUID is 36).
const MAX_KEY_LEN: usize = 255;

/// Checks an `Idempotency-Key` value.
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyInvalid,
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

/// What makes two requests "the same": method, path with query, and body bytes.
pub fn fingerprint(method: &Method, path_and_query: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b"\n");
    h.update(path_and_query.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().to_vec()
}

/// Gives the key up if the request ends without an answer to keep: it failed, or it was
/// cancelled (client gone, platform stopping) mid-way.
struct Claim {
    state: AppState,
    scope: String,
    key: String,
    settled: bool,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (state, scope, key) = (
            self.state.clone(),
            std::mem::take(&mut self.scope),
            std::mem::take(&mut self.key),
        );
        let release = move || {
            if let Err(e) = state.store().release_key(&scope, &key) {
                tracing::error!(error = %e, "releasing an idempotency key");
            }
        };
        // Dropped on an async worker (a request failed or was cancelled): the write waits for
        // the database, so it goes to the blocking pool rather than stall other requests. A
        // release lost to a stopping runtime is made at the next start
        // (`release_unanswered_keys`); off any runtime it is written at once.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(release)),
            Err(_) => release(),
        }
    }
}

/// A request's `Idempotency-Key` and fingerprint, left for its handler to claim in its own
/// write (filing a report).
#[derive(Clone, Debug)]
pub struct UnclaimedKey {
    /// The key, checked by [`parse_key`].
    pub key: String,
    /// The request's [`fingerprint`].
    pub fingerprint: Vec<u8>,
}

impl UnclaimedKey {
    /// The key as `caller`'s.
    pub fn of(self, caller: &Caller) -> PendingKey {
        PendingKey {
            scope: scope_of(Some(caller)),
            key: self.key,
            fingerprint: self.fingerprint,
        }
    }
}

/// Whose keys a caller's are: each person has their own, so two can never collide.
fn scope_of(caller: Option<&Caller>) -> String {
    caller.map_or_else(|| "anonymous".to_owned(), |c| format!("user:{}", c.user.id))
}

/// The middleware.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match guarded(state, request, next).await {
        Ok(response) => response,
        Err(e) => HttpError(e).into_response(),
    }
}

async fn guarded(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    if request.method() != Method::POST || request.uri().path() == paths::SESSIONS {
        return Ok(next.run(request).await);
    }
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        // Routes that require a key (reports) say so themselves.
        return Ok(next.run(request).await);
    };
    if extract::bearer_in(request.headers()).is_none() && request.uri().path() != paths::OTP {
        // Who asks comes before what they sent: without a session every route here but
        // asking for a code answers 401 (its handler says so), whatever the key.
        return Ok(next.run(request).await);
    }
    let key = parse_key(value)?;
    // Filing a report authenticates, looks its key up, files and keeps the answer in one
    // trip to the store of its own (`reports::file`): here its body is only read and
    // fingerprinted. A body that could not be read goes the common way (401 before 413).
    let in_own_trip = request.uri().path() == paths::REPORTS;

    let (mut parts, body) = request.into_parts();
    let token = extract::bearer_token(&parts).map(str::to_owned);
    // Read before the caller is known, but a refused session still answers first (401
    // before 413): both steps run on one trip to the database below.
    let body = extract::read_body(Request::from_parts(parts.clone(), body), &()).await;
    let path = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str());
    let print = body
        .as_ref()
        .ok()
        .map(|body| fingerprint(&parts.method, path, body));
    if in_own_trip && let (Ok(body), Some(fingerprint)) = (&body, &print) {
        parts.extensions.insert(UnclaimedKey {
            key,
            fingerprint: fingerprint.clone(),
        });
        return Ok(next
            .run(Request::from_parts(parts, Body::from(body.clone())))
            .await);
    }

    let (caller, scope, claim) = {
        let key = key.clone();
        state
            .blocking(move |s| {
                let now = s.now();
                let caller = token
                    .map(|token| auth::authenticate(s.store(), now, &token))
                    .transpose()?;
                let scope = scope_of(caller.as_ref());
                let Some(print) = print else {
                    return Ok((caller, scope, None));
                };
                let stale_before = now - s.limits().idempotency_lease;
                let claim = s
                    .store()
                    .claim_key(&scope, &key, &print, now, stale_before)?;
                Ok((caller, scope, Some(claim)))
            })
            .await?
    };
    if let Some(caller) = caller {
        parts.extensions.insert(caller);
    }
    let body = body?;
    let Some(claim) = claim else {
        // A body that was read always had its key claimed in the trip above; should that ever
        // change, the request is refused as the platform's fault rather than run unguarded.
        return Err(ApiError::new(
            ErrorCode::Internal,
            "the request's Idempotency-Key was not claimed",
        ));
    };
    if let Some(answer) = settled(claim)? {
        return Ok(answer);
    }

    let mut claim = Claim {
        state: state.clone(),
        scope,
        key,
        settled: false,
    };
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !response.status().is_success() {
        // Released before answering, not on drop in the background: a client correcting its
        // request at once must find the key free, not still held for the refused body (a
        // race a database across the network loses more often than a file on this machine).
        let (scope, key) = (claim.scope.clone(), claim.key.clone());
        state
            .blocking(move |s| Ok(s.store().release_key(&scope, &key)?))
            .await?;
        claim.settled = true;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_KEPT_ANSWER).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "reading an answer to keep");
            return Err(ApiError::new(
                ErrorCode::Internal,
                "the answer could not be recorded",
            ));
        }
    };
    let kept = StoredResponse {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned(),
        body: bytes.to_vec(),
    };
    let (scope, key) = (claim.scope.clone(), claim.key.clone());
    state
        .blocking(move |s| Ok(s.store().complete_key(&scope, &key, &kept)?))
        .await?;
    claim.settled = true;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// What a key's claim means for the request: `None` when it is the request's to handle, the
/// earlier answer to replay, or why it may not run.
pub(crate) fn settled(claim: KeyClaim) -> Result<Option<Response>, ApiError> {
    match claim {
        KeyClaim::Claimed => Ok(None),
        KeyClaim::Answered(kept) => Ok(Some(replay(kept))),
        KeyClaim::InProgress => Err(ApiError::new(
            ErrorCode::IdempotencyKeyInProgress,
            "a request with this Idempotency-Key is still being handled; retry shortly",
        )),
        KeyClaim::Mismatch => Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}

/// A kept answer, as given the first time.
pub(crate) fn answer(kept: StoredResponse) -> Response {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let mut response = (status, kept.body).into_response();
    if let Ok(content_type) = HeaderValue::from_str(&kept.content_type) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}

fn replay(kept: StoredResponse) -> Response {
    let mut response = answer(kept);
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("0196a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", true)]
    #[case("abc", true)]
    #[case("", false)]
    #[case("has space", false)]
    fn keys_are_printable_ascii(#[case] key: &str, #[case] ok: bool) {
        assert_eq!(parse_key(&HeaderValue::from_str(key).unwrap()).is_ok(), ok);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_dropped_claim_is_released_without_holding_up_the_async_thread() {
        use crate::store::hooked::Hooked;
        use std::sync::{Arc, Mutex, mpsc};
        use std::time::{Duration, Instant};

        let dir = tempfile::tempdir().unwrap();
        let (go, slow) = mpsc::channel::<()>();
        let slow = Mutex::new(slow);
        let mut store = Hooked::seeded();
        // A busy database: the release waits until the test lets it through (or 3 s pass).
        store.before_release_key = Some(Box::new(move || {
            let _ = slow.lock().unwrap().recv_timeout(Duration::from_secs(3));
        }));
        let state = AppState::with_store(&crate::Config::new(dir.path()), Arc::new(store)).unwrap();
        let (now, lease) = (state.now(), state.limits().idempotency_lease);
        let claim = move |s: &AppState| {
            s.store()
                .claim_key("anonymous", "k", b"A", now, now - lease)
        };
        assert_eq!(claim(&state).unwrap(), KeyClaim::Claimed);

        let started = Instant::now();
        drop(Claim {
            state: state.clone(),
            scope: "anonymous".into(),
            key: "k".into(),
            settled: false,
        });
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "dropping the claim waited for the database on the async thread"
        );
        go.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let again = state.blocking(move |s| Ok(claim(s)?)).await.unwrap();
            if again == KeyClaim::Claimed {
                break;
            }
            assert_eq!(again, KeyClaim::InProgress);
            assert!(Instant::now() < deadline, "the key was never released");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[test]
    fn overlong_keys_are_refused() {
        let long = "k".repeat(MAX_KEY_LEN + 1);
        assert!(parse_key(&HeaderValue::from_str(&long).unwrap()).is_err());
    }

    #[test]
    fn fingerprints_differ_by_method_path_and_body() {
        let a = fingerprint(&Method::POST, "/v1/reports", b"{}");
        assert_eq!(a, fingerprint(&Method::POST, "/v1/reports", b"{}"));
        assert_ne!(a, fingerprint(&Method::PUT, "/v1/reports", b"{}"));
        assert_ne!(a, fingerprint(&Method::POST, "/v1/reports/x/status", b"{}"));
        assert_ne!(a, fingerprint(&Method::POST, "/v1/reports", b"{ }"));
    }
}
