//! The accountability board: per party of the estate, reports received, how fast they
//! answered and fixed them, how many came back, and how residents rated them. Drawn as bars
//! with the figure written beside each, so it reads without a table and without colour.

use crate::components::{ErrorNotice, Loading};
use crate::i18n::{date_time, duration, now, t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::{call, unexpected};
use leptos::prelude::*;
use linli_api::ipc::{BoardView, Request, Response};
use linli_api::platform::PartyFigures;
use linli_i18n::ids;
use time::Duration;

/// The periods offered, in days back from today.
const PERIODS: [(u32, &str); 3] = [
    (30, "board-period-30"),
    (90, "board-period-90"),
    (365, "board-period-365"),
];

/// `/board`.
#[component]
pub fn BoardPage() -> impl IntoView {
    let days = RwSignal::new(30u32);
    let board = LocalResource::new(move || {
        let days = days.get();
        // From the start of a day, so the same period asked twice in a day is the same
        // question (and the device's copy answers it offline).
        let today = now().replace_time(time::Time::MIDNIGHT);
        let from = today - Duration::days(i64::from(days));
        async move {
            match call(Request::Board {
                from: Some(from),
                to: None,
            })
            .await?
            {
                Response::Board(view) => Ok(view),
                other => Err(unexpected(&other)),
            }
        }
    });
    view! {
        <section class="page board">
            <h1>{t("board-title")}</h1>
            <p>{t("board-intro")}</p>
            <fieldset class="choices periods">
                <legend>{t("board-period-legend")}</legend>
                {PERIODS
                    .into_iter()
                    .map(|(n, label)| {
                        let dom_id = format!("period-{n}");
                        view! {
                            <div class="choice">
                                <input
                                    type="radio"
                                    name="period"
                                    id=dom_id.clone()
                                    prop:checked=move || days.get() == n
                                    on:change=move |_| days.set(n)
                                />
                                <label for=dom_id>{move || tr(label)}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || match board.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=Some(e) /> }.into_any(),
                Some(Ok(view)) => view! { <Figures view=view /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Figures(view: BoardView) -> impl IntoView {
    let parties = view.board.parties;
    let fetched = view.fetched_at;
    // Bars of one measure share a scale across parties, so they can be compared.
    let most = |f: fn(&PartyFigures) -> Option<f64>| {
        parties
            .iter()
            .filter_map(f)
            .fold(0.0_f64, f64::max)
            .max(f64::EPSILON)
    };
    let scale = Scales {
        received: most(|p| Some(f64::from(p.received))),
        response: most(|p| p.median_first_response_seconds.map(|s| s as f64)),
        resolution: most(|p| p.median_resolution_seconds.map(|s| s as f64)),
    };
    view! {
        <p class="hint" id="board-fetched">
            {move || tr_with("board-fetched", &[("date", date_time(fetched).as_str().into())])}
        </p>
        <ul class="board-parties">
            {parties
                .into_iter()
                .map(|p| view! { <PartyCard figures=p scale=scale /> })
                .collect_view()}
        </ul>
    }
}

#[derive(Clone, Copy)]
struct Scales {
    received: f64,
    response: f64,
    resolution: f64,
}

#[component]
fn PartyCard(figures: PartyFigures, scale: Scales) -> impl IntoView {
    let party = figures.party;
    let received = figures.received;
    let response = figures.median_first_response_seconds;
    let resolution = figures.median_resolution_seconds;
    let reopened = figures.reopened_share;
    let rating = figures.average_rating.map(|r| r.overall);
    let dom = party.as_str();
    view! {
        <li class="board-party" id=format!("board-{dom}")>
            <h2>
                <Svg icon=Icon::Chart />
                <span>{move || tr(&ids::party(party))}</span>
            </h2>
            <dl class="bars">
                <Bar
                    label="board-received"
                    share=Some(f64::from(received) / scale.received)
                    value=move || tr_with("board-count", &[("count", received.into())])
                />
                <Bar
                    label="board-first-response"
                    share=response.map(|s| s as f64 / scale.response)
                    value=move || response.map(duration).unwrap_or_else(|| tr("board-no-data"))
                />
                <Bar
                    label="board-resolution"
                    share=resolution.map(|s| s as f64 / scale.resolution)
                    value=move || resolution.map(duration).unwrap_or_else(|| tr("board-no-data"))
                />
                <Bar
                    label="board-reopened"
                    share=reopened
                    value=move || {
                        reopened
                            .map(|r| tr_with("board-percent", &[("percent", (r * 100.0).round().into())]))
                            .unwrap_or_else(|| tr("board-no-data"))
                    }
                />
                <Bar
                    label="board-rating"
                    share=rating.map(|r| r / 5.0)
                    value=move || {
                        rating
                            .map(|r| tr_with("board-score", &[("score", ((r * 10.0).round() / 10.0).into())]))
                            .unwrap_or_else(|| tr("board-no-data"))
                    }
                />
            </dl>
        </li>
    }
}

/// One measure: its name, a bar (drawn, not read: the figure beside it is the words).
#[component]
fn Bar(
    label: &'static str,
    /// Length as a share of the scale, 0 to 1; `None`: no data, no bar.
    share: Option<f64>,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    // A real zero draws nothing; anything above it at least a sliver, so it is seen.
    let width = share
        .filter(|s| *s > 0.0)
        .map(|s| (s.clamp(0.0, 1.0) * 100.0).max(1.0));
    view! {
        <div class="bar-row">
            <dt>{move || tr(label)}</dt>
            <dd>
                <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                    <rect class="bar-track" x="0" y="0" width="100" height="10" />
                    {width.map(|w| view! { <rect class="bar-fill" x="0" y="0" width=w height="10" /> })}
                </svg>
                <span class="bar-value">{value}</span>
            </dd>
        </div>
    }
}
