//! Sync: how long the core takes to deliver N queued reports to a local platform, against the
//! same N report creations sent by a plain HTTP loop (the floor) with as many in flight as the
//! core's sender lets go at most ([`SendWindow::MAX`]; the core starts at one and grows).
//! Each side gets a fresh platform in this process; the sides alternate (three rounds each,
//! medians compared: single runs of 10,000 reports read anywhere from 1.26x to 1.85x on this
//! machine within half an hour). The process's CPU time per report is printed beside
//! the wall times: on this shared 2-core machine it moves less than they do.
//!
//! Two ways of sharing the machine's cores, each measured in the same run:
//!
//! - **A core each** (the target): the platform's threads on one core, the phone's side (the
//!   core, or the loop) on another, as a phone and a server are two machines. The time is
//!   then what a resident waits for: the pace of the slower of the two.
//! - **Shared**: every thread on every core. The phone's work then takes CPU from the
//!   platform, so the figure also moves with the platform's speed: making filing cheaper on
//!   the platform (2026-11-30) made this ratio worse with the phone's side unchanged. Shown
//!   beside the target, with the CPU each report cost.
//!
//! Target: the core within 1.5x of the floor; and every report on the platform exactly once.
//!
//! ```text
//! cargo run --release -p linli-bench --bin sync               # 10,000 reports
//! cargo run --release -p linli-bench --bin sync -- --quick    # 1,000 reports, 5 rounds (CI)
//! ```

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use futures_util::StreamExt;
use linli_api::ReportId;
use linli_api::ipc::{Delivery, Event, Request, Response};
use linli_api::report::{Place, ReportDraft, Urgency};
use linli_bench::{Figures, Target};
use linli_bench::{call, open_core_telling, sign_in_core};
use linli_core::outbox::SendWindow;
use linli_core::{Core, EventSink};
use linli_platform::RunningPlatform;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;

#[derive(Parser, Debug)]
#[command(about = "The core's outbox against a plain HTTP loop, delivering the same reports")]
struct Args {
    /// Short run for CI (1,000 reports).
    #[arg(long)]
    quick: bool,
    /// Reports to deliver (default 10,000, or 1,000 with --quick).
    #[arg(long)]
    reports: Option<usize>,
    /// Rounds of both sides, alternating; the medians are compared (default 3, or 5 with
    /// --quick, whose smaller runs move more: one round is at the mercy of a neighbour's load).
    #[arg(long)]
    rounds: Option<usize>,
    /// A figure (by its name in the table) whose missed target is known and tracked: shown
    /// as missed, the run still passes. Repeatable.
    #[arg(long = "tolerate-miss", value_name = "FIGURE")]
    tolerate_miss: Vec<String>,
}

/// One side's run: wall time to deliver everything, and the CPU time the process used meanwhile.
#[derive(Clone, Copy, Debug)]
struct Run {
    wall: Duration,
    cpu: Duration,
}

/// How the threads share the machine's cores.
#[derive(Debug)]
enum Cores {
    /// The platform's threads on one core, the phone's side on another.
    Apart { phone: usize, platform: usize },
    /// Every thread on every core the process may use.
    Shared(Vec<usize>),
}

/// The medians of one way of sharing the cores.
struct Medians {
    floor: Run,
    core: Run,
    queueing: Duration,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let n = args
        .reports
        .unwrap_or(if args.quick { 1_000 } else { 10_000 });
    let rounds = args.rounds.unwrap_or(if args.quick { 5 } else { 3 }).max(1);
    let allowed = allowed_cpus().context("reading which cores this process may use")?;
    let apart = match allowed.as_slice() {
        [phone, platform, ..] => Some(Cores::Apart {
            phone: *phone,
            platform: *platform,
        }),
        _ => None,
    };

