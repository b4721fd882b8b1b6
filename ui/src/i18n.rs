//! Words on screen, through `linli-i18n`, reactive to the language signal.
//!
//! Every message id is written as a string literal directly inside a call of [`t`], [`tr`]
//! or [`tr_with`], so the i18n tests can find it in this source and check it exists in every
//! language; ids built from the contract's enums come from `linli_i18n::ids` and are checked
//! there.

use leptos::prelude::*;
use linli_api::{ApiError, FieldError, Timestamp};
use linli_i18n::{Arg, Language, Localizer};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use time::UtcOffset;

thread_local! {
    static LANGUAGE: Cell<Option<RwSignal<Language>>> = const { Cell::new(None) };
    static LOCALIZERS: RefCell<Vec<Rc<Localizer>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `language` the signal every text follows.
pub fn init(language: RwSignal<Language>) {
    LANGUAGE.set(Some(language));
}

/// The current language; reading it subscribes the caller to changes.
pub fn language() -> Language {
    LANGUAGE.get().map(|l| l.get()).unwrap_or_default()
}

fn localizer() -> Rc<Localizer> {
    let language = language();
    LOCALIZERS.with_borrow_mut(|all| {
        if let Some(l) = all.iter().find(|l| l.language() == language) {
            return l.clone();
        }
        let l = Rc::new(Localizer::new(language));
        all.push(l.clone());
        l
    })
}

/// A message's text now (reactive when read inside a view or effect).
pub fn tr(id: &str) -> String {
    localizer().text(id)
}

/// A message's text with arguments.
pub fn tr_with(id: &str, args: &[(&str, Arg<'_>)]) -> String {
    localizer().text_with(id, args)
}

/// A message as a reactive view child or attribute.
pub fn t(id: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || tr(id)
}

/// An error in words.
pub fn error_text(error: &ApiError) -> String {
    localizer().error(error)
}

/// Why a field is refused, in words.
pub fn field_error_text(error: &FieldError) -> String {
    localizer().field_error(error)
}

/// A moment in the person's time zone, as their language writes it.
pub fn date_time(at: Timestamp) -> String {
    // getTimezoneOffset is UTC minus local time, in minutes.
    let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
    let offset = UtcOffset::from_whole_seconds(minutes * 60).unwrap_or(UtcOffset::UTC);
    localizer().date_time(at, offset)
}

/// The moment now, from the browser's clock (the `time` crate has no clock on wasm32).
pub fn now() -> Timestamp {
    let nanos = (js_sys::Date::now() * 1_000_000.0) as i128;
    Timestamp::from_unix_timestamp_nanos(nanos).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A length of time as the language says it ("2 天 3 小时", "1 day 3 h").
pub fn duration(seconds: i64) -> String {
    let hours_total = seconds.max(0) / 3600;
    tr_with(
        "duration",
        &[
            ("days", (hours_total / 24).into()),
            ("hours", (hours_total % 24).into()),
        ],
    )
}
