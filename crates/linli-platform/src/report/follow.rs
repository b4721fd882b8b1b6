//! Following a neighbour's report, and the duplicate check that offers it.
//!
//! While reporting, a resident is shown the open reports of the same category and place from
//! the last 14 days ("same problem? follow it instead"). Following adds them to that report's
//! updates (its changes reach them through the change feed) and counts them as affected. They
//! see the report as a neighbour: without the reporter's identity, a home shown only as its
//! building.
//!
//! Rules: only residents follow; only reports of their own estate; never their own; only
//! reports the duplicate check would show (open, received in the last 14 days) or public
//! ones. Following twice is one follow, and so is a retry; stopping is just as forgiving.

use super::{can_see, catalogue, not_found};
use crate::auth::Caller;
use crate::store::{
    FINISHED_STATUSES, SimilarPlace, SimilarScope, Store, StoreError, StoredReport, User,
};
use linli_api::platform::{BuildingRef, FollowState, SimilarQuery, SimilarReport};
use linli_api::validate::SIMILAR_REPORT_DAYS;
use linli_api::{ApiError, ErrorCode, FieldError, FieldErrorCode, Place, Report, ReportId, UserId};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// How far back the duplicate check looks.
pub const SIMILAR_WINDOW: Duration = Duration::days(SIMILAR_REPORT_DAYS);

/// How a person stands to one report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// They filed it.
    Reporter,
    /// They follow it (a neighbour, affected too).
    Follower,
    /// Staff (or an administrator) of its estate: they see everything about it.
    Staff,
    /// Another resident who may see it without following it (a public report): they see it
    /// as a neighbour, but the conversation on it is not theirs.
    Neighbour,
    /// None of these: the report is not theirs to see through these routes.
    Stranger,
}

/// How `user` stands to `report`.
pub fn standing(
    store: &dyn Store,
    user: &User,
    report: &StoredReport,
) -> Result<Standing, StoreError> {
    if user.role.is_resident() {
        if report.report.reporter == user.id {
            return Ok(Standing::Reporter);
        }
        if report.estate_id == user.estate_id && follows(store, user.id, report.report.id)? {
            return Ok(Standing::Follower);
        }
        return Ok(if can_see(user, report) {
            Standing::Neighbour
        } else {
            Standing::Stranger
        });
    }
    Ok(if can_see(user, report) {
        Standing::Staff
    } else {
        Standing::Stranger
    })
}

fn follows(store: &dyn Store, user: UserId, report: ReportId) -> Result<bool, StoreError> {
    Ok(store.followed_reports(user)?.contains(&report))
}

/// Whether `user` may read `report` at all (its detail, photos and comments).
pub fn may_read(store: &dyn Store, user: &User, report: &StoredReport) -> Result<bool, StoreError> {
    Ok(standing(store, user, report)? != Standing::Stranger)
}

/// A neighbour's report as a follower sees it: no reporter, and a report about a home shown
/// as its building (the duplicate check's own granularity).
pub fn as_neighbour(
    report: Report,
    buildings: &[BuildingRef],
    unit_building: impl Fn(linli_api::UnitId) -> Option<linli_api::BuildingId>,
) -> Report {
    let (place, place_label) = match &report.place {
        Place::Unit { unit_id } => {
            let building =
                unit_building(*unit_id).and_then(|id| buildings.iter().find(|b| b.id == id));
            match building {
                Some(b) => (
                    Place::Building {
                        building_id: b.id,
                        spot: String::new(),
                    },
                    b.label.clone(),
                ),
                // A unit outside the estate's buildings cannot happen; show nothing of it.
                None => (report.place.clone(), String::new()),
            }
        }
        _ => (report.place.clone(), report.place_label.clone()),
    };
    Report {
        reporter: UserId(0),
        place,
        place_label,
        ..report
    }
}

fn neighbour_view(
    store: &dyn Store,
    buildings: &[BuildingRef],
    report: Report,
) -> Result<Report, StoreError> {
    let unit = match &report.place {
        Place::Unit { unit_id } => store.unit(*unit_id)?,
        _ => None,
    };
    Ok(as_neighbour(report, buildings, |_| {
        unit.as_ref().map(|u| u.building_id)
    }))
}

/// `report` as `user` may see it, or `None` if they may not.
pub fn view(
    store: &dyn Store,
    user: &User,
    report: StoredReport,
) -> Result<Option<Report>, StoreError> {
    Ok(match standing(store, user, &report)? {
        Standing::Reporter | Standing::Staff => Some(report.report),
        standing @ (Standing::Follower | Standing::Neighbour) => {
            let buildings = store.buildings(user.estate_id)?;
            let mut seen = neighbour_view(store, &buildings, report.report)?;
            seen.following = standing == Standing::Follower;
            Some(seen)
        }
        Standing::Stranger => None,
    })
}

