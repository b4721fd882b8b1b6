//! The accountability board: per estate and party, how reports were handled over a period.
//!
//! What counts (pure functions over each report's timeline, so tests can count by hand):
//!
//! - A report *reaches* a party when it is filed to it or handed to it. A party's cohort for
//!   a period is the reports that reached it within the period (`from` inclusive, `to`
//!   exclusive); a report that reached the same party twice in the period counts once, from
//!   its first arrival.
//! - Its *first response* is the first thing that party's staff did with it after it arrived
//!   (a status change, a resolution, or handing it on), before it left them.
//! - Its *resolution* is the first time that party marked it resolved while it had it.
//! - It was *reopened* if the reporter reopened it after that resolution, while that party
//!   still had it.
//! - A *rating* belongs to the party that had the report when it was rated.
//!
//! Times are counted whenever they happened (a report that arrived on the last day of the
//! period and was fixed a week later still counts its week). Medians of an even number of
//! values are the mean of the middle two, rounded down to the second.

use crate::auth::Caller;
use crate::store::{ReportHistory, Store, Visibility};
use linli_api::platform::{AverageRating, Board, BoardQuery, PartyFigures};
use linli_api::validate::validate_period;
use linli_api::{
    ApiError, ErrorCode, EstateId, Party, Rating, ReportId, ReportStatus, TimelineKind,
};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// One stay of a report with one party.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The report.
    pub report: ReportId,
    /// The party.
    pub party: Party,
    /// When it reached the party.
    pub arrived: OffsetDateTime,
    /// The party's first action on it.
    pub first_response: Option<OffsetDateTime>,
    /// When the party first marked it resolved.
    pub resolved: Option<OffsetDateTime>,
    /// Whether the reporter reopened it after that.
    pub reopened: bool,
    /// The reporter's rating, if given during this stay.
    pub rating: Option<Rating>,
}

/// A report's stays with parties, in order.
pub fn episodes(history: &ReportHistory) -> Vec<Episode> {
    let report = &history.report;
    let first = super::clock::first_party(&history.timeline, report.handling_party);
    let mut out: Vec<Episode> = Vec::new();
    let arrive = |out: &mut Vec<Episode>, party, at| {
        out.push(Episode {
            report: report.id,
            party,
            arrived: at,
            first_response: None,
            resolved: None,
            reopened: false,
            rating: None,
        })
    };
    for e in &history.timeline {
        if e.kind == TimelineKind::Filed {
            arrive(&mut out, e.to_party.unwrap_or(first), e.at);
            continue;
        }
        let Some(current) = out.last_mut() else {
            continue;
        };
        let by_holder = e.party == Some(current.party);
        match e.kind {
            TimelineKind::StatusChanged | TimelineKind::Resolved | TimelineKind::HandedOff
                if by_holder =>
            {
                current.first_response.get_or_insert(e.at);
                let resolves = e.kind == TimelineKind::Resolved
                    || (e.kind == TimelineKind::StatusChanged
                        && e.status == ReportStatus::Resolved);
                if resolves {
                    current.resolved.get_or_insert(e.at);
                }
            }
            TimelineKind::Reopened if current.resolved.is_some() => current.reopened = true,
            TimelineKind::Rated => current.rating = e.rating.clone(),
            _ => {}
        }
        if e.kind == TimelineKind::HandedOff
            && let Some(to) = e.to_party
        {
            arrive(&mut out, to, e.at);
        }
    }
    out
}

/// The median, rounded down to a whole value; `None` for no values.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        // Halves first, so two large values cannot overflow.
        let (a, b) = (values[mid - 1], values[mid]);
        a / 2 + b / 2 + (a % 2 + b % 2) / 2
    })
}

fn average(ratings: &[Rating]) -> Option<AverageRating> {
    if ratings.is_empty() {
        return None;
    }
    let n = ratings.len() as f64;
    let mean = |f: fn(&Rating) -> u8| ratings.iter().map(|r| f64::from(f(r))).sum::<f64>() / n;
    let (attitude, quality, speed) = (mean(|r| r.attitude), mean(|r| r.quality), mean(|r| r.speed));
    Some(AverageRating {
        attitude,
        quality,
        speed,
        overall: (attitude + quality + speed) / 3.0,
    })
}

