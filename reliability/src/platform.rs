//! A real platform in-process on loopback, and ways to trouble it.

use linli_platform::state::DATABASE_FILE;
use linli_platform::{Config, RunningPlatform};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A platform the run can kill and start again on the same address and data.
pub struct Platform {
    config: Config,
    running: Option<RunningPlatform>,
}

/// The platform's configuration for runs: the demo community, and sign-in limits that let the
/// same phone sign in as often as a run restarts its device.
pub fn config(data_dir: &Path, listen: SocketAddr) -> Config {
    let mut config = Config::new(data_dir).with_listen(listen);
    config.limits.code_resend_interval = time::Duration::ZERO;
    config.limits.codes_per_phone = 100_000;
    config.limits.codes_per_client = 100_000;
    config.limits.sign_ins_per_client = 100_000;
    config.limits.session_ttl = time::Duration::days(365);
    config
}

impl Platform {
    /// Starts a platform on a free loopback port keeping its data in `data_dir`.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let mut config = config(data_dir, "127.0.0.1:0".parse()?);
        let running = linli_platform::spawn(config.clone()).await?;
        config.listen = running.addr();
        Ok(Self {
            config,
            running: Some(running),
        })
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.config.listen)
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.config.listen
    }

    /// Where it keeps its data (and where the demo gateway writes codes).
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// Its SQLite file.
    pub fn database(&self) -> PathBuf {
        self.config.data_dir.join(DATABASE_FILE)
    }

    /// Dies as in a crash (every connection dropped mid-request), stays down for `down`, and
    /// starts again on the same address and data.
    pub async fn crash_and_restart(&mut self, down: Duration) -> anyhow::Result<()> {
        if let Some(running) = self.running.take() {
            running.kill();
        }
        tokio::time::sleep(down).await;
        self.running = Some(linli_platform::spawn(self.config.clone()).await?);
        Ok(())
    }

    /// Stops gracefully.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

/// One report as the platform holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldReport {
    /// Its id (the device's).
    pub id: String,
    /// The reporter's words.
    pub description: String,
    /// How many photos it carries.
    pub photos: usize,
}

/// Every report in the platform's database, read from the file itself (not through the API,
/// so no rule of the API can hide a copy).
pub fn held_reports(database: &Path) -> anyhow::Result<Vec<HeldReport>> {
    let db = rusqlite::Connection::open_with_flags(
        database,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    db.busy_timeout(Duration::from_secs(10))?;
    let mut query = db.prepare("SELECT id, description, photo_ids FROM reports")?;
    let rows = query.query_map([], |row| {
        let photos: String = row.get(2)?;
        Ok(HeldReport {
            id: row.get(0)?,
            description: row.get(1)?,
            photos: serde_json::from_str::<Vec<String>>(&photos)
                .map(|p| p.len())
                .unwrap_or(usize::MAX),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every comment in the platform's database: (comment id, report id, body).
pub fn held_comments(database: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let db = rusqlite::Connection::open_with_flags(
        database,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    db.busy_timeout(Duration::from_secs(10))?;
    let mut query = db.prepare("SELECT id, report_id, body FROM report_comments")?;
    let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Holds the write lock of the platform's database from a second connection for `hold` (as a
/// stuck backup or migration would), on a thread of its own. Returns once the lock is taken;
/// join the handle to know it was let go.
pub fn hold_write_lock(
    database: &Path,
    hold: Duration,
) -> anyhow::Result<std::thread::JoinHandle<anyhow::Result<()>>> {
    let db = rusqlite::Connection::open(database)?;
    db.busy_timeout(Duration::from_secs(30))?;
    db.execute_batch("BEGIN IMMEDIATE")?;
    Ok(std::thread::spawn(move || {
        std::thread::sleep(hold);
        db.execute_batch("ROLLBACK")?;
        Ok(())
    }))
}

/// Signs someone in over plain HTTP (staff, as their own app would); returns the token.
pub async fn sign_in_http(base: &str, data_dir: &Path, phone: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let sent = http
        .post(format!("{base}/v1/auth/otp"))
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await?;
    anyhow::ensure!(sent.status().is_success(), "code: {}", sent.text().await?);
    let code = linli_platform::latest_code(data_dir, phone)
        .ok_or_else(|| anyhow::anyhow!("no code for {phone}"))?;
    let grant = http
        .post(format!("{base}/v1/auth/sessions"))
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await?;
    anyhow::ensure!(
        grant.status().is_success(),
        "sign-in: {}",
        grant.text().await?
    );
    Ok(grant
        .json::<linli_api::platform::SessionGrant>()
        .await?
        .token)
}

/// Staff of the handling party mark a report resolved (straight to the platform).
pub async fn resolve(base: &str, token: &str, id: linli_api::ReportId) -> anyhow::Result<()> {
    let r = reqwest::Client::new()
        .post(format!("{base}{}", linli_api::platform::report_resolve(id)))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&linli_api::platform::Resolution {
            note: "已更换灯泡".into(),
            photo_ids: vec![],
        })
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "resolve: {}", r.text().await?);
    Ok(())
}

/// How many timeline entries of each kind each report has: (report id, kind) → count.
pub fn timeline_counts(
    database: &Path,
) -> anyhow::Result<std::collections::HashMap<(String, String), usize>> {
    let db = rusqlite::Connection::open_with_flags(
        database,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    db.busy_timeout(Duration::from_secs(10))?;
    let mut query = db.prepare(
        "SELECT report_id, kind, COUNT(*) FROM report_timeline GROUP BY report_id, kind",
    )?;
    let rows = query.query_map([], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get::<_, i64>(2)? as usize))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