/// A resident's list (their own reports and those they follow) with the others' shown as a
/// neighbour sees them, followed ones marked. Staff lists pass through unchanged.
pub fn as_listed(
    store: &dyn Store,
    user: &User,
    reports: Vec<Report>,
) -> Result<Vec<Report>, StoreError> {
    if !user.role.is_resident() {
        return Ok(reports);
    }
    let buildings = store.buildings(user.estate_id)?;
    let followed: HashSet<ReportId> = store.followed_reports(user.id)?.into_iter().collect();
    reports
        .into_iter()
        .map(|r| {
            if r.reporter == user.id {
                return Ok(r);
            }
            let following = followed.contains(&r.id);
            let mut seen = neighbour_view(store, &buildings, r)?;
            seen.following = following;
            Ok(seen)
        })
        .collect()
}

fn is_open(report: &Report) -> bool {
    !FINISHED_STATUSES.contains(&report.status.as_str())
}

/// Whether the duplicate check, asked now, could show this report.
fn offered(report: &Report, now: OffsetDateTime) -> bool {
    is_open(report) && report.created_at >= now - SIMILAR_WINDOW
}

fn residents_only(user: &User) -> Result<(), ApiError> {
    if user.role.is_resident() {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only residents (owners and tenants) follow reports",
        ))
    }
}

fn state(store: &dyn Store, id: ReportId, following: bool) -> Result<FollowState, ApiError> {
    let affected = store.report(id)?.map_or(0, |r| r.report.affected);
    Ok(FollowState {
        report_id: id,
        following,
        affected,
    })
}

/// What came of following or unfollowing.
#[derive(Clone, Debug, PartialEq)]
pub struct Followed {
    /// Where it stands now.
    pub state: FollowState,
    /// The change event, when something changed.
    pub seq: Option<i64>,
}

/// Follows a neighbour's report (see the module's rules).
pub fn follow(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    now: OffsetDateTime,
) -> Result<Followed, ApiError> {
    let user = &caller.user;
    residents_only(user)?;
    let stored = store
        .report(id)?
        .filter(|r| r.estate_id == user.estate_id)
        .ok_or_else(not_found)?;
    if stored.report.reporter == user.id {
        return Err(ApiError::new(
            ErrorCode::OwnReport,
            "this is the caller's own report; its updates reach them already",
        ));
    }
    // Already following answers as followed, whatever the report did since: a retry must
    // not fail because the report was resolved in between.
    if follows(store, user.id, id)? {
        return Ok(Followed {
            state: state(store, id, true)?,
            seq: None,
        });
    }
    // A report the resident may see anyway (a public one) can be followed whatever its age.
    if !offered(&stored.report, now) && !can_see(user, &stored) {
        return Err(ApiError::new(
            ErrorCode::NotFollowable,
            format!(
                "only open reports received in the last {SIMILAR_REPORT_DAYS} days can be followed"
            ),
        ));
    }
    let seq = store.follow(id, user.id, now)?;
    Ok(Followed {
        state: state(store, id, true)?,
        seq,
    })
}

/// Stops following a report. Not following it (any more) answers the same.
pub fn unfollow(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    now: OffsetDateTime,
) -> Result<Followed, ApiError> {
    let user = &caller.user;
    residents_only(user)?;
    store
        .report(id)?
        .filter(|r| r.estate_id == user.estate_id)
        .ok_or_else(not_found)?;
    let seq = store.unfollow(id, user.id, now)?;
    Ok(Followed {
        state: state(store, id, false)?,
        seq,
    })
}

