//! The fault run: a core talks to a real platform through a proxy that drops connections,
//! answers 500 and 429 (with `Retry-After`), stalls past the core's timeouts and cuts bodies
//! in half. Every operation — reports (some with photos), comments, confirming a fix and
//! rating it — ends exactly once on the platform, none refused; and the core keeps to its
//! backoff: after a 429 it waits at least `Retry-After`, the waits after repeated failures
//! grow as the backoff says, and retries never come in a storm.
//!
//! Short by default (about 500 operations); `LINLI_LONG=1` runs 10,000 (`LINLI_FAULT_OPS` sets
//! another number).

use linli_api::ipc::{ActionDelivery, Delivery, Request};
use linli_api::report::Rating;
use linli_api::{CommentId, ReportId};
use linli_core::{Backoff, MemorySecretStore, SyncOptions};
use linli_platform::demo::{PROPERTY_STAFF_PHONE, RESIDENT_PHONE};
use linli_reliability::device;
use linli_reliability::platform::{self, Platform};
use linli_reliability::proxy::{Fault, FaultPlan, FaultProxy, Seen};
use linli_reliability::{env_number, long_run};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const COMMENTS_PER_REPORT: u64 = 2;
/// Every this many reports, staff resolve it and the resident confirms and rates.
const CLOSE_EVERY: u64 = 10;
const PHOTO_EVERY: u64 = 8;
const RETRY_AFTER_SECS: u64 = 1;

fn backoff() -> Backoff {
    Backoff {
        base: Duration::from_millis(200),
        cap: Duration::from_secs(3),
    }
}

fn sync() -> SyncOptions {
    SyncOptions {
        // Polling only: every request of the feed meets the faults too, none stays open.
        live_feed: false,
        poll_interval: Duration::from_secs(1),
        backoff: backoff(),
        feed_backoff: backoff(),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(1),
        upload_timeout: Duration::from_secs(2),
        feed_read_timeout: Duration::from_secs(5),
    }
}

fn plan() -> FaultPlan {
    let share = |f: Fault| match f {
        // A stall holds the one sender for a whole timeout: rarer, or the run takes hours.
        Fault::Stall => 0.01,
        _ => 0.04,
    };
    let faults = [
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Error500,
        Fault::Error500After,
        Fault::TooMany,
        Fault::Stall,
        Fault::CutRequest,
        Fault::CutResponse,
    ];
    FaultPlan {
        odds: faults.iter().map(|f| (*f, share(*f))).collect(),
        first_items: Vec::new(),
        retry_after_secs: RETRY_AFTER_SECS,
        // Past the core's request timeout (1 s) and upload timeout (2 s).
        stall: Duration::from_millis(2500),
    }
}

