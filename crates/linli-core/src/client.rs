//! The platform's HTTP API as the device uses it. Every error comes back as an [`ApiError`]
//! (from the platform's problem+json, or made up from the status when a proxy answered), with
//! the HTTP status kept so the outbox can tell "try again" from "change something".

use crate::error::Error;
use futures_util::StreamExt;
use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::{EstateId, PhotoId, ReportId};
use linli_api::platform::{
    Board, Catalogue, Comment, IDEMPOTENCY_KEY, OtpRequest, OtpSent, PhotoReceipt, Problem,
    Profile, ReportDetail, ReportEvent, SessionGrant, SignInRequest, SimilarReport, paths,
};
use linli_api::report::Report;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Size of the pieces a photo is streamed in; progress is reported after each.
pub const UPLOAD_CHUNK: usize = 32 * 1024;

/// A request that did not work.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The HTTP status, if the platform (or something in between) answered.
    pub status: Option<u16>,
    /// What went wrong.
    pub error: ApiError,
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        f.error
    }
}

impl Failure {
    fn unreachable(e: &reqwest::Error) -> Self {
        Failure {
            status: None,
            error: ApiError::new(ErrorCode::PlatformUnreachable, describe(e)),
        }
    }

    /// Whether the session behind the request is gone: the same rule the outbox holds items
    /// by ([`crate::outbox::is_session_lost`]), so a token is dropped exactly when sending stops.
    pub fn session_lost(&self) -> bool {
        crate::outbox::is_session_lost(&self.error)
    }
}

/// A reqwest error without the request's URL query or anything sent (no token can be in it:
/// tokens travel in a header).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "bad body"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut chain = String::new();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    format!("{kind}{chain}")
}

/// Timeouts of the client.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Opening a connection.
    pub connect: Duration,
    /// A whole ordinary request.
    pub request: Duration,
    /// A whole photo upload.
    pub upload: Duration,
    /// Silence on the live change feed before it counts as dead.
    pub feed_read: Duration,
}

/// The platform client: one connection pool for requests, one for the long-lived feed.
#[derive(Clone, Debug)]
pub struct PlatformClient {
    api: Client,
    feed: Client,
    timeouts: Timeouts,
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let response = check(response).await?;
    let status = response.status().as_u16();
    response.json::<T>().await.map_err(|e| Failure {
        status: Some(status),
        error: ApiError::new(
            ErrorCode::Internal,
            format!("unexpected answer: {}", describe(&e)),
        ),
    })
}

/// Turns a non-success answer into a [`Failure`].
async fn check(response: Response) -> Result<Response, Failure> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = response.bytes().await.unwrap_or_default();
    let mut error = match serde_json::from_slice::<Problem>(&body) {
        Ok(problem) => ApiError::from(problem),
        Err(_) => ApiError::new(
            code_for(status),
            format!("HTTP {status} without a problem document"),
        ),
    };
    if error.retry_after_seconds.is_none() {
        error.retry_after_seconds = retry_after;
    }
    Err(Failure {
        status: Some(status.as_u16()),
        error,
    })
}

/// A code for an answer that did not explain itself (a proxy, a crash page).
fn code_for(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::ValidationFailed,
        429 => ErrorCode::RateLimited,
        502..=504 => ErrorCode::PlatformUnreachable,
        500..=599 => ErrorCode::Internal,
        _ => ErrorCode::MalformedRequest,
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}

/// `path?k=v&...`, each value percent-encoded (`+` in a time offset must not read as a space).
fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let mut url = reqwest::Url::parse("http://query.invalid/").expect("a fixed valid URL");
    url.query_pairs_mut()
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    format!("{path}?{}", url.query().unwrap_or_default())
}

