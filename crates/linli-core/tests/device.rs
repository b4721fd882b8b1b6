//! The core on its own, without a platform: what a person can do offline, through the same
//! `handle` the shell calls, on a real SQLite file.

mod common;

use common::*;
use linli_api::error::{ErrorCode, FieldError, FieldErrorCode};
use linli_api::ipc::{Delivery, Language, Request, Settings};
use linli_api::report::{Place, ReportDraft};
use linli_api::{PhotoId, UnitId};

/// Nothing listens here (port 9 is "discard", closed on test machines).
const NOWHERE: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn settings_apply_at_once_and_survive_a_restart() {
    let device = Device::new();
    let (core, _events) = device.open(NOWHERE, quick_sync());
    let first = status(&core).await;
    assert_eq!(
        first.settings.language,
        Language::ZhCn,
        "from the shell's OS language"
    );
    assert_eq!(first.settings.platform_url, NOWHERE);
    assert!(!first.settings.elderly_mode);
    assert_eq!(first.profile, None);

    let wanted = Settings {
        language: Language::En,
        elderly_mode: true,
        elderly_asked: true,
        platform_url: NOWHERE.into(),
    };
    let answered = match call(
        &core,
        Request::SaveSettings {
            settings: wanted.clone(),
        },
    )
    .await
    {
        linli_api::ipc::Response::Status(s) => s,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(answered.settings, wanted);

    // A bad address is refused with a reason next to the field; nothing changes.
    let mut bad = wanted.clone();
    bad.platform_url = "http://203.0.113.5:8731".into();
    bad.language = Language::ZhCn;
    let err = call_err(&core, Request::SaveSettings { settings: bad }).await;
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert_eq!(
        err.fields,
        vec![FieldError::new("platform_url", FieldErrorCode::InvalidUrl)]
    );
    assert_eq!(status(&core).await.settings, wanted);

    core.shutdown().await;
    drop(core);
    let (core, _events) = device.open(NOWHERE, quick_sync());
    assert_eq!(status(&core).await.settings, wanted);
}

#[tokio::test]
async fn drafts_photos_and_submit_rules_work_offline() {
    let device = Device::new();
    let (core, _events) = device.open(NOWHERE, quick_sync());
    let draft = new_draft(&core).await;
    assert_eq!(draft.delivery, Delivery::Draft);

    // Submitting an empty draft names every missing field and changes nothing.
    let err = call_err(&core, Request::Submit { id: draft.id }).await;
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    let fields: Vec<_> = err.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["category", "description", "place"]);
    assert_eq!(report(&core, draft.id).await.delivery, Delivery::Draft);

    let content = ReportDraft {
        category: Some("sanitation".into()),
        description: "垃圾桶三天没有清运了".into(),
        place: Some(Place::Unit {
            unit_id: UnitId(3251),
        }),
        ..Default::default()
    };
    save_draft(&core, draft.id, content.clone()).await;

    // Photos: bad bytes are refused, the draft keeps what it had.
    attach(&core, draft.id, &small_jpeg()).await;
    let err = call_err(
        &core,
        Request::AttachPhoto {
            id: draft.id,
            data_base64: "bm90IGFuIGltYWdl".into(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::PhotoUnreadable);
    let err = call_err(
        &core,
        Request::AttachPhoto {
            id: draft.id,
            data_base64: "%%% not base64".into(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::PhotoUnreadable);
    let kept = report(&core, draft.id).await;
    assert_eq!(kept.photos.len(), 1);
    assert_eq!(kept.draft.description, content.description);

    // Up to six photos; the seventh is refused with the limit.
    for _ in 1..linli_api::validate::MAX_PHOTOS {
        attach(&core, draft.id, &small_jpeg()).await;
    }
    let err = call_err(
        &core,
        Request::AttachPhoto {
            id: draft.id,
            data_base64: base64_of(&small_jpeg()),
        },
    )
    .await;
    assert_eq!(
        err.fields,
        vec![FieldError::with_limit("photos", FieldErrorCode::TooMany, 6)]
    );
    let full = report(&core, draft.id).await;
    assert_eq!(full.photos.len(), 6);
    assert_eq!(full.draft.photo_ids.len(), 6);

    // Photos can be shown and removed.
    let shown = match call(
        &core,
        Request::Photo {
            photo_id: full.photos[0].id,
        },
    )
    .await
    {
        linli_api::ipc::Response::Photo(url) => url,
        other => panic!("unexpected {other:?}"),
    };
    assert!(
        shown.starts_with("data:image/jpeg;base64,/9j/"),
        "{}",
        &shown[..40]
    );
    let fewer = match call(
        &core,
        Request::RemovePhoto {
            id: draft.id,
            photo_id: full.photos[0].id,
        },
    )
    .await
    {
        linli_api::ipc::Response::Report(r) => r,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(fewer.photos.len(), 5);
    let err = call_err(
        &core,
        Request::Photo {
            photo_id: full.photos[0].id,
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = call_err(
        &core,
        Request::Photo {
            photo_id: PhotoId::new(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::NotFound);

    // Nobody has signed in on this device yet: the shared rules pass, but a report goes out
    // only under someone's name, so it stays a draft, whole, until someone signs in.
    let err = call_err(&core, Request::Submit { id: draft.id }).await;
    assert_eq!(err.code, ErrorCode::SignInRequired);
    let kept = report(&core, draft.id).await;
    assert_eq!(kept.delivery, Delivery::Draft);
    assert_eq!(kept.draft.description, content.description);
    assert_eq!(kept.photos.len(), 5);
    assert_eq!(status(&core).await.sync.pending, 0);

    // A draft that was never sent can be thrown away, photos and all.
    let other = new_draft(&core).await;
    let with_photo = attach(&core, other.id, &small_jpeg()).await;
    let photo_file = device
        .dir
        .path()
        .join("photos")
        .join(format!("{}.jpg", with_photo.photos[0].id));
    assert!(photo_file.exists());
    call(&core, Request::DiscardDraft { id: other.id }).await;
    assert!(!photo_file.exists());
    let err = call_err(&core, Request::Report { id: other.id }).await;
    assert_eq!(err.code, ErrorCode::NotFound);
    assert_eq!(report(&core, draft.id).await.draft, kept.draft);
    // With nobody known, "my reports" lists nothing; the draft waits to be claimed at sign-in.
    assert_eq!(my_reports(&core).await, vec![]);
}

#[tokio::test]
async fn network_calls_fail_clearly_and_sign_in_checks_its_fields_first() {
    let device = Device::new();
    let (core, _events) = device.open(NOWHERE, quick_sync());
    let err = call_err(
        &core,
        Request::SignIn {
            phone: "12".into(),
            code: "abc".into(),
        },
    )
    .await;
    assert_eq!(
        err.fields,
        vec![
            FieldError::new("phone", FieldErrorCode::InvalidPhone),
            FieldError::new("code", FieldErrorCode::InvalidCode)
        ]
    );
    let err = call_err(
        &core,
        Request::RequestCode {
            phone: "13800000001".into(),
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::PlatformUnreachable);
    // Reads never wait on the network.
    assert_eq!(catalogue(&core).await, Default::default());
    call(&core, Request::SignOut).await;
    call(&core, Request::SyncNow).await;
    assert!(!status(&core).await.session_expired);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn a_draft_is_never_open_in_two_forms() {
    let device = Device::new();
    let (core, _events) = device.open(NOWHERE, quick_sync());
    let id = new_draft(&core).await.id;
    let hold = |editor: &str, take_over: bool| Request::HoldDraft {
        id,
        editor: editor.into(),
        take_over,
    };
    let save = |editor: Option<&str>, description: &str| Request::SaveDraft {
        id,
        draft: ReportDraft {
            description: description.into(),
            ..Default::default()
        },
        editor: editor.map(str::to_string),
    };

    call(&core, hold("window-a", false)).await;
    call(&core, save(Some("window-a"), "楼道灯不亮了")).await;
    let err = call_err(&core, hold("window-b", false)).await;
    assert_eq!(err.code, ErrorCode::DraftOpenElsewhere);
    // A form that never asked for a hold cannot slip a save in either.
    let err = call_err(&core, save(Some("window-b"), "B 的话")).await;
    assert_eq!(err.code, ErrorCode::DraftOpenElsewhere);

    // The person chooses to go on in the second window: the first one can no longer save.
    call(&core, hold("window-b", true)).await;
    let err = call_err(&core, save(Some("window-a"), "A 还没关")).await;
    assert_eq!(err.code, ErrorCode::DraftOpenElsewhere);
    assert_eq!(report(&core, id).await.draft.description, "楼道灯不亮了");
    call(&core, save(Some("window-b"), "楼道灯不亮了，三楼")).await;
    // A save that names no form is today's autosave and goes through.
    call(&core, save(None, "楼道灯不亮了，三楼东侧")).await;
    assert_eq!(
        report(&core, id).await.draft.description,
        "楼道灯不亮了，三楼东侧"
    );

    // Letting go frees it; a form that does not hold it cannot let go for another.
    call(
        &core,
        Request::ReleaseDraft {
            id,
            editor: "window-a".into(),
        },
    )
    .await;
    assert_eq!(
        call_err(&core, hold("window-a", false)).await.code,
        ErrorCode::DraftOpenElsewhere
    );
    call(
        &core,
        Request::ReleaseDraft {
            id,
            editor: "window-b".into(),
        },
    )
    .await;
    call(&core, hold("window-a", false)).await;

    // Only what may still be edited can be held.
    let err = call_err(
        &core,
        Request::HoldDraft {
            id: linli_api::ReportId::new(),
            editor: "window-a".into(),
            take_over: false,
        },
    )
    .await;
    assert_eq!(err.code, ErrorCode::NotFound);
    core.shutdown().await;
}
