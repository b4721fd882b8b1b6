//! Home: a greeting, the elderly-mode switch, and one large tile per thing the app does.
//! Tiles of features not built yet say so and are not links, so nothing pretends to work.
//!
//! In elderly mode (长辈版) the home is simpler: at most six large tiles in a fixed order, with
//! the help (SOS) tile always first, so it is found in the same place every time.

use crate::components::{ErrorNotice, FirstRunQuestion};
use crate::i18n::{t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::state::use_app;
use leptos::prelude::*;
use linli_api::ApiError;

/// One thing the home screen offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tile {
    Help,
    Report,
    MyReports,
    Notices,
    Telehealth,
    Vote,
    Surveys,
    Board,
}

/// The normal home: everything, the working tasks first.
const NORMAL_TILES: [Tile; 8] = [
    Tile::Report,
    Tile::MyReports,
    Tile::Board,
    Tile::Vote,
    Tile::Surveys,
    Tile::Telehealth,
    Tile::Help,
    Tile::Notices,
];

/// The elderly home: six at most, help always first (MIIT asks for a fixed place for it),
/// then the everyday tasks; surveys are left out as the least needed.
const ELDERLY_TILES: [Tile; 6] = [
    Tile::Help,
    Tile::Report,
    Tile::MyReports,
    Tile::Notices,
    Tile::Telehealth,
    Tile::Vote,
];

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
    let elderly = Memo::new(move |_| {
        state
            .status
            .with(|s| s.as_ref().is_some_and(|s| s.settings.elderly_mode))
    });
    // Effects run after the view is in the document: the greeting and tiles are on show.
    Effect::new(|_| crate::ipc::first_screen_ready("home"));
    view! {
        <section class="page home">
            <FirstRunQuestion />
            <h1>{move || tr_with("home-greeting", &[("name", name.get().0.as_str().into())])}</h1>
            <p class="estate">{move || name.get().1}</p>
            <ElderlySwitch />
            {move || {
                let (tiles, class): (&[Tile], _) = if elderly.get() {
                    (&ELDERLY_TILES, "tiles tiles-elderly")
                } else {
                    (&NORMAL_TILES, "tiles")
                };
                view! {
                    <ul class=class aria-label=t("home-tiles-label")>
                        {tiles.iter().map(|tile| tile_view(*tile)).collect_view()}
                    </ul>
                }
            }}
        </section>
    }
}

fn tile_view(tile: Tile) -> AnyView {
    match tile {
        Tile::Report => view! {
            <li>
                <a class="tile tile-main" href="/report/new">
                    <Svg icon=Icon::Report />
                    <span class="tile-title">{t("tile-report")}</span>
                    <span class="tile-hint">{t("tile-report-hint")}</span>
                </a>
            </li>
        }
        .into_any(),
        Tile::MyReports => view! {
            <li>
                <a class="tile tile-main" href="/reports">
                    <Svg icon=Icon::List />
                    <span class="tile-title">{t("tile-my-reports")}</span>
                    <span class="tile-hint">{t("tile-my-reports-hint")}</span>
                </a>
            </li>
        }
        .into_any(),
        Tile::Help => view! {
            <LaterTile icon=Icon::Help title=t("tile-help") note=t("tile-help-later") sos=true />
        }
        .into_any(),
        Tile::Vote => {
            view! { <LaterTile icon=Icon::Vote title=t("tile-vote") note=t("tile-later") /> }
                .into_any()
        }
        Tile::Surveys => view! {
            <LaterTile icon=Icon::Survey title=t("tile-surveys") note=t("tile-later") />
        }
        .into_any(),
        Tile::Board => view! {
            <li>
                <a class="tile" href="/board">
                    <Svg icon=Icon::Chart />
                    <span class="tile-title">{t("tile-board")}</span>
                    <span class="tile-hint">{t("tile-board-hint")}</span>
                </a>
            </li>
        }
        .into_any(),
        Tile::Telehealth => view! {
            <LaterTile icon=Icon::Health title=t("tile-telehealth") note=t("tile-later") />
        }
        .into_any(),
        Tile::Notices => view! {
            <LaterTile icon=Icon::Notice title=t("tile-notices") note=t("tile-later") />
        }
        .into_any(),
    }
}

/// A tile for a feature that is not built yet: plain text, not a control.
#[component]
fn LaterTile(
    icon: Icon,
    title: impl Fn() -> String + Send + Sync + 'static,
    note: impl Fn() -> String + Send + Sync + 'static,
    /// The help (SOS) tile, marked so it stands out wherever it is.
    #[prop(optional)]
    sos: bool,
) -> impl IntoView {
    let class = if sos {
        "tile tile-later tile-sos"
    } else {
        "tile tile-later"
    };
    view! {
        <li>
            <div class=class>
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
        error.set(None);
        let on = !state.settings_now().elderly_mode;
        state.set_elderly_mode(on, move |r| error.set(r.err()));
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
