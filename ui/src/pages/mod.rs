//! One module per screen or feature.

pub mod board;
pub mod home;
pub mod no_host;
pub mod report;
pub mod settings;
pub mod sign_in;

use crate::i18n::t;
use leptos::prelude::*;

/// A path that matches no screen.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{t("not-found-title")}</h1>
        <p>
            <a class="button" href="/">
                {t("back-home")}
            </a>
        </p>
    }
}
