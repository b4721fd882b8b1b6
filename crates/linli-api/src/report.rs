//! Reports of repair and community issues, as residents and staff see them.

use crate::Timestamp;
use crate::ids::{BuildingId, CommonAreaId, PhotoId, ReportId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The four parties that share an estate's governance; each report has one handling party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The property management company (物业).
    PropertyCompany,
    /// The community residents' committee (居委会).
    Community,
    /// The street office (街道办事处).
    StreetOffice,
    /// The owners' committee (业主委员会).
    OwnersCommittee,
}

impl Party {
    /// Every party, for tests that check each one has a name in every language.
    pub const ALL: [Party; 4] = [
        Party::PropertyCompany,
        Party::Community,
        Party::StreetOffice,
        Party::OwnersCommittee,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PropertyCompany => "property_company",
            Self::Community => "community",
            Self::StreetOffice => "street_office",
            Self::OwnersCommittee => "owners_committee",
        }
    }
}

/// A kind of issue, as configured by the property company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Stable code, e.g. `water_plumbing`.
    pub code: String,
    /// The name per language tag (`zh-CN`, `en`); data from the platform, not UI text.
    pub names: BTreeMap<String, String>,
    /// Who handles reports of this kind unless they hand it on.
    pub default_party: Party,
    /// A danger to life (gas smell, fire, someone trapped in a lift): the app shows the
    /// emergency numbers and the duty phone ([`crate::platform::Catalogue`]) before the form.
    /// Filing is still allowed, as a record.
    #[serde(default)]
    pub emergency: bool,
    /// How long the handling party has, per urgency (empty from a platform without targets).
    #[serde(default)]
    pub targets: Vec<ServiceTarget>,
}

/// How long a party has to respond to and to resolve a report of one category and urgency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceTarget {
    /// The urgency it applies to.
    pub urgency: Urgency,
    /// Minutes from reaching a party to its first response (seen, assigned, handed on...).
    pub respond_minutes: u32,
    /// Minutes from reaching a party to it being resolved.
    pub resolve_minutes: u32,
}

impl Category {
    /// The name in `language`, falling back to Chinese and then to the code.
    pub fn name(&self, language: &str) -> &str {
        self.names
            .get(language)
            .or_else(|| self.names.get("zh-CN"))
            .map(String::as_str)
            .unwrap_or(&self.code)
    }
}

/// Where the problem is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// Inside one of the resident's own units.
    Unit {
        /// The unit; must be one of the resident's.
        unit_id: UnitId,
    },
    /// A shared part of a building (stairwell, lift lobby, roof...).
    Building {
        /// The building, in the resident's estate.
        building_id: BuildingId,
        /// Where in the building, in the resident's words ("3rd floor stairwell").
        spot: String,
    },
    /// A common area of the estate (garden, car park, gate...).
    CommonArea {
        /// The area, in the resident's estate.
        area_id: CommonAreaId,
        /// Where in the area, in the resident's words; may be empty.
        #[serde(default)]
        spot: String,
    },
}

/// How soon it needs attention, in the resident's judgement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// It can wait a few days.
    #[default]
    Routine,
    /// It should be looked at within a day.
    Soon,
    /// It is causing harm or danger now.
    Urgent,
}

impl Urgency {
    /// Every urgency, in the order a form offers them.
    pub const ALL: [Urgency; 3] = [Urgency::Routine, Urgency::Soon, Urgency::Urgent];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Routine => "routine",
            Self::Soon => "soon",
            Self::Urgent => "urgent",
        }
    }
}

/// Where a report stands.
///
/// The state machine, by who moves a report:
///
/// ```text
/// staff of the handling party, forward only (steps may be skipped):
///   Received | Reopened -> Acknowledged -> Assigned -> InProgress -> Resolved
/// the reporter, or the platform:
///   Resolved -- the reporter confirms ---------------> Closed
///   Resolved -- seven days without an answer ---------> Closed     (the platform)
///   Resolved -- the reporter reopens, with a reason --> Reopened
///   Closed   -- the reporter reopens within 30 days --> Reopened
/// the handling party, while the work is theirs (Received .. InProgress, Reopened):
///   any of those -- hand-off to another party, with a reason --> Received (at that party)
/// ```
///
/// `Reopened` counts as a fresh start for the handling party (like `Received`): it has to
/// respond and resolve again, and the report counts as reopened on the accountability board.
/// A hand-off starts the new party at `Received`, as the report is new to them. Staff never
/// move a report back, never close it and never reopen it: only the resident (or the
/// seven-day rule) closes, only the resident reopens.
///
/// Statuses have no order of their own (a reopened report goes round again); compare
/// [`ReportStatus::stage`] for progress within one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// The platform has it and gave it a number (or another party handed it over).
    Received,
    /// The handling party has seen it.
    Acknowledged,
    /// Someone has been assigned to it.
    Assigned,
    /// Work is under way.
    InProgress,
    /// The handling party says it is fixed; the resident confirms or reopens.
    Resolved,
    /// Finished: the resident confirmed the fix, or did not answer for seven days. The
    /// resident may still reopen it for thirty days.
    Closed,
    /// The resident says it is not fixed; the handling party starts again.
    Reopened,
}