/// Chooses the process's TLS primitives (ring) before any HTTP client is built; reqwest is
/// built without a provider of its own so the app carries only this one. Safe to call again:
/// a process that installed a provider earlier (a tool with its own choice) keeps it.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl PlatformClient {
    /// A client with these timeouts.
    pub fn new(timeouts: Timeouts) -> Result<Self, Error> {
        install_tls_provider();
        let api = Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("linli-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        // The feed stays open for hours: no overall timeout, only one on silence.
        let feed = Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.feed_read)
            .user_agent(concat!("linli-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        Ok(Self {
            api,
            feed,
            timeouts,
        })
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, Failure> {
        request.send().await.map_err(|e| Failure::unreachable(&e))
    }

    fn post(&self, base: &str, path: &str, token: Option<&str>, key: &str) -> RequestBuilder {
        let mut r = self.api.post(url(base, path)).header(IDEMPOTENCY_KEY, key);
        if let Some(token) = token {
            r = r.bearer_auth(token);
        }
        r
    }

    /// `GET /health`: whether the platform answers at all (no session needed).
    pub async fn health(&self, base: &str) -> bool {
        match self.api.get(url(base, paths::HEALTH)).send().await {
            Ok(r) => r.status().is_success(),
            Err(_) => false,
        }
    }

    /// `POST /v1/auth/otp`.
    pub async fn request_code(&self, base: &str, phone: &str) -> Result<OtpSent, Failure> {
        let key = uuid::Uuid::now_v7().to_string();
        let body = OtpRequest {
            phone: phone.to_string(),
        };
        answer(
            self.send(self.post(base, paths::OTP, None, &key).json(&body))
                .await?,
        )
        .await
    }

    /// `POST /v1/auth/sessions`.
    pub async fn sign_in(
        &self,
        base: &str,
        phone: &str,
        code: &str,
    ) -> Result<SessionGrant, Failure> {
        let key = uuid::Uuid::now_v7().to_string();
        let body = SignInRequest {
            phone: phone.to_string(),
            code: code.to_string(),
        };
        answer(
            self.send(self.post(base, paths::SESSIONS, None, &key).json(&body))
                .await?,
        )
        .await
    }

    /// `DELETE /v1/auth/sessions/current`.
    pub async fn sign_out(&self, base: &str, token: &str) -> Result<(), Failure> {
        let request = self
            .api
            .delete(url(base, paths::CURRENT_SESSION))
            .bearer_auth(token)
            .timeout(Duration::from_secs(5));
        check(self.send(request).await?).await.map(|_| ())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        base: &str,
        path: &str,
        token: &str,
    ) -> Result<T, Failure> {
        let request = self.api.get(url(base, path)).bearer_auth(token);
        answer(self.send(request).await?).await
    }

    /// `GET /v1/me`.
    pub async fn me(&self, base: &str, token: &str) -> Result<Profile, Failure> {
        self.get(base, paths::ME, token).await
    }

    /// `GET /v1/catalogue`.
    pub async fn catalogue(&self, base: &str, token: &str) -> Result<Catalogue, Failure> {
        self.get(base, paths::CATALOGUE, token).await
    }

    /// `GET /v1/reports/{id}`.
    pub async fn report(
        &self,
        base: &str,
        token: &str,
        id: ReportId,
    ) -> Result<ReportDetail, Failure> {
        self.get(base, &format!("{}/{id}", paths::REPORTS), token)
            .await
    }

    /// `GET /v1/changes?after=SEQ`: the change feed for clients that cannot keep a stream open.
    pub async fn changes(
        &self,
        base: &str,
        token: &str,
        after: i64,
    ) -> Result<Vec<ReportEvent>, Failure> {
        self.get(base, &format!("{}?after={after}", paths::CHANGES), token)
            .await
    }

    /// `PUT /v1/photos/{id}`, streaming the JPEG in [`UPLOAD_CHUNK`] pieces and calling
    /// `progress` with the bytes handed to the connection so far.
    pub async fn put_photo(
        &self,
        base: &str,
        token: &str,
        id: PhotoId,
        jpeg: Vec<u8>,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<PhotoReceipt, Failure> {
        let len = jpeg.len();
        // Progress counts a piece as sent when the connection takes it.
        let stream = futures_util::stream::iter((0..len).step_by(UPLOAD_CHUNK)).map(move |start| {
            let end = (start + UPLOAD_CHUNK).min(len);
            progress(end as u64);
            Ok::<_, std::io::Error>(jpeg[start..end].to_vec())
        });
        let request = self
            .api
            .put(url(base, &format!("{}/{id}", paths::PHOTOS)))
            .bearer_auth(token)
            .header(CONTENT_TYPE, "image/jpeg")
            .header(CONTENT_LENGTH, len)
            .timeout(self.timeouts.upload)
            .body(reqwest::Body::wrap_stream(stream));
        answer(self.send(request).await?).await
    }

    /// `POST /v1/reports` with the report's body already serialised (its size is counted in
    /// the upload progress).
    pub async fn post_report(
        &self,
        base: &str,
        token: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Report, Failure> {
        let request = self
            .post(base, paths::REPORTS, Some(token), key)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        answer(self.send(request).await?).await
    }

    /// `POST` to `path` with `Idempotency-Key` = `key` and a JSON body (`None`: empty), as
    /// actions on a report are sent.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        base: &str,
        token: &str,
        path: &str,
        key: &str,
        body: Option<&(impl Serialize + Sync)>,
    ) -> Result<T, Failure> {
        let mut request = self.post(base, path, Some(token), key);
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(self.send(request).await?).await
    }

    /// `DELETE` `path` (stop following a report).
    pub async fn delete_json<T: DeserializeOwned>(
        &self,
        base: &str,
        token: &str,
        path: &str,
    ) -> Result<T, Failure> {
        let request = self.api.delete(url(base, path)).bearer_auth(token);
        answer(self.send(request).await?).await
    }

    /// `GET /v1/reports/{id}/comments`.
    pub async fn comments(
        &self,
        base: &str,
        token: &str,
        id: ReportId,
    ) -> Result<Vec<Comment>, Failure> {
        self.get(base, &linli_api::platform::report_comments(id), token)
            .await
    }

    /// `GET /v1/reports/similar` with the query's pairs.
    pub async fn similar(
        &self,
        base: &str,
        token: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<SimilarReport>, Failure> {
        self.get(base, &with_query(paths::SIMILAR_REPORTS, query), token)
            .await
    }

    /// `GET /v1/estates/{id}/board?from=..&to=..`.
    pub async fn board(
        &self,
        base: &str,
        token: &str,
        estate: EstateId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Board, Failure> {
        let rfc = |t: Timestamp| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        let query: Vec<(&str, String)> = [("from", from.map(rfc)), ("to", to.map(rfc))]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        let path = with_query(&linli_api::platform::estate_board(estate), &query);
        self.get(base, &path, token).await
    }

    /// `GET /v1/photos/{id}`: the bytes and their content type.
    pub async fn photo(
        &self,
        base: &str,
        token: &str,
        id: PhotoId,
    ) -> Result<(Vec<u8>, String), Failure> {
        let request = self
            .api
            .get(url(base, &format!("{}/{id}", paths::PHOTOS)))
            .bearer_auth(token)
            .timeout(self.timeouts.upload);
        let response = check(self.send(request).await?).await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("image/jpeg")
            .to_string();
        let bytes = response.bytes().await.map_err(|e| Failure {
            status: Some(status),
            error: ApiError::new(ErrorCode::PlatformUnreachable, describe(&e)),
        })?;
        Ok((bytes.to_vec(), content_type))
    }

    /// `GET /v1/events`: opens the live change feed, resuming after `last_seq`.
    pub async fn open_feed(
        &self,
        base: &str,
        token: &str,
        last_seq: Option<i64>,
    ) -> Result<Response, Failure> {
        let mut request = self
            .feed
            .get(url(base, paths::EVENTS))
            .bearer_auth(token)
            .header(ACCEPT, "text/event-stream");
        if let Some(seq) = last_seq {
            request = request.header("Last-Event-ID", seq.to_string());
        }
        let response = check(request.send().await.map_err(|e| Failure::unreachable(&e))?).await?;
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            return Err(Failure {
                status: Some(response.status().as_u16()),
                error: ApiError::new(
                    ErrorCode::Internal,
                    "the change feed is not an event stream",
                ),
            });
        }
        Ok(response)
    }
}

/// Turns a reqwest stream error into a failure (used by the feed reader).
pub fn stream_failure(e: &reqwest::Error) -> Failure {
    Failure::unreachable(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexplained_answers_get_a_sensible_code() {
        assert_eq!(
            code_for(StatusCode::BAD_GATEWAY),
            ErrorCode::PlatformUnreachable
        );
        assert_eq!(
            code_for(StatusCode::INTERNAL_SERVER_ERROR),
            ErrorCode::Internal
        );
        assert_eq!(
            code_for(StatusCode::UNAUTHORIZED),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            code_for(StatusCode::TOO_MANY_REQUESTS),
            ErrorCode::RateLimited
        );
        assert_eq!(
            code_for(StatusCode::IM_A_TEAPOT),
            ErrorCode::MalformedRequest
        );
    }

    #[test]
    fn the_token_is_dropped_whenever_the_outbox_waits_for_sign_in() {
        // Whatever status carried it, an answer that holds an item for sign-in also ends the
        // session; otherwise the item would go out again at once with the same dead token.
        for status in [Some(401), Some(403), Some(400), None] {
            for code in [
                ErrorCode::SessionExpired,
                ErrorCode::Unauthenticated,
                ErrorCode::Forbidden,
                ErrorCode::PlatformUnreachable,
            ] {
                let f = Failure {
                    status,
                    error: ApiError::new(code, "x"),
                };
                let held = crate::outbox::classify(status, &f.error)
                    == crate::outbox::Failure::SessionLost;
                assert_eq!(f.session_lost(), held, "{status:?} {code:?}");
            }
        }
        let behind_a_proxy = Failure {
            status: Some(403),
            error: ApiError::new(ErrorCode::SessionExpired, "x"),
        };
        assert!(behind_a_proxy.session_lost());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(with_query("/v1/x", &[]), "/v1/x");
        assert_eq!(
            with_query(
                "/v1/x",
                &[
                    ("from", "2025-01-01T00:00:00+08:00".into()),
                    ("a", "b c".into())
                ]
            ),
            "/v1/x?from=2025-01-01T00%3A00%3A00%2B08%3A00&a=b+c"
        );
    }

    #[test]
    fn urls_join_without_double_slashes() {
        assert_eq!(
            url("http://127.0.0.1:1/", "/v1/me"),
            "http://127.0.0.1:1/v1/me"
        );
        assert_eq!(
            url("https://x.org/api", "/v1/me"),
            "https://x.org/api/v1/me"
        );
    }
}
