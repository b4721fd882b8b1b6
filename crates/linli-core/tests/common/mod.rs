//! Shared parts of the core's integration tests: a real platform in-process on 127.0.0.1, a
//! real core on a temporary data directory, and small waits on what the core reports.

#![allow(dead_code)] // each test file uses a different part

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use linli_api::ipc::{
    AppStatus, Delivery, LocalReport, ReportSummary, Request, Response, SyncState,
};
use linli_api::platform::{
    Catalogue, Comment, NewComment, NewReport, Profile, ReportDetail, Resolution, SessionGrant,
    StatusChange, report_comments,
};
use linli_api::report::{Place, Report, ReportDraft, ReportStatus, Urgency};
use linli_api::{ApiError, CommentId, PhotoId, ReportId};
use linli_core::{
    Backoff, ChannelSink, Core, CoreConfig, Emitted, EventSink, MemorySecretStore, SESSION_ACCOUNT,
    SecretStore, SyncOptions,
};
use linli_platform::{Config, RunningPlatform, latest_code};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;
use tempfile::TempDir;

/// How long any wait in these tests may take before it counts as a failure.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Any free port on loopback.
pub fn any_addr() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Starts a platform on `listen` keeping its data in `dir` (the same dir after a restart).
pub async fn start_platform(dir: &Path, listen: SocketAddr) -> RunningPlatform {
    start_platform_at(dir, listen, PlatformClock::new()).await
}

/// The machine's time, moved on by however much a test says: the platform's clock in tests
/// that cross its seven- and thirty-day rules while real time (and the device's) runs on.
#[derive(Clone, Debug, Default)]
pub struct PlatformClock(Arc<std::sync::Mutex<time::Duration>>);

impl PlatformClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the platform's "now" forward.
    pub fn advance(&self, by: time::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl linli_platform::clock::Clock for PlatformClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + *self.0.lock().unwrap()
    }
}

/// [`start_platform`] with the platform's clock in the test's hands; sessions outlive the
/// months a test moves it through.
pub async fn start_platform_at(
    dir: &Path,
    listen: SocketAddr,
    clock: PlatformClock,
) -> RunningPlatform {
    let mut config = Config::new(dir).with_listen(listen);
    // Tests sign the same phone in more than once within seconds.
    config.limits.code_resend_interval = time::Duration::ZERO;
    config.limits.session_ttl = time::Duration::days(365);
    config.clock = Arc::new(clock);
    linli_platform::spawn(config)
        .await
        .expect("platform starts")
}

/// Sync behaviour with the waits shortened so the tests run in seconds.
pub fn quick_sync() -> SyncOptions {
    SyncOptions {
        poll_interval: Duration::from_millis(300),
        backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(800),
        },
        feed_backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(500),
        },
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        upload_timeout: Duration::from_secs(20),
        ..SyncOptions::default()
    }
}

/// A device: its data dir and "keychain" survive core restarts, as on a phone.
pub struct Device {
    pub dir: TempDir,
    pub secrets: Arc<MemorySecretStore>,
}

impl Device {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            secrets: Arc::new(MemorySecretStore::new()),
        }
    }

    /// Opens a core on this device talking to `url`, with a channel to watch it.
    pub fn open(&self, url: &str, sync: SyncOptions) -> (Core, Receiver<Emitted>) {
        let (sink, events) = ChannelSink::new();
        (self.open_with_sink(url, sync, Arc::new(sink)), events)
    }

    pub fn open_with_sink(&self, url: &str, sync: SyncOptions, sink: Arc<dyn EventSink>) -> Core {
        let mut config = CoreConfig::new(self.dir.path(), self.secrets.clone(), sink);
        config.platform_url = Some(url.to_string());
        config.os_language = Some("zh-CN".into());
        config.sync = sync;
        Core::open(config).expect("core opens")
    }

    /// The session token the core keeps in its secret store.
    pub fn token(&self) -> Option<String> {
        self.secrets.get(SESSION_ACCOUNT).unwrap()
    }
}

/// Calls the core and unwraps a successful answer.
pub async fn call(core: &Core, request: Request) -> Response {
    let shown = format!("{request:?}");
    core.handle(request)
        .await
        .unwrap_or_else(|e| panic!("{shown} failed: {e:?}"))
}

/// Calls the core expecting an error.
pub async fn call_err(core: &Core, request: Request) -> ApiError {
    let shown = format!("{request:?}");
    match core.handle(request).await {
        Ok(r) => panic!("{shown} should have failed, answered {r:?}"),
        Err(e) => e,
    }
}

