//! The Linli desktop binary.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    webkit_settings();
    linli_app::run();
}

/// Settings of WebKitGTK read from the environment, set only when the person has not chosen
/// otherwise:
/// - compositing and the DMA-BUF renderer off: WebKitGTK draws a blank window on some Linux GPU
///   / VM setups otherwise;
/// - JavaScriptCore compiles a WebAssembly function with its baseline compiler once it has run
///   a little (`thresholdForBBQOptimizeAfterWarmUp`); starting the UI runs many functions a
///   little, and compiling them took 100 to 140 ms of CPU on helper threads beside the page on
///   a two-core machine, more than it saved (issue 5). At 2,000 only functions that really run
///   often are compiled; the others stay in JavaScriptCore's interpreter. Measured with the
///   start bench's CPU table, alternating with the default: the helper threads' time fell to
///   60 to 90 ms and the start ratio against the blank app by 0.1x to 0.3x.
#[cfg(target_os = "linux")]
fn webkit_settings() {
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("JSC_thresholdForBBQOptimizeAfterWarmUp", "2000"),
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: called first thing in `main`, before any other thread exists, so no
            // other code can be reading the environment at the same time.
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
