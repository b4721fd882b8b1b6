//! Storage behind one trait, one implementation per database. The trait speaks in the
//! platform's records; rules (who may see what, which codes work, which moves are allowed) live
//! in `auth` and `report` and reach the store only as plain values, so a PostgreSQL store can
//! sit beside [`SqliteStore`] without repeating them.
//!
//! Methods are synchronous; handlers call them on the blocking pool.

#[cfg(test)]
pub(crate) mod hooked;
mod lifecycle;
#[cfg(feature = "postgres")]
mod postgres;
mod reference;
mod sqlite;

pub use lifecycle::{ReportHistory, ReportStep, StepOutcome, TargetRow};

#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sqlite::{OpenError, SqliteStore};

use crate::auth::rate_limit::RetryAfter;
use crate::demo::Seed;
use linli_api::platform::{BuildingRef, CommonAreaRef, ReportEvent, Role, UnitRef};
use linli_api::{
    BuildingId, Category, CommentId, CommonAreaId, EstateId, Party, PhotoId, Place, Report,
    ReportId, ReportStatus, TimelineEntry, UnitId, Urgency, UserId,
};
use time::OffsetDateTime;

/// A storage failure: the database could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// PostgreSQL reported an error.
    #[cfg(feature = "postgres")]
    #[error("database: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No database connection could be had in time.
    #[error("database connection: {0}")]
    Unavailable(String),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A person known to the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Normalised mobile number.
    pub phone: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The estate they belong to.
    pub estate_id: EstateId,
}

/// An estate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estate {
    /// Id.
    pub id: EstateId,
    /// Name, e.g. 幸福里小区.
    pub name: String,
    /// The property company's 24-hour duty phone, if known.
    pub duty_phone: Option<String>,
}

/// A one-time code about to be stored.
#[derive(Clone, Debug)]
pub struct NewCode {
    /// Normalised phone.
    pub phone: String,
    /// Network address that asked for it (for the per-address limit).
    pub client: String,
    /// Salt of the hash.
    pub salt: Vec<u8>,
    /// Salted hash of the code.
    pub code_hash: Vec<u8>,
    /// Issued at.
    pub created_at: OffsetDateTime,
    /// Works until.
    pub expires_at: OffsetDateTime,
}

/// When earlier codes were issued, for the rate rules.
#[derive(Clone, Debug, Default)]
pub struct CodeHistory {
    /// Codes sent to the same phone since the window start.
    pub phone: Vec<OffsetDateTime>,
}

/// What a network address's limits count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAction {
    /// Asking for a sign-in code (for any number, registered or not).
    CodeRequest,
    /// Trying to sign in with a code.
    SignIn,
}

impl ClientAction {
    /// How it is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAction::CodeRequest => "code",
            ClientAction::SignIn => "sign_in",
        }
    }
}

/// What came of counting one try at a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeAttempt {
    /// Counted: this many tries so far, this one included. Only now may it be compared.
    Counted(u32),
    /// Not counted: the code was used, expired or out of tries meanwhile.
    Refused,
}

/// A stored code.
#[derive(Clone, Debug)]
pub struct StoredCode {
    /// Row id.
    pub id: i64,
    /// What the rules need to judge it.
    pub state: crate::auth::otp::CodeState,
}

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// Whose.
    pub user_id: UserId,
    /// Works until.
    pub expires_at: OffsetDateTime,
    /// When it was signed out, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

/// A session with the person it belongs to and their units, as one read gives them: what
/// authenticating a request needs ([`Store::session_holder`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionHolder {
    /// The session, whether or not it still works.
    pub session: StoredSession,
    /// Its person; `None` when they no longer exist.
    pub user: Option<User>,
    /// The units the person owns or rents.
    pub units: Vec<UnitRef>,
}

/// A photo's entry in the register (its bytes are a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPhoto {
    /// Id chosen by the device.
    pub id: PhotoId,
    /// Who uploaded it.
    pub uploader: UserId,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// The report it is attached to, once filed.
    pub report_id: Option<ReportId>,
}

