//! `Idempotency-Key`: retries answer the first response; a key cannot be reused for another
//! request; racing duplicates file one report.

mod common;

use common::{TestPlatform, leaking_pipe, ok_json, problem};
use linli_api::platform::ReportDetail;
use linli_api::{ErrorCode, Report, ReportId};
use linli_platform::demo;

fn reports_in_db(t: &TestPlatform) -> i64 {
    t.db().number("SELECT count(*) FROM reports")
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_files_nothing_new() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();

    let first = t.file(&token, &report).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body = first.bytes().await.unwrap();

    t.clock.advance(time::Duration::minutes(3));
    let again = t.file(&token, &report).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first_body, "byte for byte");

    let filed: Report = serde_json::from_slice(&first_body).unwrap();
    assert_eq!(filed.id, report.id);
    assert_eq!(filed.number, 1);
    assert_eq!(reports_in_db(&t), 1);
    let mine: Vec<Report> = ok_json(t.get(&token, "/v1/reports").await).await;
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    assert_eq!(t.file(&token, &report).await.status(), 201);
    let mut changed = report.clone();
    changed.description = "卫生间水管也漏水了".into();
    problem(
        t.file(&token, &changed).await,
        422,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert_eq!(reports_in_db(&t), 1);
}

#[tokio::test]
async fn reports_need_a_key_equal_to_their_id() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    let missing = t
        .http
        .post(t.url("/v1/reports"))
        .bearer_auth(&token)
        .json(&report)
        .send()
        .await
        .unwrap();
    problem(missing, 400, ErrorCode::IdempotencyKeyInvalid).await;
    let other = t
        .http
        .post(t.url("/v1/reports"))
        .bearer_auth(&token)
        .header("Idempotency-Key", ReportId::new().to_string())
        .json(&report)
        .send()
        .await
        .unwrap();
    problem(other, 400, ErrorCode::IdempotencyKeyInvalid).await;
    let blank = t
        .http
        .post(t.url("/v1/reports"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "")
        .json(&report)
        .send()
        .await
        .unwrap();
    problem(blank, 400, ErrorCode::IdempotencyKeyInvalid).await;
    assert_eq!(reports_in_db(&t), 0);
}

#[tokio::test]
async fn racing_duplicates_file_exactly_one_report() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    let attempts = (0..8).map(|_| t.file(&token, &report));
    let responses = futures_util::future::join_all(attempts).await;
    let mut bodies = Vec::new();
    let mut first_answers = 0;
    for response in responses {
        // A report's key is claimed in the same write that files it: a copy is never told
        // "in progress", it waits for that write and is answered with its result.
        assert_eq!(response.status(), 201);
        if response.headers().get("idempotent-replayed").is_none() {
            first_answers += 1;
        }
        bodies.push(response.bytes().await.unwrap());
    }
    assert_eq!(first_answers, 1, "one filed, the others replayed");
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "one answer");
    assert_eq!(reports_in_db(&t), 1);
    let retry = t.file(&token, &report).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.bytes().await.unwrap(), bodies[0]);
}

#[tokio::test]
async fn a_refused_report_can_be_corrected_and_sent_under_the_same_key() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let mut report = leaking_pipe();
    report.category = "no_such_category".into();
    problem(
        t.file(&token, &report).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    report.category = "water_plumbing".into();
    let filed: Report = ok_json(t.file(&token, &report).await).await;
    assert_eq!(filed.category, "water_plumbing");
}

#[tokio::test]
async fn a_repeated_status_change_is_answered_not_applied_twice() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let send = || {
        t.http
            .post(t.url(&format!("/v1/reports/{}/status", report.id)))
            .bearer_auth(&staff)
            .header("Idempotency-Key", "ack-1")
            .json(&serde_json::json!({"status": "acknowledged", "note": "已收到，明天上门"}))
            .send()
    };
    let first: ReportDetail = ok_json(send().await.unwrap()).await;
    // Without the key this would be 409 invalid_transition (acknowledged -> acknowledged).
    let second: ReportDetail = ok_json(send().await.unwrap()).await;
    assert_eq!(first, second);
    assert_eq!(second.timeline.len(), 2);
}

#[tokio::test]
async fn keys_belong_to_one_person() {
    let t = TestPlatform::start().await;
    let a = t.sign_in(demo::RESIDENT_PHONE).await;
    let b = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let report = leaking_pipe();
    assert_eq!(t.file(&a, &report).await.status(), 201);
    // B's same key is B's own, and nothing of A's answer is replayed to B: the report id is
    // taken, and the unit is not B's.
    let p = problem(t.file(&b, &report).await, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(p.errors[0].code, linli_api::FieldErrorCode::UnitNotYours);
}

#[tokio::test]
async fn asking_for_a_code_again_with_the_same_key_is_answered_not_rate_limited() {
    let t = TestPlatform::start().await;
    let send = || {
        t.http
            .post(t.url("/v1/auth/otp"))
            .header("Idempotency-Key", "otp-1")
            .json(&serde_json::json!({"phone": demo::RESIDENT_PHONE}))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let codes = std::fs::read_to_string(t.dir.path().join("codes")).unwrap();
    assert_eq!(codes.lines().count(), 1, "one code sent");
}

/// Filing checks who asks, then the key's earlier answer, then what was sent, in that order,
/// now that all three happen on the handler's one trip to the store.
#[tokio::test]
async fn filing_answers_who_asks_then_the_key_then_the_body() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    let post = |token: &str, body: Vec<u8>, content_type: &'static str| {
        t.http
            .post(t.url("/v1/reports"))
            .bearer_auth(token)
            .header("Idempotency-Key", report.id.to_string())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let json = serde_json::to_vec(&report).unwrap();
    let oversized = vec![b' '; 100 * 1024];

    // An unknown session is told so, whatever the body. (A body declared over the limit is
    // refused by its length before anything else is read.)
    for body in [b"{\"id\": ".to_vec(), b"not json".to_vec(), json.clone()] {
        problem(
            post("no-such-token", body, "application/json")
                .await
                .unwrap(),
            401,
            ErrorCode::Unauthenticated,
        )
        .await;
    }
    // A body refused for its form leaves the key free: the same report, sent right, files.
    problem(
        post(&token, b"{\"id\": ".to_vec(), "application/json")
            .await
            .unwrap(),
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    problem(
        post(&token, oversized, "application/json").await.unwrap(),
        413,
        ErrorCode::PayloadTooLarge,
    )
    .await;
    assert_eq!(reports_in_db(&t), 0);
    let first = post(&token, json.clone(), "application/json")
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first = first.bytes().await.unwrap();

    // Once answered, the key's answer comes before the body is judged: the same bytes are
    // replayed even under a content type the body would be refused for, and other bytes
    // are a reused key even when they are not JSON at all.
    let again = post(&token, json, "text/plain").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first);
    problem(
        post(&token, b"not json".to_vec(), "application/json")
            .await
            .unwrap(),
        422,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert_eq!(reports_in_db(&t), 1);
}
