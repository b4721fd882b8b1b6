//! Bundle: the UI's wasm (raw and gzip -9) as `scripts/build-ui` left it in `ui/dist`, and the
//! app's binary as it ships (the size-optimised `app` profile). Reads the files; builds nothing
//! (run `scripts/build-ui` and `cargo build --profile app -p linli-app` first).
//!
//! Target: the wasm under 600 KB gzipped (the whole app's UI).
//!
//! ```text
//! cargo run --release -p linli-bench --bin bundle [-- --quick]
//! ```

use anyhow::{Context, Result};
use clap::Parser;
use linli_bench::{Figures, Target};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(about = "Sizes of the UI bundle and the app binary")]
struct Args {
    /// Accepted for symmetry with the other benchmarks (this one is always quick).
    #[arg(long)]
    quick: bool,
    /// The repository root (default: the workspace this crate is in).
    #[arg(long)]
    root: Option<PathBuf>,
}

fn gzip9(bytes: &[u8]) -> Result<usize> {
    // The system's gzip, as scripts/build-ui and scripts/measure count it.
    let mut child = std::process::Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running gzip")?;
    let mut stdin = child.stdin.take().context("gzip's input")?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to gzip"))??;
    anyhow::ensure!(out.status.success(), "gzip failed");
    Ok(out.stdout.len())
}

fn size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("{} (build it first)", path.display()))?
        .len())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let root = args
        .root
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let wasm = root.join("ui/dist/pkg/linli_ui_bg.wasm");
    let bytes = std::fs::read(&wasm)
        .with_context(|| format!("{} (run scripts/build-ui first)", wasm.display()))?;
    let gz = gzip9(&bytes)?;
    let mut figures = Figures::new("Bundle: UI wasm and app binary");
    figures.add(
        "UI wasm, raw",
        bytes.len() as f64 / 1024.0,
        "KB",
        Target::None,
    );
    figures.add(
        "UI wasm, gzip -9",
        gz as f64 / 1024.0,
        "KB",
        Target::AtMost(600.0),
    );
    let mut others = 0u64;
    for entry in std::fs::read_dir(root.join("ui/dist/pkg"))?.flatten() {
        let path = entry.path();
        if path != wasm {
            others += size(&path)?;
        }
    }
    figures.add(
        "UI glue JS (raw)",
        others as f64 / 1024.0,
        "KB",
        Target::None,
    );
    let binary = root.join("target/app/linli");
    match size(&binary) {
        Ok(b) => figures.add(
            "app binary target/app/linli",
            b as f64 / 1024.0 / 1024.0,
            "MB",
            Target::None,
        ),
        Err(e) => figures.note(format!("app binary not measured: {e}")),
    }
    figures.note("KB = 1024 bytes; the binary embeds ui/dist.");
    figures.finish()
}
