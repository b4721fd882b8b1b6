//! The one door between the UI and the core: the UI sends a [`Request`], the core answers a
//! [`Response`] or an [`ApiError`], and tells the UI about changes with [`Event`]s.
//! The Tauri shell carries these unchanged (command `rpc`, event `linli://event`); the Chromium
//! test host carries the same JSON over loopback HTTP.

use crate::Timestamp;
use crate::error::ApiError;
use crate::ids::{PhotoId, ReportId};
use crate::platform::{Catalogue, OtpSent, Profile};
use crate::report::{Party, ReportDraft, ReportStatus, TimelineEntry};
use serde::{Deserialize, Serialize};

/// Name of the Tauri command that carries [`Request`]s.
pub const COMMAND: &str = "rpc";
/// Name of the Tauri event that carries [`Event`]s.
pub const EVENT: &str = "linli://event";

/// A language the app speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
    /// Traditional Chinese, as read in Taiwan, Hong Kong and Macao.
    #[serde(rename = "zh-TW")]
    ZhTw,
}

impl Language {
    /// Every language, in the order settings offers them.
    pub const ALL: [Language; 3] = [Language::ZhCn, Language::ZhTw, Language::En];

    /// BCP 47 tag, also the folder name under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
            Language::ZhTw => "zh-TW",
        }
    }

    /// The language for a BCP 47 tag or a POSIX locale name, matching on the primary language
    /// (`en-GB` is English). Chinese is Traditional when the tag says so by script (`Hant`) or
    /// by a region that writes it (`TW`, `HK`, `MO`), and Simplified otherwise; a script
    /// subtag outranks the region (`zh-Hans-HK` is Simplified).
    pub fn from_tag(tag: &str) -> Option<Language> {
        // POSIX names carry an encoding and a modifier: `zh_TW.UTF-8@stroke`.
        let tag = tag.split(['.', '@']).next().unwrap_or_default();
        let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
        match subtags.next()?.as_str() {
            "zh" => {
                let rest: Vec<String> = subtags.collect();
                let has = |s: &str| rest.iter().any(|r| r == s);
                if has("hans") {
                    Some(Language::ZhCn)
                } else if ["hant", "tw", "hk", "mo"].into_iter().any(has) {
                    Some(Language::ZhTw)
                } else {
                    Some(Language::ZhCn)
                }
            }
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// What a person chose in settings; kept on the device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Display language.
    pub language: Language,
    /// Large text and targets (长辈版).
    pub elderly_mode: bool,
    /// Whether the person has answered the first-launch question about elderly mode (or
    /// chose a mode in settings), so it is never asked again.
    #[serde(default)]
    pub elderly_asked: bool,
    /// Where the platform is.
    pub platform_url: String,
}

/// Where a report stands on its way from the device to the platform (the outbox).
///
/// `Draft → Queued → Sending → Delivered`, or `Rejected` when the platform says no with a
/// reason (kept, editable, sendable again). Network trouble sends `Sending` back to `Queued`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Being written; never sent.
    Draft,
    /// Waiting for the network.
    Queued {
        /// Failed attempts so far.
        attempts: u32,
        /// When the next attempt is due, if backing off.
        #[serde(default, with = "time::serde::rfc3339::option")]
        next_attempt_at: Option<Timestamp>,
        /// The last transient error, to show why it is waiting.
        #[serde(default)]
        last_error: Option<ApiError>,
    },
    /// Going out now.
    Sending {
        /// Bytes of photos and report sent so far.
        sent_bytes: u64,
        /// Bytes to send in all.
        total_bytes: u64,
    },
    /// The platform has it.
    Delivered {
        /// The number the platform gave it.
        number: i64,
    },
    /// The platform refused it; the reason says what to change.
    Rejected {
        /// Why.
        error: ApiError,
    },
}

impl Delivery {
    /// Whether the resident may still change the report: a draft, or a rejected report
    /// (which keeps its reason until it is submitted again). The core enforces the same rule;
    /// the UI uses this to offer "edit" only where the core will accept it.
    pub fn is_editable(&self) -> bool {
        matches!(self, Delivery::Draft | Delivery::Rejected { .. })
    }
}

