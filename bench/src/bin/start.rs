//! App start: from the moment the process is spawned to the home screen being interactive, and
//! memory after 10 s, for Linli and for a blank Tauri + Leptos app built the same way (the
//! floor, `bench/blank-app`), started alternately on the same display.
//!
//! "Interactive" is what each app says itself: once its first screen shows its data and takes
//! input, the page calls the shell's `ready` command and the shell prints
//! `ready: home screen interactive after N ms` (Linli: `ui/src/ipc.rs`, `src-tauri/src/lib.rs`).
//! The bench times from its own spawn to reading that line. Linli starts signed in, on a device
//! prepared once against a real platform started in this process, so it opens on the home
//! screen with the person's name, as a returning resident sees it. Its session token is kept
//! where the app keeps it, in a Secret Service: gnome-keyring's daemon, started by the bench on
//! a private D-Bus session bus with its own data dirs, so the person's own keychain is never
//! touched.
//!
//! Memory: 10 s after the spawn, the proportional set size (PSS, from
//! `/proc/PID/smaps_rollup`) summed over the app's process and all its descendants (WebKit's
//! web and network processes); RSS alongside.
//!
//! Targets: Linli at most 1.2x the blank app, on the median start time and on the median PSS.
//!
//! Builds nothing; needs a display (`xvfb-run -a -s "-screen 0 1280x800x24"` on a machine
//! without one) and both release binaries:
//!
//! ```text
//! scripts/build-ui && scripts/build-ui bench/blank-app/ui
//! cargo build --profile app -p linli-app        # each app on its own, so neither gets
//! cargo build --profile app -p linli-blank-app  # features the other turns on in shared crates
//! cargo build --release -p linli-bench --bin start
//! target/release/start            # 10 starts of each
//! target/release/start --quick    # 3 starts of each (CI)
//! ```

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use linli_api::ipc::{Request, Response};
use linli_bench::{Figures, Target, call, ms, sign_in_core};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Start time and memory of Linli against a blank Tauri + Leptos app")]
struct Args {
    /// Short run for CI: fewer starts of each app.
    #[arg(long)]
    quick: bool,
    /// Timed starts of each app (default 10, or 3 with --quick); one untimed start each first.
    #[arg(long)]
    runs: Option<usize>,
    /// When memory is read, in seconds after the spawn.
    #[arg(long, default_value_t = 10)]
    settle: u64,
    /// The directory holding the binaries `linli` and `linli-blank` (default: the `app`
    /// profile's, target/app).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// gnome-keyring's daemon (default: on PATH, else where scripts/setup unpacks it,
    /// target/tools/gnome-keyring/usr/bin/gnome-keyring-daemon).
    #[arg(long)]
    keyring_daemon: Option<PathBuf>,
    /// A figure (by its name in the table) whose missed target is known and tracked: shown
    /// as missed, the run still passes. Repeatable.
    #[arg(long = "tolerate-miss", value_name = "FIGURE")]
    tolerate_miss: Vec<String>,
}

/// How long an app may take to say it is ready before the run fails.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

fn main() -> Result<()> {
    let args = Args::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin_dir = args
        .bin_dir
        .clone()
        .unwrap_or_else(|| root.join("target/app"));
    let apps = [
        App::new("Linli", bin_dir.join("linli"), Some("org.linli.app")),
        App::new("blank", bin_dir.join("linli-blank"), None),
    ];
    for app in &apps {
        ensure!(
            app.binary.is_file(),
            "{} is missing. Build both apps first:\n  scripts/build-ui && scripts/build-ui \
             bench/blank-app/ui\n  cargo build --profile app -p linli-app\n  cargo build \
             --profile app -p linli-blank-app",
            app.binary.display()
        );
    }
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display: run it inside a virtual one:\n  xvfb-run -a -s \"-screen 0 1280x800x24\" {}",
            std::env::args().collect::<Vec<_>>().join(" ")
        );
    }
    let keyring_daemon = find_keyring_daemon(&root, args.keyring_daemon.as_deref())?;

    let scratch = tempfile::tempdir()?;
    let session = PrivateSession::start(scratch.path(), &keyring_daemon)?;
    // SAFETY: no other thread exists yet (the async runtime is built below); the keychain
    // client in this process (preparing the device) must find the private bus, and it only
    // reads this variable.
    #[expect(
        unsafe_code,
        reason = "set_var is unsafe in edition 2024; single-threaded here"
    )]
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &session.bus_address)
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(run(&args, &apps, &session, scratch.path()));
    drop(runtime);
    drop(session);
    drop(scratch);
    let mut figures = figures?;
    figures.tolerate(&args.tolerate_miss);
    figures.finish()
}

