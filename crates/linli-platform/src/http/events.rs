//! The change feed: server-sent events, and a polling fallback over the same rows.

use super::problem::HttpError;
use crate::auth::{self, Caller};
use crate::report::visibility;
use crate::state::AppState;
use crate::store::Visibility;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::stream;
use linli_api::platform::{Problem, ReportEvent};
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::watch;

/// SSE event name of report changes.
pub const REPORT_EVENT: &str = "report";
/// Events read from the store per query.
const BATCH: usize = 200;
/// Most events one `/v1/changes` answer holds.
const MAX_CHANGES: u32 = 500;
/// How often an idle stream sends a comment, so proxies and clients know it is alive.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Longest an idle stream sleeps before checking its session again, whatever its expiry.
const MAX_IDLE_CHECK: Duration = Duration::from_secs(60 * 60);

/// How long a woken stream waits for more changes before it reads: a person cannot tell 5 ms,
/// and a thousand streams reading once per burst instead of once per commit can.
const COALESCE: Duration = Duration::from_millis(5);

/// How long a stream trusts its last look at the session between reads. A sign-out on this
/// instance and the session's expiry end the stream at once whatever this says; a sign-out on
/// another instance ends it at the first read after this long. Without it, a burst of changes
/// (a device's backlog arriving) cost one session lookup per change.
const SESSION_RECHECK: Duration = Duration::from_secs(1);

struct Cursor {
    state: AppState,
    /// The session the stream was opened with: checked again before reading after a sign-out
    /// here, at its expiry, and otherwise at most every [`SESSION_RECHECK`], so a stream
    /// outlives neither sign-out nor expiry.
    token_hash: [u8; 32],
    /// When the session was last found alive, and until when it was valid then.
    checked: Option<(std::time::Instant, linli_api::Timestamp)>,
    /// Someone signed out on this instance since the session was last looked at.
    signed_out_here: bool,
    scope: Visibility,
    after: i64,
    pending: VecDeque<ReportEvent>,
    changes: watch::Receiver<i64>,
    sign_outs: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
}

impl Cursor {
    /// The next event the caller may see, waiting for one if need be; `None` ends the stream
    /// (the session ended, the platform is stopping, or the store failed).
    async fn next(&mut self) -> Option<ReportEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            // Mark the current notifications seen before reading, so an event committed (or a
            // session signed out) while reading wakes the next wait instead of being missed.
            self.changes.borrow_and_update();
            let signed_out_here =
                self.signed_out_here || self.sign_outs.has_changed().unwrap_or(true);
            self.sign_outs.borrow_and_update();
            self.signed_out_here = false;
            let now = self.state.now();
            let trusted = self.checked.filter(|(at, expires_at)| {
                !signed_out_here && at.elapsed() < SESSION_RECHECK && now < *expires_at
            });
            let (after, scope, token_hash) = (self.after, self.scope, self.token_hash);
            let (expires_at, batch) = self
                .state
                .blocking(move |s| {
                    let expires_at = match trusted {
                        Some((_, expires_at)) => expires_at,
                        None => auth::live_session(s.store(), s.now(), &token_hash)?.expires_at,
                    };
                    let batch = s.store().events_after(after, scope, BATCH)?;
                    Ok((expires_at, batch))
                })
                .await
                .ok()?;
            if trusted.is_none() {
                self.checked = Some((std::time::Instant::now(), expires_at));
            }
            if let Some(last) = batch.last() {
                self.after = last.seq;
                self.pending.extend(batch);
                continue;
            }
            let until_expiry = Duration::try_from(expires_at - self.state.now())
                .unwrap_or(Duration::ZERO)
                .min(MAX_IDLE_CHECK);
            tokio::select! {
                changed = self.changes.changed() => {
                    changed.ok()?;
                    // Every commit wakes every open stream, and each reads the store: a short
                    // wait lets the commits of a burst be read together, once per stream.
                    tokio::time::sleep(COALESCE).await;
                }
                signed_out = self.sign_outs.changed() => {
                    signed_out.ok()?;
                    self.signed_out_here = true;
                }
                () = tokio::time::sleep(until_expiry) => {}
                () = crate::server::stopped(&mut self.shutdown) => return None,
            }
        }
    }
}

