//! Photo upload and download.

use super::extract::read_body;
use super::problem::HttpError;
use crate::auth::Caller;
use crate::photo;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_api::PhotoId;
use linli_api::platform::{PhotoReceipt, Problem};

/// The raw bytes of an image, as the body of an upload or download (documentation only).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageBytes(pub Vec<u8>);

/// Upload a photo under the id the device chose.
///
/// The body is the raw image: JPEG, PNG or WebP (checked from the bytes, not only the
/// `Content-Type`), at most 10 MiB. Uploading the same bytes again answers the same receipt.
#[utoipa::path(
    put, path = "/v1/photos/{id}", tag = "photos",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The photo's id, chosen by the device")),
    request_body(description = "The image bytes",
        content((inline(ImageBytes) = "image/jpeg"), (inline(ImageBytes) = "image/png"), (inline(ImageBytes) = "image/webp"))),
    responses(
        (status = 201, description = "Stored", body = PhotoReceipt),
        (status = 200, description = "Already stored with the same bytes", body = PhotoReceipt),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the id holds another photo", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not a JPEG, PNG or WebP, or the bytes do not match the type", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PhotoId>,
    request: Request,
) -> Result<(StatusCode, Json<PhotoReceipt>), HttpError> {
    let declared = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = read_body(request, &()).await?;
    let (receipt, created) = state
        .blocking(move |s| {
            photo::upload(
                s.store(),
                s.photos(),
                &caller,
                id,
                declared.as_deref(),
                &bytes,
                s.now(),
            )
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(receipt)))
}

/// A photo's bytes, for its uploader and for those who may see its report.
#[utoipa::path(
    get, path = "/v1/photos/{id}", tag = "photos",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The photo's id")),
    responses(
        (status = 200, description = "The image, in its stored type",
            content((inline(ImageBytes) = "image/jpeg"), (inline(ImageBytes) = "image/png"), (inline(ImageBytes) = "image/webp"))),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PhotoId>,
) -> Result<Response, HttpError> {
    let (bytes, content_type) = state
        .blocking(move |s| photo::fetch(s.store(), s.photos(), &caller, id))
        .await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    Ok(response)
}