/// One of the two apps under test.
struct App {
    name: &'static str,
    binary: PathBuf,
    /// Linli's keychain service, when the app has a person signed in.
    keychain: Option<&'static str>,
}

impl App {
    fn new(name: &'static str, binary: PathBuf, keychain: Option<&'static str>) -> Self {
        Self {
            name,
            binary,
            keychain,
        }
    }
}

fn find_keyring_daemon(root: &Path, given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("gnome-keyring-daemon");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    let unpacked = root.join("target/tools/gnome-keyring/usr/bin/gnome-keyring-daemon");
    ensure!(
        unpacked.is_file(),
        "gnome-keyring-daemon not found (on PATH or at {}); scripts/setup unpacks it",
        unpacked.display()
    );
    Ok(unpacked)
}

/// A D-Bus session bus of the bench's own with gnome-keyring's Secret Service on it, and the
/// XDG directories the apps run with (their WebKit caches, logs and the keyring file), all
/// under the bench's temporary directory. Stopped when dropped.
struct PrivateSession {
    bus: Child,
    keyring: Child,
    bus_address: String,
    env: Vec<(String, PathBuf)>,
}

impl PrivateSession {
    fn start(dir: &Path, keyring_daemon: &Path) -> Result<Self> {
        let xdg = |name: &str| -> Result<(String, PathBuf)> {
            let path = dir.join("xdg").join(name.to_lowercase());
            std::fs::create_dir_all(&path)?;
            Ok((format!("XDG_{name}_HOME"), path))
        };
        let mut env = vec![xdg("DATA")?, xdg("CACHE")?, xdg("CONFIG")?, xdg("STATE")?];
        let runtime = dir.join("xdg/runtime");
        std::fs::create_dir_all(&runtime)?;
        // The runtime dir must be private, or GLib and gnome-keyring refuse it.
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;
        env.push(("XDG_RUNTIME_DIR".into(), runtime));

        // Its notes (services it starts for the apps, such as the accessibility bus) go to a
        // file, not among the figures.
        let bus_log = std::fs::File::create(dir.join("dbus-daemon.log"))?;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(bus_log)
            .spawn()
            .context("starting dbus-daemon (package dbus)")?;
        let mut address = String::new();
        BufReader::new(bus.stdout.take().context("dbus-daemon's output")?)
            .read_line(&mut address)?;
        let bus_address = address.trim().to_string();
        if bus_address.is_empty() {
            let _ = bus.kill();
            let _ = bus.wait();
            bail!("dbus-daemon printed no address");
        }

        let mut keyring = Command::new(keyring_daemon)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_os_str())))
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", keyring_daemon.display()))?;
        // --unlock reads the new login keyring's password from standard input; closing it
        // ends the password, and the keyring stays unlocked for the daemon's life.
        if let Some(mut stdin) = keyring.stdin.take() {
            stdin.write_all(b"linli-bench")?;
        }
        let session = Self {
            bus,
            keyring,
            bus_address,
            env,
        };
        session.wait_for_secret_service()?;
        Ok(session)
    }

    /// Waits until the Secret Service answers on the bus, by asking the bus itself.
    fn wait_for_secret_service(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
                .output()
                .context("running dbus-send")?;
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return Ok(());
            }
            ensure!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not take org.freedesktop.secrets on the bench's bus"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The environment an app starts with.
    fn app_env(&self) -> Vec<(String, std::ffi::OsString)> {
        let mut env: Vec<(String, std::ffi::OsString)> = self
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into_os_string()))
            .collect();
        env.push((
            "DBUS_SESSION_BUS_ADDRESS".into(),
            self.bus_address.clone().into(),
        ));
        env
    }
}

