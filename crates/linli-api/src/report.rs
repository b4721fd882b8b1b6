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

/// Where a report stands with the handling party. Moves only forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// The platform has it and gave it a number.
    Received,
    /// The handling party has seen it.
    Acknowledged,
    /// Someone has been assigned to it.
    Assigned,
    /// Work is under way.
    InProgress,
    /// The handling party says it is fixed.
    Resolved,
}

impl ReportStatus {
    /// Every status, in workflow order.
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::Received,
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
        }
    }

    /// Whether staff may move a report from `self` to `next`: forward only (steps may be
    /// skipped, e.g. a quick fix goes straight to resolved), never back, never to itself.
    pub fn can_move_to(self, next: ReportStatus) -> bool {
        next > self
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
    /// What staff wrote (required for every change after `received`).
    pub note: Option<String>,
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
}
