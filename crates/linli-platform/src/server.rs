//! Running a platform in a tokio task: bind, serve, stop gracefully or die abruptly.
//!
//! The accept loop is our own (hyper's HTTP/1 connection driver, one task per connection in a
//! `JoinSet`) rather than `axum::serve`, for two reasons: a graceful stop can end event
//! streams and wait for requests in flight, and [`RunningPlatform::kill`] can drop every
//! connection at once, as a crash would, which tests of the app's retries need.

use crate::Error;
use crate::config::Config;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// How long a graceful stop waits for requests in flight before cutting them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Slow clients get this long to send their headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `spawn` keeps trying a port a just-killed platform is still letting go of.
const REBIND_PATIENCE: Duration = Duration::from_secs(3);

/// A platform serving in the background. Dropping the handle without [`shutdown`] stops the
/// platform abruptly, as [`kill`] does, so a forgotten handle never leaves a server behind.
///
/// [`shutdown`]: RunningPlatform::shutdown
/// [`kill`]: RunningPlatform::kill
#[derive(Debug)]
pub struct RunningPlatform {
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningPlatform {
    /// The address it listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, e.g. `http://127.0.0.1:8731`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its shared state (store, clock, data dir), for tests that look behind the API.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops gracefully: no new connections, event streams end, requests in flight finish
    /// (for at most ten seconds); returns when all is done.
    pub async fn shutdown(mut self) {
        self.state.begin_shutdown();
        self.stop.send_replace(true);
        if let Err(e) = (&mut self.task).await {
            tracing::error!(error = %e, "platform task ended badly");
        }
        tracing::info!("linli-platform stopped");
    }

    /// Dies at once, as a crash would: every connection is dropped mid-request and nothing
    /// is flushed. The database keeps what was committed. The port is free a moment later;
    /// [`spawn`] on the same address waits for that.
    pub fn kill(self) {
        self.task.abort();
    }
}

impl Drop for RunningPlatform {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, Error> {
    let started = tokio::time::Instant::now();
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && addr.port() != 0
                    && started.elapsed() < REBIND_PATIENCE =>
            {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(source) => return Err(Error::Listen { addr, source }),
        }
    }
}

/// Opens the data dir and database (migrating, seeding the demo community if empty), binds
/// `config.listen` and serves in a tokio task.
pub async fn spawn(config: Config) -> Result<RunningPlatform, Error> {
    let state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || AppState::open(&config))
            .await
            .expect("opening the platform does not panic")?
    };
    let listener = bind(config.listen).await?;
    let addr = listener.local_addr().map_err(|source| Error::Listen {
        addr: config.listen,
        source,
    })?;
    let (stop, stopping) = watch::channel(false);
    let app = crate::http::router(state.clone());
    let sweeper = sweep_every(state.clone(), stopping.clone());
    let neighbours = follow_other_instances(state.clone(), stopping.clone());
    let proxies: Arc<[IpAddr]> = config.trusted_proxies.clone().into();
    let task = tokio::spawn(async move {
        tokio::join!(serve(listener, app, proxies, stopping), sweeper, neighbours);
    });
    tracing::info!(%addr, "serving");
    Ok(RunningPlatform {
        addr,
        state,
        stop,
        task,
    })
}

/// Closes, every `Limits::sweep_interval`, the reports nobody answered for seven days after
/// they were resolved, and announces the closings on the feed, until the platform stops.
async fn sweep_every(state: AppState, mut stopping: watch::Receiver<bool>) {
    let every = Duration::try_from(state.limits().sweep_interval)
        .unwrap_or(Duration::from_secs(60))
        .max(Duration::from_millis(10));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let closed = state
                    .blocking(|s| Ok(crate::report::lifecycle::sweep(s.store(), s.now())?))
                    .await;
                match closed {
                    Ok(seqs) => {
                        if let Some(&last) = seqs.iter().max() {
                            state.feed().notify(last);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "closing reports nobody answered"),
                }
            }
            () = stopped(&mut stopping) => break,
        }
    }
}

