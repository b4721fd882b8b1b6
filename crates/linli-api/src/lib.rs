//! The contract of Linli.
//!
//! Every type that crosses a boundary lives here, once: between the UI (wasm) and the core
//! (the [`ipc`] module), and between the core and the platform (the [`platform`] module).
//! Both sides compile the same definitions, so a mismatch is a compile error.
//!
//! Rules that both sides enforce (field lengths, photo counts, phone formats) live here too, so
//! the UI can show a reason next to a field before anything is sent and the platform can refuse
//! the same input with the same code.

pub mod config;
pub mod error;
pub mod ids;
pub mod ipc;
pub mod platform;
pub mod report;
pub mod validate;

pub use error::{ApiError, ErrorCode, FieldError, FieldErrorCode};
pub use ids::{BuildingId, CommentId, CommonAreaId, EstateId, PhotoId, ReportId, UnitId, UserId};
pub use report::{
    Category, NextStep, Party, Place, Rating, Report, ReportClock, ReportDraft, ReportStatus,
    ReportVisibility, ServiceTarget, TimelineEntry, TimelineKind, Urgency,
};

/// Timestamps everywhere are UTC, serialised as RFC 3339.
pub type Timestamp = time::OffsetDateTime;
