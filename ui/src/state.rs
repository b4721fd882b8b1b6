//! What the whole app shares: the core's status, the catalogue, and counters that events bump
//! so pages refetch what changed.

use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::ipc::{self, call};
use crate::pages::sign_in::SignIn;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_api::ApiError;
use linli_api::ReportId;
use linli_api::ipc::{AppStatus, Event, Language, Request, Response, Settings};
use linli_api::platform::Catalogue;
use std::collections::HashMap;

/// Shared state, provided as context by the app.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The core's last answer to `Status`; `None` until the first one arrives.
    pub status: RwSignal<Option<AppStatus>>,
    /// Why the status could not be read, if it could not.
    pub status_error: RwSignal<Option<ApiError>>,
    /// The language every text follows (mirrors `status.settings.language`, set at once).
    pub language: RwSignal<Language>,
    /// Bumped when reports change on the device; lists and details refetch on it.
    pub reports_changed: RwSignal<u64>,
    /// Bumped when comments change on the device; the comments on screen refetch on it.
    pub comments_changed: RwSignal<u64>,
    /// Upload progress per report, from `UploadProgress` events: (sent, total) bytes.
    pub uploads: RwSignal<HashMap<ReportId, (u64, u64)>>,
    /// Categories and places, once signed in.
    pub catalogue: RwSignal<Option<Catalogue>>,
}

impl AppState {
    /// Fresh state, before the core has said anything.
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(None),
            status_error: RwSignal::new(None),
            language: RwSignal::new(Language::default()),
            reports_changed: RwSignal::new(0),
            comments_changed: RwSignal::new(0),
            uploads: RwSignal::new(HashMap::new()),
            catalogue: RwSignal::new(None),
        }
    }

    /// Whether someone is signed in with a session that still works (tracked).
    pub fn signed_in(&self) -> bool {
        self.status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.profile.is_some() && !s.session_expired)
        })
    }

    /// Whether a person is known on this device but must sign in again.
    pub fn known_but_expired(&self) -> bool {
        self.status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.profile.is_some() && s.session_expired)
        })
    }

    /// The settings as they stand now (untracked: for building the next version).
    pub fn settings_now(&self) -> Settings {
        self.status
            .with_untracked(|s| s.as_ref().map(|s| s.settings.clone()))
            .unwrap_or_default()
    }

    /// Whether elderly mode (长辈版) is on (tracked).
    pub fn elderly_mode(&self) -> bool {
        self.status
            .with(|s| s.as_ref().is_some_and(|s| s.settings.elderly_mode))
    }

    /// Whether the device has a speech service to read aloud (tracked).
    pub fn read_aloud_available(&self) -> bool {
        self.status
            .with(|s| s.as_ref().is_some_and(|s| s.read_aloud))
    }

    /// In elderly mode, says `words` aloud (errors are spoken as well as shown there); does
    /// nothing where there is no speech service, as the words are on screen anyway.
    pub fn say_in_elderly_mode(self, words: String) {
        let (elderly, speech) = self.status.with_untracked(|s| {
            s.as_ref()
                .map(|s| (s.settings.elderly_mode, s.read_aloud))
                .unwrap_or_default()
        });
        if elderly && speech && !words.trim().is_empty() {
            spawn_local(async move {
                let _ = call(Request::ReadAloud { text: words }).await;
            });
        }
    }

    /// In elderly mode, says why fields were refused, one reason a line (see
    /// [`AppState::say_in_elderly_mode`]).
    pub fn say_field_errors(self, errors: &[linli_api::FieldError]) {
        self.say_in_elderly_mode(
            errors
                .iter()
                .map(crate::i18n::field_error_text)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }

    /// Whether the first-launch question (长辈版 or not) still waits for an answer (tracked).
    /// Not before the status is known, so it never flashes up on a device that answered.
    pub fn elderly_question_open(&self) -> bool {
        self.status
            .with(|s| s.as_ref().is_some_and(|s| !s.settings.elderly_asked))
    }

    /// Switches elderly mode; choosing a mode anywhere also answers the first-launch question.
    pub fn set_elderly_mode(self, on: bool, done: impl FnOnce(Result<(), ApiError>) + 'static) {
        let mut settings = self.settings_now();
        settings.elderly_mode = on;
        settings.elderly_asked = true;
        self.save_settings(settings, done);
    }

    fn apply_status(&self, status: AppStatus) {
        self.language.set(status.settings.language);
        self.status.set(Some(status));
        self.status_error.set(None);
    }

    /// Asks the core for its status and applies the answer.
    pub fn refresh_status(self) {
        // Sent now, not when the task first runs: at start-up the core answers while the
        // first view is built (see `ipc::send`).
        let answer = ipc::send(Request::Status);
        spawn_local(async move {
            match answer.await {
                Ok(Response::Status(status)) => self.apply_status(status),
                Ok(other) => self.status_error.set(Some(ipc::unexpected(&other))),
                Err(e) => self.status_error.set(Some(e)),
            }
        });
    }

    /// Asks the core for the catalogue.
    pub fn refresh_catalogue(self) {
        spawn_local(async move {
            if let Ok(Response::Catalogue(c)) = call(Request::Catalogue).await {
                self.catalogue.set(Some(c));
            }
        });
    }

    /// Loads the catalogue whenever a person is known on this device.
    pub fn load_catalogue_when_known(self) {
        // Also while the session must be renewed: the catalogue is on the device, and it
        // names the categories of the reports the person can still read.
        let known = Memo::new(move |_| self.signed_in() || self.known_but_expired());
        Effect::new(move |_| {
            if known.get() {
                self.refresh_catalogue();
            }
        });
    }

    /// Keeps `<html lang>`, `<html data-theme>` and the window title in step with settings.
    pub fn follow_theme(self) {
        Effect::new(move |_| {
            let language = self.language.get();
            let elderly = self.elderly_mode();
            let scale = self
                .status
                .with(|s| s.as_ref().map(|s| s.text_scale).unwrap_or(1.0));
            let document = document();
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", language.tag());
                let _ =
                    root.set_attribute("data-theme", if elderly { "elderly" } else { "normal" });
                // The system's text size, on top of the theme's (see `--text-scale` in CSS).
                // Through the CSSOM: the CSP forbids style attributes written as markup.
                use wasm_bindgen::JsCast;
                if let Some(root) = root.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = root
                        .style()
                        .set_property("--text-scale", &scale.to_string());
                }
            }
            document.set_title(&crate::i18n::tr("app-name"));
        });
    }

    /// Applies an event from the core.
    pub fn on_event(self, event: Event) {
        match event {
            Event::ReportsChanged { ids } => {
                // A delivered or requeued report is no longer uploading.
                self.uploads.update(|u| {
                    for id in &ids {
                        u.remove(id);
                    }
                });
                self.reports_changed.update(|n| *n += 1);
            }
            Event::UploadProgress {
                id,
                sent_bytes,
                total_bytes,
            } => self.uploads.update(|u| {
                u.insert(id, (sent_bytes, total_bytes));
            }),
            Event::SyncChanged(sync) => self.status.update(|s| {
                if let Some(s) = s {
                    s.sync = sync;
                }
            }),
            Event::CommentsChanged { .. } => self.comments_changed.update(|n| *n += 1),
            Event::SessionChanged => {
                crate::pages::report::forget_photos();
                self.refresh_status();
                self.reports_changed.update(|n| *n += 1);
            }
        }
    }

    /// Saves new settings. Language and theme change at once; if the core refuses, they go
    /// back and `done` gets the reason.
    pub fn save_settings(
        self,
        settings: Settings,
        done: impl FnOnce(Result<(), ApiError>) + 'static,
    ) {
        let before = self.settings_now();
        let show = move |s: &Settings| {
            self.language.set(s.language);
            self.status.update(|st| {
                if let Some(st) = st {
                    st.settings = s.clone();
                }
            });
        };
        show(&settings);
        spawn_local(async move {
            match call(Request::SaveSettings { settings }).await {
                Ok(Response::Status(status)) => {
                    self.apply_status(status);
                    done(Ok(()));
                }
                Ok(other) => {
                    show(&before);
                    done(Err(ipc::unexpected(&other)));
                }
                Err(e) => {
                    show(&before);
                    done(Err(e));
                }
            }
        });
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The shared state; panics outside the app, which is a programming error.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Loading,
    Failed,
    SignedOut,
    /// Known on this device, but the session must be renewed.
    Expired,
    SignedIn,
}

