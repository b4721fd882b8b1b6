//! What residents do to delivered reports, through the core against the real platform
//! in-process: confirm, reopen and rate written offline and delivered once each; refusals
//! kept until dismissed; comments with photos both ways; following a neighbour's report;
//! the board from the platform and from the device; photos fetched from the platform.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use linli_api::error::{ErrorCode, FieldErrorCode};
use linli_api::ipc::{
    ActionDelivery, ActionKind, BoardView, Delivery, Event, LocalComment, LocalReport, Relation,
    Request, Response,
};
use linli_api::platform::{Catalogue, CommentAuthor, ReportDetail};
use linli_api::report::{Place, Rating, ReportDraft, ReportStatus, ReportVisibility, TimelineKind};
use linli_api::{PhotoId, ReportId};
use linli_core::{Core, Emitted};
use linli_platform::demo::{PROPERTY_STAFF_PHONE, RESIDENT_PHONE, SECOND_RESIDENT_PHONE};
use time::Duration;

async fn wait_report(
    core: &Core,
    id: ReportId,
    what: &str,
    pred: impl Fn(&LocalReport) -> bool,
) -> LocalReport {
    wait_for(what, || async {
        let r = report(core, id).await;
        pred(&r).then_some(r)
    })
    .await
}

/// Files a report through the core and waits until the platform has it.
async fn delivered(core: &Core, draft: ReportDraft) -> ReportId {
    let id = new_draft(core).await.id;
    save_draft(core, id, draft).await;
    submit(core, id).await;
    wait_delivery(core, id, "delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    id
}

/// How most tests here begin: a platform and a device ([`setup_at`]), the resident signed in,
/// and one report of theirs delivered; with the catalogue the report was written from.
async fn resident_with_a_report(clock: PlatformClock) -> (Setup, Catalogue, ReportId) {
    let setup = setup_at(clock).await;
    sign_in(&setup.core, setup.platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&setup.core).await;
    let id = delivered(&setup.core, good_draft(&catalogue)).await;
    (setup, catalogue, id)
}

async fn answer(core: &Core, request: Request) -> LocalReport {
    match call(core, request).await {
        Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    }
}

async fn comments(core: &Core, id: ReportId) -> Vec<LocalComment> {
    match call(core, Request::Comments { id }).await {
        Response::Comments(c) => c,
        other => panic!("unexpected {other:?}"),
    }
}

async fn board(
    core: &Core,
    from: Option<time::OffsetDateTime>,
    to: Option<time::OffsetDateTime>,
) -> BoardView {
    match call(core, Request::Board { from, to }).await {
        Response::Board(b) => b,
        other => panic!("unexpected {other:?}"),
    }
}

fn entries(detail: &ReportDetail, kind: TimelineKind) -> usize {
    detail.timeline.iter().filter(|e| e.kind == kind).count()
}

fn rating(marks: u8, comment: &str) -> Rating {
    Rating {
        attitude: marks,
        quality: marks,
        speed: marks,
        comment: comment.into(),
    }
}

/// The first action tried and failed for want of the platform; the ones after it wait their
/// turn (actions on one report go in the order they were done).
fn waiting_after_a_failure(r: &LocalReport) -> bool {
    let Some((first, rest)) = r.actions.split_first() else {
        return false;
    };
    matches!(&first.delivery, ActionDelivery::Queued { attempts, last_error: Some(e) }
        if *attempts >= 1 && e.code == ErrorCode::PlatformUnreachable)
        && rest
            .iter()
            .all(|a| matches!(a.delivery, ActionDelivery::Queued { attempts: 0, .. }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_reopen_and_rate_written_offline_reach_the_platform_once_each() {
    let clock = PlatformClock::new();
    let (
        Setup {
            platform_dir,
            platform,
            device,
            core,
            events: _events,
        },
        _,
        id,
    ) = resident_with_a_report(clock.clone()).await;
    let (addr, url) = (platform.addr(), platform.url());
    let http = Http::new(&url);
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    let token = device.token().unwrap();

    http.resolve(&staff, id, "已更换水管接头", &[]).await;
    wait_report(&core, id, "resolved on the device", |r| {
        r.status == Some(ReportStatus::Resolved)
    })
    .await;

    // A reason is required: refused at once, with the field, and nothing kept.
    let err = call_err(
        &core,
        Request::Reopen {
            id,
            reason: "  ".into(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert_eq!(err.fields[0].field, "reason");
    assert_eq!(err.fields[0].code, FieldErrorCode::Required);
    assert!(report(&core, id).await.actions.is_empty());

    // Offline, the resident says it is not fixed: kept on the device, answered at once.
    platform.shutdown().await;
    let reason = "水管接头还在滴水";
    let kept = answer(
        &core,
        Request::Reopen {
            id,
            reason: reason.into(),
        },
    )
    .await;
    assert_eq!(kept.actions.len(), 1);
    assert_eq!(
        kept.actions[0].kind,
        ActionKind::Reopen {
            reason: reason.into()
        }
    );
    wait_report(&core, id, "a failed attempt", waiting_after_a_failure).await;
    assert_eq!(status(&core).await.sync.pending, 1);

    let platform = start_platform_at(platform_dir.path(), addr, clock.clone()).await;
    call(&core, Request::SyncNow).await;
    let reopened = wait_report(&core, id, "reopened", |r| {
        r.actions.is_empty() && r.status == Some(ReportStatus::Reopened)
    })
    .await;
    assert_eq!(reopened.platform.as_ref().map(|p| p.reopen_count), Some(1));
    let on_platform = http.detail(&token, id).await;
    assert_eq!(entries(&on_platform, TimelineKind::Reopened), 1);
    let entry = on_platform.timeline.last().unwrap();
    assert_eq!(entry.note.as_deref(), Some(reason));

    // Fixed again. Offline, the resident confirms and rates, and by mistake rates twice.
    http.resolve(&staff, id, "换了新阀门", &[]).await;
    wait_report(&core, id, "resolved again", |r| {
        r.status == Some(ReportStatus::Resolved)
    })
    .await;
    platform.shutdown().await;
    let first = rating(5, "师傅很负责");
    let second = rating(2, "其实还行吧，但是来得慢");
    answer(&core, Request::ConfirmFixed { id }).await;
    answer(
        &core,
        Request::Rate {
            id,
            rating: first.clone(),
        },
    )
    .await;
    let kept = answer(
        &core,
        Request::Rate {
            id,
            rating: second.clone(),
        },
    )
    .await;
    assert_eq!(kept.actions.len(), 3);
    assert_eq!(kept.actions[0].kind, ActionKind::Confirm);
    wait_report(&core, id, "failed attempts", waiting_after_a_failure).await;

    let platform = start_platform_at(platform_dir.path(), addr, clock.clone()).await;
    call(&core, Request::SyncNow).await;
    let done = wait_report(&core, id, "closed, rated, one refused", |r| {
        r.status == Some(ReportStatus::Closed)
            && r.actions.len() == 1
            && matches!(r.actions[0].delivery, ActionDelivery::Rejected { .. })
    })
    .await;
    let refused = &done.actions[0];
    let ActionDelivery::Rejected { error } = &refused.delivery else {
        unreachable!()
    };
    assert_eq!(error.code, ErrorCode::AlreadyRated);
    assert_eq!(
        refused.kind,
        ActionKind::Rate {
            rating: second.clone()
        },
        "the words are kept"
    );
    let on_platform = http.detail(&token, id).await;
    assert_eq!(entries(&on_platform, TimelineKind::Confirmed), 1);
    assert_eq!(entries(&on_platform, TimelineKind::Rated), 1);
    assert_eq!(on_platform.report.rating, Some(first.clone()));
    assert_eq!(
        wait_report(&core, id, "the rating on the device", |r| {
            r.platform.as_ref().is_some_and(|p| p.rating.is_some())
        })
        .await
        .platform
        .unwrap()
        .rating,
        Some(first)
    );
    assert_eq!(status(&core).await.sync.pending, 0);

    // The refusal stays across a restart until the resident dismisses it.
    core.shutdown().await;
    drop(core);
    let (core, _events) = device.open(&url, quick_sync());
    let after = report(&core, id).await;
    assert_eq!(after.actions, done.actions);
    let dismissed = answer(&core, Request::DismissAction { id: refused.id }).await;
    assert!(dismissed.actions.is_empty());
    let err = call_err(&core, Request::DismissAction { id: refused.id }).await;
    assert_eq!(err.code, ErrorCode::NotFound);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_after_thirty_days_is_refused_and_kept_until_dismissed() {
    let clock = PlatformClock::new();
    let (
        Setup {
            platform_dir,
            platform,
            core,
            device: _device,
            ..
        },
        _,
        id,
    ) = resident_with_a_report(clock.clone()).await;
    let http = Http::new(&platform.url());
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    http.resolve(&staff, id, "已修好", &[]).await;
    wait_report(&core, id, "resolved", |r| {
        r.status == Some(ReportStatus::Resolved)
    })
    .await;
    answer(&core, Request::ConfirmFixed { id }).await;
    wait_report(&core, id, "closed", |r| {
        r.actions.is_empty() && r.status == Some(ReportStatus::Closed)
    })
    .await;

    clock.advance(Duration::days(31));
    let reason = "一个多月后又漏了";
    answer(
        &core,
        Request::Reopen {
            id,
            reason: reason.into(),
        },
    )
    .await;
    let refused = wait_report(&core, id, "the reopening refused", |r| {
        matches!(
            r.actions.first().map(|a| &a.delivery),
            Some(ActionDelivery::Rejected { .. })
        )
    })
    .await;
    let action = &refused.actions[0];
    let ActionDelivery::Rejected { error } = &action.delivery else {
        unreachable!()
    };
    assert_eq!(error.code, ErrorCode::ReopenWindowPassed);
    assert_eq!(
        action.kind,
        ActionKind::Reopen {
            reason: reason.into()
        }
    );
    assert_eq!(refused.status, Some(ReportStatus::Closed));
    assert_eq!(
        status(&core).await.sync.pending,
        0,
        "refused is not waiting"
    );
    answer(&core, Request::DismissAction { id: action.id }).await;
    assert!(report(&core, id).await.actions.is_empty());

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_with_a_photo_written_offline_arrives_once_and_staff_answers_come_back() {
    let (
        Setup {
            platform_dir,
            platform,
            core,
            events,
            device: _device,
        },
        _,
        id,
    ) = resident_with_a_report(PlatformClock::new()).await;
    let (addr, url) = (platform.addr(), platform.url());
    let http = Http::new(&url);
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;

    platform.shutdown().await;
    let body = "水还在滴，照片在这里";
    let photo = STANDARD.encode(small_jpeg());
    let shown = match call(
        &core,
        Request::AddComment {
            id,
            body: body.into(),
            photos_base64: vec![photo.clone()],
        },
    )
    .await
    {
        Response::Comments(c) => c,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(shown.len(), 1);
    let mine = shown[0].clone();
    assert!(mine.mine && mine.body == body && mine.photo_ids.len() == 1);
    assert_eq!(mine.author, CommentAuthor::Reporter);
    // Waiting: queued, or already being tried by the sender (which will fail: the platform is
    // down). Either way not delivered.
    assert!(
        matches!(
            mine.delivery,
            Some(ActionDelivery::Queued { .. } | ActionDelivery::Sending)
        ),
        "{:?}",
        mine.delivery
    );
    // The photo shows from the device while it waits.
    assert!(matches!(
        call(&core, Request::Photo { photo_id: mine.photo_ids[0] }).await,
        Response::Photo(url) if url.starts_with("data:image/jpeg;base64,")
    ));

    // Bad comments are refused at once, and nothing is kept of them.
    let err = call_err(
        &core,
        Request::AddComment {
            id,
            body: " ".into(),
            photos_base64: vec![photo; 4],
        },
    )
    .await;
    let fields: Vec<_> = err
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.code))
        .collect();
    assert_eq!(
        fields,
        [
            ("body", FieldErrorCode::Required),
            ("photos", FieldErrorCode::TooMany)
        ]
    );
    assert_eq!(comments(&core, id).await.len(), 1);

    let platform = start_platform_at(platform_dir.path(), addr, PlatformClock::new()).await;
    call(&core, Request::SyncNow).await;
    let mut seen = Vec::new();
    wait_emitted(
        &events,
        &mut seen,
        "comments changed",
        |e| matches!(e, Emitted::Event(Event::CommentsChanged { id: c }) if *c == id),
    )
    .await;
    let arrived = wait_for("the comment delivered", || async {
        let c = comments(&core, id).await;
        (c.len() == 1 && c[0].delivery.is_none()).then_some(c)
    })
    .await;
    assert_eq!(arrived[0].id, mine.id);
    assert!(report(&core, id).await.actions.is_empty());

    // Staff see it exactly once, with the photo the device made.
    let on_platform = http.comments(&staff, id).await;
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0].id, mine.id);
    assert_eq!(on_platform[0].body, body);
    assert_eq!(on_platform[0].photo_ids, mine.photo_ids);
    assert!(!http.photo(&staff, mine.photo_ids[0]).await.is_empty());

    // Staff answer; the change feed brings it to the device.
    let staff_answer = http.comment(&staff, id, "明天上午九点上门").await;
    wait_emitted(
        &events,
        &mut seen,
        "the answer announced",
        |e| matches!(e, Emitted::Event(Event::CommentsChanged { id: c }) if *c == id),
    )
    .await;
    let both = wait_for("the answer on the device", || async {
        let c = comments(&core, id).await;
        (c.len() == 2).then_some(c)
    })
    .await;
    assert_eq!(both[1].id, staff_answer.id);
    assert!(matches!(both[1].author, CommentAuthor::Staff { .. }));
    assert!(!both[1].mine);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_goes_several_at_once_and_each_reports_comments_keep_their_order() {
    // The sender lets a few items go at once; the comments on one report must still reach
    // the platform one after another, in the order they were written.
    let (
        Setup {
            platform_dir,
            platform,
            core,
            events: _events,
            device: _device,
        },
        catalogue,
        id,
    ) = resident_with_a_report(PlatformClock::new()).await;
    let (addr, url) = (platform.addr(), platform.url());

    platform.shutdown().await;
    let written: Vec<String> = (1..=6).map(|i| format!("第 {i} 条补充说明")).collect();
    for body in &written {
        call(
            &core,
            Request::AddComment {
                id,
                body: body.clone(),
                photos_base64: vec![],
            },
        )
        .await;
    }
    let mut backlog = Vec::new();
    for i in 0..12 {
        let draft = new_draft(&core).await.id;
        let mut words = good_draft(&catalogue);
        words.description = format!("楼道灯不亮了，第 {i} 盏");
        save_draft(&core, draft, words).await;
        submit(&core, draft).await;
        backlog.push(draft);
    }

    let platform = start_platform_at(platform_dir.path(), addr, PlatformClock::new()).await;
    call(&core, Request::SyncNow).await;
    for &draft in &backlog {
        wait_delivery(&core, draft, "the backlog delivered", |d| {
            matches!(d, Delivery::Delivered { .. })
        })
        .await;
    }
    wait_for("the comments delivered", || async {
        let c = comments(&core, id).await;
        (c.len() == written.len() && c.iter().all(|c| c.delivery.is_none())).then_some(())
    })
    .await;

    let http = Http::new(&url);
    let token = http.sign_in(platform_dir.path(), RESIDENT_PHONE).await;
    let held = http.reports(&token).await;
    for draft in &backlog {
        let copies = held.iter().filter(|r| r.id == *draft).count();
        assert_eq!(copies, 1, "report {draft} held {copies} times");
    }
    let bodies: Vec<String> = http
        .comments(&token, id)
        .await
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(
        bodies, written,
        "the comments in the order they were written"
    );

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_neighbours_report_is_followed_and_its_changes_reach_the_follower() {
    let Setup {
        platform_dir,
        platform,
        core,
        events,
        device: _device,
    } = setup().await;
    let url = platform.url();
    let http = Http::new(&url);
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;

    // The neighbour reports a leak in their building's stairwell, for everyone to see.
    let neighbours_device = Device::new();
    let (neighbours_core, _neighbours_events) = neighbours_device.open(&url, quick_sync());
    neighbours_core.start_sync();
    sign_in(&neighbours_core, platform_dir.path(), SECOND_RESIDENT_PHONE).await;
    let their_catalogue: Catalogue = catalogue(&neighbours_core).await;
    let building_id = their_catalogue.units[0].building_id;
    let stairwell = Place::Building {
        building_id,
        spot: "一楼楼道".into(),
    };
    let draft = ReportDraft {
        place: Some(stairwell.clone()),
        visibility: ReportVisibility::Public,
        ..good_draft(&their_catalogue)
    };
    let theirs = delivered(&neighbours_core, draft).await;
    let neighbour = neighbours_device.token().unwrap();
    assert_eq!(
        http.detail(&neighbour, theirs).await.report.visibility,
        ReportVisibility::Public,
        "the draft's visibility was sent"
    );

    // Writing about the same stairwell, the resident is offered it and follows it.
    let similar = match call(
        &core,
        Request::SimilarReports {
            category: "water_plumbing".into(),
            place: stairwell.clone(),
        },
    )
    .await
    {
        Response::Similar(s) => s,
        other => panic!("unexpected {other:?}"),
    };
    let offered = similar
        .iter()
        .find(|s| s.id == theirs)
        .expect("the neighbour's report is offered")
        .clone();
    let followed = answer(
        &core,
        Request::Follow {
            report: offered.clone(),
        },
    )
    .await;
    assert_eq!(followed.relation, Relation::Following);
    assert_eq!(
        followed.delivery,
        Delivery::Delivered {
            number: offered.number
        }
    );
    assert_eq!(followed.draft.description, offered.description);
    let listed = my_reports(&core).await;
    assert!(
        listed
            .iter()
            .any(|r| r.id == theirs && r.relation == Relation::Following)
    );
    let synced = wait_report(&core, theirs, "the follow delivered", |r| {
        r.actions.is_empty() && r.platform.as_ref().is_some_and(|p| p.affected == 2)
    })
    .await;
    assert!(synced.platform.unwrap().following);
    assert_eq!(synced.relation, Relation::Following);
    assert_eq!(http.detail(&neighbour, theirs).await.report.affected, 2);

    // Their own report cannot be followed by the neighbour.
    let own = match call(
        &neighbours_core,
        Request::SimilarReports {
            category: "water_plumbing".into(),
            place: stairwell,
        },
    )
    .await
    {
        Response::Similar(s) => s.into_iter().find(|s| s.id == theirs).unwrap(),
        other => panic!("unexpected {other:?}"),
    };
    assert!(own.mine);
    let err = call_err(&neighbours_core, Request::Follow { report: own }).await;
    assert_eq!(err.code, ErrorCode::OwnReport);

    // Staff move it on: the follower's device hears it and tells them.
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    http.change_status(&staff, theirs, ReportStatus::Acknowledged, "已通知水电工")
        .await;
    let mut seen = Vec::new();
    wait_emitted(
        &events,
        &mut seen,
        "a notification",
        |e| matches!(e, Emitted::Notification(n) if n.title.contains(&offered.number.to_string())),
    )
    .await;
    wait_report(&core, theirs, "the status on the follower's device", |r| {
        r.status == Some(ReportStatus::Acknowledged)
    })
    .await;

    // A follower may not confirm; they may stop following, and the report leaves the list.
    let err = call_err(&core, Request::ConfirmFixed { id: theirs }).await;
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(matches!(
        call(&core, Request::Unfollow { id: theirs }).await,
        Response::Done
    ));
    wait_for("the report gone from the list", || async {
        let listed = my_reports(&core).await;
        (!listed.iter().any(|r| r.id == theirs)).then_some(())
    })
    .await;
    assert_eq!(http.detail(&neighbour, theirs).await.report.affected, 1);

    neighbours_core.shutdown().await;
    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_comes_from_the_platform_then_from_the_device() {
    let Setup {
        platform_dir,
        platform,
        core,
        device: _device,
        ..
    } = setup().await;
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let now = time::OffsetDateTime::now_utc();
    let week = (Some(now - Duration::days(7)), Some(now));

    let latest = board(&core, None, None).await;
    assert_eq!(latest.board.parties.len(), 4);
    assert!(latest.fetched_at > now - Duration::minutes(1));
    let last_week = board(&core, week.0, week.1).await;
    assert_eq!(last_week.board.from, week.0.unwrap());

    let err = call_err(
        &core,
        Request::Board {
            from: week.1,
            to: week.0,
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::ValidationFailed);

    platform.shutdown().await;
    assert_eq!(board(&core, None, None).await, latest);
    assert_eq!(board(&core, week.0, week.1).await, last_week);
    let err = call_err(
        &core,
        Request::Board {
            from: Some(now - Duration::days(3)),
            to: Some(now),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::PlatformUnreachable);

    core.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_of_the_fix_is_fetched_once_and_shown_offline() {
    let (
        Setup {
            platform_dir,
            platform,
            core,
            device: _device,
            ..
        },
        _,
        id,
    ) = resident_with_a_report(PlatformClock::new()).await;
    let http = Http::new(&platform.url());
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    let photo = PhotoId::new();
    let jpeg = small_jpeg();
    http.upload(&staff, photo, jpeg.clone()).await;
    http.resolve(&staff, id, "已修好，见照片", &[photo]).await;
    let resolved = wait_report(&core, id, "resolved with a photo", |r| {
        r.timeline.last().is_some_and(|e| e.photo_ids == [photo])
    })
    .await;
    assert_eq!(resolved.status, Some(ReportStatus::Resolved));

    let shown = |r: Response| match r {
        Response::Photo(url) => url,
        other => panic!("unexpected {other:?}"),
    };
    let online = shown(call(&core, Request::Photo { photo_id: photo }).await);
    let (head, data) = online.split_once(',').unwrap();
    assert_eq!(head, "data:image/jpeg;base64");
    assert_eq!(STANDARD.decode(data).unwrap(), jpeg);

    platform.shutdown().await;
    let offline = shown(call(&core, Request::Photo { photo_id: photo }).await);
    assert_eq!(offline, online);
    let err = call_err(
        &core,
        Request::Photo {
            photo_id: PhotoId::new(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::PlatformUnreachable);

    core.shutdown().await;
}
