//! Readable names of places, as residents and staff say them: "3栋2单元501",
//! "2栋 · 三楼楼道", "中心花园 · 秋千旁".

use linli_api::Place;
use linli_api::platform::{BuildingRef, CommonAreaRef, UnitRef};

/// Joins a place with the resident's words about where in it.
const SEPARATOR: &str = " · ";

fn with_spot(base: &str, spot: &str) -> String {
    let spot = spot.trim();
    if spot.is_empty() {
        base.to_owned()
    } else {
        format!("{base}{SEPARATOR}{spot}")
    }
}

/// The label of `place`, or `None` if it names a unit, building or area not in the lists.
pub fn place_label(
    place: &Place,
    units: &[UnitRef],
    buildings: &[BuildingRef],
    areas: &[CommonAreaRef],
) -> Option<String> {
    match place {
        Place::Unit { unit_id } => units
            .iter()
            .find(|u| u.id == *unit_id)
            .map(|u| u.label.clone()),
        Place::Building { building_id, spot } => buildings
            .iter()
            .find(|b| b.id == *building_id)
            .map(|b| with_spot(&b.label, spot)),
        Place::CommonArea { area_id, spot } => areas
            .iter()
            .find(|a| a.id == *area_id)
            .map(|a| with_spot(&a.label, spot)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::{BuildingId, CommonAreaId, UnitId};
    use rstest::rstest;

    fn units() -> Vec<UnitRef> {
        vec![UnitRef {
            id: UnitId(3251),
            building_id: BuildingId(3),
            label: "3栋2单元501".into(),
            area_m2: 96.0,
        }]
    }

    fn buildings() -> Vec<BuildingRef> {
        vec![BuildingRef {
            id: BuildingId(2),
            label: "2栋".into(),
        }]
    }

    fn areas() -> Vec<CommonAreaRef> {
        vec![CommonAreaRef {
            id: CommonAreaId(1),
            label: "中心花园".into(),
        }]
    }

    #[rstest]
    #[case::own_unit(Place::Unit { unit_id: UnitId(3251) }, Some("3栋2单元501"))]
    #[case::building_spot(Place::Building { building_id: BuildingId(2), spot: " 三楼楼道 ".into() }, Some("2栋 · 三楼楼道"))]
    #[case::area_spot(Place::CommonArea { area_id: CommonAreaId(1), spot: "秋千旁".into() }, Some("中心花园 · 秋千旁"))]
    #[case::area_without_spot(Place::CommonArea { area_id: CommonAreaId(1), spot: "  ".into() }, Some("中心花园"))]
    #[case::unknown_unit(Place::Unit { unit_id: UnitId(1101) }, None)]
    #[case::unknown_building(Place::Building { building_id: BuildingId(9), spot: "roof".into() }, None)]
    #[case::unknown_area(Place::CommonArea { area_id: CommonAreaId(9), spot: String::new() }, None)]
    fn labels(#[case] place: Place, #[case] expected: Option<&str>) {
        assert_eq!(
            place_label(&place, &units(), &buildings(), &areas()).as_deref(),
            expected
        );
    }
}