/// Checks a duplicate-check query against the caller's estate and says where to look.
fn similar_place(
    store: &dyn Store,
    caller: &Caller,
    query: &SimilarQuery,
) -> Result<(String, SimilarPlace), ApiError> {
    let known = catalogue(store, caller)?;
    let mut errors = Vec::new();
    let category = query.category.trim();
    if category.is_empty() {
        errors.push(FieldError::new("category", FieldErrorCode::Required));
    } else if !known.categories.iter().any(|c| c.code == category) {
        errors.push(FieldError::new("category", FieldErrorCode::UnknownCategory));
    }
    let in_estate = |b| known.buildings.iter().any(|k| k.id == b);
    let place = match (query.building_id, query.unit_id, query.area_id) {
        (Some(building), None, None) if in_estate(building) => {
            Some(SimilarPlace::Building(building))
        }
        (Some(_), None, None) => {
            errors.push(FieldError::new("building_id", FieldErrorCode::UnknownPlace));
            None
        }
        (None, Some(unit), None) => match store.unit(unit)?.filter(|u| in_estate(u.building_id)) {
            Some(u) => Some(SimilarPlace::Building(u.building_id)),
            None => {
                errors.push(FieldError::new("unit_id", FieldErrorCode::UnknownPlace));
                None
            }
        },
        (None, None, Some(area)) if known.common_areas.iter().any(|a| a.id == area) => {
            Some(SimilarPlace::CommonArea(area))
        }
        (None, None, Some(_)) => {
            errors.push(FieldError::new("area_id", FieldErrorCode::UnknownPlace));
            None
        }
        (None, None, None) => {
            errors.push(FieldError::new("place", FieldErrorCode::Required));
            None
        }
        _ => {
            errors.push(FieldError::new("place", FieldErrorCode::InvalidChoice));
            None
        }
    };
    match place {
        Some(place) if errors.is_empty() => Ok((category.to_owned(), place)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// The duplicate check: open reports of the caller's estate with the same category and
/// place (a unit counts as its building), received in the last 14 days, newest first,
/// without their reporters' identity.
pub fn similar(
    store: &dyn Store,
    caller: &Caller,
    query: &SimilarQuery,
    now: OffsetDateTime,
) -> Result<Vec<SimilarReport>, ApiError> {
    let user = &caller.user;
    if super::visibility(user) == crate::store::Visibility::Nothing {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the duplicate check is for residents and staff of the estate",
        ));
    }
    let (category, place) = similar_place(store, caller, query)?;
    let found = store.similar_reports(&SimilarScope {
        estate: user.estate_id,
        category,
        place,
        since: now - SIMILAR_WINDOW,
    })?;
    let followed: HashSet<ReportId> = store.followed_reports(user.id)?.into_iter().collect();
    let buildings = store.buildings(user.estate_id)?;
    found
        .into_iter()
        .map(|stored| {
            let mine = stored.report.reporter == user.id;
            let following = followed.contains(&stored.report.id);
            let shown = neighbour_view(store, &buildings, stored.report)?;
            Ok(SimilarReport {
                id: shown.id,
                number: shown.number,
                category: shown.category,
                place_label: shown.place_label,
                description: shown.description,
                status: shown.status,
                created_at: shown.created_at,
                affected: shown.affected,
                following,
                mine,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{BuildingId, CommonAreaId, ReportStatus, UnitId};

    fn report(place: Place, label: &str) -> Report {
        // From JSON, so fields the contract gains later take their defaults here.
        let now = OffsetDateTime::now_utc();
        serde_json::from_value(serde_json::json!({
            "id": ReportId::new(),
            "number": 7,
            "reporter": 2,
            "category": "water_plumbing",
            "description": "楼上漏水",
            "place": place,
            "place_label": label,
            "urgency": "soon",
            "status": "received",
            "handling_party": "property_company",
            "photo_ids": [],
            "created_at": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "updated_at": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "affected": 2,
        }))
        .unwrap()
    }

    fn buildings() -> Vec<BuildingRef> {
        vec![BuildingRef {
            id: BuildingId(3),
            label: "3栋".into(),
        }]
    }

    #[test]
    fn a_neighbour_sees_a_home_only_as_its_building_and_never_the_reporter() {
        let home = report(
            Place::Unit {
                unit_id: UnitId(3251),
            },
            "3栋2单元501",
        );
        let seen = as_neighbour(home.clone(), &buildings(), |u| {
            (u == UnitId(3251)).then_some(BuildingId(3))
        });
        assert_eq!(seen.reporter, UserId(0));
        assert_eq!(seen.place_label, "3栋");
        assert_eq!(
            seen.place,
            Place::Building {
                building_id: BuildingId(3),
                spot: String::new()
            }
        );
        assert!(!format!("{seen:?}").contains("501"), "{seen:?}");
        assert_eq!(seen.description, home.description);
    }

    #[test]
    fn shared_places_keep_their_words() {
        let garden = report(
            Place::CommonArea {
                area_id: CommonAreaId(1),
                spot: "秋千旁".into(),
            },
            "中心花园 · 秋千旁",
        );
        let seen = as_neighbour(garden.clone(), &buildings(), |_| None);
        assert_eq!(seen.place, garden.place);
        assert_eq!(seen.place_label, "中心花园 · 秋千旁");
    }

    #[test]
    fn only_open_recent_reports_are_offered() {
        let now = OffsetDateTime::now_utc();
        let mut r = report(
            Place::Unit {
                unit_id: UnitId(3251),
            },
            "x",
        );
        r.created_at = now - Duration::days(13);
        assert!(offered(&r, now));
        r.created_at = now - SIMILAR_WINDOW;
        assert!(offered(&r, now), "the fourteenth day still counts");
        r.created_at = now - SIMILAR_WINDOW - Duration::seconds(1);
        assert!(!offered(&r, now));
        r.created_at = now;
        r.status = ReportStatus::Resolved;
        assert!(!offered(&r, now));
    }
}
