//! Errors of starting a platform, and how storage failures reach an API answer.

use crate::store::OpenError;
use crate::store::StoreError;
use linli_api::{ApiError, ErrorCode};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names a database this build has no store for.
    #[error(
        "{0} is not supported in this build yet; use postgres://USER@HOST/DATABASE, \
         sqlite:PATH, a file path, or leave --database-url out to use \
         <data-dir>/linli.sqlite3"
    )]
    UnsupportedDatabase(String),
    /// The data directory could not be created or used.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// Which directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The database failed while seeding or tidying up.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The platform would be reachable from other machines with no way to send codes.
    #[error(
        "no SMS gateway is configured: listening on {listen}, sign-in codes would reach only \
         the log. Pass --demo-sms (or LINLI_DEMO_SMS=1) to run the demo gateway anyway, which \
         writes codes to the log and <data-dir>/codes, or listen on a loopback address"
    )]
    NoSmsGateway {
        /// The address it was to listen on.
        listen: SocketAddr,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// Which address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // The database's words stay in the log; the caller learns only that it was our fault.
        tracing::error!(error = %e, "store");
        ApiError::new(
            ErrorCode::Internal,
            "the platform could not complete the request",
        )
    }
}