impl Drop for PrivateSession {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What one start measured.
#[derive(Clone, Debug)]
struct Start {
    /// Spawn to the `ready` line, as the bench saw it.
    ready: Duration,
    /// What the app itself counted (from its `run()` to the `ready` call).
    ready_in_app: Option<u64>,
    /// CPU time the app and its descendants had used when the `ready` line came, in ms:
    /// steadier than wall time on a loaded machine.
    cpu_ms: u64,
    /// The same by process and thread name (see [`tree_cpu_by_thread`]), in ms.
    cpu_by_thread: Vec<(String, u64)>,
    /// Summed over the process tree, in KiB.
    pss_kib: u64,
    rss_kib: u64,
    /// PSS per process name, in KiB.
    parts: Vec<(String, u64)>,
    /// WebKit processes of other apps alive when memory was read: they share the libraries'
    /// pages, so PSS falls for the app measured (and more for the smaller one).
    neighbours: usize,
}

async fn run(
    args: &Args,
    apps: &[App; 2],
    session: &PrivateSession,
    scratch: &Path,
) -> Result<Figures> {
    let runs = args.runs.unwrap_or(if args.quick { 3 } else { 10 });
    ensure!(runs > 0, "--runs must be at least 1");
    let settle = Duration::from_secs(args.settle);

    // A real platform, and a device signed in on it once, as a returning resident's phone.
    let platform_dir = scratch.join("platform");
    std::fs::create_dir_all(&platform_dir)?;
    let platform = linli_bench::start_platform(&platform_dir, None).await?;
    let base = platform.url();
    let device = scratch.join("device");
    prepare_device(&device, &platform_dir, &base, apps[0].keychain).await?;

    let mut env = session.app_env();
    env.push(("LINLI_APP_DATA_DIR".into(), device.clone().into_os_string()));
    env.push(("LINLI_PLATFORM_URL".into(), base.clone().into()));
    let logs = scratch.join("logs");
    std::fs::create_dir_all(&logs)?;

    // One untimed start each fills the caches a phone would have from earlier use.
    let mut results: [Vec<Start>; 2] = [Vec::new(), Vec::new()];
    let order = |i: usize| if i.is_multiple_of(2) { [0, 1] } else { [1, 0] };
    for i in 0..=runs {
        for a in order(i) {
            let app = &apps[a];
            let log = logs.join(format!("{}-{i}.log", app.name));
            let env = env.clone();
            let binary = app.binary.clone();
            let start =
                tokio::task::spawn_blocking(move || start_once(&binary, &env, settle, &log))
                    .await?
                    .with_context(|| format!("starting {}", app.name))?;
            eprintln!(
                "{} start {}: ready after {:.0} ms (app: {}), CPU {} ms, PSS {:.1} MiB, RSS {:.1} MiB{}{}",
                app.name,
                i,
                ms(start.ready),
                start
                    .ready_in_app
                    .map_or_else(|| "?".into(), |m| format!("{m} ms")),
                start.cpu_ms,
                start.pss_kib as f64 / 1024.0,
                start.rss_kib as f64 / 1024.0,
                if i == 0 { " (untimed)" } else { "" },
                if start.neighbours > 0 {
                    format!(" ({} other WebKit processes running)", start.neighbours)
                } else {
                    String::new()
                }
            );
            if i > 0 {
                results[a].push(start);
            }
        }
    }
    platform.shutdown().await;

    let mut figures = Figures::new("App start: Linli against a blank Tauri + Leptos app");
    let summary = |r: &[Start]| {
        let mut ready: Vec<Duration> = r.iter().map(|s| s.ready).collect();
        ready.sort_unstable();
        let mut pss: Vec<u64> = r.iter().map(|s| s.pss_kib).collect();
        pss.sort_unstable();
        let mut rss: Vec<u64> = r.iter().map(|s| s.rss_kib).collect();
        rss.sort_unstable();
        let mut in_app: Vec<u64> = r.iter().filter_map(|s| s.ready_in_app).collect();
        in_app.sort_unstable();
        let mut cpu: Vec<u64> = r.iter().map(|s| s.cpu_ms).collect();
        cpu.sort_unstable();
        (
            median(&ready).unwrap_or_default(),
            ready.last().copied().unwrap_or_default(),
            median(&pss).unwrap_or_default(),
            median(&rss).unwrap_or_default(),
            median(&in_app),
            median(&cpu).unwrap_or_default(),
        )
    };
    let (l_ready, l_max, l_pss, l_rss, l_in_app, l_cpu) = summary(&results[0]);
    let (b_ready, b_max, b_pss, b_rss, b_in_app, b_cpu) = summary(&results[1]);
    let mib = |kib: u64| kib as f64 / 1024.0;
    figures.add(
        "blank: start to interactive, median (floor)",
        ms(b_ready),
        "ms",
        Target::None,
    );
    figures.add(
        "blank: start to interactive, max",
        ms(b_max),
        "ms",
        Target::None,
    );
    figures.add(
        "Linli: start to home screen interactive, median",
        ms(l_ready),
        "ms",
        Target::None,
    );
    figures.add(
        "Linli: start to home screen interactive, max",
        ms(l_max),
        "ms",
        Target::None,
    );
    figures.add(
        "start: Linli / blank (medians)",
        ms(l_ready) / ms(b_ready),
        "x",
        Target::AtMost(1.2),
    );
    figures.add(
        "blank: CPU time to interactive, median",
        b_cpu as f64,
        "ms",
        Target::None,
    );
    figures.add(
        "Linli: CPU time to interactive, median",
        l_cpu as f64,
        "ms",
        Target::None,
    );
    figures.add(
        "CPU time: Linli / blank (medians)",
        l_cpu as f64 / b_cpu.max(1) as f64,
        "x",
        Target::None,
    );
    figures.add(
        "blank: PSS after 10 s, median (floor)",
        mib(b_pss),
        "MiB",
        Target::None,
    );
    figures.add(
        "Linli: PSS after 10 s, median",
        mib(l_pss),
        "MiB",
        Target::None,
    );
    figures.add(
        "memory (PSS): Linli / blank (medians)",
        l_pss as f64 / b_pss.max(1) as f64,
        "x",
        Target::AtMost(1.2),
    );
    figures.add(
        "blank: RSS after 10 s, median",
        mib(b_rss),
        "MiB",
        Target::None,
    );
    figures.add(
        "Linli: RSS after 10 s, median",
        mib(l_rss),
        "MiB",
        Target::None,
    );
    figures.add(
        "memory (RSS): Linli / blank (medians)",
        l_rss as f64 / b_rss.max(1) as f64,
        "x",
        Target::None,
    );
    figures.note(format!(
        "{runs} timed starts of each app, alternating, after one untimed start each; start = \
         from the bench's spawn to the app's `ready` line; the apps' own count from their \
         `run()`: Linli {} ms, blank {} ms (medians). Memory read {} s after the spawn, summed \
         over the app and its descendants.",
        l_in_app.map_or_else(|| "?".into(), |m| m.to_string()),
        b_in_app.map_or_else(|| "?".into(), |m| m.to_string()),
        settle.as_secs(),
    ));
    figures.note(cpu_by_thread_table(&results[0], &results[1]));
    for (app, r) in apps.iter().zip(&results) {
        if let Some(last) = r.last() {
            let parts: Vec<String> = last
                .parts
                .iter()
                .map(|(name, kib)| format!("{name} {:.1}", mib(*kib)))
                .collect();
            figures.note(format!(
                "{} PSS by process (MiB, last start): {}",
                app.name,
                parts.join(", ")
            ));
        }
    }
    let shared: usize = results
        .iter()
        .flatten()
        .filter(|s| s.neighbours > 0)
        .count();
    if shared > 0 {
        figures.note(format!(
            "WARNING: during {shared} of {} timed starts other WebKit processes were running; \
             they share the libraries' pages, which lowers PSS and raises the ratio. Measure on \
             an otherwise idle machine.",
            runs * 2
        ));
    }
    figures.note(
        "Linli opens signed in on the home screen (a device prepared once against a platform \
         in the bench's process, its session in gnome-keyring on the bench's private D-Bus \
         bus); the blank app shows one heading and one button. Same display, same WebKit \
         settings, same `app` profile and UI build.",
    );
    figures.note(linli_bench::machine());
    Ok(figures)
}

fn median<T: Copy>(sorted: &[T]) -> Option<T> {
    (!sorted.is_empty()).then(|| sorted[(sorted.len() - 1) / 2])
}

/// Signs the demo resident in on a fresh device dir with the session in the keychain, and
/// answers the first-launch question, so the app opens on the home screen.
async fn prepare_device(
    device: &Path,
    platform_dir: &Path,
    base: &str,
    keychain: Option<&str>,
) -> Result<()> {
    use linli_core::{Core, CoreConfig, KeyringSecretStore, NullSink};
    let service = keychain.context("Linli names its keychain service")?;
    ensure!(
        service == linli_core::KEYCHAIN_SERVICE,
        "the bench and the app disagree on the keychain service"
    );
    let secrets = KeyringSecretStore::new()
        .map_err(|e| anyhow::anyhow!("the bench's Secret Service does not answer: {e}"))?;
    let mut config = CoreConfig::new(device, Arc::new(secrets), Arc::new(NullSink));
    config.platform_url = Some(base.to_string());
    let core = Core::open(config)?;
    sign_in_core(&core, platform_dir, linli_bench::RESIDENT_PHONES[0]).await?;
    let Response::Status(status) = call(&core, Request::Status).await? else {
        bail!("Status answered something else");
    };
    ensure!(
        status.profile.is_some() && !status.session_expired,
        "the device is not signed in after signing in"
    );
    let mut settings = status.settings;
    settings.elderly_asked = true;
    call(&core, Request::SaveSettings { settings }).await?;
    Ok(())
}

/// Starts the app once: waits for its `ready` line, reads memory at `settle` after the spawn,
/// and stops it with everything it started.
fn start_once(
    binary: &Path,
    env: &[(String, std::ffi::OsString)],
    settle: Duration,
    log: &Path,
) -> Result<Start> {
    let err_log = std::fs::File::create(log)?;
    let spawned = Instant::now();
    let mut child = Command::new(binary)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_os_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err_log)
        .spawn()
        .with_context(|| format!("spawning {}", binary.display()))?;
    let pid = child.id();
    let stdout = child.stdout.take().context("the app's output")?;
    let (lines_tx, lines) = mpsc::channel::<(Instant, String)>();
    let reader = std::thread::spawn(move || {
        let mut out = BufReader::new(stdout);
        let mut line = String::new();
        while out.read_line(&mut line).unwrap_or(0) > 0 {
            if lines_tx.send((Instant::now(), line.clone())).is_err() {
                // Nobody listens any more: keep draining so the app never blocks on a pipe.
                let _ = std::io::copy(&mut out, &mut std::io::sink());
                return;
            }
            line.clear();
        }
    });

