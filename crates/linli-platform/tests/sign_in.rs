//! Signing in with a one-time code: the whole flow over HTTP, expiry, reuse, wrong guesses,
//! rate limits, sign-out and session expiry.

mod common;

use common::{TestPlatform, ok_json, problem};
use linli_api::ErrorCode;
use linli_api::platform::{OtpSent, Profile, Role, SessionGrant};
use linli_platform::demo;
use linli_platform::{CodeMessage, SmsError, SmsGateway};
use sha2::Digest;
use std::sync::Arc;
use time::Duration;

#[tokio::test]
async fn a_resident_signs_in_with_the_code_from_the_codes_file() {
    let t = TestPlatform::start().await;
    let sent: OtpSent = ok_json(t.request_code("138 0000 0001").await).await;
    assert_eq!(
        sent,
        OtpSent {
            expires_in_seconds: 300,
            resend_after_seconds: 30
        }
    );
    let code = t.code(demo::RESIDENT_PHONE);
    assert_eq!(code.len(), 6);

    let response = t.exchange(demo::RESIDENT_PHONE, &code).await;
    assert_eq!(response.status().as_u16(), 201);
    let grant: SessionGrant = response.json().await.unwrap();
    assert_eq!(grant.expires_at, t.clock_now() + Duration::days(30));
    assert_eq!(grant.profile.phone_masked, "138****0001");
    assert_eq!(grant.profile.role, Role::Owner);
    let units: Vec<_> = grant
        .profile
        .units
        .iter()
        .map(|u| u.label.as_str())
        .collect();
    assert_eq!(units, [demo::RESIDENT_UNIT, demo::RESIDENT_SECOND_UNIT]);

    let me: Profile = ok_json(t.get(&grant.token, "/v1/me").await).await;
    assert_eq!(me, grant.profile);
    assert_eq!(me.estate_name, demo::ESTATE_NAME);

    // The database holds the token's SHA-256, never the token.
    let db = t.db();
    let hash: [u8; 32] = sha2::Sha256::digest(grant.token.as_bytes()).into();
    let sessions = db.number(&format!(
        "SELECT count(*) FROM sessions WHERE token_hash = {}",
        db.bytes_literal(&hash)
    ));
    assert_eq!(sessions, 1);
    let mut hash_stored = false;
    for file in db.storage_files(t.dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let found = bytes
            .windows(grant.token.len())
            .any(|w| w == grant.token.as_bytes());
        assert!(!found, "the raw token is in {}", file.display());
        hash_stored |= bytes.windows(hash.len()).any(|w| w == hash);
    }
    assert!(
        hash_stored,
        "the files looked at are where the sessions are kept"
    );
    let [code_hash, salt] =
        <[Vec<u8>; 2]>::try_from(db.bytes("SELECT code_hash, salt FROM otp_codes")).unwrap();
    assert_eq!(code_hash.len(), 32);
    let expected: [u8; 32] = sha2::Sha256::new()
        .chain_update(&salt)
        .chain_update(code.as_bytes())
        .finalize()
        .into();
    assert_eq!(code_hash, expected, "salted hash of the code, not the code");
}

