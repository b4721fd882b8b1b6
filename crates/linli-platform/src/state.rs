//! What every request handler shares: the store, the clock, the SMS gateway, the photo folder,
//! the change feed and the shutdown signal.

use crate::Error;
use crate::auth::sms::SmsGateway;
use crate::clock::Clock;
use crate::config::{Config, Limits};
use crate::demo;
use crate::feed::Feed;
use crate::photo::PhotoFiles;
use crate::store::{SqliteStore, Store};
use linli_api::{ApiError, ErrorCode};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::watch;

/// File name of the SQLite database inside the data dir.
pub const DATABASE_FILE: &str = "linli.sqlite3";

/// Where the database lives, from `--database-url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file.
    SqliteFile(PathBuf),
    /// A SQLite database in memory (`sqlite::memory:`), gone when the platform stops.
    SqliteMemory,
    /// A PostgreSQL database (`postgres://...` or `postgresql://...`, kept as given).
    Postgres(String),
}

impl std::fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::SqliteFile(path) => write!(f, "sqlite:{}", path.display()),
            DatabaseLocation::SqliteMemory => f.write_str("sqlite::memory:"),
            // Never the password.
            DatabaseLocation::Postgres(url) => match url::Url::parse(url) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("***"));
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://(unreadable URL)"),
            },
        }
    }
}

/// Reads a database URL: `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, a plain path, or
/// `postgres://...`; `None` means `<data_dir>/linli.sqlite3`.
pub fn database_location(url: Option<&str>, data_dir: &Path) -> Result<DatabaseLocation, Error> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(DatabaseLocation::SqliteFile(data_dir.join(DATABASE_FILE)));
    };
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        return Ok(if path == ":memory:" {
            DatabaseLocation::SqliteMemory
        } else {
            DatabaseLocation::SqliteFile(PathBuf::from(path))
        });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return if cfg!(feature = "postgres") {
            Ok(DatabaseLocation::Postgres(url.to_owned()))
        } else {
            Err(Error::UnsupportedDatabase(
                "PostgreSQL (this build lacks the `postgres` feature)".into(),
            ))
        };
    }
    if let Some((scheme, _)) = url.split_once("://") {
        return Err(Error::UnsupportedDatabase(format!(
            "the {scheme}:// database"
        )));
    }
    Ok(DatabaseLocation::SqliteFile(PathBuf::from(url)))
}

/// The platform's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

struct Shared {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sms: Arc<dyn SmsGateway>,
    limits: Limits,
    photos: PhotoFiles,
    feed: Feed,
    shutdown: watch::Sender<bool>,
    /// Bumped whenever a session is signed out, so open event streams check theirs at once.
    sign_outs: watch::Sender<u64>,
    data_dir: PathBuf,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.0.data_dir)
            .finish_non_exhaustive()
    }
}

fn data_dir_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::DataDir {
        path: path.to_owned(),
        source,
    }
}

impl AppState {
    /// Creates the data dir, opens and migrates the database, and seeds the demo community
    /// when the database is empty (and `config.seed_demo` is set).
    ///
    /// Called from async code, the work runs on a thread of its own: PostgreSQL's
    /// synchronous client runs a runtime of its own, which may not start inside another.
    pub fn open(config: &Config) -> Result<Self, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return std::thread::scope(|scope| {
                scope
                    .spawn(|| Self::open_here(config))
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
        }
        Self::open_here(config)
    }

