//! Signing in: phone number, then the six-digit code sent to it.

use crate::components::{
    ErrorNotice, FieldErrors, FirstRunQuestion, described_by, errors_for, invalid,
};
use crate::i18n::{t, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_api::ipc::{Request, Response};
use linli_api::platform::OtpSent;
use linli_api::validate::{validate_code, validate_phone};
use linli_api::{ApiError, FieldError};
use std::time::Duration;

/// Splits an error from the core into field errors (shown next to fields) and the rest.
fn place_error(
    e: ApiError,
    fields: RwSignal<Vec<FieldError>>,
    general: RwSignal<Option<ApiError>>,
) {
    if e.fields.is_empty() {
        general.set(Some(e));
    } else {
        fields.set(e.fields);
    }
}

/// The sign-in screen. Also shown when a session has expired, saying nothing was lost.
/// On a new device the first-launch question (长辈版 or not) sits above it until answered.
#[component]
pub fn SignIn() -> impl IntoView {
    let state = use_app();
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // The phone the code was sent to, once sent.
    let sent: RwSignal<Option<(String, OtpSent)>> = RwSignal::new(None);
    let can_resend = RwSignal::new(true);
    let errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let general: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let expired = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().is_some_and(|s| s.session_expired))
    });
    let phone_errors = errors_for(errors, |f| f == "phone");
    let code_errors = errors_for(errors, |f| f == "code");
    // When the app opens on this screen, start-up ends here (see `ipc::first_screen_ready`).
    Effect::new(|_| crate::ipc::first_screen_ready("sign-in"));

    let request_code = move || {
        errors.set(Vec::new());
        general.set(None);
        let normalised = match validate_phone(&phone.get_untracked()) {
            Ok(p) => p,
            Err(e) => return errors.set(vec![e]),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = call(Request::RequestCode {
                phone: normalised.clone(),
            })
            .await;
            busy.set(false);
            match answer {
                Ok(Response::CodeSent(otp)) => {
                    can_resend.set(false);
                    set_timeout(
                        move || can_resend.set(true),
                        Duration::from_secs(otp.resend_after_seconds),
                    );
                    sent.set(Some((normalised, otp)));
                }
                Ok(other) => general.set(Some(unexpected(&other))),
                Err(e) => place_error(e, errors, general),
            }
        });
    };

    let sign_in = move || {
        errors.set(Vec::new());
        general.set(None);
        let Some((phone_sent, _)) = sent.get_untracked() else {
            return;
        };
        let code_typed = match validate_code(&code.get_untracked()) {
            Ok(c) => c,
            Err(e) => return errors.set(vec![e]),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = call(Request::SignIn {
                phone: phone_sent,
                code: code_typed,
            })
            .await;
            busy.set(false);
            match answer {
                Ok(Response::SignedIn(_)) => state.refresh_status(),
                Ok(other) => general.set(Some(unexpected(&other))),
                Err(e) => place_error(e, errors, general),
            }
        });
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if sent.with_untracked(Option::is_some) {
            sign_in();
        } else {
            request_code();
        }
    };

    view! {
        <section class="page sign-in">
            <FirstRunQuestion />
            <h1>{t("sign-in-title")}</h1>
            <Show when=move || expired.get()>
                <div class="notice notice-info" role="status">
                    <Svg icon=Icon::Clock />
                    <div>
                        <p class="notice-title">{t("session-expired-title")}</p>
                        <p>{t("session-expired-body")}</p>
                    </div>
                </div>
            </Show>
            <p>{t("sign-in-intro")}</p>
            {move || general.get().map(|e| view! { <ErrorNotice error=e /> })}
            <form class="form" on:submit=on_submit novalidate>
                <div class="field">
                    <label for="phone">{t("sign-in-phone-label")}</label>
                    <p class="hint" id="phone-hint">
                        {t("sign-in-phone-hint")}
                    </p>
                    <input
                        id="phone"
                        name="phone"
                        type="tel"
                        inputmode="tel"
                        autocomplete="tel"
                        readonly=move || sent.with(Option::is_some)
                        prop:value=move || phone.get()
                        on:input=move |ev| {
                            phone.set(event_target_value(&ev));
                            errors.update(|e| e.retain(|e| e.field != "phone"));
                        }
                        aria-invalid=invalid(phone_errors)
                        aria-describedby=described_by("phone-hint", "phone-error", phone_errors)
                    />
                    <FieldErrors id="phone-error" errors=phone_errors />
                </div>
                <Show
                    when=move || sent.with(Option::is_some)
                    fallback=move || {
                        view! {
                            <button type="submit" class="button primary" disabled=move || busy.get()>
                                {t("sign-in-send-code")}
                            </button>
                        }
                    }
                >
                    <p class="notice notice-done" role="status">
                        {move || {
                            sent.get()
                                .map(|(p, otp)| {
                                    tr_with(
                                        "sign-in-code-sent",
                                        &[
                                            ("phone", p.as_str().into()),
                                            ("minutes", otp.expires_in_seconds.div_ceil(60).into()),
                                        ],
                                    )
                                })
                        }}
                    </p>
                    <div class="field">
                        <label for="code">{t("sign-in-code-label")}</label>
                        <p class="hint" id="code-hint">
                            {t("sign-in-code-hint")}
                        </p>
                        <input
                            id="code"
                            name="code"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength="8"
                            prop:value=move || code.get()
                            on:input=move |ev| {
                                code.set(event_target_value(&ev));
                                errors.update(|e| e.retain(|e| e.field != "code"));
                            }
                            aria-invalid=invalid(code_errors)
                            aria-describedby=described_by("code-hint", "code-error", code_errors)
                        />
                        <FieldErrors id="code-error" errors=code_errors />
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || busy.get()>
                            {t("sign-in-submit")}
                        </button>
                        <button
                            type="button"
                            class="button"
                            disabled=move || busy.get() || !can_resend.get()
                            on:click=move |_| request_code()
                        >
                            {t("sign-in-resend")}
                        </button>
                        <button
                            type="button"
                            class="button"
                            on:click=move |_| {
                                sent.set(None);
                                code.set(String::new());
                                errors.set(Vec::new());
                                general.set(None);
                            }
                        >
                            {t("sign-in-change-phone")}
                        </button>
                    </div>
                    {move || {
                        (!can_resend.get())
                            .then(|| {
                                sent.get()
                                    .map(|(_, otp)| {
                                        view! {
                                            <p class="hint">
                                                {tr_with(
                                                    "sign-in-resend-wait",
                                                    &[("seconds", otp.resend_after_seconds.into())],
                                                )}
                                            </p>
                                        }
                                    })
                            })
                    }}
                </Show>
                <p class="busy" role="status">
                    {move || busy.get().then(|| crate::i18n::tr("working"))}
                </p>
            </form>
            <p class="aside">
                {t("sign-in-settings-hint")} " "
                <a class="button" href="/settings">
                    {t("nav-settings")}
                </a>
            </p>
        </section>
    }
}
