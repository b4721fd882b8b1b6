//! Signing in with a phone and a one-time code, and knowing who is calling.
//!
//! Plain functions over a [`Store`]; the HTTP handlers only extract, call and answer.

pub mod otp;
pub mod rate_limit;
pub mod sms;

use crate::config::Limits;
use crate::store::{ClientAction, CodeAttempt, CodeHistory, NewCode, Store, StoredSession, User};
use linli_api::platform::{Profile, SessionGrant, UnitRef};
use linli_api::validate::{validate_code, validate_phone};
use linli_api::{ApiError, ErrorCode, platform::OtpSent};
use otp::DeadCode;
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
    /// Hash of the token they presented, to sign exactly this session out (and to check it
    /// again during a long answer).
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

fn rate_limited(wait: RetryAfter, what: &str) -> ApiError {
    ApiError {
        retry_after_seconds: Some(wait.0),
        ..ApiError::new(
            ErrorCode::RateLimited,
            format!("too many {what}; wait and try again"),
        )
    }
}

fn not_registered() -> ApiError {
    ApiError::new(
        ErrorCode::PhoneNotRegistered,
        "no resident or staff member has this phone number",
    )
}

/// Counts one `action` against the asking address's limit, refusing it when the limit is
/// reached. Done before anything is looked up, so the answer says nothing about a number
/// until the address is within its limit.
fn admit_client(
    store: &dyn Store,
    limits: &Limits,
    now: OffsetDateTime,
    client: &str,
    action: ClientAction,
) -> Result<(), ApiError> {
    let (max_in_window, what) = match action {
        ClientAction::CodeRequest => (limits.codes_per_client, "codes asked for"),
        ClientAction::SignIn => (limits.sign_ins_per_client, "sign-in attempts"),
    };
    let rule = RateRule {
        min_interval: Duration::ZERO,
        max_in_window,
        window: limits.code_window,
    };
    store
        .admit_client(action, client, now, now - limits.code_window, &|earlier| {
            rule.check(earlier, now)
        })?
        .map_err(|wait| rate_limited(wait, what))
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
///
/// An unregistered number is answered as such (a resident must learn their number is not on
/// the register), but only after the request counted against the address's limit, so the
/// register cannot be probed faster than that limit allows.
pub fn issue_code(
    store: &dyn Store,
    limits: &Limits,
    now: OffsetDateTime,
    phone: &str,
    client: &str,
) -> Result<IssuedCode, ApiError> {
    let phone = validate_phone(phone).map_err(|e| ApiError::validation(vec![e]))?;
    admit_client(store, limits, now, client, ClientAction::CodeRequest)?;
    if store.user_by_phone(&phone)?.is_none() {
        return Err(not_registered());
    }
    let per_phone = RateRule {
        min_interval: limits.code_resend_interval,
        max_in_window: limits.codes_per_phone,
        window: limits.code_window,
    };
    let admit = |history: &CodeHistory| per_phone.check(&history.phone, now);
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
        .map_err(|wait| rate_limited(wait, "codes asked for"))?;
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

fn dead_code(why: DeadCode) -> ApiError {
    let why = match why {
        DeadCode::Used => "the code was already used",
        DeadCode::Expired => "the code has expired",
        DeadCode::TooManyAttempts => "too many wrong codes were tried",
    };
    ApiError::new(ErrorCode::OtpExpired, format!("{why}; ask for a new code"))
}

/// Exchanges a phone and its latest code for a session. `client` is the asking network
/// address (per-address limit on tries).
pub fn sign_in(
    store: &dyn Store,
    limits: &Limits,
    now: OffsetDateTime,
    phone: &str,
    code: &str,
    client: &str,
) -> Result<SessionGrant, ApiError> {
    let (phone, code) = match (validate_phone(phone), validate_code(code)) {
        (Ok(p), Ok(c)) => (p, c),
        (p, c) => {
            let fields = [p.err(), c.err()].into_iter().flatten().collect();
            return Err(ApiError::validation(fields));
        }
    };
    admit_client(store, limits, now, client, ClientAction::SignIn)?;
    let user = store.user_by_phone(&phone)?.ok_or_else(not_registered)?;
    let stored = store.latest_code(&phone)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::OtpInvalid,
            "no code was sent to this phone; ask for one",
        )
    })?;
    if let Some(why) = otp::dead(&stored.state, now, limits.code_attempts) {
        return Err(dead_code(why));
    }
    // The try is counted before the code is compared, in one step: guesses racing each
    // other cannot all read the same count and all be compared.
    let tries = match store.count_attempt(stored.id, limits.code_attempts, now)? {
        CodeAttempt::Counted(tries) => tries,
        CodeAttempt::Refused => {
            // Used, or out of tries, by a racing request since it was read.
            let why = store
                .latest_code(&phone)?
                .filter(|c| c.id == stored.id)
                .and_then(|c| otp::dead(&c.state, now, limits.code_attempts))
                .unwrap_or(DeadCode::TooManyAttempts);
            return Err(dead_code(why));
        }
    };
    if !otp::matches(&stored.state, &code) {
        let left = limits.code_attempts.saturating_sub(tries);
        return Err(ApiError::new(
            ErrorCode::OtpInvalid,
            format!("wrong code; {left} attempts left"),
        ));
    }
    if !store.use_code(stored.id, now)? {
        return Err(dead_code(DeadCode::Used));
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
    let holder = store
        .session_holder(&token_hash)?
        .ok_or_else(unknown_session)?;
    still_works(&holder.session, now)?;
    let user = holder.user.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "the session's person no longer exists",
        )
    })?;
    Ok(Caller {
        user,
        units: holder.units,
        token_hash,
    })
}

