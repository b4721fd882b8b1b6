//! The brain of the Linli app, without a window.
//!
//! A [`Core`] owns the device store (SQLite), the session (in a [`SecretStore`]) and the sync
//! engine (outbox sender and change feed). The shell passes every UI call to [`Core::handle`]
//! and forwards what the core reports through its [`EventSink`]. Reads are answered from the
//! store at once; writes go to the store first and reach the platform when the network allows,
//! exactly once (each record's UUIDv7 is its idempotency key).
//!
//! ```no_run
//! # async fn run() -> Result<(), linli_core::Error> {
//! use linli_core::{ChannelSink, Core, CoreConfig, default_secret_store};
//! use std::sync::Arc;
//! let (sink, events) = ChannelSink::new();
//! let core = Core::open(CoreConfig::new("/tmp/linli", default_secret_store(), Arc::new(sink)))?;
//! core.start_sync();
//! let status = core.handle(linli_api::ipc::Request::Status).await;
//! core.shutdown().await;
//! # Ok(()) }
//! ```

mod actions;
mod board;
mod client;
pub mod comments;
mod error;
mod events;
pub mod follow;
pub mod holds;
pub mod notify;
pub mod outbox;
pub mod photo;
mod reports;
mod secrets;
mod session;
pub mod settings;
pub mod speech;
pub mod sse;
mod store;
mod sync;

pub use client::install_tls_provider;
pub use error::Error;
pub use events::{ChannelSink, Emitted, EventSink, Notification, NullSink};
pub use outbox::Backoff;
pub use secrets::{
    KEYCHAIN_SERVICE, KeyringSecretStore, MemorySecretStore, SESSION_ACCOUNT, SecretError,
    SecretStore, default_secret_store,
};
pub use store::DB_FILE;

use client::{PlatformClient, Timeouts};
use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ipc::{AppStatus, Event, Language, Request, Response, SyncState};
use settings::Defaults;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::Store;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How the sync engine behaves. The defaults suit the app; tests shorten the waits.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Keep a live server-sent events connection for changes; when false (or when the stream
    /// cannot be opened) the core polls `/v1/changes` instead.
    pub live_feed: bool,
    /// How often to poll for changes when there is no live feed.
    pub poll_interval: Duration,
    /// Backoff between attempts to send one outbox item (1 s up to 5 min).
    pub backoff: Backoff,
    /// Backoff between attempts to reopen the live feed.
    pub feed_backoff: Backoff,
    /// Opening a connection to the platform.
    pub connect_timeout: Duration,
    /// One ordinary request.
    pub request_timeout: Duration,
    /// One photo upload.
    pub upload_timeout: Duration,
    /// Silence on the live feed after which it counts as dead and is reopened.
    pub feed_read_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            live_feed: true,
            poll_interval: Duration::from_secs(30),
            backoff: Backoff::default(),
            feed_backoff: Backoff {
                base: Duration::from_secs(1),
                cap: Duration::from_secs(30),
            },
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(120),
            feed_read_timeout: Duration::from_secs(90),
        }
    }
}

/// What [`Core::open`] needs.
#[derive(Clone)]
pub struct CoreConfig {
    /// Where the database (`linli.db`) and photos (`photos/`) live.
    pub data_dir: PathBuf,
    /// The platform to use until the person sets one in settings; `None`: the local demo
    /// platform ([`linli_api::config::DEFAULT_PLATFORM_URL`]).
    pub platform_url: Option<String>,
    /// Where the session token lives.
    pub secrets: Arc<dyn SecretStore>,
    /// Who hears about changes and notifications.
    pub events: Arc<dyn EventSink>,
    /// The OS language as the shell knows it (a BCP 47 tag), used until the person picks one;
    /// `None`: read `LC_ALL` / `LC_MESSAGES` / `LANG`.
    pub os_language: Option<String>,
    /// Sync engine behaviour.
    pub sync: SyncOptions,
    /// What reads the screen aloud.
    pub speaker: Arc<dyn speech::Speaker>,
    /// The system's text size as a factor, as the shell read it from the system; `None` (or a
    /// size that is not sensible): normal, 1.0.
    pub text_scale: Option<f32>,
}

