//! The Open311 GeoReport v2 face of the platform, so city 311 tools and third-party apps can
//! read and file an estate's reports as they do a city's service requests.
//!
//! Served beside the platform's own API:
//!
//! | method | path                                              | what                          |
//! |--------|---------------------------------------------------|-------------------------------|
//! | GET    | `/open311/discovery.{json,xml}`                   | service discovery             |
//! | GET    | `/open311/v2/services.{json,xml}`                 | categories as services        |
//! | GET    | `/open311/v2/services/{service_code}.{json,xml}`  | a service's definition        |
//! | POST   | `/open311/v2/requests.{json,xml}`                 | file a report                 |
//! | GET    | `/open311/v2/requests.{json,xml}`                 | reports, filtered             |
//! | GET    | `/open311/v2/requests/{id}.{json,xml}`            | one report (also `request/…`, |
//! |        |                                                   | as the published Swagger has) |
//!
//! How our world maps onto the specification:
//!
//! - **Jurisdictions are estates.** `jurisdiction_id` is `estate-<id>` (`estate-1` for the
//!   demo estate): ids never change, unlike names. The platform may serve several estates,
//!   so the parameter is required (400 without it, 404 for one that does not exist).
//! - **Services are report categories.** `service_code` is the category code
//!   (`water_plumbing`), `service_name` its name in the `Accept-Language` of the request
//!   (Chinese by default), `group` the party that handles it by default. Categories ask no
//!   questions of their own, so every definition has the same three attributes: `place`
//!   (a single-value list of `building:<id>` and `area:<id>`, plus `unit:<id>` for the
//!   caller's own units when an api_key is sent), `spot` (where in the building or area),
//!   `urgency` (`routine`, `soon`, `urgent`; routine when left out) and `visibility`
//!   (`private`, the default, or `public`).
//! - **Places are named, not surveyed.** A request's location is a place key in
//!   `attribute[place]` or `address_id`, or an `address_string` that starts with a building's
//!   or common area's label (or is one of the caller's unit labels), the spot after it:
//!   `3栋 三楼楼道`. `lat`/`long` alone cannot be mapped and are refused with a 400 that says
//!   so. Answers give the place's label and the estate as `address`, its key as `address_id`,
//!   and null coordinates.
//! - **The api_key is a resident's session.** Every report belongs to a resident, so
//!   `POST requests` needs the session token the Linli app signed in with, as `api_key`
//!   (query or form) or as `Authorization: Bearer`. Missing, unknown, expired, another
//!   estate's or a non-resident's: 403. Filing goes through the same rules as the app's
//!   (`report::file_report`): same validation, numbering, change feed; the report appears
//!   in the app like any other. An `Idempotency-Key` header holding a UUID becomes the
//!   report's id, so a client's retry cannot file twice.
//! - **Reading requests needs a key of that estate, and never shows who reported.** A public
//!   report is public to the estate's residents, not to the internet, so `GET requests` and
//!   `GET requests/{id}` answer 403 without an api_key. With one, they show what the platform
//!   shows that person ([`georeport::readable`]): their own reports, staff their estate's,
//!   other residents the public reports and those they follow, as neighbours see them: no
//!   reporter, a home shown only as its building. Services and discovery need no key.
//! - **Status** is `open` or `closed` by [`georeport::request_status`]; `status_notes` is the
//!   latest staff note, `agency_responsible` the handling party, `service_notice` the report
//!   number residents quote. `media_url` is the platform's photo endpoint for the first photo
//!   (it answers only to those who may see the report); left out when there is none.
//! - **Errors** are the spec's arrays in the requested format (`[{"code":…,"description":…}]`,
//!   `<errors><error>…`), code = HTTP status: 400 bad input, 403 api_key trouble, 404 unknown
//!   jurisdiction, service, request or path, 405 wrong method, 500 platform failure. Field
//!   errors keep the platform's stable codes in their description
//!   (`description: too_short (limit 5)`).
//!
//! These routes sit outside the OpenAPI document (form bodies and XML answers are not its
//! shape) and outside the problem-document layer: Open311 clients get Open311 errors.

