//! The Linli desktop binary.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    webkit_workarounds();
    linli_app::run();
}

/// WebKitGTK draws a blank window on some Linux GPU / VM setups unless compositing and the
/// DMA-BUF renderer are off. Set them only when the person has not chosen otherwise.
#[cfg(target_os = "linux")]
fn webkit_workarounds() {
    for name in [
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "WEBKIT_DISABLE_DMABUF_RENDERER",
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: called first thing in `main`, before any other thread exists, so no
            // other code can be reading the environment at the same time.
            #[expect(
                unsafe_code,
                reason = "set_var is unsafe in edition 2024; single-threaded here"
            )]
            unsafe {
                std::env::set_var(name, "1")
            };
        }
    }
}
