//! The typed door into the core.
//!
//! JavaScript side, as the Tauri shell provides it (`withGlobalTauri`):
//! - calls: `window.__TAURI__.core.invoke("rpc", { request })`, where `request` is a
//!   [`Request`] as JSON; it resolves with a [`Response`] and rejects with an [`ApiError`]
//!   (or, for failures of the shell itself, a string);
//! - events: `window.__TAURI__.event.listen("linli://event", cb)`, where `cb` receives
//!   `{ payload }` and `payload` is an [`Event`].
//!
//! The Chromium test host provides the same two functions, so nothing here knows which it is.

use js_sys::{Function, JSON, Object, Promise, Reflect};
use linli_api::ipc::{COMMAND, EVENT, Event, Request, Response};
use linli_api::{ApiError, ErrorCode};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Finds a function at `window.a.b.c`, with the object it belongs to (its `this`).
fn lookup(path: &[&str]) -> Option<(JsValue, Function)> {
    let mut owner: JsValue = web_sys::window()?.into();
    let mut value = owner.clone();
    for key in path {
        owner = value;
        value = Reflect::get(&owner, &JsValue::from_str(key)).ok()?;
        if value.is_undefined() || value.is_null() {
            return None;
        }
    }
    Some((owner, value.dyn_into::<Function>().ok()?))
}

/// Whether the page runs inside a host that can carry calls to the core.
pub fn host_available() -> bool {
    lookup(&["__TAURI__", "core", "invoke"]).is_some()
}

fn internal(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Internal, detail)
}

fn describe(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| JSON::stringify(value).ok().map(String::from))
        .unwrap_or_else(|| format!("{value:?}"))
}

/// Sends one request to the core and waits for its answer.
pub async fn call(request: Request) -> Result<Response, ApiError> {
    send(request).await
}

/// Sends one request to the core now, and returns the wait for its answer.
///
/// Unlike [`call`], whose request leaves only when the future is first polled (for a task
/// given to `spawn_local`, after everything the page is doing synchronously), the request is
/// on its way when this returns. Start-up uses it so the core answers while the first view is
/// being built instead of after.
pub fn send(request: Request) -> impl Future<Output = Result<Response, ApiError>> {
    let sent = invoke(request);
    async move {
        match JsFuture::from(sent?).await {
            Ok(value) => serde_wasm_bindgen::from_value(value)
                .map_err(|e| internal(format!("response did not parse: {e}"))),
            Err(value) => Err(serde_wasm_bindgen::from_value::<ApiError>(value.clone())
                .unwrap_or_else(|_| internal(describe(&value)))),
        }
    }
}

/// Hands a request to the host's `invoke`, which sends it at once.
fn invoke(request: Request) -> Result<Promise, ApiError> {
    let (core, invoke) = lookup(&["__TAURI__", "core", "invoke"])
        .ok_or_else(|| internal("window.__TAURI__.core.invoke is missing"))?;
    // JSON-compatible: maps become plain objects and 64-bit numbers plain numbers, as the
    // shell's serde_json expects.
    let request = request
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| internal(format!("request did not serialise: {e}")))?;
    let args = Object::new();
    Reflect::set(&args, &JsValue::from_str("request"), &request)
        .map_err(|e| internal(describe(&e)))?;
    invoke
        .call2(&core, &JsValue::from_str(COMMAND), &args)
        .and_then(|p| p.dyn_into::<Promise>())
        .map_err(|e| internal(describe(&e)))
}

/// The error for an answer of the wrong kind: a bug in the core or the shell, shown as one.
pub fn unexpected(response: &Response) -> ApiError {
    internal(format!("unexpected response: {response:?}"))
}

/// Calls `handler` with every event the core sends, for the life of the page.
pub fn listen(handler: impl Fn(Event) + 'static) {
    let Some((events, listen)) = lookup(&["__TAURI__", "event", "listen"]) else {
        web_sys::console::warn_1(&"window.__TAURI__.event.listen is missing".into());
        return;
    };
    let callback = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        let payload =
            Reflect::get(&message, &JsValue::from_str("payload")).unwrap_or(JsValue::UNDEFINED);
        match serde_wasm_bindgen::from_value::<Event>(payload) {
            Ok(event) => handler(event),
            Err(e) => web_sys::console::warn_1(&format!("unreadable event: {e}").into()),
        }
    });
    let registered = listen.call2(
        &events,
        &JsValue::from_str(EVENT),
        callback.as_ref().unchecked_ref(),
    );
    // The listener lives as long as the page: it is never removed.
    callback.forget();
    match registered.map(|p| p.dyn_into::<Promise>()) {
        Ok(Ok(promise)) => wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = JsFuture::from(promise).await {
                web_sys::console::warn_1(&format!("listen failed: {}", describe(&e)).into());
            }
        }),
        Ok(Err(_)) => {}
        Err(e) => web_sys::console::warn_1(&format!("listen failed: {}", describe(&e)).into()),
    }
}

thread_local! {
    static FIRST_SCREEN_TOLD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Tells the shell, once per page load, that the first screen (`"home"`, `"sign-in"`) shows
/// its data and takes input; the shell logs how long start-up took. Later screens say nothing.
/// A host without the `ready` command (the Chromium test host) only costs a console warning.
pub fn first_screen_ready(screen: &'static str) {
    if FIRST_SCREEN_TOLD.replace(true) {
        return;
    }
    let Some((core, invoke)) = lookup(&["__TAURI__", "core", "invoke"]) else {
        return;
    };
    let args = Object::new();
    let _ = Reflect::set(
        &args,
        &JsValue::from_str("screen"),
        &JsValue::from_str(screen),
    );
    match invoke
        .call2(&core, &JsValue::from_str(READY_COMMAND), &args)
        .map(|p| p.dyn_into::<Promise>())
    {
        Ok(Ok(promise)) => wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = JsFuture::from(promise).await {
                web_sys::console::warn_1(&format!("ready: {}", describe(&e)).into());
            }
        }),
        Ok(Err(_)) => {}
        Err(e) => web_sys::console::warn_1(&format!("ready: {}", describe(&e)).into()),
    }
}

/// The shell's command for [`first_screen_ready`].
pub const READY_COMMAND: &str = "ready";
