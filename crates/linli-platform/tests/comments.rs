//! Comments on a report: who reads, who writes, photos, retries, validation, and that each
//! comment reaches the other side live.

mod common;

use common::sse::Feed;
use common::{TestPlatform, jpeg_bytes, ok_json, problem};
use linli_api::platform::{
    ChangeKind, Comment, CommentAuthor, NewComment, Problem, ReportEvent, report_comments,
    report_followers,
};
use linli_api::validate::COMMENT_MAX_CHARS;
use linli_api::{
    BuildingId, CommentId, ErrorCode, FieldErrorCode, Party, PhotoId, Place, Report, ReportId,
    UnitId,
};
use linli_platform::demo;
use reqwest::Response;

fn words(body: &str) -> NewComment {
    NewComment {
        id: CommentId::new(),
        body: body.into(),
        photo_ids: vec![],
    }
}

async fn post(t: &TestPlatform, token: &str, report: ReportId, comment: &NewComment) -> Response {
    t.http
        .post(t.url(&report_comments(report)))
        .bearer_auth(token)
        .json(comment)
        .send()
        .await
        .unwrap()
}

async fn read(t: &TestPlatform, token: &str, report: ReportId) -> Response {
    t.get(token, &report_comments(report)).await
}

fn refused(p: &Problem, field: &str, code: FieldErrorCode) {
    assert!(
        p.errors.iter().any(|e| e.field == field && e.code == code),
        "{field} {code:?}: {p:?}"
    );
}

async fn photo(t: &TestPlatform, token: &str, seed: u8) -> PhotoId {
    let id = PhotoId::new();
    assert_eq!(
        t.upload(token, id, "image/jpeg", jpeg_bytes(seed))
            .await
            .status(),
        201
    );
    id
}

/// The second resident's leaking stairwell in 2栋, followed by the main resident.
async fn followed_report(t: &TestPlatform, reporter: &str, follower: &str) -> Report {
    let report = linli_api::platform::NewReport {
        description: "二楼楼道天花板渗水".into(),
        place: Place::Building {
            building_id: BuildingId(2),
            spot: "二楼楼道".into(),
        },
        ..common::leaking_pipe()
    };
    let filed: Report = ok_json(t.file(reporter, &report).await).await;
    let followed = t
        .http
        .post(t.url(&report_followers(filed.id)))
        .bearer_auth(follower)
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 200);
    filed
}

