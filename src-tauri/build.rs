//! Declares the shell's one command so capabilities can allow exactly it.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["rpc"])),
    )
    .expect("tauri-build failed");
}
