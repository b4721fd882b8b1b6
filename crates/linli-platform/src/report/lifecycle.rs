//! A report's life after filing: staff move it on, hand it to another party or resolve it;
//! the reporter confirms, reopens and rates; the platform closes what nobody answered.
//! The state machine is documented on [`linli_api::ReportStatus`].
//!
//! Each step is judged here against the report as read, then recorded by the store only if
//! the report is still as it was read; a racing step makes the store say "stale" and the
//! step is judged again on the new state, so two people can never both win a race they
//! should not both win (two ratings, a confirmation and a reopening).

use super::clock::{self, AUTO_CLOSE_AFTER, REOPEN_WITHIN, Targets};
use super::{can_see, not_found};
use crate::auth::Caller;
use crate::store::{ReportStep, StepOutcome, Store, StoreError, StoredReport};
use linli_api::platform::{HandOff, Reopening, ReportDetail, Resolution, StatusChange};
use linli_api::validate::{
    validate_hand_off, validate_note, validate_rating, validate_reason, validate_resolution,
};
use linli_api::{
    ApiError, ErrorCode, FieldError, FieldErrorCode, Party, PhotoId, Rating, Report, ReportId,
    ReportStatus, TimelineEntry, TimelineKind,
};
use time::OffsetDateTime;

/// What came of a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Stepped {
    /// The report with its timeline after the step, as the caller sees it.
    pub detail: ReportDetail,
    /// The change event.
    pub seq: i64,
}

/// The report with its clock filled in as of `now`.
pub fn present(mut report: Report, targets: &Targets, now: OffsetDateTime) -> Report {
    let target = targets.target(&report.category, report.urgency);
    clock::dress(&mut report, target, now);
    report
}

/// A report's detail as of `now`: the report with its clock, its timeline and the time each
/// party held it.
pub fn detail_of(
    store: &dyn Store,
    report: Report,
    now: OffsetDateTime,
) -> Result<ReportDetail, StoreError> {
    let timeline = store.timeline(report.id)?;
    let time_held = clock::time_held(&timeline, report.handling_party, now);
    Ok(ReportDetail {
        report: present(report, &Targets::load(store)?, now),
        timeline,
        time_held,
    })
}

fn forbidden(detail: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, detail)
}

fn invalid_transition(from: ReportStatus, what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidTransition,
        format!("a {} report cannot be {what}", from.as_str()),
    )
}

fn checked(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The party the caller acts for, if it is the report's handling party.
fn handling_staff(caller: &Caller, stored: &StoredReport) -> Result<Party, ApiError> {
    match caller.user.role.party() {
        Some(party) if party == stored.report.handling_party => Ok(party),
        _ => Err(forbidden(
            "only staff of the handling party move a report on or hand it over",
        )),
    }
}

fn reporter_only(caller: &Caller, stored: &StoredReport) -> Result<(), ApiError> {
    if stored.report.reporter == caller.user.id {
        Ok(())
    } else {
        Err(forbidden(
            "only the resident who filed the report confirms, reopens or rates it",
        ))
    }
}

/// The step that keeps everything as it is but records `entry`; callers change what the
/// step changes.
fn step_from(stored: &StoredReport, entry: TimelineEntry, caller: Option<&Caller>) -> ReportStep {
    let r = &stored.report;
    ReportStep {
        expect_status: r.status,
        expect_party: r.handling_party,
        expect_updated_at: r.updated_at,
        status: entry.status,
        handling_party: r.handling_party,
        held_since: r.clock.held_since.unwrap_or(r.created_at),
        resolved_at: r.clock.resolved_at,
        closed_at: r.clock.closed_at,
        reopen_count: r.reopen_count,
        new_rating: None,
        author: caller.map(|c| c.user.id),
        entry,
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
        photo_ids: Vec::new(),
        rating: None,
    }
}

/// Reads the report (as the caller may see it), judges the step, records it; again on a
/// race, at most three times.
fn commit(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    now: OffsetDateTime,
    judge: impl Fn(&StoredReport) -> Result<ReportStep, ApiError>,
) -> Result<Stepped, ApiError> {
    for _ in 0..3 {
        let stored = store
            .report(id)?
            .filter(|r| can_see(&caller.user, r))
            .ok_or_else(not_found)?;
        let step = judge(&stored)?;
        match store.apply_step(id, &step)? {
            StepOutcome::Applied { report, seq } => {
                return Ok(Stepped {
                    detail: detail_of(store, *report, now)?,
                    seq,
                });
            }
            StepOutcome::PhotoUnavailable(_) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "photos",
                    FieldErrorCode::UnknownPhoto,
                )]));
            }
            StepOutcome::Stale => {}
        }
    }
    Err(ApiError::new(
        ErrorCode::InvalidTransition,
        "the report kept changing; reload it and try again",
    ))
}

