//! Every JSON body the platform accepts, decoded as the handlers decode it (serde_json) and
//! put through the same checks the handlers then apply (`linli_api::validate`, and for a
//! report the resident's catalogue and place label). The input is one JSON text, tried as
//! every body type: sign-in, a report, a status change, a resolution, a reopening, a rating,
//! a hand-off, a comment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_api::platform::{
    Catalogue, HandOff, NewComment, NewReport, OtpRequest, Reopening, Resolution, SignInRequest,
    StatusChange,
};
use linli_api::validate::{self, DESCRIPTION_MAX_CHARS, DESCRIPTION_MIN_CHARS, MAX_PHOTOS};
use linli_api::{FieldError, Party, Rating, ReportStatus};
use linli_platform::store::{SqliteStore, Store};
use linli_platform::{auth, demo, report};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;

/// The main demo resident's catalogue, as the platform checks their reports against it.
fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let store = SqliteStore::open_in_memory().expect("a store");
        store.seed_if_empty(&demo::seed()).expect("the demo estate");
        let user = store
            .user_by_phone(demo::RESIDENT_PHONE)
            .unwrap()
            .expect("the resident");
        let now = time::OffsetDateTime::now_utc();
        let token = "fuzz-resident";
        store
            .create_session(
                &auth::otp::hash_token(token),
                user.id,
                now,
                now + time::Duration::days(1),
            )
            .unwrap();
        let caller = auth::authenticate(&store, now, token).expect("signed in");
        report::catalogue(&store, &caller).expect("a catalogue")
    })
}

/// Decodes `text` as a `T`; what decodes must encode and decode to the same value again
/// (the platform keeps and sends back what it read).
fn decode<T>(text: &str) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let value: T = serde_json::from_str(text).ok()?;
    let again = serde_json::to_string(&value).expect("a decoded body encodes");
    let back: T = serde_json::from_str(&again).expect("an encoded body decodes");
    assert_eq!(back, value, "{again}");
    Some(value)
}

fn well_formed(errors: &[FieldError]) {
    for e in errors {
        assert!(!e.field.is_empty(), "{e:?}");
    }
}

fn chars(text: &str) -> usize {
    text.trim().chars().count()
}

fn check_phone(phone: &str) {
    if let Ok(normal) = validate::validate_phone(phone) {
        assert_eq!(normal.len(), 11, "{normal:?}");
        assert!(normal.starts_with('1') && normal.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(validate::validate_phone(&normal), Ok(normal.clone()));
    }
}

fn check_code(code: &str) {
    if let Ok(normal) = validate::validate_code(code) {
        assert!(normal.len() == 6 && normal.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(validate::validate_code(&normal), Ok(normal.clone()));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Some(otp) = decode::<OtpRequest>(text) {
        check_phone(&otp.phone);
    }
    if let Some(sign_in) = decode::<SignInRequest>(text) {
        check_phone(&sign_in.phone);
        check_code(&sign_in.code);
    }
    if let Some(new) = decode::<NewReport>(text) {
        // As `report::file_report` builds its draft.
        let draft = new.as_draft();
        let errors = validate::validate_draft(&draft);
        well_formed(&errors);
        if errors.is_empty() {
            let n = chars(&new.description);
            assert!((DESCRIPTION_MIN_CHARS..=DESCRIPTION_MAX_CHARS).contains(&n));
            assert!(new.photo_ids.len() <= MAX_PHOTOS);
            assert!(!new.category.trim().is_empty());
        }
        let known = catalogue();
        let errors = validate::against_catalogue(&draft, known);
        well_formed(&errors);
        let label = report::place::place_label(
            &new.place,
            &known.units,
            &known.buildings,
            &known.common_areas,
        );
        if errors.is_empty() {
            assert!(
                label.is_some(),
                "a known place has a label: {:?}",
                new.place
            );
        }
    }
    if let Some(change) = decode::<StatusChange>(text) {
        well_formed(&validate::validate_note(&change.note));
        for from in ReportStatus::ALL {
            let _ = from.can_move_to(change.status);
        }
    }
    if let Some(resolution) = decode::<Resolution>(text) {
        well_formed(&validate::validate_resolution(&resolution));
    }
    if let Some(reopening) = decode::<Reopening>(text) {
        well_formed(&validate::validate_reason(&reopening.reason));
    }
    if let Some(rating) = decode::<Rating>(text) {
        let errors = validate::validate_rating(&rating);
        well_formed(&errors);
        if errors.is_empty() {
            for mark in [rating.attitude, rating.quality, rating.speed] {
                assert!((1..=validate::RATING_MAX).contains(&mark));
            }
        }
    }
    if let Some(hand_off) = decode::<HandOff>(text) {
        for holder in Party::ALL {
            let errors = validate::validate_hand_off(&hand_off, holder);
            well_formed(&errors);
            if errors.is_empty() {
                assert!(hand_off.to.is_some_and(|to| to != holder));
            }
        }
    }
    if let Some(comment) = decode::<NewComment>(text) {
        well_formed(&validate::validate_comment(
            &comment.body,
            &comment.photo_ids,
        ));
    }
});