fn unknown_session() -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated, "unknown session token; sign in")
}

/// Whether a session still works at `now`: not signed out, not expired.
fn still_works(session: &StoredSession, now: OffsetDateTime) -> Result<(), ApiError> {
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
    Ok(())
}

/// The session with this token hash if it still works at `now`: not signed out, not expired.
/// Long-lived answers (the event stream) ask again as they go.
pub fn live_session(
    store: &dyn Store,
    now: OffsetDateTime,
    token_hash: &[u8],
) -> Result<StoredSession, ApiError> {
    let session = store.session(token_hash)?.ok_or_else(unknown_session)?;
    still_works(&session, now)?;
    Ok(session)
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
    use crate::demo;
    use crate::store::hooked::Hooked;
    use rstest::rstest;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    fn other_than(code: &str) -> &'static str {
        if code == "000000" { "111111" } else { "000000" }
    }

    #[test]
    fn racing_wrong_guesses_never_get_past_the_limit() {
        const RACERS: usize = 12;
        let limits = Limits::default();
        let now = OffsetDateTime::now_utc();
        let mut store = Hooked::seeded();
        let issued = issue_code(&store, &limits, now, demo::RESIDENT_PHONE, "10.0.0.1").unwrap();
        // Every guess reads the code before any guess goes on: the interleaving in which
        // separate read, judge and count steps let every guess be compared.
        let (barrier, reads) = (Arc::new(Barrier::new(RACERS)), AtomicUsize::new(0));
        store.after_latest_code = Some(Box::new(move || {
            if reads.fetch_add(1, Ordering::SeqCst) < RACERS {
                barrier.wait();
            }
        }));
        let wrong = other_than(&issued.message.code);
        let answers: Vec<ErrorCode> = std::thread::scope(|scope| {
            let guesses: Vec<_> = (0..RACERS)
                .map(|_| {
                    scope.spawn(|| {
                        sign_in(
                            &store,
                            &limits,
                            now,
                            demo::RESIDENT_PHONE,
                            wrong,
                            "10.0.0.1",
                        )
                        .unwrap_err()
                        .code
                    })
                })
                .collect();
            guesses.into_iter().map(|g| g.join().unwrap()).collect()
        });
        let compared = answers
            .iter()
            .filter(|c| **c == ErrorCode::OtpInvalid)
            .count();
        assert_eq!(compared, limits.code_attempts as usize, "{answers:?}");
        assert!(
            answers
                .iter()
                .all(|c| matches!(c, ErrorCode::OtpInvalid | ErrorCode::OtpExpired)),
            "{answers:?}"
        );
        let stored = store.latest_code(demo::RESIDENT_PHONE).unwrap().unwrap();
        assert_eq!(stored.state.attempts, limits.code_attempts);
        // The right code no longer works either.
        let late = sign_in(
            &store,
            &limits,
            now,
            demo::RESIDENT_PHONE,
            &issued.message.code,
            "10.0.0.1",
        )
        .unwrap_err();
        assert_eq!(late.code, ErrorCode::OtpExpired, "{late:?}");
    }

    #[test]
    fn the_right_code_on_the_last_try_signs_in() {
        let limits = Limits::default();
        let now = OffsetDateTime::now_utc();
        let store = Hooked::seeded();
        let issued = issue_code(&store, &limits, now, demo::RESIDENT_PHONE, "10.0.0.1").unwrap();
        let wrong = other_than(&issued.message.code);
        for _ in 1..limits.code_attempts {
            let e = sign_in(
                &store,
                &limits,
                now,
                demo::RESIDENT_PHONE,
                wrong,
                "10.0.0.1",
            );
            assert_eq!(e.unwrap_err().code, ErrorCode::OtpInvalid);
        }
        let right = &issued.message.code;
        let grant = sign_in(
            &store,
            &limits,
            now,
            demo::RESIDENT_PHONE,
            right,
            "10.0.0.1",
        );
        assert_eq!(grant.unwrap().profile.phone_masked, "138****0001");
    }

    #[test]
    fn probing_unknown_numbers_counts_against_the_address() {
        let limits = Limits {
            codes_per_client: 2,
            ..Limits::default()
        };
        let now = OffsetDateTime::now_utc();
        let store = Hooked::seeded();
        let ask = |phone: &str, client: &str| {
            issue_code(&store, &limits, now, phone, client)
                .map(|_| ())
                .map_err(|e| e.code)
        };
        assert_eq!(
            ask("13911110001", "10.0.0.1"),
            Err(ErrorCode::PhoneNotRegistered)
        );
        assert_eq!(
            ask("13911110002", "10.0.0.1"),
            Err(ErrorCode::PhoneNotRegistered)
        );
        assert_eq!(ask("13911110003", "10.0.0.1"), Err(ErrorCode::RateLimited));
        assert_eq!(
            ask(demo::RESIDENT_PHONE, "10.0.0.1"),
            Err(ErrorCode::RateLimited)
        );
        // Another address is not affected.
        assert_eq!(
            ask("13911110003", "10.0.0.2"),
            Err(ErrorCode::PhoneNotRegistered)
        );
        assert_eq!(ask(demo::RESIDENT_PHONE, "10.0.0.2"), Ok(()));
    }

    #[rstest]
    #[case("13800138000", "138****8000")]
    #[case("13800000001", "138****0001")]
    #[case("1234", "****")]
    fn phones_are_masked(#[case] phone: &str, #[case] masked: &str) {
        assert_eq!(mask_phone(phone), masked);
    }
}