    let of = if rounds > 1 {
        format!(", median of {rounds}")
    } else {
        String::new()
    };
    let mut figures = Figures::new(format!("Sync: delivering {n} queued reports"));
    match &apart {
        Some(cores) => {
            let m = measure(cores, n, rounds)?;
            add(&mut figures, &m, n, &of, "a core each", Target::AtMost(1.5));
        }
        None => figures.note(
            "Only one core may be used: the phone's side and the platform cannot have one each, \
             so the target is judged on the shared run.",
        ),
    }
    let m = measure(&Cores::Shared(allowed), n, rounds)?;
    let target = if apart.is_some() {
        Target::None
    } else {
        Target::AtMost(1.5)
    };
    add(&mut figures, &m, n, &of, "shared cores", target);
    figures.add(
        "queueing them on the device (draft, save, submit)",
        m.queueing.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.note(format!(
        "Reports without photos; the platform (SQLite) in the same process on a fresh data dir \
         for each side and round; the sides alternate; each of the {n} found exactly once on \
         the platform and shown delivered on the device afterwards (release build). CPU is the \
         whole process's (both sides share it with the platform). \"a core each\": the \
         platform's threads on one core, the phone's side (the core, or the loop) on another, \
         as a phone and a server are two machines; \"shared cores\": every thread on every core, \
         so the phone's side also takes the platform's CPU."
    ));
    figures.note(linli_bench::machine());
    figures.tolerate(&args.tolerate_miss);
    figures.finish()
}

/// The rows of one way of sharing the cores.
fn add(figures: &mut Figures, m: &Medians, n: usize, of: &str, cores: &str, target: Target) {
    figures.add(
        format!(
            "{cores}: plain HTTP loop, {n} POSTs, {} in flight (floor{of})",
            SendWindow::MAX
        ),
        m.floor.wall.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.add(
        format!("{cores}: the core's outbox, start to all delivered{of}"),
        m.core.wall.as_secs_f64(),
        "s",
        Target::None,
    );
    figures.add(
        format!("{cores}: core / floor"),
        m.core.wall.as_secs_f64() / m.floor.wall.as_secs_f64(),
        "x",
        target,
    );
    figures.add(
        format!("{cores}: CPU per report, floor (platform and loop)"),
        m.floor.cpu.as_secs_f64() * 1e6 / n as f64,
        "us",
        Target::None,
    );
    figures.add(
        format!("{cores}: CPU per report, core (platform, device and its change feed)"),
        m.core.cpu.as_secs_f64() * 1e6 / n as f64,
        "us",
        Target::None,
    );
}

/// Both sides, `rounds` times alternating, with the threads placed as `cores` says.
fn measure(cores: &Cores, n: usize, rounds: usize) -> Result<Medians> {
    let (phone_cores, platform_cores) = match cores {
        Cores::Apart { phone, platform } => (vec![*phone], Some(vec![*platform])),
        Cores::Shared(all) => (all.clone(), None),
    };
    // The main thread drives the phone's side (`block_on`): it goes where that side's threads go.
    pin_current_thread(&phone_cores).context("placing the phone's side")?;
    let phone = runtime(phone_cores)?;
    let platform = platform_cores.map(runtime).transpose()?;
    let platforms = platform.as_ref().map(|rt| rt.handle().clone());
    let label = match cores {
        Cores::Apart { .. } => "a core each",
        Cores::Shared(_) => "shared cores",
    };
    phone.block_on(async {
        let client = linli_bench::client()?;
        let (mut floors, mut runs, mut queueing) = (vec![], vec![], vec![]);
        for round in 0..rounds {
            let floor = floor_run(&client, n, platforms.as_ref()).await?;
            let (core, queued) = core_run(&client, n, platforms.as_ref()).await?;
            eprintln!(
                "{label}, round {}: floor {:.2?} (CPU {:.2?}), core {:.2?} (CPU {:.2?})",
                round + 1,
                floor.wall,
                floor.cpu,
                core.wall,
                core.cpu
            );
            floors.push(floor);
            runs.push(core);
            queueing.push(queued);
        }
        queueing.sort();
        Ok(Medians {
            floor: median(&floors),
            core: median(&runs),
            queueing: queueing[queueing.len() / 2],
        })
    })
}

/// The median wall time and the median CPU time of `runs`, each on its own.
fn median(runs: &[Run]) -> Run {
    let middle = |f: fn(&Run) -> Duration| {
        let mut v: Vec<Duration> = runs.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    Run {
        wall: middle(|r| r.wall),
        cpu: middle(|r| r.cpu),
    }
}

/// A runtime whose threads (workers and blocking ones) all run on `cores`.
fn runtime(cores: Vec<usize>) -> Result<tokio::runtime::Runtime> {
    let workers = cores.len();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .on_thread_start(move || {
            if let Err(e) = pin_current_thread(&cores) {
                eprintln!("a thread could not be placed on cores {cores:?}: {e}");
            }
        })
        .build()
        .context("starting a runtime")
}

/// Starts a platform on a fresh data dir, on the platform's own runtime when it has one.
async fn start_platform(dir: &Path, on: Option<&Handle>) -> Result<RunningPlatform> {
    match on {
        Some(runtime) => {
            let dir = dir.to_path_buf();
            runtime
                .spawn(async move { linli_bench::start_platform(&dir, None).await })
                .await
                .context("the platform's start")?
        }
        None => linli_bench::start_platform(dir, None).await,
    }
}

/// Stops a platform where it runs.
async fn stop_platform(platform: RunningPlatform, on: Option<&Handle>) {
    match on {
        Some(runtime) => {
            if let Err(e) = runtime.spawn(platform.shutdown()).await {
                eprintln!("the platform did not stop cleanly: {e}");
            }
        }
        None => platform.shutdown().await,
    }
}

/// The cores this process may run on.
#[expect(unsafe_code, reason = "sched_getaffinity: a call into the C library")]
fn allowed_cpus() -> std::io::Result<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity writes at most
    // `size_of::<cpu_set_t>()` bytes into it, and CPU_ISSET reads within it for ids below
    // CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((0..libc::CPU_SETSIZE as usize)
            .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
            .collect())
    }
}