impl CoreConfig {
    /// A configuration with the default platform, OS language from the environment and default
    /// sync behaviour.
    pub fn new(
        data_dir: impl Into<PathBuf>,
        secrets: Arc<dyn SecretStore>,
        events: Arc<dyn EventSink>,
    ) -> Self {
        Self {
            data_dir: data_dir.into(),
            platform_url: None,
            secrets,
            events,
            os_language: None,
            sync: SyncOptions::default(),
            speaker: Arc::from(speech::default_speaker()),
            text_scale: None,
        }
    }
}

impl std::fmt::Debug for CoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreConfig")
            .field("data_dir", &self.data_dir)
            .field("platform_url", &self.platform_url)
            .field("secrets", &self.secrets.kind())
            .field("os_language", &self.os_language)
            .field("sync", &self.sync)
            .field("text_scale", &self.text_scale)
            .finish_non_exhaustive()
    }
}

/// The app's brain. Cheap to clone; every clone is the same core. When the last clone is
/// dropped the background tasks stop; [`Core::shutdown`] stops them and waits.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
    _lifetime: Arc<Lifetime>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("data_dir", &self.inner.data_dir)
            .finish_non_exhaustive()
    }
}

/// Stops the background tasks when the last [`Core`] handle goes (the tasks themselves hold
/// only [`Inner`], so they cannot keep this alive).
struct Lifetime {
    inner: Arc<Inner>,
}

impl Drop for Lifetime {
    fn drop(&mut self) {
        self.inner.stop_tasks();
    }
}

/// Shared state of one core.
pub(crate) struct Inner {
    pub(crate) data_dir: PathBuf,
    pub(crate) photos_dir: PathBuf,
    pub(crate) store: Store,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) defaults: Defaults,
    pub(crate) options: SyncOptions,
    pub(crate) client: PlatformClient,
    pub(crate) speaker: Arc<dyn speech::Speaker>,
    /// Which form holds which draft.
    pub(crate) holds: holds::Holds,
    /// The system's text size factor, read once at start.
    pub(crate) text_scale: f32,
    /// The token, read once from the secret store (which stays the only place it is kept
    /// between runs).
    pub(crate) token: Mutex<Option<String>>,
    /// Online / live flags; `pending` is counted from the store when reported.
    pub(crate) sync_state: Mutex<SyncState>,
    /// When the sender last told the UI how many items wait ([`Inner::pending_changed`]).
    pub(crate) pending_told: Mutex<Option<std::time::Instant>>,
    /// Wakes the outbox sender.
    pub(crate) send_wake: Notify,
    /// Makes the next sender pass ignore backoff.
    pub(crate) send_force: AtomicBool,
    /// Wakes the change feed from its wait (sync now).
    pub(crate) feed_wake: Notify,
    /// Tells the change feed the session or platform changed: drop the stream, start over.
    pub(crate) feed_restart: Notify,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// How often the count of waiting items may be told while the sender goes through the queue.
const PENDING_EVERY: Duration = Duration::from_millis(250);

pub(crate) fn now() -> Timestamp {
    Timestamp::now_utc()
}

impl Inner {
    /// The settings in force (saved, or defaults).
    pub(crate) fn settings(&self) -> Result<linli_api::ipc::Settings, Error> {
        settings::load(&self.store, &self.defaults)
    }

    pub(crate) fn platform_url(&self) -> Result<String, Error> {
        Ok(self.settings()?.platform_url)
    }

    pub(crate) fn language(&self) -> Language {
        self.settings()
            .map(|s| s.language)
            .unwrap_or(self.defaults.language)
    }

    pub(crate) fn emit(&self, event: Event) {
        self.events.emit(event);
    }

    pub(crate) fn reports_changed(&self, ids: Vec<linli_api::ReportId>) {
        if !ids.is_empty() {
            self.emit(Event::ReportsChanged { ids });
        }
    }

