//! A fault-injecting HTTP proxy on loopback, between a core and a platform.
//!
//! Each request draws one [`Fault`] from the [`FaultPlan`]: the connection dropped before or
//! after the platform saw the request, a 500 (instead of, or after, the platform's answer), a
//! 429 with `Retry-After` (as a gateway answers: the header only), a stall past the client's
//! timeout, or a body cut in half (the request's, so the platform sees a connection closed
//! mid-body; or the answer's, so the client does). Every request is recorded with its time,
//! the item it carries (the `Idempotency-Key`, or the photo id of an upload) and what it got,
//! so a test can check retries against the backoff.

use axum::body::{Body, Bytes};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand::Rng;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the proxy does to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// Passed through untouched.
    None,
    /// The connection closes before the platform sees anything.
    DropBefore,
    /// The platform handles the request; its answer is lost with the connection.
    DropAfter,
    /// A 500 without asking the platform.
    Error500,
    /// The platform handles the request; the client gets a 500 instead of its answer.
    Error500After,
    /// A 429 with `Retry-After`, without asking the platform.
    TooMany,
    /// Nothing for longer than the client waits; then the request reaches the platform.
    Stall,
    /// Half the request body reaches the platform, then the connection closes.
    CutRequest,
    /// The platform answers; half the answer's body reaches the client, then the connection
    /// closes.
    CutResponse,
}

/// How often each fault happens (each a probability; what is left passes untouched), and how.
#[derive(Clone, Debug)]
pub struct FaultPlan {
    /// Per fault, its probability.
    pub odds: Vec<(Fault, f64)>,
    /// Faults met by the first requests that carry an outbox item, in order, while faults
    /// are on; the odds apply after them (and to requests without an item).
    pub first_items: Vec<Fault>,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_secs: u64,
    /// How long a stall lasts (make it longer than the client's request timeout).
    pub stall: Duration,
}

impl FaultPlan {
    /// Every fault at once: `share` of all requests meet one, spread evenly.
    pub fn every_fault(share: f64, retry_after_secs: u64, stall: Duration) -> Self {
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
        let each = share / faults.len() as f64;
        Self {
            odds: faults.iter().map(|f| (*f, each)).collect(),
            first_items: Vec::new(),
            retry_after_secs,
            stall,
        }
    }

    fn draw(&self, rng: &mut impl Rng) -> Fault {
        let mut x: f64 = rng.random();
        for (fault, p) in &self.odds {
            if x < *p {
                return *fault;
            }
            x -= p;
        }
        Fault::None
    }
}

/// One request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// When it arrived, from the proxy's start.
    pub at: Duration,
    /// When the proxy was done with it (answered, or cut it), from the proxy's start; `None`
    /// for a stall, which the client gives up on by its own timer while the proxy holds on.
    pub ended: Option<Duration>,
    /// `POST`, `GET`...
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The item it carries: its `Idempotency-Key`, or `photo:<id>` for an upload.
    pub item: Option<String>,
    /// What the proxy did.
    pub fault: Fault,
    /// The status the client got, if it got one.
    pub status: Option<u16>,
}

struct Shared {
    upstream: String,
    upstream_addr: SocketAddr,
    plan: FaultPlan,
    faults_on: AtomicBool,
    /// Requests with an item seen while faults were on (for `FaultPlan::first_items`).
    items_faulted: std::sync::atomic::AtomicUsize,
    started: Instant,
    seen: Mutex<Vec<Seen>>,
    client: reqwest::Client,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the proxy cut this connection ({0:?})")]
struct Cut(Fault);

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of the platform at `upstream`, faults
    /// off until [`FaultProxy::faults`] turns them on.
    pub async fn start(upstream: SocketAddr, plan: FaultPlan) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream: format!("http://{upstream}"),
            upstream_addr: upstream,
            plan,
            faults_on: AtomicBool::new(false),
            items_faulted: std::sync::atomic::AtomicUsize::new(0),
            started: Instant::now(),
            seen: Mutex::new(Vec::new()),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
        });
        let task = tokio::spawn(accept(listener, shared.clone()));
        Ok(Self { addr, shared, task })
    }

    /// The URL to give the core.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Turns the faults on or off.
    pub fn faults(&self, on: bool) {
        self.shared.faults_on.store(on, Ordering::SeqCst);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(shared.clone(), request));
            // A cut ends the connection with an error; that is the point.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn item_of(method: &hyper::Method, path: &str, headers: &hyper::HeaderMap) -> Option<String> {
    if let Some(key) = headers.get("idempotency-key") {
        return key.to_str().ok().map(str::to_owned);
    }
    if method == hyper::Method::PUT {
        return path
            .strip_prefix("/v1/photos/")
            .map(|id| format!("photo:{id}"));
    }
    None
}

fn problem(status: StatusCode, code: &str, retry_after: Option<u64>) -> Response<Body> {
    let body = format!(
        "{{\"type\":\"about:blank\",\"title\":\"proxy\",\"status\":{},\"code\":\"{code}\",\"detail\":\"from the fault proxy\"}}",
        status.as_u16()
    );
    let mut r = Response::builder()
        .status(status)
        .header("content-type", "application/problem+json");
    if let Some(secs) = retry_after {
        r = r.header("retry-after", secs.to_string());
    }
    r.body(Body::from(body)).expect("a valid response")
}