/// What the gate shows. Both `SignedIn` and (for pages usable while expired) `Expired` are
/// `Page`, so the page is not rebuilt when the session expires under it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Loading,
    Failed,
    SignIn,
    Page,
}

/// Shows its children to a signed-in person, the sign-in screen to anyone else.
///
/// Decided by memos, so the page underneath is not rebuilt (and what was typed not lost)
/// when unrelated parts of the status change, such as the sync indicator, nor, on pages
/// usable while expired, when the session expires: only the banner above it comes and goes.
#[component]
pub fn Gate(
    /// The page for signed-in people.
    children: ChildrenFn,
    /// Whether the page stays usable while the person must sign in again (their reports are
    /// on the device, so reading them and writing drafts never needs the network).
    #[prop(optional)]
    while_expired: bool,
) -> impl IntoView {
    let state = use_app();
    let access = Memo::new(move |_| {
        if state.signed_in() {
            Access::SignedIn
        } else if state.known_but_expired() {
            Access::Expired
        } else if state.status.with(Option::is_some) {
            Access::SignedOut
        } else if state.status_error.with(Option::is_some) {
            Access::Failed
        } else {
            Access::Loading
        }
    });
    let screen = Memo::new(move |_| match access.get() {
        Access::Loading => Screen::Loading,
        Access::Failed => Screen::Failed,
        Access::SignedIn => Screen::Page,
        Access::Expired if while_expired => Screen::Page,
        Access::Expired | Access::SignedOut => Screen::SignIn,
    });
    let expired = Memo::new(move |_| access.get() == Access::Expired);
    move || match screen.get() {
        Screen::Loading => view! { <Loading /> }.into_any(),
        Screen::Failed => {
            let error = state.status_error.get();
            view! {
                <section class="page">
                    <h1>{t("app-name")}</h1>
                    <ErrorNotice error=error />
                    <button type="button" class="button primary" on:click=move |_| state.refresh_status()>
                        {t("retry")}
                    </button>
                </section>
            }
            .into_any()
        }
        Screen::SignIn => view! { <SignIn /> }.into_any(),
        Screen::Page => view! {
            <Show when=move || expired.get()>
                <div class="notice notice-info session-banner" role="status">
                    <p>
                        <strong>{t("session-expired-title")}</strong>
                        " "
                        {t("session-expired-body")}
                    </p>
                    <a class="button primary" href="/">{t("sign-in-submit")}</a>
                </div>
            </Show>
            {children()}
        }
        .into_any(),
    }
}