/// A resolution step for staff of `party`, with its note and photos.
fn resolution_step(
    stored: &StoredReport,
    caller: &Caller,
    party: Party,
    note: &str,
    photo_ids: &[PhotoId],
    now: OffsetDateTime,
) -> ReportStep {
    let mut e = entry(now, TimelineKind::Resolved, ReportStatus::Resolved);
    e.party = Some(party);
    e.note = Some(note.trim().to_owned());
    e.photo_ids = photo_ids.to_vec();
    let mut step = step_from(stored, e, Some(caller));
    step.resolved_at = Some(now);
    step
}

/// Moves a report forward, for staff of its handling party, with a note. Moving it to
/// `resolved` is a resolution without photos (see [`resolve`]).
pub fn change_status(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    change: &StatusChange,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        let party = handling_staff(caller, stored)?;
        checked(validate_note(&change.note))?;
        let from = stored.report.status;
        if !from.can_move_to(change.status) {
            return Err(ApiError::new(
                ErrorCode::InvalidTransition,
                format!(
                    "a report cannot move from {} to {}",
                    from.as_str(),
                    change.status.as_str()
                ),
            ));
        }
        if change.status == ReportStatus::Resolved {
            return Ok(resolution_step(
                stored,
                caller,
                party,
                &change.note,
                &[],
                now,
            ));
        }
        let mut e = entry(now, TimelineKind::StatusChanged, change.status);
        e.party = Some(party);
        e.note = Some(change.note.trim().to_owned());
        Ok(step_from(stored, e, Some(caller)))
    })
}

/// Marks a report resolved, for staff of its handling party: a note (required) and photos of
/// the fix they uploaded themselves. The reporter then confirms or reopens.
pub fn resolve(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    resolution: &Resolution,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        let party = handling_staff(caller, stored)?;
        checked(validate_resolution(resolution))?;
        let from = stored.report.status;
        if !from.can_move_to(ReportStatus::Resolved) {
            return Err(invalid_transition(from, "resolved"));
        }
        // Checked again inside the store's transaction; this gives the early, clear answer.
        for photo in &resolution.photo_ids {
            let usable = store.photo(*photo)?.is_some_and(|p| {
                p.uploader == caller.user.id && p.report_id.is_none_or(|r| r == id)
            });
            if !usable {
                return Err(ApiError::validation(vec![FieldError::new(
                    "photos",
                    FieldErrorCode::UnknownPhoto,
                )]));
            }
        }
        Ok(resolution_step(
            stored,
            caller,
            party,
            &resolution.note,
            &resolution.photo_ids,
            now,
        ))
    })
}

/// The reporter confirms the fix: the report closes.
pub fn confirm(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        reporter_only(caller, stored)?;
        let from = stored.report.status;
        if from != ReportStatus::Resolved {
            return Err(invalid_transition(from, "confirmed as fixed"));
        }
        let mut step = step_from(
            stored,
            entry(now, TimelineKind::Confirmed, ReportStatus::Closed),
            Some(caller),
        );
        step.closed_at = Some(now);
        Ok(step)
    })
}

