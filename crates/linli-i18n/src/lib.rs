//! The words Linli shows, in every language it speaks.
//!
//! Messages are Fluent files under `locales/<tag>/`, embedded in the binary at compile time so
//! the app needs no files at run time. The UI (wasm) and the core (notifications) both read
//! them through a [`Localizer`].
//!
//! A message id that is missing comes back as the id itself, so a gap shows up on screen as
//! `report-submit` rather than as nothing; the tests of this crate make sure no such gap ships.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use linli_api::{ApiError, FieldError};
use std::sync::{Mutex, MutexGuard, PoisonError};
use time::{OffsetDateTime, UtcOffset};
use unic_langid::LanguageIdentifier;

pub use linli_api::ipc::Language;
pub use syntax::{MessageShape, message_shapes};

mod syntax;

/// One embedded `.ftl` file.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    /// File name inside the language's folder, e.g. `report.ftl`.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

// Paths are relative to this file; `concat!` keeps one list of names per language.
macro_rules! locale_files {
    ($tag:literal: $($file:literal),+ $(,)?) => {
        &[$(Source {
            file: $file,
            text: include_str!(concat!("../../../locales/", $tag, "/", $file)),
        }),+]
    };
}

// The order is the order of parsing (see [`Localizer`]): the frame's words and the first
// screens' (sign-in, home) come first, so start-up parses only those.
const ZH_CN: &[Source] = locale_files!("zh-CN":
    "app.ftl", "sign-in.ftl", "home.ftl", "report.ftl", "settings.ftl", "errors.ftl",
    "notifications.ftl", "follow-up.ftl");
const ZH_TW: &[Source] = locale_files!("zh-TW":
    "app.ftl", "sign-in.ftl", "home.ftl", "report.ftl", "settings.ftl", "errors.ftl",
    "notifications.ftl", "follow-up.ftl");
const EN: &[Source] = locale_files!("en":
    "app.ftl", "sign-in.ftl", "home.ftl", "report.ftl", "settings.ftl", "errors.ftl",
    "notifications.ftl", "follow-up.ftl");

/// The embedded files of a language. A language without its own files yet speaks Chinese.
pub fn sources(language: Language) -> &'static [Source] {
    match language {
        Language::En => EN,
        Language::ZhTw => ZH_TW,
        _ => ZH_CN,
    }
}

/// A value put into a message: text, or a number (numbers drive plural forms).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg<'a> {
    /// Text, shown as is.
    Str(&'a str),
    /// A number; Fluent picks plural forms by it.
    Num(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

macro_rules! num_arg {
    ($($t:ty),+) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Num(n as f64)
            }
        }
    )+};
}
num_arg!(i32, i64, u32, u64, usize, f64);

/// Formats messages of one language.
///
/// Its files are parsed when first needed, in the order [`sources`] lists them: a message
/// that is not known yet makes the next file be parsed, until it is found or every file has
/// been. The first screen needs only the first few small files, so starting the app does not
/// wait for every message of every screen to be parsed (a tenth of the UI's start-up work on
/// a slow device, issue 5). Messages never refer to other messages, so a message needs only
/// its own file.
pub struct Localizer {
    language: Language,
    parsed: Mutex<Parsed>,
}

/// The messages of the files parsed so far.
struct Parsed {
    bundle: FluentBundle<FluentResource>,
    /// How many of the language's files are in `bundle`.
    files: usize,
}

impl Parsed {
    /// Parses the next file into the bundle; `false` when every file already is.
    fn parse_next(&mut self, language: Language) -> bool {
        let Some(source) = sources(language).get(self.files) else {
            return false;
        };
        self.files += 1;
        let resource = match FluentResource::try_new(source.text.to_string()) {
            Ok(r) => r,
            Err((partial, _)) => partial,
        };
        // Duplicate ids across files: keep the first, as the tests forbid duplicates anyway.
        let _ = self.bundle.add_resource(resource);
        true
    }

