//! After a report is sent, in the real window: an emergency category stops the form with call
//! buttons; a neighbour's open report is offered and followed instead of reporting twice;
//! staff resolve a report, the resident confirms and rates it; another is resolved and the
//! resident reopens it; staff hand it to the owners' committee and the timeline shows it;
//! comments go both ways; the accountability board shows every party. axe-core checks each
//! screen; screenshots go to test-output/e2e/.

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, Locator};
use linli_api::ipc::Language;
use linli_api::platform::{self, Comment, NewComment, NewReport, ReportDetail, paths};
use linli_api::{BuildingId, TimelineKind, Urgency};
use linli_api::{CommentId, Party, Place, Report, ReportId, ReportStatus, ReportVisibility};
use linli_e2e::flows::{
    api_sign_in, check_screen, fill_report, go, platform, sign_in, submit_report,
};
use linli_e2e::{Driver, app_binary, wait_css, wait_until};
use linli_i18n::Localizer;
use linli_platform::demo;
use std::time::Duration;

/// A staff member's or neighbour's POST, with a fresh idempotency key (or, for a new report,
/// the report's own id, which the platform asks for).
async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value> {
    let key = body
        .get("id")
        .filter(|_| path == paths::REPORTS)
        .and_then(|id| id.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| ReportId::new().to_string());
    let answer = http
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .header(platform::IDEMPOTENCY_KEY, key)
        .json(&body)
        .send()
        .await?;
    let status = answer.status();
    let text = answer.text().await?;
    ensure!(status.is_success(), "POST {path}: {status} {text}");
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

async fn detail(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    id: ReportId,
) -> Result<ReportDetail> {
    Ok(http
        .get(format!("{url}{}/{id}", paths::REPORTS))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// Polls the platform until `check` holds for report `id` (the app sends in the background).
async fn until_on_platform(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    id: ReportId,
    what: &str,
    check: impl Fn(&ReportDetail) -> bool,
) -> Result<ReportDetail> {
    for _ in 0..100 {
        let d = detail(http, url, token, id).await?;
        if check(&d) {
            return Ok(d);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the platform never showed {what} for report {id}")
}

/// The report the window shows, from its address (`/reports/<id>`).
async fn shown_report(client: &Client) -> Result<ReportId> {
    let url = client.current_url().await?;
    let id = url
        .path()
        .strip_prefix("/reports/")
        .context("not on a report's page")?;
    id.parse().context("a report id in the address")
}

/// Files a report in the window and waits until the platform has given it a number.
async fn file_in_window(client: &Client, description: &str) -> Result<ReportId> {
    go(client, "/").await?;
    go(client, "/report/new").await?;
    fill_report(client, description).await?;
    submit_report(client).await?;
    wait_until(
        client,
        "the report delivered with a number",
        "/#\\d+/.test(document.querySelector('#delivery-label')?.textContent ?? '')",
        30,
    )
    .await?;
    shown_report(client).await
}

async fn click(client: &Client, css: &str) -> Result<()> {
    wait_css(client, css, 15).await?.click().await?;
    Ok(())
}

/// Waits until the element `css` shows exactly `text`.
async fn until_text(client: &Client, css: &str, text: &str, secs: u64) -> Result<()> {
    let script =
        format!("(document.querySelector({css:?})?.textContent ?? '').trim() === {text:?}");
    wait_until(client, &format!("{css} says {text:?}"), &script, secs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_followed_up_until_the_resident_is_satisfied() -> Result<()> {
    let app = app_binary()?;
    let tmp = tempfile::tempdir()?;
    let platform_dir = tmp.path().join("platform");
    let running = platform(&platform_dir, "127.0.0.1:0".parse()?).await?;
    let url = running.url();
    let http = reqwest::Client::new();
    let zh = Localizer::new(Language::ZhCn);
    let driver = Driver::start(&[
        ("LINLI_PLATFORM_URL", url.clone()),
        (
            "LINLI_APP_DATA_DIR",
            tmp.path().join("device").to_string_lossy().into_owned(),
        ),
        ("LANG", "zh_CN.UTF-8".into()),
    ])?;
    let client = driver.open(&app).await?;
    wait_css(&client, "#phone", 30).await?;
    if let Ok(normal) = client.find(Locator::Css("#first-run-normal")).await {
        normal.click().await?;
    }
    sign_in(&client, &platform_dir).await?;
    let staff = api_sign_in(&http, &url, &platform_dir, demo::PROPERTY_STAFF_PHONE).await?;
    let neighbour = api_sign_in(&http, &url, &platform_dir, demo::SECOND_RESIDENT_PHONE).await?;

    // An emergency category stops the form: call buttons first, the rest after "I called".
    go(&client, "/report/new").await?;
    click(&client, "#category option[value='gas_leak']").await?;
    wait_css(&client, ".emergency", 10).await?;
    for number in ["119", "120", "110", demo::DUTY_PHONE] {
        wait_css(
            &client,
            &format!(".emergency a.call[href='tel:{number}']"),
            5,
        )
        .await
        .with_context(|| format!("a call button for {number}"))?;
    }
    ensure!(
        !wait_css(&client, "#description", 5)
            .await?
            .is_displayed()
            .await?,
        "the form waits until the resident has called"
    );
    check_screen(&client, "31-emergency-calls").await?;
    click(&client, "#emergency-continue").await?;
    wait_until(
        &client,
        "the form goes on",
        "document.querySelector('#description')?.offsetParent !== null",
        5,
    )
    .await?;

    // A neighbour already reported the lift in building 3: offered, and followed instead.
    let theirs = ReportId::new();
    post(
        &http,
        &url,
        &neighbour,
        paths::REPORTS,
        serde_json::to_value(NewReport {
            id: theirs,
            category: "lifts".into(),
            description: "3栋电梯按钮失灵，按了没反应".into(),
            place: Place::Building {
                building_id: BuildingId(3),
                spot: "一楼电梯厅".into(),
            },
            urgency: Urgency::Soon,
            visibility: ReportVisibility::Private,
            photo_ids: vec![],
        })?,
    )
    .await?;
    click(&client, "#category option[value='lifts']").await?;
    click(&client, "label[for=place-kind-building]").await?;
    click(&client, "#place-building option[value='3']").await?;
    wait_css(&client, ".similar-panel", 20).await?;
    check_screen(&client, "32-similar-offered").await?;
    click(&client, ".similar-follow").await?;
    wait_css(&client, ".following", 20).await?;
    ensure!(
        shown_report(&client).await? == theirs,
        "the neighbour's report is shown"
    );
    check_screen(&client, "33-following").await?;
    until_on_platform(
        &http,
        &url,
        &neighbour,
        theirs,
        "two households affected",
        |d| d.report.affected == 2,
    )
    .await?;

    // Resolved by staff -> confirmed by the resident -> rated.
    let fixed = file_in_window(&client, "厨房水龙头关不紧，一直在滴水").await?;
    post(
        &http,
        &url,
        &staff,
        &platform::report_resolve(fixed),
        serde_json::json!({ "note": "已更换水龙头阀芯", "photo_ids": [] }),
    )
    .await?;
    wait_css(&client, "#confirm-fixed", 30).await?;
    check_screen(&client, "34-resolved-asks-the-resident").await?;
    click(&client, "#confirm-fixed").await?;
    until_text(&client, "#report-status", &zh.text("status-closed"), 30).await?;
    wait_css(&client, "#rate-send", 10).await?;
    check_screen(&client, "35-rate").await?;
    for choice in ["rate-attitude-5", "rate-quality-4", "rate-speed-5"] {
        click(&client, &format!("label[for={choice}]")).await?;
    }
    click(&client, "#rate-send").await?;
    wait_css(&client, "#rated", 30).await?;
    check_screen(&client, "36-rated").await?;
    let rated = until_on_platform(&http, &url, &staff, fixed, "the rating", |d| {
        d.report.rating.is_some()
    })
    .await?;
    let rating = rated.report.rating.expect("checked above");
    ensure!(
        (rating.attitude, rating.quality, rating.speed) == (5, 4, 5),
        "the rating chosen in the window reached the platform: {rating:?}"
    );
    ensure!(rated.report.status == ReportStatus::Closed);

    // Resolved -> "not fixed": reopened with the resident's reason.
    let again = file_in_window(&client, "阳台下水道堵了，水排不下去").await?;
    post(
        &http,
        &url,
        &staff,
        &platform::report_resolve(again),
        serde_json::json!({ "note": "已疏通", "photo_ids": [] }),
    )
    .await?;
    click(&client, "#reopen").await?;
    let reason = "还是堵，水下得很慢";
    wait_css(&client, "#reopen-reason", 10)
        .await?
        .send_keys(reason)
        .await?;
    click(&client, "#reopen-send").await?;
    until_text(&client, "#report-status", &zh.text("status-reopened"), 30).await?;
    check_screen(&client, "37-reopened").await?;
    let reopened = until_on_platform(&http, &url, &staff, again, "the reopening", |d| {
        d.report.status == ReportStatus::Reopened
    })
    .await?;
    ensure!(
        reopened
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Reopened && e.note.as_deref() == Some(reason)),
        "the reason is in the timeline: {:?}",
        reopened.timeline
    );

    // Staff hand it to the owners' committee: everyone sees it in the timeline.
    post(
        &http,
        &url,
        &staff,
        &platform::report_hand_off(again),
        serde_json::json!({ "to": Party::OwnersCommittee, "reason": "需要动用维修资金，请业委会决定" }),
    )
    .await?;
    wait_css(&client, ".timeline .step-handed-off", 30).await?;
    check_screen(&client, "38-handed-off").await?;

    // Comments both ways: the resident writes; the committee, now handling it, answers.
    let words = "周末家里有人，可以上门";
    wait_css(&client, "#comment-body", 10)
        .await?
        .send_keys(words)
        .await?;
    click(&client, "#comment-send").await?;
    let committee = api_sign_in(&http, &url, &platform_dir, demo::COMMITTEE_MEMBER_PHONE).await?;
    let mut seen = false;
    for _ in 0..100 {
        let comments: Vec<Comment> = http
            .get(format!("{url}{}", platform::report_comments(again)))
            .bearer_auth(&committee)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if comments.iter().any(|c| c.body == words) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ensure!(seen, "the resident's comment reached the handling party");
    let answer = "业委会周六上午讨论，结果会在这里告诉您";
    post(
        &http,
        &url,
        &committee,
        &platform::report_comments(again),
        serde_json::to_value(NewComment {
            id: CommentId::new(),
            body: answer.into(),
            photo_ids: vec![],
        })?,
    )
    .await?;
    wait_until(
        &client,
        "the committee's answer",
        &format!("[...document.querySelectorAll('.comment')].some(c => c.textContent.includes({answer:?}))"),
        30,
    )
    .await?;
    check_screen(&client, "39-comments").await?;

    // The accountability board, from the home screen.
    go(&client, "/").await?;
    go(&client, "/board").await?;
    for party in Party::ALL {
        wait_css(&client, &format!("#board-{}", party.as_str()), 20).await?;
    }
    check_screen(&client, "40-board").await?;

    // The neighbour's report, seen by them with the follower counted, never with our name.
    let theirs_now: Report = detail(&http, &url, &neighbour, theirs).await?.report;
    ensure!(theirs_now.affected == 2);

    client.close().await?;
    running.shutdown().await;
    Ok(())
}
