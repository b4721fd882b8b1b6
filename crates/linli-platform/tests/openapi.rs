//! The OpenAPI document is generated from the handlers and compared with the committed
//! snapshot, so every change to the API shows up in review. `UPDATE_SNAPSHOTS=1 cargo test -p
//! linli-platform --test openapi` rewrites the snapshot.

mod common;

use linli_api::platform::paths;
use std::path::PathBuf;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.snapshot.json")
}

fn generated() -> String {
    let mut json = linli_platform::openapi().to_pretty_json().unwrap();
    json.push('\n');
    json
}

#[test]
fn the_document_matches_the_snapshot() {
    let now = generated();
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(snapshot_path(), &now).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(snapshot_path())
        .expect("openapi.snapshot.json is missing: run with UPDATE_SNAPSHOTS=1");
    if now != expected {
        let (line, (got, want)) = now
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((
                now.lines().count().min(expected.lines().count()),
                ("<end>", "<end>"),
            ));
        panic!(
            "the OpenAPI document changed (first difference at line {}):\n  snapshot: {want}\n  now:      {got}\n\
             If the change is intended, run UPDATE_SNAPSHOTS=1 cargo test -p linli-platform --test openapi",
            line + 1
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_and_covers_every_contract_path() {
    let doc: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = doc["paths"].as_object().unwrap();
    let photo = format!("{}/{{id}}", paths::PHOTOS);
    for path in [
        paths::OTP,
        paths::SESSIONS,
        paths::CURRENT_SESSION,
        paths::ME,
        paths::CATALOGUE,
        photo.as_str(),
        paths::REPORTS,
        paths::SIMILAR_REPORTS,
        "/v1/reports/{id}/comments",
        "/v1/reports/{id}/followers",
        "/v1/reports/{id}/resolve",
        "/v1/reports/{id}/confirm",
        "/v1/reports/{id}/reopen",
        "/v1/reports/{id}/rating",
        "/v1/reports/{id}/hand-off",
        "/v1/estates/{id}/board",
        paths::EVENTS,
        paths::CHANGES,
        paths::OPENAPI,
        paths::HEALTH,
    ] {
        assert!(documented.contains_key(path), "{path} is not documented");
    }
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "bearer auth is described"
    );
    for schema in [
        "Problem",
        "NewReport",
        "Report",
        "ReportEvent",
        "SessionGrant",
        "NewComment",
        "Comment",
        "SimilarReport",
        "FollowState",
        "Resolution",
        "Reopening",
        "Rating",
        "HandOff",
        "ReportClock",
        "TimelineKind",
        "PartyTime",
        "Board",
        "PartyFigures",
        "EmergencyNumber",
        "ServiceTarget",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let t = common::TestPlatform::start().await;
    let served: serde_json::Value = t
        .http
        .get(t.url(paths::OPENAPI))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let generated: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(served, generated);
    let health = t.http.get(t.url(paths::HEALTH)).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
