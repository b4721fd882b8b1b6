//! The Tauri shell: one IPC command into `linli-core`, core events out to the window,
//! desktop notifications, and a start-up time line in the log. No business rules live here;
//! `linli_core::Core::handle` is the same function the tests drive without a window.

use linli_api::ipc::{self, Request, Response};
use linli_api::{ApiError, ErrorCode};
use linli_core::{Core, CoreConfig, EventSink};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, WebviewWindow};
use tauri_plugin_notification::NotificationExt;

mod desktop;

/// Carries core events to the window and shows desktop notifications.
struct WindowSink {
    app: AppHandle,
}

impl EventSink for WindowSink {
    fn emit(&self, event: ipc::Event) {
        if let Err(e) = self.app.emit(ipc::EVENT, event) {
            log::warn!("could not deliver an event to the window: {e}");
        }
    }

    fn notify(&self, title: String, body: String) {
        if let Err(e) = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show()
        {
            log::warn!("could not show a desktop notification: {e}");
        }
    }
}

/// The command for everything the UI asks: every request goes through `Core::handle`.
#[tauri::command]
async fn rpc(core: tauri::State<'_, CoreSlot>, request: Request) -> Result<Response, ApiError> {
    core.get().await?.handle(request).await
}

/// The core, opened beside the window's first load rather than before it.
///
/// Opening it reads the keychain, the SQLite file, the system's TLS roots and text size; done
/// in `setup` it held the main thread, and with it the webview's first page load, for all
/// of that. Now `setup` starts opening it on a worker thread and the first request waits
/// for it, while the page and its WebAssembly load at the same time. A core that cannot be
/// opened answers every request with the reason (the UI shows it, with a retry that tries
/// opening again) instead of the app dying before it has a window.
#[derive(Clone)]
struct CoreSlot {
    app: AppHandle,
    core: Arc<tokio::sync::OnceCell<Core>>,
}

impl CoreSlot {
    fn new(app: AppHandle) -> Self {
        Self {
            app,
            core: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The open core; the first caller opens it (and starts its sync), the others wait.
    async fn get(&self) -> Result<Core, ApiError> {
        self.core
            .get_or_try_init(|| async {
                let app = self.app.clone();
                let opened = tauri::async_runtime::spawn_blocking(move || open_core(&app))
                    .await
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
                let core = opened.map_err(|e| {
                    log::error!("could not open the device's data: {e:#}");
                    ApiError::new(ErrorCode::Internal, format!("{e:#}"))
                })?;
                core.start_sync();
                Ok(core)
            })
            .await
            .cloned()
    }
}

/// When [`run`] began: start-up time is counted from here.
static LAUNCHED: OnceLock<Instant> = OnceLock::new();

/// Whether the first screen has been reported (only the first one says how long start took).
static FIRST_SCREEN: AtomicBool = AtomicBool::new(false);

/// The longest the window stays hidden while its page starts (see [`ready`]): a page that never
/// says it is ready (it failed to load, or opened on a screen that does not tell) still shows.
const SHOW_AT_THE_LATEST: Duration = Duration::from_secs(2);

/// The UI calls this once, when its first screen shows its data and takes input: the shell
/// shows the window (it opens hidden, `visible: false` in `tauri.conf.json`) and logs how long
/// start-up took (`ready: home screen interactive after 412 ms`), the figure to watch on slow
/// phones. The screen name comes from our own UI; anything but a short lower-case word is
/// logged as `other` so a log line never carries arbitrary text.
///
/// Why hidden until now: with compositing off (`main.rs`), WebKitGTK's UI process paints a
/// shown view by asking the web process for an update and waiting for it, for up to 500 ms,
/// on the main thread; while the page is still booting (its layer tree frozen until the first
/// visible layout, or its thread busy with the WebAssembly) the wait often runs out, and a
/// third of starts took half a second longer (issue 5). Shown once the page is idle, the first
/// paint is answered at once, and the person never sees a blank window.
#[tauri::command]
fn ready(window: WebviewWindow, screen: String) {
    if FIRST_SCREEN.swap(true, Ordering::SeqCst) {
        return;
    }
    show(&window);
    let since = LAUNCHED.get().map_or(0, |t| t.elapsed().as_millis());
    log::info!(
        "ready: {} screen interactive after {since} ms",
        screen_name(&screen)
    );
    return_memory_freed_during_start();
}

fn show(window: &WebviewWindow) {
    if let Err(e) = window.show() {
        log::warn!("could not show the window: {e}");
    }
}

/// Shows the window after [`SHOW_AT_THE_LATEST`] if no screen has said it is ready by then
/// (a timer on the shell's async runtime, not a thread of its own).
fn show_at_the_latest(window: WebviewWindow) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_AT_THE_LATEST).await;
        if !FIRST_SCREEN.load(Ordering::SeqCst) {
            log::warn!(
                "no screen said it was ready within {} s; showing the window",
                SHOW_AT_THE_LATEST.as_secs()
            );
            show(&window);
        }
    });
}

