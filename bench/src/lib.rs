//! What Linli's benchmark programs share: a table of figures, each against its floor and
//! target, that decides the exit code; a real platform started in-process with real sign-ins;
//! and latency statistics.
//!
//! Each program under `src/bin/` measures one thing and its floor in the same run, prints a
//! table and exits with status 1 when a target is missed, so CI runs the `--quick` versions
//! and `docs/PERFORMANCE.md` records the long ones.

use anyhow::{Context, Result, bail, ensure};
use linli_api::ReportId;
use linli_api::ipc::{Request, Response};
use linli_api::platform::{Catalogue, NewReport, SessionGrant, paths};
use linli_api::report::{Place, Urgency};
use linli_core::Core;
use linli_platform::{Config, RunningPlatform, latest_code};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The three demo residents (see `linli_platform::demo`): reports are filed as them.
pub const RESIDENT_PHONES: [&str; 3] = [
    linli_platform::demo::RESIDENT_PHONE,
    linli_platform::demo::SECOND_RESIDENT_PHONE,
    linli_platform::demo::TENANT_PHONE,
];

/// How a figure is judged against its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// The figure must be at least this.
    AtLeast(f64),
    /// The figure must be at most this.
    AtMost(f64),
    /// Shown for information only.
    None,
}

impl Target {
    fn met(self, value: f64) -> bool {
        match self {
            Target::AtLeast(t) => value >= t,
            Target::AtMost(t) => value <= t,
            Target::None => true,
        }
    }

    fn show(self, unit: &str) -> String {
        match self {
            Target::AtLeast(t) => format!(">= {} {unit}", number(t)),
            Target::AtMost(t) => format!("<= {} {unit}", number(t)),
            Target::None => String::new(),
        }
    }
}

fn number(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

struct Row {
    what: String,
    value: f64,
    unit: String,
    target: Target,
}

/// The figures of one run, printed as a table; a missed target makes the run fail.
#[derive(Default)]
pub struct Figures {
    title: String,
    rows: Vec<Row>,
    notes: Vec<String>,
    /// Figures whose miss is known and tracked (an open issue): shown as missed, not failed.
    tolerated: Vec<String>,
}

impl Figures {
    /// An empty table under `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Adds one figure with its target.
    pub fn add(&mut self, what: impl Into<String>, value: f64, unit: &str, target: Target) {
        self.rows.push(Row {
            what: what.into(),
            value,
            unit: unit.into(),
            target,
        });
    }

    /// Adds the median and 99th percentile of `latencies` (for information) as `what p50`
    /// and `what p99`.
    pub fn tails(&mut self, what: &str, latencies: &Latencies) {
        for p in [50.0, 99.0] {
            self.add(
                format!("{what} p{p:.0}"),
                ms(latencies.percentile(p)),
                "ms",
                Target::None,
            );
        }
    }

    /// Adds a line printed under the table (the setting the figures were taken in).
    pub fn note(&mut self, line: impl Into<String>) {
        self.notes.push(line.into());
    }

    /// Lets the run pass although these figures miss their targets: for a miss that is known
    /// and tracked, so that CI still fails on every other one. The table says so beside each.
    pub fn tolerate(&mut self, figures: &[String]) {
        self.tolerated.extend(figures.iter().cloned());
    }

    /// Whether every target was met (or its miss tolerated).
    pub fn passed(&self) -> bool {
        self.rows
            .iter()
            .all(|r| r.target.met(r.value) || self.tolerated.contains(&r.what))
    }

    /// The table, as printed (Markdown, so it can go into `docs/PERFORMANCE.md` as it is).
    pub fn render(&self) -> String {
        let mut out = format!("## {}\n\n", self.title);
        out.push_str("| figure | value | target | |\n| --- | ---: | --- | --- |\n");
        for r in &self.rows {
            let verdict = match (r.target, r.target.met(r.value)) {
                (Target::None, _) => "",
                (_, true) => "ok",
                (_, false) if self.tolerated.contains(&r.what) => "MISSED (known, tolerated)",
                (_, false) => "MISSED",
            };
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} |",
                r.what,
                number(r.value),
                r.unit,
                r.target.show(&r.unit),
                verdict
            );
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                let _ = writeln!(out, "{n}");
            }
        }
        out
    }

    /// Prints the table and ends the process: status 0 when every target was met, else 1.
    pub fn finish(self) -> ! {
        println!("{}", self.render());
        if self.passed() {
            std::process::exit(0);
        }
        eprintln!("a target was missed");
        std::process::exit(1);
    }
}

