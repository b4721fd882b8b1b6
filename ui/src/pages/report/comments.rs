//! Comments on a delivered report, between the resident (and neighbours who follow it) and
//! the handling party. Written comments are kept on the device and sent once, like reports;
//! what was typed stays in the box until the core has it.

use super::file_base64;
use super::photos::PhotoById;
use crate::components::{ErrorNotice, FieldErrors, errors_for, invalid};
use crate::i18n::{date_time, t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_api::ipc::{ActionDelivery, LocalComment, Request, Response};
use linli_api::platform::CommentAuthor;
use linli_api::validate::{MAX_COMMENT_PHOTOS, validate_comment};
use linli_api::{ApiError, FieldError, ReportId};
use linli_i18n::ids;
use time::format_description::well_known::Rfc3339;
use wasm_bindgen::JsCast;

/// The comments of report `id` and a box to write one.
#[component]
pub fn Comments(id: ReportId) -> impl IntoView {
    let state = use_app();
    let comments = LocalResource::new(move || {
        state.comments_changed.track();
        state.reports_changed.track();
        async move {
            match call(Request::Comments { id }).await? {
                Response::Comments(list) => Ok(list),
                other => Err(unexpected(&other)),
            }
        }
    });
    let list = move || match comments.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorNotice error=Some(e) /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="hint">{t("comments-empty")}</p> }.into_any()
        }
        Some(Ok(list)) => view! {
            <ol class="comments">
                {list.into_iter().map(|c| view! { <CommentItem comment=c /> }).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        <section class="comments-section" aria-labelledby="comments-title">
            <h2 id="comments-title">{t("comments-title")}</h2>
            {list}
            <CommentBox id=id />
        </section>
    }
}

#[component]
fn CommentItem(comment: LocalComment) -> impl IntoView {
    let author = comment.author.clone();
    let mine = comment.mine;
    let who = move || {
        if mine {
            return tr("comment-mine");
        }
        match &author {
            CommentAuthor::Reporter => tr("comment-author-reporter"),
            CommentAuthor::Follower => tr("comment-author-follower"),
            CommentAuthor::Staff { party, name } => tr_with(
                "comment-author-staff",
                &[
                    ("party", tr(&ids::party(*party)).as_str().into()),
                    ("name", name.as_str().into()),
                ],
            ),
        }
    };
    let at = comment.created_at;
    let state_line = comment.delivery.map(|d| {
        let action = move || tr("action-comment");
        match d {
            ActionDelivery::Queued { .. } => view! {
                <p class="badge badge-queued">{move || tr_with("action-queued", &[("action", action().as_str().into())])}</p>
            }
            .into_any(),
            ActionDelivery::Sending => view! {
                <p class="badge badge-sending">{move || tr_with("action-sending", &[("action", action().as_str().into())])}</p>
            }
            .into_any(),
            ActionDelivery::Rejected { error } => view! {
                <p class="badge badge-rejected">
                    {move || tr_with(
                        "action-rejected",
                        &[("action", action().as_str().into()), ("reason", super::rejection_reason(&error).as_str().into())],
                    )}
                </p>
            }
            .into_any(),
        }
    });
    let photos = (!comment.photo_ids.is_empty()).then(|| {
        view! {
            <ul class="thumbs">
                {comment
                    .photo_ids
                    .iter()
                    .enumerate()
                    .map(|(i, p)| view! { <li class="thumb"><PhotoById id=*p number=i + 1 /></li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li class=if mine { "comment comment-mine" } else { "comment" }>
            <p class="comment-meta">
                <strong>{who}</strong>
                " · "
                <time datetime=at.format(&Rfc3339).unwrap_or_default()>{move || date_time(at)}</time>
            </p>
            <p class="note">{comment.body.clone()}</p>
            {photos}
            {state_line}
        </li>
    }
}

/// The box to write a comment, with up to three photos.
#[component]
fn CommentBox(id: ReportId) -> impl IntoView {
    let state = use_app();
    let body = RwSignal::new(String::new());
    let files: RwSignal<Vec<web_sys::File>, LocalStorage> = RwSignal::new_local(Vec::new());
    let errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let body_errors = errors_for(errors, |f| f == "body");
    let photo_errors = errors_for(errors, |f| f == "photos" || f.starts_with("photo"));

    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        let chosen: Vec<web_sys::File> = (0..list.length())
            .filter_map(|i| list.get(i))
            .take(MAX_COMMENT_PHOTOS)
            .collect();
        input.set_value("");
        files.set(chosen);
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let words = body.get_untracked();
        // The rules the core applies; photos are counted here, checked for content there.
        let found = validate_comment(&words, &[]);
        if !found.is_empty() {
            state.say_field_errors(&found);
            errors.set(found);
            return;
        }
        let chosen = files.get_untracked();
        busy.set(true);
        sent.set(false);
        problem.set(None);
        spawn_local(async move {
            let mut photos_base64 = Vec::new();
            for file in &chosen {
                match file_base64(file).await {
                    Ok(data) => photos_base64.push(data),
                    Err(e) => {
                        busy.set(false);
                        problem.set(Some(e));
                        return;
                    }
                }
            }
            let done = call(Request::AddComment {
                id,
                body: words,
                photos_base64,
            })
            .await;
            busy.set(false);
            match done {
                Ok(_) => {
                    // Only now, with the core holding the words, is the box emptied.
                    body.set(String::new());
                    files.set(Vec::new());
                    errors.set(Vec::new());
                    sent.set(true);
                    state.comments_changed.update(|n| *n += 1);
                }
                Err(e) if !e.fields.is_empty() => errors.set(e.fields),
                Err(e) => problem.set(Some(e)),
            }
        });
    };

    view! {
        <form class="form comment-form" on:submit=submit novalidate>
            <div class="field">
                <label for="comment-body">{t("comment-label")}</label>
                <textarea
                    id="comment-body"
                    rows="3"
                    prop:value=move || body.get()
                    on:input=move |ev| {
                        body.set(event_target_value(&ev));
                        errors.update(|e| e.retain(|e| e.field != "body"));
                        sent.set(false);
                    }
                    aria-invalid=invalid(body_errors)
                    aria-describedby=move || (!body_errors.with(Vec::is_empty)).then_some("comment-body-error")
                ></textarea>
                <FieldErrors id="comment-body-error" errors=body_errors />
            </div>
            <div class="file-picker">
                <input
                    id="comment-photos"
                    class="file-input"
                    type="file"
                    accept="image/jpeg,image/png,image/webp"
                    multiple
                    on:change=on_files
                    aria-describedby="comment-photos-count"
                />
                <label for="comment-photos" class="button file-label">
                    <Svg icon=Icon::Camera />
                    <span>{t("comment-photo-add")}</span>
                </label>
                <p class="hint" id="comment-photos-count" aria-live="polite">
                    {move || tr_with("comment-photos-count", &[("count", files.with(Vec::len).into())])}
                </p>
                <FieldErrors id="comment-photos-error" errors=photo_errors />
            </div>
            {move || problem.get().map(|e| view! { <ErrorNotice error=Some(e) /> })}
            <div class="actions">
                <button type="submit" class="button primary" id="comment-send" disabled=move || busy.get()>
                    <Svg icon=Icon::Comment />
                    <span>{t("comment-send")}</span>
                </button>
            </div>
            <p class="hint" role="status">{move || sent.get().then(|| tr("comment-sent"))}</p>
        </form>
    }
}
