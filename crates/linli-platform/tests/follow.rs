//! The duplicate check while reporting, and following a neighbour's report: who may, what
//! they see, and that its changes reach them.

mod common;

use common::{TestPlatform, ok_json, problem, resident_of_another_estate};
use linli_api::platform::{
    FollowState, NewReport, ReportDetail, ReportEvent, SimilarReport, report_followers,
};
use linli_api::{BuildingId, ErrorCode, FieldErrorCode, Place, Report, ReportId, UnitId, UserId};
use linli_platform::demo;
use reqwest::Response;
use time::Duration;

/// 2栋1单元101, the second resident's home.
const SECOND_RESIDENT_UNIT_ID: UnitId = UnitId(2111);
/// 1栋2单元602, the tenant's home.
const TENANT_UNIT_ID: UnitId = UnitId(1262);
/// 1栋1单元302, the main resident's second home.
const RESIDENT_BUILDING_ONE_UNIT_ID: UnitId = UnitId(1132);

fn report(category: &str, place: Place) -> NewReport {
    NewReport {
        category: category.into(),
        description: "楼道里一直有水渗出来".into(),
        place,
        ..common::leaking_pipe()
    }
}

fn stairwell(building: i64) -> Place {
    Place::Building {
        building_id: BuildingId(building),
        spot: "三楼楼道".into(),
    }
}

async fn file(t: &TestPlatform, token: &str, category: &str, place: Place) -> Report {
    ok_json(t.file(token, &report(category, place)).await).await
}

async fn similar(t: &TestPlatform, token: &str, query: &str) -> Response {
    t.get(token, &format!("/v1/reports/similar?{query}")).await
}

async fn similar_ids(t: &TestPlatform, token: &str, query: &str) -> Vec<ReportId> {
    let found: Vec<SimilarReport> = ok_json(similar(t, token, query).await).await;
    found.into_iter().map(|r| r.id).collect()
}

