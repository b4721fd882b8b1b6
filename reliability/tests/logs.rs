//! Tokens are never logged. The platform and the core run in this process under one tracing
//! subscriber at TRACE for every target (more than any deployment logs), writing into a
//! buffer; a resident signs in through the core, sends a report with a photo, comments, reads
//! the feed, files through Open311 with the token as `api_key` (in the query and in a form),
//! and signs out. Neither the session token nor the one-time code may appear anywhere in
//! what was logged, but for the demo SMS gateway's own line, which stands in for the text
//! message and is the only place a demo code can be read.

use linli_api::ipc::{Delivery, Request};
use linli_core::SESSION_ACCOUNT;
use linli_core::SecretStore;
use linli_platform::demo::RESIDENT_PHONE;
use linli_reliability::device::{self, FileSecretStore};
use linli_reliability::platform::Platform;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_the_session_token_nor_the_code_is_ever_logged() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let platform_dir = tempfile::tempdir().unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(platform_dir.path()).await.unwrap();
    let keychain = device_dir.path().join("keychain.json");
    let secrets = Arc::new(FileSecretStore::new(&keychain));
    let core = device::open(
        &device_dir.path().join("data"),
        secrets.clone(),
        &platform.url(),
        device::quick_sync(),
    )
    .unwrap();
    core.start_sync();
    device::sign_in(&core, platform.data_dir(), RESIDENT_PHONE)
        .await
        .unwrap();
    let code = linli_platform::latest_code(platform.data_dir(), RESIDENT_PHONE).unwrap();
    let token = secrets.get(SESSION_ACCOUNT).unwrap().expect("a token");
    assert!(token.len() >= 16);

    // Everything a session is used for.
    let catalogue = device::catalogue(&core).await.unwrap();
    let written = device::write_report(&core, device::draft(&catalogue, 1).unwrap())
        .await
        .unwrap();
    device::attach(&core, written.id, &device::jpeg(1, 320, 240))
        .await
        .unwrap();
    device::submit(&core, written.id).await.unwrap();
    device::comment(&core, written.id, "楼下的灯也不亮")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = device::my_reports(&core).await.unwrap();
        if all.iter().all(|r| {
            matches!(r.delivery, Delivery::Delivered { .. })
                && r.actions_waiting == 0
                && r.actions_refused == 0
        }) {
            break;
        }
        assert!(Instant::now() < deadline, "not delivered: {all:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    device::call(&core, Request::SyncNow).await.unwrap();
    // Open311 clients send the token as api_key, in the query and in form bodies.
    let http = reqwest::Client::new();
    let read = http
        .get(format!(
            "{}/open311/v2/requests.json?jurisdiction_id=estate-1&api_key={token}",
            platform.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let form = format!(
        "jurisdiction_id=estate-1&service_code=electricity&description=%E6%A5%BC%E9%81%93%E7%81%AF%E5%9D%8F%E4%BA%86&attribute%5Bplace%5D=building%3A{}&attribute%5Bspot%5D=3F&api_key={token}",
        catalogue.buildings[0].id
    );
    let filed = http
        .post(format!("{}/open311/v2/requests.json", platform.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 200, "{}", filed.text().await.unwrap());
    // A wrong token and a wrong code are not logged either (they may be someone's real ones
    // mistyped).
    let wrong = http
        .get(format!("{}/v1/me", platform.url()))
        .bearer_auth(format!("{token}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    device::call(&core, Request::SignOut).await.unwrap();
    core.shutdown().await;
    platform.stop().await;

    let logged = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    // The run logged plenty (requests, the sender, the store), so an absence means something.
    assert!(
        logged.lines().count() > 50,
        "too little was logged to judge: {logged}"
    );
    assert!(logged.contains("report delivered"), "the core's log is in");
    let leaks: Vec<&str> = logged
        .lines()
        .filter(|line| {
            line.contains(token.as_str())
                || (holds_number(line, &code) && !line.contains("demo SMS: phone code"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{} log lines hold the token or the code:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    assert_eq!(
        logged
            .lines()
            .filter(|l| l.contains("demo SMS: phone code"))
            .count(),
        1,
        "the demo gateway's own line is there (the code reaches the log only through it)"
    );
}

/// Whether `line` holds `number` standing alone (not inside a longer run of letters and
/// digits, as in a UUID or a timestamp's fraction).
fn holds_number(line: &str, number: &str) -> bool {
    line.match_indices(number).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}
