//! What the fuzz targets share: a request written as text, and a real platform in-process to
//! send it to.
//!
//! Inputs of the request targets are HTTP requests written the way they go over the wire, so
//! the seed corpus can be read and written by hand and the fuzzer mutates real requests:
//!
//! ```text
//! POST /v1/reports
//! Authorization: Bearer $RESIDENT
//! Idempotency-Key: $NEW_ID
//! Content-Type: application/json
//!
//! {"id":"$NEW_ID","category":"water_plumbing", ...}
//! ```
//!
//! Placeholders (`$RESIDENT`, `$REPORT`, ...) are replaced by real tokens and ids of the
//! platform under test before the text is read (the list is in [`platform`]).

pub mod platform;
pub mod request;

pub use platform::Platform;