/// What came of registering a photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoClaim {
    /// A new entry.
    Created,
    /// The id was already taken; here is what it holds.
    Existing(StoredPhoto),
}

/// A report about to be filed; the store assigns its number.
#[derive(Clone, Debug)]
pub struct NewReportRecord {
    /// Id from the device.
    pub id: ReportId,
    /// The reporter's estate.
    pub estate_id: EstateId,
    /// Who files it.
    pub reporter: UserId,
    /// Category code.
    pub category: String,
    /// The resident's words.
    pub description: String,
    /// Where.
    pub place: Place,
    /// Readable place.
    pub place_label: String,
    /// How urgent.
    pub urgency: Urgency,
    /// Who handles it first.
    pub handling_party: Party,
    /// Photos, in order.
    pub photo_ids: Vec<PhotoId>,
    /// Private or public.
    pub visibility: linli_api::ReportVisibility,
    /// When the platform received it.
    pub at: OffsetDateTime,
}

impl NewReportRecord {
    /// The report as filed under `number`: received, held by its first party since now.
    pub fn filed_as(&self, number: i64) -> linli_api::Report {
        linli_api::Report {
            id: self.id,
            number,
            reporter: self.reporter,
            category: self.category.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            place_label: self.place_label.clone(),
            urgency: self.urgency,
            status: linli_api::ReportStatus::Received,
            handling_party: self.handling_party,
            photo_ids: self.photo_ids.clone(),
            created_at: self.at,
            updated_at: self.at,
            affected: 1,
            following: false,
            visibility: self.visibility,
            clock: linli_api::ReportClock {
                held_since: Some(self.at),
                ..Default::default()
            },
            reopen_count: 0,
            rating: None,
        }
    }
}

/// What came of filing a report.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportInsert {
    /// Filed now; `seq` is its change-feed event.
    Created {
        /// The report as stored.
        report: Report,
        /// Its event's sequence number.
        seq: i64,
        /// The answer kept for its `Idempotency-Key`, when it was filed under one.
        answer: Option<StoredResponse>,
    },
    /// A report with this id already exists.
    Exists(Report),
    /// A photo is missing, someone else's, or already attached to another report; nothing
    /// was filed.
    PhotoUnavailable(PhotoId),
    /// The `Idempotency-Key` it came under was already taken (answered, in progress, or used
    /// for another request); nothing was filed.
    KeyTaken(KeyClaim),
}

/// An `Idempotency-Key` a request came with, checked but not claimed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingKey {
    /// Whose key: `user:<id>` (or `anonymous`).
    pub scope: String,
    /// The key.
    pub key: String,
    /// The request's fingerprint (`http::idempotency::fingerprint`).
    pub fingerprint: Vec<u8>,
}

/// An `Idempotency-Key` settled in the same transaction as the work it guards: the key is
/// claimed, the work done and its answer kept all at once, or nothing is written at all. One
/// write instead of three (claim, work, answer), for the request devices send most: filing a
/// report.
pub struct KeyedAnswer<'a> {
    /// The key.
    pub key: &'a PendingKey,
    /// When the request arrived.
    pub now: OffsetDateTime,
    /// An unanswered claim older than this (its request died) is taken over.
    pub stale_before: OffsetDateTime,
    /// The answer to keep, made from the report as filed (its number is known only then).
    pub answer: &'a dyn Fn(&Report) -> StoreResult<StoredResponse>,
}

impl std::fmt::Debug for KeyedAnswer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedAnswer")
            .field("key", &self.key)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// An `Idempotency-Key` as stored, for [`judge_key`].
#[derive(Clone, Debug)]
pub(crate) struct HeldKey {
    pub(crate) fingerprint: Vec<u8>,
    /// When its request started (the store's timestamp).
    pub(crate) started_at: OffsetDateTime,
    pub(crate) answer: Option<StoredResponse>,
}