impl TestPlatform {
    fn clock_now(&self) -> time::OffsetDateTime {
        use linli_platform::clock::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn unknown_and_malformed_phones_are_refused() {
    let t = TestPlatform::start().await;
    problem(
        t.request_code("13911112222").await,
        404,
        ErrorCode::PhoneNotRegistered,
    )
    .await;
    let p = problem(
        t.request_code("12345").await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(p.errors[0].field, "phone");
    assert_eq!(p.errors[0].code, linli_api::FieldErrorCode::InvalidPhone);
    let p = problem(
        t.exchange(demo::RESIDENT_PHONE, "12ab").await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(p.errors[0].field, "code");
}

#[tokio::test]
async fn wrong_codes_count_and_the_fifth_kills_the_code() {
    let t = TestPlatform::start().await;
    t.request_code(demo::RESIDENT_PHONE).await;
    let right = t.code(demo::RESIDENT_PHONE);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for left in (0..5).rev() {
        let p = problem(
            t.exchange(demo::RESIDENT_PHONE, wrong).await,
            401,
            ErrorCode::OtpInvalid,
        )
        .await;
        assert!(
            p.detail.contains(&format!("{left} attempts left")),
            "{}",
            p.detail
        );
    }
    // Even the right digits no longer work.
    problem(
        t.exchange(demo::RESIDENT_PHONE, &right).await,
        401,
        ErrorCode::OtpExpired,
    )
    .await;
}

#[tokio::test]
async fn a_used_code_cannot_sign_in_again() {
    let t = TestPlatform::start().await;
    t.request_code(demo::RESIDENT_PHONE).await;
    let code = t.code(demo::RESIDENT_PHONE);
    assert_eq!(t.exchange(demo::RESIDENT_PHONE, &code).await.status(), 201);
    problem(
        t.exchange(demo::RESIDENT_PHONE, &code).await,
        401,
        ErrorCode::OtpExpired,
    )
    .await;
}

#[tokio::test]
async fn codes_expire_after_five_minutes() {
    let t = TestPlatform::start().await;
    t.request_code(demo::RESIDENT_PHONE).await;
    let code = t.code(demo::RESIDENT_PHONE);
    t.clock.advance(Duration::minutes(5));
    problem(
        t.exchange(demo::RESIDENT_PHONE, &code).await,
        401,
        ErrorCode::OtpExpired,
    )
    .await;

    // A fresh code a second before its expiry still works.
    t.clock.advance(Duration::seconds(1));
    t.request_code(demo::RESIDENT_PHONE).await;
    let code = t.code(demo::RESIDENT_PHONE);
    t.clock.advance(Duration::seconds(299));
    assert_eq!(t.exchange(demo::RESIDENT_PHONE, &code).await.status(), 201);
}

#[tokio::test]
async fn asking_again_too_soon_is_rate_limited_with_retry_after() {
    let t = TestPlatform::start().await;
    assert_eq!(t.request_code(demo::RESIDENT_PHONE).await.status(), 200);
    t.clock.advance(Duration::seconds(10));
    let response = t.request_code(demo::RESIDENT_PHONE).await;
    assert_eq!(response.headers()["retry-after"], "20");
    let p = problem(response, 429, ErrorCode::RateLimited).await;
    assert_eq!(p.retry_after_seconds, Some(20));

    t.clock.advance(Duration::seconds(20));
    assert_eq!(t.request_code(demo::RESIDENT_PHONE).await.status(), 200);
}

#[tokio::test]
async fn a_phone_gets_at_most_five_codes_an_hour() {
    let t = TestPlatform::start().await;
    for _ in 0..5 {
        assert_eq!(t.request_code(demo::RESIDENT_PHONE).await.status(), 200);
        t.clock.advance(Duration::minutes(1));
    }
    let response = t.request_code(demo::RESIDENT_PHONE).await;
    // The first code was five minutes ago: it leaves the hour in 55 minutes.
    assert_eq!(response.headers()["retry-after"], "3300");
    problem(response, 429, ErrorCode::RateLimited).await;
    // Other phones are not affected.
    assert_eq!(t.request_code(demo::TENANT_PHONE).await.status(), 200);
    t.clock.advance(Duration::minutes(55));
    assert_eq!(t.request_code(demo::RESIDENT_PHONE).await.status(), 200);
}

#[tokio::test]
async fn one_address_cannot_ask_for_codes_for_many_phones() {
    let t = TestPlatform::start_with(|c| c.limits.codes_per_client = 3).await;
    for phone in [
        demo::RESIDENT_PHONE,
        demo::SECOND_RESIDENT_PHONE,
        demo::TENANT_PHONE,
    ] {
        assert_eq!(t.request_code(phone).await.status(), 200);
    }
    let response = t.request_code(demo::VOLUNTEER_PHONE).await;
    assert_eq!(response.headers()["retry-after"], "3600");
    problem(response, 429, ErrorCode::RateLimited).await;
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    assert_eq!(t.sign_out(&token).await.status(), 204);
    problem(
        t.get(&token, "/v1/me").await,
        401,
        ErrorCode::SessionExpired,
    )
    .await;
    // Another session of the same person is untouched.
    let other = t.sign_in(demo::RESIDENT_PHONE).await;
    assert_eq!(t.get(&other, "/v1/me").await.status(), 200);
}

#[tokio::test]
async fn sessions_expire_and_unknown_tokens_are_unauthenticated() {
    let t = TestPlatform::start_with(|c| c.limits.session_ttl = Duration::hours(1)).await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    t.clock.advance(Duration::minutes(59));
    assert_eq!(t.get(&token, "/v1/me").await.status(), 200);
    t.clock.advance(Duration::minutes(1));
    problem(
        t.get(&token, "/v1/me").await,
        401,
        ErrorCode::SessionExpired,
    )
    .await;
    problem(
        t.get("not-a-token", "/v1/me").await,
        401,
        ErrorCode::Unauthenticated,
    )
    .await;
    let anonymous = t.http.get(t.url("/v1/me")).send().await.unwrap();
    problem(anonymous, 401, ErrorCode::Unauthenticated).await;
}

#[tokio::test]
async fn staff_sign_in_with_their_role_and_no_units() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let me: Profile = ok_json(t.get(&token, "/v1/me").await).await;
    assert_eq!(me.role, Role::PropertyStaff);
    assert!(me.units.is_empty());
}

/// An SMS provider that is down.
#[derive(Debug)]
struct ProviderDown;

impl SmsGateway for ProviderDown {
    fn send_code<'a>(
        &'a self,
        _: &'a CodeMessage,
    ) -> futures_util::future::BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async { Err(SmsError("provider unreachable".into())) })
    }
}

#[tokio::test]
async fn a_code_that_could_not_be_sent_does_not_count_against_the_limits() {
    let t = TestPlatform::start_with(|c| c.sms = Some(Arc::new(ProviderDown))).await;
    for _ in 0..3 {
        problem(
            t.request_code(demo::RESIDENT_PHONE).await,
            500,
            ErrorCode::Internal,
        )
        .await;
    }
}

