//! Bad input gets a problem document with a stable code, and field codes where a field is
//! at fault.

mod common;

use common::{TestPlatform, jpeg_bytes, leaking_pipe, ok_json, problem};
use linli_api::platform::{PhotoReceipt, Problem};
use linli_api::validate::MAX_PHOTO_BYTES;
use linli_api::{
    BuildingId, CommonAreaId, ErrorCode, FieldErrorCode, PhotoId, Place, Report, UnitId,
};
use linli_platform::demo;

fn fields(p: &Problem) -> Vec<(&str, FieldErrorCode, Option<u32>)> {
    p.errors
        .iter()
        .map(|e| (e.field.as_str(), e.code, e.limit))
        .collect()
}

#[tokio::test]
async fn every_bad_field_is_named_with_its_code() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let cases = [
        (
            {
                let mut r = leaking_pipe();
                r.category = "plumbing".into();
                r
            },
            vec![("category", FieldErrorCode::UnknownCategory, None)],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.place = Place::Unit {
                    unit_id: UnitId(2111), // the neighbour's
                };
                r
            },
            vec![("place.unit_id", FieldErrorCode::UnitNotYours, None)],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.place = Place::Building {
                    building_id: BuildingId(9),
                    spot: "楼顶".into(),
                };
                r
            },
            vec![("place.building_id", FieldErrorCode::UnknownPlace, None)],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.place = Place::CommonArea {
                    area_id: CommonAreaId(99),
                    spot: String::new(),
                };
                r
            },
            vec![("place.area_id", FieldErrorCode::UnknownPlace, None)],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.description = "漏水".into();
                r
            },
            vec![("description", FieldErrorCode::TooShort, Some(5))],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.photo_ids = (0..7).map(|_| PhotoId::new()).collect();
                r
            },
            vec![
                ("photos", FieldErrorCode::TooMany, Some(6)),
                ("photos", FieldErrorCode::UnknownPhoto, None),
            ],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.photo_ids = vec![PhotoId::new()]; // never uploaded
                r
            },
            vec![("photos", FieldErrorCode::UnknownPhoto, None)],
        ),
        (
            {
                let mut r = leaking_pipe();
                r.category = " ".into();
                r.description = String::new();
                r.place = Place::Building {
                    building_id: BuildingId(1),
                    spot: String::new(),
                };
                r
            },
            vec![
                ("category", FieldErrorCode::Required, None),
                ("description", FieldErrorCode::Required, None),
                ("place.spot", FieldErrorCode::Required, None),
            ],
        ),
    ];
    for (report, expected) in cases {
        let p = problem(
            t.file(&token, &report).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert_eq!(fields(&p), expected, "{report:?}");
    }
    let mine: Vec<Report> = ok_json(t.get(&token, "/v1/reports").await).await;
    assert!(mine.is_empty(), "nothing refused was filed");
}

#[tokio::test]
async fn a_neighbours_photo_cannot_be_attached() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let photo = PhotoId::new();
    assert_eq!(
        t.upload(&neighbour, photo, "image/jpeg", jpeg_bytes(1))
            .await
            .status(),
        201
    );
    let mut report = leaking_pipe();
    report.photo_ids = vec![photo];
    let p = problem(
        t.file(&resident, &report).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(fields(&p), [("photos", FieldErrorCode::UnknownPhoto, None)]);
}

#[tokio::test]
async fn the_place_label_reads_as_people_say_it() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let mut report = leaking_pipe();
    report.category = "public_facilities".into();
    report.description = "秋千的链条断了，孩子会摔".into();
    report.place = Place::CommonArea {
        area_id: CommonAreaId(1),
        spot: "  秋千旁 ".into(),
    };
    let filed: Report = ok_json(t.file(&token, &report).await).await;
    assert_eq!(filed.place_label, "中心花园 · 秋千旁");
    assert_eq!(
        filed.place,
        Place::CommonArea {
            area_id: CommonAreaId(1),
            spot: "秋千旁".into()
        }
    );
}

