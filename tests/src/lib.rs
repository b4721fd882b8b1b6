//! Harness for end-to-end tests of the real Linli window.
//!
//! Each test starts the reference platform in-process on a loopback port with a temporary data
//! dir, starts `tauri-driver` (which starts Debian's WebKitWebDriver, which starts the real
//! `linli` binary) with the app pointed at that platform, and drives the window over WebDriver.
//! axe-core is injected into the webview to check accessibility; screenshots go to
//! `test-output/`. Needs a display: `scripts/test` runs everything under `xvfb-run`.

pub mod flows;

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (tests/ is one level down).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Where screenshots and axe reports go.
pub fn output_dir() -> PathBuf {
    let dir = workspace_root().join("test-output").join("e2e");
    std::fs::create_dir_all(&dir).expect("create test-output/e2e");
    dir
}

/// The app binary under test: `LINLI_APP_BINARY`, or the workspace's debug build.
pub fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("LINLI_APP_BINARY") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("debug").join("linli")
        }
    };
    if !path.exists() {
        bail!(
            "{} is missing: build it with `cargo build -p linli-app` first",
            path.display()
        );
    }
    Ok(path)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, deadline: Instant) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listened on port {port} in time")
}

/// A running `tauri-driver`, stopped when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts `tauri-driver`; the app it launches inherits `env`.
    pub fn start(env: &[(&str, String)]) -> Result<Driver> {
        let port = free_port()?;
        let native_port = free_port()?;
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        // WebKitWebDriver's screenshot never answers when compositing or the DMA-BUF
        // renderer is off; under Xvfb both work, so the tests turn the app's Linux
        // workarounds off (the app only sets them when they are unset).
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "0")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .context("start tauri-driver (installed by scripts/setup)")?;
        let driver = Driver { child, port };
        // tauri-driver opens its own port before WebKitWebDriver is ready: wait for both.
        let deadline = Instant::now() + Duration::from_secs(20);
        wait_for_port(port, deadline)?;
        wait_for_port(native_port, deadline)?;
        Ok(driver)
    }

    /// Opens a WebDriver session, which starts the app.
    pub async fn open(&self, app: &Path) -> Result<Client> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        // With both of rustls's providers compiled into the workspace's test build, rustls
        // cannot pick one by itself: choose the app's (ring) for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("open a WebDriver session on the app")?;
        Ok(client)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to `secs` for an element matching a CSS selector.
pub async fn wait_css(
    client: &Client,
    css: &str,
    secs: u64,
) -> Result<fantoccini::elements::Element> {
    match client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => Ok(element),
        Err(e) => {
            let shot = screenshot(client, "timeout").await.ok();
            Err(e).with_context(|| format!("waiting for `{css}` (window saved as {shot:?})"))
        }
    }
}

/// Waits until `script` (a JS expression) is truthy.
pub async fn wait_until(client: &Client, what: &str, script: &str, secs: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = client
            .execute(&format!("return !!({script});"), vec![])
            .await?;
        if v.as_bool() == Some(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            // Keep what the window showed, so a failure can be seen, not guessed.
            let shot = screenshot(client, "timeout").await.ok();
            bail!("timed out waiting until {what} (window saved as {shot:?})");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Saves a screenshot of the window as `test-output/e2e/<name>.png`.
pub async fn screenshot(client: &Client, name: &str) -> Result<PathBuf> {
    let png = client.screenshot().await?;
    let path = output_dir().join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current screen, saves the full
/// violation list as `test-output/e2e/<name>.axe.json`, and fails if there is any violation.
pub async fn axe_check(client: &Client, name: &str) -> Result<()> {
    let axe = std::fs::read_to_string(workspace_root().join("node_modules/axe-core/axe.min.js"))
        .context("axe-core is installed by scripts/setup (npm ci)")?;
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await?;
    if loaded.as_bool() != Some(true) {
        client
            .execute(&axe, vec![])
            .await
            .context("inject axe-core")?;
    }
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: 'tag',
                   values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                 .then(r => done(JSON.stringify(r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })))))
                 .catch(e => done(JSON.stringify({ error: String(e) })));"#,
            vec![],
        )
        .await?;
    let text = result
        .as_str()
        .ok_or_else(|| anyhow!("axe returned {result}"))?;
    std::fs::write(output_dir().join(format!("{name}.axe.json")), text)?;
    let violations: serde_json::Value = serde_json::from_str(text)?;
    match violations.as_array() {
        Some(list) if list.is_empty() => Ok(()),
        Some(_) => bail!("axe found violations on {name}: {text}"),
        None => bail!("axe failed on {name}: {text}"),
    }
}
