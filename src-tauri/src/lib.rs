//! The Tauri shell: one IPC command into `linli-core`, core events out to the window,
//! desktop notifications. No business rules live here; `linli_core::Core::handle` is the same
//! function the tests drive without a window.

use linli_api::ApiError;
use linli_api::ipc::{self, Request, Response};
use linli_core::{Core, CoreConfig, EventSink};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

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

/// The one command: every request from the UI goes through `Core::handle`.
#[tauri::command]
async fn rpc(core: tauri::State<'_, Core>, request: Request) -> Result<Response, ApiError> {
    core.handle(request).await
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
    // Ask the OS, not the webview, which language the person uses.
    config.os_language = tauri_plugin_os::locale();
    Ok(Core::open(config)?)
}

/// Builds and runs the app. On phones this is the entry point the OS calls.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_os::init())
        .setup(|app| {
            let core = open_core(app.handle())?;
            let sync = core.clone();
            tauri::async_runtime::spawn(async move { sync.start_sync() });
            app.manage(core);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![rpc])
        .run(tauri::generate_context!())
        .expect("the Linli window could not start");
}