#[tokio::test]
async fn photos_must_really_be_jpeg_png_or_webp() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let webp = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0".to_vec();
    for (content_type, bytes) in [
        ("image/jpeg", b"this is text, not a photo".to_vec()),
        ("image/jpeg", png.clone()), // a real PNG, labelled as JPEG
        ("text/plain", jpeg_bytes(1)),
        ("image/gif", b"GIF89a\x01\0\x01\0".to_vec()),
        ("image/png", Vec::new()),
    ] {
        problem(
            t.upload(&token, PhotoId::new(), content_type, bytes).await,
            415,
            ErrorCode::UnsupportedMediaType,
        )
        .await;
    }
    for (content_type, bytes) in [
        ("image/png", png),
        ("image/webp", webp),
        ("image/jpeg; charset=binary", jpeg_bytes(2)),
    ] {
        let receipt: PhotoReceipt = ok_json(
            t.upload(&token, PhotoId::new(), content_type, bytes.clone())
                .await,
        )
        .await;
        assert_eq!(receipt.size, bytes.len() as u64);
        assert!(content_type.starts_with(&receipt.content_type));
    }
}

#[tokio::test]
async fn photos_over_ten_megabytes_are_refused() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let mut exact = jpeg_bytes(3);
    exact.resize(MAX_PHOTO_BYTES, 0);
    let fits = t.upload(&token, PhotoId::new(), "image/jpeg", exact).await;
    assert_eq!(fits.status(), 201);

    let mut big = jpeg_bytes(3);
    big.resize(MAX_PHOTO_BYTES + 1, 0);
    problem(
        t.upload(&token, PhotoId::new(), "image/jpeg", big.clone())
            .await,
        413,
        ErrorCode::PayloadTooLarge,
    )
    .await;

    // Sent in chunks without a length, the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    let streamed = t
        .http
        .put(t.url(&format!("/v1/photos/{}", PhotoId::new())))
        .bearer_auth(&token)
        .header("content-type", "image/jpeg")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    problem(streamed, 413, ErrorCode::PayloadTooLarge).await;
    let files = std::fs::read_dir(t.dir.path().join("photos"))
        .unwrap()
        .count();
    assert_eq!(
        files, 1,
        "only the photo that fitted is stored, no half files"
    );
}

#[tokio::test]
async fn uploading_the_same_photo_again_is_answered_other_bytes_conflict() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let other = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let id = PhotoId::new();
    let first = t.upload(&token, id, "image/jpeg", jpeg_bytes(4)).await;
    assert_eq!(first.status(), 201);
    let first: PhotoReceipt = first.json().await.unwrap();
    let again = t.upload(&token, id, "image/jpeg", jpeg_bytes(4)).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<PhotoReceipt>().await.unwrap(), first);
    problem(
        t.upload(&token, id, "image/jpeg", jpeg_bytes(5)).await,
        409,
        ErrorCode::Conflict,
    )
    .await;
    problem(
        t.upload(&other, id, "image/jpeg", jpeg_bytes(4)).await,
        409,
        ErrorCode::Conflict,
    )
    .await;
    let stored = t.get(&token, &format!("/v1/photos/{id}")).await;
    assert_eq!(
        stored.bytes().await.unwrap(),
        jpeg_bytes(4),
        "the first bytes stay"
    );
}

#[tokio::test]
async fn unreadable_requests_are_problems_too() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let report = leaking_pipe();
    let post = |body: String, content_type: &'static str| {
        t.http
            .post(t.url("/v1/reports"))
            .bearer_auth(&token)
            .header("Idempotency-Key", report.id.to_string())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let p = problem(
        post("{\"id\": ".into(), "application/json").await.unwrap(),
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    assert!(p.detail.contains("JSON"), "{}", p.detail);
    let mut wrong_enum = serde_json::to_value(&report).unwrap();
    wrong_enum["urgency"] = "whenever".into();
    problem(
        post(wrong_enum.to_string(), "application/json")
            .await
            .unwrap(),
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    problem(
        post(serde_json::to_string(&report).unwrap(), "text/plain")
            .await
            .unwrap(),
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    let mut huge = report.clone();
    huge.description = "水".repeat(30_000); // ~90 KB of JSON, over the 64 KB limit
    problem(
        post(serde_json::to_string(&huge).unwrap(), "application/json")
            .await
            .unwrap(),
        413,
        ErrorCode::PayloadTooLarge,
    )
    .await;

    problem(
        t.get(&token, "/v1/nothing-here").await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    problem(
        t.get(&token, "/v1/reports/not-a-uuid").await,
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
    let wrong_method = t
        .http
        .patch(t.url("/v1/reports"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.headers()["content-type"],
        "application/problem+json"
    );
}