/// The reporter reopens a resolved report, or a closed one within 30 days of closing, with a
/// reason: it goes back to the handling party as work to do again.
pub fn reopen(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    reopening: &Reopening,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        reporter_only(caller, stored)?;
        let report = &stored.report;
        match report.status {
            ReportStatus::Resolved => {}
            ReportStatus::Closed => {
                let closed = report.clock.closed_at.unwrap_or(report.updated_at);
                if now > closed + REOPEN_WITHIN {
                    return Err(ApiError::new(
                        ErrorCode::ReopenWindowPassed,
                        "a report can be reopened for 30 days after it closed",
                    ));
                }
            }
            from => return Err(invalid_transition(from, "reopened")),
        }
        checked(validate_reason(&reopening.reason))?;
        let mut e = entry(now, TimelineKind::Reopened, ReportStatus::Reopened);
        e.note = Some(reopening.reason.trim().to_owned());
        let mut step = step_from(stored, e, Some(caller));
        step.held_since = now;
        step.closed_at = None;
        step.reopen_count = report.reopen_count + 1;
        Ok(step)
    })
}

/// The reporter rates a closed report, once.
pub fn rate(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    rating: &Rating,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        reporter_only(caller, stored)?;
        if stored.report.rating.is_some() {
            return Err(ApiError::new(
                ErrorCode::AlreadyRated,
                "a report is rated once",
            ));
        }
        if stored.report.status != ReportStatus::Closed {
            return Err(ApiError::new(
                ErrorCode::NotClosedYet,
                "a report is rated once it is closed",
            ));
        }
        checked(validate_rating(rating))?;
        let rating = Rating {
            comment: rating.comment.trim().to_owned(),
            ..rating.clone()
        };
        let mut e = entry(now, TimelineKind::Rated, ReportStatus::Closed);
        e.rating = Some(rating.clone());
        let mut step = step_from(stored, e, Some(caller));
        step.new_rating = Some(rating);
        Ok(step)
    })
}

/// The handling party hands a report to another party, naming it and saying why. The other
/// party starts at `received` with its own clock.
pub fn hand_off(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    hand_off: &HandOff,
    now: OffsetDateTime,
) -> Result<Stepped, ApiError> {
    commit(store, caller, id, now, |stored| {
        let party = handling_staff(caller, stored)?;
        checked(validate_hand_off(hand_off, party))?;
        let from = stored.report.status;
        if !from.is_with_party() {
            return Err(invalid_transition(from, "handed over"));
        }
        let Some(to) = hand_off.to else {
            unreachable!("validate_hand_off requires a party")
        };
        let mut e = entry(now, TimelineKind::HandedOff, ReportStatus::Received);
        e.party = Some(party);
        e.from_party = Some(party);
        e.to_party = Some(to);
        e.note = Some(hand_off.reason.trim().to_owned());
        let mut step = step_from(stored, e, Some(caller));
        step.handling_party = to;
        step.held_since = now;
        Ok(step)
    })
}

