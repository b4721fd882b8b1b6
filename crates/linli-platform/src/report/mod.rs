//! Reports of repair and community issues: filing, who sees what, and moving them on.
//!
//! Residents see the reports they filed; staff of the four parties (and administrators) see
//! every report of their estate, as the Songling model shows each report to the street, the
//! community and the owners' committee at once; only the handling party moves a report on.

pub mod board;
pub mod clock;
pub mod comments;
pub mod follow;
pub mod lifecycle;
pub mod place;

use crate::auth::Caller;
use crate::store::{
    KeyClaim, KeyedAnswer, NewReportRecord, PendingKey, ReportInsert, Store, StoreError,
    StoredReport, StoredResponse, User, Visibility,
};
use linli_api::platform::{Catalogue, EmergencyNumber, NewReport, ReportDetail, ReportScope, Role};
use linli_api::validate::{against_catalogue, validate_draft};
use linli_api::{ApiError, ErrorCode, FieldError, FieldErrorCode, Place, Report, ReportId};
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

/// Whether a person may see one report: residents their own and the public ones of their
/// estate, staff their estate's.
pub fn can_see(user: &User, report: &StoredReport) -> bool {
    match visibility(user) {
        // A public report is open to the estate's residents (without its reporter's identity:
        // see `follow::view`).
        Visibility::Reporter(id) | Visibility::Neighbourhood(id, _) => {
            report.report.reporter == id
                || (report.estate_id == user.estate_id
                    && report.report.visibility == linli_api::ReportVisibility::Public)
        }
        Visibility::Estate(estate) => report.estate_id == estate,
        Visibility::Nothing => false,
    }
}

fn not_found() -> ApiError {
    // The same answer whether the report does not exist or is someone else's: its existence
    // is not the caller's business.
    ApiError::new(ErrorCode::NotFound, "no such report")
}

