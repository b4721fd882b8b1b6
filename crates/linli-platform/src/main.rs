//! `linli-platform serve`: the reference community platform on this machine.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "linli-platform",
    version,
    about = "The Linli community platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform (seeding the demo community on first start).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LINLI_PLATFORM_LISTEN", default_value = "127.0.0.1:8731")]
        listen: SocketAddr,
        /// Where the database, photos and the demo `codes` file live.
        #[arg(long, env = "LINLI_DATA_DIR", default_value = "./linli-data")]
        data_dir: PathBuf,
        /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (several instances may share one;
        /// see docs/DEPLOYMENT.md), `sqlite:PATH` or a path (default:
        /// <data-dir>/linli.sqlite3).
        #[arg(long, env = "LINLI_DATABASE_URL")]
        database_url: Option<String>,
        /// Write sign-in codes to the log and <data-dir>/codes instead of sending them, even
        /// when listening beyond this machine (on a loopback address this is the default).
        #[arg(long, env = "LINLI_DEMO_SMS")]
        demo_sms: bool,
        /// On first start, also seed a month of past reports in the demo community (handled,
        /// rated, reopened, handed on, late), so the board and the app show something real.
        #[arg(long, env = "LINLI_DEMO_HISTORY", default_value_t = true, action = clap::ArgAction::Set)]
        demo_history: bool,
        /// Addresses of load balancers in front of the platform (comma-separated): their
        /// requests count against the client named in `X-Forwarded-For`.
        #[arg(long, env = "LINLI_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
    },
}

async fn stop_requested() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "listening for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "listening for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C: stopping"),
        _ = term => tracing::info!("SIGTERM: stopping"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let Command::Serve {
        listen,
        data_dir,
        database_url,
        demo_sms,
        demo_history,
        trusted_proxy,
    } = Cli::parse().command;
    let mut config = linli_platform::Config::new(data_dir).with_listen(listen);
    config.database_url = database_url;
    config.demo_sms = demo_sms;
    config.seed_demo_history = demo_history;
    config.trusted_proxies = trusted_proxy;
    let platform = linli_platform::spawn(config)
        .await
        .context("starting linli-platform")?;
    // The one line on stdout: scripts wait for it to know the platform is ready.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "linli-platform listening on {}", platform.url())?;
    stdout.flush()?;
    drop(stdout);
    stop_requested().await;
    platform.shutdown().await;
    Ok(())
}