/// What a key's stored row means for a request with `fingerprint`: `None` when the request
/// may claim it (no row, or a claim older than `stale_before` that never got an answer),
/// otherwise why not. The one rule every store and every path applies.
pub(crate) fn judge_key(
    held: Option<HeldKey>,
    fingerprint: &[u8],
    stale_before: OffsetDateTime,
) -> Option<KeyClaim> {
    let held = held?;
    if held.fingerprint != fingerprint {
        return Some(KeyClaim::Mismatch);
    }
    match held.answer {
        Some(answer) => Some(KeyClaim::Answered(answer)),
        None if held.started_at > stale_before => Some(KeyClaim::InProgress),
        None => None,
    }
}

/// A report with the estate it belongs to (for visibility).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReport {
    /// The report.
    pub report: Report,
    /// Its estate.
    pub estate_id: EstateId,
}

/// A status change about to be recorded.
#[derive(Clone, Debug)]
pub struct StatusMove {
    /// The status the report must still have (compare-and-set).
    pub from: ReportStatus,
    /// The new status.
    pub to: ReportStatus,
    /// Staff's note.
    pub note: String,
    /// The party acting.
    pub party: Party,
    /// Who.
    pub author: UserId,
    /// When.
    pub at: OffsetDateTime,
}

/// Which reports a query covers, decided by `report::visibility`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Reports filed by this person, and reports they follow.
    Reporter(UserId),
    /// Every report in this estate.
    Estate(EstateId),
    /// What [`Visibility::Reporter`] covers, and the public reports of their estate.
    Neighbourhood(UserId, EstateId),
    /// None.
    Nothing,
}

/// A response kept for an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub content_type: String,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// What came of claiming an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key is ours; handle the request, then complete or release it.
    Claimed,
    /// The key already has an answer for this very request.
    Answered(StoredResponse),
    /// Another request with this key is being handled.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// How the author of a comment took part in the report when writing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentRole {
    /// The resident who filed it.
    Reporter,
    /// A resident following it.
    Follower,
    /// Staff of a party.
    Staff(Party),
}

/// A comment about to be stored.
#[derive(Clone, Debug)]
pub struct NewCommentRecord {
    /// Id from the writer's device.
    pub id: CommentId,
    /// The report.
    pub report_id: ReportId,
    /// Who writes it.
    pub author: UserId,
    /// As whom.
    pub role: CommentRole,
    /// The words, trimmed.
    pub body: String,
    /// Photos, in order.
    pub photo_ids: Vec<PhotoId>,
    /// When the platform received it.
    pub at: OffsetDateTime,
}

/// A stored comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredComment {
    /// Id.
    pub id: CommentId,
    /// The report.
    pub report_id: ReportId,
    /// Who wrote it.
    pub author: UserId,
    /// Their display name (shown only for staff).
    pub author_name: String,
    /// As whom.
    pub role: CommentRole,
    /// The words.
    pub body: String,
    /// Photos, in order.
    pub photo_ids: Vec<PhotoId>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// What came of storing a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommentInsert {
    /// Stored now; `seq` is its change-feed event.
    Created {
        /// The comment as stored.
        comment: StoredComment,
        /// Its event's sequence number.
        seq: i64,
    },
    /// A comment with this id already exists.
    Exists(StoredComment),
    /// A photo is missing, someone else's, or attached elsewhere already; nothing was stored.
    PhotoUnavailable(PhotoId),
    /// The report does not exist.
    NoReport,
}

/// Where the duplicate check looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimilarPlace {
    /// A building: its shared parts and every unit in it.
    Building(BuildingId),
    /// One common area.
    CommonArea(CommonAreaId),
}

/// What the duplicate check asks the store for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimilarScope {
    /// The caller's estate.
    pub estate: EstateId,
    /// Category code.
    pub category: String,
    /// Where.
    pub place: SimilarPlace,
    /// Reports received at or after this moment.
    pub since: OffsetDateTime,
}