/// Closes every report resolved more than seven days before `now` that its reporter neither
/// confirmed nor reopened, each at the moment its seven days ended. Returns the change
/// events. Runs on reads and writes of reports and every minute in the server, so the result
/// depends only on the clock, never on when somebody looked.
pub fn sweep(store: &dyn Store, now: OffsetDateTime) -> Result<Vec<i64>, StoreError> {
    let mut seqs = Vec::new();
    for stored in store.resolved_before(now - AUTO_CLOSE_AFTER)? {
        let Some(resolved_at) = stored.report.clock.resolved_at else {
            continue;
        };
        let at = resolved_at + AUTO_CLOSE_AFTER;
        let mut step = step_from(
            &stored,
            entry(at, TimelineKind::ClosedAutomatically, ReportStatus::Closed),
            None,
        );
        step.closed_at = Some(at);
        // Stale: the reporter answered meanwhile, which is what the rule waits for.
        if let StepOutcome::Applied { seq, .. } = store.apply_step(stored.report.id, &step)? {
            seqs.push(seq);
        }
    }
    Ok(seqs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::store::hooked::Hooked;
    use linli_api::platform::NewReport;
    use linli_api::{Place, ReportVisibility, UnitId, Urgency};
    use time::Duration;

    fn caller(store: &dyn Store, phone: &str) -> Caller {
        let user = store.user_by_phone(phone).unwrap().unwrap();
        Caller {
            units: store.units_of(user.id).unwrap(),
            user,
            token_hash: [0; 32],
        }
    }

    #[test]
    fn two_ratings_judged_on_the_same_read_cannot_both_land() {
        let store = Hooked::seeded();
        let resident = caller(&store, demo::RESIDENT_PHONE);
        let staff = caller(&store, demo::PROPERTY_STAFF_PHONE);
        let t0 = OffsetDateTime::now_utc();
        let new = NewReport {
            id: ReportId::new(),
            category: "water_plumbing".into(),
            description: "厨房水管漏水".into(),
            place: Place::Unit {
                unit_id: UnitId(3251),
            },
            urgency: Urgency::Soon,
            photo_ids: vec![],
            visibility: ReportVisibility::Private,
        };
        let id = super::super::file_report(&store, &resident, &new, t0)
            .unwrap()
            .report
            .id;
        let fixed = Resolution {
            note: "已修好".into(),
            photo_ids: vec![],
        };
        resolve(&store, &staff, id, &fixed, t0 + Duration::hours(1)).unwrap();
        confirm(&store, &resident, id, t0 + Duration::hours(2)).unwrap();
        let read = store.report(id).unwrap().unwrap();
        let rating = |marks: u8| {
            let mut e = entry(
                t0 + Duration::hours(3),
                TimelineKind::Rated,
                ReportStatus::Closed,
            );
            let r = Rating {
                attitude: marks,
                quality: marks,
                speed: marks,
                comment: String::new(),
            };
            e.rating = Some(r.clone());
            let mut step = step_from(&read, e, Some(&resident));
            step.new_rating = Some(r);
            step
        };
        assert!(matches!(
            store.apply_step(id, &rating(5)).unwrap(),
            StepOutcome::Applied { .. }
        ));
        assert_eq!(
            store.apply_step(id, &rating(1)).unwrap(),
            StepOutcome::Stale
        );
        let stored = store.report(id).unwrap().unwrap().report;
        assert_eq!(stored.rating.map(|r| r.attitude), Some(5));
        // Judged again on the new state, the second one is told why.
        let again = rate(
            &store,
            &resident,
            id,
            &Rating {
                attitude: 1,
                quality: 1,
                speed: 1,
                comment: String::new(),
            },
            t0 + Duration::hours(3),
        );
        assert_eq!(again.unwrap_err().code, ErrorCode::AlreadyRated);
        let rated = store
            .timeline(id)
            .unwrap()
            .iter()
            .filter(|e| e.kind == TimelineKind::Rated)
            .count();
        assert_eq!(rated, 1);
    }

    #[test]
    fn the_seven_day_rule_closes_only_what_is_due_at_the_end_of_its_week() {
        let store = Hooked::seeded();
        let now = OffsetDateTime::now_utc();
        assert_eq!(demo::history::seed(&store, now).unwrap(), 10);
        // Report 4 was closed by the rule while seeding; nothing else is due yet.
        assert!(sweep(&store, now).unwrap().is_empty());
        // Report 6 was resolved three days ago: due in four.
        assert!(
            sweep(&store, now + Duration::days(4) - Duration::minutes(1))
                .unwrap()
                .is_empty()
        );
        assert_eq!(sweep(&store, now + Duration::days(4)).unwrap().len(), 1);
    }
}
