//! The demo community, seeded on first start so the whole system runs on one machine.
//!
//! One estate, 幸福里小区 (Xingfuli): buildings 1栋, 2栋 and 3栋, each with entrances (单元) 1
//! and 2, six floors of two units each (labels like `3栋2单元501`); common areas 中心花园,
//! 地下车库, 东门 and 儿童游乐区; one clinic. Everything is deterministic: the same ids, names
//! and areas on every machine.
//!
//! People (sign in with these phones; the code comes from `<data-dir>/codes`):
//!
//! | phone         | name   | role                                        |
//! |---------------|--------|---------------------------------------------|
//! | 13800000001   | 王秀英 | owner of 3栋2单元501 and 1栋1单元302          |
//! | 13800000002   | 李建国 | owner of 2栋1单元101                          |
//! | 13800000003   | 张伟   | tenant of 1栋2单元602                         |
//! | 13800000004   | 刘芳   | volunteer                                   |
//! | 13800000010   | 陈师傅 | property company staff (物业)               |
//! | 13800000011   | 赵主任 | community staff (居委会)                     |
//! | 13800000012   | 孙科长 | street office staff (街道办)                 |
//! | 13800000013   | 周委员 | owners' committee member (业委会)            |
//! | 13800000014   | 吴医生 | clinic staff (社区卫生服务站)                 |
//! | 13800000015   | 郑管理 | administrator                               |

pub mod history;

use linli_api::platform::Role;
use linli_api::{BuildingId, CommonAreaId, EstateId, Party, UnitId, Urgency, UserId};

/// 王秀英, owner of two units (3栋2单元501 and 1栋1单元302): the main demo resident.
pub const RESIDENT_PHONE: &str = "13800000001";
/// 李建国, owner of 2栋1单元101: a second resident, who must not see the first one's reports.
pub const SECOND_RESIDENT_PHONE: &str = "13800000002";
/// 张伟, tenant of 1栋2单元602.
pub const TENANT_PHONE: &str = "13800000003";
/// 刘芳, volunteer.
pub const VOLUNTEER_PHONE: &str = "13800000004";
/// 陈师傅, property company staff: handles most reports.
pub const PROPERTY_STAFF_PHONE: &str = "13800000010";
/// 赵主任, community (居委会) staff: handles noise and safety reports.
pub const COMMUNITY_STAFF_PHONE: &str = "13800000011";
/// 孙科长, street office staff.
pub const STREET_STAFF_PHONE: &str = "13800000012";
/// 周委员, owners' committee member.
pub const COMMITTEE_MEMBER_PHONE: &str = "13800000013";
/// 吴医生, clinic staff.
pub const CLINIC_STAFF_PHONE: &str = "13800000014";
/// 郑管理, administrator.
pub const ADMINISTRATOR_PHONE: &str = "13800000015";

/// The main resident's first unit.
pub const RESIDENT_UNIT: &str = "3栋2单元501";
/// The main resident's second unit.
pub const RESIDENT_SECOND_UNIT: &str = "1栋1单元302";
/// The second resident's unit.
pub const SECOND_RESIDENT_UNIT: &str = "2栋1单元101";
/// The tenant's unit.
pub const TENANT_UNIT: &str = "1栋2单元602";
/// The demo estate's name.
pub const ESTATE_NAME: &str = "幸福里小区";

/// A unit in the seed.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedUnit {
    /// Id.
    pub id: UnitId,
    /// Building.
    pub building_id: BuildingId,
    /// Entrance (单元) number.
    pub entrance: u32,
    /// Door number, e.g. `501`.
    pub number: String,
    /// Label, e.g. `3栋2单元501`.
    pub label: String,
    /// Floor area in m².
    pub area_m2: f64,
}

/// A person in the seed.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedUser {
    /// Id.
    pub id: UserId,
    /// Phone.
    pub phone: &'static str,
    /// Name.
    pub name: &'static str,
    /// Role.
    pub role: Role,
    /// Units they own (`owner`) or rent (`tenant`).
    pub units: Vec<(UnitId, &'static str)>,
    /// Clinic they work at.
    pub clinic_id: Option<i64>,
}

/// A report category in the seed.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedCategory {
    /// Code.
    pub code: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
    /// Who handles it by default.
    pub party: Party,
    /// A danger to life: the app shows the emergency numbers first.
    pub emergency: bool,
}

/// A service target in the seed (see `store::TargetRow`).
#[derive(Clone, Debug, PartialEq)]
pub struct SeedTarget {
    /// The category, or `None` for every category without its own.
    pub category: Option<&'static str>,
    /// The urgency.
    pub urgency: Urgency,
    /// Minutes to the first response.
    pub respond_minutes: u32,
    /// Minutes to resolution.
    pub resolve_minutes: u32,
}

