//! The HTTP face: routes, layers and the OpenAPI document generated from the handlers.

pub mod auth;
pub mod comments;
pub mod common_problems;
pub mod events;
pub mod extract;
pub mod follow;
pub mod idempotency;
pub mod lifecycle;
pub mod photos;
pub mod problem;
pub mod reports;
pub mod trace;

use crate::state::AppState;
use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use linli_api::validate::MAX_PHOTO_BYTES;
use std::sync::OnceLock;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi as _};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Linli platform",
        description = "The community platform the Linli app talks to: sign-in with one-time \
                       codes, repair and issue reports with photos, and a live change feed. \
                       Every error is `application/problem+json` with a stable `code`. Every \
                       POST honours `Idempotency-Key`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "reports", description = "Repair and issue reports"),
        (name = "photos", description = "Photos attached to reports"),
        (name = "events", description = "Changes to reports, live or polled"),
        (name = "meta", description = "Liveness and this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Liveness: answers 200 while the platform serves.
#[utoipa::path(get, path = "/health", tag = "meta",
    responses((status = 200, description = "Serving", body = String)))]
async fn health() -> &'static str {
    "ok"
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn openapi_json() -> Json<serde_json::Value> {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    Json(
        DOCUMENT
            .get_or_init(|| serde_json::to_value(openapi()).expect("the document serialises"))
            .clone(),
    )
}

/// Every route with its OpenAPI description. JSON routes take small bodies; the photo route
/// takes up to [`MAX_PHOTO_BYTES`]. Every POST passes the idempotency layer.
fn api(state: Option<&AppState>, json_limit: usize) -> OpenApiRouter<AppState> {
    let json = OpenApiRouter::new()
        .routes(routes!(auth::request_code))
        .routes(routes!(auth::sign_in))
        .routes(routes!(auth::sign_out))
        .routes(routes!(auth::me))
        .routes(routes!(reports::catalogue))
        .routes(routes!(reports::file, reports::list))
        .routes(routes!(reports::detail))
        .routes(routes!(reports::change_status))
        .routes(routes!(lifecycle::resolve))
        .routes(routes!(lifecycle::confirm))
        .routes(routes!(lifecycle::reopen))
        .routes(routes!(lifecycle::rate))
        .routes(routes!(lifecycle::hand_off))
        .routes(routes!(lifecycle::board))
        .routes(routes!(follow::similar))
        .routes(routes!(follow::follow, follow::unfollow))
        .routes(routes!(comments::post, comments::list))
        .routes(routes!(events::events))
        .routes(routes!(events::changes));
    let json = match state {
        Some(state) => json.layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        )),
        None => json,
    };
    let json = json
        .layer(RequestBodyLimitLayer::new(json_limit))
        .layer(DefaultBodyLimit::disable());
    let photo = OpenApiRouter::new()
        .routes(routes!(photos::upload, photos::download))
        .layer(RequestBodyLimitLayer::new(MAX_PHOTO_BYTES))
        .layer(DefaultBodyLimit::disable());
    let meta = OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(openapi_json));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(json)
        .merge(photo)
        .merge(meta)
}

/// The OpenAPI 3.1 document of the platform, as served at `/openapi.json`.
pub fn openapi() -> OpenApi {
    let mut doc = api(None, 0).into_openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    common_problems::document(&mut doc);
    doc
}

/// The platform's routes over `state`, with every layer: body limits, idempotency, problem
/// documents for every error, panics caught, requests traced.
pub fn router(state: AppState) -> axum::Router {
    let json_limit = state.limits().json_body_bytes;
    let (router, _) = api(Some(&state), json_limit).split_for_parts();
    let open311 = crate::open311::router(state.clone());
    router
        .fallback(problem::no_such_route)
        .with_state(state)
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(problem::problems_everywhere))
        // Merged after the problem layer: Open311 clients get Open311 error arrays.
        .merge(open311)
        // Logged without secrets: Open311 clients put their token in the query.
        .layer(TraceLayer::new_for_http().make_span_with(trace::request_span::<axum::body::Body>))
}
