//! `linli-testhost`: test infrastructure that serves the built UI to a plain browser and carries
//! its IPC to the real core (see the library docs). Loopback only.
//!
//! ```text
//! linli-testhost --ui ui/dist --listen 127.0.0.1:0 --embedded-platform
//! linli-testhost --ui ui/dist --platform-url http://127.0.0.1:8731 --platform-data-dir ./linli-data
//! ```
//! Prints `linli-testhost listening on http://ADDR` when ready; stops on Ctrl-C or SIGTERM.

use anyhow::{Context, bail};
use clap::Parser;
use linli_testhost::{EmbeddedPlatform, Host, HostConfig, csp_from_tauri_conf};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "linli-testhost",
    version,
    about = "Test infrastructure: the Linli UI in a plain browser, over loopback HTTP, against the real core"
)]
struct Cli {
    /// The built UI (scripts/build-ui).
    #[arg(long, default_value = "ui/dist")]
    ui: PathBuf,
    /// Where to listen; loopback addresses only (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// A running platform to use.
    #[arg(
        long,
        conflicts_with = "embedded_platform",
        required_unless_present = "embedded_platform"
    )]
    platform_url: Option<String>,
    /// That platform's data dir, so /testhost/code can read its demo SMS codes.
    #[arg(long, requires = "platform_url")]
    platform_data_dir: Option<PathBuf>,
    /// Start a platform in this process on 127.0.0.1:0 with a temporary data dir (demo data).
    #[arg(long)]
    embedded_platform: bool,
    /// Shortest time between two sign-in codes for one phone on the embedded platform, in
    /// seconds (the platform's own default when unset), so a browser test can sign in again
    /// soon after asking once; the real interval is tested in the platform's sign-in tests.
    #[arg(long, requires = "embedded_platform")]
    code_resend_seconds: Option<i64>,
    /// The core's data dir (default: a temporary dir removed at exit).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The language the "OS" reports to the core, as the shell would.
    #[arg(long, default_value = "zh-CN")]
    language: String,
    /// Send the Content-Security-Policy from this Tauri config with the page (e.g.
    /// src-tauri/tauri.conf.json), so the browser holds the UI to the shell's rules.
    #[arg(long)]
    tauri_conf: Option<PathBuf>,
    /// Act as a device without a speech service ("read aloud" must say it cannot).
    #[arg(long)]
    no_speech: bool,
    /// The system text size the "OS" reports, as a factor (1.0 normal).
    #[arg(long, default_value_t = 1.0)]
    text_scale: f32,
}

async fn stop_requested() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if !cli.listen.ip().is_loopback() {
        bail!(
            "linli-testhost listens on loopback addresses only, not {}",
            cli.listen
        );
    }
    if !cli.ui.join("index.html").is_file() {
        bail!(
            "{} has no index.html: build the UI first (scripts/build-ui)",
            cli.ui.display()
        );
    }
    let csp = match &cli.tauri_conf {
        Some(path) => csp_from_tauri_conf(path)
            .with_context(|| format!("reading the CSP from {}", path.display()))?,
        None => None,
    };

    // Removed when main returns.
    let tmp = tempfile::Builder::new()
        .prefix("linli-testhost-")
        .tempdir()?;
    let (platform, platform_url, platform_data_dir) = if cli.embedded_platform {
        let dir = tmp.path().join("platform");
        let mut config =
            linli_platform::Config::new(&dir).with_listen(SocketAddr::from(([127, 0, 0, 1], 0)));
        if let Some(seconds) = cli.code_resend_seconds {
            config.limits.code_resend_interval = time::Duration::seconds(seconds);
        }
        let platform = EmbeddedPlatform::spawn(config)
            .await
            .context("starting the embedded platform")?;
        let url = platform.url();
        (Some(platform), url, Some(dir))
    } else {
        let url = cli
            .platform_url
            .clone()
            .context("--platform-url is required")?;
        (None, url, cli.platform_data_dir.clone())
    };

    // The host owns the embedded platform (so tests can stop and start it) and stops it last.
    let host = Host::open_with_platform(
        HostConfig {
            ui_dir: cli.ui.clone(),
            platform_url: platform_url.clone(),
            platform_data_dir,
            device_dir: cli.data_dir.unwrap_or_else(|| tmp.path().join("device")),
            os_language: Some(cli.language),
            csp,
            speech: !cli.no_speech,
            text_scale: cli.text_scale,
        },
        platform,
    )
    .context("opening the core")?;

    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr()?;
    eprintln!("linli-testhost: platform at {platform_url}");
    println!("linli-testhost listening on http://{addr}");
    std::io::stdout().flush()?;

    // Event streams never end by themselves, so a stop does not wait for connections: it
    // stops the core and the platform and leaves.
    let app = host.router();
    tokio::select! {
        served = axum::serve(listener, app) => served.context("serving")?,
        _ = stop_requested() => {}
    }
    host.shutdown().await;
    Ok(())
}