    /// The sync state with the outbox counted now.
    pub(crate) fn sync_state(&self) -> SyncState {
        let mut state = self
            .sync_state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        // Only the person known now: a shared tablet does not tell the next person how many
        // reports the last one left waiting.
        state.pending = session::viewer(self)
            .and_then(|viewer| self.store.pending_count(&viewer))
            .unwrap_or(0);
        state
    }

    pub(crate) fn sync_changed(&self) {
        self.emit(Event::SyncChanged(self.sync_state()));
    }

    /// Tells the UI the outbox moved, at most every [`PENDING_EVERY`]: counting what waits
    /// reads the whole queue, and a pass through thousands of items would count it once per
    /// item. The sender tells the final count at the end of each pass ([`Inner::sync_changed`]).
    pub(crate) fn pending_changed(&self) {
        let now = std::time::Instant::now();
        {
            let mut told = self.pending_told.lock().unwrap_or_else(|p| p.into_inner());
            if told.is_some_and(|at| now.duration_since(at) < PENDING_EVERY) {
                return;
            }
            *told = Some(now);
        }
        self.sync_changed();
    }

    /// Records whether the platform answered; tells the UI when that changes.
    pub(crate) fn set_online(&self, online: bool) -> bool {
        let was = {
            let mut s = self.sync_state.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut s.online, online)
        };
        if was != online {
            self.sync_changed();
        }
        was
    }

    pub(crate) fn set_live(&self, live: bool) {
        let was = {
            let mut s = self.sync_state.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut s.live, live)
        };
        if was != live {
            self.sync_changed();
        }
    }

    /// Asks the sender to go through the queue now, ignoring backoff.
    pub(crate) fn send_now(&self) {
        self.send_force.store(true, Ordering::SeqCst);
        self.send_wake.notify_one();
    }

    fn stop_tasks(&self) {
        self.shutdown.send_replace(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in tasks {
            task.abort();
        }
    }
}

