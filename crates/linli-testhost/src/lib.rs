//! Test infrastructure, not part of the app: lets a plain browser (headless Chromium in the
//! accessibility gates) run the built UI against the real core and a real platform.
//!
//! In the app, the Tauri shell hands every `invoke("rpc", { request })` to
//! [`linli_core::Core::handle`] and sends core events to the window. A browser has no Tauri, so
//! this host serves `ui/dist` over loopback HTTP with a small script, `/testhost-shim.js`, that
//! defines `window.__TAURI__` and carries the same JSON here:
//!
//! | path | what |
//! | --- | --- |
//! | `POST /rpc` | body: an `ipc::Request`; 200 with the `Response`, 422 with the `ApiError`, 400 (text) when the body is not a request |
//! | `GET /events` | server-sent events, one `ipc::Event` (JSON) per message |
//! | `GET /notifications` | desktop notifications the core asked for, as a JSON list of `{title, body}` |
//! | `GET /testhost/code?phone=` | the latest demo SMS code for that phone (404 when none) |
//! | `GET /testhost/platform` | the platform's base URL |
//! | `POST /testhost/platform/stop` | stops the embedded platform gracefully (the device goes offline); 409 without one |
//! | `POST /testhost/platform/start` | starts it again on the same address and data dir; 409 without one |
//! | `GET /testhost/spoken` | what the core was asked to read aloud, oldest first, as `[{language, text}]` (the host's speaker is silent) |
//! | `GET /testhost-shim.js` | the shim |
//! | anything else | files from the UI folder; `index.html` (with the shim inserted before `boot.js`) for paths without a file extension, so the router's deep links load |
//!
//! No rules live here: every call goes to the same `Core::handle` the shell uses, so the
//! screens show real data. The session is kept in memory ([`MemorySecretStore`]), never in the
//! OS keychain, and belongs to the host's core, not to a browser tab: once signed in, every
//! page (and Lighthouse's own tabs) sees the signed-in app.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use linli_api::ipc::{Event, Request};
use linli_core::speech::RecordingSpeaker;
use linli_core::{Core, CoreConfig, EventSink, MemorySecretStore};
use serde::Deserialize;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{Mutex as AsyncMutex, broadcast};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::ServeDir;

/// The shim the page loads before the app: defines `window.__TAURI__` (see the file).
pub const SHIM_JS: &str = include_str!("../assets/testhost-shim.js");
/// Where the shim is served.
pub const SHIM_PATH: &str = "/testhost-shim.js";
/// Photos arrive base64 in one JSON request, as over Tauri's IPC; axum's 2 MB default is
/// too small for a phone photo.
const RPC_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// What the host needs to start.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// The built UI (`ui/dist`).
    pub ui_dir: PathBuf,
    /// The platform the core talks to.
    pub platform_url: String,
    /// The platform's data dir, when known, for `/testhost/code` (the demo SMS gateway writes
    /// codes there).
    pub platform_data_dir: Option<PathBuf>,
    /// The core's data dir (database and photos).
    pub device_dir: PathBuf,
    /// The language the "OS" reports (BCP 47), as the shell passes it; `None`: from `LANG`.
    pub os_language: Option<String>,
    /// A Content-Security-Policy to send with the page, to hold it to the shell's rules.
    pub csp: Option<String>,
    /// Whether the device has a speech service; either way nothing is heard: the host's
    /// speaker only records (see `/testhost/spoken`).
    pub speech: bool,
    /// The system text size the "OS" reports (1.0 normal).
    pub text_scale: f32,
}

/// Carries core events to every connected `/events` stream and keeps notifications for tests.
#[derive(Debug)]
pub struct BroadcastSink {
    events: broadcast::Sender<Event>,
    notifications: Mutex<Vec<(String, String)>>,
}

impl BroadcastSink {
    /// A sink with nobody listening yet.
    pub fn new() -> Self {
        let (events, _) = broadcast::channel(256);
        Self {
            events,
            notifications: Mutex::new(Vec::new()),
        }
    }

