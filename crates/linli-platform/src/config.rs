//! How a platform instance is set up: where it listens, where it keeps its data, and the
//! limits and lifetimes of codes and sessions.

use crate::auth::sms::SmsGateway;
use crate::clock::{Clock, SystemClock};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use time::Duration;

/// The address the binary listens on when nothing else is said.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8731);

/// Everything a platform instance needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (see [`crate::RunningPlatform::addr`]).
    pub listen: SocketAddr,
    /// Where the database, photos and the demo `codes` file live. Created if missing.
    pub data_dir: PathBuf,
    /// `sqlite:PATH`, a plain path, or `None` for `<data_dir>/linli.sqlite3`. PostgreSQL is
    /// refused with a clear error until its store is written.
    pub database_url: Option<String>,
    /// Lifetimes and rate limits.
    pub limits: Limits,
    /// Where "now" comes from; tests put a [`crate::clock::ManualClock`] here.
    pub clock: Arc<dyn Clock>,
    /// How codes reach phones; `None` uses [`crate::DemoSmsGateway`] writing to `<data_dir>/codes`.
    pub sms: Option<Arc<dyn SmsGateway>>,
    /// Seed the demo community when the database is empty.
    pub seed_demo: bool,
}

impl Config {
    /// The defaults, keeping data in `data_dir`, listening on 127.0.0.1:8731.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            data_dir: data_dir.into(),
            database_url: None,
            limits: Limits::default(),
            clock: Arc::new(SystemClock),
            sms: None,
            seed_demo: true,
        }
    }

    /// The same, listening on `listen` (`127.0.0.1:0` for tests).
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }
}

/// Lifetimes of codes and sessions and the limits that keep codes from being guessed or sent
/// in floods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a one-time code works.
    pub code_ttl: Duration,
    /// Wrong guesses allowed for one code before it stops working.
    pub code_attempts: u32,
    /// Shortest time between two codes for the same phone.
    pub code_resend_interval: Duration,
    /// The window the per-phone and per-address counts are taken over.
    pub code_window: Duration,
    /// Codes one phone may receive within `code_window`.
    pub codes_per_phone: u32,
    /// Codes one network address may ask for within `code_window`.
    pub codes_per_client: u32,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Largest JSON body accepted, in bytes.
    pub json_body_bytes: usize,
    /// How long a request may hold an `Idempotency-Key` before a retry may take it over (a
    /// request that died mid-way must not block its key forever).
    pub idempotency_lease: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            code_ttl: Duration::minutes(5),
            code_attempts: 5,
            code_resend_interval: Duration::seconds(30),
            code_window: Duration::hours(1),
            codes_per_phone: 5,
            codes_per_client: 20,
            session_ttl: Duration::days(30),
            json_body_bytes: 64 * 1024,
            idempotency_lease: Duration::minutes(1),
        }
    }
}
