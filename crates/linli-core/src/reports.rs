//! Reports on the device: drafts, photos, submitting, reading. All local; the sync engine does
//! the sending.

use crate::error::Error;
use crate::{Inner, now, photo, session};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use linli_api::error::{ApiError, ErrorCode, FieldError};
use linli_api::ids::{PhotoId, ReportId};
use linli_api::ipc::{LocalPhoto, LocalReport, ReportSummary};
use linli_api::platform::Catalogue;
use linli_api::report::ReportDraft;
use linli_api::validate::{against_catalogue, validate_draft};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub(crate) fn photo_path(inner: &Inner, id: PhotoId) -> PathBuf {
    inner.photos_dir.join(format!("{id}.jpg"))
}

/// Categories and places: from the device at once, refreshed in the background. Only when the
/// device has none yet (just signed in, offline at the time) does this wait for the platform.
pub(crate) async fn catalogue(inner: &Arc<Inner>) -> Result<Catalogue, ApiError> {
    let url = inner.platform_url()?;
    let cached = inner.store.catalogue(&url)?;
    let Some(session) = session::current(inner) else {
        return Ok(cached.unwrap_or_default());
    };
    match cached {
        Some(catalogue) => {
            let inner = inner.clone();
            tokio::spawn(async move {
                if let Err(f) = session::refresh_catalogue(&inner, &session).await {
                    tracing::debug!(error = %f.error, "catalogue refresh failed");
                }
            });
            Ok(catalogue)
        }
        None => {
            if let Err(f) = session::refresh_catalogue(inner, &session).await {
                tracing::info!(error = %f.error, "no catalogue on the device and none fetched");
            }
            Ok(inner.store.catalogue(&url)?.unwrap_or_default())
        }
    }
}

pub(crate) fn no_such_report() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such report")
}

/// Refuses (as "not found", telling nothing about it) a report that is not the person's: on a
/// shared device the next person must not read or change the last one's reports.
pub(crate) fn require_visible(inner: &Inner, id: ReportId) -> Result<(), ApiError> {
    let viewer = session::viewer(inner)?;
    if inner.store.is_visible(id, &viewer)? {
        Ok(())
    } else {
        Err(no_such_report())
    }
}

/// Starts a new draft for the person known on this device, even while their session is
/// expired (the stored profile says who they are); before anyone signed in it has no owner
/// until the next sign-in.
pub(crate) fn new_draft(inner: &Inner) -> Result<LocalReport, ApiError> {
    let viewer = session::viewer(inner)?;
    let report = inner.store.new_draft(ReportId::new(), &viewer, now())?;
    inner.reports_changed(vec![report.id]);
    Ok(report)
}

/// The person's reports, newest first, one list row each.
pub(crate) fn list(inner: &Inner) -> Result<Vec<ReportSummary>, ApiError> {
    let viewer = session::viewer(inner)?;
    Ok(inner.store.report_summaries(&viewer)?)
}

/// Saves the resident's words; photos are managed separately. A form that holds the draft
/// (`editor`) saves only while it still does (see [`crate::holds`]).
pub(crate) fn save_draft(
    inner: &Inner,
    id: ReportId,
    draft: &ReportDraft,
    editor: Option<&str>,
) -> Result<LocalReport, ApiError> {
    require_visible(inner, id)?;
    if let Some(editor) = editor {
        inner.holds.check_editor(id, editor, Instant::now())?;
    }
    let report = inner.store.save_draft(id, draft, now())?;
    inner.reports_changed(vec![id]);
    Ok(report)
}

fn decode_base64(data: &str) -> Result<Vec<u8>, ApiError> {
    // Accept a `data:` URL as well as bare base64: it is what a file picker in a webview gives.
    let payload = match data.split_once(";base64,") {
        Some((head, rest)) if head.starts_with("data:") => rest,
        _ => data,
    };
    let compact: String = payload
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| ApiError::new(ErrorCode::PhotoUnreadable, format!("not base64: {e}")))
}

/// A form's hold on a draft (or a rejected report being fixed): see [`crate::holds`].
pub(crate) fn hold(
    inner: &Inner,
    id: ReportId,
    editor: &str,
    take_over: bool,
) -> Result<LocalReport, ApiError> {
    let report = get(inner, id)?;
    crate::outbox::can_edit(&report.delivery)?;
    inner.holds.hold(id, editor, take_over, Instant::now())?;
    Ok(report)
}

