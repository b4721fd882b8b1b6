//! Photos are made small and anonymous on the device before anything is sent: decoded, turned
//! upright, scaled so the long side is at most [`MAX_SIDE`] pixels, and re-encoded as a fresh
//! JPEG. Re-encoding writes only pixels, so EXIF (camera, time, GPS position) cannot survive.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};
use linli_api::error::{ApiError, ErrorCode};
use std::io::Cursor;

/// The longest side a photo keeps.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of the re-encoded photo: small files, no visible blocks on a phone screen.
pub const JPEG_QUALITY: u8 = 82;
/// Largest file accepted from the picker, before resizing (a phone's full-size photo fits).
pub const MAX_INPUT_BYTES: usize = 40 * 1024 * 1024;
/// Largest picture accepted, in pixels per side; bigger files are refused before decoding.
const MAX_INPUT_SIDE: u32 = 20_000;

/// A photo ready to store and send.
#[derive(Clone, Debug)]
pub struct ProcessedPhoto {
    /// The JPEG file.
    pub jpeg: Vec<u8>,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
}

fn unreadable(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::PhotoUnreadable,
        format!("photo unreadable: {detail}"),
    )
}

/// The size a `width` x `height` picture gets: long side at most `max`, aspect kept, never
/// enlarged, never zero.
pub fn fitted_size(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled = (u64::from(side) * u64::from(max) + u64::from(long) / 2) / u64::from(long);
        (scaled as u32).max(1)
    };
    (scale(width), scale(height))
}

/// Decodes a JPEG, PNG or WebP file and makes the photo that is kept and sent.
pub fn process(input: &[u8]) -> Result<ProcessedPhoto, ApiError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("photo is {} bytes, at most {MAX_INPUT_BYTES}", input.len()),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(input))
        .with_guessed_format()
        .map_err(unreadable)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A camera stores "rotate me" in EXIF rather than turning the pixels; apply it now, since
    // the EXIF goes away below.
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    if let Some(o) = orientation {
        picture.apply_orientation(o);
    }
    let (width, height) = fitted_size(picture.width(), picture.height(), MAX_SIDE);
    if (width, height) != (picture.width(), picture.height()) {
        picture = picture.resize_exact(width, height, FilterType::Triangle);
    }
    let rgb = flatten(picture);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("jpeg encoding: {e}")))?;
    Ok(ProcessedPhoto {
        jpeg,
        width,
        height,
    })
}

/// JPEG has no transparency: put transparent pictures (screenshots, PNGs) on white rather than
/// letting their hidden colour show through.
fn flatten(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(px[3]);
        for c in 0..3 {
            out[c] = ((u16::from(px[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    rgb
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, Rgba, RgbaImage};
    use rstest::rstest;

    /// A real JPEG of `w` x `h` with some structure in it.
    pub(crate) fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// Puts an EXIF APP1 segment carrying a GPS position right after the JPEG's SOI marker, the
    /// way cameras do.
    pub(crate) fn with_gps_exif(jpeg: &[u8]) -> Vec<u8> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let mut payload = b"Exif\0\0".to_vec();
        // A little-endian TIFF header and a token GPS IFD; what matters is that it is there.
        payload.extend_from_slice(b"II*\0\x08\0\0\0");
        payload.extend_from_slice(b"GPSLatitude=31.2304N;GPSLongitude=121.4737E");
        let len = (payload.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    /// Whether a JPEG has an APP1 marker among its segments before the image data.
    fn has_app1(jpeg: &[u8]) -> bool {
        let mut i = 2;
        while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
            let marker = jpeg[i + 1];
            if marker == 0xE1 {
                return true;
            }
            if marker == 0xDA {
                return false;
            }
            let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
            i += 2 + len;
        }
        false
    }

    #[test]
    fn exif_with_gps_does_not_survive() {
        let input = with_gps_exif(&jpeg(400, 300));
        assert!(has_app1(&input), "the test input must carry EXIF");
        assert!(contains(&input, b"GPSLatitude"));
        let out = process(&input).unwrap();
        assert_eq!(&out.jpeg[..2], &[0xFF, 0xD8]);
        assert!(!has_app1(&out.jpeg));
        assert!(!contains(&out.jpeg, b"Exif"));
        assert!(!contains(&out.jpeg, b"GPS"));
        assert_eq!((out.width, out.height), (400, 300));
    }

    #[test]
    fn a_large_photo_is_scaled_to_1600_on_the_long_side() {
        let out = process(&jpeg(3000, 2000)).unwrap();
        assert_eq!((out.width, out.height), (1600, 1067));
        let decoded = image::load_from_memory_with_format(&out.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1600, 1067));
    }

    #[test]
    fn png_and_webp_are_accepted_and_become_jpeg() {
        let mut png = Vec::new();
        RgbaImage::from_pixel(20, 10, Rgba([255, 0, 0, 0]))
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let out = process(&png).unwrap();
        let decoded = image::load_from_memory_with_format(&out.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (20, 10));
        // Fully transparent red becomes white, not black or red.
        let px = decoded.to_rgb8().get_pixel(10, 5).0;
        assert!(px.iter().all(|&c| c > 240), "{px:?}");

        let mut webp = Vec::new();
        RgbImage::from_pixel(2000, 500, Rgb([0, 128, 0]))
            .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        let out = process(&webp).unwrap();
        assert_eq!((out.width, out.height), (1600, 400));
    }

    #[rstest]
    #[case::empty(b"".to_vec())]
    #[case::text(b"this is not a picture".to_vec())]
    #[case::truncated(jpeg(64, 64)[..100].to_vec())]
    fn bad_bytes_are_unreadable(#[case] input: Vec<u8>) {
        assert_eq!(
            process(&input).unwrap_err().code,
            ErrorCode::PhotoUnreadable
        );
    }

    #[rstest]
    #[case(3000, 2000, (1600, 1067))]
    #[case(2000, 3000, (1067, 1600))]
    #[case(1600, 1600, (1600, 1600))]
    #[case(800, 600, (800, 600))]
    #[case(100_000, 10, (1600, 1))]
    fn sizes_fit_the_limit(#[case] w: u32, #[case] h: u32, #[case] expected: (u32, u32)) {
        assert_eq!(fitted_size(w, h, MAX_SIDE), expected);
    }
}