pub mod doc;
pub mod georeport;
pub mod xml;

use crate::auth::{self, Caller};
use crate::http::extract::bearer_token;
use crate::report;
use crate::state::AppState;
use crate::store::{StoredReport, Visibility};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use doc::{Document, Format, Value};
use georeport::{Open311Error, Places, RequestView, Submission};
use linli_api::ipc::Language;
use linli_api::platform::paths;
use linli_api::{Category, ReportId};
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// Where the face is served.
pub const PREFIX: &str = "/open311";
/// Changes when the shape of services or definitions changes, so clients that cache them
/// know to fetch them again (service discovery's `changeset`).
pub const CHANGESET: &str = "2025-01-01T00:00:00Z";

/// The Open311 routes over `state`, with their own body limit and panic answer.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits().json_body_bytes;
    let only = |route: MethodRouter<AppState>| route.fallback(wrong_method);
    let open311 = Router::new()
        .route("/{file}", only(get(discovery)))
        .route("/v2/{file}", only(get(list).post(file_request)))
        .route("/v2/services/{file}", only(get(definition)))
        .route("/v2/requests/{file}", only(get(one_request)))
        .route("/v2/request/{file}", only(get(one_request)))
        // A nested router's fallback answers every other path under the prefix.
        .fallback(no_such_path);
    Router::new()
        .nest(PREFIX, open311)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::custom(panicked))
}

/// An answer in `format`.
fn answer(format: Format, status: StatusCode, document: &Document) -> Response {
    let mut response = (status, document.render(format)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

/// An error answer in `format`.
fn failure(format: Format, error: &Open311Error) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    answer(format, status, &error.document())
}

fn respond(format: Format, result: Result<Document, Open311Error>) -> Response {
    match result {
        Ok(document) => answer(format, StatusCode::OK, &document),
        Err(e) => failure(format, &e),
    }
}

async fn no_such_path(parts: Parts) -> Response {
    let path = parts.uri.path();
    failure(
        Format::guess(path),
        &Open311Error::not_found(format!("no such Open311 resource: {path}")),
    )
}

async fn wrong_method(parts: Parts) -> Response {
    let error = Open311Error::new(
        405,
        format!("{} is not answered at {}", parts.method, parts.uri.path()),
    );
    failure(Format::guess(parts.uri.path()), &error)
}

fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    failure(
        Format::Xml,
        &Open311Error::new(500, "the platform failed while answering"),
    )
}

/// The `{file}` segment of a route (`requests.json`, `services/{code}.xml`...). One that is
/// not UTF-8 once percent-decoded names no resource: it is answered 404 as an Open311 error,
/// like any other unknown path, rather than with axum's plain-text rejection.
struct File(String);

impl<S: Send + Sync> FromRequestParts<S> for File {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(file)) => Ok(File(file)),
            Err(_) => Err(failure(
                Format::guess(parts.uri.path()),
                &Open311Error::not_found(format!("no such Open311 resource: {}", parts.uri.path())),
            )),
        }
    }
}

/// A request's parameters: the query string, and for POST the form body, in order. A
/// parameter sent empty counts as not sent (the spec's "optional" rule).
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
        url::form_urlencoded::parse(bytes).into_owned()
    }

    fn from_query(query: Option<&str>) -> Self {
        Self(Self::parse(query.unwrap_or_default().as_bytes()).collect())
    }

    fn extend_form(&mut self, body: &[u8]) {
        self.0.extend(Self::parse(body));
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// `attribute[code]=value` (and `attribute[code][]=value`, for list answers).
    fn attributes(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("attribute[")?;
                let code = code.strip_suffix("[]").unwrap_or(code).strip_suffix(']')?;
                Some((code.to_owned(), v.clone()))
            })
            .collect()
    }
}

/// The language of names in answers, from `Accept-Language` (Chinese when none we speak).
fn language(headers: &HeaderMap) -> &'static str {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|tag| Language::from_tag(tag.split(';').next().unwrap_or_default().trim()))
        .next()
        .unwrap_or_default()
        .tag()
}

