//! Shown when the page is opened outside Linli: nothing works without the core, so say so
//! plainly instead of showing screens that cannot do anything.

use crate::i18n::{self, t};
use crate::icons::{Icon, Svg};
use leptos::prelude::*;
use linli_i18n::Language;

/// The "please open this in the Linli app" screen.
#[component]
pub fn NoHost() -> impl IntoView {
    // Without the core there are no settings to read; the browser's language is all there is.
    let language = window()
        .navigator()
        .language()
        .and_then(|tag| Language::from_tag(&tag))
        .unwrap_or_default();
    let language = RwSignal::new(language);
    i18n::init(language);
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", language.get_untracked().tag());
        let _ = root.set_attribute("data-theme", "normal");
    }
    document().set_title(&i18n::tr("app-name"));
    view! {
        <header class="app-header">
            <div class="header-row">
                <p class="brand">{t("app-name")}</p>
            </div>
        </header>
        <main id="main" class="no-host">
            <div class="notice notice-info">
                <Svg icon=Icon::Alert />
                <h1>{t("no-host-title")}</h1>
            </div>
            <p>{t("no-host-body")}</p>
            <p>{t("no-host-next")}</p>
        </main>
    }
}
