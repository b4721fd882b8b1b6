//! One report: where it is on its way, who has it now and what happens next, what the
//! resident can do about it (confirm, reopen, rate, stop following), the platform's
//! timeline, and the comments between the resident and the handling party.

use super::comments::Comments;
use super::photos::{PhotoById, Thumb};
use super::{
    category_name, delivery_class, delivery_text, load_failed_view, percent_sent, place_text,
    rejection_reason, waiting_reason,
};
use crate::components::{ErrorNotice, FieldErrors, Loading, errors_for, invalid};
use crate::i18n::{date_time, duration, error_text, now, t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use linli_api::ipc::{
    ActionDelivery, ActionKind, Delivery, LocalAction, LocalReport, Relation, Request, Response,
};
use linli_api::platform::PartyTime;
use linli_api::validate::{validate_rating, validate_reason};
use linli_api::{
    ApiError, ErrorCode, FieldError, NextStep, Party, Rating, Report, ReportId, ReportStatus,
    TimelineEntry, TimelineKind,
};
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
    let delivery = move || state.uploads.with(|u| delivery_text(r.id, &r.delivery, u));
    let r = report.clone();
    let percent = move || state.uploads.with(|u| percent_sent(r.id, &r.delivery, u));
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
    let delivered = number.is_some();
    let waiting = waiting_reason(&report.delivery);
    let can_edit = report.delivery.is_editable() && report.relation == Relation::Mine;
    let edit_href = format!("/reports/{}/edit", report.id);
    let created = report.created_at;
    let description = report.draft.description.clone();
    let photos = report.photos.clone();
    let timeline = report.timeline.clone();
    let following = report.relation == Relation::Following;

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
            {following.then(|| view! { <Following id=report.id /> })}
            {report.platform.clone().map(|p| view! { <NowPanel report=p time_held=report.time_held.clone() /> })}
            <PendingActions actions=report.actions.clone() />
            {(report.relation == Relation::Mine)
                .then(|| report.platform.clone())
                .flatten()
                .map(|p| view! { <ResidentChoices report=p actions=report.actions.clone() /> })}
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
                        <dd id="report-status">{move || tr(&ids::status(s))}</dd>
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
            {delivered.then(|| view! { <Comments id=report.id /> })}
        </section>
    }
}

