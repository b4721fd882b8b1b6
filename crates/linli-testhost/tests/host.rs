//! The test host over real HTTP, against a real platform: the page gets the shim, calls reach
//! the core and come back as Tauri would give them, events arrive as server-sent events.

use linli_testhost::{EmbeddedPlatform, Host, HostConfig, SHIM_PATH};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

struct Running {
    url: String,
    host: Arc<Host>,
    _platform: linli_platform::RunningPlatform,
    _tmp: tempfile::TempDir,
}

async fn start() -> Running {
    let tmp = tempfile::tempdir().unwrap();
    let ui = tmp.path().join("ui");
    std::fs::create_dir_all(ui.join("pkg")).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<html><head><script type=\"module\" src=\"/boot.js\"></script></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(ui.join("pkg/app.js"), "export {};").unwrap();
    let platform_dir = tmp.path().join("platform");
    let platform = linli_platform::spawn(
        linli_platform::Config::new(&platform_dir)
            .with_listen(SocketAddr::from(([127, 0, 0, 1], 0))),
    )
    .await
    .unwrap();
    let host = Host::open(HostConfig {
        ui_dir: ui,
        platform_url: platform.url(),
        platform_data_dir: Some(platform_dir),
        device_dir: tmp.path().join("device"),
        os_language: Some("zh-CN".into()),
        csp: Some("default-src 'self'".into()),
        speech: true,
        text_scale: 1.0,
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = host.router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Running {
        url,
        host,
        _platform: platform,
        _tmp: tmp,
    }
}

#[tokio::test]
async fn pages_get_the_shim_and_deep_links_get_the_app() {
    let r = start().await;
    let http = reqwest::Client::new();
    for path in ["/", "/reports/0190-abc"] {
        let page = http.get(format!("{}{path}", r.url)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(
            page.headers()["content-security-policy"],
            "default-src 'self'"
        );
        let html = page.text().await.unwrap();
        let shim = html.find(SHIM_PATH).expect("shim tag");
        assert!(shim < html.find("/boot.js").unwrap(), "{html}");
    }
    let shim = http
        .get(format!("{}{SHIM_PATH}", r.url))
        .send()
        .await
        .unwrap();
    assert!(
        shim.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(shim.text().await.unwrap().contains("__TAURI__"));
    let file = http
        .get(format!("{}/pkg/app.js", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    let missing = http
        .get(format!("{}/pkg/gone.js", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.status(),
        404,
        "a missing file is not hidden behind the app"
    );
}

#[tokio::test]
async fn calls_reach_the_core_and_errors_come_back_as_tauri_gives_them() {
    let r = start().await;
    let http = reqwest::Client::new();
    let rpc = |body: serde_json::Value| http.post(format!("{}/rpc", r.url)).json(&body).send();

    let status = rpc(serde_json::json!({ "op": "status" })).await.unwrap();
    assert_eq!(status.status(), 200);
    let status: serde_json::Value = status.json().await.unwrap();
    assert_eq!(status["kind"], "status");
    assert!(status["value"]["profile"].is_null(), "nobody signed in yet");

    // A bad phone: the core's ApiError, with its stable code and the field.
    let refused = rpc(serde_json::json!({ "op": "request_code", "args": { "phone": "123" } }))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let error: linli_api::ApiError = refused.json().await.unwrap();
    assert!(!error.fields.is_empty(), "{error:?}");

    // Not a request at all: a string, as Tauri rejects bad command arguments.
    let garbage = rpc(serde_json::json!({ "op": "fly" })).await.unwrap();
    assert_eq!(garbage.status(), 400);
    assert!(garbage.text().await.unwrap().contains("invalid args"));

    // Watch events while signing in for real with the demo code.
    let mut stream = http.get(format!("{}/events", r.url)).send().await.unwrap();
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let phone = linli_platform::demo::RESIDENT_PHONE;
    let sent = rpc(serde_json::json!({ "op": "request_code", "args": { "phone": phone } }))
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let code = get_text(&http, format!("{}/testhost/code?phone={phone}", r.url)).await;
    assert_eq!(code.len(), 6, "{code}");
    let signed_in =
        rpc(serde_json::json!({ "op": "sign_in", "args": { "phone": phone, "code": code } }))
            .await
            .unwrap();
    assert_eq!(signed_in.status(), 200);

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("session_changed") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("a session event within 10 s")
            .unwrap()
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.contains("data: {\"kind\":\"session_changed\"}"),
        "{seen}"
    );

    let none = http
        .get(format!("{}/testhost/code?phone=13900000000", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
    let platform = get_text(&http, format!("{}/testhost/platform", r.url)).await;
    assert!(platform.starts_with("http://127.0.0.1:"));
    // This host was given a platform it does not own: it cannot stop it.
    let stop = http
        .post(format!("{}/testhost/platform/stop", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), 409);
    assert!(r.host.sink().notifications().is_empty());
    r.host.shutdown().await;
}

/// Polls the core's status until `online` is as wanted, or fails after `within`.
/// The body of a successful GET, as text.
async fn get_text(http: &reqwest::Client, url: String) -> String {
    let answer = http.get(url).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    answer.text().await.unwrap()
}

async fn wait_online(http: &reqwest::Client, url: &str, want: bool, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let status: serde_json::Value = http
            .post(format!("{url}/rpc"))
            .json(&serde_json::json!({ "op": "status" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["value"]["sync"]["online"] == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the core did not become online={want} within {within:?}: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_embedded_platform_stops_and_comes_back_on_the_same_address_with_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    let ui = tmp.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<html><head></head></html>").unwrap();
    let platform = EmbeddedPlatform::spawn(
        linli_platform::Config::new(tmp.path().join("platform"))
            .with_listen(SocketAddr::from(([127, 0, 0, 1], 0))),
    )
    .await
    .unwrap();
    let platform_url = platform.url();
    assert!(!platform_url.ends_with(":0"), "{platform_url}");
    let host = Host::open_with_platform(
        HostConfig {
            ui_dir: ui,
            platform_url: platform_url.clone(),
            platform_data_dir: Some(platform.data_dir().to_path_buf()),
            device_dir: tmp.path().join("device"),
            os_language: Some("zh-CN".into()),
            csp: None,
            speech: true,
            text_scale: 1.0,
        },
        Some(platform),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = host.router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let health = format!("{platform_url}{}", linli_api::platform::paths::HEALTH);

    // Signed in, so the core keeps its live feed to the platform open.
    let phone = linli_platform::demo::RESIDENT_PHONE;
    let rpc = |body: serde_json::Value| http.post(format!("{url}/rpc")).json(&body).send();
    let sent = rpc(serde_json::json!({ "op": "request_code", "args": { "phone": phone } }))
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let code = get_text(&http, format!("{url}/testhost/code?phone={phone}")).await;
    let signed_in =
        rpc(serde_json::json!({ "op": "sign_in", "args": { "phone": phone, "code": code } }))
            .await
            .unwrap();
    assert_eq!(signed_in.status(), 200);
    wait_online(&http, &url, true, Duration::from_secs(10)).await;

    let stopped = http
        .post(format!("{url}/testhost/platform/stop"))
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    assert!(
        http.get(&health).send().await.is_err(),
        "nothing answers at {platform_url} once stopped"
    );
    wait_online(&http, &url, false, Duration::from_secs(15)).await;
    // Stopping twice is harmless.
    let again = http
        .post(format!("{url}/testhost/platform/stop"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);

    let started = http
        .post(format!("{url}/testhost/platform/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200);
    assert_eq!(started.text().await.unwrap(), platform_url, "same address");
    assert_eq!(http.get(&health).send().await.unwrap().status(), 200);
    // Same data dir: the code sent before the stop is still on record.
    let kept = get_text(&http, format!("{url}/testhost/code?phone={phone}")).await;
    assert_eq!(kept, code);
    // Same database: the session from before the stop is still good.
    let sync = rpc(serde_json::json!({ "op": "sync_now" })).await.unwrap();
    assert_eq!(sync.status(), 200, "{}", sync.text().await.unwrap());
    wait_online(&http, &url, true, Duration::from_secs(20)).await;
    let me = http
        .get(format!("{platform_url}{}", linli_api::platform::paths::ME))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401, "the platform answers for real again");
    host.shutdown().await;
    assert!(http.get(&health).send().await.is_err(), "shutdown stops it");
}

#[tokio::test]
async fn what_the_core_reads_aloud_is_recorded_in_the_persons_language() {
    let r = start().await;
    let http = reqwest::Client::new();
    let rpc = |body: serde_json::Value| http.post(format!("{}/rpc", r.url)).json(&body).send();
    let status: serde_json::Value = rpc(serde_json::json!({ "op": "status" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["value"]["read_aloud"], true);
    assert_eq!(status["value"]["text_scale"], 1.0);
    let read =
        rpc(serde_json::json!({ "op": "read_aloud", "args": { "text": "报修\n请选择类别" } }))
            .await
            .unwrap();
    assert_eq!(read.status(), 200);
    let spoken: serde_json::Value = http
        .get(format!("{}/testhost/spoken", r.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        spoken,
        serde_json::json!([{ "language": "zh-CN", "text": "报修\n请选择类别" }])
    );
}