/// Wakes this instance's event streams for events other instances wrote to the same
/// database: every `Limits::feed_poll_interval`, while any stream is open, reads the latest
/// sequence number. The streams then read the rows themselves, by sequence, as they do for
/// their own instance's events; one query per instance per interval, however many listen.
async fn follow_other_instances(state: AppState, mut stopping: watch::Receiver<bool>) {
    let every = Duration::try_from(state.limits().feed_poll_interval)
        .unwrap_or(Duration::from_secs(1))
        .max(Duration::from_millis(10));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if !state.feed().has_listeners() {
                    continue;
                }
                match state.blocking(|s| Ok(s.store().latest_event_seq()?)).await {
                    Ok(latest) => state.feed().notify(latest),
                    Err(e) => tracing::warn!(error = %e, "looking for other instances' events"),
                }
            }
            () = stopped(&mut stopping) => break,
        }
    }
}

async fn serve(
    listener: TcpListener,
    app: axum::Router,
    proxies: Arc<[IpAddr]>,
    mut stopping: watch::Receiver<bool>,
) {
    // Dropping the set (when the task is aborted) aborts every connection with it.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    connections.spawn(connection(
                        stream,
                        remote,
                        app.clone(),
                        proxies.clone(),
                        stopping.clone(),
                    ));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stopped(&mut stopping) => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        tracing::warn!("requests still running after the drain timeout were cut");
    }
}

/// The client a request is from: the peer, unless the peer is a trusted proxy; then the
/// nearest address in `X-Forwarded-For` (read right to left, each proxy appending the
/// address it heard from) that is not a trusted proxy too. Entries left of that one were
/// written by the client and prove nothing.
fn client_address(peer: SocketAddr, headers: &hyper::HeaderMap, proxies: &[IpAddr]) -> SocketAddr {
    if !proxies.contains(&peer.ip()) {
        return peer;
    }
    let mut forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded.reverse();
    for entry in forwarded {
        match entry.parse::<IpAddr>() {
            Ok(ip) if proxies.contains(&ip) => continue,
            Ok(ip) => return SocketAddr::new(ip, 0),
            // Garbage where the nearest client should be: the proxy is all we know.
            Err(_) => break,
        }
    }
    peer
}

/// Resolves once a stop is asked for (or the platform is gone).
pub(crate) async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: axum::Router,
    proxies: Arc<[IpAddr]>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = app
        .map_request(move |mut request: axum::extract::Request| {
            // What the rest of the platform knows as the request's peer: the client itself,
            // also behind a trusted load balancer, so per-address limits count clients.
            let client = client_address(remote, request.headers(), &proxies);
            request.extensions_mut().insert(ConnectInfo(client));
            request
        })
        .map_request(|request: hyper::Request<hyper::body::Incoming>| {
            request.map(axum::body::Body::new)
        });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        () = stopped(&mut stopping) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use rstest::rstest;
    use std::net::{IpAddr, SocketAddr};

    #[rstest]
    #[case::direct_clients_are_themselves("203.0.113.9", None, "203.0.113.9")]
    #[case::their_header_is_ignored("203.0.113.9", Some("198.51.100.1"), "203.0.113.9")]
    #[case::behind_the_balancer("10.0.0.2", Some("198.51.100.7"), "198.51.100.7")]
    #[case::a_forged_entry_is_left_of_the_real_one(
        "10.0.0.2",
        Some("1.2.3.4, 198.51.100.7"),
        "198.51.100.7"
    )]
    #[case::through_two_trusted_proxies("10.0.0.2", Some("198.51.100.7, 10.0.0.3"), "198.51.100.7")]
    #[case::no_header_means_the_balancer("10.0.0.2", None, "10.0.0.2")]
    #[case::garbage_means_the_balancer("10.0.0.2", Some("unknown"), "10.0.0.2")]
    fn clients_are_counted_behind_trusted_proxies_only(
        #[case] peer: &str,
        #[case] forwarded: Option<&str>,
        #[case] expected: &str,
    ) {
        let proxies: Vec<IpAddr> = vec!["10.0.0.2".parse().unwrap(), "10.0.0.3".parse().unwrap()];
        let mut headers = hyper::HeaderMap::new();
        if let Some(value) = forwarded {
            headers.insert("x-forwarded-for", value.parse().unwrap());
        }
        let peer = SocketAddr::new(peer.parse().unwrap(), 4711);
        assert_eq!(
            client_address(peer, &headers, &proxies).ip(),
            expected.parse::<IpAddr>().unwrap()
        );
    }
}
