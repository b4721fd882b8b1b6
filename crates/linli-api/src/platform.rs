//! Bodies of the platform's HTTP API (`/v1/...`). The platform serves them; the core sends and
//! reads them. Paths are listed on [`paths`].

use crate::Timestamp;
use crate::error::{ApiError, FieldError};
use crate::ids::{
    BuildingId, CommentId, CommonAreaId, EstateId, PhotoId, ReportId, UnitId, UserId,
};
use crate::report::{
    Category, Party, Place, Report, ReportStatus, ReportVisibility, TimelineEntry, Urgency,
};
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
    /// `GET ?category=..&building_id=..` (or `unit_id`, `area_id`): open reports of the same
    /// kind and place from the last 14 days, offered while reporting (duplicate check).
    pub const SIMILAR_REPORTS: &str = "/v1/reports/similar";
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

/// `POST`: comment on a report; `GET`: its comments, oldest first.
pub fn report_comments(id: ReportId) -> String {
    format!("{}/{id}/comments", paths::REPORTS)
}

/// `POST` [`Resolution`]: staff of the handling party mark a report resolved.
pub fn report_resolve(id: ReportId) -> String {
    format!("{}/{id}/resolve", paths::REPORTS)
}

/// `POST` (no body): the reporter confirms the fix; the report closes.
pub fn report_confirm(id: ReportId) -> String {
    format!("{}/{id}/confirm", paths::REPORTS)
}

/// `POST` [`Reopening`]: the reporter reopens a resolved or closed report.
pub fn report_reopen(id: ReportId) -> String {
    format!("{}/{id}/reopen", paths::REPORTS)
}

/// `POST` [`crate::Rating`]: the reporter rates a closed report, once.
pub fn report_rating(id: ReportId) -> String {
    format!("{}/{id}/rating", paths::REPORTS)
}

/// `POST` [`HandOff`]: the handling party hands a report to another party.
pub fn report_hand_off(id: ReportId) -> String {
    format!("{}/{id}/hand-off", paths::REPORTS)
}

/// `GET ?from=..&to=..`: the estate's accountability board ([`Board`]).
pub fn estate_board(estate: EstateId) -> String {
    format!("/v1/estates/{estate}/board")
}

/// `POST`: follow a report (idempotent); `DELETE`: stop following it.
pub fn report_followers(id: ReportId) -> String {
    format!("{}/{id}/followers", paths::REPORTS)
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
    /// Numbers to call at once in an emergency category, before anything else.
    #[serde(default)]
    pub emergency_numbers: Vec<EmergencyNumber>,
    /// The property company's 24-hour duty phone for this estate, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_phone: Option<String>,
}

/// A public emergency service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmergencyService {
    /// Fire and rescue (also gas leaks and people trapped): 119.
    Fire,
    /// Ambulance: 120.
    Ambulance,
    /// Police: 110.
    Police,
}

/// A number to call in an emergency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmergencyNumber {
    /// Which service.
    pub service: EmergencyService,
    /// What to dial.
    pub number: String,
}

impl EmergencyNumber {
    /// Mainland China's emergency numbers, in the order to show them: fire and rescue first
    /// (gas, fire and lift entrapment all go to 119), then ambulance, then police. The app
    /// can show them even before it has a catalogue.
    pub fn mainland() -> Vec<EmergencyNumber> {
        [
            (EmergencyService::Fire, "119"),
            (EmergencyService::Ambulance, "120"),
            (EmergencyService::Police, "110"),
        ]
        .into_iter()
        .map(|(service, number)| EmergencyNumber {
            service,
            number: number.to_owned(),
        })
        .collect()
    }
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
    /// Private (the default: the reporter and the parties) or public (also the estate's
    /// other residents, without the reporter's identity).
    #[serde(default)]
    pub visibility: ReportVisibility,
}

impl NewReport {
    /// The report as a draft, for the contract's validation rules (the platform checks what
    /// arrives with the same rules the app's form shows).
    pub fn as_draft(&self) -> crate::report::ReportDraft {
        crate::report::ReportDraft {
            category: Some(self.category.clone()),
            description: self.description.clone(),
            place: Some(self.place.clone()),
            urgency: self.urgency,
            photo_ids: self.photo_ids.clone(),
            visibility: self.visibility,
        }
    }
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
    /// How long each party has held it (while the work was theirs to do), in the order they
    /// first got it.
    #[serde(default)]
    pub time_held: Vec<PartyTime>,
}

/// How long one party has held a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyTime {
    /// The party.
    pub party: Party,
    /// Seconds the work was theirs: from receiving it (or a reopening) until they resolved
    /// it or handed it on, counted up to now while they still have it.
    pub seconds: i64,
    /// True when they have it now.
    pub holding_now: bool,
}

/// `POST /v1/reports/{id}/resolve`: staff of the handling party say it is fixed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    /// What was done; shown to the resident (required).
    pub note: String,
    /// Photos of the fix, already uploaded by the same staff member with `PUT /v1/photos`.
    #[serde(default)]
    pub photo_ids: Vec<PhotoId>,
}

/// `POST /v1/reports/{id}/reopen`: the reporter says it is not fixed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reopening {
    /// What is still wrong (required).
    pub reason: String,
}

/// `POST /v1/reports/{id}/hand-off`: the handling party hands a report to another party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandOff {
    /// The party that takes it over (required; not the one that has it).
    #[serde(default)]
    pub to: Option<Party>,
    /// Why; everyone involved sees it (required).
    #[serde(default)]
    pub reason: String,
}

