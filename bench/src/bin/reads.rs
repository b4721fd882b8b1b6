//! Local reads: how long the core takes to list N cached reports (`Request::MyReports` through
//! `Core::handle`, what the "my reports" page asks for), with the reports filed on a real
//! platform and brought to the device by the core's own change feed, timelines and all.
//!
//! Target: under 10 ms for 10,000 reports (the median of repeated calls). Also printed: a
//! listing right after a report changed, and the first listing after the core opens.
//!
//! ```text
//! cargo run --release -p linli-bench --bin reads               # 10,000 reports, 30 calls
//! cargo run --release -p linli-bench --bin reads -- --quick    # 10,000 reports, 10 calls (CI)
//! ```

use anyhow::{Result, bail, ensure};
use clap::Parser;
use linli_api::ipc::{Request, Response};
use linli_bench::{Figures, Latencies, Target, call, ms, open_core, sign_in_core};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Listing the device's cached reports")]
struct Args {
    /// Short run for CI (fewer timed calls; the same number of reports).
    #[arg(long)]
    quick: bool,
    /// Reports on the device.
    #[arg(long, default_value_t = 10_000)]
    reports: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.reports;
    let calls = if args.quick { 10 } else { 30 };
    let client = linli_bench::client()?;
    let platform_dir = tempfile::tempdir()?;
    let platform = linli_bench::start_platform(platform_dir.path(), None).await?;
    let base = platform.url();
    let phone = linli_bench::RESIDENT_PHONES[0];
    let token = linli_bench::sign_in(&client, &base, platform_dir.path(), phone).await?;
    let catalogue = Arc::new(linli_bench::catalogue(&client, &base, &token).await?);

    // File them on the platform, as the resident's other devices (or earlier installs) did.
    let next = Arc::new(AtomicUsize::new(0));
    let mut filers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (client, base, token, catalogue, next) = (
            client.clone(),
            base.clone(),
            token.clone(),
            catalogue.clone(),
            next.clone(),
        );
        filers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(());
                }
                let report = linli_bench::new_report(&catalogue, i)?;
                linli_bench::post_report(&client, &base, &token, &report).await?;
            }
        });
    }
    while let Some(done) = filers.join_next().await {
        done??;
    }

    // A fresh device signs in; its change feed brings every report down.
    let device = tempfile::tempdir()?;
    let core = open_core(device.path(), &base)?;
    sign_in_core(&core, platform_dir.path(), phone).await?;
    let imported_at = Instant::now();
    core.start_sync();
    let deadline = imported_at + Duration::from_secs(600);
    loop {
        let count = list(&core).await?.0;
        if count == n {
            break;
        }
        if Instant::now() > deadline {
            bail!("the device has {count} of {n} reports after 10 minutes");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let import = imported_at.elapsed();
    // Timed on a quiet device: the feed stopped, nothing else touching the store.
    core.shutdown().await;

    for _ in 0..3 {
        list(&core).await?;
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let (count, took) = list(&core).await?;
        ensure!(count == n, "the list had {count} reports, not {n}");
        times.push(took);
    }
    let times = Latencies::new(times);
    // The shell hands the answer to the UI as JSON: that step, for the same answer, apart.
    let answer = call(&core, Request::MyReports).await?;
    let mut json_times = Vec::with_capacity(calls);
    let mut json_bytes = 0;
    for _ in 0..calls {
        let started = Instant::now();
        json_bytes = serde_json::to_vec(&answer)?.len();
        json_times.push(started.elapsed());
    }
    let json_times = Latencies::new(json_times);

    // The list is kept in memory between listings (linli-core's store/list.rs), so two more
    // figures say what the figure above does not: a listing right after a report changed
    // (the changed row is read again), and the first listing after the core opens (the whole
    // list read from the database).
    let rounds = if args.quick { 5 } else { 15 };
    let mut after_change = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let Response::Report(draft) = call(&core, Request::NewDraft).await? else {
            bail!("NewDraft answered something else");
        };
        let (count, took) = list(&core).await?;
        ensure!(
            count == n + 1,
            "the list had {count} reports, not {}",
            n + 1
        );
        after_change.push(took);
        call(&core, Request::DiscardDraft { id: draft.id }).await?;
    }
    let after_change = Latencies::new(after_change);
    let mut first = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let reopened = open_core(device.path(), &base)?;
        let (count, took) = list(&reopened).await?;
        ensure!(count == n, "the list had {count} reports, not {n}");
        first.push(took);
        reopened.shutdown().await;
    }
    let first = Latencies::new(first);
    platform.shutdown().await;

    let mut figures = Figures::new(format!("Local reads: listing {n} cached reports"));
    figures.add(
        "MyReports through Core::handle, median",
        ms(times.percentile(50.0)),
        "ms",
        Target::AtMost(10.0),
    );
    figures.add("fastest", ms(times.percentile(0.0)), "ms", Target::None);
    figures.add("slowest", ms(times.percentile(100.0)), "ms", Target::None);
    figures.add(
        "right after one report changed (a new draft), median",
        ms(after_change.percentile(50.0)),
        "ms",
        Target::None,
    );
    figures.add(
        "first listing after the core opens (the whole list read from the database), median",
        ms(first.percentile(50.0)),
        "ms",
        Target::None,
    );
    figures.add(
        "the same answer as JSON for the UI (the shell's step), median",
        ms(json_times.percentile(50.0)),
        "ms",
        Target::None,
    );
    figures.add(
        "size of that JSON",
        json_bytes as f64 / 1024.0,
        "KiB",
        Target::None,
    );
    figures.add(
        "bringing them to a new device through the change feed",
        import.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.note(format!(
        "{} timed calls after 3 untimed, {rounds} of each of the other two; reports delivered \
         (each with its timeline and the platform's last answer) as a device holds them; the \
         list answers one summary row per report, the detail stays `Request::Report` (release \
         build).",
        times.len()
    ));
    figures.note(linli_bench::machine());
    figures.finish()
}

/// Lists the device's reports: how many, and how long the call took.
async fn list(core: &linli_core::Core) -> Result<(usize, Duration)> {
    let started = Instant::now();
    let answer = call(core, Request::MyReports).await?;
    let took = started.elapsed();
    match answer {
        Response::Reports(reports) => Ok((reports.len(), took)),
        other => bail!("MyReports answered {other:?}"),
    }
}
