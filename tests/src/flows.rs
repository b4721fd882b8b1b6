//! Steps the end-to-end tests share: the platform, signing in (window and API), filling and
//! sending the report form, checking a screen.

use crate::{axe_check, screenshot, wait_css};
use anyhow::{Context, Result, ensure};
use fantoccini::Client;
use linli_api::Report;
use linli_api::platform::{SessionGrant, paths};
use linli_platform::{Config, RunningPlatform, demo, latest_code};
use std::net::SocketAddr;
use std::path::Path;

/// Starts the platform on `listen` (port 0 for any) with its data in `dir`.
pub async fn platform(dir: &Path, listen: SocketAddr) -> Result<RunningPlatform> {
    let mut config = Config::new(dir.to_path_buf()).with_listen(listen);
    // The resident signs in twice within half a minute (before and after a restart);
    // the real 30 s resend interval is tested in the platform's own sign-in tests.
    config.limits.code_resend_interval = time::Duration::seconds(1);
    Ok(linli_platform::spawn(config).await?)
}

/// Signs in over the API as `phone` (staff use the API; the window is the resident's).
pub async fn api_sign_in(
    http: &reqwest::Client,
    url: &str,
    dir: &Path,
    phone: &str,
) -> Result<String> {
    let sent = http
        .post(format!("{url}{}", paths::OTP))
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await?;
    ensure!(
        sent.status().is_success(),
        "code request failed: {}",
        sent.status()
    );
    let code = latest_code(dir, phone).context("the demo gateway wrote no code")?;
    let grant: SessionGrant = http
        .post(format!("{url}{}", paths::SESSIONS))
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(grant.token)
}

/// The reports `token` may see, from the platform.
pub async fn reports_on_platform(
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> Result<Vec<Report>> {
    Ok(http
        .get(format!("{url}{}", paths::REPORTS))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// Follows an in-app link the way a person does (a click), so the router handles it.
pub async fn go(client: &Client, href: &str) -> Result<()> {
    let link = wait_css(client, &format!("a[href='{href}']"), 10).await?;
    link.click().await?;
    Ok(())
}

/// Saves a screenshot of the screen and runs axe-core on it.
pub async fn check_screen(client: &Client, name: &str) -> Result<()> {
    eprintln!("e2e: screen {name}");
    // Let transitions and late resources settle so the screenshot shows the final state.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    screenshot(client, name).await?;
    axe_check(client, name).await
}

/// Attaches a real JPEG made by the webview's own canvas through the file input, as if picked.
pub async fn attach_photo(client: &Client) -> Result<()> {
    let input = wait_css(client, "#photo-input", 10).await?;
    let done = client
        .execute_async(
            r#"const [input, done] = arguments;
               const c = document.createElement('canvas'); c.width = 640; c.height = 480;
               const g = c.getContext('2d');
               g.fillStyle = '#3a7'; g.fillRect(0, 0, 640, 480);
               g.fillStyle = '#fff'; g.fillRect(200, 120, 240, 240);
               c.toBlob(blob => {
                 const dt = new DataTransfer();
                 dt.items.add(new File([blob], 'leak.jpg', { type: 'image/jpeg' }));
                 input.files = dt.files;
                 input.dispatchEvent(new Event('change', { bubbles: true }));
                 done(blob.size);
               }, 'image/jpeg', 0.9);"#,
            vec![serde_json::to_value(&input)?],
        )
        .await?;
    ensure!(done.as_u64().unwrap_or(0) > 0, "the canvas made no JPEG");
    wait_css(client, ".photos img", 20).await?;
    Ok(())
}

/// Fills the (standard) report form: water and plumbing, `description`, the resident's unit.
pub async fn fill_report(client: &Client, description: &str) -> Result<()> {
    wait_css(client, "#category option[value='water_plumbing']", 20)
        .await?
        .click()
        .await?;
    let text = wait_css(client, "#description", 10).await?;
    text.send_keys(description).await?;
    wait_css(client, "#place-kind-unit", 10)
        .await?
        .click()
        .await?;
    let unit = format!("#place-unit option[value='{}']", demo::unit_id(3, 2, 5, 1));
    wait_css(client, &unit, 10).await?.click().await?;
    Ok(())
}

/// Sends the form and waits for the report's page.
pub async fn submit_report(client: &Client) -> Result<()> {
    wait_css(client, ".report-form button[type='submit']", 10)
        .await?
        .click()
        .await?;
    wait_css(client, "#delivery-label", 20).await?;
    Ok(())
}

/// Signs the demo resident in through the window.
pub async fn sign_in(client: &Client, platform_dir: &Path) -> Result<()> {
    sign_in_as(client, platform_dir, demo::RESIDENT_PHONE).await
}

/// Signs `phone` in through the window: phone, then the code the demo gateway wrote.
pub async fn sign_in_as(client: &Client, platform_dir: &Path, phone: &str) -> Result<()> {
    let before = latest_code(platform_dir, phone);
    wait_css(client, "#phone", 15)
        .await?
        .send_keys(phone)
        .await?;
    wait_css(client, "form button[type='submit']", 5)
        .await?
        .click()
        .await?;
    let code_input = wait_css(client, "#code", 15).await?;
    let code = latest_code(platform_dir, phone).context("no code written")?;
    ensure!(
        Some(&code) != before.as_ref() || before.is_none(),
        "no new code was sent"
    );
    code_input.send_keys(&code).await?;
    wait_css(client, "form button[type='submit']", 5)
        .await?
        .click()
        .await?;
    wait_css(client, "a.tile[href='/report/new']", 20).await?;
    Ok(())
}

/// A JS expression for an element's text (empty when absent).
pub fn text_of(selector: &str) -> String {
    format!("(document.querySelector(\"{selector}\") || {{}}).textContent || ''")
}