/// The platform's own address as the client reached it, under the platform's address rule
/// (https, or http on loopback). `None` without a usable `Host`.
fn own_address(headers: &HeaderMap) -> Option<url::Url> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    ["http", "https"].into_iter().find_map(|scheme| {
        linli_api::config::parse_platform_url(&format!("{scheme}://{host}")).ok()
    })
}

fn address_of(headers: &HeaderMap, path: &str) -> Option<String> {
    own_address(headers)?.join(path).ok().map(String::from)
}

/// Runs store work on the blocking pool.
async fn run<T, F>(state: &AppState, work: F) -> Result<T, Open311Error>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, Open311Error> + Send + 'static,
{
    state
        .blocking(move |s| Ok(work(s)))
        .await
        .map_err(Open311Error::from)?
}

/// The person behind an api_key (parameter or bearer token), if one was sent. A key that is
/// sent but does not work is refused rather than ignored.
async fn caller(
    state: &AppState,
    params: &Params,
    parts: &Parts,
) -> Result<Option<Caller>, Open311Error> {
    let Some(token) = params
        .get("api_key")
        .or_else(|| bearer_token(parts))
        .map(str::to_owned)
    else {
        return Ok(None);
    };
    let caller = state
        .blocking(move |s| auth::authenticate(s.store(), s.now(), &token))
        .await
        .map_err(|e| {
            Open311Error::forbidden(format!(
                "invalid api_key ({}): sign in to the Linli app and use its session token",
                e.code.as_str()
            ))
        })?;
    Ok(Some(caller))
}

/// Reading reports needs a person of the estate: "public" means public to the neighbours.
fn reader(caller: Option<Caller>) -> Result<Caller, Open311Error> {
    caller.ok_or_else(|| {
        Open311Error::forbidden(
            "api_key was not provided: an estate's service requests are shown only to its \
             residents and staff; send the session token of the Linli app as api_key",
        )
    })
}

/// A caller must belong to the estate they ask about.
fn same_estate(caller: &Caller, estate: &crate::store::Estate) -> Result<(), Open311Error> {
    if caller.user.estate_id == estate.id {
        Ok(())
    } else {
        Err(Open311Error::forbidden(format!(
            "this api_key belongs to another estate than {}",
            georeport::jurisdiction_id(estate.id)
        )))
    }
}

fn estate_of(state: &AppState, params: &Params) -> Result<crate::store::Estate, Open311Error> {
    georeport::jurisdiction(params.get("jurisdiction_id"), |id| state.store().estate(id))
}

/// Service discovery.
async fn discovery(File(file): File, headers: HeaderMap) -> Response {
    let Some(("discovery", format)) = Format::split(&file) else {
        return no_such(&file);
    };
    let url =
        address_of(&headers, &format!("{PREFIX}/v2")).unwrap_or_else(|| format!("{PREFIX}/v2"));
    let endpoint = Value::Record(vec![
        ("specification", georeport::SPECIFICATION.into()),
        ("url", url.into()),
        ("changeset", CHANGESET.into()),
        ("type", "production".into()),
        (
            "formats",
            Value::List {
                item: "format",
                items: vec!["text/xml".into(), "application/json".into()],
            },
        ),
    ]);
    let document = Document {
        root: "discovery",
        body: Value::Record(vec![
            ("changeset", CHANGESET.into()),
            (
                "contact",
                "Your estate's property management office, through the Linli app".into(),
            ),
            (
                "key_service",
                "Sign in to the Linli app with your phone; its session token is your api_key"
                    .into(),
            ),
            (
                "endpoints",
                Value::List {
                    item: "endpoint",
                    items: vec![endpoint],
                },
            ),
        ]),
    };
    answer(format, StatusCode::OK, &document)
}

fn no_such(file: &str) -> Response {
    failure(
        Format::guess(file),
        &Open311Error::not_found(format!("no such Open311 resource: {file}")),
    )
}

