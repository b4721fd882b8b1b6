//! Input rules shared by the UI, the core and the platform. Each returns every problem it finds
//! (not just the first), so a form can mark all its fields at once.

use crate::Timestamp;
use crate::error::{FieldError, FieldErrorCode};
use crate::ids::PhotoId;
use crate::platform::{Catalogue, HandOff, Resolution};
use crate::report::{Party, Place, Rating, ReportDraft};

/// Fewest characters a description may have: enough to say what is wrong.
pub const DESCRIPTION_MIN_CHARS: usize = 5;
/// Most characters a description may have.
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// Most characters for "where in the building / area".
pub const SPOT_MAX_CHARS: usize = 100;
/// Most photos on one report.
pub const MAX_PHOTOS: usize = 6;
/// Largest photo the platform accepts, in bytes (after the device has resized it, photos are
/// far smaller; this bounds what other clients may send).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Fewest characters of a staff note on a status change.
pub const NOTE_MIN_CHARS: usize = 2;
/// Most characters of a staff note.
pub const NOTE_MAX_CHARS: usize = 500;
/// Most characters of a comment on a report.
pub const COMMENT_MAX_CHARS: usize = 1000;
/// Most photos on one comment.
pub const MAX_COMMENT_PHOTOS: usize = 3;
/// How far back the duplicate check looks for open reports of the same kind and place.
pub const SIMILAR_REPORT_DAYS: i64 = 14;

fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

fn length(field: &str, value: &str, min: usize, max: usize, errors: &mut Vec<FieldError>) {
    let n = chars(value);
    if n == 0 && min > 0 {
        errors.push(FieldError::new(field, FieldErrorCode::Required));
    } else if n < min {
        errors.push(FieldError::with_limit(
            field,
            FieldErrorCode::TooShort,
            min as u32,
        ));
    } else if n > max {
        errors.push(FieldError::with_limit(
            field,
            FieldErrorCode::TooLong,
            max as u32,
        ));
    }
}

/// Normalises a phone number typed by a person: drops spaces, dashes and a leading `+86`.
pub fn normalise_phone(input: &str) -> String {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    digits.strip_prefix("+86").unwrap_or(&digits).to_string()
}

/// A mainland China mobile number: 11 digits starting with 1 (after [`normalise_phone`]).
pub fn validate_phone(input: &str) -> Result<String, FieldError> {
    let phone = normalise_phone(input);
    let ok =
        phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit());
    if phone.is_empty() {
        Err(FieldError::new("phone", FieldErrorCode::Required))
    } else if ok {
        Ok(phone)
    } else {
        Err(FieldError::new("phone", FieldErrorCode::InvalidPhone))
    }
}

/// A one-time code: exactly six digits (spaces ignored).
pub fn validate_code(input: &str) -> Result<String, FieldError> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        Err(FieldError::new("code", FieldErrorCode::Required))
    } else if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(FieldError::new("code", FieldErrorCode::InvalidCode))
    }
}

/// Everything wrong with a draft that would stop it being submitted, judged without knowing
/// the catalogue (whether the category or unit exists is the platform's and core's check).
pub fn validate_draft(draft: &ReportDraft) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match draft.category.as_deref().map(str::trim) {
        None | Some("") => errors.push(FieldError::new("category", FieldErrorCode::Required)),
        Some(_) => {}
    }
    length(
        "description",
        &draft.description,
        DESCRIPTION_MIN_CHARS,
        DESCRIPTION_MAX_CHARS,
        &mut errors,
    );
    match &draft.place {
        None => errors.push(FieldError::new("place", FieldErrorCode::Required)),
        Some(Place::Building { spot, .. }) => {
            length("place.spot", spot, 1, SPOT_MAX_CHARS, &mut errors)
        }
        Some(Place::CommonArea { spot, .. }) => {
            length("place.spot", spot, 0, SPOT_MAX_CHARS, &mut errors)
        }
        Some(Place::Unit { .. }) => {}
    }
    if draft.photo_ids.len() > MAX_PHOTOS {
        errors.push(FieldError::with_limit(
            "photos",
            FieldErrorCode::TooMany,
            MAX_PHOTOS as u32,
        ));
    }
    errors
}

