//! Pieces several screens share: the header with the sync indicator, notices, field errors.

use crate::i18n::{error_text, field_error_text, t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::call;
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;
use linli_api::ipc::Request;
use linli_api::{ApiError, ErrorCode, FieldError};

/// A link past the header to the main content, for keyboard and screen reader users.
#[component]
pub fn SkipLink() -> impl IntoView {
    // Handled here rather than by the router, which would treat `#main` as a navigation.
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(main) = document().get_element_by_id("main") {
            use wasm_bindgen::JsCast;
            if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
                let _ = main.focus();
            }
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip>
            {t("skip-to-main")}
        </a>
    }
}

/// The top of every screen: name, connection, and the main menu.
#[component]
pub fn Header() -> impl IntoView {
    let state = use_app();
    let location = use_location();
    let current = move |path: &'static str| {
        move || {
            let here = location.pathname.get();
            // "/reports" and "/reports/…" are My reports; "/report/new" belongs to no tab.
            let on = here == path || (path != "/" && here.starts_with(&format!("{path}/")));
            on.then_some("page")
        }
    };
    view! {
        <header class="app-header">
            <div class="header-row">
                <a class="brand" href="/">
                    {t("app-name")}
                </a>
                <SyncIndicator />
            </div>
            <Show when=move || state.elderly_mode()>
                <ReadAloud />
            </Show>
            <nav aria-label=t("nav-label")>
                <ul class="nav-list">
                    <li>
                        <a href="/" aria-current=current("/")>
                            <Svg icon=Icon::Home />
                            <span>{t("nav-home")}</span>
                        </a>
                    </li>
                    <li>
                        <a href="/reports" aria-current=current("/reports")>
                            <Svg icon=Icon::List />
                            <span>{t("nav-reports")}</span>
                        </a>
                    </li>
                    <li>
                        <a href="/settings" aria-current=current("/settings")>
                            <Svg icon=Icon::Settings />
                            <span>{t("nav-settings")}</span>
                        </a>
                    </li>
                </ul>
            </nav>
        </header>
    }
}

/// Online or offline and how many items wait, announced politely when it changes; and, when
/// the session has expired with items waiting, that signing in again is what they wait for.
#[component]
pub fn SyncIndicator() -> impl IntoView {
    let state = use_app();
    // (online, pending, sign-in needed): only what is shown, so unrelated status changes
    // are not announced again.
    let shown = Memo::new(move |_| {
        state.status.with(|s| {
            s.as_ref().map(|s| {
                let needs_sign_in = s.profile.is_some() && s.session_expired && s.sync.pending > 0;
                (s.sync.online, s.sync.pending, needs_sign_in)
            })
        })
    });
    // No aria-label: on a status it would be read instead of the changing words. The label
    // is hidden text inside, read with them (a status is read as a whole).
    view! {
        <div class="sync" role="status" aria-live="polite">
            {move || {
                shown
                    .get()
                    .map(|(online, pending, needs_sign_in)| {
                        let (icon, words, class) = if needs_sign_in {
                            (Icon::Alert, tr("sync-sign-in-to-send"), "sync-state sign-in-needed")
                        } else if online {
                            (Icon::Online, tr("sync-online"), "sync-state online")
                        } else {
                            (Icon::Offline, tr("sync-offline"), "sync-state offline")
                        };
                        view! {
                            <span class="visually-hidden">{tr("sync-label")}</span>
                            <span class=class>
                                <Svg icon=icon />
                                <span>{words}</span>
                            </span>
                            <span class="sync-pending">
                                {tr_with("sync-pending", &[("count", pending.into())])}
                            </span>
                        }
                    })
            }}
        </div>
    }
}

/// "Loading…", announced.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="loading" role="status">
            {t("loading")}
        </p>
    }
}

/// An error in words, with an icon, announced at once.
#[component]
pub fn ErrorNotice(
    /// The error; nothing is shown for `None`.
    #[prop(into)]
    error: Option<ApiError>,
) -> impl IntoView {
    error.map(|error| {
        view! {
            <div class="notice notice-error" role="alert">
                <Svg icon=Icon::Alert />
                <p>{move || error_text(&error)}</p>
            </div>
        }
    })
}

/// A short confirmation ("saved"), announced politely.
#[component]
pub fn DoneNotice(
    /// What was done.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="notice notice-done" role="status">
            <Svg icon=Icon::Check />
            <p>{move || text.get()}</p>
        </div>
    }
}

/// The reasons one field was refused, next to it; `id` is what the field's
/// `aria-describedby` points at.
#[component]
pub fn FieldErrors(
    /// The element id the field's `aria-describedby` names.
    id: &'static str,
    /// The field's errors; nothing is shown while empty.
    #[prop(into)]
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            view! {
                <div class="field-error" id=id>
                    <Svg icon=Icon::Alert />
                    <p>
                        {errors
                            .iter()
                            .map(field_error_text)
                            .collect::<Vec<_>>()
                            .join(" ")}
                    </p>
                </div>
            }
        })
    }
}

/// The errors among `all` that belong to a field, by the field's name in the request.
pub fn errors_for(
    all: RwSignal<Vec<FieldError>>,
    belongs: fn(&str) -> bool,
) -> Signal<Vec<FieldError>> {
    Signal::derive(move || {
        all.with(|all| all.iter().filter(|e| belongs(&e.field)).cloned().collect())
    })
}

