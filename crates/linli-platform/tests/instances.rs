//! Several platform instances on one database behave as one: a client alternating between
//! two in-process servers, as a load balancer would send it, files a report once, finds its
//! idempotency keys and its code's attempt limit wherever it lands, gets report numbers that
//! stay unique and gapless however the two file at once, and hears on one instance's event
//! stream what was done on the other.
//!
//! With `LINLI_TEST_DATABASE=postgres` the two share a PostgreSQL database, as a city
//! deploys them (docs/DEPLOYMENT.md); otherwise they share one SQLite file.

mod common;

use common::sse::Feed;
use common::{leaking_pipe, ok_json, problem};
use futures_util::future::join_all;
use linli_api::platform::{NewReport, Problem, SessionGrant};
use linli_api::{ErrorCode, Report};
use linli_platform::clock::ManualClock;
use linli_platform::{Config, Limits, RunningPlatform, demo, latest_code};
use reqwest::Response;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// Two instances sharing a database, a data dir (photos, the demo codes file: the shared
/// volume of a deployment) and a clock.
struct Pair {
    instances: [Option<RunningPlatform>; 2],
    dir: TempDir,
    clock: ManualClock,
    http: reqwest::Client,
}

impl Pair {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_now();
        let mut config = Config::new(dir.path()).with_listen("127.0.0.1:0".parse().unwrap());
        config.clock = Arc::new(clock.clone());
        config.database_url = common::db::fresh_database_url();
        // Neighbours' events arrive within this; the default is a second.
        config.limits.feed_poll_interval = time::Duration::milliseconds(100);
        let a = linli_platform::spawn(config.clone()).await.unwrap();
        let b = linli_platform::spawn(config).await.unwrap();
        Self {
            instances: [Some(a), Some(b)],
            dir,
            clock,
            http: reqwest::Client::new(),
        }
    }

    fn instance(&self, instance: usize) -> &RunningPlatform {
        self.instances[instance % 2].as_ref().expect("running")
    }

    fn url(&self, instance: usize, path: &str) -> String {
        format!("{}{path}", self.instance(instance).url())
    }

    /// Kills an instance as a crash would.
    fn kill(&mut self, instance: usize) {
        self.instances[instance % 2].take().expect("running").kill();
    }

    async fn post(&self, instance: usize, path: &str, body: serde_json::Value) -> Response {
        self.http
            .post(self.url(instance, path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Asks for a code on one instance and signs in with it on the other.
    async fn sign_in(&self, phone: &str) -> String {
        self.clock.advance(time::Duration::seconds(31));
        let sent = self
            .post(0, "/v1/auth/otp", serde_json::json!({ "phone": phone }))
            .await;
        assert_eq!(sent.status(), 200, "{}", sent.text().await.unwrap());
        let code = latest_code(self.dir.path(), phone).unwrap();
        let grant: SessionGrant = ok_json(
            self.post(
                1,
                "/v1/auth/sessions",
                serde_json::json!({ "phone": phone, "code": code }),
            )
            .await,
        )
        .await;
        grant.token
    }

    async fn file(&self, instance: usize, token: &str, report: &NewReport) -> Response {
        self.http
            .post(self.url(instance, "/v1/reports"))
            .bearer_auth(token)
            .header("Idempotency-Key", report.id.to_string())
            .json(report)
            .send()
            .await
            .unwrap()
    }

    /// Files `report` on `instance`, trying again (on the other instance, as a client
    /// whose connection broke would land) while the key is held by a request in flight.
    async fn file_until_answered(
        &self,
        instance: usize,
        token: &str,
        report: &NewReport,
    ) -> Report {
        for attempt in 0..50 {
            let response = self.file(instance + attempt, token, report).await;
            if response.status() == 409 {
                let p: Problem = response.json().await.unwrap();
                assert_eq!(p.code, ErrorCode::IdempotencyKeyInProgress, "{p:?}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            return ok_json(response).await;
        }
        panic!("the key stayed in progress");
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        instance: usize,
        token: &str,
        path: &str,
    ) -> T {
        ok_json(
            self.http
                .get(self.url(instance, path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

#[tokio::test]
async fn one_report_sent_to_both_instances_is_filed_once() {
    let pair = Pair::start().await;
    let token = pair.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();

    // The same report at the same moment to both, twice over, as a retrying device might.
    let sent = join_all((0..4).map(|i| pair.file_until_answered(i, &token, &report))).await;
    let first = &sent[0];
    assert_eq!(first.id, report.id);
    assert_eq!(first.number, 1);
    assert!(sent.iter().all(|r| r == first), "{sent:?}");

    // And again, one after the other, alternating.
    for instance in 0..4 {
        let again = pair.file(instance, &token, &report).await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(&again.json::<Report>().await.unwrap(), first);
    }
    for instance in 0..2 {
        let mine: Vec<Report> = pair.get(instance, &token, "/v1/reports").await;
        assert_eq!(mine, std::slice::from_ref(first), "instance {instance}");
    }
}

#[tokio::test]
async fn idempotency_keys_hold_across_instances() {
    let mut pair = Pair::start().await;
    let token = pair.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();

    let first = pair.file(0, &token, &report).await;
    assert_eq!(first.status(), 201);
    let first_body = first.bytes().await.unwrap();
    let replayed = pair.file(1, &token, &report).await;
    assert_eq!(replayed.status(), 201);
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    assert_eq!(replayed.bytes().await.unwrap(), first_body, "byte for byte");

    let mut changed = report.clone();
    changed.description = "卫生间水管也漏水了".into();
    problem(
        pair.file(1, &token, &changed).await,
        422,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;

    // The first instance dies; the answer it gave is still the answer on the second.
    pair.kill(0);
    let after_crash = pair.file(1, &token, &report).await;
    assert_eq!(after_crash.status(), 201);
    assert_eq!(after_crash.bytes().await.unwrap(), first_body);
}

#[tokio::test]
async fn a_codes_attempt_limit_holds_across_instances() {
    let pair = Pair::start().await;
    let sent = pair
        .post(
            0,
            "/v1/auth/otp",
            serde_json::json!({ "phone": demo::RESIDENT_PHONE }),
        )
        .await;
    assert_eq!(sent.status(), 200);
    // The resend interval holds on the other instance too.
    problem(
        pair.post(
            1,
            "/v1/auth/otp",
            serde_json::json!({ "phone": demo::RESIDENT_PHONE }),
        )
        .await,
        429,
        ErrorCode::RateLimited,
    )
    .await;

    let right = latest_code(pair.dir.path(), demo::RESIDENT_PHONE).unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let guesses = (0..20).map(|i| {
        pair.post(
            i,
            "/v1/auth/sessions",
            serde_json::json!({ "phone": demo::RESIDENT_PHONE, "code": wrong }),
        )
    });
    let mut compared = 0;
    for response in join_all(guesses).await {
        assert_eq!(response.status(), 401);
        let p: Problem = response.json().await.unwrap();
        match p.code {
            ErrorCode::OtpInvalid => compared += 1,
            ErrorCode::OtpExpired => {}
            other => panic!("unexpected {other:?}: {}", p.detail),
        }
    }
    assert_eq!(
        compared,
        Limits::default().code_attempts,
        "no more guesses compared than one instance allows"
    );
    for instance in 0..2 {
        problem(
            pair.post(
                instance,
                "/v1/auth/sessions",
                serde_json::json!({ "phone": demo::RESIDENT_PHONE, "code": right }),
            )
            .await,
            401,
            ErrorCode::OtpExpired,
        )
        .await;
    }
}

#[tokio::test]
async fn report_numbers_stay_unique_and_gapless_when_both_file_at_once() {
    let pair = Pair::start().await;
    let residents = [
        pair.sign_in(demo::RESIDENT_PHONE).await,
        pair.sign_in(demo::SECOND_RESIDENT_PHONE).await,
    ];
    let staff = pair.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    // Streams on both instances, open before anything is filed.
    let mut streams = [
        Feed::open_at(&pair.http, &pair.instance(0).url(), &staff).await,
        Feed::open_at(&pair.http, &pair.instance(1).url(), &staff).await,
    ];

    const REPORTS: usize = 40;
    let reports: Vec<NewReport> = (0..REPORTS)
        .map(|i| {
            let mut report = leaking_pipe();
            if i % 2 == 1 {
                // The second resident's home (2栋1单元101).
                report.place = linli_api::Place::Unit {
                    unit_id: demo::unit_id(2, 1, 1, 1),
                };
            }
            report
        })
        .collect();
    let filed: Vec<Report> = join_all(
        reports
            .iter()
            .enumerate()
            .map(|(i, r)| pair.file_until_answered(i, &residents[i % 2], r)),
    )
    .await;

    let mut numbers: Vec<i64> = filed.iter().map(|r| r.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=REPORTS as i64).collect::<Vec<_>>());

    // Each instance's stream hears of every report, whichever instance filed it, in
    // sequence order and none twice.
    let ids: BTreeSet<_> = filed.iter().map(|r| r.id).collect();
    for (instance, stream) in streams.iter_mut().enumerate() {
        let mut heard = BTreeSet::new();
        let mut last_seq = 0;
        while heard.len() < REPORTS {
            let event = stream.next().await;
            assert!(event.seq > last_seq, "instance {instance}: out of order");
            last_seq = event.seq;
            assert!(heard.insert(event.report_id), "instance {instance}: twice");
        }
        assert_eq!(heard, ids, "instance {instance}");
    }
    let all: Vec<Report> = pair.get(1, &staff, "/v1/reports").await;
    assert_eq!(all.len(), REPORTS);
}

#[tokio::test]
async fn a_stream_on_one_instance_hears_changes_made_on_the_other() {
    let pair = Pair::start().await;
    let resident = pair.sign_in(demo::RESIDENT_PHONE).await;
    let staff = pair.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let mut on_b = Feed::open_at(&pair.http, &pair.instance(1).url(), &resident).await;

    let report: Report = ok_json(pair.file(0, &resident, &leaking_pipe()).await).await;
    let filed = on_b.next().await;
    assert_eq!(filed.report_id, report.id);

    // Nothing happens on B from here on; the change is made on A.
    let moved = pair
        .http
        .post(pair.url(0, &format!("/v1/reports/{}/status", report.id)))
        .bearer_auth(&staff)
        .json(&serde_json::json!({ "status": "acknowledged", "note": "已收到，马上安排" }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200, "{}", moved.text().await.unwrap());
    let acknowledged = on_b.next().await;
    assert_eq!(acknowledged.report_id, report.id);
    assert_eq!(acknowledged.status, linli_api::ReportStatus::Acknowledged);
    assert!(acknowledged.seq > filed.seq);
}