/// Categories (with their targets) and places the caller can report about, and whom to call
/// in an emergency.
pub fn catalogue(store: &dyn Store, caller: &Caller) -> Result<Catalogue, ApiError> {
    let targets = clock::Targets::load(store)?;
    let mut categories = store.categories()?;
    for category in &mut categories {
        category.targets = targets.for_category(&category.code);
    }
    Ok(Catalogue {
        categories,
        units: caller.units.clone(),
        buildings: store.buildings(caller.user.estate_id)?,
        common_areas: store.common_areas(caller.user.estate_id)?,
        emergency_numbers: EmergencyNumber::mainland(),
        duty_phone: store
            .estate(caller.user.estate_id)?
            .and_then(|e| e.duty_phone),
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

/// What came of filing under an `Idempotency-Key` ([`file_report_keyed`]).
#[derive(Clone, Debug, PartialEq)]
pub enum KeyedFiling {
    /// Filed now (and this answer kept for the key), or found filed before with the same
    /// content (answered afresh).
    Answered {
        /// The answer: `201` with the report's JSON.
        answer: StoredResponse,
        /// Its change event, when it was filed just now.
        seq: Option<i64>,
    },
    /// The key was taken meanwhile: answered already (replay it), in progress, or used for
    /// another request. Nothing was filed.
    KeyTaken(KeyClaim),
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
    match file(store, caller, new, now, None)? {
        Filing::Filed(filed) => Ok(*filed),
        // Only a keyed filing keeps an answer or finds its key taken.
        Filing::Kept { .. } | Filing::KeyTaken(_) => Err(ApiError::new(
            ErrorCode::Internal,
            "a filing without a key was answered as if it had one",
        )),
    }
}

/// [`file_report`] under the request's `Idempotency-Key`: the key is claimed, the report
/// filed and the answer kept in one write, so a filing costs the store one commit, and a
/// request refused for its content leaves the key free to send corrected.
pub fn file_report_keyed(
    store: &dyn Store,
    caller: &Caller,
    new: &NewReport,
    now: OffsetDateTime,
    key: &PendingKey,
    stale_before: OffsetDateTime,
) -> Result<KeyedFiling, ApiError> {
    match file(store, caller, new, now, Some((key, stale_before)))? {
        Filing::Kept { answer, seq } => Ok(KeyedFiling::Answered {
            answer,
            seq: Some(seq),
        }),
        // Found filed before without this key's answer (filed over Open311, say): answered
        // as filed, nothing kept.
        Filing::Filed(filed) => Ok(KeyedFiling::Answered {
            answer: created_answer(&filed.report)?,
            seq: filed.seq,
        }),
        Filing::KeyTaken(claim) => Ok(KeyedFiling::KeyTaken(claim)),
    }
}

/// The answer to a report filed: `201` with its JSON, as the handler would write it.
fn created_answer(report: &Report) -> Result<StoredResponse, StoreError> {
    Ok(StoredResponse {
        status: 201,
        content_type: "application/json".to_owned(),
        body: serde_json::to_vec(report)
            .map_err(|e| StoreError::Corrupt(format!("writing a report's JSON: {e}")))?,
    })
}

enum Filing {
    /// Filed now without a key, or found filed before.
    Filed(Box<Filed>),
    /// Filed now under a key, whose answer (the report as presented) was kept.
    Kept {
        answer: StoredResponse,
        seq: i64,
    },
    KeyTaken(KeyClaim),
}

fn file(
    store: &dyn Store,
    caller: &Caller,
    new: &NewReport,
    now: OffsetDateTime,
    key: Option<(&PendingKey, OffsetDateTime)>,
) -> Result<Filing, ApiError> {
    if !caller.user.role.is_resident() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only residents (owners and tenants) file reports",
        ));
    }
    let draft = new.as_draft();
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
        visibility: new.visibility,
        at: now,
    };
    let targets = clock::Targets::load(store)?;
    let answer =
        |report: &Report| created_answer(&lifecycle::present(report.clone(), &targets, now));
    let keyed = key.map(|(key, stale_before)| KeyedAnswer {
        key,
        now,
        stale_before,
        answer: &answer,
    });
    match store.insert_report(&record, keyed.as_ref())? {
        // Presented once: for the kept answer when there is a key, else for the caller.
        ReportInsert::Created {
            seq,
            answer: Some(answer),
            ..
        } => Ok(Filing::Kept { answer, seq }),
        ReportInsert::Created {
            report,
            seq,
            answer: None,
        } => Ok(Filing::Filed(Box::new(Filed {
            report: lifecycle::present(report, &targets, now),
            seq: Some(seq),
        }))),
        ReportInsert::Exists(report) if same_content(&report, &record) => {
            Ok(Filing::Filed(Box::new(Filed {
                report: lifecycle::present(report, &targets, now),
                seq: None,
            })))
        }
        ReportInsert::KeyTaken(claim) => Ok(Filing::KeyTaken(claim)),
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
        && report.visibility == record.visibility
}

/// Reports the caller may see, newest first, each with its clock as of `now`; a resident's
/// include those they follow and, with [`ReportScope::Estate`], their neighbours' public
/// ones, marked and shown as a neighbour sees them.
pub fn list(
    store: &dyn Store,
    caller: &Caller,
    scope: ReportScope,
    now: OffsetDateTime,
) -> Result<Vec<Report>, ApiError> {
    let covered = match (visibility(&caller.user), scope) {
        (Visibility::Reporter(user), ReportScope::Estate) => {
            Visibility::Neighbourhood(user, caller.user.estate_id)
        }
        (covered, _) => covered,
    };
    let reports = store.reports(covered)?;
    let targets = clock::Targets::load(store)?;
    Ok(follow::as_listed(store, &caller.user, reports)?
        .into_iter()
        .map(|r| lifecycle::present(r, &targets, now))
        .collect())
}

/// One report with its timeline and clock as of `now`, if the caller may see it.
pub fn detail(
    store: &dyn Store,
    caller: &Caller,
    id: ReportId,
    now: OffsetDateTime,
) -> Result<ReportDetail, ApiError> {
    let stored = store.report(id)?.ok_or_else(not_found)?;
    // Followers and neighbours (for public reports) see it too, without the reporter.
    let report = follow::view(store, &caller.user, stored)?.ok_or_else(not_found)?;
    Ok(lifecycle::detail_of(store, report, now)?)
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
