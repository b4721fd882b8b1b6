//! A device under test: a real core on a data dir, driven the way the UI drives it.

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use linli_api::ipc::{AppStatus, LocalReport, ReportSummary, Request, Response};
use linli_api::platform::{Catalogue, Profile};
use linli_api::report::{Place, ReportDraft, Urgency};
use linli_api::{CommentId, ReportId};
use linli_core::{Backoff, Core, CoreConfig, NullSink, SecretError, SecretStore, SyncOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The session's home between runs of a device process. The OS keychain keeps the token across
/// a crash of the app; this machine has no keychain service, so a file (outside the core's data
/// dir, so the check that the device's database files hold no token stays meaningful) plays
/// its part, written whole or not at all.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    /// A store kept in `path` (created on the first write).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<HashMap<String, String>, SecretError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SecretError(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
            Err(e) => Err(SecretError(e.to_string())),
        }
    }

    fn write(&self, all: &HashMap<String, String>) -> Result<(), SecretError> {
        let tmp = self.path.with_extension("tmp");
        let bytes = serde_json::to_vec(all).map_err(|e| SecretError(e.to_string()))?;
        std::fs::write(&tmp, bytes).map_err(|e| SecretError(e.to_string()))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| SecretError(e.to_string()))
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.remove(account))
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read()?;
        all.insert(account.to_owned(), secret.to_owned());
        self.write(&all)
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read()?;
        all.remove(account);
        self.write(&all)
    }

    fn kind(&self) -> &'static str {
        "test-file"
    }
}

/// Sync waits short enough for runs of seconds, long enough to be real backoff.
pub fn quick_sync() -> SyncOptions {
    SyncOptions {
        live_feed: true,
        poll_interval: Duration::from_millis(500),
        backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1500),
        },
        feed_backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        },
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        upload_timeout: Duration::from_secs(20),
        feed_read_timeout: Duration::from_secs(30),
    }
}

/// Opens a core on `data_dir` talking to `platform_url`, its session kept in `secrets`.
pub fn open(
    data_dir: &Path,
    secrets: Arc<dyn SecretStore>,
    platform_url: &str,
    sync: SyncOptions,
) -> anyhow::Result<Core> {
    let mut config = CoreConfig::new(data_dir, secrets, Arc::new(NullSink));
    config.platform_url = Some(platform_url.to_owned());
    config.os_language = Some("zh-CN".into());
    config.text_scale = Some(1.0);
    config.sync = sync;
    Ok(Core::open(config)?)
}

/// Calls the core; an error answer becomes an `anyhow` error naming the call.
pub async fn call(core: &Core, request: Request) -> anyhow::Result<Response> {
    let shown = format!("{request:?}");
    let shown: String = shown.chars().take(120).collect();
    core.handle(request)
        .await
        .map_err(|e| anyhow!("{shown} failed: {} {}", e.code.as_str(), e.detail))
}

/// One report with everything the device holds of it.
pub async fn report(core: &Core, id: ReportId) -> anyhow::Result<LocalReport> {
    report_of(call(core, Request::Report { id }).await?)
}

fn report_of(response: Response) -> anyhow::Result<LocalReport> {
    match response {
        Response::Report(r) => Ok(r),
        other => bail!("expected a report, got {other:?}"),
    }
}

/// What the app shows in its header.
pub async fn status(core: &Core) -> anyhow::Result<AppStatus> {
    match call(core, Request::Status).await? {
        Response::Status(s) => Ok(s),
        other => bail!("expected a status, got {other:?}"),
    }
}

/// Whether the core holds a live session.
pub async fn signed_in(core: &Core) -> anyhow::Result<bool> {
    let s = status(core).await?;
    Ok(s.profile.is_some() && !s.session_expired)
}

/// Signs in through the core with the code the platform's demo gateway wrote into
/// `platform_dir`.
pub async fn sign_in(core: &Core, platform_dir: &Path, phone: &str) -> anyhow::Result<Profile> {
    call(
        core,
        Request::RequestCode {
            phone: phone.into(),
        },
    )
    .await?;
    let code = linli_platform::latest_code(platform_dir, phone)
        .context("the demo gateway wrote no code")?;
    match call(
        core,
        Request::SignIn {
            phone: phone.into(),
            code,
        },
    )
    .await?
    {
        Response::SignedIn(p) => Ok(p),
        other => bail!("expected a profile, got {other:?}"),
    }
}

