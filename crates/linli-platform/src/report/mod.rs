//! Reports of repair and community issues: filing, who sees what, and moving them on.
//!
//! Residents see the reports they filed; staff of the four parties (and administrators) see
//! every report of their estate, as the Songling model shows each report to the street, the
//! community and the owners' committee at once; only the handling party moves a report on.

pub mod place;

use crate::auth::Caller;
use crate::store::{
    NewReportRecord, ReportInsert, StatusMove, Store, StoredReport, User, Visibility,
};
use linli_api::platform::{Catalogue, NewReport, ReportDetail, Role, StatusChange};
use linli_api::validate::{against_catalogue, validate_draft, validate_note};
use linli_api::{
    ApiError, ErrorCode, FieldError, FieldErrorCode, Place, Report, ReportDraft, ReportId,
};
use std::collections::HashSet;
use time::OffsetDateTime;

/// Which reports a person may see.
pub fn visibility(user: &User) -> Visibility {
    match user.role {
        Role::Owner | Role::Tenant => Visibility::Reporter(user.id),
        Role::PropertyStaff
        | Role::CommunityStaff
        | Role::StreetStaff
        | Role::CommitteeMember
        | Role::Administrator => Visibility::Estate(user.estate_id),
        Role::Volunteer | Role::ClinicStaff => Visibility::Nothing,
    }
}

/// Whether a person may see one report.
pub fn can_see(user: &User, report: &StoredReport) -> bool {
    match visibility(user) {
        Visibility::Reporter(id) => report.report.reporter == id,
        Visibility::Estate(estate) => report.estate_id == estate,
        Visibility::Nothing => false,
    }
}

fn not_found() -> ApiError {
    // The same answer whether the report does not exist or is someone else's: its existence
    // is not the caller's business.
    ApiError::new(ErrorCode::NotFound, "no such report")
}

/// Categories and places the caller can report about.
pub fn catalogue(store: &dyn Store, caller: &Caller) -> Result<Catalogue, ApiError> {
    Ok(Catalogue {
        categories: store.categories()?,
        units: caller.units.clone(),
        buildings: store.buildings(caller.user.estate_id)?,
        common_areas: store.common_areas(caller.user.estate_id)?,
    })
}

/// What came of filing.
#[derive(Clone, Debug, PartialEq)]
pub struct Filed {
    /// The report.
    pub report: Report,
    /// Its change event, when it was filed just now (not when it already existed).
    pub seq: Option<i64>,
}

/// Files a report for a resident, checking every field against the contract's rules and the
/// caller's estate. A report whose id already exists with the same content is answered as
/// filed (a retry whose first answer was lost); different content is a conflict.
pub fn file_report(
    store: &dyn Store,
    caller: &Caller,
    new: &NewReport,
    now: OffsetDateTime,
) -> Result<Filed, ApiError> {
    if !caller.user.role.is_resident() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only residents (owners and tenants) file reports",
        ));
    }
    let draft = ReportDraft {
        category: Some(new.category.clone()),
        description: new.description.clone(),
        place: Some(new.place.clone()),
        urgency: new.urgency,
        photo_ids: new.photo_ids.clone(),
    };
    let known = catalogue(store, caller)?;
    // The contract's rules, shared with the app: its form shows the same errors.
    let mut errors = validate_draft(&draft);
    errors.extend(against_catalogue(&draft, &known));
    let category = known
        .categories
        .iter()
        .find(|c| c.code == new.category.trim());
    let label = place::place_label(
        &new.place,
        &known.units,
        &known.buildings,
        &known.common_areas,
    );

    // Platform-only: photos must be the caller's own uploads, not held by another report.
    let mut seen = HashSet::new();
    for photo_id in &new.photo_ids {
        let usable = seen.insert(*photo_id)
            && store.photo(*photo_id)?.is_some_and(|p| {
                p.uploader == caller.user.id && p.report_id.is_none_or(|r| r == new.id)
            });
        if !usable {
            errors.push(FieldError::new("photos", FieldErrorCode::UnknownPhoto));
            break;
        }
    }

    let (Some(category), Some(place_label), true) = (category, label, errors.is_empty()) else {
        if errors.is_empty() {
            // Unreachable while `against_catalogue` and `place_label` read the same lists.
            errors.push(FieldError::new("place", FieldErrorCode::UnknownPlace));
        }
        return Err(ApiError::validation(errors));
    };
    let record = NewReportRecord {
        id: new.id,
        estate_id: caller.user.estate_id,
        reporter: caller.user.id,
        category: category.code.clone(),
        description: new.description.trim().to_owned(),
        place: trimmed_place(&new.place),
        place_label,
        urgency: new.urgency,
        handling_party: category.default_party,
        photo_ids: new.photo_ids.clone(),
        at: now,
    };
    match store.insert_report(&record)? {
        ReportInsert::Created { report, seq } => Ok(Filed {
            report,
            seq: Some(seq),
        }),
        ReportInsert::Exists(report) if same_content(&report, &record) => {
            Ok(Filed { report, seq: None })
        }
        ReportInsert::Exists(_) => Err(ApiError::new(
            ErrorCode::Conflict,
            "a different report with this id already exists",
        )),
        // Another report took the photo after the check above.
        ReportInsert::PhotoUnavailable(_) => Err(ApiError::validation(vec![FieldError::new(
            "photos",
            FieldErrorCode::UnknownPhoto,
        )])),
    }
}

