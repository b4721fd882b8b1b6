//! Sync: how long the core takes to deliver N queued reports to a local platform, against the
//! same N report creations sent by a plain HTTP loop (the floor) at the concurrency the core's
//! sender uses (one at a time). Each side gets a fresh platform in this process.
//!
//! Target: the core within 1.5x of the floor; and every report on the platform exactly once.
//!
//! ```text
//! cargo run --release -p linli-bench --bin sync               # 10,000 reports
//! cargo run --release -p linli-bench --bin sync -- --quick    # 1,000 reports (CI)
//! ```

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use linli_api::ReportId;
use linli_api::ipc::{Delivery, Request, Response};
use linli_api::report::{Place, ReportDraft, Urgency};
use linli_bench::{Figures, Target};
use linli_bench::{call, open_core, sign_in_core};
use linli_core::Core;
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "The core's outbox against a plain HTTP loop, delivering the same reports")]
struct Args {
    /// Short run for CI (1,000 reports).
    #[arg(long)]
    quick: bool,
    /// Reports to deliver (default 10,000, or 1,000 with --quick).
    #[arg(long)]
    reports: Option<usize>,
    /// A figure (by its name in the table) whose missed target is known and tracked: shown
    /// as missed, the run still passes. Repeatable.
    #[arg(long = "tolerate-miss", value_name = "FIGURE")]
    tolerate_miss: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args
        .reports
        .unwrap_or(if args.quick { 1_000 } else { 10_000 });
    let client = linli_bench::client()?;

    // The floor: the same creations, one after another, from a plain loop.
    let floor_dir = tempfile::tempdir()?;
    let platform = linli_bench::start_platform(floor_dir.path(), None).await?;
    let base = platform.url();
    let phone = linli_bench::RESIDENT_PHONES[0];
    let token = linli_bench::sign_in(&client, &base, floor_dir.path(), phone).await?;
    let catalogue = linli_bench::catalogue(&client, &base, &token).await?;
    let bodies = (0..n)
        .map(|i| linli_bench::new_report(&catalogue, i))
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    for body in &bodies {
        linli_bench::post_report(&client, &base, &token, body).await?;
    }
    let floor = started.elapsed();
    let held = linli_bench::reports_on_platform(&client, &base, &token).await?;
    ensure!(
        held.len() == n,
        "the floor left {} reports, not {n}",
        held.len()
    );
    platform.shutdown().await;

    // The core: the same number queued on a device, then the sync engine started.
    let platform_dir = tempfile::tempdir()?;
    let platform = linli_bench::start_platform(platform_dir.path(), None).await?;
    let base = platform.url();
    let device = tempfile::tempdir()?;
    let core = open_core(device.path(), &base)?;
    sign_in_core(&core, platform_dir.path(), phone).await?;
    let queued_at = Instant::now();
    let queued = queue(&core, n).await?;
    let queueing = queued_at.elapsed();

    let started = Instant::now();
    core.start_sync();
    let deadline = started + floor * 20 + Duration::from_secs(60);
    loop {
        if pending(&core).await? == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the core had not delivered everything after {:?}",
                started.elapsed()
            );
        }
        // Counting what waits reads the queue; asked more often, the asking would slow the
        // sender it measures.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = started.elapsed();

    // Exactly once: the platform holds each queued report once, and the device shows each
    // delivered.
    let token = linli_bench::sign_in(&client, &base, platform_dir.path(), phone).await?;
    let held = linli_bench::reports_on_platform(&client, &base, &token).await?;
    let ids: HashSet<ReportId> = held.iter().map(|r| r.id).collect();
    ensure!(
        held.len() == n && ids == queued,
        "the platform holds {} reports ({} distinct) for {n} queued",
        held.len(),
        ids.len()
    );
    let Response::Reports(mine) = core
        .handle(Request::MyReports)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    else {
        bail!("MyReports answered something else");
    };
    let shown = mine
        .iter()
        .filter(|r| matches!(r.delivery, Delivery::Delivered { .. }))
        .count();
    ensure!(shown == n, "the device shows {shown} of {n} delivered");
    core.shutdown().await;
    platform.shutdown().await;

    let mut figures = Figures::new(format!("Sync: delivering {n} queued reports"));
    figures.add(
        format!("plain HTTP loop, {n} POSTs one at a time (floor)"),
        floor.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.add(
        "the core's outbox, start to all delivered",
        delivered.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.add(
        "core / floor",
        delivered.as_secs_f64() / floor.as_secs_f64(),
        "x",
        Target::AtMost(1.5),
    );
    figures.add(
        "queueing them on the device (draft, save, submit)",
        queueing.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.note(format!(
        "Reports without photos; the platform (SQLite) in the same process on a fresh data dir \
         for each side; each of the {n} found exactly once on the platform and shown \
         delivered on the device afterwards (release build)."
    ));
    figures.note(linli_bench::machine());
    figures.tolerate(&args.tolerate_miss);
    figures.finish()
}

/// Writes and submits `n` complete reports on the device, as the form would.
async fn queue(core: &Core, n: usize) -> Result<HashSet<ReportId>> {
    let Response::Catalogue(catalogue) = call(core, Request::Catalogue).await? else {
        bail!("no catalogue");
    };
    let unit = catalogue
        .units
        .first()
        .context("the resident has no unit")?
        .id;
    let mut ids = HashSet::with_capacity(n);
    for i in 0..n {
        let Response::Report(draft) = call(core, Request::NewDraft).await? else {
            bail!("no draft");
        };
        let words = ReportDraft {
            category: Some("water_plumbing".into()),
            description: format!("厨房水池下面的水管接口在滴水（第 {i} 次）"),
            place: Some(Place::Unit { unit_id: unit }),
            urgency: Urgency::Soon,
            photo_ids: vec![],
            visibility: Default::default(),
        };
        call(
            core,
            Request::SaveDraft {
                id: draft.id,
                draft: words,
                editor: None,
            },
        )
        .await?;
        call(core, Request::Submit { id: draft.id }).await?;
        ids.insert(draft.id);
    }
    Ok(ids)
}

/// Reports waiting to go, as the header shows them.
async fn pending(core: &Core) -> Result<u32> {
    match call(core, Request::Status).await? {
        Response::Status(status) => Ok(status.sync.pending),
        other => bail!("Status answered {other:?}"),
    }
}
