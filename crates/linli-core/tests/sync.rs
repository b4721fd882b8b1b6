//! The core against the real platform, in-process on 127.0.0.1 over real HTTP, with real
//! SQLite files on both sides: delivery exactly once through outages, restarts and kills;
//! rejections; live status changes; ended sessions; and the token kept out of the database.

mod common;

use common::*;
use linli_api::ReportId;
use linli_api::error::{ErrorCode, FieldError, FieldErrorCode};
use linli_api::ipc::{Delivery, Event, Request};
use linli_api::platform::NewReport;
use linli_api::report::{ReportStatus, Urgency};
use linli_core::{ChannelSink, DB_FILE, Emitted, EventSink, MemorySecretStore, Notification};
use linli_platform::RunningPlatform;
use linli_platform::demo::{PROPERTY_STAFF_PHONE, RESIDENT_PHONE, SECOND_RESIDENT_PHONE};
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_with_a_photo_is_delivered_once_with_a_number() {
    let Setup {
        platform_dir,
        platform,
        device,
        core,
        events,
    } = setup().await;

    let profile = sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    assert_eq!(status(&core).await.profile, Some(profile.clone()));
    let catalogue = catalogue(&core).await;
    assert!(
        !catalogue.categories.is_empty(),
        "the catalogue came with the sign-in"
    );

    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    let with_photo = attach(&core, draft.id, &small_jpeg()).await;
    assert_eq!(with_photo.photos.len(), 1);
    let photo = with_photo.photos[0].clone();
    let queued = submit(&core, draft.id).await;
    assert!(matches!(
        queued.delivery,
        Delivery::Queued { .. } | Delivery::Sending { .. } | Delivery::Delivered { .. }
    ));

    let delivered = wait_delivery(&core, draft.id, "delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let Delivery::Delivered { number } = delivered.delivery else {
        unreachable!()
    };
    assert!(number > 0);
    assert_eq!(delivered.status, Some(ReportStatus::Received));
    assert!(delivered.place_label.is_some());
    assert!(!delivered.timeline.is_empty());

    // The platform holds exactly one report, this one, with the photo the device made.
    let http = Http::new(&platform.url());
    let token = device.token().expect("signed in");
    let on_platform = http.reports(&token).await;
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0].id, draft.id);
    assert_eq!(on_platform[0].number, number);
    assert_eq!(on_platform[0].photo_ids, vec![photo.id]);
    let stored = http.photo(&token, photo.id).await;
    assert_eq!(stored.len() as u64, photo.bytes);

    // The UI heard about the upload's progress, up to the whole.
    let seen = drain(&events);
    let progress: Vec<(u64, u64)> = seen
        .iter()
        .filter_map(|e| match e {
            Emitted::Event(Event::UploadProgress {
                id,
                sent_bytes,
                total_bytes,
            }) if *id == draft.id => Some((*sent_bytes, *total_bytes)),
            _ => None,
        })
        .collect();
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "{progress:?}"
    );
    let (last_sent, total) = *progress.last().unwrap();
    assert_eq!(last_sent, total);
    assert!(total > photo.bytes);
    assert!(seen.iter().any(
        |e| matches!(e, Emitted::Event(Event::ReportsChanged { ids }) if ids.contains(&draft.id))
    ));
    assert_eq!(status(&core).await.sync.pending, 0);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_offline_then_restarted_the_report_arrives_exactly_once() {
    let platform_dir = tempfile::tempdir().unwrap();
    let platform = start_platform(platform_dir.path(), any_addr()).await;
    let addr = platform.addr();
    let url = platform.url();
    let device = Device::new();
    let (core, _events) = device.open(&url, quick_sync());
    core.start_sync();
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;

    // The platform goes away; the resident files a report anyway.
    platform.shutdown().await;
    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    attach(&core, draft.id, &small_jpeg()).await;
    submit(&core, draft.id).await;
    let waiting = wait_delivery(&core, draft.id, "a failed attempt", |d| {
        matches!(d, Delivery::Queued { attempts, last_error: Some(e), .. }
            if *attempts >= 1 && e.code == ErrorCode::PlatformUnreachable)
    })
    .await;
    assert_eq!(
        waiting.draft.description,
        good_draft(&catalogue).description
    );
    assert!(!status(&core).await.sync.online);

    // The app restarts while still offline.
    core.shutdown().await;
    drop(core);
    let (core, _events) = device.open(&url, quick_sync());
    let after_restart = report(&core, draft.id).await;
    assert!(
        matches!(after_restart.delivery, Delivery::Queued { .. }),
        "{:?}",
        after_restart.delivery
    );
    assert_eq!(after_restart.photos.len(), 1);
    assert!(
        status(&core).await.profile.is_some(),
        "still signed in after the restart"
    );
    assert_eq!(status(&core).await.sync.pending, 1);
    core.start_sync();

    // The platform comes back at the same address.
    let platform = start_platform(platform_dir.path(), addr).await;
    call(&core, Request::SyncNow).await;
    let delivered = wait_delivery(&core, draft.id, "delivery after restart", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;

    let http = Http::new(&url);
    let on_platform = http.reports(&device.token().unwrap()).await;
    assert_eq!(on_platform.len(), 1, "exactly one copy: {on_platform:#?}");
    assert_eq!(on_platform[0].id, draft.id);
    assert_eq!(
        Delivery::Delivered {
            number: on_platform[0].number
        },
        delivered.delivery
    );
    assert_eq!(on_platform[0].photo_ids, delivered.draft.photo_ids);

    core.shutdown().await;
    platform.shutdown().await;
}

/// Passes everything on, and kills the platform the first time an upload makes progress.
struct KillOnUpload {
    inner: ChannelSink,
    platform: Mutex<Option<RunningPlatform>>,
}

impl EventSink for KillOnUpload {
    fn emit(&self, event: Event) {
        if matches!(event, Event::UploadProgress { .. })
            && let Some(platform) = self.platform.lock().unwrap().take()
        {
            platform.kill();
        }
        self.inner.emit(event);
    }

    fn notify(&self, title: String, body: String) {
        self.inner.notify(title, body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_killed_mid_upload_still_gets_the_report_once_with_its_photo() {
    let platform_dir = tempfile::tempdir().unwrap();
    let platform = start_platform(platform_dir.path(), any_addr()).await;
    let addr = platform.addr();
    let url = platform.url();
    let device = Device::new();
    let (inner, events) = ChannelSink::new();
    let sink = Arc::new(KillOnUpload {
        inner,
        platform: Mutex::new(None),
    });
    let core = device.open_with_sink(&url, quick_sync(), sink.clone());
    core.start_sync();
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;

    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    let with_photo = attach(&core, draft.id, &noisy_jpeg(2400, 1800)).await;
    let photo = with_photo.photos[0].clone();
    assert_eq!((photo.width, photo.height), (1600, 1200));
    assert!(
        photo.bytes > 8 * 32 * 1024,
        "big enough for many chunks: {}",
        photo.bytes
    );

    // Arm the kill, then send.
    *sink.platform.lock().unwrap() = Some(platform);
    submit(&core, draft.id).await;
    let mut seen = Vec::new();
    wait_emitted(&events, &mut seen, "the upload to start", |e| {
        matches!(e, Emitted::Event(Event::UploadProgress { .. }))
    })
    .await;
    assert!(
        sink.platform.lock().unwrap().is_none(),
        "the platform was killed"
    );
    let failed = wait_delivery(
        &core,
        draft.id,
        "the cut upload to count as a failed attempt",
        |d| matches!(d, Delivery::Queued { attempts, .. } if *attempts >= 1),
    )
    .await;
    assert!(
        matches!(failed.delivery, Delivery::Queued { last_error: Some(ref e), .. } if e.is_retryable())
    );

    // The platform restarts on the same data dir and address.
    let platform = start_platform(platform_dir.path(), addr).await;
    call(&core, Request::SyncNow).await;
    wait_delivery(&core, draft.id, "delivery after the kill", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;

    let http = Http::new(&url);
    let token = device.token().unwrap();
    let on_platform = http.reports(&token).await;
    assert_eq!(on_platform.len(), 1, "exactly one copy: {on_platform:#?}");
    assert_eq!(on_platform[0].photo_ids, vec![photo.id]);
    let stored = http.photo(&token, photo.id).await;
    let on_device = match call(&core, Request::Photo { photo_id: photo.id }).await {
        linli_api::ipc::Response::Photo(url) => url,
        other => panic!("unexpected {other:?}"),
    };
    use base64::Engine;
    let device_bytes = base64::engine::general_purpose::STANDARD
        .decode(on_device.trim_start_matches("data:image/jpeg;base64,"))
        .unwrap();
    assert_eq!(
        stored, device_bytes,
        "the whole photo arrived, not a cut-off part"
    );

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_written_before_sign_in_waits_for_it_and_is_checked_before_sending() {
    let Setup {
        platform_dir,
        platform,
        device,
        core,
        events: _events,
    } = setup().await;

    // Written before anyone signed in on the device: it waits as a draft, whole, until someone
    // signs in to send it under their name.
    let draft = new_draft(&core).await;
    let content = linli_api::report::ReportDraft {
        category: Some("teleportation".into()),
        description: "电梯门关不上，一直在响".into(),
        // The resident's unit id as the platform's demo names it (3栋2单元501 is 3251).
        place: Some(linli_api::report::Place::Unit {
            unit_id: linli_platform::demo::unit_id(3, 2, 5, 1),
        }),
        ..Default::default()
    };
    save_draft(&core, draft.id, content.clone()).await;
    let err = call_err(&core, Request::Submit { id: draft.id }).await;
    assert_eq!(err.code, ErrorCode::SignInRequired);
    assert_eq!(report(&core, draft.id).await.delivery, Delivery::Draft);
    assert_eq!(status(&core).await.sync.pending, 0);

    // Signing in claims the draft and brings the catalogue, which catches the unknown category
    // before anything is sent; the report stays as it was.
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let err = call_err(&core, Request::Submit { id: draft.id }).await;
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert_eq!(
        err.fields,
        vec![FieldError::new("category", FieldErrorCode::UnknownCategory)]
    );
    let unchanged = report(&core, draft.id).await;
    assert_eq!(unchanged.delivery, Delivery::Draft);
    assert_eq!(unchanged.draft, content);

    // The resident fixes it; the reason stays visible while editing, then it goes out.
    let mut fixed = content.clone();
    fixed.category = Some("lifts".into());
    let edited = save_draft(&core, draft.id, fixed.clone()).await;
    assert_eq!(edited.delivery, Delivery::Draft);
    submit(&core, draft.id).await;
    let delivered = wait_delivery(&core, draft.id, "delivery of the fixed report", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    assert_eq!(delivered.draft, fixed);

    let http = Http::new(&platform.url());
    let on_platform = http.reports(&device.token().unwrap()).await;
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0].category, "lifts");

    core.shutdown().await;
    platform.shutdown().await;
}

async fn staff_change_reaches_the_resident(live_feed: bool) {
    let platform_dir = tempfile::tempdir().unwrap();
    let platform = start_platform(platform_dir.path(), any_addr()).await;
    let device = Device::new();
    let mut options = quick_sync();
    options.live_feed = live_feed;
    let (core, events) = device.open(&platform.url(), options);
    core.start_sync();
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;
    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    submit(&core, draft.id).await;
    let delivered = wait_delivery(&core, draft.id, "delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let Delivery::Delivered { number } = delivered.delivery else {
        unreachable!()
    };
    if live_feed {
        wait_for("the live feed", || async {
            status(&core).await.sync.live.then_some(())
        })
        .await;
    }
    let mut seen = drain(&events);
    assert!(
        !seen.iter().any(|e| matches!(e, Emitted::Notification(_))),
        "no notification for the resident's own delivery"
    );

    let http = Http::new(&platform.url());
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    http.change_status(
        &staff,
        draft.id,
        ReportStatus::InProgress,
        "师傅下午两点上门维修",
    )
    .await;

    let note = wait_emitted(&events, &mut seen, "a notification", |e| {
        matches!(e, Emitted::Notification(_))
    })
    .await;
    let Emitted::Notification(Notification { title, body }) = note else {
        unreachable!()
    };
    assert!(title.contains(&number.to_string()), "{title}");
    assert!(
        title.contains("处理中"),
        "in the resident's language: {title}"
    );
    assert!(body.contains("师傅下午两点上门维修"), "{body}");

    let updated = report(&core, draft.id).await;
    assert_eq!(updated.status, Some(ReportStatus::InProgress));
    let last = updated.timeline.last().unwrap();
    assert_eq!(last.status, ReportStatus::InProgress);
    assert_eq!(last.note.as_deref(), Some("师傅下午两点上门维修"));
    assert!(seen.iter().any(
        |e| matches!(e, Emitted::Event(Event::ReportsChanged { ids }) if ids.contains(&draft.id))
    ));
    assert_eq!(status(&core).await.sync.live, live_feed);

    // The language follows the resident's choice.
    let mut settings = status(&core).await.settings;
    settings.language = linli_api::ipc::Language::En;
    call(&core, Request::SaveSettings { settings }).await;
    http.change_status(
        &staff,
        draft.id,
        ReportStatus::Resolved,
        "Pipe joint replaced",
    )
    .await;
    let note = wait_emitted(
        &events,
        &mut seen,
        "a second notification",
        |e| matches!(e, Emitted::Notification(n) if n.body.contains("Pipe joint")),
    )
    .await;
    let Emitted::Notification(Notification { title, .. }) = note else {
        unreachable!()
    };
    assert!(title.contains("Fixed"), "{title}");
    let notifications = seen
        .iter()
        .filter(|e| matches!(e, Emitted::Notification(_)))
        .count();
    assert_eq!(notifications, 2, "one notification per change");

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_arrives_over_the_live_feed_and_notifies() {
    staff_change_reaches_the_resident(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_arrives_by_polling_without_the_live_feed() {
    staff_change_reaches_the_resident(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_keeps_everything_and_sends_after_the_next_sign_in() {
    let Setup {
        platform_dir,
        platform,
        device,
        core,
        events,
    } = setup().await;
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;

    let keep = new_draft(&core).await;
    let mut half_written = good_draft(&catalogue);
    half_written.description = "还没写完".into();
    save_draft(&core, keep.id, half_written.clone()).await;

    // The session ends on the platform's side (signed out elsewhere, or expired).
    drain(&events);
    let http = Http::new(&platform.url());
    http.end_session(&device.token().unwrap()).await;

    let queued = new_draft(&core).await;
    save_draft(&core, queued.id, good_draft(&catalogue)).await;
    submit(&core, queued.id).await;
    let mut seen = Vec::new();
    wait_emitted(&events, &mut seen, "the session change", |e| {
        matches!(e, Emitted::Event(Event::SessionChanged))
    })
    .await;
    let expired = wait_for("the session to count as expired", || async {
        let s = status(&core).await;
        s.session_expired.then_some(s)
    })
    .await;
    assert!(
        expired.profile.is_some(),
        "the person stays known, so their reports stay visible until they sign in again"
    );
    assert_eq!(
        device.token(),
        None,
        "the dead token is gone from the secret store"
    );
    let waiting = report(&core, queued.id).await;
    assert!(
        matches!(waiting.delivery, Delivery::Queued { .. }),
        "{:?}",
        waiting.delivery
    );
    assert_eq!(report(&core, keep.id).await.draft, half_written);
    assert_eq!(report(&core, keep.id).await.delivery, Delivery::Draft);
    assert_eq!(my_reports(&core).await.len(), 2);

    // Signing in again sends what waited; the draft stays a draft.
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    assert!(!status(&core).await.session_expired);
    wait_delivery(&core, queued.id, "delivery after signing in again", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    assert_eq!(report(&core, keep.id).await.delivery, Delivery::Draft);
    let on_platform = http.reports(&device.token().unwrap()).await;
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0].id, queued.id);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_never_holds_the_session_token() {
    let Setup {
        platform_dir,
        platform,
        device,
        core,
        events: _events,
    } = setup().await;
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let token = device.token().expect("the token is in the secret store");
    assert!(token.len() >= 16);

    // Use the session for everything a session does.
    let catalogue = catalogue(&core).await;
    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    submit(&core, draft.id).await;
    wait_delivery(&core, draft.id, "delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    core.shutdown().await;
    drop(core);

    let mut checked = 0;
    for entry in std::fs::read_dir(device.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with(DB_FILE) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "{name} contains the session token"
        );
        checked += 1;
    }
    assert!(checked >= 1, "the database file exists");
    // The database does hold the report, so the search above looked at real content.
    let db = std::fs::read(device.dir.path().join(DB_FILE)).unwrap();
    let wal = std::fs::read(device.dir.path().join(format!("{DB_FILE}-wal"))).unwrap_or_default();
    let id = draft.id.to_string();
    assert!(
        db.windows(id.len()).any(|w| w == id.as_bytes())
            || wal.windows(id.len()).any(|w| w == id.as_bytes())
    );
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_platform_address_never_receives_the_old_token() {
    let Setup {
        platform_dir,
        platform,
        device,
        core,
        events: _events,
    } = setup().await;
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let draft = new_draft(&core).await;

    let mut settings = status(&core).await.settings;
    settings.platform_url = "http://localhost:9".into();
    call(&core, Request::SaveSettings { settings }).await;
    let now = status(&core).await;
    assert_eq!(now.settings.platform_url, "http://localhost:9");
    assert_eq!(now.profile, None, "signed out locally");
    assert!(!now.session_expired);
    assert_eq!(device.token(), None);
    // Nobody is known at the new address: the draft is hidden there, not gone.
    assert_eq!(
        call_err(&core, Request::Report { id: draft.id }).await.code,
        ErrorCode::NotFound
    );

    // Back to the first address: the session does not come back by itself either.
    let mut settings = now.settings;
    settings.platform_url = platform.url();
    call(&core, Request::SaveSettings { settings }).await;
    assert_eq!(status(&core).await.profile, None);
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    assert_eq!(report(&core, draft.id).await.delivery, Delivery::Draft);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_a_restart_keeps_the_person_known_until_they_sign_in_again() {
    let Setup {
        platform_dir,
        platform,
        mut device,
        core,
        events: _events,
    } = setup().await;
    let me = sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;
    let draft = new_draft(&core).await;
    save_draft(&core, draft.id, good_draft(&catalogue)).await;
    core.shutdown().await;
    drop(core);

    // The token lived in memory only: a restart loses it, as on a machine with no keychain.
    device.secrets = Arc::new(MemorySecretStore::new());
    let (core, _events) = device.open(&platform.url(), quick_sync());
    let after = status(&core).await;
    assert_eq!(after.profile.as_ref().map(|p| p.user_id), Some(me.user_id));
    assert!(after.session_expired, "the person must sign in again");
    assert_eq!(
        my_reports(&core).await.len(),
        1,
        "their draft is still readable"
    );

    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    assert!(!status(&core).await.session_expired);

    // Signing out on purpose (a shared tablet handed on) forgets who was here.
    call(&core, Request::SignOut).await;
    let out = status(&core).await;
    assert_eq!(out.profile, None);
    assert!(!out.session_expired);
    assert_eq!(
        my_reports(&core).await,
        vec![],
        "the next person at the tablet does not see them"
    );
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    assert_eq!(
        my_reports(&core).await.len(),
        1,
        "reports stay on the device for their owner"
    );
    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_tablet_keeps_each_persons_reports_to_themselves() {
    let platform_dir = tempfile::tempdir().unwrap();
    let platform = start_platform(platform_dir.path(), any_addr()).await;
    let url = platform.url();
    let http = Http::new(&url);
    let device = Device::new();
    let (core, _events) = device.open(&url, quick_sync());
    core.start_sync();

    // The first resident files a report with a photo.
    let first = sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let first_catalogue = catalogue(&core).await;
    let filed = new_draft(&core).await;
    save_draft(&core, filed.id, good_draft(&first_catalogue)).await;
    attach(&core, filed.id, &small_jpeg()).await;
    submit(&core, filed.id).await;
    let filed = wait_delivery(&core, filed.id, "delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let photo_id = filed.photos[0].id;

    // Their session ends; they are still known, and what they write next is theirs.
    http.end_session(&device.token().unwrap()).await;
    let waiting = new_draft(&core).await;
    save_draft(&core, waiting.id, good_draft(&first_catalogue)).await;
    submit(&core, waiting.id).await;
    wait_for("the session to count as expired", || async {
        status(&core).await.session_expired.then_some(())
    })
    .await;
    assert_eq!(my_reports(&core).await.len(), 2);

    // A second resident signs in on the same tablet without the first signing out.
    let second = sign_in(&core, platform_dir.path(), SECOND_RESIDENT_PHONE).await;
    assert_ne!(second.user_id, first.user_id);
    assert_eq!(
        my_reports(&core).await,
        vec![],
        "nothing of the first resident"
    );
    assert_eq!(status(&core).await.sync.pending, 0);
    for request in [
        Request::Report { id: filed.id },
        Request::Photo { photo_id },
        Request::Submit { id: waiting.id },
        Request::DiscardDraft { id: waiting.id },
    ] {
        let shown = format!("{request:?}");
        assert_eq!(
            call_err(&core, request).await.code,
            ErrorCode::NotFound,
            "{shown}"
        );
    }

    // Meanwhile the first resident files a report from their phone.
    let phone_token = http.sign_in(platform_dir.path(), RESIDENT_PHONE).await;
    let from_phone = http
        .file_report(
            &phone_token,
            &NewReport {
                id: ReportId::new(),
                category: "water_plumbing".into(),
                description: "楼上往下渗水，天花板有水印".into(),
                place: good_draft(&first_catalogue).place.unwrap(),
                urgency: Urgency::Routine,
                photo_ids: vec![],
                visibility: Default::default(),
            },
        )
        .await;

    // The second resident files one, and it moves on: their feed is now past the phone's report.
    let second_catalogue = catalogue(&core).await;
    let theirs = new_draft(&core).await;
    save_draft(&core, theirs.id, good_draft(&second_catalogue)).await;
    submit(&core, theirs.id).await;
    wait_delivery(&core, theirs.id, "the second resident's delivery", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let staff = http
        .sign_in(platform_dir.path(), PROPERTY_STAFF_PHONE)
        .await;
    http.change_status(
        &staff,
        theirs.id,
        ReportStatus::Acknowledged,
        "已收到，马上安排",
    )
    .await;
    wait_for("the status change on the tablet", || async {
        (report(&core, theirs.id).await.status == Some(ReportStatus::Acknowledged)).then_some(())
    })
    .await;
    // The first resident's waiting report never went out under the second one's name.
    let second_token = device.token().unwrap();
    let on_platform: Vec<_> = http
        .reports(&second_token)
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(on_platform, vec![theirs.id]);

    // Signed out, nobody's reports show; a draft written now waits for a sign-in.
    call(&core, Request::SignOut).await;
    assert_eq!(my_reports(&core).await, vec![]);
    assert_eq!(status(&core).await.sync.pending, 0);
    let anonymous = new_draft(&core).await;
    save_draft(&core, anonymous.id, good_draft(&first_catalogue)).await;
    let refused = call_err(&core, Request::Submit { id: anonymous.id }).await;
    assert_eq!(refused.code, ErrorCode::SignInRequired);
    let kept = report(&core, anonymous.id).await;
    assert_eq!(kept.delivery, Delivery::Draft);
    assert_eq!(kept.draft, good_draft(&first_catalogue));

    // The first resident signs in again: their waiting report goes out under their name, the
    // one from their phone arrives, and the ownerless draft becomes theirs.
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    wait_delivery(
        &core,
        waiting.id,
        "the first resident's waiting report",
        |d| matches!(d, Delivery::Delivered { .. }),
    )
    .await;
    let mine = wait_for("the report filed from the phone", || async {
        let mine = my_reports(&core).await;
        mine.iter().any(|r| r.id == from_phone.id).then_some(mine)
    })
    .await;
    let mut ids: Vec<_> = mine.iter().map(|r| r.id).collect();
    ids.sort();
    let mut expected = vec![filed.id, waiting.id, from_phone.id, anonymous.id];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(report(&core, anonymous.id).await.delivery, Delivery::Draft);
    let mut on_platform: Vec<_> = http
        .reports(&phone_token)
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    on_platform.sort();
    let mut expected = vec![filed.id, waiting.id, from_phone.id];
    expected.sort();
    assert_eq!(on_platform, expected);

    core.shutdown().await;
    platform.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_queued_for_one_platform_never_goes_to_another() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let platform_a = start_platform(dir_a.path(), any_addr()).await;
    let addr_a = platform_a.addr();
    let url_a = platform_a.url();
    let platform_b = start_platform(dir_b.path(), any_addr()).await;
    let url_b = platform_b.url();
    let device = Device::new();
    let (core, _events) = device.open(&url_a, quick_sync());
    core.start_sync();
    let on_a = sign_in(&core, dir_a.path(), RESIDENT_PHONE).await;
    let catalogue_a = catalogue(&core).await;

    // Platform A is down; a report waits for it.
    platform_a.shutdown().await;
    let for_a = new_draft(&core).await;
    save_draft(&core, for_a.id, good_draft(&catalogue_a)).await;
    submit(&core, for_a.id).await;
    wait_delivery(
        &core,
        for_a.id,
        "a failed attempt",
        |d| matches!(d, Delivery::Queued { attempts, .. } if *attempts >= 1),
    )
    .await;

    // The address changes to platform B, where someone has the same user id.
    let mut settings = status(&core).await.settings;
    settings.platform_url = url_b.clone();
    call(&core, Request::SaveSettings { settings }).await;
    let on_b = sign_in(&core, dir_b.path(), RESIDENT_PHONE).await;
    assert_eq!(on_b.user_id, on_a.user_id, "the ids collide");
    assert_eq!(my_reports(&core).await, vec![]);
    assert_eq!(status(&core).await.sync.pending, 0);

    // A report written for B goes out; the one for A does not go with it.
    let catalogue_b = catalogue(&core).await;
    let for_b = new_draft(&core).await;
    save_draft(&core, for_b.id, good_draft(&catalogue_b)).await;
    submit(&core, for_b.id).await;
    wait_delivery(&core, for_b.id, "delivery to B", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    // The report for A was queued first; a forced pass after its backoff would have sent it.
    call(&core, Request::SyncNow).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let http_b = Http::new(&url_b);
    let on_platform_b: Vec<_> = http_b
        .reports(&device.token().unwrap())
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(on_platform_b, vec![for_b.id]);

    // Back on A (up again), the waiting report goes where it was written for.
    let platform_a = start_platform(dir_a.path(), addr_a).await;
    let mut settings = status(&core).await.settings;
    settings.platform_url = url_a.clone();
    call(&core, Request::SaveSettings { settings }).await;
    sign_in(&core, dir_a.path(), RESIDENT_PHONE).await;
    wait_delivery(&core, for_a.id, "delivery to A", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let on_platform_a: Vec<_> = Http::new(&url_a)
        .reports(&device.token().unwrap())
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(on_platform_a, vec![for_a.id]);
    assert_eq!(
        my_reports(&core)
            .await
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![for_a.id],
        "B's report is not listed on A"
    );

    core.shutdown().await;
    platform_a.shutdown().await;
    platform_b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_the_platform_refuses_keeps_its_reason_and_words_and_can_be_sent_again() {
    // A rule only the platform knows: this community's platform takes small request bodies.
    let platform_dir = tempfile::tempdir().unwrap();
    let mut config = linli_platform::Config::new(platform_dir.path()).with_listen(any_addr());
    config.limits.json_body_bytes = 1500;
    config.limits.code_resend_interval = time::Duration::ZERO;
    let platform = linli_platform::spawn(config)
        .await
        .expect("platform starts");
    let device = Device::new();
    let (core, _events) = device.open(&platform.url(), quick_sync());
    core.start_sync();
    sign_in(&core, platform_dir.path(), RESIDENT_PHONE).await;
    let catalogue = catalogue(&core).await;

    // 900 characters: within the app's own limit (1000), but over 1500 bytes as JSON.
    let long_words = "楼上卫生间漏水，".repeat(112) + "水";
    let draft = new_draft(&core).await;
    let mut content = good_draft(&catalogue);
    content.description = long_words.clone();
    save_draft(&core, draft.id, content.clone()).await;
    submit(&core, draft.id).await;
    let refused = wait_delivery(&core, draft.id, "the platform's refusal", |d| {
        matches!(d, Delivery::Rejected { .. })
    })
    .await;
    let Delivery::Rejected { error } = &refused.delivery else {
        unreachable!("waited for Rejected")
    };
    assert_eq!(error.code, ErrorCode::PayloadTooLarge);
    assert_eq!(
        refused.draft.description, long_words,
        "nothing the resident wrote is lost"
    );
    assert!(refused.delivery.is_editable());

    // Shortened and sent again under the same id: it arrives, once.
    content.description = "楼上卫生间漏水，天花板在滴水".into();
    save_draft(&core, draft.id, content).await;
    submit(&core, draft.id).await;
    wait_delivery(&core, draft.id, "delivery after the fix", |d| {
        matches!(d, Delivery::Delivered { .. })
    })
    .await;
    let http = Http::new(&platform.url());
    let token = http.sign_in(platform_dir.path(), RESIDENT_PHONE).await;
    let on_platform = http.reports(&token).await;
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0].id, draft.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_sign_in_the_device_knows_whether_the_platform_answers() {
    // The temporary dirs must outlive the platform and the core: bound, not dropped.
    let Setup {
        platform_dir: _platform_dir,
        platform,
        device: _device,
        core,
        events: _events,
    } = setup().await;
    wait_for("the platform to count as reachable", || async {
        status(&core).await.sync.online.then_some(())
    })
    .await;
    core.shutdown().await;

    // Nothing listens at this address: the header keeps saying offline.
    let url = platform.url();
    platform.shutdown().await;
    let elsewhere = Device::new();
    let (core, _events) = elsewhere.open(&url, quick_sync());
    core.start_sync();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!status(&core).await.sync.online);
}