/// Keeps the calling thread (and the threads it starts from now on) on `cores`.
#[expect(unsafe_code, reason = "sched_setaffinity: a call into the C library")]
fn pin_current_thread(cores: &[usize]) -> std::io::Result<()> {
    // SAFETY: as in `allowed_cpus`; every id comes from `allowed_cpus`, below CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &cpu in cores {
            libc::CPU_SET(cpu, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The floor: the reports filed by a plain loop keeping as many in flight as the core may.
async fn floor_run(client: &reqwest::Client, n: usize, on: Option<&Handle>) -> Result<Run> {
    let floor_dir = tempfile::tempdir()?;
    let platform = start_platform(floor_dir.path(), on).await?;
    let base = platform.url();
    let phone = linli_bench::RESIDENT_PHONES[0];
    let token = linli_bench::sign_in(client, &base, floor_dir.path(), phone).await?;
    let catalogue = linli_bench::catalogue(client, &base, &token).await?;
    let bodies = (0..n)
        .map(|i| linli_bench::new_report(&catalogue, i))
        .collect::<Result<Vec<_>>>()?;
    let cpu = linli_bench::process_cpu();
    let started = Instant::now();
    let mut posts = futures_util::stream::iter(&bodies)
        .map(|body| linli_bench::post_report(client, &base, &token, body))
        .buffer_unordered(SendWindow::MAX);
    while let Some(posted) = posts.next().await {
        posted?;
    }
    drop(posts);
    let run = Run {
        wall: started.elapsed(),
        cpu: linli_bench::process_cpu().saturating_sub(cpu),
    };
    let held = linli_bench::reports_on_platform(client, &base, &token).await?;
    ensure!(
        held.len() == n,
        "the floor left {} reports, not {n}",
        held.len()
    );
    stop_platform(platform, on).await;
    Ok(run)
}

/// The core: `n` reports queued on a device, then the sync engine started; also returns how
/// long queueing them took.
async fn core_run(
    client: &reqwest::Client,
    n: usize,
    on: Option<&Handle>,
) -> Result<(Run, Duration)> {
    let phone = linli_bench::RESIDENT_PHONES[0];
    let platform_dir = tempfile::tempdir()?;
    let platform = start_platform(platform_dir.path(), on).await?;
    let base = platform.url();
    let device = tempfile::tempdir()?;
    let drained = Arc::new(Drained::default());
    let core = open_core_telling(device.path(), &base, drained.clone())?;
    sign_in_core(&core, platform_dir.path(), phone).await?;
    let queued_at = Instant::now();
    let queued = queue(&core, n).await?;
    let queueing = queued_at.elapsed();

    let cpu = linli_bench::process_cpu();
    let started = Instant::now();
    core.start_sync();
    // The sender tells the count of what waits at the end of every pass: the moment it says
    // nothing is left is the moment everything was delivered.
    let deadline = Duration::from_secs(60) + Duration::from_millis(n as u64 * 20);
    loop {
        let told = tokio::time::timeout(deadline, drained.notify.notified()).await;
        if told.is_err() {
            bail!(
                "the core had not delivered everything after {:?}",
                started.elapsed()
            );
        }
        if drained.pending.load(Ordering::SeqCst) == 0 && pending(&core).await? == 0 {
            break;
        }
    }
    let run = Run {
        wall: started.elapsed(),
        cpu: linli_bench::process_cpu().saturating_sub(cpu),
    };

    // Exactly once: the platform holds each queued report once, and the device shows each
    // delivered.
    let token = linli_bench::sign_in(client, &base, platform_dir.path(), phone).await?;
    let held = linli_bench::reports_on_platform(client, &base, &token).await?;
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
    stop_platform(platform, on).await;
    Ok((run, queueing))
}

/// Hears the core's sync state: the last count of what waits, and a wake-up when it changes.
#[derive(Default)]
struct Drained {
    pending: AtomicU32,
    notify: tokio::sync::Notify,
}

impl EventSink for Drained {
    fn emit(&self, event: Event) {
        if let Event::SyncChanged(state) = event {
            self.pending.store(state.pending, Ordering::SeqCst);
            self.notify.notify_one();
        }
    }

    fn notify(&self, _title: String, _body: String) {}
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