/// Statuses of reports that are no longer open: the duplicate check skips them and they
/// cannot be followed.
pub const FINISHED_STATUSES: [&str; 2] = ["resolved", "closed"];

/// The platform's storage.
pub trait Store: Send + Sync + 'static {
    /// Puts the demo community in an empty database; false if it held data already.
    fn seed_if_empty(&self, seed: &Seed) -> StoreResult<bool>;

    /// The person with this phone.
    fn user_by_phone(&self, phone: &str) -> StoreResult<Option<User>>;
    /// The person with this id.
    fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// An estate.
    fn estate(&self, id: EstateId) -> StoreResult<Option<Estate>>;
    /// Units a person owns or rents.
    fn units_of(&self, user: UserId) -> StoreResult<Vec<UnitRef>>;
    /// An estate's buildings, in order.
    fn buildings(&self, estate: EstateId) -> StoreResult<Vec<BuildingRef>>;
    /// An estate's common areas, in order.
    fn common_areas(&self, estate: EstateId) -> StoreResult<Vec<CommonAreaRef>>;
    /// Report categories, in the property company's order.
    fn categories(&self) -> StoreResult<Vec<Category>>;

    /// Stores a new code if `admit` allows it given the codes issued since `window_start`,
    /// deciding and inserting atomically so racing requests cannot both slip under a limit.
    /// Returns the code's id.
    fn issue_code(
        &self,
        code: &NewCode,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&CodeHistory) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<i64, RetryAfter>>;
    /// Removes a code that could not be sent.
    fn withdraw_code(&self, id: i64) -> StoreResult<()>;
    /// The latest code sent to a phone.
    fn latest_code(&self, phone: &str) -> StoreResult<Option<StoredCode>>;
    /// Counts one try at code `id` before it is compared, in one atomic step, if the code is
    /// unused, unexpired at `now` and has had fewer than `max_attempts` tries: racing guesses
    /// can never together compare more than `max_attempts` times.
    fn count_attempt(
        &self,
        id: i64,
        max_attempts: u32,
        now: OffsetDateTime,
    ) -> StoreResult<CodeAttempt>;
    /// Records one `action` from `client` at `now` if `admit` allows it given the same
    /// address's earlier ones since `window_start`, deciding and recording atomically.
    /// Records older than the window are forgotten.
    fn admit_client(
        &self,
        action: ClientAction,
        client: &str,
        now: OffsetDateTime,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&[OffsetDateTime]) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<(), RetryAfter>>;
    /// Marks a code used; false if it was used already (a racing sign-in won).
    fn use_code(&self, id: i64, at: OffsetDateTime) -> StoreResult<bool>;

    /// Stores a session by its token's hash.
    fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The session with this token hash.
    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<StoredSession>>;
    /// The session with this token hash, its person and their units: what [`Store::session`],
    /// [`Store::user`] and [`Store::units_of`] say, in one query. Every request but the few
    /// open ones asks this first.
    fn session_holder(&self, token_hash: &[u8]) -> StoreResult<Option<SessionHolder>>;
    /// Signs a session out.
    fn revoke_session(&self, token_hash: &[u8], at: OffsetDateTime) -> StoreResult<()>;

    /// A photo's register entry.
    fn photo(&self, id: PhotoId) -> StoreResult<Option<StoredPhoto>>;
    /// Registers a photo unless its id is taken (then says what holds it).
    fn claim_photo(&self, photo: &StoredPhoto, at: OffsetDateTime) -> StoreResult<PhotoClaim>;

    /// Files a report: number, timeline entry, photo links and change event, all at once. A
    /// photo is linked only if the reporter uploaded it and no other report holds it, judged
    /// inside the same transaction.
    ///
    /// With `keyed`, the report's `Idempotency-Key` is claimed in the same transaction and its
    /// answer kept there too; a key already taken files nothing ([`ReportInsert::KeyTaken`]).
    fn insert_report(
        &self,
        report: &NewReportRecord,
        keyed: Option<&KeyedAnswer<'_>>,
    ) -> StoreResult<ReportInsert>;
    /// One report.
    fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>>;
    /// A report's timeline, oldest first.
    fn timeline(&self, id: ReportId) -> StoreResult<Vec<TimelineEntry>>;
    /// Reports covered by `scope`, newest first.
    fn reports(&self, scope: Visibility) -> StoreResult<Vec<Report>>;
    /// Moves a report on if it still has `change.from`; returns the report and its event's
    /// sequence number, or `None` if its status had changed meanwhile.
    fn move_report(&self, id: ReportId, change: &StatusMove) -> StoreResult<Option<(Report, i64)>>;
    /// Change events after `after` covered by `scope`, oldest first, at most `limit`.
    fn events_after(
        &self,
        after: i64,
        scope: Visibility,
        limit: usize,
    ) -> StoreResult<Vec<ReportEvent>>;
    /// The latest event's sequence number (0 when none).
    fn latest_event_seq(&self) -> StoreResult<i64>;

    /// Claims `(scope, key)` for a request with `fingerprint`. A claim older than
    /// `stale_before` that never completed is taken over.
    fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<KeyClaim>;
    /// What already holds `(scope, key)` against a request with `fingerprint`, without
    /// claiming it: `None` when a claim would succeed. A read, for requests that claim their
    /// key in their own write ([`KeyedAnswer`]) and must still answer a replay first.
    fn key_taken(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        stale_before: OffsetDateTime,
    ) -> StoreResult<Option<KeyClaim>>;
    /// Keeps the answer for a claimed key.
    fn complete_key(&self, scope: &str, key: &str, response: &StoredResponse) -> StoreResult<()>;
    /// Gives a claimed key up without an answer, so the request may be tried again.
    fn release_key(&self, scope: &str, key: &str) -> StoreResult<()>;
    /// Gives up every unanswered claim: at start-up, no request can still be running.
    fn release_unanswered_keys(&self) -> StoreResult<usize>;

    /// One unit, of any estate.
    fn unit(&self, id: UnitId) -> StoreResult<Option<UnitRef>>;
    /// Stores a comment with its photo links and change event, all at once. A photo is
    /// linked only if the author uploaded it and nothing holds it yet, judged inside the
    /// same transaction.
    fn insert_comment(&self, comment: &NewCommentRecord) -> StoreResult<CommentInsert>;
    /// A report's comments, oldest first.
    fn comments(&self, report: ReportId) -> StoreResult<Vec<StoredComment>>;
    /// Adds a follower; returns the change event's sequence number, or `None` if they
    /// followed it already.
    fn follow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>>;
    /// Removes a follower; returns the change event's sequence number, or `None` if they
    /// did not follow it.
    fn unfollow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>>;
    /// Reports a person follows.
    fn followed_reports(&self, user: UserId) -> StoreResult<Vec<ReportId>>;
    /// Open reports matching `scope`, newest first (statuses in [`FINISHED_STATUSES`] are
    /// left out).
    fn similar_reports(&self, scope: &SimilarScope) -> StoreResult<Vec<StoredReport>>;

    // The report lifecycle (issue 4).

    /// Applies a lifecycle step (see [`ReportStep`]): the report's new state, its timeline
    /// entry, photo links (a photo is linked only if the step's author uploaded it and no
    /// other report holds it) and its change event, all at once, or nothing.
    fn apply_step(&self, id: ReportId, step: &ReportStep) -> StoreResult<StepOutcome>;
    /// Reports still `resolved` that were resolved at or before `cutoff`, oldest first.
    fn resolved_before(&self, cutoff: OffsetDateTime) -> StoreResult<Vec<StoredReport>>;
    /// The configured targets.
    fn service_targets(&self) -> StoreResult<Vec<TargetRow>>;
    /// Every report of an estate received before `before`, with its timeline, for the board.
    fn estate_history(
        &self,
        estate: EstateId,
        before: OffsetDateTime,
    ) -> StoreResult<Vec<ReportHistory>>;
}