    let outcome = wait_ready(&mut child, &lines, spawned).and_then(|(ready, in_app)| {
        // One reading of /proc for both: the total is the table's sum.
        let cpu_by_thread = tree_cpu_by_thread(pid);
        let cpu_ms = cpu_by_thread.iter().map(|(_, ms)| ms).sum();
        let now = Instant::now();
        if spawned + settle > now {
            std::thread::sleep(spawned + settle - now);
        }
        let (pss_kib, rss_kib, parts) = tree_memory(pid);
        let neighbours = webkit_neighbours(pid);
        ensure!(
            child.try_wait()?.is_none(),
            "the app exited before its memory was read"
        );
        Ok(Start {
            ready,
            ready_in_app: in_app,
            cpu_ms,
            cpu_by_thread,
            pss_kib,
            rss_kib,
            parts,
            neighbours,
        })
    });
    stop_tree(&mut child);
    drop(lines);
    let _ = reader.join();
    outcome.with_context(|| format!("its stderr is in {}:\n{}", log.display(), tail(log)))
}

/// Waits for the `ready:` line; the home screen's counts, anything else is an error.
fn wait_ready(
    child: &mut Child,
    lines: &mpsc::Receiver<(Instant, String)>,
    spawned: Instant,
) -> Result<(Duration, Option<u64>)> {
    let deadline = spawned + READY_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        ensure!(!left.is_zero(), "no `ready` line within {READY_TIMEOUT:?}");
        match lines.recv_timeout(left.min(Duration::from_millis(500))) {
            Ok((at, line)) => {
                let Some(rest) = line.split_once("ready: ").map(|(_, r)| r.trim()) else {
                    continue;
                };
                ensure!(
                    rest.starts_with("home screen"),
                    "the app opened on another screen than home: `{rest}` (is the session \
                     in the keychain?)"
                );
                let in_app = rest
                    .rsplit_once("after ")
                    .and_then(|(_, n)| n.trim_end_matches(" ms").parse().ok());
                return Ok((at - spawned, in_app));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(status) = child.try_wait()? {
                    bail!("the app exited ({status}) before it was ready");
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait()?;
                bail!("the app closed its output ({status}) before it was ready");
            }
        }
    }
}

