//! Settings: language, elderly mode and the platform's address, kept in the device store.
//!
//! The language, until the person picks one, follows the operating system (the shell may know
//! better than the environment and pass its own tag). The platform address, until the person
//! sets one, is the one the app was started with (or the local demo platform).

use crate::error::Error;
use crate::store::{Store, keys};
use linli_api::config::parse_platform_url;
use linli_api::error::{ApiError, FieldError};
use linli_api::ipc::{Language, Settings};

/// The language a POSIX locale environment asks for: `LC_ALL`, then `LC_MESSAGES`, then
/// `LANG`, the first that names a language Linli speaks (`C`/`POSIX` name none).
pub fn language_from_env(get: impl Fn(&str) -> Option<String>) -> Option<Language> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(get)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .find_map(|v| Language::from_tag(&v))
}

/// The language of this process's environment, if it names one Linli speaks.
pub fn os_language() -> Option<Language> {
    language_from_env(|var| std::env::var(var).ok())
}

/// A platform address in the one form the device stores and compares: parsed, checked, and
/// without a trailing slash (paths are appended to it).
pub fn normalise_platform_url(input: &str) -> Result<String, FieldError> {
    let url = parse_platform_url(input)?;
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The system text size from which Linli starts in elderly mode until the person chooses:
/// someone who asked their desktop for text a quarter larger wants large text here too.
pub const LARGE_TEXT_SCALE: f32 = 1.25;

/// A text size factor the system asked for, if it is sensible (half to three times normal);
/// the shell reads it from the system (the desktop's settings, a phone's font scale).
pub fn sensible_text_scale(scale: f32) -> Option<f32> {
    (0.5..=3.0).contains(&scale).then_some(scale)
}

/// What the settings fall back to when the person chose nothing.
#[derive(Clone, Debug)]
pub(crate) struct Defaults {
    pub language: Language,
    pub platform_url: String,
    /// Elderly mode before the person answers: on when the system text is large.
    pub elderly_mode: bool,
}

/// The settings in force: what was saved, else the defaults.
pub(crate) fn load(store: &Store, defaults: &Defaults) -> Result<Settings, Error> {
    let language = store
        .setting(keys::LANGUAGE)?
        .and_then(|tag| Language::from_tag(&tag))
        .unwrap_or(defaults.language);
    let elderly_mode = match store.setting(keys::ELDERLY_MODE)?.as_deref() {
        Some(saved) => saved == "true",
        None => defaults.elderly_mode,
    };
    let elderly_asked = store.setting(keys::ELDERLY_ASKED)?.as_deref() == Some("true");
    let platform_url = store
        .setting(keys::PLATFORM_URL)?
        .unwrap_or_else(|| defaults.platform_url.clone());
    Ok(Settings {
        language,
        elderly_mode,
        elderly_asked,
        platform_url,
    })
}

/// Checks and stores new settings; returns them as stored. A platform address equal to the
/// default is not stored, so a later change of the default (a new release, a new start-up
/// address) still reaches people who never chose their own.
pub(crate) fn save(store: &Store, defaults: &Defaults, new: &Settings) -> Result<Settings, Error> {
    let platform_url = normalise_platform_url(&new.platform_url)
        .map_err(|field| Error::Api(ApiError::validation(vec![field])))?;
    let url_override = (platform_url != defaults.platform_url).then(|| platform_url.clone());
    store.set_settings(&[
        (keys::LANGUAGE, Some(new.language.tag().to_string())),
        (keys::ELDERLY_MODE, Some(new.elderly_mode.to_string())),
        (keys::ELDERLY_ASKED, Some(new.elderly_asked.to_string())),
        (keys::PLATFORM_URL, url_override),
    ])?;
    load(store, defaults)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::FieldErrorCode;
    use rstest::rstest;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[rstest]
    #[case(&[("LANG", "en_GB.UTF-8")], Some(Language::En))]
    #[case(&[("LANG", "zh_CN.UTF-8")], Some(Language::ZhCn))]
    #[case(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")], Some(Language::En))]
    #[case(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US")], Some(Language::ZhTw))]
    #[case(&[("LANG", "zh_HK.UTF-8")], Some(Language::ZhTw))]
    #[case(&[("LC_ALL", "C.UTF-8"), ("LANG", "en_US")], Some(Language::En))]
    #[case(&[("LC_ALL", ""), ("LANG", "fr_FR.UTF-8")], None)]
    #[case(&[], None)]
    fn the_environment_picks_a_language(
        #[case] vars: &[(&str, &str)],
        #[case] expected: Option<Language>,
    ) {
        assert_eq!(language_from_env(env(vars)), expected);
    }

    fn defaults() -> Defaults {
        Defaults {
            language: Language::En,
            platform_url: "http://127.0.0.1:8731".into(),
            elderly_mode: false,
        }
    }

    #[rstest]
    #[case(1.0, Some(1.0))]
    #[case(1.25, Some(1.25))]
    #[case(2.5, Some(2.5))]
    #[case(0.1, None)]
    #[case(9.0, None)]
    #[case(f32::NAN, None)]
    #[case(f32::INFINITY, None)]
    fn the_system_text_size_is_kept_when_sensible(
        #[case] scale: f32,
        #[case] expected: Option<f32>,
    ) {
        assert_eq!(sensible_text_scale(scale), expected);
    }

    #[test]
    fn large_system_text_starts_in_elderly_mode_until_the_person_chooses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let large = Defaults {
            elderly_mode: true,
            ..defaults()
        };
        let fresh = load(&store, &large).unwrap();
        assert!(fresh.elderly_mode && !fresh.elderly_asked);
        // "No, the standard size" is kept even though the system text stays large.
        let standard = Settings {
            elderly_mode: false,
            elderly_asked: true,
            ..fresh
        };
        save(&store, &large, &standard).unwrap();
        assert!(!load(&store, &large).unwrap().elderly_mode);
    }

    #[test]
    fn nothing_saved_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            load(&store, &defaults()).unwrap(),
            Settings {
                language: Language::En,
                elderly_mode: false,
                elderly_asked: false,
                platform_url: "http://127.0.0.1:8731".into()
            }
        );
    }

    #[test]
    fn saved_settings_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let wanted = Settings {
            language: Language::ZhCn,
            elderly_mode: true,
            elderly_asked: true,
            platform_url: "https://linli.example.org/".into(),
        };
        {
            let store = Store::open(dir.path()).unwrap();
            let saved = save(&store, &defaults(), &wanted).unwrap();
            assert_eq!(saved.platform_url, "https://linli.example.org");
        }
        let store = Store::open(dir.path()).unwrap();
        let loaded = load(&store, &defaults()).unwrap();
        assert_eq!(loaded.language, Language::ZhCn);
        assert!(loaded.elderly_mode);
        assert!(loaded.elderly_asked);
        assert_eq!(loaded.platform_url, "https://linli.example.org");
        // Going back to the default address stores no override.
        let mut back = loaded.clone();
        back.platform_url = "http://127.0.0.1:8731/".into();
        save(&store, &defaults(), &back).unwrap();
        assert_eq!(store.setting(keys::PLATFORM_URL).unwrap(), None);
    }

    #[test]
    fn a_bad_address_is_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bad = Settings {
            language: Language::ZhCn,
            elderly_mode: true,
            elderly_asked: true,
            platform_url: "http://192.168.1.20:8731".into(),
        };
        let err: ApiError = save(&store, &defaults(), &bad).unwrap_err().into();
        assert_eq!(
            err.fields,
            vec![FieldError::new("platform_url", FieldErrorCode::InvalidUrl)]
        );
        assert_eq!(load(&store, &defaults()).unwrap().language, Language::En);
        assert!(!load(&store, &defaults()).unwrap().elderly_mode);
        assert!(!load(&store, &defaults()).unwrap().elderly_asked);
    }

    #[test]
    fn the_first_launch_answer_persists_whichever_mode_was_chosen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let fresh = load(&store, &defaults()).unwrap();
            assert!(!fresh.elderly_asked, "a new device has not asked yet");
            // "No, the standard size": the mode stays off, but the question is answered.
            let answered = Settings {
                elderly_asked: true,
                ..fresh
            };
            let saved = save(&store, &defaults(), &answered).unwrap();
            assert!(saved.elderly_asked && !saved.elderly_mode);
        }
        let store = Store::open(dir.path()).unwrap();
        let loaded = load(&store, &defaults()).unwrap();
        assert!(loaded.elderly_asked, "asked again after a restart");
        assert!(!loaded.elderly_mode);
    }

    #[test]
    fn traditional_chinese_is_kept_as_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut settings = load(&store, &defaults()).unwrap();
        settings.language = Language::ZhTw;
        save(&store, &defaults(), &settings).unwrap();
        assert_eq!(
            store.setting(keys::LANGUAGE).unwrap().as_deref(),
            Some("zh-TW")
        );
        assert_eq!(load(&store, &defaults()).unwrap().language, Language::ZhTw);
    }
}