/// `aria-describedby` for a field: its hint, and its error while there is one.
pub fn described_by(
    hint: &'static str,
    error: &'static str,
    errors: Signal<Vec<FieldError>>,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        if errors.with(Vec::is_empty) {
            hint.to_string()
        } else {
            format!("{hint} {error}")
        }
    }
}

/// `aria-invalid` while a field has an error.
pub fn invalid(
    errors: Signal<Vec<FieldError>>,
) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static {
    move || (!errors.with(Vec::is_empty)).then_some("true")
}

/// The first-launch question: 长辈版 (larger text) or the standard size, with two big answers.
///
/// A panel at the top of the first screens rather than a page of its own, so nothing waits
/// behind it and a person who scrolls past it can still sign in; answering (here, or by
/// choosing a mode on the home screen or in settings) hides it for good.
#[component]
pub fn FirstRunQuestion() -> impl IntoView {
    let state = use_app();
    let error: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let answer = move |elderly: bool| {
        error.set(None);
        state.set_elderly_mode(elderly, move |r| {
            if let Err(e) = r {
                error.set(Some(e));
            }
        });
        // The buttons leave with the panel: keep the keyboard at the top of the screen
        // rather than dropping it back to the start of the document.
        if let Some(main) = document().get_element_by_id("main") {
            use wasm_bindgen::JsCast;
            if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
                let _ = main.focus();
            }
        }
    };
    view! {
        <Show when=move || state.elderly_question_open()>
            <section class="first-run" aria-labelledby="first-run-question">
                <p class="first-run-question" id="first-run-question">
                    <Svg icon=Icon::Text />
                    <span>{t("first-run-question")}</span>
                </p>
                <p>{t("first-run-explain")}</p>
                {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
                <div class="actions first-run-answers">
                    <button
                        type="button"
                        id="first-run-elderly"
                        class="button primary"
                        on:click=move |_| answer(true)
                    >
                        {t("first-run-elderly")}
                    </button>
                    <button
                        type="button"
                        id="first-run-normal"
                        class="button"
                        on:click=move |_| answer(false)
                    >
                        {t("first-run-normal")}
                    </button>
                </div>
            </section>
        </Show>
    }
}

/// "Read this screen aloud": the words in `<main>`, as they are shown, go to the device's
/// speech service in the person's language. Pressed again while reading, it stops. On a device
/// without a speech service it says so, on the button itself and, when pressed, in words.
#[component]
pub fn ReadAloud() -> impl IntoView {
    let state = use_app();
    let location = use_location();
    let reading = RwSignal::new(false);
    // Found out when a request failed, even if the status said a service was there.
    let refused = RwSignal::new(false);
    let problem: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let available = move || state.read_aloud_available() && !refused.get();

    // Another screen: whatever was being read belongs to the last one.
    Effect::new(move |before: Option<String>| {
        let here = location.pathname.get();
        if before.is_some_and(|b| b != here) && reading.get_untracked() {
            reading.set(false);
            spawn_local(async move {
                let _ = call(Request::StopReading).await;
            });
        }
        problem.set(None);
        here
    });

    let press = move |_| {
        problem.set(None);
        if reading.get_untracked() {
            reading.set(false);
            spawn_local(async move {
                if let Err(e) = call(Request::StopReading).await {
                    problem.set(Some(e));
                }
            });
            return;
        }
        if !available() {
            problem.set(Some(ApiError::new(ErrorCode::SpeechUnavailable, "")));
            return;
        }
        let text = screen_text();
        spawn_local(async move {
            match call(Request::ReadAloud { text }).await {
                Ok(_) => reading.set(true),
                Err(e) => {
                    if e.code == ErrorCode::SpeechUnavailable {
                        refused.set(true);
                    }
                    problem.set(Some(e));
                }
            }
        });
    };

    view! {
        <div class="read-aloud">
            <button
                type="button"
                id="read-aloud"
                class="button read-aloud-button"
                class:unavailable=move || !available()
                aria-pressed=move || if reading.get() { "true" } else { "false" }
                on:click=press
            >
                {move || {
                    let (icon, words) = if reading.get() {
                        (Icon::Stop, tr("read-aloud-stop"))
                    } else if available() {
                        (Icon::Speaker, tr("read-aloud"))
                    } else {
                        (Icon::Speaker, tr("read-aloud-unavailable"))
                    };
                    view! {
                        <Svg icon=icon />
                        <span>{words}</span>
                    }
                }}
            </button>
            <p class="read-aloud-note" role="status">
                {move || {
                    if reading.get() {
                        Some(tr("read-aloud-reading"))
                    } else {
                        problem.get().map(|e| error_text(&e))
                    }
                }}
            </p>
        </div>
    }
}

/// The words of the screen as shown: the main region's rendered text, which leaves out
/// what is hidden (other form steps, closed panels) the way a sighted person would.
pub fn screen_text() -> String {
    use wasm_bindgen::JsCast;
    document()
        .get_element_by_id("main")
        .and_then(|main| main.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|main| main.inner_text())
        .unwrap_or_default()
}