    /// A receiver of every event emitted from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Notifications so far, oldest first, as `(title, body)`.
    pub fn notifications(&self) -> Vec<(String, String)> {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Default for BroadcastSink {
    fn default() -> Self {
        Self::new()
    }
}

impl EventSink for BroadcastSink {
    fn emit(&self, event: Event) {
        // No page connected is normal (as with a closed window): the event is dropped.
        let _ = self.events.send(event);
    }

    fn notify(&self, title: String, body: String) {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((title, body));
    }
}

/// A platform run inside this process that tests can stop and start again, so the app's
/// offline states can be reached with the real platform rather than a fake network.
#[derive(Debug)]
pub struct EmbeddedPlatform {
    /// With the listen address fixed to the one first bound, so a restart comes back where
    /// the core expects it.
    config: linli_platform::Config,
    running: Option<linli_platform::RunningPlatform>,
}

impl EmbeddedPlatform {
    /// Starts a platform; a port 0 in `config.listen` is replaced by the port it got.
    pub async fn spawn(
        mut config: linli_platform::Config,
    ) -> Result<EmbeddedPlatform, linli_platform::Error> {
        let running = linli_platform::spawn(config.clone()).await?;
        config.listen = running.addr();
        Ok(EmbeddedPlatform {
            config,
            running: Some(running),
        })
    }

    /// Its base URL, the same across restarts.
    pub fn url(&self) -> String {
        format!("http://{}", self.config.listen)
    }

    /// Its data dir (database, photos, demo SMS codes).
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// Whether it is serving now.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Stops it gracefully (requests in flight finish, event streams end); stopping a
    /// stopped platform does nothing.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }

    /// Starts it again on the same address and data dir, with what it stored before;
    /// starting a running platform does nothing.
    pub async fn start(&mut self) -> Result<(), linli_platform::Error> {
        if self.running.is_none() {
            self.running = Some(linli_platform::spawn(self.config.clone()).await?);
        }
        Ok(())
    }
}

/// A running core behind the HTTP routes.
#[derive(Debug)]
pub struct Host {
    core: Core,
    sink: Arc<BroadcastSink>,
    speaker: Arc<RecordingSpeaker>,
    config: HostConfig,
    platform: Option<AsyncMutex<EmbeddedPlatform>>,
}

impl Host {
    /// Opens the core on `config.device_dir` against `config.platform_url` and starts its sync
    /// engine, as the shell does at start-up. Must run inside a tokio runtime.
    pub fn open(config: HostConfig) -> Result<Arc<Host>, linli_core::Error> {
        Self::open_with_platform(config, None)
    }

    /// As [`Host::open`], holding the platform `config.platform_url` points at, so the
    /// `/testhost/platform/stop` and `/start` routes can take it away and bring it back; the
    /// host stops it in [`Host::shutdown`].
    pub fn open_with_platform(
        config: HostConfig,
        platform: Option<EmbeddedPlatform>,
    ) -> Result<Arc<Host>, linli_core::Error> {
        let sink = Arc::new(BroadcastSink::new());
        let mut core_config = CoreConfig::new(
            config.device_dir.clone(),
            Arc::new(MemorySecretStore::new()),
            sink.clone(),
        );
        core_config.platform_url = Some(config.platform_url.clone());
        core_config.os_language = config.os_language.clone();
        let speaker = Arc::new(RecordingSpeaker::new(config.speech));
        core_config.speaker = speaker.clone();
        core_config.text_scale = Some(config.text_scale);
        let core = Core::open(core_config)?;
        core.start_sync();
        Ok(Arc::new(Host {
            core,
            sink,
            speaker,
            config,
            platform: platform.map(AsyncMutex::new),
        }))
    }

    /// The core, for tests that call it directly.
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// The event sink, for tests that read notifications.
    pub fn sink(&self) -> &BroadcastSink {
        &self.sink
    }

    /// The routes (see the crate docs).
    pub fn router(self: &Arc<Self>) -> Router {
        let files = ServeDir::new(&self.config.ui_dir)
            .append_index_html_on_directories(false)
            .fallback(get(spa_fallback).with_state(self.clone()));
        Router::new()
            .route("/", get(index))
            .route("/index.html", get(index))
            .route(SHIM_PATH, get(shim))
            .route(
                "/rpc",
                post(rpc).layer(DefaultBodyLimit::max(RPC_BODY_LIMIT)),
            )
            .route("/events", get(events))
            .route("/notifications", get(notifications))
            .route("/testhost/code", get(code))
            .route("/testhost/platform", get(platform))
            .route("/testhost/platform/stop", post(platform_stop))
            .route("/testhost/platform/start", post(platform_start))
            .route("/testhost/spoken", get(spoken))
            .with_state(self.clone())
            .fallback_service(files)
    }

    /// Stops the sync engine and waits for it, then the embedded platform, if any.
    pub async fn shutdown(&self) {
        self.core.shutdown().await;
        if let Some(platform) = &self.platform {
            platform.lock().await.stop().await;
        }
    }
}

/// Inserts the shim's script tag before the tag that loads `boot.js` (or before `</head>`),
/// so `window.__TAURI__` exists when the app starts.
pub fn inject_shim(index_html: &str) -> String {
    let tag = format!("<script src=\"{SHIM_PATH}\"></script>\n  ");
    let at = index_html
        .match_indices("<script")
        .map(|(i, _)| i)
        .find(|&i| {
            index_html[i..]
                .split('>')
                .next()
                .is_some_and(|t| t.contains("boot.js"))
        })
        .or_else(|| index_html.find("</head>"));
    match at {
        Some(i) => format!("{}{tag}{}", &index_html[..i], &index_html[i..]),
        None => format!("{tag}{index_html}"),
    }
}

/// Reads the Content-Security-Policy from a Tauri config (`app.security.csp`, as a string).
pub fn csp_from_tauri_conf(path: &Path) -> Result<Option<String>, std::io::Error> {
    let text = std::fs::read_to_string(path)?;
    let conf: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(conf
        .pointer("/app/security/csp")
        .and_then(|v| v.as_str())
        .map(str::to_owned))
}

async fn index(State(host): State<Arc<Host>>) -> Response {
    let path = host.config.ui_dir.join("index.html");
    let html = match tokio::fs::read_to_string(&path).await {
        Ok(html) => html,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "linli-testhost: cannot read {} ({e}); build the UI with scripts/build-ui",
                    path.display()
                ),
            )
                .into_response();
        }
    };
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        inject_shim(&html),
    )
        .into_response();
    if let Some(csp) = host
        .config
        .csp
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Deep links (`/reports/…`) get the app; a missing file (`/pkg/x.js`) stays a 404, so a
/// broken build is not hidden behind an HTML page.
async fn spa_fallback(state: State<Arc<Host>>, uri: Uri) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    index(state).await
}