impl Core {
    /// Opens the core on its data directory: creates or migrates the database, queues again
    /// anything a previous run left half-sent, and picks up the saved session. Does not touch
    /// the network; call [`Core::start_sync`] for that.
    pub fn open(config: CoreConfig) -> Result<Core, Error> {
        let platform_url = match &config.platform_url {
            Some(url) => settings::normalise_platform_url(url)
                .map_err(|_| Error::InvalidPlatformUrl(url.clone()))?,
            None => linli_api::config::DEFAULT_PLATFORM_URL.to_string(),
        };
        let language = config
            .os_language
            .as_deref()
            .and_then(Language::from_tag)
            .or_else(settings::os_language)
            .unwrap_or_default();
        let text_scale = config
            .text_scale
            .and_then(settings::sensible_text_scale)
            .unwrap_or(1.0);
        let store = Store::open(&config.data_dir)?;
        let photos_dir = config.data_dir.join("photos");
        std::fs::create_dir_all(&photos_dir).map_err(|e| Error::io(&photos_dir, e))?;
        let client = PlatformClient::new(Timeouts {
            connect: config.sync.connect_timeout,
            request: config.sync.request_timeout,
            upload: config.sync.upload_timeout,
            feed_read: config.sync.feed_read_timeout,
        })?;
        let (shutdown, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            data_dir: config.data_dir.clone(),
            photos_dir,
            store,
            secrets: config.secrets,
            events: config.events,
            defaults: Defaults {
                language,
                platform_url,
                elderly_mode: text_scale >= settings::LARGE_TEXT_SCALE,
            },
            options: config.sync,
            client,
            speaker: config.speaker,
            holds: holds::Holds::new(),
            text_scale,
            token: Mutex::new(None),
            sync_state: Mutex::new(SyncState::default()),
            pending_told: Mutex::new(None),
            send_wake: Notify::new(),
            send_force: AtomicBool::new(false),
            feed_wake: Notify::new(),
            feed_restart: Notify::new(),
            shutdown,
            tasks: Mutex::new(Vec::new()),
        });
        session::load(&inner)?;
        tracing::info!(
            data_dir = %config.data_dir.display(),
            secrets = inner.secrets.kind(),
            "core opened"
        );
        Ok(Core {
            _lifetime: Arc::new(Lifetime {
                inner: inner.clone(),
            }),
            inner,
        })
    }

    /// Starts the sync engine on the current tokio runtime: the outbox sender and the change
    /// feed. Calling it again does nothing. Panics outside a tokio runtime.
    pub fn start_sync(&self) {
        let mut tasks = self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner());
        if !tasks.is_empty() || *self.inner.shutdown.borrow() {
            return;
        }
        tasks.push(tokio::spawn(sync::run_sender(self.inner.clone())));
        tasks.push(tokio::spawn(sync::run_feed(self.inner.clone())));
        // Before anyone signs in nothing else talks to the platform; ask once, so the header
        // does not say "offline" on a fresh start when the platform is there.
        let inner = self.inner.clone();
        tasks.push(tokio::spawn(async move {
            if let Ok(base) = inner.platform_url() {
                let answered = inner.client.health(&base).await;
                inner.set_online(answered);
            }
        }));
    }

    /// Stops the sync engine and waits for it. Anything caught mid-send stays in the outbox and
    /// goes out after the next start.
    pub async fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
        self.inner.send_wake.notify_one();
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for mut task in tasks {
            if tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
                let _ = task.await;
            }
        }
        // A send cut short shows as waiting, as it will after the next start.
        if let Err(e) = self.inner.store.recover_sending() {
            tracing::warn!(error = %e, "outbox not tidied at shutdown");
        }
    }

    /// Where this core keeps its files.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.inner.data_dir
    }

    /// Answers one call from the UI. Every [`Request`] variant is handled; errors carry a
    /// stable code and nothing the person wrote is lost on an error.
    pub async fn handle(&self, request: Request) -> Result<Response, ApiError> {
        let inner = &self.inner;
        match request {
            Request::Status => Ok(Response::Status(self.status()?)),
            Request::RequestCode { phone } => Ok(Response::CodeSent(
                session::request_code(inner, &phone).await?,
            )),
            Request::SignIn { phone, code } => Ok(Response::SignedIn(
                session::sign_in(inner, &phone, &code).await?,
            )),
            Request::SignOut => {
                session::sign_out(inner).await?;
                Ok(Response::Done)
            }
            Request::Catalogue => Ok(Response::Catalogue(reports::catalogue(inner).await?)),
            Request::NewDraft => Ok(Response::Report(reports::new_draft(inner)?)),
            Request::SaveDraft { id, draft, editor } => Ok(Response::Report(reports::save_draft(
                inner,
                id,
                &draft,
                editor.as_deref(),
            )?)),
            Request::AttachPhoto { id, data_base64 } => Ok(Response::Report(
                reports::attach_photo(inner, id, &data_base64).await?,
            )),
            Request::RemovePhoto { id, photo_id } => Ok(Response::Report(reports::remove_photo(
                inner, id, photo_id,
            )?)),
            Request::Photo { photo_id } => {
                Ok(Response::Photo(reports::photo(inner, photo_id).await?))
            }
            Request::Submit { id } => Ok(Response::Report(reports::submit(inner, id)?)),
            Request::DiscardDraft { id } => {
                reports::discard(inner, id)?;
                Ok(Response::Done)
            }
            Request::MyReports => Ok(Response::Reports(reports::list(inner)?)),
            Request::Report { id } => Ok(Response::Report(reports::get(inner, id)?)),
            Request::SaveSettings { settings } => {
                session::save_settings(inner, &settings)?;
                Ok(Response::Status(self.status()?))
            }
            Request::SyncNow => {
                inner.send_now();
                inner.feed_wake.notify_one();
                Ok(Response::Done)
            }
            Request::ReadAloud { text } => {
                let speaker = inner.speaker.clone();
                let language = inner.language();
                // Talking to the speech service is blocking socket I/O with short timeouts.
                tokio::task::spawn_blocking(move || speaker.speak(&text, language))
                    .await
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
                    .map_err(speech_error)?;
                Ok(Response::Done)
            }
            Request::HoldDraft {
                id,
                editor,
                take_over,
            } => Ok(Response::Report(reports::hold(
                inner, id, &editor, take_over,
            )?)),
            Request::ReleaseDraft { id, editor } => {
                inner.holds.release(id, &editor);
                Ok(Response::Done)
            }
            Request::ConfirmFixed { id } => Ok(Response::Report(actions::confirm(inner, id)?)),
            Request::Reopen { id, reason } => {
                Ok(Response::Report(actions::reopen(inner, id, &reason)?))
            }
            Request::Rate { id, rating } => {
                Ok(Response::Report(actions::rate(inner, id, &rating)?))
            }
            Request::Comments { id } => Ok(Response::Comments(comments::list(inner, id)?)),
            Request::AddComment {
                id,
                body,
                photos_base64,
            } => Ok(Response::Comments(
                comments::add(inner, id, &body, &photos_base64).await?,
            )),
            Request::SimilarReports { category, place } => Ok(Response::Similar(
                follow::similar(inner, &category, &place).await?,
            )),
            Request::Follow { report } => Ok(Response::Report(follow::follow(inner, &report)?)),
            Request::Unfollow { id } => {
                actions::unfollow(inner, id)?;
                Ok(Response::Done)
            }
            Request::DismissAction { id } => Ok(Response::Report(actions::dismiss(inner, id)?)),
            Request::Board { from, to } => {
                Ok(Response::Board(board::board(inner, from, to).await?))
            }
            Request::StopReading => {
                let speaker = inner.speaker.clone();
                tokio::task::spawn_blocking(move || speaker.stop())
                    .await
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
                    .map_err(speech_error)?;
                Ok(Response::Done)
            }
        }
    }

    fn status(&self) -> Result<AppStatus, ApiError> {
        let inner = &self.inner;
        let (profile, session_expired) = session::snapshot(inner)?;
        Ok(AppStatus {
            profile,
            session_expired,
            settings: inner.settings()?,
            sync: inner.sync_state(),
            read_aloud: inner.speaker.available(),
            text_scale: inner.text_scale,
        })
    }
}

