//! Signing in with a phone and a one-time code, and knowing who is calling.
//!
//! Plain functions over a [`Store`]; the HTTP handlers only extract, call and answer.

pub mod otp;
pub mod rate_limit;
pub mod sms;

use crate::config::Limits;
use crate::store::{CodeHistory, NewCode, Store, User};
use linli_api::platform::{Profile, SessionGrant, UnitRef};
use linli_api::validate::{validate_code, validate_phone};
use linli_api::{ApiError, ErrorCode, platform::OtpSent};
use otp::{DeadCode, Verdict};
use rate_limit::{RateRule, RetryAfter};
use sms::CodeMessage;
use time::{Duration, OffsetDateTime};

/// The signed-in person behind a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    /// Who.
    pub user: User,
    /// Units they own or rent (empty for staff).
    pub units: Vec<UnitRef>,
    /// Hash of the token they presented, to sign exactly this session out.
    pub(crate) token_hash: [u8; 32],
}

/// A code stored and ready to send.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    /// Its row, to withdraw it if sending fails.
    pub id: i64,
    /// What goes to the phone.
    pub message: CodeMessage,
}

fn rate_limited(wait: RetryAfter) -> ApiError {
    ApiError {
        retry_after_seconds: Some(wait.0),
        ..ApiError::new(
            ErrorCode::RateLimited,
            "too many codes asked for; wait and try again",
        )
    }
}

fn whole_seconds(d: Duration) -> u64 {
    d.whole_seconds().max(0) as u64
}

/// What the person is told once a code is on its way.
pub fn code_sent(limits: &Limits) -> OtpSent {
    OtpSent {
        expires_in_seconds: whole_seconds(limits.code_ttl),
        resend_after_seconds: whole_seconds(limits.code_resend_interval),
    }
}

/// Checks the phone and the limits and stores a new code for it. `client` is the asking
/// network address (per-address limit).
pub fn issue_code(
    store: &dyn Store,
    limits: &Limits,
    now: OffsetDateTime,
    phone: &str,
    client: &str,
) -> Result<IssuedCode, ApiError> {
    let phone = validate_phone(phone).map_err(|e| ApiError::validation(vec![e]))?;
    if store.user_by_phone(&phone)?.is_none() {
        return Err(ApiError::new(
            ErrorCode::PhoneNotRegistered,
            "no resident or staff member has this phone number",
        ));
    }
    let per_phone = RateRule {
        min_interval: limits.code_resend_interval,
        max_in_window: limits.codes_per_phone,
        window: limits.code_window,
    };
    let per_client = RateRule {
        min_interval: Duration::ZERO,
        max_in_window: limits.codes_per_client,
        window: limits.code_window,
    };
    let admit = |history: &CodeHistory| match (
        per_phone.check(&history.phone, now),
        per_client.check(&history.client, now),
    ) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(a), Err(b)) => Err(a.max(b)),
        (Err(a), _) | (_, Err(a)) => Err(a),
    };
    let code = otp::new_code();
    let salt = otp::new_salt();
    let new = NewCode {
        phone: phone.clone(),
        client: client.to_owned(),
        salt: salt.to_vec(),
        code_hash: otp::hash_code(&salt, &code).to_vec(),
        created_at: now,
        expires_at: now + limits.code_ttl,
    };
    let id = store
        .issue_code(&new, now - limits.code_window, &admit)?
        .map_err(rate_limited)?;
    Ok(IssuedCode {
        id,
        message: CodeMessage {
            phone,
            code,
            sent_at: now,
            expires_at: new.expires_at,
        },
    })
}

/// Exchanges a phone and its latest code for a session.
pub fn sign_in(
    store: &dyn Store,
    limits: &Limits,
    now: OffsetDateTime,
    phone: &str,
    code: &str,
) -> Result<SessionGrant, ApiError> {
    let (phone, code) = match (validate_phone(phone), validate_code(code)) {
        (Ok(p), Ok(c)) => (p, c),
        (p, c) => {
            let fields = [p.err(), c.err()].into_iter().flatten().collect();
            return Err(ApiError::validation(fields));
        }
    };
    let user = store.user_by_phone(&phone)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::PhoneNotRegistered,
            "no resident or staff member has this phone number",
        )
    })?;
    let stored = store.latest_code(&phone)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::OtpInvalid,
            "no code was sent to this phone; ask for one",
        )
    })?;
    let expired =
        |why: &str| ApiError::new(ErrorCode::OtpExpired, format!("{why}; ask for a new code"));
    match otp::judge(&stored.state, &code, now, limits.code_attempts) {
        Verdict::Dead(DeadCode::Used) => return Err(expired("the code was already used")),
        Verdict::Dead(DeadCode::Expired) => return Err(expired("the code has expired")),
        Verdict::Dead(DeadCode::TooManyAttempts) => {
            return Err(expired("too many wrong codes were tried"));
        }
        Verdict::Wrong => {
            store.count_wrong_code(stored.id)?;
            let left = limits
                .code_attempts
                .saturating_sub(stored.state.attempts + 1);
            return Err(ApiError::new(
                ErrorCode::OtpInvalid,
                format!("wrong code; {left} attempts left"),
            ));
        }
        Verdict::Accepted => {}
    }
    if !store.use_code(stored.id, now)? {
        return Err(expired("the code was already used"));
    }
    let token = otp::new_session_token();
    let expires_at = now + limits.session_ttl;
    store.create_session(&otp::hash_token(&token), user.id, now, expires_at)?;
    Ok(SessionGrant {
        token,
        expires_at,
        profile: profile(store, &user)?,
    })
}

/// The caller behind a bearer token.
pub fn authenticate(
    store: &dyn Store,
    now: OffsetDateTime,
    token: &str,
) -> Result<Caller, ApiError> {
    let token_hash = otp::hash_token(token);
    let session = store.session(&token_hash)?.ok_or_else(|| {
        ApiError::new(ErrorCode::Unauthenticated, "unknown session token; sign in")
    })?;
    if session.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::SessionExpired,
            "this session was signed out; sign in again",
        ));
    }
    if now >= session.expires_at {
        return Err(ApiError::new(
            ErrorCode::SessionExpired,
            "this session has expired; sign in again",
        ));
    }
    let user = store.user(session.user_id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "the session's person no longer exists",
        )
    })?;
    let units = store.units_of(user.id)?;
    Ok(Caller {
        user,
        units,
        token_hash,
    })
}

/// Ends the caller's session.
pub fn sign_out(store: &dyn Store, now: OffsetDateTime, caller: &Caller) -> Result<(), ApiError> {
    store.revoke_session(&caller.token_hash, now)?;
    Ok(())
}

/// A person as they see themselves.
pub fn profile(store: &dyn Store, user: &User) -> Result<Profile, ApiError> {
    let estate = store.estate(user.estate_id)?.ok_or_else(|| {
        ApiError::new(ErrorCode::Internal, "a person belongs to a missing estate")
    })?;
    Ok(Profile {
        user_id: user.id,
        name: user.name.clone(),
        phone_masked: mask_phone(&user.phone),
        role: user.role,
        estate_id: estate.id,
        estate_name: estate.name,
        units: store.units_of(user.id)?,
    })
}

/// `13800138000` -> `138****8000`: enough to recognise, not enough to copy.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("13800138000", "138****8000")]
    #[case("13800000001", "138****0001")]
    #[case("1234", "****")]
    fn phones_are_masked(#[case] phone: &str, #[case] masked: &str) {
        assert_eq!(mask_phone(phone), masked);
    }
}