/// Query of `GET /v1/reports`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportsQuery {
    /// `mine` (the default): a resident's own reports; `estate`: also the public reports of
    /// their estate, without their reporters' identity. Staff see every report of their
    /// estate either way.
    #[serde(default)]
    pub scope: ReportScope,
}

/// Which reports `GET /v1/reports` lists for a resident.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    /// Their own.
    #[default]
    Mine,
    /// Their own and their neighbours' public ones.
    Estate,
}

/// Query of `GET /v1/estates/{id}/board`: a period, `from` inclusive, `to` exclusive, both
/// RFC 3339. Without them: the 30 days up to now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct BoardQuery {
    /// Start of the period (inclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = DateTime))]
    pub from: Option<Timestamp>,
    /// End of the period (exclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = DateTime))]
    pub to: Option<Timestamp>,
}

/// The accountability board of an estate: how each party handled the reports that reached
/// it in a period. The data behind the yearly ranking of property companies and owners'
/// committees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    /// The estate.
    pub estate_id: EstateId,
    /// Start of the period (inclusive).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    /// End of the period (exclusive).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub to: Timestamp,
    /// One row per party, all four, in [`Party::ALL`] order.
    pub parties: Vec<PartyFigures>,
}

/// One party's figures on the board. A report counts for a party when it reached the party
/// (filed to it, or handed to it) within the period; what the party did with it is counted
/// whenever it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyFigures {
    /// The party.
    pub party: Party,
    /// Reports that reached it.
    pub received: u32,
    /// Of those, how many it has responded to (any action of its staff).
    pub responded: u32,
    /// Median seconds from reaching it to its first response; none without responses.
    pub median_first_response_seconds: Option<i64>,
    /// Of those, how many it resolved.
    pub resolved: u32,
    /// Median seconds from reaching it to its resolution; none without resolutions.
    pub median_resolution_seconds: Option<i64>,
    /// Of those it resolved, how many the reporter reopened afterwards.
    pub reopened: u32,
    /// `reopened / resolved`, 0 to 1; none without resolutions.
    pub reopened_share: Option<f64>,
    /// Ratings of reports it resolved.
    pub ratings: u32,
    /// Their averages; none without ratings.
    pub average_rating: Option<AverageRating>,
}

/// Average ratings, 1 to 5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AverageRating {
    /// Attitude.
    pub attitude: f64,
    /// Quality.
    pub quality: f64,
    /// Speed.
    pub speed: f64,
    /// All three aspects together.
    pub overall: f64,
}

/// What a change-feed event is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The report itself: filed, moved on, or its followers changed.
    #[default]
    Report,
    /// A new comment on the report (see `comment_id`).
    Comment,
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
    /// What changed (a report change when absent).
    #[serde(default)]
    pub kind: ChangeKind,
    /// The new comment, for `kind = comment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
}

/// `POST /v1/reports/{id}/comments`: a comment as sent from the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// Created on the device (UUIDv7); sending it again never adds a second comment.
    pub id: CommentId,
    /// What the person says (see `validate::validate_comment`).
    pub body: String,
    /// Photos already uploaded with `PUT /v1/photos/{id}`, not attached to anything yet.
    #[serde(default)]
    pub photo_ids: Vec<PhotoId>,
}

/// Who wrote a comment, as others may know it: residents are never named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommentAuthor {
    /// The resident who filed the report.
    Reporter,
    /// A resident following the report (affected too).
    Follower,
    /// Staff of one of the four parties, named: residents should know who answers them.
    Staff {
        /// The party they spoke for.
        party: Party,
        /// Their display name.
        name: String,
    },
}

/// A comment on a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    /// Created on the writer's device.
    pub id: CommentId,
    /// The report it belongs to.
    pub report_id: ReportId,
    /// Who wrote it.
    pub author: CommentAuthor,
    /// True when the caller wrote it.
    pub mine: bool,
    /// What they said, trimmed.
    pub body: String,
    /// Attached photos, in the writer's order (`GET /v1/photos/{id}`).
    pub photo_ids: Vec<PhotoId>,
    /// When the platform received it.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Query of `GET /v1/reports/similar`: a category and exactly one place. A unit stands for
/// its building.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SimilarQuery {
    /// Category code.
    #[serde(default)]
    pub category: String,
    /// A building of the caller's estate.
    #[serde(default)]
    pub building_id: Option<BuildingId>,
    /// A unit of the caller's estate (its building is searched).
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// A common area of the caller's estate.
    #[serde(default)]
    pub area_id: Option<CommonAreaId>,
}

/// An open report a resident may be about to report again, without its reporter's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimilarReport {
    /// The report (to follow it).
    pub id: ReportId,
    /// Its number.
    pub number: i64,
    /// Category code.
    pub category: String,
    /// The place, shared parts only: a report about a home shows its building.
    pub place_label: String,
    /// What is wrong, in the reporter's words.
    pub description: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// When the platform received it.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Residents it affects (reporter and followers).
    pub affected: u32,
    /// True when the caller follows it already.
    pub following: bool,
    /// True when the caller filed it (then it cannot be followed: it is theirs).
    pub mine: bool,
}

/// Answer to following or unfollowing a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowState {
    /// The report.
    pub report_id: ReportId,
    /// Whether the caller follows it now.
    pub following: bool,
    /// Residents it affects now (reporter and followers).
    pub affected: u32,
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