/// Where to resume after `seen`. A number this platform never issued comes from a database
/// that was since reset: start over, so the client learns everything it may see.
fn resume_point(seen: i64, latest: i64) -> i64 {
    if seen > latest { 0 } else { seen.max(0) }
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers
        .get("last-event-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Live changes to the reports the caller may see, as server-sent events.
///
/// Each event is named `report`, its `id` is the change's sequence number and its `data` a
/// `ReportEvent` as JSON. Reconnect with `Last-Event-ID` to receive what was missed first;
/// without it the stream starts with the next change. An id the platform never issued (its
/// database was reset) replays from the beginning. The stream ends when its session is signed
/// out or expires; sign in again and reconnect.
#[utoipa::path(
    get, path = "/v1/events", tag = "events",
    security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last sequence number received")),
    responses(
        (status = 200, description = "An endless `text/event-stream` of `report` events whose data is a ReportEvent", content_type = "text/event-stream", body = String),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HttpError> {
    let changes = state.feed().subscribe();
    let latest = state
        .blocking(|s| Ok(s.store().latest_event_seq()?))
        .await?;
    let after = match last_event_id(&headers) {
        Some(seq) => resume_point(seq, latest),
        None => latest,
    };
    let cursor = Cursor {
        token_hash: caller.token_hash,
        checked: None,
        signed_out_here: false,
        sign_outs: state.sign_outs(),
        scope: visibility(&caller.user),
        shutdown: state.shutdown_signal(),
        state,
        after,
        pending: VecDeque::new(),
        changes,
    };
    let stream = stream::unfold(cursor, |mut cursor| async move {
        let event = cursor.next().await?;
        let sse = Event::default()
            .event(REPORT_EVENT)
            .id(event.seq.to_string())
            .json_data(&event)
            .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
        Some((Ok(sse), cursor))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// Query of `/v1/changes`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Sequence number of the last change already seen (0 for all).
    #[serde(default)]
    pub after: i64,
    /// Most changes to return (at most 500, the default; more asks for 500).
    #[param(minimum = 0, maximum = 4294967295_u64)]
    pub limit: Option<u32>,
}

/// Changes after a sequence number, oldest first: the polling fallback of `/v1/events`.
///
/// Ask again with the last `seq` received until the answer is empty. A number the platform
/// never issued (its database was reset) starts over from the beginning.
#[utoipa::path(
    get, path = "/v1/changes", tag = "events",
    security(("bearer" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "Changes the caller may see, oldest first", body = Vec<ReportEvent>),
        (status = 400, description = "`malformed_request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<Vec<ReportEvent>>, HttpError> {
    let limit = query.limit.unwrap_or(MAX_CHANGES).clamp(1, MAX_CHANGES) as usize;
    let scope = visibility(&caller.user);
    let events = state
        .blocking(move |s| {
            let after = resume_point(query.after, s.store().latest_event_seq()?);
            Ok(s.store().events_after(after, scope, limit)?)
        })
        .await?;
    Ok(Json(events))
}

#[cfg(test)]
mod tests {
    use super::resume_point;
    use rstest::rstest;

    #[rstest]
    #[case(0, 10, 0)]
    #[case(7, 10, 7)]
    #[case(10, 10, 10)]
    #[case(11, 10, 0)]
    #[case(-3, 10, 0)]
    fn resumes_where_the_client_left_off_or_from_the_start(
        #[case] seen: i64,
        #[case] latest: i64,
        #[case] expected: i64,
    ) {
        assert_eq!(resume_point(seen, latest), expected);
    }
}
