//! Errors with stable machine codes.
//!
//! The platform answers `application/problem+json` (RFC 9457) carrying a [`ErrorCode`]; the core
//! passes the same code to the UI, and the UI shows it through Fluent (message id
//! `error-<code>`), so every error reads in the user's language. The `detail` text is for logs
//! and developers, never shown as UI text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, machine-readable error code. Serialised in `snake_case`; the Fluent message id is
/// `error-` followed by the code with `_` replaced by `-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// One or more fields are invalid; see [`ApiError::fields`].
    ValidationFailed,
    /// The request carries no valid session.
    Unauthenticated,
    /// The session has expired or was signed out: sign in again.
    SessionExpired,
    /// The signed-in person may not do this.
    Forbidden,
    /// No such thing, or not visible to this person.
    NotFound,
    /// The one-time code is wrong.
    OtpInvalid,
    /// The one-time code has expired or was already used.
    OtpExpired,
    /// Too many attempts; try again later.
    RateLimited,
    /// The phone number is not registered with any community.
    PhoneNotRegistered,
    /// The same `Idempotency-Key` was used with a different request body.
    IdempotencyKeyReused,
    /// A request with the same `Idempotency-Key` is still being processed.
    IdempotencyKeyInProgress,
    /// The `Idempotency-Key` header is missing or malformed.
    IdempotencyKeyInvalid,
    /// The request body is too large.
    PayloadTooLarge,
    /// The uploaded file is not a JPEG, PNG or WebP image.
    UnsupportedMediaType,
    /// The request body could not be read.
    MalformedRequest,
    /// A report status change that the workflow does not allow.
    InvalidTransition,
    /// The thing already exists with different content.
    Conflict,
    /// The platform could not be reached; the action is kept on the device.
    PlatformUnreachable,
    /// The configured platform address is not acceptable (https only, except on loopback).
    InvalidPlatformUrl,
    /// The photo could not be read as an image.
    PhotoUnreadable,
    /// This device has no speech service to read the screen aloud.
    SpeechUnavailable,
    /// The draft is open in another form (window or tab) on this device.
    DraftOpenElsewhere,
    /// This action needs the person to be signed in.
    SignInRequired,
    /// The report was already sent and can no longer be edited.
    AlreadySent,
    /// The report closed more than 30 days ago and can no longer be reopened: report it again.
    ReopenWindowPassed,
    /// The report was rated already; a rating is given once.
    AlreadyRated,
    /// A rating is given once the report is closed.
    NotClosedYet,
    /// A resident tried to follow their own report (its updates reach them already).
    OwnReport,
    /// The report cannot be followed: it is resolved or closed, older than the duplicate
    /// check looks back, or private.
    NotFollowable,
    /// Something went wrong on our side.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::Unauthenticated => "unauthenticated",
            Self::SessionExpired => "session_expired",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::OtpInvalid => "otp_invalid",
            Self::OtpExpired => "otp_expired",
            Self::RateLimited => "rate_limited",
            Self::PhoneNotRegistered => "phone_not_registered",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            Self::IdempotencyKeyInvalid => "idempotency_key_invalid",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MalformedRequest => "malformed_request",
            Self::InvalidTransition => "invalid_transition",
            Self::Conflict => "conflict",
            Self::PlatformUnreachable => "platform_unreachable",
            Self::InvalidPlatformUrl => "invalid_platform_url",
            Self::PhotoUnreadable => "photo_unreadable",
            Self::SpeechUnavailable => "speech_unavailable",
            Self::DraftOpenElsewhere => "draft_open_elsewhere",
            Self::SignInRequired => "sign_in_required",
            Self::AlreadySent => "already_sent",
            Self::ReopenWindowPassed => "reopen_window_passed",
            Self::AlreadyRated => "already_rated",
            Self::NotClosedYet => "not_closed_yet",
            Self::OwnReport => "own_report",
            Self::NotFollowable => "not_followable",
            Self::Internal => "internal",
        }
    }

    /// Every code, for tests that check each one has a message in every language.
    pub const ALL: &'static [ErrorCode] = &[
        Self::ValidationFailed,
        Self::Unauthenticated,
        Self::SessionExpired,
        Self::Forbidden,
        Self::NotFound,
        Self::OtpInvalid,
        Self::OtpExpired,
        Self::RateLimited,
        Self::PhoneNotRegistered,
        Self::IdempotencyKeyReused,
        Self::IdempotencyKeyInProgress,
        Self::IdempotencyKeyInvalid,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::MalformedRequest,
        Self::InvalidTransition,
        Self::Conflict,
        Self::PlatformUnreachable,
        Self::InvalidPlatformUrl,
        Self::PhotoUnreadable,
        Self::SpeechUnavailable,
        Self::DraftOpenElsewhere,
        Self::SignInRequired,
        Self::AlreadySent,
        Self::ReopenWindowPassed,
        Self::AlreadyRated,
        Self::NotClosedYet,
        Self::OwnReport,
        Self::NotFollowable,
        Self::Internal,
    ];

    /// The Fluent message id that explains this code to a person.
    pub fn message_id(self) -> String {
        format!("error-{}", self.as_str().replace('_', "-"))
    }

    /// The HTTP status the platform answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::ValidationFailed | Self::IdempotencyKeyReused => 422,
            Self::Unauthenticated | Self::SessionExpired | Self::SignInRequired => 401,
            Self::OtpInvalid | Self::OtpExpired => 401,
            Self::Forbidden => 403,
            Self::NotFound | Self::PhoneNotRegistered => 404,
            Self::RateLimited => 429,
            Self::IdempotencyKeyInProgress | Self::Conflict | Self::InvalidTransition => 409,
            Self::AlreadySent | Self::OwnReport | Self::NotFollowable => 409,
            Self::ReopenWindowPassed | Self::AlreadyRated | Self::NotClosedYet => 409,
            Self::IdempotencyKeyInvalid
            | Self::MalformedRequest
            | Self::InvalidPlatformUrl
            | Self::PhotoUnreadable => 400,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::PlatformUnreachable | Self::SpeechUnavailable => 503,
            Self::DraftOpenElsewhere => 409,
            Self::Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why one field is invalid. Shown next to the field through Fluent (`field-error-<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldErrorCode {
    /// The field must be filled in.
    Required,
    /// Shorter than allowed; `limit` says the minimum.
    TooShort,
    /// Longer than allowed; `limit` says the maximum.
    TooLong,
    /// More items than allowed; `limit` says the maximum.
    TooMany,
    /// Not a mainland China mobile number (11 digits starting with 1).
    InvalidPhone,
    /// Not a six-digit code.
    InvalidCode,
    /// The category does not exist.
    UnknownCategory,
    /// The unit is not one of the resident's units.
    UnitNotYours,
    /// The building or common area does not belong to the resident's estate.
    UnknownPlace,
    /// The value is not one of the allowed choices.
    InvalidChoice,
    /// The photo was not uploaded or is not the resident's.
    UnknownPhoto,
    /// Not a valid address (https, or http on loopback only).
    InvalidUrl,
    /// A report cannot be handed to the party that already has it.
    SameParty,
    /// The end of a period must come after its start.
    EndBeforeStart,
}

impl FieldErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::TooMany => "too_many",
            Self::InvalidPhone => "invalid_phone",
            Self::InvalidCode => "invalid_code",
            Self::UnknownCategory => "unknown_category",
            Self::UnitNotYours => "unit_not_yours",
            Self::UnknownPlace => "unknown_place",
            Self::InvalidChoice => "invalid_choice",
            Self::UnknownPhoto => "unknown_photo",
            Self::InvalidUrl => "invalid_url",
            Self::SameParty => "same_party",
            Self::EndBeforeStart => "end_before_start",
        }
    }

    /// Every code, for locale completeness tests.
    pub const ALL: &'static [FieldErrorCode] = &[
        Self::Required,
        Self::TooShort,
        Self::TooLong,
        Self::TooMany,
        Self::InvalidPhone,
        Self::InvalidCode,
        Self::UnknownCategory,
        Self::UnitNotYours,
        Self::UnknownPlace,
        Self::InvalidChoice,
        Self::UnknownPhoto,
        Self::InvalidUrl,
        Self::SameParty,
        Self::EndBeforeStart,
    ];

    /// The Fluent message id that explains this code next to a field.
    pub fn message_id(self) -> String {
        format!("field-error-{}", self.as_str().replace('_', "-"))
    }
}

/// One invalid field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as in the request body (`description`, `place.spot`, `photos`...).
    pub field: String,
    /// Why it is invalid.
    pub code: FieldErrorCode,
    /// The bound that was crossed, for `too_short`, `too_long` and `too_many`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl FieldError {
    /// A field error without a limit.
    pub fn new(field: impl Into<String>, code: FieldErrorCode) -> Self {
        Self {
            field: field.into(),
            code,
            limit: None,
        }
    }

    /// A field error with the limit that was crossed.
    pub fn with_limit(field: impl Into<String>, code: FieldErrorCode, limit: u32) -> Self {
        Self {
            field: field.into(),
            code,
            limit: Some(limit),
        }
    }
}

/// The error every boundary carries: platform to core, core to UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// A developer-facing explanation in English; the UI shows the translated `code` instead.
    #[serde(default)]
    pub detail: String,
    /// For `validation_failed`: which fields and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For `rate_limited`: seconds to wait before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// An error with a code and a developer-facing detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            fields: Vec::new(),
            retry_after_seconds: None,
        }
    }

    /// A `validation_failed` error listing the invalid fields.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            code: ErrorCode::ValidationFailed,
            detail: "one or more fields are invalid".into(),
            fields,
            retry_after_seconds: None,
        }
    }

    /// Whether the same request may succeed later without any change (network trouble,
    /// overload); false means a person has to change something first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::PlatformUnreachable
                | ErrorCode::RateLimited
                | ErrorCode::Internal
                | ErrorCode::IdempotencyKeyInProgress
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
        }
        for code in FieldErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn message_ids_are_fluent_identifiers() {
        assert_eq!(ErrorCode::OtpExpired.message_id(), "error-otp-expired");
        assert_eq!(FieldErrorCode::TooLong.message_id(), "field-error-too-long");
    }

    #[test]
    fn only_transient_errors_are_retryable() {
        assert!(ApiError::new(ErrorCode::PlatformUnreachable, "").is_retryable());
        assert!(ApiError::new(ErrorCode::RateLimited, "").is_retryable());
        assert!(!ApiError::validation(vec![]).is_retryable());
        assert!(!ApiError::new(ErrorCode::Forbidden, "").is_retryable());
    }
}
