//! Photos attached to reports. Their bytes are files under `<data-dir>/photos/`, named by id;
//! the database keeps a register (uploader, hash, type, report). A file is written to a
//! temporary name and renamed into place, so an upload cut off half-way never leaves half a
//! photo under a real name.

use crate::auth::Caller;
use crate::report::follow::may_read;
use crate::store::{PhotoClaim, Store, StoredPhoto};
use linli_api::platform::PhotoReceipt;
use linli_api::validate::MAX_PHOTO_BYTES;
use linli_api::{ApiError, ErrorCode, PhotoId};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Content types accepted for photos.
pub const PHOTO_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

const TEMP_PREFIX: &str = ".upload-";
/// A temporary file untouched this long belongs to an upload nobody is finishing. An upload
/// writes its whole body (10 MB at most) to the file in one go.
pub const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The image type the bytes really are, from their first bytes (never from what the client
/// says).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The media type of a `Content-Type` header value, lower-cased, without parameters.
pub fn media_type(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The folder photo files live in.
#[derive(Clone, Debug)]
pub struct PhotoFiles {
    dir: PathBuf,
}

impl PhotoFiles {
    /// Uses (creating) `dir`, clearing temporary files an earlier run left behind.
    ///
    /// Several instances may share the folder (docs/DEPLOYMENT.md): a temporary file written
    /// in the last [`ABANDONED_AFTER`] may be a neighbour's upload in progress, so it stays.
    pub fn open(dir: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&dir)?;
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let abandoned = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| at.elapsed().ok())
                .is_none_or(|age| age >= ABANDONED_AFTER);
            if abandoned {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(Self { dir })
    }

    /// Where a photo's bytes live.
    pub fn path(&self, id: PhotoId) -> PathBuf {
        self.dir.join(id.to_string())
    }

    fn write_temp(&self, id: PhotoId, bytes: &[u8]) -> io::Result<PathBuf> {
        let temp = self
            .dir
            .join(format!("{TEMP_PREFIX}{id}-{:016x}", rand::random::<u64>()));
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(temp)
    }

    fn put_in_place(&self, temp: &Path, id: PhotoId) -> io::Result<()> {
        fs::rename(temp, self.path(id))?;
        // The rename itself must survive a power cut, not only the bytes.
        fs::File::open(&self.dir)?.sync_all()
    }
}

fn io_error(e: io::Error) -> ApiError {
    tracing::error!(error = %e, "photo file");
    ApiError::new(ErrorCode::Internal, "the photo could not be stored")
}

/// Stores an uploaded photo. The same id with the same bytes from the same person is answered
/// again (a retried upload); anything else under a taken id is a conflict. Returns the receipt
/// and whether the photo is new.
pub fn upload(
    store: &dyn Store,
    files: &PhotoFiles,
    caller: &Caller,
    id: PhotoId,
    declared: Option<&str>,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<(PhotoReceipt, bool), ApiError> {
    let declared = declared.map(media_type).unwrap_or_default();
    if !PHOTO_TYPES.contains(&declared.as_str()) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the photo as image/jpeg, image/png or image/webp",
        ));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("a photo may have at most {MAX_PHOTO_BYTES} bytes"),
        ));
    }
    if sniff(bytes) != Some(declared.as_str()) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the bytes are not a {declared} image"),
        ));
    }
    let photo = StoredPhoto {
        id,
        uploader: caller.user.id,
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as u64,
        content_type: declared,
        report_id: None,
    };
    let receipt = PhotoReceipt {
        id,
        size: photo.size,
        content_type: photo.content_type.clone(),
    };
    // The register decides which upload owns the id; only then does a file take the name,
    // so a losing upload with other bytes never overwrites the winner's.
    let temp = files.write_temp(id, bytes).map_err(io_error)?;
    let claim = store.claim_photo(&photo, now);
    let outcome = match claim {
        Ok(PhotoClaim::Created) => Ok(true),
        Ok(PhotoClaim::Existing(held))
            if held.uploader == photo.uploader && held.sha256 == photo.sha256 =>
        {
            Ok(false)
        }
        Ok(PhotoClaim::Existing(_)) => Err(ApiError::new(
            ErrorCode::Conflict,
            "another photo was already uploaded with this id",
        )),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(created) => {
            // Also repairs a file lost to a crash between registering and renaming.
            files.put_in_place(&temp, id).map_err(io_error)?;
            Ok((receipt, created))
        }
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A photo's bytes and type, for its uploader or anyone who may see its report.
pub fn fetch(
    store: &dyn Store,
    files: &PhotoFiles,
    caller: &Caller,
    id: PhotoId,
) -> Result<(Vec<u8>, String), ApiError> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such photo");
    let photo = store.photo(id)?.ok_or_else(not_found)?;
    let allowed = photo.uploader == caller.user.id
        || match photo.report_id {
            Some(report_id) => match store.report(report_id)? {
                Some(r) => may_read(store, &caller.user, &r)?,
                None => false,
            },
            None => false,
        };
    if !allowed {
        return Err(not_found());
    }
    let bytes = fs::read(files.path(id)).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            not_found()
        } else {
            io_error(e)
        }
    })?;
    Ok((bytes, photo.content_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::jpeg(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Some("image/jpeg"))]
    #[case::png(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some("image/png"))]
    #[case::webp(b"RIFF\x24\0\0\0WEBPVP8 ", Some("image/webp"))]
    #[case::riff_but_wave(b"RIFF\x24\0\0\0WAVEfmt ", None)]
    #[case::text(b"hello, I am a jpeg", None)]
    #[case::empty(b"", None)]
    #[case::truncated_jpeg(&[0xFF, 0xD8], None)]
    fn sniffs_by_magic_bytes(#[case] bytes: &[u8], #[case] expected: Option<&str>) {
        assert_eq!(sniff(bytes), expected);
    }

    #[rstest]
    #[case("image/jpeg", "image/jpeg")]
    #[case("Image/PNG; charset=binary", "image/png")]
    #[case("", "")]
    fn media_types_drop_parameters(#[case] header: &str, #[case] expected: &str) {
        assert_eq!(media_type(header), expected);
    }

    #[test]
    fn leftover_temporary_files_are_cleared_at_start_and_uploads_in_progress_kept() {
        let dir = tempfile::tempdir().unwrap();
        let photos = dir.path().join("photos");
        fs::create_dir_all(&photos).unwrap();
        fs::write(photos.join(".upload-x-y"), b"half").unwrap();
        fs::File::options()
            .write(true)
            .open(photos.join(".upload-x-y"))
            .unwrap()
            .set_modified(std::time::SystemTime::now() - ABANDONED_AFTER)
            .unwrap();
        // Another instance on the same folder is writing this one right now.
        fs::write(photos.join(".upload-x-z"), b"coming").unwrap();
        fs::write(photos.join("kept"), b"whole").unwrap();
        PhotoFiles::open(photos.clone()).unwrap();
        assert!(!photos.join(".upload-x-y").exists());
        assert!(photos.join(".upload-x-z").exists());
        assert!(photos.join("kept").exists());
    }
}