fn trimmed_place(place: &Place) -> Place {
    match place {
        Place::Unit { unit_id } => Place::Unit { unit_id: *unit_id },
        Place::Building { building_id, spot } => Place::Building {
            building_id: *building_id,
            spot: spot.trim().to_owned(),
        },
        Place::CommonArea { area_id, spot } => Place::CommonArea {
            area_id: *area_id,
            spot: spot.trim().to_owned(),
        },
    }
}

fn same_content(report: &Report, record: &NewReportRecord) -> bool {
    report.reporter == record.reporter
        && report.category == record.category
        && report.description == record.description
        && report.place == record.place
        && report.urgency == record.urgency
        && report.photo_ids == record.photo_ids
}

/// Reports the caller may see, newest first.
pub fn list(store: &dyn Store, caller: &Caller) -> Result<Vec<Report>, ApiError> {
    Ok(store.reports(visibility(&caller.user))?)
}

/// One report with its timeline, if the caller may see it.
pub fn detail(store: &dyn Store, caller: &Caller, id: ReportId) -> Result<ReportDetail, ApiError> {
    let stored = store
        .report(id)?
        .filter(|r| can_see(&caller.user, r))
        .ok_or_else(not_found)?;
    Ok(ReportDetail {
        timeline: store.timeline(id)?,
        report: stored.report,
    })
}

/// What came of a status change.
#[derive(Clone, Debug, PartialEq)]
pub struct Moved {
    /// The report with its timeline after the change.
    pub detail: ReportDetail,
    /// The change event.
    pub seq: i64,
}

/// Moves a report forward, for staff of its handling party, with a note.
pub fn change_status(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    change: &StatusChange,
    now: OffsetDateTime,
) -> Result<Moved, ApiError> {
    // A racing change may move the report between reading and writing; read again and judge
    // the new state rather than overwrite it.
    for _ in 0..3 {
        let stored = store
            .report(id)?
            .filter(|r| can_see(&caller.user, r))
            .ok_or_else(not_found)?;
        let party = caller.user.role.party();
        if party != Some(stored.report.handling_party) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only staff of the handling party change a report's status",
            ));
        }
        let errors = validate_note(&change.note);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
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
        let step = StatusMove {
            from,
            to: change.status,
            note: change.note.trim().to_owned(),
            party: stored.report.handling_party,
            author: caller.user.id,
            at: now,
        };
        if let Some((report, seq)) = store.move_report(id, &step)? {
            return Ok(Moved {
                detail: ReportDetail {
                    timeline: store.timeline(id)?,
                    report,
                },
                seq,
            });
        }
    }
    Err(ApiError::new(
        ErrorCode::InvalidTransition,
        "the report kept changing; reload it and try again",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{EstateId, UserId};
    use rstest::rstest;

    #[rstest]
    #[case(Role::Owner, Visibility::Reporter(UserId(7)))]
    #[case(Role::Tenant, Visibility::Reporter(UserId(7)))]
    #[case(Role::PropertyStaff, Visibility::Estate(EstateId(1)))]
    #[case(Role::CommunityStaff, Visibility::Estate(EstateId(1)))]
    #[case(Role::StreetStaff, Visibility::Estate(EstateId(1)))]
    #[case(Role::CommitteeMember, Visibility::Estate(EstateId(1)))]
    #[case(Role::Administrator, Visibility::Estate(EstateId(1)))]
    #[case(Role::Volunteer, Visibility::Nothing)]
    #[case(Role::ClinicStaff, Visibility::Nothing)]
    fn who_sees_what(#[case] role: Role, #[case] expected: Visibility) {
        let user = User {
            id: UserId(7),
            phone: "13800000007".into(),
            name: "x".into(),
            role,
            estate_id: EstateId(1),
        };
        assert_eq!(visibility(&user), expected);
    }
}
