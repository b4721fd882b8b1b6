//! The crash run: a device process queues reports (some with photos) and syncs them while
//! this test kills it with SIGKILL at random moments and starts it again; meanwhile the
//! platform crashes and comes back once, and a second connection holds its database's write
//! lock longer than the platform waits for it. At the end the platform holds each report
//! exactly once and the device shows every one delivered, none refused.
//!
//! Short by default (100 reports, 10 kills); `LINLI_LONG=1` runs 2,000 reports and 200 kills.
//! `LINLI_CRASH_REPORTS` / `LINLI_CRASH_KILLS` set other sizes.

use linli_api::ipc::Delivery;
use linli_core::SecretStore;
use linli_platform::demo::RESIDENT_PHONE;
use linli_reliability::device::{self, FileSecretStore};
use linli_reliability::platform::{self, Platform};
use linli_reliability::{env_number, long_run};
use rand::Rng;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PHOTO_EVERY: u64 = 5;

struct Life {
    child: Child,
    ready: tokio::sync::watch::Receiver<bool>,
    summary: Arc<std::sync::Mutex<Option<String>>>,
}

fn start_device(dir: &Path, platform: &Platform, reports: u64, finish: bool) -> Life {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash-device"))
        .args(["--data", dir.join("data").to_str().unwrap()])
        .args(["--keychain", dir.join("keychain.json").to_str().unwrap()])
        .args(["--platform", &platform.url()])
        .args(["--platform-dir", platform.data_dir().to_str().unwrap()])
        .args(["--phone", RESIDENT_PHONE])
        .args(["--reports", &reports.to_string()])
        .args(["--photo-every", &PHOTO_EVERY.to_string()])
        .args(["--finish", if finish { "yes" } else { "no" }])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the device binary starts");
    let (ready_tx, ready) = tokio::sync::watch::channel(false);
    let summary = Arc::new(std::sync::Mutex::new(None));
    let out = child.stdout.take().unwrap();
    let kept = summary.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(out).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line == "ready" {
                ready_tx.send_replace(true);
            } else if let Some(json) = line.strip_prefix("summary ") {
                *kept.lock().unwrap() = Some(json.to_owned());
            }
        }
    });
    Life {
        child,
        ready,
        summary,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_survive_kill_9_platform_crashes_and_a_locked_database() {
    let long = long_run();
    let reports = env_number("LINLI_CRASH_REPORTS", if long { 2000 } else { 100 });
    let kills = env_number("LINLI_CRASH_KILLS", if long { 200 } else { 10 });
    // Longest a life lasts after it is ready: long enough to queue and send a few reports,
    // short enough that the kills fall all through the run.
    let max_life_ms = env_number("LINLI_CRASH_MAX_LIFE_MS", 900);
    let platform_dir = tempfile::tempdir().unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(platform_dir.path()).await.unwrap();
    let started = Instant::now();
    let crash_platform_at = kills / 3;
    let lock_at = (2 * kills / 3).max(1);
    // The platform waits 5 s for a lock (busy_timeout); this holds it longer, so writes fail.
    let lock_for = Duration::from_secs(7);
    let mut lock = None;
    let mut killed_before_ready = 0u64;
    let killed_at = Arc::new(AtomicU64::new(0));

    for k in 0..kills {
        let mut life = start_device(device_dir.path(), &platform, reports, false);
        let (before_ready, after_ms) = {
            let mut rng = rand::rng();
            // One kill in five lands while the device is still opening or signing in.
            (rng.random_bool(0.2), rng.random_range(0..=max_life_ms))
        };
        if before_ready {
            tokio::time::sleep(Duration::from_millis(after_ms % 30)).await;
            if !*life.ready.borrow() {
                killed_before_ready += 1;
            }
        } else {
            tokio::time::timeout(Duration::from_secs(90), life.ready.wait_for(|r| *r))
                .await
                .expect("the device got ready")
                .unwrap();
            if k == crash_platform_at {
                tokio::time::sleep(Duration::from_millis(after_ms / 2)).await;
                platform
                    .crash_and_restart(Duration::from_millis(500))
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(after_ms / 2)).await;
            } else if k == lock_at {
                lock = Some(platform::hold_write_lock(&platform.database(), lock_for).unwrap());
                tokio::time::sleep(Duration::from_millis(after_ms)).await;
            } else {
                tokio::time::sleep(Duration::from_millis(after_ms)).await;
            }
        }
        // SIGKILL: no destructor, no flush, no shutdown.
        life.child.start_kill().unwrap();
        let status = life.child.wait().await.unwrap();
        assert!(
            !status.success(),
            "life {k} ended by itself before the kill ({status}); raise the report count"
        );
        killed_at.fetch_add(1, Ordering::Relaxed);
    }
    if let Some(lock) = lock {
        lock.join().unwrap().unwrap();
    }
    let kill_phase = started.elapsed();

    // The last life runs until everything is delivered.
    let mut last = start_device(device_dir.path(), &platform, reports, true);
    let status = tokio::time::timeout(Duration::from_secs(600), last.child.wait())
        .await
        .expect("the last life finishes")
        .unwrap();
    assert!(status.success(), "the last life failed: {status}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let summary = last
        .summary
        .lock()
        .unwrap()
        .clone()
        .expect("the last life printed a summary");
    let total = started.elapsed();

    // The device: every report delivered, none refused, none twice.
    let secrets = Arc::new(FileSecretStore::new(
        device_dir.path().join("keychain.json"),
    ));
    let core = device::open(
        &device_dir.path().join("data"),
        secrets,
        &platform.url(),
        device::quick_sync(),
    )
    .unwrap();
    let on_device = device::my_reports(&core).await.unwrap();
    let mut device_tags = BTreeMap::new();
    for r in &on_device {
        assert!(
            matches!(r.delivery, Delivery::Delivered { .. }),
            "report {} is {:?} on the device",
            r.id,
            r.delivery
        );
        let n = device::tag_of(&r.excerpt).expect("every report is the run's");
        assert!(
            device_tags.insert(n, r.id.to_string()).is_none(),
            "report #{n} twice on the device"
        );
    }
    assert_eq!(
        device_tags.keys().copied().collect::<Vec<_>>(),
        (0..reports).collect::<Vec<_>>(),
        "the device holds exactly the run's reports"
    );
    core.shutdown().await;
    drop(core);

    // After all those kills (a WAL never checkpointed, journals left behind) no file of the
    // device holds the session token: it lives only in the keychain.
    let token = FileSecretStore::new(device_dir.path().join("keychain.json"))
        .get(linli_core::SESSION_ACCOUNT)
        .unwrap()
        .expect("the session survived in the keychain");
    let mut files = vec![device_dir.path().join("data")];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "{} holds the session token",
            path.display()
        );
        checked += 1;
    }
    assert!(
        checked > reports.div_ceil(PHOTO_EVERY) as usize,
        "the photos and the database were read"
    );

    // The platform: each report exactly once, with the same id, with its photo.
    let held = platform::held_reports(&platform.database()).unwrap();
    let mut platform_tags: BTreeMap<u64, Vec<&platform::HeldReport>> = BTreeMap::new();
    for h in &held {
        if let Some(n) = device::tag_of(&h.description) {
            platform_tags.entry(n).or_default().push(h);
        }
    }
    for n in 0..reports {
        let copies = platform_tags.get(&n).map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(
            copies.len(),
            1,
            "report #{n} is held {} times",
            copies.len()
        );
        assert_eq!(copies[0].id, device_tags[&n], "report #{n} has another id");
        let photos = usize::from(n % PHOTO_EVERY == 0);
        assert_eq!(copies[0].photos, photos, "report #{n} photos");
    }
    let device_ids: HashSet<_> = device_tags.values().cloned().collect();
    let platform_ids: HashSet<_> = platform_tags
        .values()
        .flatten()
        .map(|h| h.id.clone())
        .collect();
    assert_eq!(device_ids, platform_ids);

    let line = format!(
        "crash run: {reports} reports ({} with photos), {} kills ({killed_before_ready} before \
         the device was ready), 1 platform crash, database write lock held {} s; kills took \
         {:.1} s, all delivered after {:.1} s; last life: {summary}",
        reports.div_ceil(PHOTO_EVERY),
        killed_at.load(Ordering::Relaxed),
        lock_for.as_secs(),
        kill_phase.as_secs_f64(),
        total.as_secs_f64(),
    );
    println!("{line}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output/reliability");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join(if long { "crash-long.txt" } else { "crash.txt" }),
        line + "\n",
    )
    .unwrap();
    platform.stop().await;
}
