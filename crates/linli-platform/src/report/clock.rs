//! The clock of a report: who has it, since when, what happens next and by when, and whether
//! the party holding it is late. Targets come from the `service_targets` table (per category
//! and urgency, with rows for every category as the fallback); everything else is computed
//! from the report's stored times and its timeline, at the moment of asking.

use crate::store::{Store, StoreError, TargetRow};
use linli_api::platform::PartyTime;
use linli_api::validate::{AUTO_CLOSE_DAYS, REOPEN_DAYS};
use linli_api::{
    NextStep, Party, Report, ReportStatus, ServiceTarget, TimelineEntry, TimelineKind, Urgency,
};
use time::{Duration, OffsetDateTime};

/// How long a resolved report waits for the reporter before it closes by itself.
pub const AUTO_CLOSE_AFTER: Duration = Duration::days(AUTO_CLOSE_DAYS);
/// How long after closing the reporter may still reopen.
pub const REOPEN_WITHIN: Duration = Duration::days(REOPEN_DAYS);

/// Targets used when the table has no row at all for an urgency: an hour to respond and four
/// to fix what is urgent, four and twenty-four hours for what should be seen soon, a day and
/// three days for routine work.
pub fn fallback_target(urgency: Urgency) -> ServiceTarget {
    let (respond_minutes, resolve_minutes) = match urgency {
        Urgency::Urgent => (60, 4 * 60),
        Urgency::Soon => (4 * 60, 24 * 60),
        Urgency::Routine => (24 * 60, 72 * 60),
    };
    ServiceTarget {
        urgency,
        respond_minutes,
        resolve_minutes,
    }
}

/// The configured targets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets(Vec<TargetRow>);

impl Targets {
    /// Targets from these rows.
    pub fn new(rows: Vec<TargetRow>) -> Self {
        Self(rows)
    }

    /// The targets in the store.
    pub fn load(store: &dyn Store) -> Result<Self, StoreError> {
        Ok(Self(store.service_targets()?))
    }

    /// The target for one category and urgency: the category's own row, else the row for
    /// every category, else [`fallback_target`].
    pub fn target(&self, category: &str, urgency: Urgency) -> ServiceTarget {
        let row = |wanted: Option<&str>| {
            self.0
                .iter()
                .find(|r| r.urgency == urgency && r.category.as_deref() == wanted)
        };
        row(Some(category))
            .or_else(|| row(None))
            .map(|r| ServiceTarget {
                urgency,
                respond_minutes: r.respond_minutes,
                resolve_minutes: r.resolve_minutes,
            })
            .unwrap_or_else(|| fallback_target(urgency))
    }

    /// A category's targets for every urgency, in form order.
    pub fn for_category(&self, category: &str) -> Vec<ServiceTarget> {
        Urgency::ALL
            .iter()
            .map(|u| self.target(category, *u))
            .collect()
    }
}

fn minutes(m: u32) -> Duration {
    Duration::minutes(i64::from(m))
}

/// Fills in the clock of `report` as of `now`: the next step and when it is due, and whether
/// the handling party is late. Reads the stored times (`held_since`, `resolved_at`,
/// `closed_at`) the store put in the clock.
pub fn dress(report: &mut Report, target: ServiceTarget, now: OffsetDateTime) {
    let clock = &mut report.clock;
    let held_since = clock.held_since.unwrap_or(report.created_at);
    let respond_by = held_since + minutes(target.respond_minutes);
    let resolve_by = held_since + minutes(target.resolve_minutes);
    clock.held_since = Some(held_since);
    clock.overdue = false;
    clock.reopen_until = None;
    clock.resolve_by = None;
    match report.status {
        ReportStatus::Received | ReportStatus::Reopened => {
            clock.next_step = NextStep::Respond;
            clock.expected_by = Some(respond_by);
            clock.resolve_by = Some(resolve_by);
        }
        ReportStatus::Acknowledged | ReportStatus::Assigned | ReportStatus::InProgress => {
            clock.next_step = NextStep::Resolve;
            clock.expected_by = Some(resolve_by);
            clock.resolve_by = Some(resolve_by);
        }
        ReportStatus::Resolved => {
            clock.next_step = NextStep::Confirm;
            clock.expected_by = clock.resolved_at.map(|at| at + AUTO_CLOSE_AFTER);
        }
        ReportStatus::Closed => {
            clock.next_step = NextStep::Nothing;
            clock.expected_by = None;
            clock.reopen_until = clock.closed_at.map(|at| at + REOPEN_WITHIN);
        }
    }
    clock.overdue = matches!(clock.next_step, NextStep::Respond | NextStep::Resolve)
        && clock.expected_by.is_some_and(|by| now > by);
}

