//! The blank app's page: what any Tauri + Leptos app shows at the least, one heading and one
//! button, in the language of Linli's residents. It tells the shell when it is on show, as
//! Linli's home screen does (`ui/src/ipc.rs`, `first_screen_ready`).

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Entry point, run by wasm-bindgen when the module loads.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Home);
}

/// The one screen.
#[component]
fn Home() -> impl IntoView {
    let presses = RwSignal::new(0u32);
    // Effects run after the view is in the document.
    Effect::new(|_| ready("home"));
    view! {
        <main>
            <h1>"你好，邻里"</h1>
            <button type="button" on:click=move |_| presses.update(|n| *n += 1)>
                "按一下（" {presses} "）"
            </button>
        </main>
    }
}

/// Calls the shell's `ready` command with the screen's name.
fn ready(screen: &str) {
    let invoke = web_sys::window()
        .and_then(|w| Reflect::get(&w, &"__TAURI__".into()).ok())
        .and_then(|t| Reflect::get(&t, &"core".into()).ok())
        .and_then(|core| {
            let f = Reflect::get(&core, &"invoke".into()).ok()?;
            Some((core, f.dyn_into::<Function>().ok()?))
        });
    let Some((core, invoke)) = invoke else {
        web_sys::console::warn_1(&"window.__TAURI__.core.invoke is missing".into());
        return;
    };
    let args = Object::new();
    let _ = Reflect::set(&args, &"screen".into(), &screen.into());
    if let Ok(Ok(promise)) = invoke
        .call2(&core, &"ready".into(), &args)
        .map(|p| p.dyn_into::<Promise>())
    {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = JsFuture::from(promise).await {
                web_sys::console::warn_1(&e);
            }
        });
    }
}
