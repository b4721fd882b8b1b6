//! The Linli screens: a Leptos CSR app compiled to wasm32 and hosted by the Tauri shell.
//!
//! Everything the UI knows comes from the core through [`ipc`]; every word it shows comes from
//! `locales/` through [`i18n`]. Sizes and colours live in CSS custom properties on the root, so
//! elderly mode (长辈版) is one attribute on `<html>` (see `style.css`).

pub mod components;
pub mod i18n;
pub mod icons;
pub mod ipc;
pub mod pages;
pub mod state;

use crate::components::{Header, SkipLink};
use crate::i18n::t;
use crate::state::{AppState, Gate};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point, run by wasm-bindgen when the module loads.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Root);
}

/// Chooses between the app and the screen that says it must run inside Linli.
#[component]
fn Root() -> impl IntoView {
    if ipc::host_available() {
        view! { <App /> }.into_any()
    } else {
        view! { <pages::no_host::NoHost /> }.into_any()
    }
}

/// The app inside the Linli shell: frame, routes, and the wiring to the core's events.
#[component]
fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // The listener is asked for before the status, and the core answers no request before
    // it is open, so events after the status's moment reach the page; the status request
    // leaves at once and the core answers while everything below runs.
    ipc::listen(move |event| state.on_event(event));
    state.refresh_status();
    i18n::init(state.language);
    state.follow_theme();
    state.load_catalogue_when_known();

    view! {
        <Router>
            <SkipLink />
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <pages::NotFound /> }>
                    <Route
                        path=path!("/")
                        view=|| view! { <Gate><pages::home::Home /></Gate> }
                    />
                    <Route
                        path=path!("/report/new")
                        view=|| view! { <Gate while_expired=true><pages::report::NewReport /></Gate> }
                    />
                    <Route
                        path=path!("/reports")
                        view=|| view! { <Gate while_expired=true><pages::report::MyReports /></Gate> }
                    />
                    <Route
                        path=path!("/reports/:id")
                        view=|| view! { <Gate while_expired=true><pages::report::ReportDetail /></Gate> }
                    />
                    <Route
                        path=path!("/reports/:id/edit")
                        view=|| view! { <Gate while_expired=true><pages::report::EditReport /></Gate> }
                    />
                    <Route
                        path=path!("/board")
                        view=|| view! { <Gate while_expired=true><pages::board::BoardPage /></Gate> }
                    />
                    <Route path=path!("/settings") view=pages::settings::Settings />
                </Routes>
            </main>
            <footer class="app-footer">
                <p>{t("app-name")}</p>
            </footer>
        </Router>
    }
}
