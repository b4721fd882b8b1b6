//! The one door between the UI and the core: the UI sends a [`Request`], the core answers a
//! [`Response`] or an [`ApiError`], and tells the UI about changes with [`Event`]s.
//! The Tauri shell carries these unchanged (command `rpc`, event `linli://event`); the Chromium
//! test host carries the same JSON over loopback HTTP.

use crate::Timestamp;
use crate::error::ApiError;
use crate::ids::{ActionId, CommentId, PhotoId, ReportId};
use crate::platform::{
    Board, Catalogue, CommentAuthor, OtpSent, PartyTime, Profile, SimilarReport,
};
use crate::report::{Party, Place, Rating, Report, ReportDraft, ReportStatus, TimelineEntry};
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

/// How the person on this device stands to a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// They wrote it.
    #[default]
    Mine,
    /// A neighbour's report they follow ("same problem"); they see it without the
    /// neighbour's identity and may comment, but not confirm, reopen or rate.
    Following,
}

/// What a resident did to a delivered report, kept on the device until the platform has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionKind {
    /// "Fixed": the reporter confirms the resolution.
    Confirm,
    /// "Not fixed": the reporter reopens it.
    Reopen {
        /// Why, in their words.
        reason: String,
    },
    /// The reporter's rating after closing.
    Rate {
        /// The rating.
        rating: Rating,
    },
    /// "Same problem": follow a neighbour's report.
    Follow,
    /// Stop following it.
    Unfollow,
    /// A comment to the handling party (or, from them, seen here).
    Comment {
        /// The comment's id (created on the device).
        comment_id: CommentId,
        /// The words.
        body: String,
        /// Photos, already resized on the device.
        photos: Vec<LocalPhoto>,
    },
}

/// Where an action is on its way. Delivered actions leave the device's list: their effect is
/// in the report (its status, timeline, rating or comments).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActionDelivery {
    /// Waiting for the network (or for its report to be delivered first).
    Queued {
        /// Failed attempts so far.
        attempts: u32,
        /// The last transient error, to show why it is waiting.
        #[serde(default)]
        last_error: Option<ApiError>,
    },
    /// Going out now.
    Sending,
    /// The platform refused it (e.g. the 30 days to reopen have passed); kept so the person
    /// sees why, until they dismiss it.
    Rejected {
        /// Why.
        error: ApiError,
    },
}

/// An action waiting on the device, or refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalAction {
    /// Created on the device; the platform's idempotency key for it.
    pub id: ActionId,
    /// The report it is about.
    pub report_id: ReportId,
    /// What.
    pub kind: ActionKind,
    /// Where it is.
    pub delivery: ActionDelivery,
    /// When the person did it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// A comment on a report as the device shows it: from the platform, or written here and
/// not delivered yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalComment {
    /// The comment's id.
    pub id: CommentId,
    /// Who wrote it (residents are never named to each other).
    pub author: CommentAuthor,
    /// Written by the person on this device.
    pub mine: bool,
    /// The words.
    pub body: String,
    /// Photos (shown with [`Request::Photo`], which fetches others' photos from the platform).
    pub photo_ids: Vec<PhotoId>,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// `None` once the platform has it; otherwise where it is on its way.
    #[serde(default)]
    pub delivery: Option<ActionDelivery>,
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
    /// Whether the person wrote it or follows it.
    #[serde(default)]
    pub relation: Relation,
    /// The platform's last word on it, once delivered: its clock (who has it, since when,
    /// what next and by when, late or not), rating, visibility, how many are affected.
    #[serde(default)]
    pub platform: Option<Report>,
    /// How long each party has held it, from the platform.
    #[serde(default)]
    pub time_held: Vec<PartyTime>,
    /// What the person did to it that has not reached the platform yet, or was refused.
    #[serde(default)]
    pub actions: Vec<LocalAction>,
    /// When the resident started it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// When anything about it last changed on the device.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// One row of the person's list of reports ([`Request::MyReports`]): what the list shows of a
/// report, without its timeline, photos, actions or the platform's whole answer, so the list
/// stays quick with thousands of reports on the device. The whole report is
/// [`Request::Report`]; both are read from the same rows, so they always agree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// Created on the device.
    pub id: ReportId,
    /// Whether the person wrote it or follows it.
    pub relation: Relation,
    /// Category code, once chosen.
    pub category: Option<String>,
    /// The start of the description ([`ReportSummary::excerpt`]).
    pub excerpt: String,
    /// Outbox state (with the platform's number once delivered).
    pub delivery: Delivery,
    /// The platform's status, once delivered.
    pub status: Option<ReportStatus>,
    /// Photos attached to the report (not to its comments).
    pub photos: u32,
    /// Actions on it (confirm, reopen, rate, comment...) waiting to reach the platform.
    pub actions_waiting: u32,
    /// Actions on it the platform refused, kept until the person dismisses them.
    pub actions_refused: u32,
    /// When the resident started it (the list's order, newest first).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

impl ReportSummary {
    /// How many characters of the description a list row shows.
    pub const EXCERPT_CHARS: usize = 80;

    /// The start of a description as a list row shows it: without surrounding blanks, at most
    /// [`ReportSummary::EXCERPT_CHARS`] characters.
    pub fn excerpt(description: &str) -> String {
        let words = description.trim();
        // No more bytes than the limit means no more characters either: nothing to count.
        let end = if words.len() <= Self::EXCERPT_CHARS {
            words.len()
        } else {
            words
                .char_indices()
                .nth(Self::EXCERPT_CHARS)
                .map_or(words.len(), |(at, _)| at)
        };
        words[..end].to_string()
    }
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
    /// Whether this device has a speech service to read the screen aloud.
    #[serde(default)]
    pub read_aloud: bool,
    /// The system's text size as a factor of the normal size (1.0 when it says nothing);
    /// the UI scales its text by it.
    #[serde(default = "one")]
    pub text_scale: f32,
}