/// Operations a report brings: itself, its comments, and for every `CLOSE_EVERY`th a
/// confirmation and a rating.
fn ops_for(reports: u64) -> u64 {
    reports * (1 + COMMENTS_PER_REPORT) + 2 * reports.div_ceil(CLOSE_EVERY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_ends_exactly_once_through_a_faulty_network() {
    let long = long_run();
    let wanted_ops = env_number("LINLI_FAULT_OPS", if long { 10_000 } else { 500 });
    let mut reports = 1;
    while ops_for(reports) < wanted_ops {
        reports += 1;
    }
    let platform_dir = tempfile::tempdir().unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(platform_dir.path()).await.unwrap();
    let proxy = FaultProxy::start(platform.addr(), plan()).await.unwrap();
    let core = device::open(
        device_dir.path(),
        Arc::new(MemorySecretStore::new()),
        &proxy.url(),
        sync(),
    )
    .unwrap();
    core.start_sync();
    device::sign_in(&core, platform.data_dir(), RESIDENT_PHONE)
        .await
        .unwrap();
    let catalogue = device::catalogue(&core).await.unwrap();
    let staff = platform::sign_in_http(&platform.url(), platform.data_dir(), PROPERTY_STAFF_PHONE)
        .await
        .unwrap();
    proxy.faults(true);
    let started = Instant::now();

    // Everything the resident does, at once, as fast as the UI would let them.
    let mut ids: BTreeMap<u64, ReportId> = BTreeMap::new();
    let mut comments: HashMap<CommentId, (ReportId, String)> = HashMap::new();
    for n in 0..reports {
        let written = device::write_report(&core, device::draft(&catalogue, n).unwrap())
            .await
            .unwrap();
        if n % PHOTO_EVERY == 0 {
            device::attach(&core, written.id, &device::jpeg(n as u32, 800, 600))
                .await
                .unwrap();
        }
        device::submit(&core, written.id).await.unwrap();
        for c in 0..COMMENTS_PER_REPORT {
            let body = format!("补充说明 {c}，第{n}号");
            let id = device::comment(&core, written.id, &body).await.unwrap();
            comments.insert(id, (written.id, body));
        }
        ids.insert(n, written.id);
    }
    let queued_in = started.elapsed();

    // Staff resolve every CLOSE_EVERY-th report once it arrives; the resident confirms and,
    // once it is closed, rates.
    let to_close: Vec<(u64, ReportId)> = ids
        .iter()
        .filter(|(n, _)| *n % CLOSE_EVERY == 0)
        .map(|(n, id)| (*n, *id))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(if long { 3600 } else { 600 });
    let mut resolved = HashSet::new();
    let mut confirmed = HashSet::new();
    let mut rated = HashSet::new();
    let mut last_note = Instant::now();
    loop {
        let on_device = device::my_reports(&core).await.unwrap();
        let by_id: HashMap<_, _> = on_device.iter().map(|r| (r.id, r)).collect();
        // Actions queued in this pass are not in `on_device`, read before them: a pass that
        // queues any must not be the one that decides the run is done.
        let mut queued_now = false;
        for (_, id) in &to_close {
            let r = by_id[id];
            if !matches!(r.delivery, Delivery::Delivered { .. }) {
                continue;
            }
            if !resolved.insert(*id) {
                continue;
            }
            // Staff resolve it on the platform; the resident confirms and rates at once, as
            // the app lets them as soon as it hears: the two actions go out in order, so
            // the rating reaches a closed report. (Waiting for the device to hear of the
            // resolution would time the change feed under faults, not the outbox.)
            platform::resolve(&platform.url(), &staff, *id)
                .await
                .unwrap();
            device::call(&core, Request::ConfirmFixed { id: *id })
                .await
                .unwrap();
            confirmed.insert(*id);
            let rating = Rating {
                attitude: 5,
                quality: 4,
                speed: 4,
                comment: String::new(),
            };
            device::call(&core, Request::Rate { id: *id, rating })
                .await
                .unwrap();
            rated.insert(*id);
            queued_now = true;
        }
        let mut refused: Vec<_> = on_device
            .iter()
            .filter_map(|r| match &r.delivery {
                Delivery::Rejected { error } => Some(format!("{}: {:?}", r.id, error)),
                _ => None,
            })
            .collect();
        for r in on_device.iter().filter(|r| r.actions_refused > 0) {
            // The row counts them; the whole report says why.
            let whole = device::report(&core, r.id).await.unwrap();
            refused.extend(whole.actions.iter().filter_map(|a| match &a.delivery {
                ActionDelivery::Rejected { error } => {
                    Some(format!("action on {}: {error:?}", r.id))
                }
                _ => None,
            }));
        }
        assert!(refused.is_empty(), "refused on the device: {refused:#?}");
        let done = on_device.iter().all(|r| {
            matches!(r.delivery, Delivery::Delivered { .. })
                && r.actions_waiting == 0
                && r.actions_refused == 0
        }) && rated.len() == to_close.len()
            && !queued_now;
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not done in time: {} of {} delivered",
            on_device
                .iter()
                .filter(|r| matches!(r.delivery, Delivery::Delivered { .. }))
                .count(),
            reports
        );
        if last_note.elapsed() > Duration::from_secs(10) {
            last_note = Instant::now();
            eprintln!(
                "after {:.0} s: {} of {reports} delivered, {} actions waiting, {} requests",
                started.elapsed().as_secs_f64(),
                on_device
                    .iter()
                    .filter(|r| matches!(r.delivery, Delivery::Delivered { .. }))
                    .count(),
                on_device.iter().map(|r| r.actions_waiting).sum::<u32>(),
                proxy.seen().len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let took = started.elapsed();
    proxy.faults(false);
    core.shutdown().await;

    // Exactly once on the platform.
    let held = platform::held_reports(&platform.database()).unwrap();
    let mut copies: BTreeMap<u64, Vec<&platform::HeldReport>> = BTreeMap::new();
    for h in &held {
        if let Some(n) = device::tag_of(&h.description) {
            copies.entry(n).or_default().push(h);
        }
    }
    for (n, id) in &ids {
        let c = copies.get(n).map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(c.len(), 1, "report #{n} held {} times", c.len());
        assert_eq!(c[0].id, id.to_string());
        assert_eq!(
            c[0].photos,
            usize::from(n % PHOTO_EVERY == 0),
            "#{n} photos"
        );
    }
    let held_comments = platform::held_comments(&platform.database()).unwrap();
    let mut bodies = HashSet::new();
    let mut ours = 0;
    for (cid, rid, body) in &held_comments {
        let Ok(cid) = cid.parse::<uuid::Uuid>() else {
            continue;
        };
        if let Some((report, expected)) = comments.get(&CommentId(cid)) {
            ours += 1;
            assert_eq!(rid, &report.to_string());
            assert_eq!(body, expected);
            assert!(bodies.insert(body.clone()), "comment {body} twice");
        }
    }
    assert_eq!(ours, comments.len(), "every comment reached the platform");
    let timeline = platform::timeline_counts(&platform.database()).unwrap();
    for (n, id) in &to_close {
        for kind in ["confirmed", "rated"] {
            let count = timeline
                .get(&(id.to_string(), kind.to_owned()))
                .copied()
                .unwrap_or(0);
            assert_eq!(count, 1, "report #{n}: {kind} {count} times");
        }
    }
    let ops = reports + comments.len() as u64 + (confirmed.len() + rated.len()) as u64;

    // Backoff respected.
    let seen = proxy.seen();
    let figures = check_backoff(&seen);
    let mut faults: BTreeMap<String, usize> = BTreeMap::new();
    for s in &seen {
        *faults.entry(format!("{:?}", s.fault)).or_default() += 1;
    }
    let line = format!(
        "fault run: {ops} operations ({reports} reports, {} comments, {} confirmations, {} \
         ratings), all exactly once; {} requests through the proxy, faults {faults:?}; queued \
         in {:.1} s, all done after {:.1} s; {figures}",
        comments.len(),
        confirmed.len(),
        rated.len(),
        seen.len(),
        queued_in.as_secs_f64(),
        took.as_secs_f64(),
    );
    println!("{line}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output/reliability");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join(if long {
            "faults-long.txt"
        } else {
            "faults.txt"
        }),
        line + "\n",
    )
    .unwrap();
    platform.stop().await;
}

/// Checks the retries the proxy saw against the backoff; returns the figures.
fn check_backoff(seen: &[Seen]) -> String {
    let mut by_item: HashMap<&str, Vec<&Seen>> = HashMap::new();
    for s in seen {
        if let Some(item) = &s.item {
            by_item.entry(item).or_default().push(s);
        }
    }
    // Retry-After: after a 429 the same item waits at least that long.
    let mut after_429 = 0;
    let mut early = vec![];
    // Gaps between an item's attempts, by how many attempts failed before.
    let mut gaps: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
    let mut retries_at = vec![];
    let mut most_attempts = 0;
    // How much longer than its backoff's ceiling an item waited to be tried again (the failed
    // request's own time, or a retry waiting for the items in flight to come back).
    let mut overdue: Vec<Duration> = vec![];
    let policy = backoff();
    for (item, attempts) in &by_item {
        most_attempts = most_attempts.max(attempts.len());
        for (i, pair) in attempts.windows(2).enumerate() {
            let gap = pair[1].at.saturating_sub(pair[0].at);
            retries_at.push(pair[1].at);
            if pair[0].fault == Fault::TooMany {
                after_429 += 1;
                // 50 ms for the clocks of two tasks; the wait is counted from the answer.
                if gap + Duration::from_millis(50) < Duration::from_secs(RETRY_AFTER_SECS) {
                    early.push(format!("{item}: {gap:?} after a 429"));
                }
            }
            if pair[0].fault != Fault::TooMany {
                gaps.entry(i + 1).or_default().push(gap);
                overdue.push(gap.saturating_sub(policy.ceiling(i as u32 + 1)));
            }
        }
    }
    assert!(
        early.is_empty(),
        "retried before Retry-After ({} of {after_429}): {early:#?}",
        early.len()
    );
    // Full jitter draws each wait from 0..=ceiling(k), whose mean is ceiling(k)/2 (a gap also
    // holds the failed request's own time, so it can only be longer). With enough samples the
    // mean gap stays above half of that.
    let mut means = vec![];
    for (k, g) in &gaps {
        if g.len() < 30 {
            continue;
        }
        let mean = g.iter().sum::<Duration>() / g.len() as u32;
        let expected = policy.ceiling(*k as u32) / 2;
        means.push(format!(
            "after {k} failures: mean {mean:.2?} (jitter mean {expected:.2?}, n={})",
            g.len()
        ));
        assert!(
            mean * 2 >= expected,
            "retries after {k} failures come too fast: mean gap {mean:?}, backoff mean {expected:?}"
        );
    }
    // No storm: count retries in every one-second window.
    retries_at.sort();
    let mut busiest = 0;
    let mut start = 0;
    for end in 0..retries_at.len() {
        while retries_at[end] - retries_at[start] >= Duration::from_secs(1) {
            start += 1;
        }
        busiest = busiest.max(end - start + 1);
    }
    // No storm: a retry goes alone, so while one is out no other item of the outbox is (a
    // storm is failed items retried side by side, again and again). Requests without an item
    // (the feed) do not count. A stall's end is not seen by the proxy: the client gave up on it
    // after its shortest timeout (1 s, counted from before the proxy saw the request), so the
    // first 900 ms of it are checked.
    let stall_seen_for = Duration::from_millis(900);
    let mut out: Vec<(Duration, Duration, &str)> = seen
        .iter()
        .filter_map(|s| {
            let item = s.item.as_deref()?;
            Some((s.at, s.ended.unwrap_or(s.at + stall_seen_for), item))
        })
        .collect();
    out.sort();
    let mut attempts_so_far: HashMap<&str, usize> = HashMap::new();
    let mut side_by_side = vec![];
    let longest = out.iter().map(|(a, b, _)| b.saturating_sub(*a)).max();
    for (i, &(start, end, item)) in out.iter().enumerate() {
        let n = attempts_so_far.entry(item).or_default();
        *n += 1;
        if *n == 1 {
            continue;
        }
        // Others that started before it and were still out when it started, or started
        // while it was out.
        let before = out[..i]
            .iter()
            .rev()
            .take_while(|(a, _, _)| start.saturating_sub(*a) <= longest.unwrap_or_default())
            .filter(|(_, b, other)| *other != item && *b > start);
        let during = out[i + 1..]
            .iter()
            .take_while(|(a, _, _)| *a < end)
            .filter(|(_, _, other)| *other != item);
        if let Some((_, _, other)) = before.chain(during).next() {
            side_by_side.push(format!("retry of {item} at {start:?} beside {other}"));
        }
    }
    assert!(
        side_by_side.is_empty(),
        "retries went out beside other items ({}): {:#?}",
        side_by_side.len(),
        &side_by_side[..side_by_side.len().min(10)]
    );
    overdue.sort();
    let at = |q: f64| {
        let i = (overdue.len().saturating_sub(1) as f64 * q) as usize;
        overdue.get(i).copied().unwrap_or_default()
    };
    format!(
        "{} retries, {after_429} after a 429 (none early), most attempts for one item \
         {most_attempts}, busiest second {busiest} retries, none beside another item; {}; \
         waited beyond the backoff's ceiling: median {:.2?}, 99th percentile {:.2?}, \
         longest {:.2?}",
        retries_at.len(),
        means.join("; "),
        at(0.5),
        at(0.99),
        at(1.0),
    )
}

/// A report that meets passing trouble goes again once its backoff has run out, not after the
/// whole backlog behind it: with thousands waiting, that was minutes later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_report_goes_again_before_the_backlog_behind_it() {
    const BACKLOG: u64 = 120;
    let platform_dir = tempfile::tempdir().unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(platform_dir.path()).await.unwrap();
    // Only the first item sent fails (a 500 the platform never saw); nothing else does.
    let plan = FaultPlan {
        odds: Vec::new(),
        first_items: vec![Fault::Error500],
        retry_after_secs: RETRY_AFTER_SECS,
        stall: Duration::from_secs(1),
    };
    let proxy = FaultProxy::start(platform.addr(), plan).await.unwrap();
    let options = SyncOptions {
        backoff: Backoff {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(100),
        },
        ..sync()
    };
    let core = device::open(
        device_dir.path(),
        Arc::new(MemorySecretStore::new()),
        &proxy.url(),
        options,
    )
    .unwrap();
    device::sign_in(&core, platform.data_dir(), RESIDENT_PHONE)
        .await
        .unwrap();
    let catalogue = device::catalogue(&core).await.unwrap();
    // The backlog is written before the sender starts, as after a day offline.
    let mut ids = Vec::new();
    for n in 0..BACKLOG {
        let written = device::write_report(&core, device::draft(&catalogue, n).unwrap())
            .await
            .unwrap();
        device::submit(&core, written.id).await.unwrap();
        ids.push(written.id.to_string());
    }
    proxy.faults(true);
    core.start_sync();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let on_device = device::my_reports(&core).await.unwrap();
        if on_device
            .iter()
            .all(|r| matches!(r.delivery, Delivery::Delivered { .. }))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the backlog was not delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    core.shutdown().await;

    let seen = proxy.seen();
    let attempts_of = |id: &str| -> Vec<usize> {
        seen.iter()
            .enumerate()
            .filter(|(_, s)| s.item.as_deref() == Some(id))
            .map(|(i, _)| i)
            .collect()
    };
    let first = attempts_of(&ids[0]);
    assert_eq!(
        first.len(),
        2,
        "the first report: one failed attempt, one more"
    );
    assert_eq!(seen[first[0]].fault, Fault::Error500);
    let last = attempts_of(ids.last().unwrap());
    assert_eq!(last.len(), 1, "the last report went once");
    assert!(
        first[1] < last[0],
        "the failed report went again only after the whole backlog (request {} of {}, the \
         last report's was {})",
        first[1],
        seen.len(),
        last[0]
    );
    let held = platform::held_reports(&platform.database()).unwrap();
    let mut ours: Vec<String> = held
        .iter()
        .filter(|h| device::tag_of(&h.description).is_some())
        .map(|h| h.id.clone())
        .collect();
    ours.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(ours, expected, "each report held once on the platform");
    platform.stop().await;
}