/// The categories and places the resident may report.
pub async fn catalogue(core: &Core) -> anyhow::Result<Catalogue> {
    match call(core, Request::Catalogue).await? {
        Response::Catalogue(c) => Ok(c),
        other => bail!("expected the catalogue, got {other:?}"),
    }
}

/// Every report on the device, a row each (what the list shows).
pub async fn my_reports(core: &Core) -> anyhow::Result<Vec<ReportSummary>> {
    match call(core, Request::MyReports).await? {
        Response::Reports(r) => Ok(r),
        other => bail!("expected reports, got {other:?}"),
    }
}

/// The description of run report number `n`, so the platform's copy can be told apart.
pub fn tagged(n: u64) -> String {
    format!("楼道灯不亮，第{n}号 (run report #{n})")
}

/// Reads the run number back out of a description written by [`tagged`].
pub fn tag_of(description: &str) -> Option<u64> {
    let rest = description.split("(run report #").nth(1)?;
    rest.strip_suffix(')')?.parse().ok()
}

/// A draft that passes every check, about the resident's first unit, tagged `n`.
pub fn draft(catalogue: &Catalogue, n: u64) -> anyhow::Result<ReportDraft> {
    let unit = catalogue
        .units
        .first()
        .context("the resident has no unit")?
        .id;
    Ok(ReportDraft {
        category: Some("electricity".into())
            .filter(|c| catalogue.categories.iter().any(|k| &k.code == c))
            .or_else(|| catalogue.categories.first().map(|c| c.code.clone())),
        description: tagged(n),
        place: Some(Place::Unit { unit_id: unit }),
        urgency: Urgency::Soon,
        photo_ids: vec![],
        visibility: Default::default(),
    })
}

/// Starts a new report and saves `draft` into it.
pub async fn write_report(core: &Core, draft: ReportDraft) -> anyhow::Result<LocalReport> {
    let new = report_of(call(core, Request::NewDraft).await?)?;
    save(core, new.id, draft).await
}

/// Saves the draft of report `id`.
pub async fn save(core: &Core, id: ReportId, draft: ReportDraft) -> anyhow::Result<LocalReport> {
    report_of(
        call(
            core,
            Request::SaveDraft {
                id,
                draft,
                editor: None,
            },
        )
        .await?,
    )
}

/// Attaches a photo the way the UI does (the chosen file, base64).
pub async fn attach(core: &Core, id: ReportId, jpeg: &[u8]) -> anyhow::Result<LocalReport> {
    report_of(
        call(
            core,
            Request::AttachPhoto {
                id,
                data_base64: STANDARD.encode(jpeg),
            },
        )
        .await?,
    )
}

/// Sends report `id` (queues it).
pub async fn submit(core: &Core, id: ReportId) -> anyhow::Result<LocalReport> {
    report_of(call(core, Request::Submit { id }).await?)
}

/// Comments on a report; returns the new comment's id (the newest of the resident's on it).
pub async fn comment(core: &Core, id: ReportId, body: &str) -> anyhow::Result<CommentId> {
    match call(
        core,
        Request::AddComment {
            id,
            body: body.into(),
            photos_base64: vec![],
        },
    )
    .await?
    {
        Response::Comments(list) => list
            .iter()
            .rev()
            .find(|c| c.mine && c.body == body)
            .map(|c| c.id)
            .context("the new comment is not in the answer"),
        other => bail!("expected comments, got {other:?}"),
    }
}

/// A real JPEG (a camera's is bigger; this one is a few kilobytes after the core re-encodes
/// it), different for each `seed`.
pub fn jpeg(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x.wrapping_mul(3).wrapping_add(seed)) as u8,
            (y.wrapping_mul(2).wrapping_add(seed / 7)) as u8,
            (seed % 251) as u8,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encoding to memory does not fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_read_back() {
        assert_eq!(tag_of(&tagged(0)), Some(0));
        assert_eq!(tag_of(&tagged(1999)), Some(1999));
        assert_eq!(tag_of("厨房水管漏水"), None);
    }

    #[test]
    fn the_file_keychain_keeps_a_token_across_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keychain.json");
        FileSecretStore::new(&path).set("session", "abc").unwrap();
        let again = FileSecretStore::new(&path);
        assert_eq!(again.get("session").unwrap().as_deref(), Some("abc"));
        again.delete("session").unwrap();
        assert_eq!(FileSecretStore::new(&path).get("session").unwrap(), None);
    }
}
