//! Reporting an issue: the form (new and edit), my reports, and one report with its timeline.

mod comments;
mod detail;
mod form;
mod list;
mod photos;

pub use photos::forget_photos;

pub use detail::ReportDetail;
pub use form::{EditReport, NewReport};
pub use list::MyReports;

use crate::i18n::{error_text, language, tr, tr_with};
use base64::Engine;
use linli_api::ipc::{Delivery, LocalReport};
use linli_api::platform::Catalogue;
use linli_api::{ApiError, ErrorCode};
use linli_api::{Place, ReportId};
use linli_i18n::ids;
use std::collections::HashMap;

/// The category's name in the current language, or its code if the catalogue lacks it.
fn category_name(catalogue: Option<&Catalogue>, code: Option<&str>) -> String {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return tr("report-no-category");
    };
    catalogue
        .and_then(|c| c.categories.iter().find(|cat| cat.code == code))
        .map(|cat| cat.name(language().tag()).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Where the report is, in words: the platform's label once delivered, else from the catalogue.
fn place_text(catalogue: Option<&Catalogue>, report: &LocalReport) -> Option<String> {
    if let Some(label) = &report.place_label {
        return Some(label.clone());
    }
    let place = report.draft.place.as_ref()?;
    let c = catalogue?;
    let (name, spot) = match place {
        Place::Unit { unit_id } => (c.units.iter().find(|u| u.id == *unit_id)?.label.clone(), ""),
        Place::Building { building_id, spot } => (
            c.buildings
                .iter()
                .find(|b| b.id == *building_id)?
                .label
                .clone(),
            spot.as_str(),
        ),
        Place::CommonArea { area_id, spot } => (
            c.common_areas
                .iter()
                .find(|a| a.id == *area_id)?
                .label
                .clone(),
            spot.as_str(),
        ),
    };
    Some(if spot.trim().is_empty() {
        name
    } else {
        tr_with(
            "report-place-spot",
            &[
                ("place", name.as_str().into()),
                ("spot", spot.trim().into()),
            ],
        )
    })
}

/// Percent sent, from the freshest of the upload events and the stored delivery state.
fn percent_sent(
    id: ReportId,
    delivery: &Delivery,
    uploads: &HashMap<ReportId, (u64, u64)>,
) -> Option<u64> {
    let (sent, total) = match (delivery, uploads.get(&id)) {
        // Progress can arrive before the stored state says it is sending.
        (Delivery::Queued { .. } | Delivery::Sending { .. }, Some(p)) => *p,
        (
            Delivery::Sending {
                sent_bytes,
                total_bytes,
            },
            None,
        ) => (*sent_bytes, *total_bytes),
        _ => return None,
    };
    Some((sent.min(total) * 100).checked_div(total).unwrap_or(0))
}

/// The outbox state in words: "saved on this device, will send", "sending 45%", "received, #12",
/// "not accepted: reason".
fn delivery_text(
    id: ReportId,
    delivery: &Delivery,
    uploads: &HashMap<ReportId, (u64, u64)>,
) -> String {
    if let Some(percent) = percent_sent(id, delivery, uploads) {
        return tr_with("delivery-sending", &[("percent", percent.into())]);
    }
    let id = ids::delivery(delivery);
    match delivery {
        Delivery::Draft | Delivery::Queued { .. } | Delivery::Sending { .. } => tr(id),
        Delivery::Delivered { number } => tr_with(id, &[("number", (*number).into())]),
        Delivery::Rejected { error } => {
            tr_with(id, &[("reason", rejection_reason(error).as_str().into())])
        }
    }
}

/// Why a queued report has not gone yet, if the core said.
fn waiting_reason(delivery: &Delivery) -> Option<String> {
    match delivery {
        Delivery::Queued {
            last_error: Some(e),
            ..
        } => Some(tr_with(
            "delivery-waiting-because",
            &[("reason", error_text(e).as_str().into())],
        )),
        _ => None,
    }
}

/// A class naming the outbox state, for the badge's shape and colour.
fn delivery_class(delivery: &Delivery) -> &'static str {
    match delivery {
        Delivery::Draft => "badge badge-draft",
        Delivery::Queued { .. } => "badge badge-queued",
        Delivery::Sending { .. } => "badge badge-sending",
        Delivery::Delivered { .. } => "badge badge-delivered",
        Delivery::Rejected { .. } => "badge badge-rejected",
    }
}

/// A screen that could not load what it shows: its title and why.
fn load_failed_view(
    title: impl Fn() -> String + Send + Sync + 'static,
    error: linli_api::ApiError,
) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    view! {
        <section class="page">
            <h1>{title}</h1>
            <div class="notice notice-error" role="alert">
                <crate::icons::Svg icon=crate::icons::Icon::Alert />
                <p>{move || tr_with("load-failed", &[("reason", error_text(&error).as_str().into())])}</p>
            </div>
        </section>
    }
    .into_any()
}

/// Why the platform refused a report: the fields' reasons when it named fields, which say
/// what to change, else the error itself.
fn rejection_reason(error: &linli_api::ApiError) -> String {
    if error.fields.is_empty() {
        error_text(error)
    } else {
        error
            .fields
            .iter()
            .map(crate::i18n::field_error_text)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Reads a chosen file's bytes as base64, as `AttachPhoto` takes them.
pub(super) async fn file_base64(file: &web_sys::File) -> Result<String, ApiError> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| ApiError::new(ErrorCode::PhotoUnreadable, "the file could not be read"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}