/// Each party's figures for reports that reached it in `[from, to)`, in [`Party::ALL`] order.
pub fn figures(
    histories: &[ReportHistory],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Vec<PartyFigures> {
    let all: Vec<Episode> = histories.iter().flat_map(episodes).collect();
    Party::ALL
        .iter()
        .map(|&party| {
            let mut seen = HashSet::new();
            let cohort: Vec<&Episode> = all
                .iter()
                .filter(|e| e.party == party && e.arrived >= from && e.arrived < to)
                .filter(|e| seen.insert(e.report))
                .collect();
            let mut responses: Vec<i64> = cohort
                .iter()
                .filter_map(|e| e.first_response.map(|at| (at - e.arrived).whole_seconds()))
                .collect();
            let mut resolutions: Vec<i64> = cohort
                .iter()
                .filter_map(|e| e.resolved.map(|at| (at - e.arrived).whole_seconds()))
                .collect();
            let reopened = cohort
                .iter()
                .filter(|e| e.resolved.is_some() && e.reopened)
                .count() as u32;
            let ratings: Vec<Rating> = cohort.iter().filter_map(|e| e.rating.clone()).collect();
            let resolved = resolutions.len() as u32;
            PartyFigures {
                party,
                received: cohort.len() as u32,
                responded: responses.len() as u32,
                median_first_response_seconds: median(&mut responses),
                resolved,
                median_resolution_seconds: median(&mut resolutions),
                reopened,
                reopened_share: (resolved > 0).then(|| f64::from(reopened) / f64::from(resolved)),
                ratings: ratings.len() as u32,
                average_rating: average(&ratings),
            }
        })
        .collect()
}

/// How far back the board looks when no period is given.
pub const DEFAULT_PERIOD: Duration = Duration::days(30);

/// The board of `estate` for the period `query` names, for residents and staff of that
/// estate.
pub fn board(
    store: &dyn Store,
    caller: &Caller,
    estate: EstateId,
    query: &BoardQuery,
    now: OffsetDateTime,
) -> Result<Board, ApiError> {
    if caller.user.estate_id != estate {
        return Err(ApiError::new(ErrorCode::NotFound, "no such estate"));
    }
    if super::visibility(&caller.user) == Visibility::Nothing {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the board is for residents and staff of the estate",
        ));
    }
    let to = query.to.unwrap_or(now);
    // RFC 3339 writes only the years 0 to 9999: the 30 days before a `to` early in year 0
    // start at the first moment of year 0 instead of a date the answer could not write.
    let from = query.from.unwrap_or_else(|| {
        let month_before = to - DEFAULT_PERIOD;
        if month_before.year() < 0 {
            time::macros::datetime!(0000-01-01 0:00 UTC)
        } else {
            month_before
        }
    });
    let errors = validate_period(from, to);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let histories = store.estate_history(estate, to)?;
    Ok(Board {
        estate_id: estate,
        from,
        to,
        parties: figures(&histories, from, to),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{
        Place, Report, ReportClock, ReportVisibility, TimelineEntry, UnitId, Urgency, UserId,
    };
    use rstest::rstest;

    #[rstest]
    #[case::none(vec![], None)]
    #[case::one(vec![7], Some(7))]
    #[case::odd(vec![9, 1, 5], Some(5))]
    #[case::even(vec![10, 2, 4, 8], Some(6))]
    #[case::even_rounds_down(vec![1, 2], Some(1))]
    #[case::even_large(vec![i64::MAX, i64::MAX - 2], Some(i64::MAX - 1))]
    fn medians(#[case] mut values: Vec<i64>, #[case] expected: Option<i64>) {
        assert_eq!(median(&mut values), expected);
    }

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap()
    }

    fn h(hours: i64) -> OffsetDateTime {
        t0() + Duration::hours(hours)
    }

    fn e(at: OffsetDateTime, kind: TimelineKind, party: Option<Party>) -> TimelineEntry {
        let status = match kind {
            TimelineKind::Filed | TimelineKind::HandedOff => ReportStatus::Received,
            TimelineKind::Resolved => ReportStatus::Resolved,
            TimelineKind::Reopened => ReportStatus::Reopened,
            TimelineKind::Confirmed | TimelineKind::ClosedAutomatically | TimelineKind::Rated => {
                ReportStatus::Closed
            }
            TimelineKind::StatusChanged => ReportStatus::Acknowledged,
        };
        TimelineEntry {
            at,
            status,
            party,
            note: None,
            kind,
            from_party: None,
            to_party: None,
            photo_ids: vec![],
            rating: None,
        }
    }

    fn filed(at: OffsetDateTime, to: Party) -> TimelineEntry {
        TimelineEntry {
            to_party: Some(to),
            ..e(at, TimelineKind::Filed, None)
        }
    }

    fn handed(at: OffsetDateTime, from: Party, to: Party) -> TimelineEntry {
        TimelineEntry {
            from_party: Some(from),
            to_party: Some(to),
            ..e(at, TimelineKind::HandedOff, Some(from))
        }
    }

    fn rated(at: OffsetDateTime, marks: (u8, u8, u8)) -> TimelineEntry {
        TimelineEntry {
            rating: Some(Rating {
                attitude: marks.0,
                quality: marks.1,
                speed: marks.2,
                comment: String::new(),
            }),
            ..e(at, TimelineKind::Rated, None)
        }
    }

    fn history(timeline: Vec<TimelineEntry>, now_with: Party) -> ReportHistory {
        ReportHistory {
            report: Report {
                id: ReportId::new(),
                number: 1,
                reporter: UserId(1),
                category: "water_plumbing".into(),
                description: "漏水了".into(),
                place: Place::Unit {
                    unit_id: UnitId(3251),
                },
                place_label: String::new(),
                urgency: Urgency::Soon,
                status: timeline.last().unwrap().status,
                handling_party: now_with,
                photo_ids: vec![],
                created_at: timeline[0].at,
                updated_at: timeline.last().unwrap().at,
                affected: 1,
                following: false,
                visibility: ReportVisibility::Private,
                clock: ReportClock::default(),
                reopen_count: 0,
                rating: None,
            },
            timeline,
        }
    }

    const P: Party = Party::PropertyCompany;
    const C: Party = Party::Community;

    fn sample() -> Vec<ReportHistory> {
        use TimelineKind::*;
        vec![
            // A: seen after 1 h, fixed after 5 h, confirmed, rated 5/4/3.
            history(
                vec![
                    filed(h(0), P),
                    e(h(1), StatusChanged, Some(P)),
                    e(h(5), Resolved, Some(P)),
                    e(h(6), Confirmed, None),
                    rated(h(7), (5, 4, 3)),
                ],
                P,
            ),
            // B: fixed straight away after 3 h, reopened, fixed again, rated 1/2/3.
            history(
                vec![
                    filed(h(10), P),
                    e(h(13), Resolved, Some(P)),
                    e(h(20), Reopened, None),
                    e(h(22), Resolved, Some(P)),
                    e(h(23), Confirmed, None),
                    rated(h(24), (1, 2, 3)),
                ],
                P,
            ),
            // C: handed to the community after 2 h, which saw it 4 h later and fixed it 10 h
            // after it arrived.
            history(
                vec![
                    filed(h(30), P),
                    handed(h(32), P, C),
                    e(h(36), StatusChanged, Some(C)),
                    e(h(42), Resolved, Some(C)),
                ],
                C,
            ),
            // D: nobody has answered.
            history(vec![filed(h(50), P)], P),
        ]
    }

    #[test]
    fn figures_follow_the_rules_counted_by_hand() {
        let board = figures(&sample(), t0(), h(100));
        let p = &board[0];
        assert_eq!(p.party, P);
        assert_eq!(p.received, 4, "A, B, C and D reached the property company");
        // First responses: A 1 h, B 3 h, C 2 h (the hand-off); D none → median 2 h.
        assert_eq!(p.responded, 3);
        assert_eq!(p.median_first_response_seconds, Some(2 * 3600));
        // Resolutions: A 5 h, B 3 h → median of an even count: 4 h.
        assert_eq!(p.resolved, 2);
        assert_eq!(p.median_resolution_seconds, Some(4 * 3600));
        assert_eq!(p.reopened, 1);
        assert_eq!(p.reopened_share, Some(0.5));
        assert_eq!(p.ratings, 2);
        let avg = p.average_rating.clone().unwrap();
        assert_eq!((avg.attitude, avg.quality, avg.speed), (3.0, 3.0, 3.0));
        assert_eq!(avg.overall, 3.0);

        let c = &board[1];
        assert_eq!(c.party, C);
        assert_eq!(c.received, 1);
        assert_eq!(c.median_first_response_seconds, Some(4 * 3600));
        assert_eq!(c.median_resolution_seconds, Some(10 * 3600));
        assert_eq!(c.reopened_share, Some(0.0));
        assert_eq!(c.average_rating, None);

        for empty in &board[2..] {
            assert_eq!(empty.received, 0);
            assert_eq!(empty.median_first_response_seconds, None);
            assert_eq!(empty.reopened_share, None);
        }
    }

    #[test]
    fn the_period_picks_reports_by_when_they_reached_the_party() {
        // Only B (filed at 10 h) and C (filed at 30 h, handed on at 32 h) fall in [10 h, 31 h)
        // for the property company; C reached the community at 32 h, outside.
        let board = figures(&sample(), h(10), h(31));
        assert_eq!(board[0].received, 2);
        assert_eq!(board[0].median_resolution_seconds, Some(3 * 3600));
        assert_eq!(board[1].received, 0);
        let empty = figures(&sample(), h(200), h(300));
        assert!(empty.iter().all(|f| f.received == 0 && f.ratings == 0));
        assert_eq!(empty.len(), 4);
    }

    #[test]
    fn a_report_handed_back_counts_once_per_party() {
        let back_and_forth = history(
            vec![
                filed(h(0), P),
                handed(h(1), P, C),
                handed(h(2), C, P),
                e(h(4), TimelineKind::Resolved, Some(P)),
            ],
            P,
        );
        let board = figures(&[back_and_forth], t0(), h(10));
        assert_eq!(board[0].received, 1);
        assert_eq!(board[0].median_first_response_seconds, Some(3600));
        // The first stay ended with the hand-off, unresolved.
        assert_eq!(board[0].resolved, 0);
        assert_eq!(board[1].received, 1);
    }
}