#[tokio::test]
async fn many_wrong_guesses_at_once_never_pass_the_limit() {
    let t = TestPlatform::start().await;
    t.request_code(demo::RESIDENT_PHONE).await;
    let right = t.code(demo::RESIDENT_PHONE);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let guesses = (0..20).map(|_| t.exchange(demo::RESIDENT_PHONE, wrong));
    let mut compared = 0;
    for response in futures_util::future::join_all(guesses).await {
        assert_eq!(response.status(), 401);
        let p: linli_api::platform::Problem = response.json().await.unwrap();
        match p.code {
            ErrorCode::OtpInvalid => compared += 1,
            ErrorCode::OtpExpired => {}
            other => panic!("unexpected {other:?}: {}", p.detail),
        }
    }
    assert_eq!(compared, 5, "exactly five guesses were compared");
    let attempts = t.db().number("SELECT attempts FROM otp_codes");
    assert_eq!(attempts, 5);
    problem(
        t.exchange(demo::RESIDENT_PHONE, &right).await,
        401,
        ErrorCode::OtpExpired,
    )
    .await;
}

#[tokio::test]
async fn probing_unknown_numbers_is_rate_limited_per_address() {
    let t = TestPlatform::start_with(|c| c.limits.codes_per_client = 3).await;
    for phone in ["13911110001", "13911110002", "13911110003"] {
        problem(
            t.request_code(phone).await,
            404,
            ErrorCode::PhoneNotRegistered,
        )
        .await;
    }
    let response = t.request_code("13911110004").await;
    assert_eq!(response.headers()["retry-after"], "3600");
    problem(response, 429, ErrorCode::RateLimited).await;
    // Registered numbers wait too: the address is out of asks, whatever it asks about.
    problem(
        t.request_code(demo::RESIDENT_PHONE).await,
        429,
        ErrorCode::RateLimited,
    )
    .await;
    t.clock.advance(Duration::hours(1));
    assert_eq!(t.request_code(demo::RESIDENT_PHONE).await.status(), 200);
}

#[tokio::test]
async fn one_address_has_a_limited_number_of_sign_in_attempts() {
    let t = TestPlatform::start_with(|c| c.limits.sign_ins_per_client = 3).await;
    t.request_code(demo::RESIDENT_PHONE).await;
    let right = t.code(demo::RESIDENT_PHONE);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    problem(
        t.exchange(demo::RESIDENT_PHONE, wrong).await,
        401,
        ErrorCode::OtpInvalid,
    )
    .await;
    problem(
        t.exchange("13911110001", wrong).await,
        404,
        ErrorCode::PhoneNotRegistered,
    )
    .await;
    problem(
        t.exchange(demo::RESIDENT_PHONE, wrong).await,
        401,
        ErrorCode::OtpInvalid,
    )
    .await;
    // The fourth try is refused before the number or the code is looked at.
    for phone in ["13911110002", demo::RESIDENT_PHONE] {
        let response = t.exchange(phone, &right).await;
        assert_eq!(response.headers()["retry-after"], "3600");
        let p = problem(response, 429, ErrorCode::RateLimited).await;
        assert!(p.detail.contains("sign-in attempts"), "{}", p.detail);
    }
}

/// Authentication reads a session, its person and their units in one go
/// (`Store::session_holder`); it must say what the three separate reads say, on either
/// database: units in order, none for staff, a signed-out session still found (the caller
/// judges it), an unknown token not.
#[tokio::test]
async fn a_session_is_read_with_its_person_and_units_as_the_separate_reads_say() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let leaving = t.sign_in(demo::TENANT_PHONE).await;
    assert_eq!(t.sign_out(&leaving).await.status(), 204);

    // The PostgreSQL store blocks: read it off the async workers.
    let state = t.platform().state().clone();
    tokio::task::spawn_blocking(move || {
        let store = state.store();
        let hash = |token: &str| -> [u8; 32] { sha2::Sha256::digest(token.as_bytes()).into() };
        for token in [&resident, &staff, &leaving] {
            let h = hash(token);
            let holder = store.session_holder(&h).unwrap().expect("a stored session");
            let session = store.session(&h).unwrap().unwrap();
            let user = store.user(session.user_id).unwrap();
            let units = store.units_of(session.user_id).unwrap();
            assert_eq!(holder.session, session);
            assert_eq!(holder.user, user);
            assert_eq!(holder.units, units);
        }
        let resident = store.session_holder(&hash(&resident)).unwrap().unwrap();
        let labels: Vec<&str> = resident.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(
            labels,
            ["3栋2单元501", "1栋1单元302"],
            "two units, in order"
        );
        assert!(
            store
                .session_holder(&hash(&staff))
                .unwrap()
                .unwrap()
                .units
                .is_empty()
        );
        let left = store.session_holder(&hash(&leaving)).unwrap().unwrap();
        assert!(left.session.revoked_at.is_some());
        assert_eq!(left.units.len(), 1, "the tenant's unit");
        assert_eq!(store.session_holder(&hash("no such token")).unwrap(), None);
    })
    .await
    .unwrap();
}
