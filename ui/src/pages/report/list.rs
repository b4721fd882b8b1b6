//! My reports: everything on the device, newest first, each with where it is on its way.

use super::{category_name, delivery_class, delivery_text, load_failed_view, waiting_reason};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{date_time, t, tr};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_api::ApiError;
use linli_api::ipc::{ReportSummary, Request, Response};
use time::format_description::well_known::Rfc3339;

/// `/reports`.
#[component]
pub fn MyReports() -> impl IntoView {
    let state = use_app();
    let reports = LocalResource::new(move || {
        state.reports_changed.track();
        async move {
            match call(Request::MyReports).await? {
                Response::Reports(mut list) => {
                    // The core answers newest first; sorting again keeps that true whatever it does.
                    list.sort_by_key(|r| std::cmp::Reverse(r.created_at));
                    Ok(list)
                }
                other => Err(unexpected(&other)),
            }
        }
    });
    let pending = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().map(|s| s.sync.pending).unwrap_or(0))
    });
    let sync_error: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let sync_now = move |_| {
        sync_error.set(None);
        spawn_local(async move {
            match call(Request::SyncNow).await {
                Ok(Response::Done) => {}
                Ok(other) => sync_error.set(Some(unexpected(&other))),
                Err(e) => sync_error.set(Some(e)),
            }
        });
    };

    move || {
        match reports.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => load_failed_view(t("reports-title"), e),
        Some(Ok(list)) => view! {
            <section class="page reports">
                <h1>{t("reports-title")}</h1>
                <div class="actions">
                    <a class="button primary" href="/report/new">
                        {t("reports-new")}
                    </a>
                    <Show when=move || { pending.get() > 0 }>
                        <button type="button" class="button" on:click=sync_now>
                            {t("sync-send-now")}
                        </button>
                    </Show>
                </div>
                {move || sync_error.get().map(|e| view! { <ErrorNotice error=e /> })}
                {if list.is_empty() {
                    view! { <p class="empty">{t("reports-empty")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="report-list">
                            {list.into_iter().map(|r| view! { <ReportItem report=r /> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </section>
        }
        .into_any(),
    }
    }
}

#[component]
fn ReportItem(report: ReportSummary) -> impl IntoView {
    let state = use_app();
    let href = format!("/reports/{}", report.id);
    let edit_href = format!("/reports/{}/edit", report.id);
    let following = report.relation == linli_api::ipc::Relation::Following;
    let can_edit = report.delivery.is_editable() && !following;
    let class = delivery_class(&report.delivery);
    // Once delivered, where it stands with the parties says more than "received, #12".
    let status = report.status;
    let category = report.category.clone();
    let title = move || {
        state
            .catalogue
            .with(|c| category_name(c.as_ref(), category.as_deref()))
    };
    let (id, sent) = (report.id, report.delivery.clone());
    let delivery = move || state.uploads.with(|u| delivery_text(id, &sent, u));
    let waiting = waiting_reason(&report.delivery);
    let excerpt = report.excerpt;
    let created = report.created_at;
    view! {
        <li class="report-item">
            <h2>
                <a href=href>{title}</a>
            </h2>
            <p class="excerpt">
                {move || if excerpt.is_empty() { tr("report-no-description") } else { excerpt.clone() }}
            </p>
            <p class=class>{delivery}</p>
            {status.map(|s| view! { <p class="status-line">{move || tr(&linli_i18n::ids::status(s))}</p> })}
            {following.then(|| view! {
                <p class="badge badge-following">
                    <crate::icons::Svg icon=crate::icons::Icon::Eye />
                    <span>{t("reports-following-badge")}</span>
                </p>
            })}
            {waiting.map(|w| view! { <p class="hint">{w}</p> })}
            <p class="hint">
                <time datetime=created.format(&Rfc3339).unwrap_or_default()>
                    {move || crate::i18n::tr_with("report-created", &[("time", date_time(created).as_str().into())])}
                </time>
            </p>
            {can_edit.then(|| view! {
                <a class="button" href=edit_href>
                    {t("report-edit")}
                </a>
            })}
        </li>
    }
}
