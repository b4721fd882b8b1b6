//! One life of a device in the crash run: opens the core on its data dir, signs in if the
//! session is gone, queues the run's reports (every `--photo-every`th with a photo) while the
//! sync engine sends them, and goes on sending until it is killed. With `--finish` it instead
//! waits until every report is delivered and prints a summary line, then stops cleanly.
//!
//! The parent (`tests/crash.rs`) kills it with SIGKILL at random moments and starts it again;
//! nothing here knows when that will happen, and nothing here tidies up on the way out.
//!
//! Lines on stdout: `ready`, `queued <n>`, `delivered <count>`, `summary <json>`.

use anyhow::{Context, bail};
use linli_api::ipc::Delivery;
use linli_core::Core;
use linli_reliability::device::{self, FileSecretStore};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    data: PathBuf,
    keychain: PathBuf,
    platform: String,
    platform_dir: PathBuf,
    phone: String,
    reports: u64,
    photo_every: u64,
    finish: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut it = std::env::args().skip(1);
    let mut get = |name: &str| -> anyhow::Result<String> {
        let flag = it.next().with_context(|| format!("missing {name}"))?;
        if flag != name {
            bail!("expected {name}, got {flag}");
        }
        it.next().with_context(|| format!("{name} needs a value"))
    };
    Ok(Args {
        data: get("--data")?.into(),
        keychain: get("--keychain")?.into(),
        platform: get("--platform")?,
        platform_dir: get("--platform-dir")?.into(),
        phone: get("--phone")?,
        reports: get("--reports")?.parse()?,
        photo_every: get("--photo-every")?.parse()?,
        finish: get("--finish")? == "yes",
    })
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Retries a step that needs the platform (it may be restarting, or its database locked).
async fn patiently<T, F, Fut>(what: &str, mut step: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match step().await {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() < deadline => {
                eprintln!("{what}: {e:#}; trying again");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e.context(what.to_owned())),
        }
    }
}

async fn queue_all(core: &Core, a: &Args) -> anyhow::Result<()> {
    let catalogue = patiently("catalogue", || device::catalogue(core)).await?;
    let existing = device::my_reports(core).await?;
    let mut next = 0;
    for r in &existing {
        let Some(n) = device::tag_of(&r.excerpt) else {
            // Killed between starting a report and saving its words: nothing to keep.
            if r.delivery == Delivery::Draft {
                device::call(core, linli_api::ipc::Request::DiscardDraft { id: r.id }).await?;
            }
            continue;
        };
        next = next.max(n + 1);
        if r.delivery == Delivery::Draft {
            // Killed while writing it: finish it as the resident would on coming back.
            if n % a.photo_every == 0 && r.photos == 0 {
                device::attach(core, r.id, &device::jpeg(n as u32, 640, 480)).await?;
            }
            device::submit(core, r.id).await?;
            say(&format!("queued {n}"));
        }
    }
    for n in next..a.reports {
        let written = device::write_report(core, device::draft(&catalogue, n)?).await?;
        if n % a.photo_every == 0 {
            device::attach(core, written.id, &device::jpeg(n as u32, 640, 480)).await?;
        }
        device::submit(core, written.id).await?;
        say(&format!("queued {n}"));
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct Summary {
    reports: usize,
    delivered: usize,
    rejected: Vec<String>,
    waiting: usize,
}

async fn summary(core: &Core) -> anyhow::Result<Summary> {
    let all = device::my_reports(core).await?;
    let mut s = Summary {
        reports: all.len(),
        delivered: 0,
        rejected: vec![],
        waiting: 0,
    };
    for r in &all {
        match &r.delivery {
            Delivery::Delivered { .. } => s.delivered += 1,
            Delivery::Rejected { error } => s.rejected.push(format!(
                "{}: {} {}",
                r.id,
                error.code.as_str(),
                error.detail
            )),
            _ => s.waiting += 1,
        }
    }
    Ok(s)
}

async fn live(a: Args) -> anyhow::Result<()> {
    let secrets = Arc::new(FileSecretStore::new(&a.keychain));
    let core = device::open(&a.data, secrets, &a.platform, device::quick_sync())?;
    core.start_sync();
    if !device::signed_in(&core).await? {
        patiently("sign-in", || {
            device::sign_in(&core, &a.platform_dir, &a.phone)
        })
        .await?;
    }
    say("ready");
    queue_all(&core, &a).await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut last = usize::MAX;
    loop {
        let s = summary(&core).await?;
        if s.delivered != last {
            say(&format!("delivered {}", s.delivered));
            last = s.delivered;
        }
        if a.finish && (s.waiting == 0 || Instant::now() > deadline) {
            say(&format!("summary {}", serde_json::to_string(&s)?));
            core.shutdown().await;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    // A phone's runtime: a couple of threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(live(a))
}