fn one() -> f32 {
    1.0
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
        /// The form saving, when it holds the draft ([`Request::HoldDraft`]): refused with
        /// `draft_open_elsewhere` once another form took it over, so two forms never
        /// overwrite each other.
        #[serde(default)]
        editor: Option<String>,
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
    /// The person's reports on the device, newest first, one row each. → [`Response::Reports`]
    MyReports,
    /// One report with its timeline, photos and actions. → [`Response::Report`]
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
    /// Read these words aloud in the person's language, replacing anything being read.
    /// → [`Response::Done`], or `speech_unavailable` when the device has no speech service.
    ReadAloud {
        /// The words on screen, as the person sees them.
        text: String,
    },
    /// Stop reading aloud. → [`Response::Done`]
    StopReading,
    /// Takes a draft for this form (`editor`, a random id per open form), so one draft is
    /// never open twice: while another live form holds it, `draft_open_elsewhere`, unless
    /// `take_over`. A hold lapses two minutes after the holder's last call. → [`Response::Report`]
    HoldDraft {
        /// Which draft (or rejected report).
        id: ReportId,
        /// The form asking.
        editor: String,
        /// Take it from another form (the person chose to continue here).
        #[serde(default)]
        take_over: bool,
    },
    /// Lets go of a draft when its form closes. → [`Response::Done`]
    ReleaseDraft {
        /// Which draft.
        id: ReportId,
        /// The form letting go.
        editor: String,
    },
    /// "Fixed": confirm a resolved report (queued; sent once). → [`Response::Report`]
    ConfirmFixed {
        /// Which report.
        id: ReportId,
    },
    /// "Not fixed": reopen a resolved or recently closed report, with a reason (checked with
    /// `validate_reason` at once; queued; sent once). → [`Response::Report`]
    Reopen {
        /// Which report.
        id: ReportId,
        /// Why.
        reason: String,
    },
    /// Rate a closed report (checked with `validate_rating`; queued; sent once).
    /// → [`Response::Report`]
    Rate {
        /// Which report.
        id: ReportId,
        /// The rating.
        rating: Rating,
    },
    /// Comments on a report, from the device at once (refreshed in the background; a
    /// [`Event::CommentsChanged`] follows when anything new arrives). → [`Response::Comments`]
    Comments {
        /// Which report.
        id: ReportId,
    },
    /// Write a comment (checked with `validate_comment`; photos as chosen, base64, resized
    /// on the device; queued; sent once). → [`Response::Comments`]
    AddComment {
        /// Which report.
        id: ReportId,
        /// The words.
        body: String,
        /// Photos as chosen, base64 (at most `MAX_COMMENT_PHOTOS`).
        #[serde(default)]
        photos_base64: Vec<String>,
    },
    /// Open reports in the same building (or area) and category from the last 14 days, while
    /// reporting. Needs the network: `platform_unreachable` offline, and the form goes on.
    /// → [`Response::Similar`]
    SimilarReports {
        /// Category code.
        category: String,
        /// Where the new report is.
        place: Place,
    },
    /// "Same problem, follow it instead": the report joins the person's list as followed
    /// (shown at once from what `SimilarReports` gave; queued; sent once). → [`Response::Report`]
    Follow {
        /// The neighbour's report, as `SimilarReports` gave it.
        report: SimilarReport,
    },
    /// Stop following; the report leaves the list once the platform has it. → [`Response::Done`]
    Unfollow {
        /// Which report.
        id: ReportId,
    },
    /// Dismiss a refused action after reading why. → [`Response::Report`]
    DismissAction {
        /// Which action.
        id: ActionId,
    },
    /// The estate's accountability board for a period (`to` exclusive; default: the last 30
    /// days). From the platform; offline, the last one fetched for the same period, else
    /// `platform_unreachable`. → [`Response::Board`]
    Board {
        /// Start of the period.
        #[serde(default, with = "time::serde::rfc3339::option")]
        from: Option<Timestamp>,
        /// End of the period (exclusive).
        #[serde(default, with = "time::serde::rfc3339::option")]
        to: Option<Timestamp>,
    },
}

/// The core's answer to a [`Request`].
// An answer lives only until it is serialised for the UI, so one report's size is no cost.
#[allow(clippy::large_enum_variant)]
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
    /// The person's reports, one row each.
    Reports(Vec<ReportSummary>),
    /// A photo as a `data:` URL.
    Photo(String),
    /// Comments on one report, oldest first, the person's undelivered ones last.
    Comments(Vec<LocalComment>),
    /// Open reports like the one being written.
    Similar(Vec<SimilarReport>),
    /// The accountability board.
    Board(BoardView),
}

/// The board and how fresh it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    /// The figures.
    pub board: Board,
    /// When the platform computed them (older than now when shown from the device offline).
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: Timestamp,
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
    /// A report's comments changed on the device (one arrived, or one of ours was delivered).
    CommentsChanged {
        /// Which report.
        id: ReportId,
    },
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
    fn a_list_row_shows_the_start_of_the_words_counted_in_characters() {
        assert_eq!(
            ReportSummary::excerpt("\n  厨房水管漏水 \t"),
            "厨房水管漏水"
        );
        let long = "漏".repeat(ReportSummary::EXCERPT_CHARS + 5);
        let excerpt = ReportSummary::excerpt(&long);
        assert_eq!(excerpt.chars().count(), ReportSummary::EXCERPT_CHARS);
        assert!(long.starts_with(&excerpt));
        assert_eq!(ReportSummary::excerpt("   "), "");
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