struct Upstream {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Bytes,
}

async fn forward(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: Bytes,
) -> Result<Upstream, reqwest::Error> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = shared.client.request(
        reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).expect("a method"),
        format!("{}{path}", shared.upstream),
    );
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "connection" | "content-length" | "transfer-encoding"
        ) {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let response = request.body(body).send().await?;
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let mut headers = hyper::HeaderMap::new();
    for (name, value) in response.headers() {
        if !matches!(name.as_str(), "connection" | "transfer-encoding") {
            headers.insert(
                hyper::header::HeaderName::from_bytes(name.as_str().as_bytes()).expect("a name"),
                hyper::header::HeaderValue::from_bytes(value.as_bytes()).expect("a value"),
            );
        }
    }
    let body = response.bytes().await?;
    Ok(Upstream {
        status,
        headers,
        body,
    })
}

/// Sends the request head and half its body straight to the platform, then closes.
async fn cut_request(shared: &Shared, parts: &hyper::http::request::Parts, body: &Bytes) {
    let Ok(mut stream) = TcpStream::connect(shared.upstream_addr).await else {
        return;
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {path} HTTP/1.1\r\n", parts.method);
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            head.push_str(&format!(
                "{}: {}\r\n",
                name,
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body[..body.len() / 2]).await;
    let _ = stream.flush().await;
    // Give the platform time to start reading before the connection goes.
    tokio::time::sleep(Duration::from_millis(20)).await;
}

fn rebuild(up: Upstream, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = up.status;
    *response.headers_mut() = up.headers;
    response
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Body>, Cut> {
    let at = shared.started.elapsed();
    let (parts, incoming) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let item = item_of(&parts.method, parts.uri.path(), &parts.headers);
    let fault = if shared.faults_on.load(Ordering::SeqCst) {
        let planned = item
            .as_ref()
            .map(|_| shared.items_faulted.fetch_add(1, Ordering::SeqCst))
            .and_then(|n| shared.plan.first_items.get(n).copied());
        planned.unwrap_or_else(|| shared.plan.draw(&mut rand::rng()))
    } else {
        Fault::None
    };
    let record = |status: Option<u16>| {
        let ended = (fault != Fault::Stall).then(|| shared.started.elapsed());
        shared.seen.lock().unwrap().push(Seen {
            at,
            ended,
            method: parts.method.to_string(),
            path: path.clone(),
            item: item.clone(),
            fault,
            status,
        });
    };
    let Ok(body) = axum::body::to_bytes(Body::new(incoming), 64 * 1024 * 1024).await else {
        record(None);
        return Err(Cut(Fault::None));
    };
    let forwarded = || forward(&shared, &parts, body.clone());
    let outcome = match fault {
        Fault::None => match forwarded().await {
            Ok(up) => Ok(rebuild(up.clone_head(), Body::from(up.body))),
            Err(_) => Err(Cut(fault)),
        },
        Fault::DropBefore => Err(Cut(fault)),
        Fault::DropAfter => {
            let _ = forwarded().await;
            Err(Cut(fault))
        }
        Fault::Error500 => Ok(plain_500()),
        Fault::Error500After => {
            let _ = forwarded().await;
            Ok(plain_500())
        }
        Fault::TooMany => Ok(problem(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            Some(shared.plan.retry_after_secs),
        )),
        Fault::Stall => {
            // The client gives up during the stall and hyper drops this future: record now.
            record(None);
            tokio::time::sleep(shared.plan.stall).await;
            match forwarded().await {
                Ok(up) => Ok(rebuild(up.clone_head(), Body::from(up.body))),
                Err(_) => Err(Cut(fault)),
            }
        }
        Fault::CutRequest => {
            cut_request(&shared, &parts, &body).await;
            Err(Cut(fault))
        }
        Fault::CutResponse => match forwarded().await {
            Ok(up) => {
                let half = up.body.slice(..up.body.len() / 2);
                let mut head = up.clone_head();
                head.headers.insert(
                    hyper::header::CONTENT_LENGTH,
                    hyper::header::HeaderValue::from(up.body.len()),
                );
                let stream = futures_util::stream::iter([
                    Ok::<_, std::io::Error>(half),
                    Err(std::io::Error::other("cut")),
                ]);
                Ok(rebuild(head, Body::from_stream(stream)))
            }
            Err(_) => Err(Cut(fault)),
        },
    };
    if fault != Fault::Stall {
        record(outcome.as_ref().ok().map(|r| r.status().as_u16()));
    }
    outcome
}

impl Upstream {
    fn clone_head(&self) -> Upstream {
        Upstream {
            status: self.status,
            headers: self.headers.clone(),
            body: Bytes::new(),
        }
    }
}

/// A 500 as a crashed gateway sends it: not a problem document.
fn plain_500() -> Response<Body> {
    Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .header("content-type", "text/plain")
        .body(Body::from("Internal Server Error"))
        .expect("a valid response")
}