    /// Parses files until one holds `id`; `false` when none does.
    fn find(&mut self, id: &str, language: Language) -> bool {
        while !self.bundle.has_message(id) {
            if !self.parse_next(language) {
                return false;
            }
        }
        true
    }
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Localizer {
    /// A localizer for the embedded messages of `language` (parsed as they are needed).
    ///
    /// A file with a syntax error still contributes every message that parsed: the tests keep
    /// such files from shipping, and a running app should show what it can rather than stop.
    pub fn new(language: Language) -> Self {
        let langid: LanguageIdentifier = language.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Isolation marks (U+2068/U+2069) around arguments are invisible in most fonts but
        // confuse screen readers, copy and paste, and tests; our arguments never mix scripts
        // in a way that needs them.
        bundle.set_use_isolating(false);
        Self {
            language,
            parsed: Mutex::new(Parsed { bundle, files: 0 }),
        }
    }

    /// The language this localizer speaks.
    pub fn language(&self) -> Language {
        self.language
    }

    /// How many of the language's files have been parsed so far.
    pub fn files_parsed(&self) -> usize {
        self.parsed().files
    }

    fn parsed(&self) -> MutexGuard<'_, Parsed> {
        // A panic while formatting leaves the bundle whole (it is only added to), so a
        // poisoned lock is still good to read.
        self.parsed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a message with this id exists.
    pub fn has(&self, id: &str) -> bool {
        self.parsed().find(id, self.language)
    }

    /// The text of a message without arguments; the id itself when there is no such message.
    pub fn text(&self, id: &str) -> String {
        self.text_with(id, &[])
    }

    /// The text of a message with arguments; the id itself when there is no such message.
    pub fn text_with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.format(id, args).unwrap_or_else(|| id.to_string())
    }

