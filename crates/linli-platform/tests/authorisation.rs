//! Who may see and change what.

mod common;

use common::{TestPlatform, jpeg_bytes, leaking_pipe, ok_json, problem};
use linli_api::platform::{NewReport, ReportDetail};
use linli_api::{ErrorCode, FieldErrorCode, Party, PhotoId, Place, Report, ReportStatus, UnitId};
use linli_platform::demo;

struct Scene {
    t: TestPlatform,
    resident: String,
    neighbour: String,
    report: Report,
}

async fn scene() -> Scene {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    Scene {
        t,
        resident,
        neighbour,
        report,
    }
}

#[tokio::test]
async fn a_resident_cannot_see_a_neighbours_report() {
    let s = scene().await;
    let path = format!("/v1/reports/{}", s.report.id);
    problem(s.t.get(&s.neighbour, &path).await, 404, ErrorCode::NotFound).await;
    let theirs: Vec<Report> = ok_json(s.t.get(&s.neighbour, "/v1/reports").await).await;
    assert!(theirs.is_empty());
    // The same 404 as for a report that does not exist at all.
    let nothing = format!("/v1/reports/{}", linli_api::ReportId::new());
    problem(
        s.t.get(&s.neighbour, &nothing).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    // The owner sees it, with its first timeline entry.
    let detail: ReportDetail = ok_json(s.t.get(&s.resident, &path).await).await;
    assert_eq!(detail.report, s.report);
    assert_eq!(detail.timeline.len(), 1);
    assert_eq!(detail.timeline[0].status, ReportStatus::Received);
}

#[tokio::test]
async fn staff_of_every_party_see_the_estates_reports_others_do_not() {
    let s = scene().await;
    let neighbours: Report = {
        let mut r = leaking_pipe();
        r.place = Place::Unit {
            unit_id: UnitId(2111),
        };
        ok_json(s.t.file(&s.neighbour, &r).await).await
    };
    for phone in [
        demo::PROPERTY_STAFF_PHONE,
        demo::COMMUNITY_STAFF_PHONE,
        demo::STREET_STAFF_PHONE,
        demo::COMMITTEE_MEMBER_PHONE,
        demo::ADMINISTRATOR_PHONE,
    ] {
        let token = s.t.sign_in(phone).await;
        let seen: Vec<Report> = ok_json(s.t.get(&token, "/v1/reports").await).await;
        let ids: Vec<_> = seen.iter().map(|r| r.id).collect();
        assert_eq!(ids, [neighbours.id, s.report.id], "{phone}: newest first");
    }
    for phone in [demo::VOLUNTEER_PHONE, demo::CLINIC_STAFF_PHONE] {
        let token = s.t.sign_in(phone).await;
        let seen: Vec<Report> = ok_json(s.t.get(&token, "/v1/reports").await).await;
        assert!(seen.is_empty(), "{phone}");
        let path = format!("/v1/reports/{}", s.report.id);
        problem(s.t.get(&token, &path).await, 404, ErrorCode::NotFound).await;
    }
}

#[tokio::test]
async fn only_staff_of_the_handling_party_move_a_report() {
    let s = scene().await;
    assert_eq!(s.report.handling_party, Party::PropertyCompany);
    let id = s.report.id;
    problem(
        s.t.move_report(&s.resident, id, "resolved", "我自己修好了")
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        s.t.move_report(&s.neighbour, id, "acknowledged", "看到了")
            .await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    for phone in [
        demo::COMMUNITY_STAFF_PHONE,
        demo::STREET_STAFF_PHONE,
        demo::COMMITTEE_MEMBER_PHONE,
        demo::ADMINISTRATOR_PHONE,
    ] {
        let token = s.t.sign_in(phone).await;
        problem(
            s.t.move_report(&token, id, "acknowledged", "已收到").await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
    }

    let staff = s.t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    s.t.clock.advance(time::Duration::minutes(10));
    let moved: ReportDetail = ok_json(
        s.t.move_report(&staff, id, "assigned", "已派陈师傅，下午两点上门")
            .await,
    )
    .await;
    assert_eq!(moved.report.status, ReportStatus::Assigned);
    assert!(moved.report.updated_at > moved.report.created_at);
    let last = moved.timeline.last().unwrap();
    assert_eq!(last.note.as_deref(), Some("已派陈师傅，下午两点上门"));
    assert_eq!(last.party, Some(Party::PropertyCompany));

    // The resident sees the change and its note.
    let seen: ReportDetail =
        ok_json(s.t.get(&s.resident, &format!("/v1/reports/{id}")).await).await;
    assert_eq!(seen, moved);
}

#[tokio::test]
async fn notes_are_required_and_statuses_only_move_forward() {
    let s = scene().await;
    let staff = s.t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let id = s.report.id;
    let p = problem(
        s.t.move_report(&staff, id, "acknowledged", "  ").await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(p.errors[0].field, "note");
    assert_eq!(p.errors[0].code, FieldErrorCode::Required);

    // Steps may be skipped...
    assert_eq!(
        s.t.move_report(&staff, id, "in_progress", "师傅在修")
            .await
            .status(),
        200
    );
    // ...but never taken back, nor repeated.
    for status in ["assigned", "received", "in_progress"] {
        problem(
            s.t.move_report(&staff, id, status, "改回去").await,
            409,
            ErrorCode::InvalidTransition,
        )
        .await;
    }
    let detail: ReportDetail = ok_json(s.t.get(&staff, &format!("/v1/reports/{id}")).await).await;
    assert_eq!(detail.report.status, ReportStatus::InProgress);
    assert_eq!(detail.timeline.len(), 2);
}

#[tokio::test]
async fn noise_goes_to_the_community_not_the_property_company() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let noise = NewReport {
        category: "noise".into(),
        description: "楼上每晚十二点后还在装修".into(),
        place: Place::Building {
            building_id: linli_api::BuildingId(3),
            spot: "六楼".into(),
        },
        ..leaking_pipe()
    };
    let report: Report = ok_json(t.file(&resident, &noise).await).await;
    assert_eq!(report.handling_party, Party::Community);
    assert_eq!(report.place_label, "3栋 · 六楼");
    let property = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    problem(
        t.move_report(&property, report.id, "acknowledged", "已收到")
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    let community = t.sign_in(demo::COMMUNITY_STAFF_PHONE).await;
    assert_eq!(
        t.move_report(&community, report.id, "acknowledged", "已联系住户")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn only_residents_file_reports() {
    let t = TestPlatform::start().await;
    for phone in [demo::PROPERTY_STAFF_PHONE, demo::VOLUNTEER_PHONE] {
        let token = t.sign_in(phone).await;
        problem(
            t.file(&token, &leaking_pipe()).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
    }
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let mut own = leaking_pipe();
    own.place = Place::Unit {
        unit_id: UnitId(1262),
    };
    let filed: Report = ok_json(t.file(&tenant, &own).await).await;
    assert_eq!(filed.place_label, demo::TENANT_UNIT);
}

#[tokio::test]
async fn a_taken_report_id_is_a_conflict_for_someone_else() {
    let s = scene().await;
    let mut copy = leaking_pipe();
    copy.id = s.report.id;
    copy.place = Place::Unit {
        unit_id: UnitId(2111),
    };
    problem(
        s.t.file(&s.neighbour, &copy).await,
        409,
        ErrorCode::Conflict,
    )
    .await;
}

#[tokio::test]
async fn photos_are_seen_by_their_uploader_and_by_those_who_see_the_report() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let photo = PhotoId::new();
    let bytes = jpeg_bytes(7);
    assert_eq!(
        t.upload(&resident, photo, "image/jpeg", bytes.clone())
            .await
            .status(),
        201
    );
    let path = format!("/v1/photos/{photo}");
    // Before it is attached, only the uploader sees it.
    problem(t.get(&staff, &path).await, 404, ErrorCode::NotFound).await;
    let mut report = leaking_pipe();
    report.photo_ids = vec![photo];
    let filed: Report = ok_json(t.file(&resident, &report).await).await;
    assert_eq!(filed.photo_ids, [photo]);

    for token in [&resident, &staff] {
        let response = t.get(token, &path).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.bytes().await.unwrap(), bytes);
    }
    problem(t.get(&neighbour, &path).await, 404, ErrorCode::NotFound).await;
}