/// A photo kept on the device for a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalPhoto {
    /// The photo's id (also its id on the platform).
    pub id: PhotoId,
    /// Width after resizing.
    pub width: u32,
    /// Height after resizing.
    pub height: u32,
    /// Size of the re-encoded JPEG in bytes.
    pub bytes: u64,
}

/// A report as the device knows it: the resident's words, where it is on its way, and what
/// the platform last said about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalReport {
    /// Created on the device.
    pub id: ReportId,
    /// What the resident wrote.
    pub draft: ReportDraft,
    /// Photos attached, in order.
    pub photos: Vec<LocalPhoto>,
    /// Outbox state.
    pub delivery: Delivery,
    /// The platform's status, once delivered.
    pub status: Option<ReportStatus>,
    /// Who has it now, once delivered.
    pub handling_party: Option<Party>,
    /// Readable place name, once delivered.
    pub place_label: Option<String>,
    /// History from the platform, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// When the resident started it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// When anything about it last changed on the device.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// How the device is doing with the platform.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// Whether the last contact with the platform worked.
    pub online: bool,
    /// Items waiting to be sent (queued or sending).
    pub pending: u32,
    /// Whether the live change feed is connected.
    pub live: bool,
}

/// Everything the UI needs to draw its frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppStatus {
    /// Who is signed in, if anyone.
    pub profile: Option<Profile>,
    /// True when a session existed but the platform said it expired: sign in again.
    pub session_expired: bool,
    /// The person's settings.
    pub settings: Settings,
    /// Connection and outbox.
    pub sync: SyncState,
}

/// A call from the UI into the core.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
pub enum Request {
    /// What the UI needs to draw its frame. → [`Response::Status`]
    Status,
    /// Ask the platform to send a one-time code. → [`Response::CodeSent`]
    RequestCode {
        /// Phone as typed.
        phone: String,
    },
    /// Sign in with phone and code. → [`Response::SignedIn`]
    SignIn {
        /// Phone as typed.
        phone: String,
        /// Code as typed.
        code: String,
    },
    /// Sign out; drafts and queued reports stay on the device. → [`Response::Done`]
    SignOut,
    /// Categories and places, from the device (refreshed in the background).
    /// → [`Response::Catalogue`]
    Catalogue,
    /// Start a new report draft. → [`Response::Report`]
    NewDraft,
    /// Save what the resident has written so far. → [`Response::Report`]
    SaveDraft {
        /// Which draft.
        id: ReportId,
        /// Its content (photos are managed with `AttachPhoto` / `RemovePhoto`).
        draft: ReportDraft,
    },
    /// Attach a photo: the core resizes it, strips its metadata and keeps it.
    /// → [`Response::Report`]
    AttachPhoto {
        /// Which draft.
        id: ReportId,
        /// The file as chosen, base64.
        data_base64: String,
    },
    /// Remove a photo from a draft. → [`Response::Report`]
    RemovePhoto {
        /// Which draft.
        id: ReportId,
        /// Which photo.
        photo_id: PhotoId,
    },
    /// A photo as a `data:` URL, to show it. → [`Response::Photo`]
    Photo {
        /// Which photo.
        photo_id: PhotoId,
    },
    /// Validate and queue a draft (or a rejected report) for delivery. → [`Response::Report`]
    Submit {
        /// Which report.
        id: ReportId,
    },
    /// Delete a draft that was never sent. → [`Response::Done`]
    DiscardDraft {
        /// Which draft.
        id: ReportId,
    },
    /// All reports on the device, newest first. → [`Response::Reports`]
    MyReports,
    /// One report with its timeline. → [`Response::Report`]
    Report {
        /// Which report.
        id: ReportId,
    },
    /// Change settings; takes effect at once. → [`Response::Status`]
    SaveSettings {
        /// The new settings.
        settings: Settings,
    },
    /// Try to send what is waiting now rather than at the next backoff. → [`Response::Done`]
    SyncNow,
}

