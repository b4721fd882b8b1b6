//! Settings: language and elderly mode switch at once; the platform address is checked with
//! the same rule the core uses before it is saved.

use crate::components::{DoneNotice, ErrorNotice, FieldErrors, described_by, errors_for, invalid};
use crate::i18n::{t, tr, tr_with};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_api::ipc::{Language, Request, Response};
use linli_api::{ApiError, FieldError};
use linli_i18n::ids;

/// The settings screen.
#[component]
pub fn Settings() -> impl IntoView {
    let state = use_app();
    let error: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let saved = RwSignal::new(false);
    let settings = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().map(|s| s.settings.clone()))
    });
    let elderly = Memo::new(move |_| settings.with(|s| s.as_ref().is_some_and(|s| s.elderly_mode)));

    let platform_url = RwSignal::new(String::new());
    // Fill the address field once, when the settings first arrive; never over what is typed.
    Effect::new(move |filled: Option<bool>| {
        if filled == Some(true) {
            return true;
        }
        match settings.get() {
            Some(s) => {
                platform_url.set(s.platform_url);
                true
            }
            None => false,
        }
    });
    let url_errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let platform_errors = errors_for(url_errors, |f| f == "platform_url");

    let done = move |r: Result<(), ApiError>| match r {
        Ok(()) => saved.set(true),
        Err(e) if !e.fields.is_empty() => url_errors.set(e.fields),
        Err(e) => error.set(Some(e)),
    };
    let choose_language = move |language: Language| {
        saved.set(false);
        error.set(None);
        let mut s = state.settings_now();
        s.language = language;
        state.save_settings(s, done);
    };
    let toggle_elderly = move |on: bool| {
        saved.set(false);
        error.set(None);
        state.set_elderly_mode(on, done);
    };
    let save_url = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        error.set(None);
        // The core checks the address (https, http only on loopback) and answers at once with
        // the field's error; checking here too would ship a URL parser in the wasm for nothing.
        let typed = platform_url.get_untracked().trim().to_string();
        url_errors.set(Vec::new());
        let mut s = state.settings_now();
        s.platform_url = typed;
        state.save_settings(s, done);
    };

    view! {
        <section class="page settings">
            <h1>{t("settings-title")}</h1>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            <Show when=move || saved.get()>
                <DoneNotice text=Signal::derive(|| tr("settings-saved")) />
            </Show>
            <fieldset class="choices">
                <legend>{t("settings-language-legend")}</legend>
                {Language::ALL
                    .into_iter()
                    .map(|language| {
                        let id = format!("language-{}", language.tag());
                        view! {
                            <div class="choice">
                                <input
                                    type="radio"
                                    name="language"
                                    id=id.clone()
                                    value=language.tag()
                                    prop:checked=move || {
                                        settings.with(|s| s.as_ref().map(|s| s.language)) == Some(language)
                                    }
                                    on:change=move |_| choose_language(language)
                                />
                                <label for=id lang=language.tag()>
                                    {move || tr(&ids::language_name(language))}
                                </label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset class="choices">
                <legend>{t("settings-display-legend")}</legend>
                <div class="choice switch-choice">
                    <input
                        type="checkbox"
                        role="switch"
                        id="elderly-mode"
                        prop:checked=move || elderly.get()
                        on:change=move |ev| toggle_elderly(event_target_checked(&ev))
                        aria-describedby="elderly-hint"
                    />
                    <label for="elderly-mode">{t("settings-elderly-label")}</label>
                    <span class="switch-state" aria-hidden="true">
                        {move || if elderly.get() { tr("switch-on") } else { tr("switch-off") }}
                    </span>
                </div>
                <p class="hint" id="elderly-hint">
                    {t("settings-elderly-hint")}
                </p>
            </fieldset>
            <form class="form" on:submit=save_url novalidate>
                <fieldset>
                    <legend>{t("settings-platform-legend")}</legend>
                    <div class="field">
                        <label for="platform-url">{t("settings-platform-label")}</label>
                        <p class="hint" id="platform-url-hint">
                            {t("settings-platform-hint")}
                        </p>
                        <input
                            id="platform-url"
                            type="url"
                            inputmode="url"
                            autocomplete="url"
                            spellcheck="false"
                            prop:value=move || platform_url.get()
                            on:input=move |ev| {
                                platform_url.set(event_target_value(&ev));
                                url_errors.set(Vec::new());
                            }
                            aria-invalid=invalid(platform_errors)
                            aria-describedby=described_by(
                                "platform-url-hint",
                                "platform-url-error",
                                platform_errors,
                            )
                        />
                        <FieldErrors id="platform-url-error" errors=platform_errors />
                    </div>
                    <button type="submit" class="button primary">
                        {t("settings-platform-save")}
                    </button>
                </fieldset>
            </form>
            <Account />
        </section>
    }
}

/// Who is signed in, and signing out (which keeps drafts and queued reports).
#[component]
fn Account() -> impl IntoView {
    let state = use_app();
    let error: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let profile = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().and_then(|s| s.profile.clone()))
    });
    let sign_out = move |_| {
        error.set(None);
        spawn_local(async move {
            match call(Request::SignOut).await {
                Ok(Response::Done) => state.refresh_status(),
                Ok(other) => error.set(Some(unexpected(&other))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="account" aria-labelledby="account-title">
            <h2 id="account-title">{t("settings-account-legend")}</h2>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || match profile.get() {
                Some(p) => {
                    view! {
                        <p>
                            {move || {
                                tr_with(
                                    "settings-signed-in-as",
                                    &[
                                        ("name", p.name.as_str().into()),
                                        ("phone", p.phone_masked.as_str().into()),
                                        ("estate", p.estate_name.as_str().into()),
                                    ],
                                )
                            }}
                        </p>
                        <p class="hint" id="sign-out-hint">
                            {t("settings-sign-out-hint")}
                        </p>
                        <button
                            type="button"
                            class="button"
                            aria-describedby="sign-out-hint"
                            on:click=sign_out
                        >
                            {t("settings-sign-out")}
                        </button>
                    }
                        .into_any()
                }
                None => view! { <p>{t("settings-signed-out")}</p> }.into_any(),
            }}
        </section>
    }
}