/// `GET services.*` and `GET requests.*`.
async fn list(
    State(state): State<AppState>,
    File(file): File,
    RawQuery(query): RawQuery,
    parts: Parts,
) -> Response {
    let params = Params::from_query(query.as_deref());
    match Format::split(&file) {
        Some(("services", format)) => respond(format, services(&state, params, &parts).await),
        Some(("requests", format)) => respond(format, request_list(&state, params, &parts).await),
        _ => no_such(&file),
    }
}

async fn services(
    state: &AppState,
    params: Params,
    parts: &Parts,
) -> Result<Document, Open311Error> {
    let language = language(&parts.headers);
    run(state, move |s| {
        estate_of(s, &params)?;
        Ok(georeport::service_list(&s.store().categories()?, language))
    })
    .await
}

/// `GET services/{code}.*`.
async fn definition(
    State(state): State<AppState>,
    File(file): File,
    RawQuery(query): RawQuery,
    parts: Parts,
) -> Response {
    let Some((code, format)) = Format::split(&file) else {
        return no_such(&file);
    };
    let code = code.to_owned();
    let params = Params::from_query(query.as_deref());
    let result = async {
        let caller = caller(&state, &params, &parts).await?;
        run(&state, move |s| {
            let estate = estate_of(s, &params)?;
            if let Some(c) = &caller {
                same_estate(c, &estate)?;
            }
            let categories = s.store().categories()?;
            let category = find_service(&categories, &code)?;
            let places = Places {
                units: caller.map(|c| c.units).unwrap_or_default(),
                buildings: s.store().buildings(estate.id)?,
                common_areas: s.store().common_areas(estate.id)?,
            };
            Ok(georeport::service_definition(category, &places))
        })
        .await
    }
    .await;
    respond(format, result)
}

fn find_service<'a>(categories: &'a [Category], code: &str) -> Result<&'a Category, Open311Error> {
    categories
        .iter()
        .find(|c| c.code == code)
        .ok_or_else(|| Open311Error::not_found(format!("service_code {code} was not found")))
}

/// `POST requests.*`: files a report for the resident whose session is the api_key.
async fn file_request(
    State(state): State<AppState>,
    File(file): File,
    RawQuery(query): RawQuery,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let format = match Format::split(&file) {
        Some(("requests", format)) => format,
        Some(("services", _)) => return wrong_method(parts).await,
        _ => return no_such(&file),
    };
    respond(format, filed(&state, query, &parts, body).await)
}

async fn filed(
    state: &AppState,
    query: Option<String>,
    parts: &Parts,
    body: Result<Bytes, BytesRejection>,
) -> Result<Document, Open311Error> {
    let body = body.map_err(|e| Open311Error::bad_request(e.body_text()))?;
    let mut params = Params::from_query(query.as_deref());
    if !body.is_empty() {
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(crate::photo::media_type)
            .is_some_and(|t| t == "application/x-www-form-urlencoded");
        if !is_form {
            return Err(Open311Error::bad_request(
                "send the request as Content-Type: application/x-www-form-urlencoded",
            ));
        }
        params.extend_form(&body);
    }
    // Checked before the key, so a client learns of a wrong jurisdiction first.
    run(state, {
        let jurisdiction = params.get("jurisdiction_id").map(str::to_owned);
        move |s| {
            georeport::jurisdiction(jurisdiction.as_deref(), |id| s.store().estate(id)).map(drop)
        }
    })
    .await?;
    let Some(caller) = caller(state, &params, parts).await? else {
        return Err(Open311Error::forbidden(
            "api_key was not provided: send the session token of the Linli app as api_key",
        ));
    };
    let id = parts
        .headers
        .get(linli_api::platform::IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<ReportId>().ok())
        .unwrap_or_default();
    let submission = Submission {
        service_code: params.get("service_code").map(str::to_owned),
        description: params.get("description").unwrap_or_default().to_owned(),
        address_string: params.get("address_string").map(str::to_owned),
        address_id: params.get("address_id").map(str::to_owned),
        coordinates: params.get("lat").is_some() || params.get("long").is_some(),
        media_url: params.get("media_url").map(str::to_owned),
        attributes: params.attributes(),
    };
    let filed = run(state, move |s| {
        let estate = estate_of(s, &params)?;
        same_estate(&caller, &estate)?;
        let places = Places {
            units: caller.units.clone(),
            buildings: s.store().buildings(estate.id)?,
            common_areas: s.store().common_areas(estate.id)?,
        };
        let categories = s.store().categories()?;
        let new = georeport::new_report(id, &submission, &categories, &places)?;
        Ok(report::file_report(s.store(), &caller, &new, s.now())?)
    })
    .await?;
    if let Some(seq) = filed.seq {
        state.feed().notify(seq);
    }
    Ok(georeport::created(&filed.report))
}