/// Latencies of many requests.
#[derive(Clone, Debug, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    /// Collects.
    pub fn new(all: Vec<Duration>) -> Self {
        let mut all = all;
        all.sort_unstable();
        Self(all)
    }

    /// The `p`-th percentile (0..=100), nearest rank.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none were taken.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Milliseconds, for tables.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A platform config for load: the given data dir and database, on loopback, with sign-in
/// rate limits opened up so one machine can sign many sessions in (the limits guard against
/// guessing codes, which a benchmark does not do; everything a report passes through stays).
pub fn load_config(data_dir: &Path, database_url: Option<&str>) -> Config {
    let any: SocketAddr = "127.0.0.1:0".parse().expect("a literal address");
    let mut config = Config::new(data_dir).with_listen(any);
    config.database_url = database_url.map(str::to_string);
    config.limits.code_resend_interval = time::Duration::ZERO;
    config.limits.codes_per_phone = 10_000;
    config.limits.codes_per_client = 10_000;
    config.limits.sign_ins_per_client = 10_000;
    config
}

/// Starts a platform in this process.
pub async fn start_platform(
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<RunningPlatform> {
    linli_platform::spawn(load_config(data_dir, database_url))
        .await
        .context("starting the platform")
}

/// An HTTP client for load: keeps connections, no proxy, generous pool.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .build()
        .context("building the HTTP client")
}

/// Signs a resident in over HTTP as the app would (code from the demo gateway's file); the
/// session token.
pub async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    platform_dir: &Path,
    phone: &str,
) -> Result<String> {
    let sent = client
        .post(format!("{base}{}", paths::OTP))
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await?;
    ensure!(
        sent.status().is_success(),
        "asking for a code: {}",
        sent.text().await?
    );
    let code = latest_code(platform_dir, phone).context("the demo gateway wrote no code")?;
    let grant = client
        .post(format!("{base}{}", paths::SESSIONS))
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await?;
    if !grant.status().is_success() {
        bail!("signing in: {}", grant.text().await?);
    }
    Ok(grant.json::<SessionGrant>().await?.token)
}

/// The catalogue a session's resident files reports from.
pub async fn catalogue(client: &reqwest::Client, base: &str, token: &str) -> Result<Catalogue> {
    let r = client
        .get(format!("{base}{}", paths::CATALOGUE))
        .bearer_auth(token)
        .send()
        .await?;
    ensure!(r.status().is_success(), "catalogue: {}", r.status());
    Ok(r.json().await?)
}

/// A complete report without photos, with a fresh id, about the resident's first unit.
pub fn new_report(catalogue: &Catalogue, n: usize) -> Result<NewReport> {
    let category = catalogue
        .categories
        .iter()
        .find(|c| c.code == "water_plumbing")
        .or_else(|| catalogue.categories.first())
        .context("the catalogue has no categories")?;
    let unit = catalogue
        .units
        .first()
        .context("the resident has no unit")?;
    Ok(NewReport {
        id: ReportId::new(),
        category: category.code.clone(),
        description: format!("厨房水池下面的水管接口在滴水（第 {n} 次）"),
        place: Place::Unit { unit_id: unit.id },
        urgency: Urgency::Soon,
        photo_ids: vec![],
        visibility: Default::default(),
    })
}

/// Files one report over HTTP (`Idempotency-Key` = its id); fails unless it is 201 Created.
pub async fn post_report(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    report: &NewReport,
) -> Result<()> {
    let body = serde_json::to_vec(report)?;
    let r = client
        .post(format!("{base}{}", paths::REPORTS))
        .bearer_auth(token)
        .header("Idempotency-Key", report.id.to_string())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = r.status();
    // Read the whole answer, as a real client does.
    let answer = r.bytes().await?;
    ensure!(
        status == reqwest::StatusCode::CREATED,
        "filing a report: {status} {}",
        String::from_utf8_lossy(&answer)
    );
    Ok(())
}