/// The last lines of a log, to show why a start failed.
fn tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Parent of each process, from `/proc/PID/stat`.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return map;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": the name may hold spaces and brackets, so read after
        // the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok());
        if let Some(ppid) = ppid {
            map.insert(pid, ppid);
        }
    }
    map
}

/// `root` and every process below it.
fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(parents.iter().filter(|&(_, &pp)| pp == p).map(|(&c, _)| c));
        i += 1;
    }
    all
}

/// CPU time used so far by `root` and its descendants, by `process / thread` name, in ms
/// (10 ms steps per thread). The app's own process is called `app` (Linli and the blank app
/// have different names) and each process's first thread `main`; threads of one process with
/// the same name are added together. What the process's total has beyond its live threads is
/// `(ended threads, rounding)`: threads that have already ended, and each live thread's time
/// being rounded down to 10 ms where the total is rounded once.
fn tree_cpu_by_thread(root: u32) -> Vec<(String, u64)> {
    let mut by_name: Vec<(String, u64)> = Vec::new();
    let mut add = |name: String, ms: u64| match by_name.iter_mut().find(|(n, _)| *n == name) {
        Some((_, sum)) => *sum += ms,
        None => by_name.push((name, ms)),
    };
    for pid in tree(root) {
        let process = if pid == root {
            "app".to_string()
        } else {
            process_name(pid).unwrap_or_else(|| pid.to_string())
        };
        let Some(total) = linli_bench::cpu_of(pid) else {
            continue;
        };
        let mut live = 0;
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten();
        for tid in tasks
            .flatten()
            .filter_map(|t| t.file_name().to_str()?.parse().ok())
        {
            // A process's first thread carries the process's name: call it `main`.
            let thread = if tid == pid {
                Some("main".to_string())
            } else {
                name_in(&format!("/proc/{pid}/task/{tid}/comm"))
            };
            let (Some(cpu), Some(thread)) = (linli_bench::cpu_of_thread(pid, tid), thread) else {
                continue;
            };
            let ms = cpu.as_millis() as u64;
            live += ms;
            add(format!("{process} / {thread}"), ms);
        }
        let ended = (total.as_millis() as u64).saturating_sub(live);
        if ended > 0 {
            add(format!("{process} / (ended threads, rounding)"), ended);
        }
    }
    by_name
}