/// Everything wrong with a draft that only the catalogue can tell: a category that does not
/// exist, a unit that is not the person's, a building or common area outside their estate.
/// Field names are the platform's (`category`, `place.unit_id`, `place.building_id`,
/// `place.area_id`). A missing category or place is left to [`validate_draft`], so the two
/// together never report one field twice.
pub fn against_catalogue(draft: &ReportDraft, catalogue: &Catalogue) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(code) = draft.category.as_deref().map(str::trim)
        && !code.is_empty()
        && !catalogue.categories.iter().any(|c| c.code == code)
    {
        errors.push(FieldError::new("category", FieldErrorCode::UnknownCategory));
    }
    let place_error = match &draft.place {
        Some(Place::Unit { unit_id }) if !catalogue.units.iter().any(|u| u.id == *unit_id) => {
            Some(("place.unit_id", FieldErrorCode::UnitNotYours))
        }
        Some(Place::Building { building_id, .. })
            if !catalogue.buildings.iter().any(|b| b.id == *building_id) =>
        {
            Some(("place.building_id", FieldErrorCode::UnknownPlace))
        }
        Some(Place::CommonArea { area_id, .. })
            if !catalogue.common_areas.iter().any(|a| a.id == *area_id) =>
        {
            Some(("place.area_id", FieldErrorCode::UnknownPlace))
        }
        _ => None,
    };
    if let Some((field, code)) = place_error {
        errors.push(FieldError::new(field, code));
    }
    errors
}

/// A staff note on a status change: required, 2 to 500 characters.
pub fn validate_note(note: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    length("note", note, NOTE_MIN_CHARS, NOTE_MAX_CHARS, &mut errors);
    errors
}

/// Most characters of the comment on a rating.
pub const RATING_COMMENT_MAX_CHARS: usize = 300;
/// The best mark of a rating aspect (the worst is 1).
pub const RATING_MAX: u8 = 5;
/// Days after resolution without an answer from the reporter before a report closes by itself.
pub const AUTO_CLOSE_DAYS: i64 = 7;
/// Days after closing during which the reporter may still reopen a report.
pub const REOPEN_DAYS: i64 = 30;

/// A rating: each aspect 1 to [`RATING_MAX`] (0 means not chosen yet), the comment at most
/// [`RATING_COMMENT_MAX_CHARS`]. Field names are the request's (`attitude`, `quality`,
/// `speed`, `comment`).
pub fn validate_rating(rating: &Rating) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, mark) in [
        ("attitude", rating.attitude),
        ("quality", rating.quality),
        ("speed", rating.speed),
    ] {
        if mark == 0 {
            errors.push(FieldError::new(field, FieldErrorCode::Required));
        } else if mark > RATING_MAX {
            errors.push(FieldError::new(field, FieldErrorCode::InvalidChoice));
        }
    }
    length(
        "comment",
        &rating.comment,
        0,
        RATING_COMMENT_MAX_CHARS,
        &mut errors,
    );
    errors
}

/// A reason (for reopening or handing on): required, 2 to 500 characters, like a staff note.
pub fn validate_reason(reason: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    length(
        "reason",
        reason,
        NOTE_MIN_CHARS,
        NOTE_MAX_CHARS,
        &mut errors,
    );
    errors
}

/// A resolution: a note (required) and at most [`MAX_PHOTOS`] photos, none twice.
pub fn validate_resolution(resolution: &Resolution) -> Vec<FieldError> {
    let mut errors = validate_note(&resolution.note);
    let photos = &resolution.photo_ids;
    if photos.len() > MAX_PHOTOS {
        errors.push(FieldError::with_limit(
            "photos",
            FieldErrorCode::TooMany,
            MAX_PHOTOS as u32,
        ));
    } else if photos
        .iter()
        .enumerate()
        .any(|(i, id)| photos[..i].contains(id))
    {
        errors.push(FieldError::new("photos", FieldErrorCode::UnknownPhoto));
    }
    errors
}

