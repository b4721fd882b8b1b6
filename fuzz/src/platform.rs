//! The real platform, in-process: its axum router over a seeded SQLite store in a temporary
//! folder, built once per fuzzing process and sent one request per input.
//!
//! Placeholders in an input: `$RESIDENT`, `$NEIGHBOUR`, `$TENANT`, `$VOLUNTEER`,
//! `$PROPERTY`, `$COMMUNITY`, `$STREET`, `$COMMITTEE`, `$CLINIC`, `$ADMIN` (session tokens of
//! the demo estate's people), `$REPORT` and `$PUBLIC_REPORT` (reports of the main resident),
//! `$PHOTO` (their photo, attached to nothing) and `$NEW_ID` (a fresh id per input).
//!
//! What every answer must be, whatever was asked ([`Exchange::check`]):
//! - never a 5xx (a panic anywhere aborts the fuzzer before it becomes one);
//! - an error of the platform's own API is a problem document (`application/problem+json`)
//!   whose `status` is the HTTP status;
//! - an answer of the Open311 face is JSON or XML as its content type says, and well formed;
//! - a JSON answer of the platform's own API is JSON.

use crate::request;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Method, StatusCode, header};
use linli_api::platform::Problem;
use linli_platform::auth::otp;
use linli_platform::clock::ManualClock;
use linli_platform::{AppState, Config, demo};
use std::sync::{Arc, Mutex, OnceLock};
use tower::ServiceExt;

/// The people of the demo estate a request can act as: `Authorization: Bearer $RESIDENT`.
const PEOPLE: [(&str, &str); 10] = [
    ("$RESIDENT", demo::RESIDENT_PHONE),
    ("$NEIGHBOUR", demo::SECOND_RESIDENT_PHONE),
    ("$TENANT", demo::TENANT_PHONE),
    ("$VOLUNTEER", demo::VOLUNTEER_PHONE),
    ("$PROPERTY", demo::PROPERTY_STAFF_PHONE),
    ("$COMMUNITY", demo::COMMUNITY_STAFF_PHONE),
    ("$STREET", demo::STREET_STAFF_PHONE),
    ("$COMMITTEE", demo::COMMITTEE_MEMBER_PHONE),
    ("$CLINIC", demo::CLINIC_STAFF_PHONE),
    ("$ADMIN", demo::ADMINISTRATOR_PHONE),
];

/// Replaced by a fresh UUIDv7 in each input (the same one everywhere in it), so filing
/// reports and comments succeeds rather than always meeting an earlier one.
pub const NEW_ID: &str = "$NEW_ID";

/// The platform under test.
pub struct Platform {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    state: AppState,
    clock: ManualClock,
    /// Placeholder -> value: people's tokens, the seeded report and photo ids.
    values: Mutex<Vec<(String, String)>>,
    _dir: tempfile::TempDir,
}

/// One request and its answer.
#[derive(Debug)]
pub struct Exchange {
    /// The request as sent, placeholders replaced.
    pub request: String,
    /// Its method.
    pub method: Method,
    /// Its path.
    pub path: String,
    /// The answer's status.
    pub status: StatusCode,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The answer's body; empty for an event stream (never read: it does not end).
    pub body: Bytes,
}