fn speech_error(error: speech::SpeechError) -> ApiError {
    tracing::warn!(%error, "could not read aloud");
    ApiError::new(ErrorCode::SpeechUnavailable, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: T) {}

    #[tokio::test]
    async fn the_core_and_its_calls_can_cross_threads() {
        // The shell runs `handle` on its async runtime, which needs Send futures.
        let dir = tempfile::tempdir().unwrap();
        let core = Core::open(CoreConfig::new(
            dir.path(),
            Arc::new(MemorySecretStore::new()),
            Arc::new(NullSink),
        ))
        .unwrap();
        send_sync(&core);
        send(core.handle(Request::Status));
        send(core.handle(Request::SignIn {
            phone: String::new(),
            code: String::new(),
        }));
        send(core.shutdown());
        let status = core.handle(Request::Status).await.unwrap();
        assert_eq!(
            status,
            Response::Status(AppStatus {
                profile: None,
                session_expired: false,
                settings: linli_api::ipc::Settings {
                    language: core.inner.defaults.language,
                    elderly_mode: false,
                    elderly_asked: false,
                    platform_url: linli_api::config::DEFAULT_PLATFORM_URL.into(),
                },
                sync: SyncState::default(),
                read_aloud: core.inner.speaker.available(),
                text_scale: core.inner.text_scale,
            })
        );
    }

    #[test]
    fn a_bad_start_up_address_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = CoreConfig::new(
            dir.path(),
            Arc::new(MemorySecretStore::new()),
            Arc::new(NullSink),
        );
        config.platform_url = Some("http://example.org".into());
        assert!(matches!(
            Core::open(config),
            Err(Error::InvalidPlatformUrl(_))
        ));
    }
}
