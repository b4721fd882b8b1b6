//! The report lifecycle over real HTTP: resolution confirmed by the resident, the seven-day
//! rule, reopening and its thirty days, ratings, hand-offs, clocks, private and public
//! reports, emergency categories, and the change feed carrying every step.

mod common;

use common::{TestPlatform, jpeg_bytes, leaking_pipe, ok_json, problem};
use linli_api::platform::{Catalogue, EmergencyService, NewReport, ReportDetail, ReportEvent};
use linli_api::{
    ErrorCode, FieldError, FieldErrorCode, NextStep, Party, PhotoId, Place, Report, ReportId,
    ReportStatus, ReportVisibility, TimelineKind, UnitId, Urgency, UserId,
};
use linli_platform::demo;
use reqwest::Response;
use serde_json::{Value, json};
use time::Duration;

async fn post(t: &TestPlatform, token: &str, path: &str, body: Value) -> Response {
    t.http
        .post(t.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn step(t: &TestPlatform, token: &str, id: ReportId, action: &str, body: Value) -> Response {
    post(t, token, &format!("/v1/reports/{id}/{action}"), body).await
}

async fn detail(t: &TestPlatform, token: &str, id: ReportId) -> ReportDetail {
    ok_json(t.get(token, &format!("/v1/reports/{id}")).await).await
}

async fn changes(t: &TestPlatform, token: &str, after: i64) -> Vec<ReportEvent> {
    ok_json(t.get(token, &format!("/v1/changes?after={after}")).await).await
}

fn kinds(detail: &ReportDetail) -> Vec<TimelineKind> {
    detail.timeline.iter().map(|e| e.kind).collect()
}

fn fields(problem: &linli_api::platform::Problem) -> Vec<(String, FieldErrorCode)> {
    problem
        .errors
        .iter()
        .map(|e| (e.field.clone(), e.code))
        .collect()
}

struct Scene {
    t: TestPlatform,
    resident: String,
    neighbour: String,
    property: String,
    report: Report,
}

async fn scene() -> Scene {
    // Sessions outlive the months these tests move the clock through.
    let t = TestPlatform::start_with(|c| c.limits.session_ttl = Duration::days(365)).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let property = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    Scene {
        t,
        resident,
        neighbour,
        property,
        report,
    }
}

async fn resolved(s: &Scene) -> ReportDetail {
    ok_json(
        step(
            &s.t,
            &s.property,
            s.report.id,
            "resolve",
            json!({"note": "已更换水管"}),
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn resolve_then_confirm_then_rate_once_with_every_step_on_the_feed() {
    let s = scene().await;
    let t = &s.t;
    let id = s.report.id;
    let seen = changes(t, &s.resident, 0).await.last().unwrap().seq;

    // Staff resolve with a photo of the fix they uploaded themselves.
    let photo = PhotoId::new();
    assert_eq!(
        t.upload(&s.property, photo, "image/jpeg", jpeg_bytes(9))
            .await
            .status(),
        201
    );
    let done: ReportDetail = ok_json(
        step(
            t,
            &s.property,
            id,
            "resolve",
            json!({"note": "  已更换水管接头  ", "photo_ids": [photo]}),
        )
        .await,
    )
    .await;
    let resolved_at = done.timeline.last().unwrap().at;
    assert_eq!(done.report.status, ReportStatus::Resolved);
    assert_eq!(done.report.clock.next_step, NextStep::Confirm);
    assert_eq!(
        done.report.clock.expected_by,
        Some(resolved_at + Duration::days(7)),
        "closes by itself a week after resolution"
    );
    let entry = done.timeline.last().unwrap();
    assert_eq!(entry.kind, TimelineKind::Resolved);
    assert_eq!(entry.note.as_deref(), Some("已更换水管接头"));
    assert_eq!(entry.photo_ids, vec![photo]);
    assert_eq!(entry.party, Some(Party::PropertyCompany));
    // The resident sees the photo of the fix.
    let bytes = t.get(&s.resident, &format!("/v1/photos/{photo}")).await;
    assert_eq!(bytes.status(), 200);

    // Only the reporter confirms: not staff, not a neighbour (who cannot even see it).
    problem(
        step(t, &s.property, id, "confirm", json!({})).await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        step(t, &s.neighbour, id, "confirm", json!({})).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    // Rating waits for the closing.
    problem(
        step(
            t,
            &s.resident,
            id,
            "rating",
            json!({"attitude": 5, "quality": 5, "speed": 5}),
        )
        .await,
        409,
        ErrorCode::NotClosedYet,
    )
    .await;
    let closed: ReportDetail = ok_json(step(t, &s.resident, id, "confirm", json!({})).await).await;
    assert_eq!(closed.report.status, ReportStatus::Closed);
    assert_eq!(closed.report.clock.next_step, NextStep::Nothing);
    let closed_at = closed.report.clock.closed_at.unwrap();
    assert_eq!(
        closed.report.clock.reopen_until,
        Some(closed_at + Duration::days(30))
    );
    problem(
        step(t, &s.resident, id, "confirm", json!({})).await,
        409,
        ErrorCode::InvalidTransition,
    )
    .await;

    // Bad marks are named field by field; nothing is recorded.
    let bad = problem(
        step(
            t,
            &s.resident,
            id,
            "rating",
            json!({"attitude": 0, "quality": 6, "speed": 3, "comment": "好".repeat(301)}),
        )
        .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(
        fields(&bad),
        [
            ("attitude".into(), FieldErrorCode::Required),
            ("quality".into(), FieldErrorCode::InvalidChoice),
            ("comment".into(), FieldErrorCode::TooLong),
        ]
    );
    assert_eq!(
        bad.errors[2],
        FieldError::with_limit("comment", FieldErrorCode::TooLong, 300)
    );
    problem(
        step(
            t,
            &s.property,
            id,
            "rating",
            json!({"attitude": 5, "quality": 5, "speed": 5}),
        )
        .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    let rated: ReportDetail = ok_json(
        step(
            t,
            &s.resident,
            id,
            "rating",
            json!({"attitude": 5, "quality": 4, "speed": 3, "comment": " 师傅很耐心 "}),
        )
        .await,
    )
    .await;
    let rating = rated.report.rating.clone().unwrap();
    assert_eq!((rating.attitude, rating.quality, rating.speed), (5, 4, 3));
    assert_eq!(rating.comment, "师傅很耐心");
    problem(
        step(
            t,
            &s.resident,
            id,
            "rating",
            json!({"attitude": 1, "quality": 1, "speed": 1}),
        )
        .await,
        409,
        ErrorCode::AlreadyRated,
    )
    .await;
    assert_eq!(
        kinds(&detail(t, &s.resident, id).await),
        [
            TimelineKind::Filed,
            TimelineKind::Resolved,
            TimelineKind::Confirmed,
            TimelineKind::Rated
        ]
    );

    // Every step reached the reporter's feed, and the staff's.
    for token in [&s.resident, &s.property] {
        let statuses: Vec<ReportStatus> = changes(t, token, seen)
            .await
            .into_iter()
            .filter(|e| e.report_id == id)
            .map(|e| e.status)
            .collect();
        assert_eq!(
            statuses,
            [
                ReportStatus::Resolved,
                ReportStatus::Closed,
                ReportStatus::Closed
            ]
        );
    }
}

#[tokio::test]
async fn a_resolution_needs_a_note_and_the_staffs_own_unattached_photos() {
    let s = scene().await;
    let t = &s.t;
    let theirs = PhotoId::new();
    assert_eq!(
        t.upload(&s.resident, theirs, "image/jpeg", jpeg_bytes(3))
            .await
            .status(),
        201
    );
    let no_note = problem(
        step(t, &s.property, s.report.id, "resolve", json!({"note": " "})).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(
        fields(&no_note),
        [("note".into(), FieldErrorCode::Required)]
    );
    let foreign = problem(
        step(
            t,
            &s.property,
            s.report.id,
            "resolve",
            json!({"note": "已修好", "photo_ids": [theirs]}),
        )
        .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(
        fields(&foreign),
        [("photos".into(), FieldErrorCode::UnknownPhoto)]
    );
    let still = detail(t, &s.resident, s.report.id).await;
    assert_eq!(
        still.report.status,
        ReportStatus::Received,
        "nothing was kept"
    );
    assert_eq!(still.timeline.len(), 1);
    // The community does not handle water pipes.
    let community = t.sign_in(demo::COMMUNITY_STAFF_PHONE).await;
    problem(
        step(
            t,
            &community,
            s.report.id,
            "resolve",
            json!({"note": "已修好"}),
        )
        .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
}

#[tokio::test]
async fn with_no_answer_a_resolved_report_closes_seven_days_later_on_the_next_read() {
    let s = scene().await;
    let t = &s.t;
    let resolved_at = resolved(&s).await.timeline.last().unwrap().at;
    t.clock.advance(Duration::days(7) - Duration::minutes(1));
    let waiting = detail(t, &s.resident, s.report.id).await;
    assert_eq!(waiting.report.status, ReportStatus::Resolved);
    assert_eq!(waiting.report.clock.next_step, NextStep::Confirm);

    t.clock.advance(Duration::minutes(2));
    let closed = detail(t, &s.resident, s.report.id).await;
    assert_eq!(closed.report.status, ReportStatus::Closed);
    let last = closed.timeline.last().unwrap();
    assert_eq!(last.kind, TimelineKind::ClosedAutomatically);
    assert_eq!(
        last.at,
        resolved_at + Duration::days(7),
        "closed when the week ended"
    );
    assert_eq!(closed.report.clock.closed_at, Some(last.at));
    let feed = changes(t, &s.resident, 0).await;
    assert_eq!(feed.last().unwrap().status, ReportStatus::Closed);
    // Closed by the rule, the report can still be rated and reopened.
    let rated = step(
        t,
        &s.resident,
        s.report.id,
        "rating",
        json!({"attitude": 3, "quality": 3, "speed": 3}),
    )
    .await;
    assert_eq!(rated.status(), 200);
}

#[tokio::test]
async fn the_server_closes_unanswered_reports_even_when_nobody_reads() {
    let t =
        TestPlatform::start_with(|c| c.limits.sweep_interval = Duration::milliseconds(20)).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let property = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let resolved: ReportDetail = ok_json(
        step(
            &t,
            &property,
            report.id,
            "resolve",
            json!({"note": "已修好"}),
        )
        .await,
    )
    .await;
    let after = changes(&t, &resident, 0).await.last().unwrap().seq;
    t.clock.advance(Duration::days(8));
    // Only the feed is read here, and the feed does not close anything itself.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let Some(e) = changes(&t, &resident, after).await.pop() {
                return e;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the periodic sweep closed it");
    assert_eq!(closed.status, ReportStatus::Closed);
    assert_eq!(closed.report_id, resolved.report.id);
}

#[tokio::test]
async fn reopening_needs_a_reason_and_ends_thirty_days_after_closing() {
    let s = scene().await;
    let t = &s.t;
    let id = s.report.id;
    problem(
        step(t, &s.resident, id, "reopen", json!({"reason": "还在漏"})).await,
        409,
        ErrorCode::InvalidTransition,
    )
    .await;
    resolved(&s).await;
    let no_reason = problem(
        step(t, &s.resident, id, "reopen", json!({"reason": ""})).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(
        fields(&no_reason),
        [("reason".into(), FieldErrorCode::Required)]
    );
    // Reopened straight from resolved: back with the property company as work to do again.
    t.clock.advance(Duration::hours(1));
    let reopened: ReportDetail = ok_json(
        step(
            t,
            &s.resident,
            id,
            "reopen",
            json!({"reason": "第二天又开始漏了"}),
        )
        .await,
    )
    .await;
    let r = &reopened.report;
    assert_eq!(r.status, ReportStatus::Reopened);
    assert_eq!(r.reopen_count, 1);
    assert_eq!(r.handling_party, Party::PropertyCompany);
    assert_eq!(r.clock.next_step, NextStep::Respond);
    assert_eq!(
        r.clock.held_since,
        Some(reopened.timeline.last().unwrap().at)
    );
    assert_eq!(
        reopened.timeline.last().unwrap().note.as_deref(),
        Some("第二天又开始漏了")
    );
    // Staff move it forward again; never to closed or reopened themselves.
    for status in ["closed", "reopened", "received"] {
        problem(
            t.move_report(&s.property, id, status, "试一下").await,
            409,
            ErrorCode::InvalidTransition,
        )
        .await;
    }
    let again: ReportDetail = ok_json(
        t.move_report(&s.property, id, "in_progress", "再去看看")
            .await,
    )
    .await;
    assert_eq!(again.report.clock.next_step, NextStep::Resolve);
    resolved(&s).await;
    ok_json::<ReportDetail>(step(t, &s.resident, id, "confirm", json!({})).await).await;

    // Thirty days after closing it may still be reopened; a minute later it may not.
    t.clock.advance(Duration::days(30));
    let late = step(t, &s.resident, id, "reopen", json!({"reason": "又漏了"})).await;
    assert_eq!(late.status(), 200, "{}", late.text().await.unwrap());
    resolved(&s).await;
    ok_json::<ReportDetail>(step(t, &s.resident, id, "confirm", json!({})).await).await;
    t.clock.advance(Duration::days(30) + Duration::minutes(1));
    problem(
        step(t, &s.resident, id, "reopen", json!({"reason": "又漏了"})).await,
        409,
        ErrorCode::ReopenWindowPassed,
    )
    .await;
    let final_state = detail(t, &s.resident, id).await;
    assert_eq!(final_state.report.status, ReportStatus::Closed);
    assert_eq!(final_state.report.reopen_count, 2);
}

#[tokio::test]
async fn a_hand_off_names_another_party_and_a_reason_and_moves_the_work() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let property = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let community = t.sign_in(demo::COMMUNITY_STAFF_PHONE).await;
    let street = t.sign_in(demo::STREET_STAFF_PHONE).await;
    let noise: Report = ok_json(
        t.file(
            &resident,
            &NewReport {
                category: "noise".into(),
                description: "楼上装修晚上十点还在电钻".into(),
                ..leaking_pipe()
            },
        )
        .await,
    )
    .await;
    assert_eq!(
        noise.handling_party,
        Party::Community,
        "the category's default party"
    );
    let id = noise.id;
    problem(
        step(
            &t,
            &property,
            id,
            "hand-off",
            json!({"to": "street_office", "reason": "不归我们"}),
        )
        .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    for (body, field, code) in [
        (
            json!({"reason": "需要街道协调"}),
            "to",
            FieldErrorCode::Required,
        ),
        (
            json!({"to": null, "reason": "需要街道协调"}),
            "to",
            FieldErrorCode::Required,
        ),
        (
            json!({"to": "community", "reason": "需要街道协调"}),
            "to",
            FieldErrorCode::SameParty,
        ),
        (
            json!({"to": "street_office"}),
            "reason",
            FieldErrorCode::Required,
        ),
    ] {
        let p = problem(
            step(&t, &community, id, "hand-off", body).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert_eq!(fields(&p), [(field.to_string(), code)]);
    }
    t.clock.advance(Duration::hours(2));
    let handed: ReportDetail = ok_json(
        step(
            &t,
            &community,
            id,
            "hand-off",
            json!({"to": "street_office", "reason": "多次劝导无效，需要街道联合执法"}),
        )
        .await,
    )
    .await;
    let r = &handed.report;
    assert_eq!(r.handling_party, Party::StreetOffice);
    assert_eq!(r.status, ReportStatus::Received);
    assert_eq!(r.clock.next_step, NextStep::Respond);
    let entry = handed.timeline.last().unwrap();
    assert_eq!(entry.kind, TimelineKind::HandedOff);
    assert_eq!(
        (entry.from_party, entry.to_party),
        (Some(Party::Community), Some(Party::StreetOffice))
    );
    assert_eq!(
        entry.note.as_deref(),
        Some("多次劝导无效，需要街道联合执法")
    );
    assert_eq!(r.clock.held_since, Some(entry.at));

    // The community no longer moves it; the street office does.
    problem(
        t.move_report(&community, id, "acknowledged", "已查看")
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    t.clock.advance(Duration::hours(1));
    ok_json::<ReportDetail>(t.move_report(&street, id, "acknowledged", "已安排").await).await;

    // The resident sees the whole history and the time each party held it.
    let seen = detail(&t, &resident, id).await;
    assert_eq!(
        kinds(&seen),
        [
            TimelineKind::Filed,
            TimelineKind::HandedOff,
            TimelineKind::StatusChanged
        ]
    );
    let held: Vec<(Party, i64, bool)> = seen
        .time_held
        .iter()
        .map(|h| (h.party, h.seconds, h.holding_now))
        .collect();
    assert_eq!(
        held,
        [
            (Party::Community, 2 * 3600, false),
            (Party::StreetOffice, 3600, true)
        ]
    );
    // A resolved report is not handed on.
    ok_json::<ReportDetail>(step(&t, &street, id, "resolve", json!({"note": "已处理"})).await)
        .await;
    problem(
        step(
            &t,
            &street,
            id,
            "hand-off",
            json!({"to": "community", "reason": "退回"}),
        )
        .await,
        409,
        ErrorCode::InvalidTransition,
    )
    .await;
}

#[tokio::test]
async fn the_clock_says_what_is_next_by_when_and_when_it_is_late() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let property = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let urgent: Report = ok_json(
        t.file(
            &resident,
            &NewReport {
                urgency: Urgency::Urgent,
                ..leaking_pipe()
            },
        )
        .await,
    )
    .await;
    let filed = urgent.created_at;
    // The demo targets: an urgent report is answered within an hour and fixed within four.
    assert_eq!(urgent.clock.held_since, Some(filed));
    assert_eq!(urgent.clock.next_step, NextStep::Respond);
    assert_eq!(urgent.clock.expected_by, Some(filed + Duration::hours(1)));
    assert_eq!(urgent.clock.resolve_by, Some(filed + Duration::hours(4)));
    assert!(!urgent.clock.overdue);
    t.clock.advance(Duration::minutes(61));
    let late = detail(&t, &resident, urgent.id).await.report;
    assert!(late.clock.overdue, "an hour passed without a response");
    let listed: Vec<Report> = ok_json(t.get(&resident, "/v1/reports").await).await;
    assert!(listed[0].clock.overdue, "the list says so too");
    let seen: ReportDetail = ok_json(
        t.move_report(&property, urgent.id, "acknowledged", "马上到")
            .await,
    )
    .await;
    assert_eq!(seen.report.clock.next_step, NextStep::Resolve);
    assert_eq!(
        seen.report.clock.expected_by,
        Some(filed + Duration::hours(4))
    );
    assert!(!seen.report.clock.overdue);

    // Lifts take longer: the category's own targets.
    let catalogue: Catalogue = ok_json(t.get(&resident, "/v1/catalogue").await).await;
    let lifts = catalogue
        .categories
        .iter()
        .find(|c| c.code == "lifts")
        .unwrap();
    let routine = lifts
        .targets
        .iter()
        .find(|x| x.urgency == Urgency::Routine)
        .unwrap();
    assert_eq!(routine.resolve_minutes, 120 * 60);
    let plumbing = catalogue
        .categories
        .iter()
        .find(|c| c.code == "water_plumbing")
        .unwrap();
    assert_eq!(plumbing.targets.len(), 3);
    assert!(!plumbing.emergency);
}

#[tokio::test]
async fn emergency_categories_come_with_the_numbers_to_call_and_can_still_be_filed() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let catalogue: Catalogue = ok_json(t.get(&resident, "/v1/catalogue").await).await;
    let emergency: Vec<&str> = catalogue
        .categories
        .iter()
        .filter(|c| c.emergency)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(emergency, ["gas_leak", "fire", "lift_entrapment"]);
    let names: Vec<&str> = catalogue
        .categories
        .iter()
        .filter(|c| c.emergency)
        .map(|c| c.name("zh-CN"))
        .collect();
    assert_eq!(names, ["燃气泄漏", "火情", "电梯困人"]);
    let numbers: Vec<(EmergencyService, &str)> = catalogue
        .emergency_numbers
        .iter()
        .map(|n| (n.service, n.number.as_str()))
        .collect();
    assert_eq!(
        numbers,
        [
            (EmergencyService::Fire, "119"),
            (EmergencyService::Ambulance, "120"),
            (EmergencyService::Police, "110")
        ]
    );
    assert_eq!(catalogue.duty_phone.as_deref(), Some(demo::DUTY_PHONE));
    let gas: Report = ok_json(
        t.file(
            &resident,
            &NewReport {
                category: "gas_leak".into(),
                description: "厨房里有很重的煤气味".into(),
                urgency: Urgency::Urgent,
                ..leaking_pipe()
            },
        )
        .await,
    )
    .await;
    assert_eq!(gas.handling_party, Party::PropertyCompany);
    assert_eq!(
        gas.clock.expected_by,
        Some(gas.created_at + Duration::minutes(15))
    );
}

#[tokio::test]
async fn public_reports_reach_the_estates_residents_without_the_reporter_private_ones_do_not() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    let public: Report = ok_json(
        t.file(
            &resident,
            &NewReport {
                visibility: ReportVisibility::Public,
                ..leaking_pipe()
            },
        )
        .await,
    )
    .await;
    let private: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    assert_eq!(public.visibility, ReportVisibility::Public);
    assert_eq!(
        private.visibility,
        ReportVisibility::Private,
        "private by default"
    );

    for token in [&neighbour, &tenant] {
        // Their own list stays their own unless they ask for the estate's.
        let mine: Vec<Report> = ok_json(t.get(token, "/v1/reports").await).await;
        assert!(mine.is_empty());
        let estate: Vec<Report> = ok_json(t.get(token, "/v1/reports?scope=estate").await).await;
        assert_eq!(estate.iter().map(|r| r.id).collect::<Vec<_>>(), [public.id]);
        let seen = &estate[0];
        assert_eq!(seen.reporter, UserId(0), "no reporter identity");
        assert_eq!(seen.place_label, "3栋", "a home shows only as its building");
        assert!(!seen.following);
        let one = detail(&t, token, public.id).await;
        assert_eq!(one.report.reporter, UserId(0));
        // The flat ("501") is nowhere a neighbour reads it: not in the label, and the place is
        // the building, not the unit. (Not the whole Debug text: a random id may contain "501".)
        assert!(!one.report.place_label.contains("501"));
        assert!(
            !matches!(one.report.place, linli_api::Place::Unit { .. }),
            "{:?}",
            one.report.place
        );
        problem(
            t.get(token, &format!("/v1/reports/{}", private.id)).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
        // Neighbours read; they do not act on it.
        problem(
            step(
                &t,
                token,
                public.id,
                "reopen",
                json!({"reason": "我家也漏"}),
            )
            .await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
    }
    // The reporter sees both, as their own.
    let own: Vec<Report> = ok_json(t.get(&resident, "/v1/reports?scope=estate").await).await;
    assert_eq!(own.len(), 2);
    assert!(own.iter().all(|r| r.reporter != UserId(0)));
    // Staff of every party see both, with the reporter.
    for phone in [
        demo::PROPERTY_STAFF_PHONE,
        demo::COMMUNITY_STAFF_PHONE,
        demo::STREET_STAFF_PHONE,
        demo::COMMITTEE_MEMBER_PHONE,
    ] {
        let staff = t.sign_in(phone).await;
        let all: Vec<Report> = ok_json(t.get(&staff, "/v1/reports").await).await;
        assert_eq!(all.len(), 2, "{phone}");
        assert!(all.iter().all(|r| r.reporter == public.reporter));
    }
    // Volunteers see neither.
    for id in [public.id, private.id] {
        problem(
            t.get(&volunteer, &format!("/v1/reports/{id}")).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
    }
    let none: Vec<Report> = ok_json(t.get(&volunteer, "/v1/reports?scope=estate").await).await;
    assert!(none.is_empty());
    // A neighbour's own report about their unit stays theirs.
    let theirs: Report = ok_json(
        t.file(
            &neighbour,
            &NewReport {
                place: Place::Unit {
                    unit_id: UnitId(2111),
                },
                ..leaking_pipe()
            },
        )
        .await,
    )
    .await;
    let estate: Vec<Report> = ok_json(t.get(&neighbour, "/v1/reports?scope=estate").await).await;
    assert_eq!(
        estate.iter().map(|r| r.id).collect::<Vec<_>>(),
        [theirs.id, public.id]
    );
}
