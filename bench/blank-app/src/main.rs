//! The floor of the start benchmark (`bench/src/bin/start.rs`): a Tauri 2 window hosting a
//! Leptos page with one heading and one button, built with Linli's versions, cargo profile (`app`),
//! UI pipeline (`scripts/build-ui bench/blank-app/ui`), window size and security settings, and
//! saying "ready" the way Linli does. Everything Linli has beyond this is what it costs.

// No console window on Windows release builds, as Linli.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tauri::{Manager, WebviewWindow};

/// When the process began: start-up time is counted from here, as in Linli's shell.
static LAUNCHED: OnceLock<Instant> = OnceLock::new();

/// Whether the first screen has been reported.
static FIRST_SCREEN: AtomicBool = AtomicBool::new(false);

/// The longest the window stays hidden, as in Linli's shell.
const SHOW_AT_THE_LATEST: Duration = Duration::from_secs(2);

/// The page calls this once its heading and button are in the page; as Linli's shell, it shows
/// the window (hidden until now, `visible: false`) and prints Linli's line.
#[tauri::command]
fn ready(window: WebviewWindow, screen: String) {
    if FIRST_SCREEN.swap(true, Ordering::SeqCst) {
        return;
    }
    let _ = window.show();
    let since = LAUNCHED.get().map_or(0, |t| t.elapsed().as_millis());
    let screen = if screen == "home" { "home" } else { "other" };
    println!("ready: {screen} screen interactive after {since} ms");
}

fn main() {
    LAUNCHED.get_or_init(Instant::now);
    #[cfg(target_os = "linux")]
    webkit_settings();
    tauri::Builder::default()
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                std::thread::spawn(move || {
                    std::thread::sleep(SHOW_AT_THE_LATEST);
                    if !FIRST_SCREEN.load(Ordering::SeqCst) {
                        let _ = window.show();
                    }
                });
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the blank window could not start");
}

/// The same WebKitGTK settings Linli starts with (see `src-tauri/src/main.rs`): they change
/// how the page is drawn and its WebAssembly compiled, and so what start-up and memory cost.
#[cfg(target_os = "linux")]
fn webkit_settings() {
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("JSC_thresholdForBBQOptimizeAfterWarmUp", "2000"),
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: first thing in `main`, before any other thread exists.
            #[expect(
                unsafe_code,
                reason = "set_var is unsafe in edition 2024; single-threaded here"
            )]
            unsafe {
                std::env::set_var(name, value)
            };
        }
    }
}