/// Decodes a chosen photo, makes it small and anonymous, and writes its file; the caller
/// records it (and removes the file if that fails).
pub(crate) async fn prepare_photo(
    inner: &Inner,
    data_base64: &str,
) -> Result<LocalPhoto, ApiError> {
    let bytes = decode_base64(data_base64)?;
    let processed = tokio::task::spawn_blocking(move || photo::process(&bytes))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("photo task: {e}")))??;
    let local = LocalPhoto {
        id: PhotoId::new(),
        width: processed.width,
        height: processed.height,
        bytes: processed.jpeg.len() as u64,
    };
    write_whole(&photo_path(inner, local.id), &processed.jpeg)?;
    Ok(local)
}

/// Resizes, strips and keeps a photo on a draft (or a rejected report being fixed).
pub(crate) async fn attach_photo(
    inner: &Inner,
    id: ReportId,
    data_base64: &str,
) -> Result<LocalReport, ApiError> {
    // Cheap checks first, so a seventh photo is refused before seconds of resizing.
    require_visible(inner, id)?;
    inner.store.check_photo_room(id)?;
    inner.holds.touch(id, Instant::now());
    let local = prepare_photo(inner, data_base64).await?;
    let path = photo_path(inner, local.id);
    match inner.store.add_photo(id, &local, now()) {
        Ok(report) => {
            inner.reports_changed(vec![id]);
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e.into())
        }
    }
}

/// Takes a photo off a draft and deletes its file.
pub(crate) fn remove_photo(
    inner: &Inner,
    id: ReportId,
    photo_id: PhotoId,
) -> Result<LocalReport, ApiError> {
    require_visible(inner, id)?;
    inner.holds.touch(id, Instant::now());
    let report = inner.store.remove_photo(id, photo_id, now())?;
    if let Err(e) = std::fs::remove_file(photo_path(inner, photo_id)) {
        tracing::warn!(error = %e, photo = %photo_id, "photo file not removed");
    }
    inner.reports_changed(vec![id]);
    Ok(report)
}

/// Writes a file whole or not at all: a crash mid-write leaves only a `.part` file.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| Error::io(path, e))
}

fn fetched_path(inner: &Inner, id: PhotoId) -> PathBuf {
    inner.photos_dir.join(format!("{id}.fetched"))
}

fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!("data:{content_type};base64,{}", STANDARD.encode(bytes))
}

/// A photo as a `data:` URL for an `<img>`: one made on this device (the person's report or
/// comment), else one fetched before, else fetched now from the platform (staff's photos of
/// a fix, others' comments, a followed report's) and kept for offline.
pub(crate) async fn photo(inner: &Inner, photo_id: PhotoId) -> Result<String, ApiError> {
    let viewer = session::viewer(inner)?;
    if let Some(report) = inner.store.photo_report(photo_id)?
        && inner.store.is_visible(report, &viewer)?
    {
        let path = photo_path(inner, photo_id);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        return Ok(data_url("image/jpeg", &bytes));
    }
    let path = fetched_path(inner, photo_id);
    if let Some(content_type) = inner.store.fetched_photo(photo_id, &viewer)?
        && let Ok(bytes) = std::fs::read(&path)
    {
        return Ok(data_url(&content_type, &bytes));
    }
    if viewer.user_id.is_none() {
        // Nobody known: no photo here is anyone's to show.
        return Err(ApiError::new(ErrorCode::NotFound, "no such photo"));
    }
    let session = crate::actions::session_now(inner)?;
    let (bytes, content_type) = match inner
        .client
        .photo(&session.base, &session.token, photo_id)
        .await
    {
        Ok(answer) => answer,
        Err(f) if matches!(f.status, Some(403 | 404)) => {
            return Err(ApiError::new(ErrorCode::NotFound, "no such photo"));
        }
        Err(f) => return Err(crate::actions::online_only(inner, &session, f)),
    };
    inner.set_online(true);
    if !content_type.starts_with("image/") {
        return Err(ApiError::new(
            ErrorCode::PhotoUnreadable,
            format!("the platform sent {content_type}"),
        ));
    }
    write_whole(&path, &bytes)?;
    inner
        .store
        .save_fetched_photo(photo_id, &viewer, &content_type, now())?;
    Ok(data_url(&content_type, &bytes))
}

