//! The core's own errors. Everything the UI sees is an [`ApiError`] with a stable code; these
//! carry the causes that only logs and developers need.

use linli_api::error::{ApiError, ErrorCode};
use std::path::PathBuf;

/// Why the core could not do something.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule the person can act on (validation, a report already sent...).
    #[error("{0}")]
    Api(ApiError),
    /// The device database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The device database could not be brought up to date.
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A file under the data directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Something stored on the device could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The platform address given at start-up is not acceptable.
    #[error("platform address {0:?} is not acceptable (https, or http on loopback only)")]
    InvalidPlatformUrl(String),
    /// The HTTP client could not be built.
    #[error("http client: {0}")]
    Http(String),
}

impl Error {
    /// A file error with its path.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Api(api) => api,
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::new(ErrorCode::Internal, other.to_string())
            }
        }
    }
}