impl Platform {
    /// The platform of this process, started on first use.
    pub fn get() -> &'static Platform {
        static PLATFORM: OnceLock<Platform> = OnceLock::new();
        PLATFORM.get_or_init(Platform::start)
    }

    fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("linli-fuzz-")
            .tempdir()
            .expect("a temporary folder");
        let clock = ManualClock::starting_now();
        let mut config = Config::new(dir.path()).with_listen("127.0.0.1:0".parse().unwrap());
        config.clock = Arc::new(clock.clone());
        // Every request comes from one address: with a person's limits the sign-in paths
        // would answer only 429 after the first few inputs.
        config.limits.codes_per_client = 100_000;
        config.limits.sign_ins_per_client = 100_000;
        let state = AppState::open(&config).expect("the platform opens");
        let router = linli_platform::router(state.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let platform = Self {
            runtime,
            router,
            state,
            clock,
            values: Mutex::new(Vec::new()),
            _dir: dir,
        };
        platform.sign_everyone_in();
        platform.seed();
        platform
    }

    /// Gives everyone a fresh session (again after a request may have signed one out).
    fn sign_everyone_in(&self) {
        let store = self.state.store();
        let now = self.state.now();
        let mut values = self.values.lock().unwrap();
        for (placeholder, phone) in PEOPLE {
            let user = store
                .user_by_phone(phone)
                .expect("the store answers")
                .expect("a demo person");
            let token = format!("fuzz-{}", uuid::Uuid::now_v7().simple());
            store
                .create_session(
                    &otp::hash_token(&token),
                    user.id,
                    now,
                    now + time::Duration::days(3650),
                )
                .expect("a session");
            values.retain(|(p, _)| p != placeholder);
            values.push((placeholder.to_owned(), token));
        }
    }

    /// A photo and two reports of the main resident, for requests about existing things:
    /// `$PHOTO` (uploaded, attached to nothing), `$REPORT` (private, about their home) and
    /// `$PUBLIC_REPORT` (public, about a building), filed through the API itself.
    fn seed(&self) {
        let photo = uuid::Uuid::now_v7();
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(4, 3, image::Rgb([200, 80, 40]))
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .expect("a JPEG");
        let mut upload = format!(
            "PUT /v1/photos/{photo}\nAuthorization: Bearer $RESIDENT\nContent-Type: image/jpeg\n\n"
        )
        .into_bytes();
        upload.extend_from_slice(&jpeg);
        let answer = self.exchange(&upload).expect("a request");
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        self.values
            .lock()
            .unwrap()
            .push(("$PHOTO".into(), photo.to_string()));

        for (placeholder, place, visibility) in [
            ("$REPORT", r#"{"kind":"unit","unit_id":3251}"#, "private"),
            (
                "$PUBLIC_REPORT",
                r#"{"kind":"building","building_id":3,"spot":"三楼楼道"}"#,
                "public",
            ),
        ] {
            let id = uuid::Uuid::now_v7();
            let file = format!(
                "POST /v1/reports\nAuthorization: Bearer $RESIDENT\nIdempotency-Key: {id}\n\
                 Content-Type: application/json\n\n\
                 {{\"id\":\"{id}\",\"category\":\"water_plumbing\",\"description\":\"水管漏水，地上都是水\",\
                 \"place\":{place},\"urgency\":\"soon\",\"visibility\":\"{visibility}\"}}"
            );
            let answer = self.exchange(file.as_bytes()).expect("a request");
            assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
            self.values
                .lock()
                .unwrap()
                .push((placeholder.into(), id.to_string()));
        }
    }

    /// The input with placeholders replaced.
    pub fn substitute(&self, input: &[u8]) -> Vec<u8> {
        let mut bytes = request::replace_all(
            input,
            NEW_ID.as_bytes(),
            uuid::Uuid::now_v7().to_string().as_bytes(),
        );
        for (placeholder, value) in self.values.lock().unwrap().iter() {
            bytes = request::replace_all(&bytes, placeholder.as_bytes(), value.as_bytes());
        }
        bytes
    }

    /// Sends the request written in `input` (placeholders replaced) and reads the answer;
    /// `None` when the input is not a request a server would pass on.
    pub fn exchange(&self, input: &[u8]) -> Option<Exchange> {
        // Time moves on between requests: rate windows slide, keys' leases and codes expire.
        self.clock.advance(time::Duration::seconds(1));
        let bytes = self.substitute(input);
        let request = request::parse(&bytes)?;
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let (status, headers, body) = self.runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|never| match never {});
            let (parts, body) = response.into_parts();
            let stream = parts
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
            let body = if stream {
                Bytes::new()
            } else {
                to_bytes(Body::new(body), usize::MAX)
                    .await
                    .expect("the answer's body reads")
            };
            (parts.status, parts.headers, body)
        });
        if method == Method::DELETE {
            // It may have been signing out.
            self.sign_everyone_in();
        }
        if show() {
            eprintln!(
                "{method} {path} -> {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        Some(Exchange {
            request: String::from_utf8_lossy(&bytes).into_owned(),
            method,
            path,
            status,
            headers,
            body,
        })
    }
}

/// Whether to print each request's answer (`LINLI_FUZZ_SHOW=1`), to see what the seeds of a
/// corpus really reach: `fuzz/target/*/release/platform_requests fuzz/corpus/platform_requests/*`.
fn show() -> bool {
    static SHOW: OnceLock<bool> = OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("LINLI_FUZZ_SHOW").is_some())
}

fn is_json(content_type: &str) -> bool {
    let media = linli_platform::photo::media_type(content_type);
    media == "application/json" || media.ends_with("+json")
}

fn is_xml(content_type: &str) -> bool {
    let media = linli_platform::photo::media_type(content_type);
    media == "text/xml" || media == "application/xml"
}

/// Whether `bytes` are a well-formed XML document (one root, matching tags).
pub fn well_formed_xml(bytes: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::Text(t)) if depth == 0 && !t.trim().is_empty() => {
                return Err("text outside the root element".into());
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    match (roots, depth) {
        (1, 0) => Ok(()),
        _ => Err(format!("{roots} root elements, {depth} left open")),
    }
}

impl Exchange {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- request ---\n{}\n--- answer: {} {} ---\n{}",
            self.request,
            self.status,
            self.content_type(),
            String::from_utf8_lossy(&self.body)
        )
    }

    /// Checks what every answer must be (see the module's documentation); panics otherwise.
    pub fn check(&self) {
        if self.status.is_server_error() {
            self.fail("a server error");
        }
        // HEAD answers carry no body to check.
        if self.method == Method::HEAD {
            return;
        }
        let content_type = self.content_type().to_owned();
        let open311 = self.path.starts_with(linli_platform::open311::PREFIX);
        if self.status.is_client_error() && !open311 {
            if !content_type.starts_with("application/problem+json") {
                self.fail("an error that is not a problem document");
            }
            let problem: Problem = serde_json::from_slice(&self.body)
                .unwrap_or_else(|e| self.fail(&format!("an unreadable problem document: {e}")));
            if problem.status != self.status.as_u16() {
                self.fail("a problem document with another status than the answer's");
            }
            return;
        }
        if is_json(&content_type) {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&self.body) {
                self.fail(&format!("a JSON answer that is not JSON: {e}"));
            }
        } else if is_xml(&content_type) {
            if let Err(e) = well_formed_xml(&self.body) {
                self.fail(&format!("an XML answer that is not well formed: {e}"));
            }
        } else if open311 && !self.status.is_success() {
            self.fail("an Open311 error in neither JSON nor XML");
        }
    }
}
