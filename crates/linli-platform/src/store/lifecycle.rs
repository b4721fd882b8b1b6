//! Records of a report's lifecycle as the store takes and gives them: steps (resolve,
//! confirm, reopen, rate, hand off, close by itself), service targets, and whole histories
//! for the accountability board.

use linli_api::{
    Party, PhotoId, Rating, Report, ReportStatus, TimelineEntry, TimelineKind, Urgency, UserId,
};
use time::OffsetDateTime;

/// One step in a report's life about to be recorded, judged beforehand by
/// `report::lifecycle`. The store applies it only if the report is still as the judgement
/// saw it (compare-and-set on status, handling party, last change and, for a rating, on
/// there being none yet).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportStep {
    /// The status the report must still have.
    pub expect_status: ReportStatus,
    /// The handling party it must still have.
    pub expect_party: Party,
    /// Its last change, as read.
    pub expect_updated_at: OffsetDateTime,
    /// Its status after the step.
    pub status: ReportStatus,
    /// Its handling party after the step.
    pub handling_party: Party,
    /// Since when that party has it, after the step.
    pub held_since: OffsetDateTime,
    /// When it was last resolved, after the step.
    pub resolved_at: Option<OffsetDateTime>,
    /// When it closed, after the step (`None` while open).
    pub closed_at: Option<OffsetDateTime>,
    /// Reopenings so far, after the step.
    pub reopen_count: u32,
    /// The rating to record now (only on a `rated` step; the store refuses a second).
    pub new_rating: Option<Rating>,
    /// The timeline entry (its `at` is the report's new `updated_at`).
    pub entry: TimelineEntry,
    /// Who acted (`None` for the platform itself).
    pub author: Option<UserId>,
}

/// What came of a step.
#[derive(Clone, Debug, PartialEq)]
pub enum StepOutcome {
    /// Recorded; the report after it and its change event.
    Applied {
        /// The report as stored now (boxed: it is much larger than the other answers).
        report: Box<Report>,
        /// The change event's sequence number.
        seq: i64,
    },
    /// The report changed since it was read (or is gone); read it again and judge anew.
    Stale,
    /// A photo of the entry is missing, someone else's, or attached elsewhere; nothing was
    /// recorded.
    PhotoUnavailable(PhotoId),
}

/// A configured target: how long a party has to respond and to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRow {
    /// The category it is for; `None` for every category without a row of its own.
    pub category: Option<String>,
    /// The urgency it is for.
    pub urgency: Urgency,
    /// Minutes to the first response.
    pub respond_minutes: u32,
    /// Minutes to resolution.
    pub resolve_minutes: u32,
}

/// A report with its whole timeline, for the board.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportHistory {
    /// The report.
    pub report: Report,
    /// Everything that happened to it, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

impl ReportStep {
    /// The kind of the step, from its entry.
    pub fn kind(&self) -> TimelineKind {
        self.entry.kind
    }
}