/// Hands the heap memory freed during start back to the system. Serving the UI decompresses
/// its files (the wasm alone is 1.5 MB) into buffers that are dropped once the page has them,
/// but glibc's allocator keeps freed memory for reuse and, after one large buffer was freed,
/// serves the next ones from its heap instead of separate mappings: about 1.5 MiB stayed
/// resident for nothing (measured, issue 5). Other systems' allocators return memory
/// themselves. (The one `unsafe` of the shell: a call into the C library.)
#[allow(unsafe_code)]
fn return_memory_freed_during_start() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own heaps; it reads nothing of
    // ours and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The screen name as logged (see [`ready`]).
fn screen_name(screen: &str) -> &str {
    let plain = !screen.is_empty()
        && screen.len() <= 32
        && screen.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    if plain { screen } else { "other" }
}

/// Where the device keeps its data: `LINLI_APP_DATA_DIR` when set (tests, portable installs),
/// otherwise the platform's app data directory.
fn data_dir(app: &AppHandle) -> anyhow::Result<PathBuf> {
    match std::env::var_os("LINLI_APP_DATA_DIR") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(app.path().app_data_dir()?),
    }
}

fn open_core(app: &AppHandle) -> anyhow::Result<Core> {
    let mut config = CoreConfig::new(
        data_dir(app)?,
        linli_core::default_secret_store(),
        Arc::new(WindowSink { app: app.clone() }),
    );
    // A configured address wins over the default; the core validates it either way.
    config.platform_url = std::env::var("LINLI_PLATFORM_URL").ok();
    // Ask the OS, not the webview, which language the person uses, and how large they read.
    config.os_language = sys_locale::get_locale();
    config.text_scale = desktop::text_scale();
    Ok(Core::open(config)?)
}

/// Builds and runs the app. On phones this is the entry point the OS calls.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    LAUNCHED.get_or_init(Instant::now);
    tauri::Builder::default()
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        // No OS plugin: its JavaScript API went unused, and building its start-up script
        // ran `lsb_release` on the main thread before the window could open.
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                show_at_the_latest(window);
            }
            let core = CoreSlot::new(app.handle().clone());
            app.manage(core.clone());
            // Open it now, beside the page load, not when the page first asks.
            tauri::async_runtime::spawn(async move {
                let _ = core.get().await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![rpc, ready])
        .run(tauri::generate_context!())
        .expect("the Linli window could not start");
}

#[cfg(test)]
mod tests {
    use super::screen_name;

    #[test]
    fn only_plain_screen_names_reach_the_log() {
        assert_eq!(screen_name("home"), "home");
        assert_eq!(screen_name("sign-in"), "sign-in");
        assert_eq!(screen_name(""), "other");
        assert_eq!(screen_name("home\nERROR forged line"), "other");
        assert_eq!(screen_name("Home"), "other");
        assert_eq!(screen_name(&"a".repeat(33)), "other");
    }
}
