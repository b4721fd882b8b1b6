//! Starting, stopping, crashing and restarting: in-process with `spawn`, and the real binary.

mod common;

use common::{TestPlatform, leaking_pipe, ok_json, problem};
use futures_util::StreamExt;
use linli_api::{ErrorCode, Report};
use linli_platform::{Config, Error, demo};
use sha2::Digest;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_restart_keeps_sessions_and_reports_and_does_not_seed_again() {
    let mut t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let first: Report = ok_json(t.file(&token, &leaking_pipe()).await).await;

    t.stop().await;
    assert!(
        t.http.get(t.url("/health")).send().await.is_err(),
        "stopped"
    );
    t.start_again().await;

    let mine: Vec<Report> = ok_json(t.get(&token, "/v1/reports").await).await;
    assert_eq!(mine, [first]);
    let second: Report = ok_json(t.file(&token, &leaking_pipe()).await).await;
    assert_eq!(second.number, 2, "numbers carry on");
    let users = t.db().number("SELECT count(*) FROM users");
    assert_eq!(users, demo::seed().users.len() as i64);
}

#[tokio::test]
async fn after_a_crash_the_platform_comes_back_on_the_same_port_with_what_was_committed() {
    let mut t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let filed: Report = ok_json(t.file(&token, &leaking_pipe()).await).await;

    // Keep an event stream open: a crash cuts it.
    let mut stream = t
        .http
        .get(t.url("/v1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes_stream();
    t.kill();
    let cut = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(cut.is_ok(), "the open stream ends when the platform dies");

    let started = Instant::now();
    t.start_again().await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let detail: linli_api::platform::ReportDetail =
        ok_json(t.get(&token, &format!("/v1/reports/{}", filed.id)).await).await;
    assert_eq!(detail.report, filed);
}

#[tokio::test]
async fn a_key_left_in_progress_by_a_crash_is_free_after_restart() {
    let mut t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    // What a request killed mid-way leaves behind: its claim on the key, no answer.
    let body = serde_json::to_vec(&report).unwrap();
    let mut print = sha2::Sha256::new();
    print.update(b"POST\n/v1/reports\n");
    print.update(&body);
    let db = t.db();
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64;
    db.execute_batch(&format!(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, started_at)
         VALUES ('user:1', '{}', {}, {now})",
        report.id,
        db.bytes_literal(&print.finalize())
    ));
    problem(
        t.file(&token, &report).await,
        409,
        ErrorCode::IdempotencyKeyInProgress,
    )
    .await;

    t.kill();
    t.start_again().await;
    assert_eq!(t.file(&token, &report).await.status(), 201);
}

#[tokio::test]
async fn a_graceful_stop_ends_open_event_streams_promptly() {
    let mut t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let response = t
        .http
        .get(t.url("/v1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    let started = Instant::now();
    t.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let ended = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(ended.is_ok());
}

#[tokio::test]
async fn other_databases_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path()).with_listen("127.0.0.1:0".parse().unwrap());
    config.database_url = Some("mysql://linli@localhost/linli".into());
    let err = linli_platform::spawn(config).await.unwrap_err();
    assert!(matches!(err, Error::UnsupportedDatabase(_)));
    assert!(err.to_string().contains("not supported in this build yet"));
    assert!(err.to_string().contains("postgres://"), "{err}");
}

#[tokio::test]
async fn a_postgres_nobody_answers_at_is_a_clear_start_up_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path()).with_listen("127.0.0.1:0".parse().unwrap());
    // Port 1 on loopback: refused at once.
    config.database_url = Some("postgres://linli:secret@127.0.0.1:1/linli".into());
    let err = linli_platform::spawn(config).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Open(linli_platform::store::OpenError::Postgres(_))
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("opening the PostgreSQL database"),
        "{err}"
    );
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn the_binary_prints_its_url_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_linli-platform"));
    if let Some(url) = common::db::fresh_database_url() {
        command.env("LINLI_DATABASE_URL", url);
    }
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("linli-platform listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        assert_eq!(
            http.get(format!("{url}/health"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let sent = http
            .post(format!("{url}/v1/auth/otp"))
            .json(&serde_json::json!({"phone": demo::RESIDENT_PHONE}))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
    });
    assert!(linli_platform::latest_code(dir.path(), demo::RESIDENT_PHONE).is_some());

    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("SIGTERM"), "{log}");
    // The session token never reaches the log; the demo code line is the only secret there.
    assert!(!log.contains("token"), "{log}");
}

#[test]
fn the_binary_refuses_an_unknown_database_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_linli-platform"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "mysql://x@localhost/y",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the mysql:// database is not supported in this build yet"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn the_router_serves_without_a_socket() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path());
    config.database_url = common::db::fresh_database_url();
    let state = linli_platform::AppState::open(&config).unwrap();
    let app = linli_platform::router(state);
    let request = |uri: &str| {
        axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let health = app.clone().oneshot(request("/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    let me = app.oneshot(request("/v1/me")).await.unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(me.headers()["content-type"], "application/problem+json");
}