impl ReportStatus {
    /// Every status, in workflow order.
    pub const ALL: [ReportStatus; 7] = [
        ReportStatus::Received,
        ReportStatus::Acknowledged,
        ReportStatus::Assigned,
        ReportStatus::InProgress,
        ReportStatus::Resolved,
        ReportStatus::Closed,
        ReportStatus::Reopened,
    ];

    /// The statuses staff may move a report to with a status change.
    pub const STAFF_STEPS: [ReportStatus; 4] = [
        ReportStatus::Acknowledged,
        ReportStatus::Assigned,
        ReportStatus::InProgress,
        ReportStatus::Resolved,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Acknowledged => "acknowledged",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    /// Progress within one round of work: 0 waiting for a first response (`Received`,
    /// `Reopened`), 1–3 being handled, 4 resolved, 5 closed.
    pub fn stage(self) -> u8 {
        match self {
            Self::Received | Self::Reopened => 0,
            Self::Acknowledged => 1,
            Self::Assigned => 2,
            Self::InProgress => 3,
            Self::Resolved => 4,
            Self::Closed => 5,
        }
    }

    /// Whether the handling party still has work to do (it can move it on or hand it over).
    pub fn is_with_party(self) -> bool {
        self.stage() < 4
    }

    /// Whether staff may move a report from `self` to `next`: only while it is with them,
    /// only to a staff step, forward only (steps may be skipped, e.g. a quick fix goes
    /// straight to resolved), never back, never to itself.
    pub fn can_move_to(self, next: ReportStatus) -> bool {
        self.is_with_party() && Self::STAFF_STEPS.contains(&next) && next.stage() > self.stage()
    }
}

/// Who may see a report besides its reporter and the four parties' staff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportVisibility {
    /// Only the reporter and the parties.
    #[default]
    Private,
    /// Also the other residents of the estate, without the reporter's identity.
    Public,
}

impl ReportVisibility {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Public => "public",
        }
    }
}

/// What has to happen next to a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// The handling party has to respond (look at it, assign someone, or hand it on).
    Respond,
    /// The handling party has to fix it.
    Resolve,
    /// The reporter has to confirm the fix or reopen; it closes by itself at `expected_by`.
    Confirm,
    /// Nothing: it is closed.
    #[default]
    Nothing,
}

/// The report's clock: who has it, since when, what happens next and by when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportClock {
    /// Since when the handling party has it (filed, handed over, or reopened).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub held_since: Option<Timestamp>,
    /// What happens next.
    #[serde(default)]
    pub next_step: NextStep,
    /// When the next step is expected: the party's target for `respond` and `resolve`, the
    /// automatic closing for `confirm`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expected_by: Option<Timestamp>,
    /// When the handling party is expected to have it fixed, while it is with them.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolve_by: Option<Timestamp>,
    /// True when the handling party is past `expected_by` (judged when the platform answered).
    #[serde(default)]
    pub overdue: bool,
    /// When it was last marked resolved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    /// When it closed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// Until when the reporter may reopen it (closed reports; a resolved one may be reopened
    /// until it closes).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub reopen_until: Option<Timestamp>,
}

/// The reporter's rating of how a report was handled, each aspect 1 (bad) to 5 (very good).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// How they were treated.
    pub attitude: u8,
    /// How well it was fixed.
    pub quality: u8,
    /// How fast.
    pub speed: u8,
    /// Anything else, in their words (may be empty).
    #[serde(default)]
    pub comment: String,
}

/// What a timeline entry records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The resident filed it.
    Filed,
    /// Staff moved it on, with a note (also entries from platforms before kinds existed).
    #[default]
    StatusChanged,
    /// One party handed it to another (`from_party`, `to_party`) with a reason (`note`).
    HandedOff,
    /// Staff marked it resolved, with a note and maybe photos.
    Resolved,
    /// The reporter confirmed the fix.
    Confirmed,
    /// The reporter reopened it, with a reason (`note`).
    Reopened,
    /// Nobody answered for seven days after it was resolved, so it closed by itself.
    ClosedAutomatically,
    /// The reporter rated how it was handled (`rating`).
    Rated,
}

impl TimelineKind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::StatusChanged => "status_changed",
            Self::HandedOff => "handed_off",
            Self::Resolved => "resolved",
            Self::Confirmed => "confirmed",
            Self::Reopened => "reopened",
            Self::ClosedAutomatically => "closed_automatically",
            Self::Rated => "rated",
        }
    }
}