/// The core's answer to a [`Request`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Response {
    /// Nothing to return.
    Done,
    /// See [`AppStatus`].
    Status(AppStatus),
    /// See [`OtpSent`].
    CodeSent(OtpSent),
    /// Signed in as this person.
    SignedIn(Profile),
    /// See [`Catalogue`].
    Catalogue(Catalogue),
    /// One report.
    Report(LocalReport),
    /// Many reports.
    Reports(Vec<LocalReport>),
    /// A photo as a `data:` URL.
    Photo(String),
}

/// What the core tells the UI without being asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// These reports changed on the device (delivery, status or content).
    ReportsChanged {
        /// Which.
        ids: Vec<ReportId>,
    },
    /// A photo upload made progress.
    UploadProgress {
        /// Which report.
        id: ReportId,
        /// Bytes sent so far.
        sent_bytes: u64,
        /// Bytes in all.
        total_bytes: u64,
    },
    /// Connection or outbox changed.
    SyncChanged(SyncState),
    /// Sign-in state changed (signed in, out, or the session expired).
    SessionChanged,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_a_stable_shape_on_the_wire() {
        let r = Request::RequestCode {
            phone: "13800138000".into(),
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"op": "request_code", "args": {"phone": "13800138000"}})
        );
        let s = serde_json::to_value(Request::Status).unwrap();
        assert_eq!(s, serde_json::json!({"op": "status"}));
        assert_eq!(
            serde_json::from_value::<Request>(s).unwrap(),
            Request::Status
        );
    }

    #[test]
    fn languages_match_on_primary_subtag() {
        assert_eq!(Language::from_tag("en-GB"), Some(Language::En));
        assert_eq!(Language::from_tag("zh_CN.UTF-8"), Some(Language::ZhCn));
        assert_eq!(Language::from_tag("fr-FR"), None);
        assert_eq!(Language::from_tag(""), None);
        assert_eq!(serde_json::to_string(&Language::ZhCn).unwrap(), "\"zh-CN\"");
    }

    #[test]
    fn chinese_is_traditional_where_the_tag_says_so() {
        for tag in [
            "zh-TW",
            "zh-HK",
            "zh-MO",
            "zh-Hant",
            "zh-Hant-TW",
            "zh_TW.UTF-8",
            "zh_HK.Big5-HKSCS",
            "ZH-hant",
        ] {
            assert_eq!(Language::from_tag(tag), Some(Language::ZhTw), "{tag}");
        }
        for tag in [
            "zh",
            "zh-CN",
            "zh-SG",
            "zh-Hans",
            "zh-Hans-HK",
            "zh_CN.GB18030",
            "zh_TWX",
        ] {
            assert_eq!(Language::from_tag(tag), Some(Language::ZhCn), "{tag}");
        }
    }

    #[test]
    fn every_language_round_trips_through_its_tag_and_json() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
            let json = serde_json::to_string(&language).unwrap();
            assert_eq!(json, format!("\"{}\"", language.tag()));
            assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), language);
        }
    }

    #[test]
    fn settings_saved_before_the_first_launch_question_read_as_not_asked() {
        let old = serde_json::json!({
            "language": "zh-TW",
            "elderly_mode": true,
            "platform_url": "https://linli.example.org"
        });
        let settings: Settings = serde_json::from_value(old).unwrap();
        assert_eq!(settings.language, Language::ZhTw);
        assert!(settings.elderly_mode);
        assert!(!settings.elderly_asked);
    }

    #[test]
    fn only_drafts_and_rejected_reports_are_editable() {
        let error = ApiError::new(crate::ErrorCode::NotFound, "x");
        assert!(Delivery::Draft.is_editable());
        assert!(Delivery::Rejected { error }.is_editable());
        let queued = Delivery::Queued {
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
        };
        let sending = Delivery::Sending {
            sent_bytes: 1,
            total_bytes: 2,
        };
        for d in [queued, sending, Delivery::Delivered { number: 7 }] {
            assert!(!d.is_editable(), "{d:?} must not be editable");
        }
    }

    #[test]
    fn delivery_round_trips() {
        let d = Delivery::Queued {
            attempts: 2,
            next_attempt_at: None,
            last_error: None,
        };
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), d);
    }
}