async fn shim() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SHIM_JS,
    )
}

async fn rpc(State(host): State<Arc<Host>>, body: Bytes) -> Response {
    // The shell's `rpc` command takes the same JSON; a body that is not a request fails the
    // way Tauri fails a command with bad arguments: a string, not an ApiError.
    let request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("invalid args `request` for command `rpc`: {e}"),
            )
                .into_response();
        }
    };
    match host.core.handle(request).await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(error)).into_response(),
    }
}

async fn events(
    State(host): State<Arc<Host>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = BroadcastStream::new(host.sink.subscribe()).filter_map(|item| match item {
        Ok(event) => match SseEvent::default().json_data(&event) {
            Ok(sse) => Some(Ok(sse)),
            Err(e) => {
                tracing::warn!(error = %e, "event not serialised");
                None
            }
        },
        Err(e) => {
            // A page that fell behind misses events, as a busy webview would; it refetches
            // on the next one.
            tracing::warn!(error = %e, "a page fell behind on events");
            None
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn spoken(State(host): State<Arc<Host>>) -> impl IntoResponse {
    let list: Vec<_> = host
        .speaker
        .said()
        .into_iter()
        .map(|(language, text)| serde_json::json!({ "language": language.tag(), "text": text }))
        .collect();
    axum::Json(list)
}

async fn notifications(State(host): State<Arc<Host>>) -> impl IntoResponse {
    let list: Vec<_> = host
        .sink
        .notifications()
        .into_iter()
        .map(|(title, body)| serde_json::json!({ "title": title, "body": body }))
        .collect();
    axum::Json(list)
}

#[derive(Deserialize)]
struct CodeQuery {
    phone: String,
}

async fn code(State(host): State<Arc<Host>>, Query(q): Query<CodeQuery>) -> Response {
    let Some(dir) = &host.config.platform_data_dir else {
        return (
            StatusCode::NOT_FOUND,
            "linli-testhost: the platform's data dir is unknown (use --embedded-platform or --platform-data-dir)",
        )
            .into_response();
    };
    match linli_platform::latest_code(dir, &q.phone) {
        Some(code) => code.into_response(),
        None => (StatusCode::NOT_FOUND, "no code sent to this phone").into_response(),
    }
}

async fn platform(State(host): State<Arc<Host>>) -> String {
    host.config.platform_url.clone()
}

const NO_EMBEDDED_PLATFORM: &str = "linli-testhost: the platform is not embedded (use --embedded-platform) and cannot be stopped or started here";

async fn platform_stop(State(host): State<Arc<Host>>) -> Response {
    let Some(platform) = &host.platform else {
        return (StatusCode::CONFLICT, NO_EMBEDDED_PLATFORM).into_response();
    };
    platform.lock().await.stop().await;
    "stopped".into_response()
}

async fn platform_start(State(host): State<Arc<Host>>) -> Response {
    let Some(platform) = &host.platform else {
        return (StatusCode::CONFLICT, NO_EMBEDDED_PLATFORM).into_response();
    };
    let mut platform = platform.lock().await;
    match platform.start().await {
        Ok(()) => platform.url().into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("linli-testhost: the platform did not start again: {e}"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_goes_before_boot_js() {
        let html = "<head>\n  <link rel=\"stylesheet\" href=\"/style.css\">\n  <script type=\"module\" src=\"/boot.js\"></script>\n</head>";
        let out = inject_shim(html);
        let shim = out.find(SHIM_PATH).expect("shim tag inserted");
        let boot = out.find("/boot.js").expect("boot tag kept");
        assert!(shim < boot, "{out}");
        assert_eq!(out.matches("<script").count(), 2);
    }

    #[test]
    fn without_boot_js_the_shim_ends_the_head() {
        let out = inject_shim("<head><title>x</title></head><body></body>");
        assert!(out.contains("<script src=\"/testhost-shim.js\"></script>\n  </head>"));
    }
}
