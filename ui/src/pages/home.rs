//! Home: a greeting, the elderly-mode switch, and one large tile per thing the app does.
//! Tiles of features not built yet say so and are not links, so nothing pretends to work.

use crate::components::ErrorNotice;
use crate::i18n::{t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::state::use_app;
use leptos::prelude::*;
use linli_api::ApiError;

/// The home screen.
#[component]
pub fn Home() -> impl IntoView {
    let state = use_app();
    let name = Memo::new(move |_| {
        state.status.with(|s| {
            s.as_ref()
                .and_then(|s| s.profile.as_ref())
                .map(|p| (p.name.clone(), p.estate_name.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <section class="page home">
            <h1>{move || tr_with("home-greeting", &[("name", name.get().0.as_str().into())])}</h1>
            <p class="estate">{move || name.get().1}</p>
            <ElderlySwitch />
            <ul class="tiles" aria-label=t("home-tiles-label")>
                <li>
                    <a class="tile tile-main" href="/report/new">
                        <Svg icon=Icon::Report />
                        <span class="tile-title">{t("tile-report")}</span>
                        <span class="tile-hint">{t("tile-report-hint")}</span>
                    </a>
                </li>
                <li>
                    <a class="tile tile-main" href="/reports">
                        <Svg icon=Icon::List />
                        <span class="tile-title">{t("tile-my-reports")}</span>
                        <span class="tile-hint">{t("tile-my-reports-hint")}</span>
                    </a>
                </li>
                <LaterTile icon=Icon::Vote title=t("tile-vote") note=t("tile-later") />
                <LaterTile icon=Icon::Survey title=t("tile-surveys") note=t("tile-later") />
                <LaterTile icon=Icon::Health title=t("tile-telehealth") note=t("tile-later") />
                <LaterTile icon=Icon::Help title=t("tile-help") note=t("tile-help-later") />
                <LaterTile icon=Icon::Notice title=t("tile-notices") note=t("tile-later") />
            </ul>
        </section>
    }
}

/// A tile for a feature that is not built yet: plain text, not a control.
#[component]
fn LaterTile(
    icon: Icon,
    title: impl Fn() -> String + Send + Sync + 'static,
    note: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <li>
            <div class="tile tile-later">
                <Svg icon=icon />
                <span class="tile-title">{title}</span>
                <span class="tile-hint">{note}</span>
            </div>
        </li>
    }
}

/// The visible 长辈版 switch the home screen carries (MIIT: findable without settings).
#[component]
pub fn ElderlySwitch() -> impl IntoView {
    let state = use_app();
    let on = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().is_some_and(|s| s.settings.elderly_mode))
    });
    let error: RwSignal<Option<ApiError>> = RwSignal::new(None);
    let toggle = move |_| {
        let mut settings = state.settings_now();
        settings.elderly_mode = !settings.elderly_mode;
        error.set(None);
        state.save_settings(settings, move |r| error.set(r.err()));
    };
    view! {
        <div class="elderly-switch">
            <button
                type="button"
                class="button switch"
                aria-pressed=move || if on.get() { "true" } else { "false" }
                on:click=toggle
            >
                <Svg icon=Icon::Text />
                <span>{t("home-elderly-switch")}</span>
                <span class="switch-state" aria-hidden="true">
                    {move || if on.get() { tr("switch-on") } else { tr("switch-off") }}
                </span>
            </button>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        </div>
    }
}