pub async fn status(core: &Core) -> AppStatus {
    match call(core, Request::Status).await {
        Response::Status(s) => s,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn report(core: &Core, id: ReportId) -> LocalReport {
    match call(core, Request::Report { id }).await {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn my_reports(core: &Core) -> Vec<ReportSummary> {
    match call(core, Request::MyReports).await {
        Response::Reports(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn catalogue(core: &Core) -> Catalogue {
    match call(core, Request::Catalogue).await {
        Response::Catalogue(c) => c,
        other => panic!("unexpected {other:?}"),
    }
}

/// Signs in through the core with the code the demo SMS gateway wrote.
pub async fn sign_in(core: &Core, platform_dir: &Path, phone: &str) -> Profile {
    call(
        core,
        Request::RequestCode {
            phone: phone.into(),
        },
    )
    .await;
    let code = latest_code(platform_dir, phone).expect("the demo gateway wrote a code");
    match call(
        core,
        Request::SignIn {
            phone: phone.into(),
            code,
        },
    )
    .await
    {
        Response::SignedIn(p) => p,
        other => panic!("unexpected {other:?}"),
    }
}

/// A draft that passes every check for the main demo resident.
pub fn good_draft(catalogue: &Catalogue) -> ReportDraft {
    ReportDraft {
        category: Some(
            catalogue
                .categories
                .iter()
                .find(|c| c.code == "water_plumbing")
                .map(|c| c.code.clone())
                .unwrap_or_else(|| "water_plumbing".into()),
        ),
        description: "厨房水池下面的水管接口在滴水".into(),
        place: Some(Place::Unit {
            unit_id: catalogue.units.first().expect("the resident has a unit").id,
        }),
        urgency: Urgency::Soon,
        photo_ids: vec![],
        visibility: Default::default(),
    }
}

pub async fn new_draft(core: &Core) -> LocalReport {
    match call(core, Request::NewDraft).await {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn save_draft(core: &Core, id: ReportId, draft: ReportDraft) -> LocalReport {
    match call(
        core,
        Request::SaveDraft {
            id,
            draft,
            editor: None,
        },
    )
    .await
    {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn attach(core: &Core, id: ReportId, jpeg: &[u8]) -> LocalReport {
    match call(
        core,
        Request::AttachPhoto {
            id,
            data_base64: STANDARD.encode(jpeg),
        },
    )
    .await
    {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn submit(core: &Core, id: ReportId) -> LocalReport {
    match call(core, Request::Submit { id }).await {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

/// A real JPEG with smooth content (small after re-encoding).
pub fn small_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(640, 480, |x, y| Rgb([(x / 3) as u8, (y / 2) as u8, 120]));
    encode(&img)
}

/// A real JPEG full of noise: large even after resizing, so an upload takes many chunks.
pub fn noisy_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    let img = RgbImage::from_fn(width, height, |_, _| {
        // xorshift: noise that JPEG cannot compress well.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let b = state.to_le_bytes();
        Rgb([b[0], b[1], b[2]])
    });
    encode(&img)
}

fn encode(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .unwrap();
    out
}

/// Waits until `check` gives a value, polling.
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the report's delivery state matches.
pub async fn wait_delivery(
    core: &Core,
    id: ReportId,
    what: &str,
    pred: impl Fn(&Delivery) -> bool,
) -> LocalReport {
    wait_for(what, || async {
        let r = report(core, id).await;
        pred(&r.delivery).then_some(r)
    })
    .await
}

/// Waits for something the core emits, keeping what came before it in `seen`.
pub async fn wait_emitted(
    events: &Receiver<Emitted>,
    seen: &mut Vec<Emitted>,
    what: &str,
    pred: impl Fn(&Emitted) -> bool,
) -> Emitted {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        while let Ok(e) = events.try_recv() {
            let hit = pred(&e);
            seen.push(e.clone());
            if hit {
                return e;
            }
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}; saw {seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn drain(events: &Receiver<Emitted>) -> Vec<Emitted> {
    events.try_iter().collect()
}

pub fn sync_state(core_status: &AppStatus) -> &SyncState {
    &core_status.sync
}

// ---- the platform as other people see it, over plain HTTP ----

pub struct Http {
    pub client: reqwest::Client,
    pub base: String,
}

impl Http {
    pub fn new(base: &str) -> Self {
        linli_core::install_tls_provider();
        Self {
            client: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    /// Signs someone in directly (staff, or a second session of a resident).
    pub async fn sign_in(&self, platform_dir: &Path, phone: &str) -> String {
        let sent = self
            .client
            .post(format!("{}/v1/auth/otp", self.base))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&serde_json::json!({ "phone": phone }))
            .send()
            .await
            .unwrap();
        assert!(sent.status().is_success(), "{}", sent.text().await.unwrap());
        let code = latest_code(platform_dir, phone).unwrap();
        let grant = self
            .client
            .post(format!("{}/v1/auth/sessions", self.base))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&serde_json::json!({ "phone": phone, "code": code }))
            .send()
            .await
            .unwrap();
        assert!(
            grant.status().is_success(),
            "{}",
            grant.text().await.unwrap()
        );
        grant.json::<SessionGrant>().await.unwrap().token
    }

    /// Every report the token's owner may see.
    pub async fn reports(&self, token: &str) -> Vec<Report> {
        let r = self
            .client
            .get(format!("{}/v1/reports", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        ok(r).await
    }

    pub async fn photo(&self, token: &str, id: linli_api::PhotoId) -> Vec<u8> {
        let r = self
            .client
            .get(format!("{}/v1/photos/{id}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.bytes().await.unwrap().to_vec()
    }

    /// Staff move a report on, with a note.
    pub async fn change_status(&self, token: &str, id: ReportId, status: ReportStatus, note: &str) {
        let r = self
            .client
            .post(format!("{}/v1/reports/{id}/status", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&StatusChange {
                status,
                note: note.into(),
            })
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    /// Files a report as another device of the token's owner would.
    pub async fn file_report(&self, token: &str, report: &NewReport) -> Report {
        let r = self
            .client
            .post(format!("{}/v1/reports", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", report.id.to_string())
            .json(report)
            .send()
            .await
            .unwrap();
        ok(r).await
    }

    fn post(&self, token: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
    }

    /// Staff of the handling party mark a report resolved, with photos they uploaded.
    pub async fn resolve(&self, token: &str, id: ReportId, note: &str, photos: &[PhotoId]) {
        let body = Resolution {
            note: note.into(),
            photo_ids: photos.to_vec(),
        };
        let r = self
            .post(token, &linli_api::platform::report_resolve(id))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    /// Uploads a photo as the token's owner.
    pub async fn upload(&self, token: &str, id: PhotoId, jpeg: Vec<u8>) {
        let r = self
            .client
            .put(format!("{}/v1/photos/{id}", self.base))
            .bearer_auth(token)
            .header("content-type", "image/jpeg")
            .body(jpeg)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    /// A report with its timeline, as the token's owner sees it.
    pub async fn detail(&self, token: &str, id: ReportId) -> ReportDetail {
        let r = self
            .client
            .get(format!("{}/v1/reports/{id}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        ok(r).await
    }

    /// A report's comments, as the token's owner sees them.
    pub async fn comments(&self, token: &str, id: ReportId) -> Vec<Comment> {
        let r = self
            .client
            .get(format!("{}{}", self.base, report_comments(id)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        ok(r).await
    }

    /// Comments on a report as the token's owner (staff answering).
    pub async fn comment(&self, token: &str, id: ReportId, body: &str) -> Comment {
        let new = NewComment {
            id: CommentId::new(),
            body: body.into(),
            photo_ids: vec![],
        };
        let r = self
            .post(token, &report_comments(id))
            .json(&new)
            .send()
            .await
            .unwrap();
        ok(r).await
    }

    /// Ends a session on the platform, as an expiry or a sign-out elsewhere would.
    pub async fn end_session(&self, token: &str) {
        let r = self
            .client
            .delete(format!("{}/v1/auth/sessions/current", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

/// The body of a successful answer; anything else fails the test with what the platform said.
pub async fn ok<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> T {
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// A platform in a temporary data dir and one device whose core talks to it, sync running:
/// how most tests here begin.
pub struct Setup {
    pub platform_dir: TempDir,
    pub platform: RunningPlatform,
    pub device: Device,
    pub core: Core,
    pub events: Receiver<Emitted>,
}

/// Starts a [`Setup`].
pub async fn setup() -> Setup {
    setup_at(PlatformClock::new()).await
}

/// Starts a [`Setup`] whose platform runs on `clock`.
pub async fn setup_at(clock: PlatformClock) -> Setup {
    let platform_dir = tempfile::tempdir().unwrap();
    let platform = start_platform_at(platform_dir.path(), any_addr(), clock).await;
    let device = Device::new();
    let (core, events) = device.open(&platform.url(), quick_sync());
    core.start_sync();
    Setup {
        platform_dir,
        platform,
        device,
        core,
        events,
    }
}