    /// Formats a message, reporting Fluent's complaints (an unknown variable, say) as well.
    /// `None` when there is no message with this id or it has no value.
    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
        self.format_checked(id, args).map(|(text, _)| text)
    }

    /// Like [`Localizer::format`], also returning how many errors Fluent met while formatting.
    pub fn format_checked(&self, id: &str, args: &[(&str, Arg<'_>)]) -> Option<(String, usize)> {
        let mut parsed = self.parsed();
        if !parsed.find(id, self.language) {
            return None;
        }
        let bundle = &parsed.bundle;
        let message = bundle.get_message(id)?;
        let pattern = message.value()?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Str(s) => fluent_args.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned();
        Some((text, errors.len()))
    }

    /// An error explained to a person: the message for its code, and when to try again if the
    /// platform said so.
    pub fn error(&self, error: &ApiError) -> String {
        let text = self.text(&error.code.message_id());
        match error.retry_after_seconds {
            Some(seconds) => {
                let wait = self.text_with("error-retry-after", &[("seconds", seconds.into())]);
                format!("{text} {wait}")
            }
            None => text,
        }
    }

    /// A moment as a person reads it, at their UTC offset: "2025年11月29日 18:04",
    /// "29 Nov 2025, 18:04".
    pub fn date_time(&self, at: OffsetDateTime, offset: UtcOffset) -> String {
        // The last hours of year 9999 (or the first of year 0) do not exist at every offset:
        // such a moment, which only a broken or hostile platform sends, is shown at the offset
        // it came with rather than taking the screen down.
        let local = at.checked_to_offset(offset).unwrap_or(at);
        let clock = format!("{:02}:{:02}", local.hour(), local.minute());
        self.text_with(
            "date-time",
            &[
                ("year", local.year().into()),
                ("month", u32::from(u8::from(local.month())).into()),
                ("day", u32::from(local.day()).into()),
                ("time", Arg::Str(&clock)),
            ],
        )
    }

    /// Why one field is invalid, with the limit it crossed where there is one.
    pub fn field_error(&self, error: &FieldError) -> String {
        let id = error.code.message_id();
        match error.limit {
            Some(limit) => self.text_with(&id, &[("limit", limit.into())]),
            None => self.text(&id),
        }
    }
}

/// Message ids of the contract's enums, so the UI and the tests build them the same way.
pub mod ids {
    use linli_api::ipc::{Delivery, Language};
    use linli_api::platform::EmergencyService;
    use linli_api::{NextStep, Party, ReportStatus, TimelineKind, Urgency};

    /// `urgency-routine`, ...
    pub fn urgency(urgency: Urgency) -> String {
        format!("urgency-{}", urgency.as_str().replace('_', "-"))
    }

    /// A longer explanation of an urgency, for the form: `urgency-routine-hint`, ...
    pub fn urgency_hint(urgency: Urgency) -> String {
        format!("{}-hint", self::urgency(urgency))
    }

    /// `status-received`, `status-in-progress`, ...
    pub fn status(status: ReportStatus) -> String {
        format!("status-{}", status.as_str().replace('_', "-"))
    }

    /// `party-property-company`, ...
    pub fn party(party: Party) -> String {
        format!("party-{}", party.as_str().replace('_', "-"))
    }

    /// The short label of an outbox state: `delivery-draft`, `delivery-queued`, ...
    /// Sending takes `$percent`, delivered takes `$number`, rejected takes `$reason`.
    pub fn delivery(delivery: &Delivery) -> &'static str {
        match delivery {
            Delivery::Draft => "delivery-draft",
            Delivery::Queued { .. } => "delivery-queued",
            Delivery::Sending { .. } => "delivery-sending",
            Delivery::Delivered { .. } => "delivery-delivered",
            Delivery::Rejected { .. } => "delivery-rejected",
        }
    }

    /// A language's name in that language (settings list each in its own words).
    pub fn language_name(language: Language) -> String {
        format!("language-name-{}", language.tag())
    }

    /// What happens next to a report, for its page: `next-step-respond`, ... Takes `$party`
    /// (the handling party's name) and `$date`.
    pub fn next_step(step: NextStep) -> &'static str {
        match step {
            NextStep::Respond => "next-step-respond",
            NextStep::Resolve => "next-step-resolve",
            NextStep::Confirm => "next-step-confirm",
            NextStep::Nothing => "next-step-nothing",
        }
    }

    /// Every next step, for completeness tests.
    pub const NEXT_STEPS: [NextStep; 4] = [
        NextStep::Respond,
        NextStep::Resolve,
        NextStep::Confirm,
        NextStep::Nothing,
    ];

    /// The heading of a timeline entry: `timeline-filed`, `timeline-handed-off`, ...
    /// Handed off takes `$from` and `$to`; status changed takes `$status`.
    pub fn timeline(kind: TimelineKind) -> String {
        format!("timeline-{}", kind.as_str().replace('_', "-"))
    }

    /// Every timeline kind, for completeness tests.
    pub const TIMELINE_KINDS: [TimelineKind; 8] = [
        TimelineKind::Filed,
        TimelineKind::StatusChanged,
        TimelineKind::HandedOff,
        TimelineKind::Resolved,
        TimelineKind::Confirmed,
        TimelineKind::Reopened,
        TimelineKind::ClosedAutomatically,
        TimelineKind::Rated,
    ];

    /// An emergency service's name on its call button: `emergency-fire`, ...
    pub fn emergency(service: EmergencyService) -> &'static str {
        match service {
            EmergencyService::Fire => "emergency-fire",
            EmergencyService::Ambulance => "emergency-ambulance",
            EmergencyService::Police => "emergency-police",
        }
    }

    /// Every emergency service, for completeness tests.
    pub const EMERGENCY_SERVICES: [EmergencyService; 3] = [
        EmergencyService::Fire,
        EmergencyService::Ambulance,
        EmergencyService::Police,
    ];
}

#[cfg(test)]
mod tests;