/// What stops a report from being submitted: the shared rules, plus the catalogue's where the
/// device has one (a category that does not exist, a unit that is not the resident's), judged
/// by the same function the platform uses.
pub fn submit_problems(draft: &ReportDraft, catalogue: Option<&Catalogue>) -> Vec<FieldError> {
    let mut errors = validate_draft(draft);
    if let Some(catalogue) = catalogue {
        errors.extend(against_catalogue(draft, catalogue));
    }
    errors
}

/// Checks a draft and queues it; a refused draft stays exactly as it was.
pub(crate) fn submit(inner: &Inner, id: ReportId) -> Result<LocalReport, ApiError> {
    require_visible(inner, id)?;
    let viewer = session::viewer(inner)?;
    let catalogue = inner.store.catalogue(&viewer.platform_url)?;
    let report = inner.store.submit(id, &viewer, now(), |r| {
        submit_problems(&r.draft, catalogue.as_ref())
    })?;
    inner.holds.forget(id);
    inner.reports_changed(vec![id]);
    inner.sync_changed();
    inner.send_wake.notify_one();
    Ok(report)
}

/// Deletes a report the platform never took, with its photo files.
pub(crate) fn discard(inner: &Inner, id: ReportId) -> Result<(), ApiError> {
    require_visible(inner, id)?;
    let photos = inner.store.discard(id)?;
    inner.holds.forget(id);
    for p in photos {
        let _ = std::fs::remove_file(photo_path(inner, p));
    }
    inner.reports_changed(vec![id]);
    Ok(())
}

/// One report from the device.
pub(crate) fn get(inner: &Inner, id: ReportId) -> Result<LocalReport, ApiError> {
    require_visible(inner, id)?;
    inner.store.report(id)?.ok_or_else(no_such_report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::error::FieldErrorCode;
    use linli_api::ids::{BuildingId, CommonAreaId, UnitId};
    use linli_api::platform::{BuildingRef, CommonAreaRef, UnitRef};
    use linli_api::report::{Category, Party, Place};

    fn catalogue() -> Catalogue {
        Catalogue {
            categories: vec![Category {
                code: "water_plumbing".into(),
                names: Default::default(),
                default_party: Party::PropertyCompany,
                emergency: false,
                targets: vec![],
            }],
            units: vec![UnitRef {
                id: UnitId(3),
                building_id: BuildingId(1),
                label: "1栋101".into(),
                area_m2: 88.0,
            }],
            buildings: vec![BuildingRef {
                id: BuildingId(1),
                label: "1栋".into(),
            }],
            common_areas: vec![CommonAreaRef {
                id: CommonAreaId(9),
                label: "花园".into(),
            }],
            ..Default::default()
        }
    }

    fn draft(category: &str, place: Place) -> ReportDraft {
        ReportDraft {
            category: Some(category.into()),
            description: "楼道灯坏了好几天".into(),
            place: Some(place),
            ..Default::default()
        }
    }

    #[test]
    fn the_catalogue_is_checked_only_where_the_device_has_one() {
        // The rules themselves are linli_api::validate::against_catalogue's (tested there).
        let d = draft("teleportation", Place::Unit { unit_id: UnitId(4) });
        assert_eq!(
            submit_problems(&d, Some(&catalogue())),
            vec![
                FieldError::new("category", FieldErrorCode::UnknownCategory),
                FieldError::new("place.unit_id", FieldErrorCode::UnitNotYours)
            ]
        );
        // Without a catalogue on the device, the platform judges these.
        assert_eq!(submit_problems(&d, None), vec![]);
        let ok = draft("water_plumbing", Place::Unit { unit_id: UnitId(3) });
        assert_eq!(submit_problems(&ok, Some(&catalogue())), vec![]);
    }

    #[test]
    fn shared_rules_still_apply() {
        let mut d = draft("water_plumbing", Place::Unit { unit_id: UnitId(3) });
        d.description = "坏".into();
        let errors = submit_problems(&d, Some(&catalogue()));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "description");
        assert_eq!(errors[0].code, FieldErrorCode::TooShort);
    }

    #[test]
    fn photos_arrive_as_base64_or_data_urls() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(
            decode_base64("data:image/png;base64,aGVs\nbG8=").unwrap(),
            b"hello"
        );
        assert_eq!(
            decode_base64("not base64!").unwrap_err().code,
            ErrorCode::PhotoUnreadable
        );
    }
}