/// Everything the demo community holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    /// The estate.
    pub estate: (EstateId, &'static str),
    /// Buildings (id, label).
    pub buildings: Vec<(BuildingId, String)>,
    /// Units.
    pub units: Vec<SeedUnit>,
    /// Common areas (id, label).
    pub common_areas: Vec<(CommonAreaId, &'static str)>,
    /// Clinics (id, name).
    pub clinics: Vec<(i64, &'static str)>,
    /// People.
    pub users: Vec<SeedUser>,
    /// Categories, in order.
    pub categories: Vec<SeedCategory>,
    /// How long parties have, per category and urgency.
    pub targets: Vec<SeedTarget>,
    /// The property company's 24-hour duty phone.
    pub duty_phone: &'static str,
}

const ESTATE: EstateId = EstateId(1);
const CLINIC: i64 = 1;

/// A unit's id, derived from its place so ids are stable and readable:
/// building × 1000 + entrance × 100 + floor × 10 + door (3栋2单元501 is 3251).
pub fn unit_id(building: i64, entrance: i64, floor: i64, door: i64) -> UnitId {
    UnitId(building * 1000 + entrance * 100 + floor * 10 + door)
}

/// Floor area by layout: door 1 is the larger flat; upper buildings are a little newer and
/// larger. Deterministic, plausible numbers, not a register.
fn area(building: i64, door: i64) -> f64 {
    let base = if door == 1 { 89.5 } else { 118.2 };
    base + (building - 1) as f64 * 3.25
}

/// The demo community.
pub fn seed() -> Seed {
    let mut buildings = Vec::new();
    let mut units = Vec::new();
    for b in 1..=3 {
        buildings.push((BuildingId(b), format!("{b}栋")));
        for entrance in 1..=2 {
            for floor in 1..=6 {
                for door in 1..=2 {
                    let number = format!("{floor}0{door}");
                    units.push(SeedUnit {
                        id: unit_id(b, entrance, floor, door),
                        building_id: BuildingId(b),
                        entrance: entrance as u32,
                        label: format!("{b}栋{entrance}单元{number}"),
                        number,
                        area_m2: area(b, door),
                    });
                }
            }
        }
    }
    let user = |id, phone, name, role, units: Vec<(UnitId, &'static str)>| SeedUser {
        id: UserId(id),
        phone,
        name,
        role,
        units,
        clinic_id: (role == Role::ClinicStaff).then_some(CLINIC),
    };
    let users = vec![
        user(
            1,
            RESIDENT_PHONE,
            "王秀英",
            Role::Owner,
            vec![
                (unit_id(3, 2, 5, 1), "owner"),
                (unit_id(1, 1, 3, 2), "owner"),
            ],
        ),
        user(
            2,
            SECOND_RESIDENT_PHONE,
            "李建国",
            Role::Owner,
            vec![(unit_id(2, 1, 1, 1), "owner")],
        ),
        user(
            3,
            TENANT_PHONE,
            "张伟",
            Role::Tenant,
            vec![(unit_id(1, 2, 6, 2), "tenant")],
        ),
        user(4, VOLUNTEER_PHONE, "刘芳", Role::Volunteer, vec![]),
        user(
            10,
            PROPERTY_STAFF_PHONE,
            "陈师傅",
            Role::PropertyStaff,
            vec![],
        ),
        user(
            11,
            COMMUNITY_STAFF_PHONE,
            "赵主任",
            Role::CommunityStaff,
            vec![],
        ),
        user(12, STREET_STAFF_PHONE, "孙科长", Role::StreetStaff, vec![]),
        user(
            13,
            COMMITTEE_MEMBER_PHONE,
            "周委员",
            Role::CommitteeMember,
            vec![],
        ),
        user(14, CLINIC_STAFF_PHONE, "吴医生", Role::ClinicStaff, vec![]),
        user(
            15,
            ADMINISTRATOR_PHONE,
            "郑管理",
            Role::Administrator,
            vec![],
        ),
    ];
    let category = |code, zh, en, party| SeedCategory {
        code,
        zh,
        en,
        party,
        emergency: false,
    };
    let emergency = |code, zh, en| SeedCategory {
        emergency: true,
        ..category(code, zh, en, Party::PropertyCompany)
    };
    let categories = vec![
        category(
            "water_plumbing",
            "水管与下水",
            "Water and plumbing",
            Party::PropertyCompany,
        ),
        category(
            "electricity",
            "电路与照明",
            "Electricity",
            Party::PropertyCompany,
        ),
        category(
            "doors_windows",
            "门窗",
            "Doors and windows",
            Party::PropertyCompany,
        ),
        category("lifts", "电梯", "Lifts", Party::PropertyCompany),
        category(
            "public_facilities",
            "公共设施",
            "Public facilities",
            Party::PropertyCompany,
        ),
        category(
            "sanitation",
            "环境卫生",
            "Sanitation",
            Party::PropertyCompany,
        ),
        category("noise", "噪音扰民", "Noise", Party::Community),
        category("safety", "安全隐患", "Safety", Party::Community),
        category("other", "其他", "Other", Party::PropertyCompany),
        emergency("gas_leak", "燃气泄漏", "Gas smell"),
        emergency("fire", "火情", "Fire"),
        emergency("lift_entrapment", "电梯困人", "Someone trapped in a lift"),
    ];
    Seed {
        estate: (ESTATE, ESTATE_NAME),
        buildings,
        units,
        common_areas: vec![
            (CommonAreaId(1), "中心花园"),
            (CommonAreaId(2), "地下车库"),
            (CommonAreaId(3), "东门"),
            (CommonAreaId(4), "儿童游乐区"),
        ],
        clinics: vec![(CLINIC, "幸福里社区卫生服务站")],
        users,
        categories,
        targets: targets(),
        duty_phone: DUTY_PHONE,
    }
}

/// The property company's 24-hour duty phone in the demo estate (a made-up landline).
pub const DUTY_PHONE: &str = "0512-6688-0110";

/// Targets: an hour to respond and four to fix what is urgent, a working day for what should
/// be seen soon, three days for routine work (the defaults every category shares), with
/// longer times where parts or other parties are usually needed, and minutes where a life may
/// be at stake.
fn targets() -> Vec<SeedTarget> {
    let t = |category, urgency, respond_hours: f64, resolve_hours: f64| SeedTarget {
        category,
        urgency,
        respond_minutes: (respond_hours * 60.0) as u32,
        resolve_minutes: (resolve_hours * 60.0) as u32,
    };
    let mut all = vec![
        t(None, Urgency::Urgent, 1.0, 4.0),
        t(None, Urgency::Soon, 4.0, 24.0),
        t(None, Urgency::Routine, 24.0, 72.0),
        // Lift parts come from the maker: longer, except when someone may be stuck.
        t(Some("lifts"), Urgency::Soon, 2.0, 48.0),
        t(Some("lifts"), Urgency::Routine, 24.0, 120.0),
        // Public facilities often need the owners' committee to approve spending.
        t(Some("public_facilities"), Urgency::Soon, 8.0, 72.0),
        t(Some("public_facilities"), Urgency::Routine, 48.0, 168.0),
        // Neighbour disputes take talking to people.
        t(Some("noise"), Urgency::Routine, 24.0, 120.0),
    ];
    for code in ["gas_leak", "fire", "lift_entrapment"] {
        for urgency in Urgency::ALL {
            all.push(t(Some(code), urgency, 0.25, 2.0));
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_seed_is_deterministic_and_consistent() {
        let s = seed();
        assert_eq!(s, seed());
        let unit_ids: HashSet<_> = s.units.iter().map(|u| u.id).collect();
        assert_eq!(unit_ids.len(), s.units.len(), "unit ids are unique");
        let labels: HashSet<_> = s.units.iter().map(|u| u.label.as_str()).collect();
        for label in [
            RESIDENT_UNIT,
            RESIDENT_SECOND_UNIT,
            SECOND_RESIDENT_UNIT,
            TENANT_UNIT,
        ] {
            assert!(labels.contains(label), "{label}");
        }
        for user in &s.users {
            for (unit, _) in &user.units {
                assert!(
                    unit_ids.contains(unit),
                    "{} lives in a real unit",
                    user.name
                );
            }
        }
        let phones: HashSet<_> = s.users.iter().map(|u| u.phone).collect();
        assert_eq!(phones.len(), s.users.len());
        for phone in &phones {
            assert!(linli_api::validate::validate_phone(phone).is_ok());
        }
    }

    #[test]
    fn the_main_resident_owns_two_units() {
        let s = seed();
        let resident = s.users.iter().find(|u| u.phone == RESIDENT_PHONE).unwrap();
        let units: Vec<_> = resident
            .units
            .iter()
            .map(|(id, _)| s.units.iter().find(|u| u.id == *id).unwrap().label.as_str())
            .collect();
        assert_eq!(units, [RESIDENT_UNIT, RESIDENT_SECOND_UNIT]);
        assert_eq!(unit_id(3, 2, 5, 1), UnitId(3251));
    }
}
