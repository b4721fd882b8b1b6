//! Photos: the bytes a resident picks, decoded, turned upright, scaled and re-encoded by the
//! core (`linli_core::photo::process`), and the platform's check of an upload's type from
//! its first bytes (`linli_platform::photo::sniff`). A photo either is refused with
//! `photo_unreadable` (or `payload_too_large`) or becomes a JPEG of at most
//! `MAX_SIDE` pixels a side that decodes to the size it claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_api::ErrorCode;
use linli_core::photo::{MAX_SIDE, process};
use linli_platform::photo::{PHOTO_TYPES, sniff};

fuzz_target!(|data: &[u8]| {
    if let Some(kind) = sniff(data) {
        assert!(PHOTO_TYPES.contains(&kind));
    }
    match process(data) {
        Ok(photo) => {
            assert!(photo.width >= 1 && photo.height >= 1);
            assert!(photo.width.max(photo.height) <= MAX_SIDE);
            assert_eq!(sniff(&photo.jpeg), Some("image/jpeg"));
            let again = image::load_from_memory_with_format(&photo.jpeg, image::ImageFormat::Jpeg)
                .expect("the processed photo decodes");
            assert_eq!((again.width(), again.height()), (photo.width, photo.height));
        }
        Err(e) => assert!(
            matches!(
                e.code,
                ErrorCode::PhotoUnreadable | ErrorCode::PayloadTooLarge
            ),
            "{e:?}"
        ),
    }
});
