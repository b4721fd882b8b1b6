//! How a platform instance is set up: where it listens, where it keeps its data, and the
//! limits and lifetimes of codes and sessions.

use crate::Error;
use crate::auth::sms::{CODES_FILE, DemoSmsGateway, SmsGateway};
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
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (several instances may share one),
    /// `sqlite:PATH`, a plain path, or `None` for `<data_dir>/linli.sqlite3`.
    pub database_url: Option<String>,
    /// Lifetimes and rate limits.
    pub limits: Limits,
    /// Where "now" comes from; tests put a [`crate::clock::ManualClock`] here.
    pub clock: Arc<dyn Clock>,
    /// How codes reach phones. `None` uses [`DemoSmsGateway`] (writing codes to the log and
    /// `<data_dir>/codes`) when `demo_sms` is set or the platform listens on a loopback address
    /// only; otherwise the platform refuses to start (see [`Config::sms_gateway`]).
    pub sms: Option<Arc<dyn SmsGateway>>,
    /// Use the demo gateway even when reachable from other machines (`--demo-sms`).
    pub demo_sms: bool,
    /// Seed the demo community when the database is empty.
    pub seed_demo: bool,
    /// With the demo community, also seed a history of past reports (handled, rated,
    /// reopened, handed on, overdue) so the board and the app show something real. Off in
    /// [`Config::new`], so tests start from an empty estate; the binary turns it on.
    pub seed_demo_history: bool,
    /// Load balancers and reverse proxies in front of the platform. A request from one of
    /// these counts against the limits of the client its `X-Forwarded-For` names (the nearest
    /// address that is not itself a trusted proxy), not of the proxy; from anyone else the
    /// header is ignored, so clients cannot pick their own address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
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
            demo_sms: false,
            seed_demo: true,
            seed_demo_history: false,
            trusted_proxies: Vec::new(),
        }
    }

    /// The same, listening on `listen` (`127.0.0.1:0` for tests).
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// How codes will reach phones: the configured gateway; else the demo gateway, when it
    /// was asked for or nobody but this machine can reach the platform. A platform others can
    /// reach with no gateway would "send" codes only to its own log, so it does not start.
    pub fn sms_gateway(&self) -> Result<Arc<dyn SmsGateway>, Error> {
        if let Some(sms) = &self.sms {
            return Ok(sms.clone());
        }
        if self.demo_sms || self.listen.ip().is_loopback() {
            if !self.listen.ip().is_loopback() {
                tracing::warn!(
                    listen = %self.listen,
                    "demo SMS gateway: sign-in codes go to the log and {}, not to phones",
                    self.data_dir.join(CODES_FILE).display()
                );
            }
            return Ok(Arc::new(DemoSmsGateway::new(&self.data_dir)));
        }
        Err(Error::NoSmsGateway {
            listen: self.listen,
        })
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
    /// Codes one network address may ask for within `code_window`, for registered numbers
    /// or not (so the register cannot be probed number by number).
    pub codes_per_client: u32,
    /// Sign-in tries one network address may make within `code_window`.
    pub sign_ins_per_client: u32,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Largest JSON body accepted, in bytes.
    pub json_body_bytes: usize,
    /// How long a request may hold an `Idempotency-Key` before a retry may take it over (a
    /// request that died mid-way must not block its key forever).
    pub idempotency_lease: Duration,
    /// How often the server closes reports nobody answered for seven days after they were
    /// resolved. Reads and writes of reports close them too; this reaches the change feed of
    /// an estate where nobody looks.
    pub sweep_interval: Duration,
    /// How often an instance looks for change events other instances wrote to a shared
    /// database, while someone is listening to its `/v1/events`. Its own events wake its
    /// streams at once; this bounds how late a neighbour's arrive.
    pub feed_poll_interval: Duration,
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
            // Room for a few typos with each of the address's codes.
            sign_ins_per_client: 60,
            session_ttl: Duration::days(30),
            json_body_bytes: 64 * 1024,
            idempotency_lease: Duration::minutes(1),
            sweep_interval: Duration::minutes(1),
            feed_poll_interval: Duration::seconds(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn config(listen: &str, demo_sms: bool) -> Config {
        let mut config = Config::new("/tmp/linli-test").with_listen(listen.parse().unwrap());
        config.demo_sms = demo_sms;
        config
    }

    #[rstest]
    #[case::loopback_v4("127.0.0.1:0")]
    #[case::loopback_v6("[::1]:8731")]
    fn a_platform_only_this_machine_reaches_uses_the_demo_gateway(#[case] listen: &str) {
        let sms = config(listen, false).sms_gateway().unwrap();
        assert!(format!("{sms:?}").starts_with("DemoSmsGateway"), "{sms:?}");
    }

    #[rstest]
    #[case::all_interfaces("0.0.0.0:8731")]
    #[case::a_lan_address("192.168.1.20:8731")]
    #[case::all_v6("[::]:8731")]
    fn a_reachable_platform_without_a_gateway_refuses_to_start(#[case] listen: &str) {
        let err = config(listen, false).sms_gateway().unwrap_err();
        assert!(matches!(err, Error::NoSmsGateway { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains("no SMS gateway is configured"),
            "{message}"
        );
        assert!(message.contains("--demo-sms"), "{message}");
    }

    #[test]
    fn demo_sms_is_used_anywhere_when_asked_for() {
        let sms = config("0.0.0.0:8731", true).sms_gateway().unwrap();
        assert!(format!("{sms:?}").starts_with("DemoSmsGateway"), "{sms:?}");
    }

    #[derive(Debug)]
    struct Provider;

    impl SmsGateway for Provider {
        fn send_code<'a>(
            &'a self,
            _: &'a crate::CodeMessage,
        ) -> futures_util::future::BoxFuture<'a, Result<(), crate::SmsError>> {
            Box::pin(async { Ok(()) })
        }
    }

    #[test]
    fn a_configured_gateway_is_used_wherever_the_platform_listens() {
        let mut reachable = config("0.0.0.0:8731", false);
        reachable.sms = Some(Arc::new(Provider));
        let sms = reachable.sms_gateway().unwrap();
        assert_eq!(format!("{sms:?}"), "Provider");
    }
}