/// Renders the reports a reader may see, each with its timeline and category.
fn render(
    s: &AppState,
    estate: &crate::store::Estate,
    reports: Vec<linli_api::Report>,
    language: &str,
    photo_base: Option<&str>,
) -> Result<Document, Open311Error> {
    let categories = s.store().categories()?;
    let mut items = Vec::with_capacity(reports.len());
    for report in &reports {
        let timeline = s.store().timeline(report.id)?;
        let view = RequestView {
            report,
            timeline: &timeline,
            category: categories.iter().find(|c| c.code == report.category),
            estate,
            photo_base,
        };
        items.push(georeport::request_value(&view, language));
    }
    Ok(georeport::requests(items))
}

fn photo_base(headers: &HeaderMap) -> Option<String> {
    address_of(headers, &format!("{}/", paths::PHOTOS))
}

async fn request_list(
    state: &AppState,
    params: Params,
    parts: &Parts,
) -> Result<Document, Open311Error> {
    let caller = reader(caller(state, &params, parts).await?)?;
    let language = language(&parts.headers);
    let photo_base = photo_base(&parts.headers);
    run(state, move |s| {
        let estate = estate_of(s, &params)?;
        same_estate(&caller, &estate)?;
        let query = georeport::request_query(
            params.get("service_request_id"),
            georeport::list_values(params.all("service_code")),
            params.get("start_date"),
            params.get("end_date"),
            georeport::list_values(params.all("status")),
            s.now(),
        )?;
        let candidates: Vec<StoredReport> = match &query.ids {
            Some(ids) => {
                let mut found = Vec::new();
                for id in georeport::report_ids(ids) {
                    found.extend(s.store().report(id)?.filter(|r| r.estate_id == estate.id));
                }
                found
            }
            None => s
                .store()
                .reports(Visibility::Estate(estate.id))?
                .into_iter()
                .filter(|r| query.matches(r))
                .map(|report| StoredReport {
                    report,
                    estate_id: estate.id,
                })
                .collect(),
        };
        let mut reports = Vec::new();
        for stored in candidates {
            if reports.len() == georeport::MAX_REQUESTS {
                break;
            }
            reports.extend(georeport::readable(s.store(), &caller, stored)?);
        }
        render(s, &estate, reports, language, photo_base.as_deref())
    })
    .await
}

/// `GET requests/{id}.*`.
async fn one_request(
    State(state): State<AppState>,
    File(file): File,
    RawQuery(query): RawQuery,
    parts: Parts,
) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return no_such(&file);
    };
    let id = id.to_owned();
    let params = Params::from_query(query.as_deref());
    let result = async {
        let caller = reader(caller(&state, &params, &parts).await?)?;
        let language = language(&parts.headers);
        let photo_base = photo_base(&parts.headers);
        run(&state, move |s| {
            let estate = estate_of(s, &params)?;
            same_estate(&caller, &estate)?;
            let not_found =
                || Open311Error::not_found(format!("service_request_id {id} was not found"));
            let report_id: ReportId = id.parse().map_err(|_| not_found())?;
            // Someone else's private report is answered as missing: its existence is not
            // the reader's business.
            let stored = s
                .store()
                .report(report_id)?
                .filter(|r| r.estate_id == estate.id)
                .ok_or_else(not_found)?;
            let report = georeport::readable(s.store(), &caller, stored)?.ok_or_else(not_found)?;
            render(s, &estate, vec![report], language, photo_base.as_deref())
        })
        .await
    }
    .await;
    respond(format, result)
}
