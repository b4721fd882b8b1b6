//! A real platform on 127.0.0.1:0 with a temporary data dir and a clock the test moves,
//! driven over real HTTP.

#![allow(dead_code)] // each test file uses a different part

pub mod db;
pub mod sse;

use linli_api::platform::{NewReport, Problem, SessionGrant};
use linli_api::{ErrorCode, Place, ReportId, UnitId, Urgency};
use linli_platform::clock::ManualClock;
use linli_platform::{Config, RunningPlatform, latest_code};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tempfile::TempDir;

pub struct TestPlatform {
    platform: Option<RunningPlatform>,
    /// The configuration it runs with (the real port once bound), reused on restarts.
    pub config: Config,
    pub dir: TempDir,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

impl TestPlatform {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_now();
        let mut config = Config::new(dir.path()).with_listen("127.0.0.1:0".parse().unwrap());
        config.clock = Arc::new(clock.clone());
        config.database_url = db::fresh_database_url();
        adjust(&mut config);
        let platform = linli_platform::spawn(config.clone()).await.unwrap();
        config.listen = platform.addr();
        Self {
            platform: Some(platform),
            config,
            dir,
            clock,
            http: reqwest::Client::new(),
        }
    }

    /// The platform's database, opened beside it.
    pub fn db(&self) -> db::TestDb {
        db::TestDb::open(&self.config)
    }

    pub fn platform(&self) -> &RunningPlatform {
        self.platform.as_ref().expect("the platform is running")
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.config.listen)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// Stops gracefully.
    pub async fn stop(&mut self) {
        self.platform.take().expect("running").shutdown().await;
    }

    /// Dies as in a crash.
    pub fn kill(&mut self) {
        self.platform.take().expect("running").kill();
    }

    /// Starts again on the same address, data dir and clock.
    pub async fn start_again(&mut self) {
        assert!(self.platform.is_none(), "stop or kill it first");
        self.platform = Some(linli_platform::spawn(self.config.clone()).await.unwrap());
    }

    pub async fn request_code(&self, phone: &str) -> Response {
        self.http
            .post(self.url("/v1/auth/otp"))
            .json(&serde_json::json!({ "phone": phone }))
            .send()
            .await
            .unwrap()
    }

    pub fn code(&self, phone: &str) -> String {
        latest_code(self.dir.path(), phone).expect("a code was written for this phone")
    }

    pub async fn exchange(&self, phone: &str, code: &str) -> Response {
        self.http
            .post(self.url("/v1/auth/sessions"))
            .json(&serde_json::json!({ "phone": phone, "code": code }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in with a fresh code (moving the clock past the resend interval first, so a
    /// phone can sign in more than once in a test).
    pub async fn sign_in(&self, phone: &str) -> String {
        self.clock.advance(time::Duration::seconds(31));
        let sent = self.request_code(phone).await;
        assert_eq!(
            sent.status(),
            StatusCode::OK,
            "{}",
            sent.text().await.unwrap()
        );
        let grant: SessionGrant = ok_json(self.exchange(phone, &self.code(phone)).await).await;
        grant.token
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Signs the session behind `token` out.
    pub async fn sign_out(&self, token: &str) -> Response {
        self.http
            .delete(self.url("/v1/auth/sessions/current"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn file(&self, token: &str, report: &NewReport) -> Response {
        self.http
            .post(self.url("/v1/reports"))
            .bearer_auth(token)
            .header("Idempotency-Key", report.id.to_string())
            .json(report)
            .send()
            .await
            .unwrap()
    }

    pub async fn move_report(
        &self,
        token: &str,
        id: ReportId,
        status: &str,
        note: &str,
    ) -> Response {
        self.http
            .post(self.url(&format!("/v1/reports/{id}/status")))
            .bearer_auth(token)
            .json(&serde_json::json!({ "status": status, "note": note }))
            .send()
            .await
            .unwrap()
    }

    pub async fn upload(
        &self,
        token: &str,
        id: linli_api::PhotoId,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Response {
        self.http
            .put(self.url(&format!("/v1/photos/{id}")))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap()
    }
}

/// A valid report about the main resident's first unit (3栋2单元501, id 3251).
pub fn leaking_pipe() -> NewReport {
    NewReport {
        id: ReportId::new(),
        category: "water_plumbing".into(),
        description: "厨房水管漏水，地上都是水".into(),
        place: Place::Unit {
            unit_id: UnitId(3251),
        },
        urgency: Urgency::Soon,
        photo_ids: vec![],
        visibility: Default::default(),
    }
}

/// The smallest JPEG-looking bytes: the magic number and a little more.
pub fn jpeg_bytes(seed: u8) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend(std::iter::repeat_n(seed, 64));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

pub async fn ok_json<T: DeserializeOwned>(response: Response) -> T {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        status.is_success(),
        "expected success, got {status}: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Puts a second estate with one resident in the platform's own database, and signs them
/// in.
pub async fn resident_of_another_estate(t: &TestPlatform) -> String {
    t.db().execute_batch(
        "INSERT INTO estates (id, name) VALUES (2, '阳光小区');
         INSERT INTO buildings (id, estate_id, label, position) VALUES (20, 2, '1栋', 0);
         INSERT INTO units (id, building_id, entrance, number, label, area_m2)
             VALUES (20111, 20, 1, '101', '阳光1栋1单元101', 90.0);
         INSERT INTO users (id, phone, name, role, estate_id) VALUES
             (50, '13900000050', '外小区业主', 'owner', 2);
         INSERT INTO occupancies (unit_id, user_id, relation) VALUES (20111, 50, 'owner');",
    );
    t.sign_in("13900000050").await
}

/// Asserts a problem document with this status and code, and returns it.
pub async fn problem(response: Response, status: u16, code: ErrorCode) -> Problem {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.code, code, "{problem:?}");
    assert_eq!(problem.status, status);
    problem
}