/// A report as the platform holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// The id created on the resident's device.
    pub id: ReportId,
    /// The estate-wide number residents and staff quote ("#1024").
    pub number: i64,
    /// Who reported it.
    pub reporter: UserId,
    /// Category code.
    pub category: String,
    /// What is wrong, in the resident's words.
    pub description: String,
    /// Where.
    pub place: Place,
    /// A readable name of the place ("3栋2单元501", "Building 3: stairwell").
    pub place_label: String,
    /// How urgent, in the resident's judgement.
    pub urgency: Urgency,
    /// Where it stands.
    pub status: ReportStatus,
    /// Who has it now.
    pub handling_party: Party,
    /// Attached photos, in the order the resident added them.
    pub photo_ids: Vec<PhotoId>,
    /// When the platform received it.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Residents it affects: the reporter and everyone following it (0 from a platform that
    /// does not count them).
    #[serde(default)]
    pub affected: u32,
    /// True when the caller follows this report rather than filed it: it is a neighbour's,
    /// shown without the reporter's identity (`reporter` is 0, a unit place is shown as its
    /// building).
    #[serde(default)]
    pub following: bool,
    /// Who may see it besides the reporter and the parties.
    #[serde(default)]
    pub visibility: ReportVisibility,
    /// Who has it, since when, what happens next and by when.
    #[serde(default)]
    pub clock: ReportClock,
    /// How many times the reporter reopened it.
    #[serde(default)]
    pub reopen_count: u32,
    /// The reporter's rating, once given (only after closing, only once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// One step in a report's history. Every status change carries a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The status the report moved to.
    pub status: ReportStatus,
    /// The party that made the change.
    pub party: Option<Party>,
    /// What staff wrote (required for every change after `received`), or the resident's
    /// reason for reopening, or the reason for a hand-off.
    pub note: Option<String>,
    /// What happened.
    #[serde(default)]
    pub kind: TimelineKind,
    /// For a hand-off: the party that gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_party: Option<Party>,
    /// For a hand-off: the party that has it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_party: Option<Party>,
    /// For a resolution: photos of the fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_ids: Vec<PhotoId>,
    /// For a rating: what the reporter gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// What a resident is writing: every field optional until it is submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDraft {
    /// Category code.
    #[serde(default)]
    pub category: Option<String>,
    /// What is wrong.
    #[serde(default)]
    pub description: String,
    /// Where.
    #[serde(default)]
    pub place: Option<Place>,
    /// How urgent.
    #[serde(default)]
    pub urgency: Urgency,
    /// Attached photos, already resized on the device.
    #[serde(default)]
    pub photo_ids: Vec<PhotoId>,
    /// Private (the default) or public to the estate's residents, without the reporter's
    /// identity.
    #[serde(default)]
    pub visibility: ReportVisibility,
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn staff_move_forward_only_while_the_work_is_theirs() {
        use ReportStatus::*;
        assert!(Received.can_move_to(Acknowledged));
        assert!(Received.can_move_to(Resolved), "a quick fix skips steps");
        assert!(
            Reopened.can_move_to(InProgress),
            "a reopened report goes round again"
        );
        assert!(!InProgress.can_move_to(Assigned), "never back");
        assert!(!Assigned.can_move_to(Assigned), "never to itself");
        for only_the_resident in [Closed, Reopened, Received] {
            assert!(!Received.can_move_to(only_the_resident));
            assert!(!InProgress.can_move_to(only_the_resident));
        }
        for finished in [Resolved, Closed] {
            assert!(!finished.is_with_party());
            for next in ReportStatus::ALL {
                assert!(!finished.can_move_to(next), "{finished:?} -> {next:?}");
            }
        }
    }

    #[test]
    fn reports_and_entries_from_before_the_lifecycle_still_read() {
        let old = serde_json::json!({
            "id": "0190b6e0-0000-7000-8000-000000000001",
            "number": 3,
            "reporter": 1,
            "category": "water_plumbing",
            "description": "厨房水管漏水",
            "place": {"kind": "unit", "unit_id": 3251},
            "place_label": "3栋2单元501",
            "urgency": "soon",
            "status": "in_progress",
            "handling_party": "property_company",
            "photo_ids": [],
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T01:00:00Z"
        });
        let report: Report = serde_json::from_value(old).unwrap();
        assert_eq!(report.visibility, ReportVisibility::Private);
        assert_eq!(report.clock, ReportClock::default());
        assert_eq!((report.reopen_count, report.rating), (0, None));
        let entry: TimelineEntry = serde_json::from_value(serde_json::json!({
            "at": "2025-01-01T01:00:00Z",
            "status": "in_progress",
            "party": "property_company",
            "note": "师傅在路上"
        }))
        .unwrap();
        assert_eq!(entry.kind, TimelineKind::StatusChanged);
        assert!(entry.photo_ids.is_empty());
        let json = serde_json::to_value(&entry).unwrap();
        assert!(json.get("rating").is_none() && json.get("from_party").is_none());
    }
}