/// A hand-off from the party that has the report (`holder`): a party to hand it to, not the
/// holder itself, and a reason.
pub fn validate_hand_off(hand_off: &HandOff, holder: Party) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match hand_off.to {
        None => errors.push(FieldError::new("to", FieldErrorCode::Required)),
        Some(to) if to == holder => errors.push(FieldError::new("to", FieldErrorCode::SameParty)),
        Some(_) => {}
    }
    errors.extend(validate_reason(&hand_off.reason));
    errors
}

/// A period for the board: the end after the start.
pub fn validate_period(from: Timestamp, to: Timestamp) -> Vec<FieldError> {
    if to > from {
        Vec::new()
    } else {
        vec![FieldError::new("to", FieldErrorCode::EndBeforeStart)]
    }
}

/// A comment on a report: some words (not only spaces), at most [`COMMENT_MAX_CHARS`], and at
/// most [`MAX_COMMENT_PHOTOS`] photos, none twice. Field names are the request's (`body`,
/// `photos`).
pub fn validate_comment(body: &str, photo_ids: &[PhotoId]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    length("body", body, 1, COMMENT_MAX_CHARS, &mut errors);
    if photo_ids.len() > MAX_COMMENT_PHOTOS {
        errors.push(FieldError::with_limit(
            "photos",
            FieldErrorCode::TooMany,
            MAX_COMMENT_PHOTOS as u32,
        ));
    } else if photo_ids
        .iter()
        .enumerate()
        .any(|(i, id)| photo_ids[..i].contains(id))
    {
        errors.push(FieldError::new("photos", FieldErrorCode::UnknownPhoto));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BuildingId, CommonAreaId, UnitId};
    use crate::platform::{BuildingRef, CommonAreaRef, UnitRef};
    use crate::report::{Category, Party};
    use proptest::prelude::*;
    use rstest::rstest;

    fn good_draft() -> ReportDraft {
        ReportDraft {
            category: Some("water_plumbing".into()),
            description: "厨房水管漏水".into(),
            place: Some(Place::Unit { unit_id: UnitId(1) }),
            ..Default::default()
        }
    }

    #[rstest]
    #[case("13800138000", "13800138000")]
    #[case("138 0013 8000", "13800138000")]
    #[case("+86 138-0013-8000", "13800138000")]
    fn phones_are_normalised(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(validate_phone(input).unwrap(), expected);
    }

    #[rstest]
    #[case("", FieldErrorCode::Required)]
    #[case("1380013800", FieldErrorCode::InvalidPhone)]
    #[case("23800138000", FieldErrorCode::InvalidPhone)]
    #[case("1380013800a", FieldErrorCode::InvalidPhone)]
    fn bad_phones_are_refused(#[case] input: &str, #[case] code: FieldErrorCode) {
        assert_eq!(validate_phone(input).unwrap_err().code, code);
    }

    #[rstest]
    #[case("123456", true)]
    #[case("123 456", true)]
    #[case("12345", false)]
    #[case("1234567", false)]
    #[case("12345a", false)]
    fn codes_are_six_digits(#[case] input: &str, #[case] ok: bool) {
        assert_eq!(validate_code(input).is_ok(), ok);
    }

    #[test]
    fn a_complete_draft_is_valid() {
        assert_eq!(validate_draft(&good_draft()), vec![]);
    }

    #[test]
    fn an_empty_draft_names_every_missing_field() {
        let fields: Vec<_> = validate_draft(&ReportDraft::default())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["category", "description", "place"]);
    }

    #[test]
    fn description_bounds_count_characters_not_bytes() {
        let mut d = good_draft();
        d.description = "水管漏".into(); // 3 chars, 9 bytes
        assert_eq!(
            validate_draft(&d),
            vec![FieldError::with_limit(
                "description",
                FieldErrorCode::TooShort,
                5
            )]
        );
        d.description = "漏".repeat(DESCRIPTION_MAX_CHARS);
        assert_eq!(validate_draft(&d), vec![]);
        d.description.push('水');
        assert_eq!(validate_draft(&d)[0].code, FieldErrorCode::TooLong);
    }

    #[test]
    fn building_places_need_a_spot_and_photos_are_capped() {
        let mut d = good_draft();
        d.place = Some(Place::Building {
            building_id: BuildingId(1),
            spot: "  ".into(),
        });
        d.photo_ids = (0..7).map(|_| PhotoId::new()).collect();
        let codes: Vec<_> = validate_draft(&d)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("place.spot".to_string(), FieldErrorCode::Required),
                ("photos".to_string(), FieldErrorCode::TooMany)
            ]
        );
    }

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

    fn placed(category: &str, place: Place) -> ReportDraft {
        ReportDraft {
            category: Some(category.into()),
            description: "楼道灯坏了好几天".into(),
            place: Some(place),
            ..Default::default()
        }
    }

    #[rstest]
    #[case::own_unit(Place::Unit { unit_id: UnitId(3) })]
    #[case::building(Place::Building { building_id: BuildingId(1), spot: "电梯".into() })]
    #[case::area(Place::CommonArea { area_id: CommonAreaId(9), spot: String::new() })]
    fn known_categories_and_places_pass(#[case] place: Place) {
        assert_eq!(
            against_catalogue(&placed(" water_plumbing ", place), &catalogue()),
            vec![]
        );
    }

    #[rstest]
    #[case::someone_elses_unit(Place::Unit { unit_id: UnitId(4) }, "place.unit_id", FieldErrorCode::UnitNotYours)]
    #[case::other_estate_building(Place::Building { building_id: BuildingId(2), spot: "门口".into() }, "place.building_id", FieldErrorCode::UnknownPlace)]
    #[case::unknown_area(Place::CommonArea { area_id: CommonAreaId(1), spot: String::new() }, "place.area_id", FieldErrorCode::UnknownPlace)]
    fn places_outside_the_catalogue_are_named_by_their_field(
        #[case] place: Place,
        #[case] field: &str,
        #[case] code: FieldErrorCode,
    ) {
        assert_eq!(
            against_catalogue(&placed("water_plumbing", place), &catalogue()),
            vec![FieldError::new(field, code)]
        );
    }

    #[test]
    fn an_unknown_category_and_a_foreign_unit_are_both_reported() {
        let d = placed("teleportation", Place::Unit { unit_id: UnitId(4) });
        assert_eq!(
            against_catalogue(&d, &catalogue()),
            vec![
                FieldError::new("category", FieldErrorCode::UnknownCategory),
                FieldError::new("place.unit_id", FieldErrorCode::UnitNotYours)
            ]
        );
    }

    #[test]
    fn missing_fields_are_left_to_the_shared_rules() {
        // validate_draft already says "required"; the catalogue must not add a second error.
        let empty = ReportDraft {
            category: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(against_catalogue(&empty, &catalogue()), vec![]);
        assert_eq!(
            against_catalogue(&ReportDraft::default(), &Catalogue::default()),
            vec![]
        );
    }

    #[rstest]
    #[case::words("水还在漏", vec![])]
    #[case::padded("  好的，谢谢  ", vec![])]
    #[case::empty("", vec![FieldError::new("body", FieldErrorCode::Required)])]
    #[case::only_spaces(" \n\t　", vec![FieldError::new("body", FieldErrorCode::Required)])]
    fn comment_bodies_need_words(#[case] body: &str, #[case] expected: Vec<FieldError>) {
        assert_eq!(validate_comment(body, &[]), expected);
    }

    #[test]
    fn comment_length_counts_characters_and_photos_are_capped_and_distinct() {
        let longest = "漏".repeat(COMMENT_MAX_CHARS);
        assert_eq!(validate_comment(&longest, &[]), vec![]);
        assert_eq!(
            validate_comment(&format!("{longest}水"), &[]),
            vec![FieldError::with_limit(
                "body",
                FieldErrorCode::TooLong,
                COMMENT_MAX_CHARS as u32
            )]
        );
        let photos: Vec<_> = (0..MAX_COMMENT_PHOTOS).map(|_| PhotoId::new()).collect();
        assert_eq!(validate_comment("看图", &photos), vec![]);
        let mut too_many = photos.clone();
        too_many.push(PhotoId::new());
        assert_eq!(
            validate_comment("看图", &too_many)[0].code,
            FieldErrorCode::TooMany
        );
        let twice = [photos[0], photos[0]];
        assert_eq!(
            validate_comment("看图", &twice),
            vec![FieldError::new("photos", FieldErrorCode::UnknownPhoto)]
        );
    }

    fn rating(attitude: u8, quality: u8, speed: u8, comment: &str) -> Rating {
        Rating {
            attitude,
            quality,
            speed,
            comment: comment.into(),
        }
    }

    #[test]
    fn ratings_take_one_to_five_per_aspect() {
        assert_eq!(validate_rating(&rating(1, 5, 3, "")), vec![]);
        assert_eq!(
            validate_rating(&rating(0, 6, 5, "")),
            vec![
                FieldError::new("attitude", FieldErrorCode::Required),
                FieldError::new("quality", FieldErrorCode::InvalidChoice)
            ]
        );
        let longest = "好".repeat(RATING_COMMENT_MAX_CHARS);
        assert_eq!(validate_rating(&rating(5, 5, 5, &longest)), vec![]);
        assert_eq!(
            validate_rating(&rating(5, 5, 5, &format!("{longest}!"))),
            vec![FieldError::with_limit(
                "comment",
                FieldErrorCode::TooLong,
                RATING_COMMENT_MAX_CHARS as u32
            )]
        );
    }

    #[rstest]
    #[case::fine(Some(Party::StreetOffice), "需要街道协调", vec![])]
    #[case::to_nobody(None, "需要街道协调", vec![FieldError::new("to", FieldErrorCode::Required)])]
    #[case::to_itself(Some(Party::PropertyCompany), "需要街道协调", vec![FieldError::new("to", FieldErrorCode::SameParty)])]
    #[case::no_reason(Some(Party::Community), "  ", vec![FieldError::new("reason", FieldErrorCode::Required)])]
    fn hand_offs_name_another_party_and_a_reason(
        #[case] to: Option<Party>,
        #[case] reason: &str,
        #[case] expected: Vec<FieldError>,
    ) {
        let hand_off = HandOff {
            to,
            reason: reason.into(),
        };
        assert_eq!(
            validate_hand_off(&hand_off, Party::PropertyCompany),
            expected
        );
    }

    #[test]
    fn resolutions_need_a_note_and_distinct_photos() {
        let photo = PhotoId::new();
        let ok = Resolution {
            note: "已更换水管".into(),
            photo_ids: vec![photo],
        };
        assert_eq!(validate_resolution(&ok), vec![]);
        let bad = Resolution {
            note: String::new(),
            photo_ids: vec![photo, photo],
        };
        assert_eq!(
            validate_resolution(&bad),
            vec![
                FieldError::new("note", FieldErrorCode::Required),
                FieldError::new("photos", FieldErrorCode::UnknownPhoto)
            ]
        );
        assert_eq!(validate_reason("x")[0].code, FieldErrorCode::TooShort);
    }

    #[test]
    fn a_period_ends_after_it_starts() {
        let t = time::OffsetDateTime::UNIX_EPOCH;
        assert_eq!(validate_period(t, t + time::Duration::days(1)), vec![]);
        assert_eq!(
            validate_period(t, t),
            vec![FieldError::new("to", FieldErrorCode::EndBeforeStart)]
        );
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_is_stable(desc in ".{0,1200}", spot in ".{0,120}") {
            let mut d = good_draft();
            d.description = desc;
            d.place = Some(Place::Building { building_id: BuildingId(2), spot });
            let first = validate_draft(&d);
            prop_assert_eq!(first, validate_draft(&d));
        }

        #[test]
        fn any_eleven_digit_number_starting_with_one_is_a_phone(rest in "[0-9]{10}") {
            let phone = format!("1{rest}");
            prop_assert_eq!(validate_phone(&phone).unwrap(), phone);
        }
    }
}
