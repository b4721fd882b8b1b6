//! Declares the shell's commands so capabilities can allow exactly them.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["rpc", "ready"])),
    )
    .expect("tauri-build failed");
}