/// Reports the token's owner sees on the platform (all of a resident's own).
pub async fn reports_on_platform(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<Vec<linli_api::Report>> {
    let r = client
        .get(format!("{base}{}", paths::REPORTS))
        .bearer_auth(token)
        .send()
        .await?;
    ensure!(r.status().is_success(), "listing reports: {}", r.status());
    Ok(r.json().await?)
}

/// A core on `dir` talking to `base` with the app's own sync settings.
pub fn open_core(dir: &Path, base: &str) -> Result<Core> {
    open_core_telling(dir, base, std::sync::Arc::new(linli_core::NullSink))
}

/// [`open_core`], with what the core says going to `sink`.
pub fn open_core_telling(
    dir: &Path,
    base: &str,
    sink: std::sync::Arc<dyn linli_core::EventSink>,
) -> Result<Core> {
    use linli_core::{CoreConfig, MemorySecretStore, SyncOptions};
    use std::sync::Arc;
    let mut config = CoreConfig::new(dir, Arc::new(MemorySecretStore::new()), sink);
    config.platform_url = Some(base.to_string());
    config.os_language = Some("zh-CN".into());
    config.text_scale = Some(1.0);
    config.sync = SyncOptions::default();
    Ok(Core::open(config)?)
}

/// Calls the core; an error becomes its code and message.
pub async fn call(core: &Core, request: Request) -> Result<Response> {
    core.handle(request)
        .await
        .map_err(|e| anyhow::anyhow!("{:?}: {}", e.code, e.detail))
}

/// Signs in through the core with the code the demo gateway wrote.
pub async fn sign_in_core(core: &Core, platform_dir: &Path, phone: &str) -> Result<()> {
    call(
        core,
        linli_api::ipc::Request::RequestCode {
            phone: phone.into(),
        },
    )
    .await?;
    let code = linli_platform::latest_code(platform_dir, phone).context("no code written")?;
    call(
        core,
        linli_api::ipc::Request::SignIn {
            phone: phone.into(),
            code,
        },
    )
    .await?;
    Ok(())
}

/// Describes the machine for the notes under a table.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| format!(", {} GiB", kb / 1024 / 1024));
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_default();
    format!("machine: {cores} cores{memory}, {model}")
}

/// CPU time (user and system) process `pid` has used so far, all its threads together; `None`
/// when it is gone.
pub fn cpu_of(pid: u32) -> Option<Duration> {
    cpu_in_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// CPU time (user and system) thread `tid` of process `pid` has used so far; `None` when it
/// is gone.
pub fn cpu_of_thread(pid: u32, tid: u32) -> Option<Duration> {
    cpu_in_stat(&std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?)
}

/// The CPU time in a `/proc/…/stat` line.
fn cpu_in_stat(stat: &str) -> Option<Duration> {
    // After "pid (comm) ": utime is field 14 and stime 15 (1-based).
    let rest = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis((utime + stime) * 10))
}

/// CPU time this process has used so far ([`cpu_of`] itself).
pub fn process_cpu() -> Duration {
    cpu_of(std::process::id()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let l = Latencies::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(l.percentile(50.0), Duration::from_millis(50));
        assert_eq!(l.percentile(99.0), Duration::from_millis(99));
        assert_eq!(l.percentile(100.0), Duration::from_millis(100));
        assert_eq!(l.percentile(0.0), Duration::from_millis(1));
        assert_eq!(Latencies::default().percentile(50.0), Duration::ZERO);
    }

    #[test]
    fn a_missed_target_fails_the_run() {
        let mut f = Figures::new("t");
        f.add("fast enough", 2500.0, "/s", Target::AtLeast(2000.0));
        f.add("info", 1.0, "x", Target::None);
        assert!(f.passed());
        f.add("small enough", 700.0, "KB", Target::AtMost(600.0));
        assert!(!f.passed());
        let table = f.render();
        assert!(
            table.contains("| small enough | 700 KB | <= 600 KB | MISSED |"),
            "{table}"
        );
        assert!(
            table.contains("| fast enough | 2500 /s | >= 2000 /s | ok |"),
            "{table}"
        );
    }

    #[test]
    fn a_tolerated_miss_is_shown_and_passes_but_no_other() {
        let mut figures = Figures::new("t");
        figures.add("ratio", 0.1, "x", Target::AtLeast(0.5));
        figures.add("rate", 2500.0, "/s", Target::AtLeast(2000.0));
        assert!(!figures.passed());
        figures.tolerate(&["ratio".to_owned()]);
        assert!(figures.passed());
        assert!(figures.render().contains("| MISSED (known, tolerated) |"));
        figures.add("latency", 20.0, "ms", Target::AtMost(10.0));
        assert!(!figures.passed(), "only the named figure is tolerated");
    }
}