#[tokio::test]
async fn the_reporter_followers_and_handling_staff_talk_and_all_parties_read() {
    let t = TestPlatform::start().await;
    let reporter = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let follower = t.sign_in(demo::RESIDENT_PHONE).await;
    let handler = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let community = t.sign_in(demo::COMMUNITY_STAFF_PHONE).await;
    let street = t.sign_in(demo::STREET_STAFF_PHONE).await;
    let committee = t.sign_in(demo::COMMITTEE_MEMBER_PHONE).await;
    let admin = t.sign_in(demo::ADMINISTRATOR_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    let report = followed_report(&t, &reporter, &follower).await;

    let first: Comment =
        ok_json(post(&t, &reporter, report.id, &words("  晚上六点后家里有人  ")).await).await;
    assert_eq!(first.body, "晚上六点后家里有人", "kept trimmed");
    assert_eq!(first.author, CommentAuthor::Reporter);
    assert!(first.mine);
    assert_eq!(first.report_id, report.id);
    t.clock.advance(time::Duration::minutes(3));
    let answer: Comment =
        ok_json(post(&t, &handler, report.id, &words("师傅明天上午九点到")).await).await;
    assert_eq!(
        answer.author,
        CommentAuthor::Staff {
            party: Party::PropertyCompany,
            name: "陈师傅".into()
        }
    );
    t.clock.advance(time::Duration::minutes(3));
    let also: Comment =
        ok_json(post(&t, &follower, report.id, &words("我家楼上也在渗")).await).await;
    assert_eq!(also.author, CommentAuthor::Follower);

    // Parties other than the handling one, and administrators, read along but do not write.
    for token in [&community, &street, &committee, &admin] {
        problem(
            post(&t, token, report.id, &words("我们也看看")).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        let seen: Vec<Comment> = ok_json(read(&t, token, report.id).await).await;
        assert_eq!(seen.len(), 3);
    }
    // Residents who neither filed nor follow it, and roles without reports, see nothing.
    for token in [&tenant, &volunteer] {
        problem(read(&t, token, report.id).await, 404, ErrorCode::NotFound).await;
        problem(
            post(&t, token, report.id, &words("我也想说")).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
    }
    problem(
        read(&t, &reporter, ReportId::new()).await,
        404,
        ErrorCode::NotFound,
    )
    .await;

    // In order, each reader told which are theirs; residents are never named to others.
    let as_follower = read(&t, &follower, report.id).await.text().await.unwrap();
    assert!(!as_follower.contains("李建国"), "{as_follower}");
    assert!(!as_follower.contains(demo::SECOND_RESIDENT_PHONE));
    let as_follower: Vec<Comment> = serde_json::from_str(&as_follower).unwrap();
    let ids: Vec<_> = as_follower.iter().map(|c| c.id).collect();
    assert_eq!(ids, [first.id, answer.id, also.id]);
    let mine: Vec<_> = as_follower.iter().map(|c| c.mine).collect();
    assert_eq!(mine, [false, false, true]);
    assert!(as_follower[1].created_at > as_follower[0].created_at);
    let as_staff: Vec<Comment> = ok_json(read(&t, &handler, report.id).await).await;
    assert_eq!(
        as_staff.iter().map(|c| c.mine).collect::<Vec<_>>(),
        [false, true, false]
    );

    // A follower who stops following stops reading, and their words stay a follower's.
    let stopped = t
        .http
        .delete(t.url(&report_followers(report.id)))
        .bearer_auth(&follower)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    problem(
        read(&t, &follower, report.id).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    let kept: Vec<Comment> = ok_json(read(&t, &reporter, report.id).await).await;
    assert_eq!(kept[2].author, CommentAuthor::Follower);
}

#[tokio::test]
async fn a_comment_sent_twice_is_one_comment_and_a_taken_id_is_a_conflict() {
    let t = TestPlatform::start().await;
    let reporter = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let follower = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = followed_report(&t, &reporter, &follower).await;
    let picture = photo(&t, &reporter, 1).await;
    let comment = NewComment {
        photo_ids: vec![picture],
        ..words("补一张照片")
    };

    let first = post(&t, &reporter, report.id, &comment).await;
    assert_eq!(first.status(), 201);
    let first: Comment = first.json().await.unwrap();
    assert_eq!(first.photo_ids, [picture]);
    let retry = post(&t, &reporter, report.id, &comment).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(
        retry.json::<Comment>().await.unwrap(),
        first,
        "the first answer"
    );
    // With an Idempotency-Key too, as the app's outbox sends it.
    let keyed = t
        .http
        .post(t.url(&report_comments(report.id)))
        .bearer_auth(&reporter)
        .header("Idempotency-Key", comment.id.to_string())
        .json(&comment)
        .send()
        .await
        .unwrap();
    assert_eq!(keyed.json::<Comment>().await.unwrap(), first);
    let all: Vec<Comment> = ok_json(read(&t, &reporter, report.id).await).await;
    assert_eq!(all.len(), 1, "no duplicate");

    let changed = NewComment {
        body: "换了说法".into(),
        ..comment.clone()
    };
    problem(
        post(&t, &reporter, report.id, &changed).await,
        409,
        ErrorCode::Conflict,
    )
    .await;
    // Someone else reusing the id is a conflict too, never a second copy.
    let reused = NewComment {
        id: comment.id,
        ..words("补一张照片")
    };
    problem(
        post(&t, &follower, report.id, &reused).await,
        409,
        ErrorCode::Conflict,
    )
    .await;
}

#[tokio::test]
async fn bad_comments_are_refused_with_the_field_and_nothing_is_kept() {
    let t = TestPlatform::start().await;
    let reporter = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let follower = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = followed_report(&t, &reporter, &follower).await;

    for (comment, field, code) in [
        (words(""), "body", FieldErrorCode::Required),
        (words(" \n　 "), "body", FieldErrorCode::Required),
        (
            words(&"水".repeat(COMMENT_MAX_CHARS + 1)),
            "body",
            FieldErrorCode::TooLong,
        ),
    ] {
        let p = problem(
            post(&t, &reporter, report.id, &comment).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        refused(&p, field, code);
    }

    // Photos: at most three, the writer's own, each in one place only.
    let mine = [photo(&t, &reporter, 1).await, photo(&t, &reporter, 2).await];
    let theirs = photo(&t, &follower, 3).await;
    let four = NewComment {
        photo_ids: vec![PhotoId::new(); 4],
        ..words("四张")
    };
    let p = problem(
        post(&t, &reporter, report.id, &four).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    refused(&p, "photos", FieldErrorCode::TooMany);
    for photo_ids in [vec![theirs], vec![PhotoId::new()], vec![mine[0], theirs]] {
        let comment = NewComment {
            photo_ids,
            ..words("看照片")
        };
        let p = problem(
            post(&t, &reporter, report.id, &comment).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        refused(&p, "photos", FieldErrorCode::UnknownPhoto);
    }
    // A refused comment linked nothing: its photo still goes on a later one.
    let with_photo = NewComment {
        photo_ids: vec![mine[0]],
        ..words("看照片")
    };
    ok_json::<Comment>(post(&t, &reporter, report.id, &with_photo).await).await;
    // ...and only there: not on a second comment, nor on a new report.
    let again = NewComment {
        photo_ids: vec![mine[0]],
        ..words("再看一次")
    };
    let p = problem(
        post(&t, &reporter, report.id, &again).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    refused(&p, "photos", FieldErrorCode::UnknownPhoto);
    let mut new_report = common::leaking_pipe();
    new_report.place = Place::Unit {
        unit_id: UnitId(2111),
    };
    new_report.photo_ids = vec![mine[0]];
    let p = problem(
        t.file(&reporter, &new_report).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    refused(&p, "photos", FieldErrorCode::UnknownPhoto);
    // Nor can a report's photo be moved onto a comment.
    let mut with_report_photo = common::leaking_pipe();
    with_report_photo.place = Place::Unit {
        unit_id: UnitId(2111),
    };
    with_report_photo.photo_ids = vec![mine[1]];
    ok_json::<Report>(t.file(&reporter, &with_report_photo).await).await;
    let moved = NewComment {
        photo_ids: vec![mine[1]],
        ..words("这张")
    };
    let p = problem(
        post(&t, &reporter, report.id, &moved).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    refused(&p, "photos", FieldErrorCode::UnknownPhoto);

    let kept: Vec<Comment> = ok_json(read(&t, &reporter, report.id).await).await;
    assert_eq!(kept.len(), 1, "only the good one");
    assert_eq!(kept[0].photo_ids, [mine[0]]);
}

#[tokio::test]
async fn a_comments_photos_are_for_its_readers() {
    let t = TestPlatform::start().await;
    let reporter = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let follower = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::STREET_STAFF_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let report = followed_report(&t, &reporter, &follower).await;
    let picture = photo(&t, &reporter, 9).await;
    let comment = NewComment {
        photo_ids: vec![picture],
        ..words("渗水的位置")
    };
    ok_json::<Comment>(post(&t, &reporter, report.id, &comment).await).await;
    let path = format!("/v1/photos/{picture}");
    for token in [&reporter, &follower, &staff] {
        let got = t.get(token, &path).await;
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.unwrap().to_vec(), jpeg_bytes(9));
    }
    problem(t.get(&tenant, &path).await, 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn each_comment_reaches_the_other_side_live() {
    let t = TestPlatform::start().await;
    let reporter = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let follower = t.sign_in(demo::RESIDENT_PHONE).await;
    let handler = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let committee = t.sign_in(demo::COMMITTEE_MEMBER_PHONE).await;
    let tenant = t.sign_in(demo::TENANT_PHONE).await;
    let report = followed_report(&t, &reporter, &follower).await;

    let mut feeds = Vec::new();
    for token in [&reporter, &follower, &handler, &committee] {
        feeds.push(Feed::open(&t, token).await);
    }
    let question: Comment =
        ok_json(post(&t, &reporter, report.id, &words("什么时候来修？")).await).await;
    for feed in &mut feeds {
        let event = feed.next().await;
        assert_eq!(event.kind, ChangeKind::Comment);
        assert_eq!(event.comment_id, Some(question.id));
        assert_eq!(event.report_id, report.id);
        assert_eq!(event.number, report.number);
    }
    let reply = words("明天上午");
    let answer: Comment = ok_json(post(&t, &handler, report.id, &reply).await).await;
    for feed in &mut feeds {
        assert_eq!(feed.next().await.comment_id, Some(answer.id));
    }
    // A retry adds no event; polling shows the same two, and nothing to others.
    ok_json::<Comment>(post(&t, &handler, report.id, &reply).await).await;
    let polled: Vec<ReportEvent> = ok_json(t.get(&follower, "/v1/changes?after=0").await).await;
    let comments: Vec<_> = polled.iter().filter_map(|e| e.comment_id).collect();
    assert!(comments.ends_with(&[question.id, answer.id]), "{polled:?}");
    let others: Vec<ReportEvent> = ok_json(t.get(&tenant, "/v1/changes?after=0").await).await;
    assert!(others.is_empty(), "{others:?}");
}
