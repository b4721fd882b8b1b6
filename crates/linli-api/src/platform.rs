//! Bodies of the platform's HTTP API (`/v1/...`). The platform serves them; the core sends and
//! reads them. Paths are listed on [`paths`].

use crate::Timestamp;
use crate::error::{ApiError, FieldError};
use crate::ids::{BuildingId, CommonAreaId, EstateId, PhotoId, ReportId, UnitId, UserId};
use crate::report::{Category, Party, Place, Report, ReportStatus, TimelineEntry, Urgency};
use serde::{Deserialize, Serialize};

/// The API's paths, so client and server cannot disagree on a spelling.
pub mod paths {
    /// `POST`: send a one-time code to a phone.
    pub const OTP: &str = "/v1/auth/otp";
    /// `POST`: exchange phone and code for a session.
    pub const SESSIONS: &str = "/v1/auth/sessions";
    /// `DELETE`: sign out (ends the presented session).
    pub const CURRENT_SESSION: &str = "/v1/auth/sessions/current";
    /// `GET`: the signed-in person.
    pub const ME: &str = "/v1/me";
    /// `GET`: categories and places the signed-in resident can report about.
    pub const CATALOGUE: &str = "/v1/catalogue";
    /// `PUT /v1/photos/{id}`: upload a photo (raw body, image content type).
    pub const PHOTOS: &str = "/v1/photos";
    /// `POST`: create a report; `GET`: list reports visible to the caller.
    pub const REPORTS: &str = "/v1/reports";
    /// `GET`: server-sent events of changes visible to the caller.
    pub const EVENTS: &str = "/v1/events";
    /// `GET ?after=SEQ`: changes visible to the caller after a sequence number, oldest first
    /// (the polling fallback of [`EVENTS`]).
    pub const CHANGES: &str = "/v1/changes";
    /// `GET`: the OpenAPI document.
    pub const OPENAPI: &str = "/openapi.json";
    /// `GET`: liveness.
    pub const HEALTH: &str = "/health";
}

/// The header carrying a request's idempotency key (the record's UUIDv7).
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// A person's role on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Owns one or more units.
    Owner,
    /// Rents a unit.
    Tenant,
    /// Helps residents, often on a shared tablet.
    Volunteer,
    /// Staff of the property management company.
    PropertyStaff,
    /// Staff of the community residents' committee.
    CommunityStaff,
    /// Staff of the street office.
    StreetStaff,
    /// Member of the owners' committee.
    CommitteeMember,
    /// Staff of the community clinic.
    ClinicStaff,
    /// Runs the platform.
    Administrator,
}

impl Role {
    /// Whether this role lives in the estate and files reports about their own units.
    pub fn is_resident(self) -> bool {
        matches!(self, Role::Owner | Role::Tenant)
    }

    /// The party a staff role acts for, if any.
    pub fn party(self) -> Option<Party> {
        match self {
            Role::PropertyStaff => Some(Party::PropertyCompany),
            Role::CommunityStaff => Some(Party::Community),
            Role::StreetStaff => Some(Party::StreetOffice),
            Role::CommitteeMember => Some(Party::OwnersCommittee),
            _ => None,
        }
    }
}

/// `POST /v1/auth/otp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpRequest {
    /// Mainland mobile number.
    pub phone: String,
}

/// Answer to [`OtpRequest`]: the code is on its way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpSent {
    /// Seconds until the code expires.
    pub expires_in_seconds: u64,
    /// Seconds before another code may be asked for.
    pub resend_after_seconds: u64,
}

/// `POST /v1/auth/sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// Mainland mobile number.
    pub phone: String,
    /// The six-digit code sent to it.
    pub code: String,
}

/// A unit the person lives in or owns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    /// The unit.
    pub id: UnitId,
    /// Its building.
    pub building_id: BuildingId,
    /// Readable label, e.g. "3栋2单元501".
    pub label: String,
    /// Floor area from the property register, in square metres.
    pub area_m2: f64,
}

/// A building of the estate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuildingRef {
    /// The building.
    pub id: BuildingId,
    /// Readable label, e.g. "3栋".
    pub label: String,
}

/// A common area of the estate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommonAreaRef {
    /// The area.
    pub id: CommonAreaId,
    /// Readable label, e.g. "中心花园".
    pub label: String,
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Who.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Phone with the middle digits hidden (138****8000).
    pub phone_masked: String,
    /// Role.
    pub role: Role,
    /// Their estate.
    pub estate_id: EstateId,
    /// The estate's name.
    pub estate_name: String,
    /// Units they own or rent (empty for staff).
    pub units: Vec<UnitRef>,
}

/// Answer to [`SignInRequest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionGrant {
    /// Opaque bearer token; the platform stores only its hash.
    pub token: String,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// Who signed in.
    pub profile: Profile,
}

/// What a resident can report about: categories and places of their estate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    /// Categories, in the order the property company lists them.
    pub categories: Vec<Category>,
    /// The resident's own units.
    pub units: Vec<UnitRef>,
    /// The estate's buildings.
    pub buildings: Vec<BuildingRef>,
    /// The estate's common areas.
    pub common_areas: Vec<CommonAreaRef>,
}

/// `POST /v1/reports`: a report as sent from the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    /// Created on the device; also the `Idempotency-Key`.
    pub id: ReportId,
    /// Category code.
    pub category: String,
    /// What is wrong.
    pub description: String,
    /// Where.
    pub place: Place,
    /// How urgent.
    pub urgency: Urgency,
    /// Photos already uploaded with `PUT /v1/photos/{id}`.
    #[serde(default)]
    pub photo_ids: Vec<PhotoId>,
}

/// Answer to a photo upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoReceipt {
    /// The photo.
    pub id: PhotoId,
    /// Bytes stored.
    pub size: u64,
    /// Stored content type.
    pub content_type: String,
}

/// `POST /v1/reports/{id}/status`: staff move a report on, always with a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// The new status; must be later in the workflow than the current one.
    pub status: ReportStatus,
    /// What was done or decided; shown to the resident.
    pub note: String,
}

/// `GET /v1/reports/{id}`: a report with its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDetail {
    /// The report.
    pub report: Report,
    /// Every status change, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

/// One server-sent event on `/v1/events` (event name `report`), also the polling answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEvent {
    /// Increasing sequence number; a client resumes with `Last-Event-ID`.
    pub seq: i64,
    /// The report that changed.
    pub report_id: ReportId,
    /// Its number.
    pub number: i64,
    /// Its status after the change.
    pub status: ReportStatus,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// An RFC 9457 problem document, as the platform answers every error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type (`urn:linli:error:<code>`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short English summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable machine code.
    pub code: crate::error::ErrorCode,
    /// English detail for developers.
    #[serde(default)]
    pub detail: String,
    /// Invalid fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait, for `rate_limited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        Problem {
            type_uri: format!("urn:linli:error:{}", e.code.as_str()),
            title: e.code.as_str().replace('_', " "),
            status: e.code.http_status(),
            code: e.code,
            detail: e.detail,
            errors: e.fields,
            retry_after_seconds: e.retry_after_seconds,
        }
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError {
            code: p.code,
            detail: p.detail,
            fields: p.errors,
            retry_after_seconds: p.retry_after_seconds,
        }
    }
}