/// The party a report went to when it was filed: named by the filing entry, else the giver
/// of the first hand-off, else the party that has it now (timelines from before hand-offs
/// existed).
pub fn first_party(timeline: &[TimelineEntry], now_with: Party) -> Party {
    timeline
        .iter()
        .find(|e| e.kind == TimelineKind::Filed)
        .and_then(|e| e.to_party)
        .or_else(|| {
            timeline
                .iter()
                .find(|e| e.kind == TimelineKind::HandedOff)
                .and_then(|e| e.from_party)
        })
        .unwrap_or(now_with)
}

/// One stretch of time during which a party had the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holding {
    /// The party.
    pub party: Party,
    /// From when.
    pub from: OffsetDateTime,
    /// Until when (`None`: still).
    pub until: Option<OffsetDateTime>,
}

/// The stretches of a timeline during which a party had the work: from filing, a hand-off to
/// it or a reopening, until it resolved the report or handed it on.
pub fn holdings(timeline: &[TimelineEntry], now_with: Party) -> Vec<Holding> {
    let mut holder = first_party(timeline, now_with);
    let mut out: Vec<Holding> = Vec::new();
    let mut running: Option<OffsetDateTime> = None;
    let stop = |out: &mut Vec<Holding>, running: &mut Option<OffsetDateTime>, party, at| {
        if let Some(from) = running.take() {
            out.push(Holding {
                party,
                from,
                until: Some(at),
            });
        }
    };
    for e in timeline {
        let resolved = e.kind == TimelineKind::Resolved
            || (e.kind == TimelineKind::StatusChanged && e.status == ReportStatus::Resolved);
        match e.kind {
            TimelineKind::Filed => running = Some(e.at),
            TimelineKind::HandedOff => {
                stop(&mut out, &mut running, holder, e.at);
                holder = e.to_party.unwrap_or(holder);
                running = Some(e.at);
            }
            TimelineKind::Reopened => {
                running.get_or_insert(e.at);
            }
            _ if resolved => stop(&mut out, &mut running, holder, e.at),
            _ => {}
        }
    }
    if let Some(from) = running {
        out.push(Holding {
            party: holder,
            from,
            until: None,
        });
    }
    out
}

