//! The reference community platform Linli talks to.
//!
//! Residents sign in with a phone and a one-time code, file repair and issue reports with
//! photos, and follow them as staff move them on; staff of the estate's four parties see the
//! estate's reports and the handling party changes their status, always with a note. Changes
//! stream out as server-sent events. SQLite in a data dir by default, PostgreSQL with
//! `--database-url postgres://...` (several instances may share it); a demo community
//! ([`demo`]) is seeded on first start.
//!
//! Run it as a binary (`linli-platform serve`) or in-process:
//!
//! ```no_run
//! # async fn run() -> Result<(), linli_platform::Error> {
//! let config = linli_platform::Config::new("/tmp/linli-data")
//!     .with_listen("127.0.0.1:0".parse().unwrap());
//! let platform = linli_platform::spawn(config).await?;
//! println!("{}", platform.url());
//! platform.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Layout: `auth` and `report` hold the rules as plain functions over a [`store::Store`];
//! `http` is the thin HTTP edge; `server` runs it.

pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
mod error;
mod feed;
pub mod http;
pub mod open311;
pub mod photo;
pub mod report;
mod server;
pub mod state;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::sms::{CodeMessage, DemoSmsGateway, SmsError, SmsGateway, latest_code};
pub use config::{Config, Limits};
pub use error::Error;
pub use http::{openapi, router};
pub use server::{RunningPlatform, spawn};
pub use state::AppState;
