//! The duplicate check while reporting ("same problem?") and following a neighbour's report
//! instead of reporting it again. The check needs the platform; following is kept on the
//! device at once and sent once ([`crate::actions`]).

use crate::actions::{self, online_only, session_now};
use crate::{Inner, now, session};
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::ActionId;
use linli_api::ipc::LocalReport;
use linli_api::platform::SimilarReport;
use linli_api::report::Place;

/// The query of `GET /v1/reports/similar` for a category and the place being reported.
pub fn similar_query(category: &str, place: &Place) -> Vec<(&'static str, String)> {
    let where_ = match place {
        Place::Unit { unit_id } => ("unit_id", unit_id.to_string()),
        Place::Building { building_id, .. } => ("building_id", building_id.to_string()),
        Place::CommonArea { area_id, .. } => ("area_id", area_id.to_string()),
    };
    vec![("category", category.trim().to_string()), where_]
}

/// Open reports like the one being written, from the platform.
pub(crate) async fn similar(
    inner: &Inner,
    category: &str,
    place: &Place,
) -> Result<Vec<SimilarReport>, ApiError> {
    let session = session_now(inner)?;
    let query = similar_query(category, place);
    match inner
        .client
        .similar(&session.base, &session.token, &query)
        .await
    {
        Ok(found) => {
            inner.set_online(true);
            Ok(found)
        }
        Err(f) => Err(online_only(inner, &session, f)),
    }
}

/// Follows a neighbour's report: it joins the person's list at once, as followed.
pub(crate) fn follow(inner: &Inner, report: &SimilarReport) -> Result<LocalReport, ApiError> {
    if report.mine {
        return Err(ApiError::new(
            ErrorCode::OwnReport,
            "the report is the person's own",
        ));
    }
    let viewer = session::viewer(inner)?;
    let stored = inner
        .store
        .follow(report, &viewer, ActionId::new(), now())?;
    actions::queued(inner, report.id);
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::ids::{BuildingId, CommonAreaId, UnitId};

    #[test]
    fn each_place_asks_by_its_own_id() {
        let unit = Place::Unit {
            unit_id: UnitId(3251),
        };
        assert_eq!(
            similar_query(" lifts ", &unit),
            [("category", "lifts".into()), ("unit_id", "3251".into())]
        );
        let building = Place::Building {
            building_id: BuildingId(3),
            spot: "三楼".into(),
        };
        assert_eq!(
            similar_query("lifts", &building)[1],
            ("building_id", "3".into())
        );
        let area = Place::CommonArea {
            area_id: CommonAreaId(9),
            spot: String::new(),
        };
        assert_eq!(similar_query("lifts", &area)[1], ("area_id", "9".into()));
    }
}
