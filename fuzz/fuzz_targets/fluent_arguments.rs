//! Fluent arguments: every message of every language formatted with arguments the fuzzer
//! chooses (texts of any kind, numbers including NaN and infinities), plus the formatting the
//! app does around them: a moment at a UTC offset, an error with a wait, a field error with a
//! limit. Never a panic; a message given all its variables formats without complaint, and to
//! something (unless an argument it shows is empty).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use linli_api::ipc::Language;
use linli_api::{ApiError, ErrorCode, FieldError, FieldErrorCode};
use linli_i18n::{Arg, Localizer, message_shapes, sources};
use std::sync::OnceLock;
use time::{Duration, OffsetDateTime, UtcOffset};

#[derive(Arbitrary, Debug)]
enum Value<'a> {
    Str(&'a str),
    Num(f64),
}

/// A moment the platform may send (RFC 3339: years 0 to 9999), near where arithmetic on it
/// could go wrong: the present era, or seconds from either end of that range.
#[derive(Arbitrary, Debug)]
enum Moment {
    SinceUnixEpoch(i32),
    AfterYearZero(u32),
    BeforeYear10000(u32),
}

impl Moment {
    fn at(&self) -> OffsetDateTime {
        let first = time::macros::datetime!(0000-01-01 00:00:00 UTC);
        let last = time::macros::datetime!(9999-12-31 23:59:59.999999999 UTC);
        match *self {
            Moment::SinceUnixEpoch(s) => OffsetDateTime::UNIX_EPOCH + Duration::seconds(s.into()),
            Moment::AfterYearZero(s) => first + Duration::seconds(s.into()),
            Moment::BeforeYear10000(s) => last - Duration::seconds(s.into()),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    language: u8,
    message: u16,
    /// Values for the message's variables, in order; missing ones are left out.
    values: Vec<Value<'a>>,
    /// Arguments the message does not know, by name.
    extra: Vec<(&'a str, Value<'a>)>,
    /// A moment the platform sent, shown at the device's UTC offset (in seconds).
    moment: (Moment, i32),
    error: (u16, Option<u64>),
    field: (u16, Option<u32>),
}

struct Message {
    id: String,
    vars: Vec<String>,
    has_value: bool,
}

struct Speaker {
    localizer: Localizer,
    messages: Vec<Message>,
}

/// Every language with its messages and the variables each one's value uses.
fn speakers() -> &'static [Speaker] {
    static SPEAKERS: OnceLock<Vec<Speaker>> = OnceLock::new();
    SPEAKERS.get_or_init(|| {
        Language::ALL
            .into_iter()
            .map(|language| {
                let messages = sources(language)
                    .iter()
                    .flat_map(|source| message_shapes(source.text))
                    .map(|shape| Message {
                        id: shape.id,
                        vars: shape.variables.into_iter().collect(),
                        has_value: shape.has_value,
                    })
                    .collect();
                Speaker {
                    localizer: Localizer::new(language),
                    messages,
                }
            })
            .collect()
    })
}

fn arg<'a>(value: &Value<'a>) -> Arg<'a> {
    match value {
        Value::Str(s) => Arg::Str(s),
        Value::Num(n) => Arg::Num(*n),
    }
}

fuzz_target!(|input: Input<'_>| {
    let speakers = speakers();
    let speaker = &speakers[usize::from(input.language) % speakers.len()];
    let localizer = &speaker.localizer;
    let message = &speaker.messages[usize::from(input.message) % speaker.messages.len()];

    let mut args: Vec<(&str, Arg<'_>)> = message
        .vars
        .iter()
        .zip(&input.values)
        .map(|(name, value)| (name.as_str(), arg(value)))
        .collect();
    let complete = args.len() == message.vars.len();
    let shows_empty = args.iter().any(|(_, a)| matches!(a, Arg::Str("")));
    // Extra arguments are ones the message does not know: one named like its variable would
    // be a value for it, which `shows_empty` above did not look at.
    args.extend(
        input
            .extra
            .iter()
            .filter(|(name, _)| !message.vars.iter().any(|v| v == name))
            .map(|(name, value)| (*name, arg(value))),
    );

    let formatted = localizer.format_checked(&message.id, &args);
    assert_eq!(formatted.is_some(), message.has_value, "{}", message.id);
    if let Some((text, errors)) = formatted {
        if complete {
            assert_eq!(errors, 0, "{} with {args:?}: {text:?}", message.id);
        }
        if !shows_empty {
            assert!(!text.is_empty(), "{} with {args:?}", message.id);
        }
    }
    assert!(!localizer.text_with(&message.id, &args).is_empty() || shows_empty);

    let (moment, offset) = &input.moment;
    if let Ok(offset) = UtcOffset::from_whole_seconds(*offset) {
        assert!(!localizer.date_time(moment.at(), offset).is_empty());
    }

    let (code, wait) = input.error;
    let code = ErrorCode::ALL[usize::from(code) % ErrorCode::ALL.len()];
    let error = ApiError {
        retry_after_seconds: wait,
        ..ApiError::new(code, "")
    };
    assert!(!localizer.error(&error).is_empty());

    let (code, limit) = input.field;
    let code = FieldErrorCode::ALL[usize::from(code) % FieldErrorCode::ALL.len()];
    let field = match limit {
        Some(limit) => FieldError::with_limit("field", code, limit),
        None => FieldError::new("field", code),
    };
    assert!(!localizer.field_error(&field).is_empty());
});