    fn open_here(config: &Config) -> Result<Self, Error> {
        // Refused before anything is created on disk.
        let sms = config.sms_gateway()?;
        let location = database_location(config.database_url.as_deref(), &config.data_dir)?;
        std::fs::create_dir_all(&config.data_dir).map_err(data_dir_error(&config.data_dir))?;
        let store: Arc<dyn Store> = match &location {
            DatabaseLocation::SqliteFile(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(data_dir_error(parent))?;
                }
                Arc::new(SqliteStore::open(path)?)
            }
            DatabaseLocation::SqliteMemory => Arc::new(SqliteStore::open_in_memory()?),
            #[cfg(feature = "postgres")]
            DatabaseLocation::Postgres(url) => Arc::new(crate::store::PgStore::open(url)?),
            #[cfg(not(feature = "postgres"))]
            DatabaseLocation::Postgres(_) => unreachable!("refused by database_location"),
        };
        tracing::info!(database = %location, "database ready");
        Self::assemble(config, store, sms)
    }

    /// The same with a store opened elsewhere.
    pub fn with_store(config: &Config, store: Arc<dyn Store>) -> Result<Self, Error> {
        Self::assemble(config, store, config.sms_gateway()?)
    }

    fn assemble(
        config: &Config,
        store: Arc<dyn Store>,
        sms: Arc<dyn SmsGateway>,
    ) -> Result<Self, Error> {
        if config.seed_demo && store.seed_if_empty(&demo::seed())? {
            tracing::info!("seeded the demo community {}", demo::ESTATE_NAME);
            if config.seed_demo_history {
                // A failure here leaves a demo with fewer past reports, not a broken platform.
                match demo::history::seed(store.as_ref(), config.clock.now()) {
                    Ok(n) => tracing::info!("seeded {n} past reports in the demo community"),
                    Err(e) => tracing::error!(error = %e, "seeding past demo reports"),
                }
            }
        }
        // No request survives a restart, so no key can still be in progress.
        let released = store.release_unanswered_keys()?;
        if released > 0 {
            tracing::info!(
                released,
                "released idempotency keys of interrupted requests"
            );
        }
        let photos_dir = config.data_dir.join("photos");
        let photos = PhotoFiles::open(photos_dir.clone()).map_err(data_dir_error(&photos_dir))?;
        let feed = Feed::new(store.latest_event_seq()?);
        Ok(Self(Arc::new(Shared {
            store,
            clock: config.clock.clone(),
            sms,
            limits: config.limits.clone(),
            photos,
            feed,
            shutdown: watch::Sender::new(false),
            sign_outs: watch::Sender::new(0),
            data_dir: config.data_dir.clone(),
        })))
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    /// The current time by the configured clock.
    pub fn now(&self) -> OffsetDateTime {
        self.0.clock.now()
    }

    /// Lifetimes and limits.
    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }

    pub(crate) fn sms(&self) -> &dyn SmsGateway {
        self.0.sms.as_ref()
    }

    pub(crate) fn photos(&self) -> &PhotoFiles {
        &self.0.photos
    }

    pub(crate) fn feed(&self) -> &Feed {
        &self.0.feed
    }

    /// Tells open event streams to end, so a graceful shutdown is not held up by them.
    pub(crate) fn begin_shutdown(&self) {
        self.0.shutdown.send_replace(true);
    }

    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.0.shutdown.subscribe()
    }

    /// Announces that a session was signed out.
    pub(crate) fn notify_sign_out(&self) {
        self.0.sign_outs.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Wakes on every sign-out.
    pub(crate) fn sign_outs(&self) -> watch::Receiver<u64> {
        self.0.sign_outs.subscribe()
    }

    /// Runs blocking work (the store) on the blocking pool.
    pub(crate) async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || work(&state))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "blocking task failed");
                Err(ApiError::new(
                    ErrorCode::Internal,
                    "the platform could not complete the request",
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(None, DatabaseLocation::SqliteFile("/d/linli.sqlite3".into()))]
    #[case(Some(""), DatabaseLocation::SqliteFile("/d/linli.sqlite3".into()))]
    #[case(Some("sqlite:/var/lib/linli.db"), DatabaseLocation::SqliteFile("/var/lib/linli.db".into()))]
    #[case(Some("sqlite:///var/lib/linli.db"), DatabaseLocation::SqliteFile("/var/lib/linli.db".into()))]
    #[case(Some("sqlite:rel.db"), DatabaseLocation::SqliteFile("rel.db".into()))]
    #[case(Some("sqlite::memory:"), DatabaseLocation::SqliteMemory)]
    #[case(Some("/srv/linli.db"), DatabaseLocation::SqliteFile("/srv/linli.db".into()))]
    #[case(Some("postgres://linli@db.internal/linli"), DatabaseLocation::Postgres("postgres://linli@db.internal/linli".into()))]
    #[case(Some(" postgresql://localhost/linli "), DatabaseLocation::Postgres("postgresql://localhost/linli".into()))]
    fn database_urls(#[case] url: Option<&str>, #[case] expected: DatabaseLocation) {
        assert_eq!(database_location(url, Path::new("/d")).unwrap(), expected);
    }

    #[test]
    fn a_postgres_password_never_reaches_the_log() {
        let shown = DatabaseLocation::Postgres("postgres://linli:s3cret@db:5432/linli".into());
        assert_eq!(shown.to_string(), "postgres://linli:***@db:5432/linli");
    }

    #[rstest]
    #[case("mysql://localhost/linli")]
    #[case("redis://localhost/0")]
    fn other_databases_are_refused_clearly(#[case] url: &str) {
        let err = database_location(Some(url), Path::new("/d")).unwrap_err();
        assert!(matches!(err, Error::UnsupportedDatabase(_)));
        assert!(
            err.to_string().contains("not supported in this build yet"),
            "{err}"
        );
    }
}