async fn follow(t: &TestPlatform, token: &str, id: ReportId) -> Response {
    t.http
        .post(t.url(&report_followers(id)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn unfollow(t: &TestPlatform, token: &str, id: ReportId) -> Response {
    t.http
        .delete(t.url(&report_followers(id)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_duplicate_check_offers_open_reports_of_the_same_kind_and_building_from_fourteen_days()
{
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;

    // Day 0: the tenant reports a leak at home in 1栋 (15 days old when asked).
    let fifteen_days = file(
        &t,
        &tenant,
        "water_plumbing",
        Place::Unit {
            unit_id: TENANT_UNIT_ID,
        },
    )
    .await;
    t.clock.advance(Duration::days(2));
    // Day 2 (13 days old when asked): one that counts, and four that must not.
    let at_home = file(
        &t,
        &tenant,
        "water_plumbing",
        Place::Unit {
            unit_id: TENANT_UNIT_ID,
        },
    )
    .await;
    let in_stairwell = file(&t, &tenant, "water_plumbing", stairwell(1)).await;
    let other_building = file(&t, &neighbour, "water_plumbing", stairwell(2)).await;
    let other_category = file(&t, &tenant, "electricity", stairwell(1)).await;
    let resolved = file(&t, &tenant, "water_plumbing", stairwell(1)).await;
    assert_eq!(
        t.move_report(&staff, resolved.id, "resolved", "已修好")
            .await
            .status(),
        200
    );
    t.clock.advance(Duration::days(13));

    let expected = vec![in_stairwell.id, at_home.id];
    let by_building = similar_ids(&t, &resident, "category=water_plumbing&building_id=1").await;
    assert_eq!(by_building, expected, "newest first; none of the others");
    // A home stands for its building.
    let by_unit = similar_ids(
        &t,
        &resident,
        &format!(
            "category=water_plumbing&unit_id={}",
            RESIDENT_BUILDING_ONE_UNIT_ID
        ),
    )
    .await;
    assert_eq!(by_unit, expected);
    for excluded in [
        fifteen_days.id,
        other_building.id,
        other_category.id,
        resolved.id,
    ] {
        assert!(!by_building.contains(&excluded));
    }
    assert_eq!(
        similar_ids(&t, &resident, "category=water_plumbing&building_id=2").await,
        [other_building.id]
    );
    assert_eq!(
        similar_ids(&t, &resident, "category=electricity&building_id=1").await,
        [other_category.id]
    );

    // What the resident learns about the neighbour's reports: no name, phone or home.
    let response = similar(&t, &resident, "category=water_plumbing&building_id=1").await;
    let text = response.text().await.unwrap();
    for secret in [
        "张伟",
        demo::TENANT_PHONE,
        demo::TENANT_UNIT,
        "602",
        "reporter",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let found: Vec<SimilarReport> = serde_json::from_str(&text).unwrap();
    assert_eq!(
        found[0].place_label, "1栋 · 三楼楼道",
        "a shared part keeps its words"
    );
    assert_eq!(
        found[1].place_label, "1栋",
        "a home is shown as its building"
    );
    assert_eq!(found[1].number, at_home.number);
    assert_eq!(found[1].description, at_home.description);
    assert_eq!(found[1].affected, 1);
    assert!(!found[1].following && !found[1].mine);

    // The tenant sees their own, marked as theirs.
    let theirs: Vec<SimilarReport> =
        ok_json(similar(&t, &tenant, "category=water_plumbing&building_id=1").await).await;
    assert!(theirs.iter().all(|r| r.mine));
}

#[tokio::test]
async fn the_duplicate_check_says_what_is_wrong_with_a_question() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let cases = [
        ("building_id=1", "category", FieldErrorCode::Required),
        (
            "category=teleport&building_id=1",
            "category",
            FieldErrorCode::UnknownCategory,
        ),
        ("category=lifts", "place", FieldErrorCode::Required),
        (
            "category=lifts&building_id=1&area_id=1",
            "place",
            FieldErrorCode::InvalidChoice,
        ),
        (
            "category=lifts&building_id=99",
            "building_id",
            FieldErrorCode::UnknownPlace,
        ),
        (
            "category=lifts&unit_id=20111",
            "unit_id",
            FieldErrorCode::UnknownPlace,
        ),
        (
            "category=lifts&area_id=99",
            "area_id",
            FieldErrorCode::UnknownPlace,
        ),
    ];
    for (query, field, code) in cases {
        let p = problem(
            similar(&t, &resident, query).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(
            p.errors.iter().any(|e| e.field == field && e.code == code),
            "{query}: {p:?}"
        );
    }
    problem(
        similar(&t, &resident, "category=lifts&building_id=one").await,
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    problem(
        similar(&t, &volunteer, "category=lifts&building_id=1").await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        t.http
            .get(t.url("/v1/reports/similar?category=lifts&building_id=1"))
            .send()
            .await
            .unwrap(),
        401,
        ErrorCode::Unauthenticated,
    )
    .await;
    // Common areas are searched by area.
    let garden = Place::CommonArea {
        area_id: linli_api::CommonAreaId(1),
        spot: "秋千旁".into(),
    };
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let swing = file(&t, &neighbour, "public_facilities", garden).await;
    assert_eq!(
        similar_ids(&t, &resident, "category=public_facilities&area_id=1").await,
        [swing.id]
    );
    assert!(
        similar_ids(&t, &resident, "category=public_facilities&area_id=2")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn another_estate_neither_sees_nor_follows_this_one() {
    let t = TestPlatform::start().await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let lift = file(&t, &neighbour, "lifts", stairwell(2)).await;
    let outsider = resident_of_another_estate(&t).await;

    let p = problem(
        similar(&t, &outsider, "category=lifts&building_id=2").await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(p.errors[0].field, "building_id");
    // Their own estate's building holds nothing of ours.
    assert!(
        similar_ids(&t, &outsider, "category=lifts&building_id=20")
            .await
            .is_empty()
    );
    problem(
        follow(&t, &outsider, lift.id).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    problem(
        unfollow(&t, &outsider, lift.id).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    let theirs: Vec<Report> = ok_json(t.get(&outsider, "/v1/reports").await).await;
    assert!(theirs.is_empty());
    // And a report of theirs is not offered to us.
    let own = file(&t, &outsider, "lifts", stairwell(20)).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    problem(
        follow(&t, &resident, own.id).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn following_counts_the_follower_as_affected_once_and_shows_the_report_as_a_neighbours() {
    let t = TestPlatform::start().await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let leak = file(
        &t,
        &neighbour,
        "water_plumbing",
        Place::Unit {
            unit_id: SECOND_RESIDENT_UNIT_ID,
        },
    )
    .await;
    assert_eq!(leak.affected, 1, "the reporter");
    let own = file(
        &t,
        &resident,
        "water_plumbing",
        Place::Unit {
            unit_id: UnitId(3251),
        },
    )
    .await;

    let first: FollowState = ok_json(follow(&t, &resident, leak.id).await).await;
    assert_eq!(
        first,
        FollowState {
            report_id: leak.id,
            following: true,
            affected: 2
        }
    );
    let again: FollowState = ok_json(follow(&t, &resident, leak.id).await).await;
    assert_eq!(again, first, "following twice is one follow");
    let tenant_too: FollowState = ok_json(follow(&t, &tenant, leak.id).await).await;
    assert_eq!(tenant_too.affected, 3);

    // The reporter sees the count; nothing else about the followers.
    let theirs: ReportDetail =
        ok_json(t.get(&neighbour, &format!("/v1/reports/{}", leak.id)).await).await;
    assert_eq!(theirs.report.affected, 3);
    assert!(!theirs.report.following);
    assert_eq!(theirs.report.place_label, demo::SECOND_RESIDENT_UNIT);

    // The follower's list: their own report, and the followed one marked, without identity.
    let mine: Vec<Report> = ok_json(t.get(&resident, "/v1/reports").await).await;
    let ids: Vec<_> = mine.iter().map(|r| r.id).collect();
    assert_eq!(ids, [own.id, leak.id]);
    assert!(!mine[0].following);
    assert_eq!(
        mine[0].reporter,
        UserId(1),
        "the main resident's own, as filed"
    );
    let followed = &mine[1];
    assert!(followed.following);
    assert_eq!(followed.reporter, UserId(0));
    assert_eq!(followed.place_label, "2栋");
    assert_eq!(
        followed.place,
        Place::Building {
            building_id: BuildingId(2),
            spot: String::new()
        }
    );
    let text = t.get(&resident, "/v1/reports").await.text().await.unwrap();
    assert!(!text.contains(demo::SECOND_RESIDENT_UNIT), "{text}");
    assert!(!text.contains("2111"), "{text}");
    let detail: ReportDetail =
        ok_json(t.get(&resident, &format!("/v1/reports/{}", leak.id)).await).await;
    assert_eq!(&detail.report, followed);

    // Stopping: no longer counted, listed or readable; stopping twice is harmless.
    let stopped: FollowState = ok_json(unfollow(&t, &resident, leak.id).await).await;
    assert_eq!((stopped.following, stopped.affected), (false, 2));
    let again: FollowState = ok_json(unfollow(&t, &resident, leak.id).await).await;
    assert_eq!((again.following, again.affected), (false, 2));
    let mine: Vec<Report> = ok_json(t.get(&resident, "/v1/reports").await).await;
    assert_eq!(mine.iter().map(|r| r.id).collect::<Vec<_>>(), [own.id]);
    problem(
        t.get(&resident, &format!("/v1/reports/{}", leak.id)).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn only_residents_follow_and_only_open_recent_reports_of_others() {
    let t = TestPlatform::start().await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;

    let old = file(&t, &neighbour, "lifts", stairwell(2)).await;
    t.clock.advance(Duration::days(15));
    let fresh = file(&t, &neighbour, "lifts", stairwell(2)).await;
    let fixed = file(&t, &neighbour, "lifts", stairwell(2)).await;
    assert_eq!(
        t.move_report(&staff, fixed.id, "resolved", "已修好")
            .await
            .status(),
        200
    );
    let own = file(&t, &resident, "lifts", stairwell(3)).await;

    problem(
        follow(&t, &resident, old.id).await,
        409,
        ErrorCode::NotFollowable,
    )
    .await;
    problem(
        follow(&t, &resident, fixed.id).await,
        409,
        ErrorCode::NotFollowable,
    )
    .await;
    problem(
        follow(&t, &resident, own.id).await,
        409,
        ErrorCode::OwnReport,
    )
    .await;
    problem(
        follow(&t, &staff, fresh.id).await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        follow(&t, &volunteer, fresh.id).await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        follow(&t, &resident, ReportId::new()).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    let followed: FollowState = ok_json(follow(&t, &resident, fresh.id).await).await;
    assert!(followed.following);

    // Once followed, a retry still answers "following" after the report was resolved.
    assert_eq!(
        t.move_report(&staff, fresh.id, "resolved", "已修好")
            .await
            .status(),
        200
    );
    let retried: FollowState = ok_json(follow(&t, &resident, fresh.id).await).await;
    assert_eq!(retried, followed);
}

#[tokio::test]
async fn a_followed_reports_changes_reach_the_follower_through_the_feed() {
    let t = TestPlatform::start().await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let lift = file(&t, &neighbour, "lifts", stairwell(2)).await;
    let unrelated = file(&t, &neighbour, "lifts", stairwell(1)).await;

    let before: Vec<ReportEvent> = ok_json(t.get(&resident, "/v1/changes?after=0").await).await;
    assert!(
        before.is_empty(),
        "a neighbour's reports are not the resident's news"
    );

    let mut live = common::sse::Feed::open(&t, &resident).await;
    let mut reporter_live = common::sse::Feed::open(&t, &neighbour).await;
    ok_json::<FollowState>(follow(&t, &resident, lift.id).await).await;
    // The follow itself changes the count the reporter sees.
    let counted = reporter_live.next().await;
    assert_eq!(counted.report_id, lift.id);
    let followed = live.next().await;
    assert_eq!(followed.report_id, lift.id);

    t.clock.advance(Duration::minutes(5));
    assert_eq!(
        t.move_report(&staff, unrelated.id, "acknowledged", "收到")
            .await
            .status(),
        200
    );
    assert_eq!(
        t.move_report(&staff, lift.id, "acknowledged", "已通知电梯公司")
            .await
            .status(),
        200
    );
    let moved = live.next().await;
    assert_eq!(
        (moved.report_id, moved.status.as_str()),
        (lift.id, "acknowledged"),
        "the unrelated change was skipped"
    );
    let polled: Vec<ReportEvent> = ok_json(t.get(&resident, "/v1/changes?after=0").await).await;
    assert!(polled.iter().all(|e| e.report_id == lift.id), "{polled:?}");
    assert!(polled.iter().any(|e| e.seq == moved.seq));

    // After unfollowing, its news stops.
    ok_json::<FollowState>(unfollow(&t, &resident, lift.id).await).await;
    let after: Vec<ReportEvent> = ok_json(
        t.get(&resident, &format!("/v1/changes?after={}", moved.seq))
            .await,
    )
    .await;
    assert!(after.is_empty(), "{after:?}");
}

#[tokio::test]
async fn a_public_report_can_be_followed_at_any_age_and_its_conversation_stays_with_its_people() {
    let t = TestPlatform::start().await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let public = NewReport {
        visibility: linli_api::ReportVisibility::Public,
        ..report("public_facilities", stairwell(2))
    };
    let filed: Report = ok_json(t.file(&neighbour, &public).await).await;
    t.clock.advance(Duration::days(20));

    // Seen by a resident who does not follow it: as a neighbour, not followed, no comments.
    let seen: ReportDetail =
        ok_json(t.get(&tenant, &format!("/v1/reports/{}", filed.id)).await).await;
    assert_eq!(seen.report.reporter, UserId(0));
    assert!(!seen.report.following);
    problem(
        t.get(&tenant, &linli_api::platform::report_comments(filed.id))
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;

    // Older than the duplicate check looks, yet followable: it is public.
    let followed: FollowState = ok_json(follow(&t, &resident, filed.id).await).await;
    assert_eq!((followed.following, followed.affected), (true, 2));
    let detail: ReportDetail =
        ok_json(t.get(&resident, &format!("/v1/reports/{}", filed.id)).await).await;
    assert!(detail.report.following);
    let comments = t
        .get(&resident, &linli_api::platform::report_comments(filed.id))
        .await;
    assert_eq!(comments.status(), 200);
}