/// A process's name (`comm`), without the line end.
fn process_name(pid: u32) -> Option<String> {
    name_in(&format!("/proc/{pid}/comm"))
}

fn name_in(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|c| c.trim().to_string())
}

/// Where each app's CPU time to interactive went, medians over its starts, side by side: the
/// rows where either app spent at least 10 ms, largest difference first.
fn cpu_by_thread_table(linli: &[Start], blank: &[Start]) -> String {
    let median_of = |starts: &[Start], name: &str| -> u64 {
        let mut ms: Vec<u64> = starts
            .iter()
            .map(|s| {
                s.cpu_by_thread
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0, |(_, ms)| *ms)
            })
            .collect();
        ms.sort_unstable();
        median(&ms).unwrap_or_default()
    };
    let mut names: Vec<&str> = linli
        .iter()
        .chain(blank)
        .flat_map(|s| s.cpu_by_thread.iter().map(|(n, _)| n.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut rows: Vec<(&str, u64, u64)> = names
        .into_iter()
        .map(|n| (n, median_of(linli, n), median_of(blank, n)))
        .filter(|(_, l, b)| *l >= 10 || *b >= 10)
        .collect();
    rows.sort_by_key(|(n, l, b)| (std::cmp::Reverse(*l as i64 - *b as i64), *n));
    let mut table = String::from(
        "CPU time to interactive by process / thread (medians over the starts, ms, 10 ms \
         steps; `app` is each app's own process):\n\n\
         | process / thread | Linli | blank | Linli - blank |\n| --- | ---: | ---: | ---: |\n",
    );
    for (name, l, b) in rows {
        table.push_str(&format!(
            "| {name} | {l} | {b} | {:+} |\n",
            l as i64 - b as i64
        ));
    }
    table
}

/// WebKit processes running outside the tree of `root`.
fn webkit_neighbours(root: u32) -> usize {
    let ours = tree(root);
    parents()
        .keys()
        .filter(|pid| !ours.contains(pid))
        .filter(|&&pid| process_name(pid).is_some_and(|c| c.starts_with("WebKit")))
        .count()
}

/// PSS and RSS (KiB) summed over the tree, and PSS per process name.
fn tree_memory(root: u32) -> (u64, u64, Vec<(String, u64)>) {
    let (mut pss, mut rss) = (0, 0);
    let mut parts: Vec<(String, u64)> = Vec::new();
    for pid in tree(root) {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let field = |name: &str| -> u64 {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let (p, r) = (field("Pss:"), field("Rss:"));
        pss += p;
        rss += r;
        let name = process_name(pid).unwrap_or_else(|| pid.to_string());
        match parts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, kib)) => *kib += p,
            None => parts.push((name, p)),
        }
    }
    (pss, rss, parts)
}