/// The three questions a report page always answers: who has it now, since when, and what
/// happens next by when; and, in plain words, when a party is late.
#[component]
fn NowPanel(report: Report, time_held: Vec<PartyTime>) -> impl IntoView {
    let party = report.handling_party;
    let clock = report.clock.clone();
    let closed = report.status == ReportStatus::Closed;
    let affected = report.affected.max(1);
    let party_name = move || tr(&ids::party(party));
    let held_since = clock.held_since;
    let next = clock.next_step;
    let expected_by = clock.expected_by;
    let reopen_until = clock.reopen_until;
    // Late as the platform judged it when it last answered, or late since then by this
    // device's clock: nothing happening is exactly when no news arrives to say so.
    let waiting_on_party = matches!(clock.next_step, NextStep::Respond | NextStep::Resolve);
    let overdue = !closed
        && (clock.overdue || (waiting_on_party && expected_by.is_some_and(|by| by < now())));
    view! {
        <section class="now-panel" aria-labelledby="now-title">
            <h2 id="now-title">{t("report-now-title")}</h2>
            {(!closed)
                .then_some(held_since)
                .flatten()
                .map(|since| view! {
                    <p id="now-held">
                        {move || tr_with(
                            "report-held-by",
                            &[("party", party_name().as_str().into()), ("date", date_time(since).as_str().into())],
                        )}
                    </p>
                })}
            <p id="now-next">
                {move || {
                    let date = expected_by.map(date_time).unwrap_or_default();
                    tr_with(ids::next_step(next), &[("party", party_name().as_str().into()), ("date", date.as_str().into())])
                }}
            </p>
            {overdue.then(|| view! {
                <p class="notice notice-error overdue" id="now-overdue">
                    <Svg icon=Icon::Clock />
                    <span>{move || tr_with("report-overdue", &[("party", party_name().as_str().into())])}</span>
                </p>
            })}
            <p>{move || tr_with("report-affected", &[("count", affected.into())])}</p>
            {(closed && reopen_until.is_some_and(|u| u > now())).then(|| view! {
                <p>{move || tr_with("report-reopen-until", &[("date", reopen_until.map(date_time).unwrap_or_default().as_str().into())])}</p>
            })}
            {(!time_held.is_empty()).then(|| view! {
                <h3>{t("report-time-held-title")}</h3>
                <ul class="time-held">
                    {time_held
                        .into_iter()
                        .map(|h| {
                            let id = if h.holding_now { "report-time-held-now" } else { "report-time-held" };
                            view! {
                                <li>
                                    {move || tr_with(
                                        id,
                                        &[
                                            ("party", tr(&ids::party(h.party)).as_str().into()),
                                            ("duration", duration(h.seconds).as_str().into()),
                                        ],
                                    )}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
        </section>
    }
}

/// The name of an action, for "saved on this device" and "not accepted" lines.
fn action_name(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::Confirm => "action-confirm",
        ActionKind::Reopen { .. } => "action-reopen",
        ActionKind::Rate { .. } => "action-rate",
        ActionKind::Follow => "action-follow",
        ActionKind::Unfollow => "action-unfollow",
        ActionKind::Comment { .. } => "action-comment",
    }
}

/// What the person did that has not reached the platform yet, or was refused (with why and
/// a button to put the refusal away). Comments show with the comments.
#[component]
fn PendingActions(actions: Vec<LocalAction>) -> impl IntoView {
    let state = use_app();
    let actions: Vec<LocalAction> = actions
        .into_iter()
        .filter(|a| !matches!(a.kind, ActionKind::Comment { .. }))
        .collect();
    (!actions.is_empty()).then(|| {
        let items = actions
            .into_iter()
            .map(|a| {
                let name = action_name(&a.kind);
                let id = a.id;
                match a.delivery {
                    ActionDelivery::Queued { .. } => view! {
                        <li class="badge badge-queued">
                            {move || tr_with("action-queued", &[("action", tr(name).as_str().into())])}
                        </li>
                    }
                    .into_any(),
                    ActionDelivery::Sending => view! {
                        <li class="badge badge-sending">
                            {move || tr_with("action-sending", &[("action", tr(name).as_str().into())])}
                        </li>
                    }
                    .into_any(),
                    ActionDelivery::Rejected { error } => {
                        let dismiss = move |_| {
                            spawn_local(async move {
                                if call(Request::DismissAction { id }).await.is_ok() {
                                    state.reports_changed.update(|n| *n += 1);
                                }
                            });
                        };
                        view! {
                            <li class="notice notice-error action-rejected">
                                <Svg icon=Icon::Alert />
                                <div>
                                    <p>
                                        {move || tr_with(
                                            "action-rejected",
                                            &[
                                                ("action", tr(name).as_str().into()),
                                                ("reason", rejection_reason(&error).as_str().into()),
                                            ],
                                        )}
                                    </p>
                                    <button type="button" class="button" on:click=dismiss>
                                        {t("action-dismiss")}
                                    </button>
                                </div>
                            </li>
                        }
                        .into_any()
                    }
                }
            })
            .collect_view();
        view! { <ul class="pending-actions" role="status">{items}</ul> }
    })
}

/// What the reporter can do: confirm or reopen a resolved report, reopen a closed one within
/// 30 days, rate it once closed. Each choice is kept on the device and sent once.
#[component]
fn ResidentChoices(report: Report, actions: Vec<LocalAction>) -> impl IntoView {
    let state = use_app();
    let id = report.id;
    let waiting = |pick: fn(&ActionKind) -> bool| {
        actions
            .iter()
            .any(|a| pick(&a.kind) && !matches!(a.delivery, ActionDelivery::Rejected { .. }))
    };
    let answered = waiting(|k| matches!(k, ActionKind::Confirm | ActionKind::Reopen { .. }));
    let rating_waits = waiting(|k| matches!(k, ActionKind::Rate { .. }));
    let resolved = report.status == ReportStatus::Resolved;
    let closed = report.status == ReportStatus::Closed;
    let can_reopen_closed = closed && report.clock.reopen_until.is_some_and(|u| u > now());
    let rating = report.rating.clone();
    let reopening = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);

    let confirm = move |_| {
        busy.set(true);
        spawn_local(async move {
            let done = call(Request::ConfirmFixed { id }).await;
            busy.set(false);
            match done {
                Ok(_) => state.reports_changed.update(|n| *n += 1),
                Err(e) => problem.set(Some(e)),
            }
        });
    };

    let ask = (!answered && (resolved || can_reopen_closed)).then(|| {
        view! {
            <section class="choices-panel" aria-labelledby="resolved-title">
                {if resolved {
                    view! {
                        <h2 id="resolved-title">{t("report-resolved-question")}</h2>
                        <p>{t("report-resolved-explain")}</p>
                        <div class="actions">
                            <button type="button" class="button primary" id="confirm-fixed" disabled=move || busy.get() on:click=confirm>
                                <Svg icon=Icon::Check />
                                <span>{t("report-confirm")}</span>
                            </button>
                            <button type="button" class="button" id="reopen" on:click=move |_| reopening.set(true)>
                                {t("report-reopen")}
                            </button>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <h2 id="resolved-title" class="visually-hidden">{t("report-reopen-closed")}</h2>
                        <div class="actions">
                            <button type="button" class="button" id="reopen" on:click=move |_| reopening.set(true)>
                                {t("report-reopen-closed")}
                            </button>
                        </div>
                    }
                    .into_any()
                }}
                <Show when=move || reopening.get()>
                    <ReopenForm id=id />
                </Show>
                {move || problem.get().map(|e| view! { <ErrorNotice error=Some(e) /> })}
            </section>
        }
    });
    let rate =
        (closed && rating.is_none() && !rating_waits).then(|| view! { <RatingForm id=id /> });
    let rated = rating.map(|r| {
        view! {
            <p class="rated" id="rated">
                {move || tr_with(
                    "report-rated",
                    &[
                        ("attitude", u32::from(r.attitude).into()),
                        ("quality", u32::from(r.quality).into()),
                        ("speed", u32::from(r.speed).into()),
                    ],
                )}
            </p>
        }
    });
    view! { {ask} {rate} {rated} }
}

/// "Not fixed": why, in the resident's words, then reopen.
#[component]
fn ReopenForm(id: ReportId) -> impl IntoView {
    let state = use_app();
    let reason = RwSignal::new(String::new());
    let errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let reason_errors = errors_for(errors, |f| f == "reason");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let words = reason.get_untracked();
        let found = validate_reason(&words);
        if !found.is_empty() {
            state.say_field_errors(&found);
            errors.set(found);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let done = call(Request::Reopen { id, reason: words }).await;
            busy.set(false);
            match done {
                Ok(_) => state.reports_changed.update(|n| *n += 1),
                Err(e) if !e.fields.is_empty() => errors.set(e.fields),
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    view! {
        <form class="form reopen-form" on:submit=submit novalidate>
            <div class="field">
                <label for="reopen-reason">{t("report-reopen-reason-label")}</label>
                <textarea
                    id="reopen-reason"
                    rows="3"
                    prop:value=move || reason.get()
                    on:input=move |ev| {
                        reason.set(event_target_value(&ev));
                        errors.set(Vec::new());
                    }
                    aria-invalid=invalid(reason_errors)
                    aria-describedby=move || (!reason_errors.with(Vec::is_empty)).then_some("reopen-reason-error")
                ></textarea>
                <FieldErrors id="reopen-reason-error" errors=reason_errors />
            </div>
            {move || problem.get().map(|e| view! { <ErrorNotice error=Some(e) /> })}
            <div class="actions">
                <button type="submit" class="button primary" id="reopen-send" disabled=move || busy.get()>
                    {t("report-reopen-send")}
                </button>
            </div>
        </form>
    }
}

/// One aspect of the rating: five choices from "very unhappy" to "very happy".
#[component]
fn Aspect(
    field: &'static str,
    legend: &'static str,
    error_id: &'static str,
    value: RwSignal<u8>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    view! {
        <fieldset
            class="choices rating-aspect"
            aria-invalid=invalid(errors)
            aria-describedby=move || (!errors.with(Vec::is_empty)).then_some(error_id)
        >
            <legend>{move || tr(legend)}</legend>
            {(1..=5u8)
                .map(|score| {
                    let dom_id = format!("rate-{field}-{score}");
                    view! {
                        <div class="choice">
                            <input
                                type="radio"
                                name=format!("rate-{field}")
                                id=dom_id.clone()
                                prop:checked=move || value.get() == score
                                on:change=move |_| value.set(score)
                            />
                            <label for=dom_id>{move || tr_with("rating-score", &[("score", u32::from(score).into())])}</label>
                        </div>
                    }
                })
                .collect_view()}
            <FieldErrors id=error_id errors=errors />
        </fieldset>
    }
}

/// The rating once a report closes: attitude, quality, speed (1-5) and a comment.
#[component]
fn RatingForm(id: ReportId) -> impl IntoView {
    let state = use_app();
    let attitude = RwSignal::new(0u8);
    let quality = RwSignal::new(0u8);
    let speed = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rating = Rating {
            attitude: attitude.get_untracked(),
            quality: quality.get_untracked(),
            speed: speed.get_untracked(),
            comment: comment.get_untracked(),
        };
        let found = validate_rating(&rating);
        if !found.is_empty() {
            state.say_field_errors(&found);
            errors.set(found);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let done = call(Request::Rate { id, rating }).await;
            busy.set(false);
            match done {
                Ok(_) => state.reports_changed.update(|n| *n += 1),
                Err(e) if !e.fields.is_empty() => errors.set(e.fields),
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let comment_errors = errors_for(errors, |f| f == "comment");
    view! {
        <section class="rating-panel" aria-labelledby="rate-title">
            <h2 id="rate-title">{t("report-rate-title")}</h2>
            <p>{t("report-rate-explain")}</p>
            <form class="form rating-form" on:submit=submit novalidate>
                <Aspect field="attitude" legend="report-rate-attitude" error_id="rate-attitude-error" value=attitude errors=errors_for(errors, |f| f == "attitude") />
                <Aspect field="quality" legend="report-rate-quality" error_id="rate-quality-error" value=quality errors=errors_for(errors, |f| f == "quality") />
                <Aspect field="speed" legend="report-rate-speed" error_id="rate-speed-error" value=speed errors=errors_for(errors, |f| f == "speed") />
                <div class="field">
                    <label for="rate-comment">{t("report-rate-comment-label")}</label>
                    <textarea
                        id="rate-comment"
                        rows="3"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                        aria-invalid=invalid(comment_errors)
                        aria-describedby=move || (!comment_errors.with(Vec::is_empty)).then_some("rate-comment-error")
                    ></textarea>
                    <FieldErrors id="rate-comment-error" errors=comment_errors />
                </div>
                {move || problem.get().map(|e| view! { <ErrorNotice error=Some(e) /> })}
                <div class="actions">
                    <button type="submit" class="button primary" id="rate-send" disabled=move || busy.get()>
                        {t("report-rate-send")}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// A neighbour's report the person follows: said so, with a way to stop.
#[component]
fn Following(id: ReportId) -> impl IntoView {
    let state = use_app();
    let navigate = use_navigate();
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let stop = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match call(Request::Unfollow { id }).await {
                Ok(_) => {
                    state.reports_changed.update(|n| *n += 1);
                    navigate("/reports", Default::default());
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    view! {
        <div class="notice notice-info following">
            <Svg icon=Icon::Eye />
            <div>
                <p>{t("report-following")}</p>
                <button type="button" class="button" id="unfollow" on:click=stop>
                    {t("report-unfollow")}
                </button>
                {move || problem.get().map(|e| view! { <p class="field-error">{error_text(&e)}</p> })}
            </div>
        </div>
    }
}

/// One step of the timeline: what happened, who, their note or reason, when.
#[component]
fn Step(entry: TimelineEntry) -> impl IntoView {
    let status = entry.status;
    let party = entry.party;
    let at = entry.at;
    let kind = entry.kind;
    let (from, to) = (entry.from_party, entry.to_party);
    let heading = move || {
        let name = |p: Option<Party>| p.map(|p| tr(&ids::party(p))).unwrap_or_default();
        let id = ids::timeline(kind);
        match kind {
            TimelineKind::HandedOff => tr_with(
                &id,
                &[
                    ("from", name(from).as_str().into()),
                    ("to", name(to).as_str().into()),
                ],
            ),
            TimelineKind::StatusChanged => {
                tr_with(&id, &[("status", tr(&ids::status(status)).as_str().into())])
            }
            _ => tr(&id),
        }
    };
    let rating = entry.rating.map(|r| {
        view! {
            <p class="note">
                {move || tr_with(
                    "timeline-rating",
                    &[
                        ("attitude", u32::from(r.attitude).into()),
                        ("quality", u32::from(r.quality).into()),
                        ("speed", u32::from(r.speed).into()),
                    ],
                )}
            </p>
            {(!r.comment.trim().is_empty()).then(|| view! { <p class="note">{r.comment.clone()}</p> })}
        }
    });
    let photos = (!entry.photo_ids.is_empty()).then(|| {
        view! {
            <ul class="thumbs">
                {entry
                    .photo_ids
                    .iter()
                    .enumerate()
                    .map(|(i, p)| view! { <li class="thumb"><PhotoById id=*p number=i + 1 /></li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li class=format!("step step-{}", kind.as_str().replace('_', "-"))>
            <h3>{heading}</h3>
            <p class="hint">
                <time datetime=at.format(&Rfc3339).unwrap_or_default()>{move || date_time(at)}</time>
                {party.map(|p| view! { <span>" · " {move || tr(&ids::party(p))}</span> })}
            </p>
            {entry.note.map(|n| view! { <p class="note">{n}</p> })}
            {rating}
            {photos}
        </li>
    }
}