/// Time held per party, in the order they first had it, counted up to `now` for the party
/// that has it still.
pub fn time_held(
    timeline: &[TimelineEntry],
    now_with: Party,
    now: OffsetDateTime,
) -> Vec<PartyTime> {
    let mut out: Vec<PartyTime> = Vec::new();
    for h in holdings(timeline, now_with) {
        let seconds = (h.until.unwrap_or(now) - h.from).whole_seconds().max(0);
        match out.iter_mut().find(|t| t.party == h.party) {
            Some(t) => t.seconds += seconds,
            None => out.push(PartyTime {
                party: h.party,
                seconds,
                holding_now: false,
            }),
        }
        if h.until.is_none()
            && let Some(t) = out.iter_mut().find(|t| t.party == h.party)
        {
            t.holding_now = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{Place, ReportClock, ReportId, ReportVisibility, UnitId, UserId};

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap()
    }

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    fn report(status: ReportStatus) -> Report {
        Report {
            id: ReportId::new(),
            number: 1,
            reporter: UserId(1),
            category: "water_plumbing".into(),
            description: "漏水了".into(),
            place: Place::Unit {
                unit_id: UnitId(3251),
            },
            place_label: "3栋2单元501".into(),
            urgency: Urgency::Soon,
            status,
            handling_party: Party::PropertyCompany,
            photo_ids: vec![],
            created_at: t0(),
            updated_at: t0(),
            affected: 1,
            following: false,
            visibility: ReportVisibility::Private,
            clock: ReportClock {
                held_since: Some(t0()),
                ..Default::default()
            },
            reopen_count: 0,
            rating: None,
        }
    }

    fn entry(at: OffsetDateTime, kind: TimelineKind, status: ReportStatus) -> TimelineEntry {
        TimelineEntry {
            at,
            status,
            party: None,
            note: None,
            kind,
            from_party: None,
            to_party: None,
            photo_ids: vec![],
            rating: None,
        }
    }

    fn rows() -> Targets {
        Targets::new(vec![
            TargetRow {
                category: None,
                urgency: Urgency::Soon,
                respond_minutes: 240,
                resolve_minutes: 1440,
            },
            TargetRow {
                category: Some("lifts".into()),
                urgency: Urgency::Soon,
                respond_minutes: 120,
                resolve_minutes: 2880,
            },
        ])
    }

    #[test]
    fn a_category_row_wins_over_the_shared_row_which_wins_over_the_fallback() {
        let t = rows();
        assert_eq!(t.target("lifts", Urgency::Soon).resolve_minutes, 2880);
        assert_eq!(t.target("noise", Urgency::Soon).resolve_minutes, 1440);
        assert_eq!(
            t.target("noise", Urgency::Urgent),
            fallback_target(Urgency::Urgent)
        );
        assert_eq!(t.for_category("lifts").len(), 3);
    }

    #[test]
    fn a_new_report_waits_for_a_response_and_is_late_after_its_target() {
        let target = rows().target("water_plumbing", Urgency::Soon);
        let mut r = report(ReportStatus::Received);
        dress(&mut r, target, t0() + hours(3));
        assert_eq!(r.clock.next_step, NextStep::Respond);
        assert_eq!(r.clock.expected_by, Some(t0() + hours(4)));
        assert_eq!(r.clock.resolve_by, Some(t0() + hours(24)));
        assert!(!r.clock.overdue);
        dress(&mut r, target, t0() + hours(4) + Duration::seconds(1));
        assert!(r.clock.overdue, "past the four hours");

        let mut working = report(ReportStatus::InProgress);
        dress(&mut working, target, t0() + hours(23));
        assert_eq!(working.clock.next_step, NextStep::Resolve);
        assert_eq!(working.clock.expected_by, Some(t0() + hours(24)));
        assert!(!working.clock.overdue);
    }

    #[test]
    fn a_resolved_report_waits_for_the_reporter_and_is_never_late() {
        let target = rows().target("water_plumbing", Urgency::Soon);
        let mut r = report(ReportStatus::Resolved);
        r.clock.resolved_at = Some(t0() + hours(30));
        dress(&mut r, target, t0() + Duration::days(20));
        assert_eq!(r.clock.next_step, NextStep::Confirm);
        assert_eq!(
            r.clock.expected_by,
            Some(t0() + hours(30) + AUTO_CLOSE_AFTER)
        );
        assert!(!r.clock.overdue, "the resident is never 'late'");

        let mut closed = report(ReportStatus::Closed);
        closed.clock.closed_at = Some(t0() + hours(40));
        dress(&mut closed, target, t0() + hours(41));
        assert_eq!(closed.clock.next_step, NextStep::Nothing);
        assert_eq!(closed.clock.expected_by, None);
        assert_eq!(
            closed.clock.reopen_until,
            Some(t0() + hours(40) + REOPEN_WITHIN)
        );
    }

    #[test]
    fn time_is_held_from_arrival_to_resolution_or_hand_off_and_again_after_reopening() {
        let mut filed = entry(t0(), TimelineKind::Filed, ReportStatus::Received);
        filed.to_party = Some(Party::PropertyCompany);
        let mut handed = entry(
            t0() + hours(2),
            TimelineKind::HandedOff,
            ReportStatus::Received,
        );
        handed.from_party = Some(Party::PropertyCompany);
        handed.to_party = Some(Party::Community);
        let timeline = vec![
            filed,
            handed,
            entry(
                t0() + hours(5),
                TimelineKind::Resolved,
                ReportStatus::Resolved,
            ),
            // The reporter took a day to answer: nobody's time.
            entry(
                t0() + hours(29),
                TimelineKind::Reopened,
                ReportStatus::Reopened,
            ),
        ];
        let held = time_held(&timeline, Party::Community, t0() + hours(30));
        assert_eq!(
            held,
            vec![
                PartyTime {
                    party: Party::PropertyCompany,
                    seconds: 2 * 3600,
                    holding_now: false
                },
                PartyTime {
                    party: Party::Community,
                    seconds: (3 + 1) * 3600,
                    holding_now: true
                },
            ]
        );
        assert!(
            time_held(&timeline[..3], Party::Community, t0() + hours(30))
                .iter()
                .all(|t| !t.holding_now)
        );
    }
}
