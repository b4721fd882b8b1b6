//! One report: where it is on its way, what the resident wrote, and the platform's timeline.

use super::photos::Thumb;
use super::{
    category_name, delivery_class, delivery_text, load_failed_view, percent_sent, place_text,
    waiting_reason,
};
use crate::components::Loading;
use crate::i18n::{date_time, t, tr, tr_with};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_api::ipc::{Delivery, LocalReport, Request, Response};
use linli_api::{ApiError, ErrorCode, ReportId, TimelineEntry};
use linli_i18n::ids;
use time::format_description::well_known::Rfc3339;

/// `/reports/:id`.
#[component]
pub fn ReportDetail() -> impl IntoView {
    let state = use_app();
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<ReportId>().ok())));
    let report = LocalResource::new(move || {
        state.reports_changed.track();
        let id = id.get();
        async move {
            let Some(id) = id else {
                return Err(ApiError::new(ErrorCode::NotFound, "no such report id"));
            };
            match call(Request::Report { id }).await? {
                Response::Report(r) => Ok(r),
                other => Err(unexpected(&other)),
            }
        }
    });
    move || match report.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) if e.code == ErrorCode::NotFound => view! {
            <section class="page">
                <h1>{t("report-detail-title")}</h1>
                <p>{t("report-not-found")}</p>
                <p>
                    <a class="button" href="/reports">
                        {t("reports-title")}
                    </a>
                </p>
            </section>
        }
        .into_any(),
        Some(Err(e)) => load_failed_view(t("report-detail-title"), e),
        Some(Ok(r)) => view! { <Detail report=r /> }.into_any(),
    }
}

#[component]
fn Detail(report: LocalReport) -> impl IntoView {
    let state = use_app();
    let r = report.clone();
    let delivery = move || state.uploads.with(|u| delivery_text(&r, u));
    let r = report.clone();
    let percent = move || state.uploads.with(|u| percent_sent(&r, u));
    let r = report.clone();
    let category = move || {
        state
            .catalogue
            .with(|c| category_name(c.as_ref(), r.draft.category.as_deref()))
    };
    let r = report.clone();
    let place = move || state.catalogue.with(|c| place_text(c.as_ref(), &r));
    let urgency = report.draft.urgency;
    let status = report.status;
    let party = report.handling_party;
    let number = match report.delivery {
        Delivery::Delivered { number } => Some(number),
        _ => None,
    };
    let waiting = waiting_reason(&report);
    let can_edit = report.delivery.is_editable();
    let edit_href = format!("/reports/{}/edit", report.id);
    let created = report.created_at;
    let description = report.draft.description.clone();
    let photos = report.photos.clone();
    let timeline = report.timeline.clone();

    view! {
        <section class="page report-detail">
            <h1>{t("report-detail-title")}</h1>
            <div class="delivery-box">
                <p class=delivery_class(&report.delivery) id="delivery-label">
                    {delivery}
                </p>
                {move || percent().map(|p| view! {
                    <progress max="100" value=p aria-labelledby="delivery-label"></progress>
                })}
                {waiting.map(|w| view! { <p class="hint">{w}</p> })}
                {can_edit.then(|| view! {
                    <p>
                        <a class="button primary" href=edit_href>
                            {t("report-edit")}
                        </a>
                    </p>
                })}
            </div>
            <dl class="facts">
                {number.map(|n| view! {
                    <div>
                        <dt>{t("report-field-number")}</dt>
                        <dd>{move || tr_with("report-number", &[("number", n.into())])}</dd>
                    </div>
                })}
                <div>
                    <dt>{t("report-field-category")}</dt>
                    <dd>{category}</dd>
                </div>
                <div>
                    <dt>{t("report-field-description")}</dt>
                    <dd class="description">{move || if description.trim().is_empty() { tr("report-no-description") } else { description.clone() }}</dd>
                </div>
                <div>
                    <dt>{t("report-field-place")}</dt>
                    <dd>{move || place().unwrap_or_default()}</dd>
                </div>
                <div>
                    <dt>{t("report-field-urgency")}</dt>
                    <dd>{move || tr(&ids::urgency(urgency))}</dd>
                </div>
                {status.map(|s| view! {
                    <div>
                        <dt>{t("report-field-status")}</dt>
                        <dd>{move || tr(&ids::status(s))}</dd>
                    </div>
                })}
                {party.map(|p| view! {
                    <div>
                        <dt>{t("report-field-party")}</dt>
                        <dd>{move || tr(&ids::party(p))}</dd>
                    </div>
                })}
                <div>
                    <dt>{t("report-field-created")}</dt>
                    <dd>
                        <time datetime=created.format(&Rfc3339).unwrap_or_default()>
                            {move || date_time(created)}
                        </time>
                    </dd>
                </div>
            </dl>
            {(!photos.is_empty()).then(|| view! {
                <h2>{t("report-photos-title")}</h2>
                <ul class="thumbs">
                    {photos
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| view! { <li class="thumb"><Thumb photo=p number=i + 1 /></li> })
                        .collect_view()}
                </ul>
            })}
            <h2>{t("report-timeline-title")}</h2>
            {if timeline.is_empty() {
                view! {
                    <p class="hint">
                        {t("report-timeline-empty")}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {timeline.into_iter().map(|e| view! { <Step entry=e /> }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}

/// One step of the timeline: status, who, their note, when.
#[component]
fn Step(entry: TimelineEntry) -> impl IntoView {
    let status = entry.status;
    let party = entry.party;
    let at = entry.at;
    view! {
        <li class="step">
            <h3>{move || tr(&ids::status(status))}</h3>
            <p class="hint">
                <time datetime=at.format(&Rfc3339).unwrap_or_default()>{move || date_time(at)}</time>
                {party.map(|p| view! { <span>" · " {move || tr(&ids::party(p))}</span> })}
            </p>
            {entry.note.map(|n| view! { <p class="note">{n}</p> })}
        </li>
    }
}