/// Stops the app and whatever it started (WebKit's processes end with it; any left after a
/// moment are ended by pid).
fn stop_tree(child: &mut Child) {
    let pids = tree(child.id());
    let names: Vec<(u32, String)> = pids
        .iter()
        .skip(1)
        .filter_map(|&pid| process_name(pid).map(|c| (pid, c)))
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    let alive = |(pid, name): &(u32, String)| {
        process_name(*pid).is_some_and(|c| c == *name)
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.rsplit_once(") ").is_some_and(|(_, r)| r.starts_with('Z')))
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    while names.iter().any(alive) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<String> = names
        .iter()
        .filter(|n| alive(n))
        .map(|(pid, _)| pid.to_string())
        .collect();
    if !left.is_empty() {
        let _ = Command::new("kill").arg("-KILL").args(&left).status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_lower_middle() {
        assert_eq!(median(&[1, 2, 3, 4]), Some(2));
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median::<u32>(&[]), None);
    }

    #[test]
    fn this_process_is_the_root_of_its_own_tree_and_has_memory() {
        let me = std::process::id();
        let t = tree(me);
        assert_eq!(t[0], me);
        let (pss, rss, parts) = tree_memory(me);
        assert!(pss > 0 && rss >= pss, "pss {pss} rss {rss}");
        assert!(!parts.is_empty());
    }

    /// The tests that burn CPU take turns, so one's work is not counted as the other's.
    static BURNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// This thread's id, from `/proc/thread-self` (`PID/task/TID`).
    fn thread_id() -> u32 {
        let link = std::fs::read_link("/proc/thread-self").unwrap();
        link.file_name().unwrap().to_str().unwrap().parse().unwrap()
    }

    fn ended_ms(by_thread: &[(String, u64)]) -> u64 {
        by_thread
            .iter()
            .find(|(n, _)| n == "app / (ended threads, rounding)")
            .map_or(0, |(_, ms)| *ms)
    }

    #[test]
    fn cpu_time_is_told_by_thread() {
        let _turn = BURNING.lock().unwrap_or_else(|p| p.into_inner());
        let me = std::process::id();
        let ended_before = ended_ms(&tree_cpu_by_thread(me));
        let busy = std::thread::Builder::new()
            .name("busy-bench-test".into())
            .spawn(move || {
                let tid = thread_id();
                // Until this thread itself has run 150 ms, however busy the machine is.
                let mut x = 0u64;
                while linli_bench::cpu_of_thread(me, tid).unwrap() < Duration::from_millis(150) {
                    for _ in 0..100_000 {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    }
                }
                std::hint::black_box(x);
                // Read while this thread is alive, so it is counted under its own name.
                (tid, tree_cpu_by_thread(me))
            })
            .unwrap();
        let (tid, by_thread) = busy.join().unwrap();
        let busy_ms = by_thread
            .iter()
            .find(|(n, _)| n == "app / busy-bench-test")
            .map(|(_, ms)| *ms);
        assert!(busy_ms.is_some_and(|ms| ms >= 150), "{by_thread:?}");
        assert!(
            by_thread.iter().any(|(n, _)| n == "app / main"),
            "{by_thread:?}"
        );
        // Once it has ended (the kernel may list it a moment after the join), its time is
        // still there, as an ended thread's.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::path::Path::new(&format!("/proc/{me}/task/{tid}")).exists() {
            assert!(Instant::now() < deadline, "thread {tid} is still listed");
            std::thread::sleep(Duration::from_millis(10));
        }
        let after = tree_cpu_by_thread(me);
        assert!(
            ended_ms(&after) >= ended_before + 150,
            "ended {ended_before} ms before, then {after:?}"
        );
    }

    #[test]
    fn both_apps_start_webkit_with_the_same_settings() {
        // The floor must be built the same way: the environment both `main`s set for WebKit.
        let settings = |file: &str| -> Vec<String> {
            let text =
                std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
            let list = text
                .split_once("fn webkit_settings()")
                .and_then(|(_, rest)| rest.split_once("] {"))
                .map(|(list, _)| list.to_string())
                .unwrap_or_else(|| panic!("{file}: no webkit_settings list"));
            list.lines()
                .map(str::trim)
                .filter(|l| l.starts_with("(\""))
                .map(str::to_string)
                .collect()
        };
        let linli = settings("../src-tauri/src/main.rs");
        assert!(linli.len() >= 3, "{linli:?}");
        assert_eq!(linli, settings("blank-app/src/main.rs"));
    }

    #[test]
    fn cpu_time_counts_work_done() {
        let _turn = BURNING.lock().unwrap_or_else(|p| p.into_inner());
        let total = |by_thread: Vec<(String, u64)>| by_thread.iter().map(|(_, ms)| ms).sum::<u64>();
        let before = total(tree_cpu_by_thread(std::process::id()));
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(200) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = total(tree_cpu_by_thread(std::process::id()));
        assert!(after >= before + 100, "{before} ms then {after} ms");
    }
}
