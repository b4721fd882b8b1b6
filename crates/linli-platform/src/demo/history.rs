//! A month of past reports in the demo community, so the accountability board and the app
//! show something real: fixed and confirmed, rated, reopened once, handed to another party,
//! closed by the seven-day rule, waiting for the resident's confirmation, in progress, late,
//! and just received. Filed and moved through the same functions the API uses, at times
//! counted back from the moment of seeding.

use super::{
    COMMITTEE_MEMBER_PHONE, COMMUNITY_STAFF_PHONE, PROPERTY_STAFF_PHONE, RESIDENT_PHONE,
    SECOND_RESIDENT_PHONE, STREET_STAFF_PHONE, TENANT_PHONE, unit_id,
};
use crate::auth::Caller;
use crate::report::{self, lifecycle};
use crate::store::Store;
use linli_api::platform::{HandOff, NewReport, Reopening, Resolution, StatusChange};
use linli_api::{
    ApiError, BuildingId, CommonAreaId, ErrorCode, Party, Place, Rating, ReportId, ReportStatus,
    ReportVisibility, Urgency,
};
use time::{Duration, OffsetDateTime};

struct Seeder<'a> {
    store: &'a dyn Store,
}

impl Seeder<'_> {
    fn caller(&self, phone: &str) -> Result<Caller, ApiError> {
        let user = self.store.user_by_phone(phone)?.ok_or_else(|| {
            ApiError::new(ErrorCode::Internal, format!("demo person {phone} missing"))
        })?;
        Ok(Caller {
            units: self.store.units_of(user.id)?,
            user,
            token_hash: [0; 32],
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn file(
        &self,
        phone: &str,
        category: &str,
        description: &str,
        place: Place,
        urgency: Urgency,
        visibility: ReportVisibility,
        at: OffsetDateTime,
    ) -> Result<ReportId, ApiError> {
        let new = NewReport {
            id: ReportId::new(),
            category: category.into(),
            description: description.into(),
            place,
            urgency,
            photo_ids: vec![],
            visibility,
        };
        let filed = report::file_report(self.store, &self.caller(phone)?, &new, at)?;
        Ok(filed.report.id)
    }

    fn moved(
        &self,
        phone: &str,
        id: ReportId,
        status: ReportStatus,
        note: &str,
        at: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let change = StatusChange {
            status,
            note: note.into(),
        };
        lifecycle::change_status(self.store, &self.caller(phone)?, id, &change, at).map(drop)
    }

    fn resolved(
        &self,
        phone: &str,
        id: ReportId,
        note: &str,
        at: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let resolution = Resolution {
            note: note.into(),
            photo_ids: vec![],
        };
        lifecycle::resolve(self.store, &self.caller(phone)?, id, &resolution, at).map(drop)
    }

    fn confirmed(&self, phone: &str, id: ReportId, at: OffsetDateTime) -> Result<(), ApiError> {
        lifecycle::confirm(self.store, &self.caller(phone)?, id, at).map(drop)
    }

    fn reopened(
        &self,
        phone: &str,
        id: ReportId,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let reopening = Reopening {
            reason: reason.into(),
        };
        lifecycle::reopen(self.store, &self.caller(phone)?, id, &reopening, at).map(drop)
    }

    fn rated(
        &self,
        phone: &str,
        id: ReportId,
        (attitude, quality, speed): (u8, u8, u8),
        comment: &str,
        at: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let rating = Rating {
            attitude,
            quality,
            speed,
            comment: comment.into(),
        };
        lifecycle::rate(self.store, &self.caller(phone)?, id, &rating, at).map(drop)
    }

    fn handed(
        &self,
        phone: &str,
        id: ReportId,
        to: Party,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let hand_off = HandOff {
            to: Some(to),
            reason: reason.into(),
        };
        lifecycle::hand_off(self.store, &self.caller(phone)?, id, &hand_off, at).map(drop)
    }
}

/// Files and handles ten reports over the month before `now`; returns how many.
pub fn seed(store: &dyn Store, now: OffsetDateTime) -> Result<usize, ApiError> {
    use ReportStatus::{Acknowledged, InProgress};
    use ReportVisibility::{Private, Public};
    let s = Seeder { store };
    let (wang, li, zhang) = (RESIDENT_PHONE, SECOND_RESIDENT_PHONE, TENANT_PHONE);
    let (property, community) = (PROPERTY_STAFF_PHONE, COMMUNITY_STAFF_PHONE);
    let (street, committee) = (STREET_STAFF_PHONE, COMMITTEE_MEMBER_PHONE);
    let h = Duration::hours;
    let m = Duration::minutes;
    let building = |b, spot: &str| Place::Building {
        building_id: BuildingId(b),
        spot: spot.into(),
    };
    let area = |a, spot: &str| Place::CommonArea {
        area_id: CommonAreaId(a),
        spot: spot.into(),
    };

    // 1. Fixed within a day, confirmed, rated well.
    let t = now - Duration::days(25);
    let id = s.file(
        wang,
        "water_plumbing",
        "厨房水槽下面的水管漏水，柜子里都湿了",
        Place::Unit {
            unit_id: unit_id(3, 2, 5, 1),
        },
        Urgency::Soon,
        Private,
        t,
    )?;
    s.moved(
        property,
        id,
        Acknowledged,
        "已收到，下午派师傅上门",
        t + h(1),
    )?;
    s.resolved(
        property,
        id,
        "更换了水槽下的软管和接头，已试水不漏",
        t + h(20),
    )?;
    s.confirmed(wang, id, t + h(22))?;
    s.rated(
        wang,
        id,
        (5, 5, 4),
        "师傅很耐心，还帮忙擦干了柜子",
        t + h(23),
    )?;

    // 2. A public stairwell light, fixed in two days.
    let t = now - Duration::days(20);
    let id = s.file(
        li,
        "electricity",
        "三楼楼道的灯坏了，晚上上下楼很黑",
        building(2, "1单元三楼楼道"),
        Urgency::Routine,
        Public,
        t,
    )?;
    s.moved(property, id, Acknowledged, "收到，明天带灯管过去", t + h(3))?;
    s.moved(property, id, InProgress, "电工正在检查线路", t + h(24))?;
    s.resolved(property, id, "换了声控开关和灯管，已经亮了", t + h(48))?;
    s.confirmed(li, id, t + h(50))?;
    s.rated(li, id, (4, 4, 3), "", t + h(51))?;

    // 3. A lift noise "fixed" twice: reopened once.
    let t = now - Duration::days(18);
    let id = s.file(
        zhang,
        "lifts",
        "电梯运行时有很响的异响，老人不敢坐",
        building(1, "2单元电梯"),
        Urgency::Soon,
        Public,
        t,
    )?;
    s.moved(property, id, Acknowledged, "已通知电梯维保公司", t + m(30))?;
    s.resolved(property, id, "维保公司已给导轨加油", t + h(30))?;
    s.reopened(zhang, id, "第二天又开始响了，声音一样大", t + h(50))?;
    s.moved(
        property,
        id,
        InProgress,
        "维保公司派工程师检查导靴",
        t + h(53),
    )?;
    s.resolved(property, id, "更换了磨损的导靴，运行平稳", t + h(72))?;
    s.confirmed(zhang, id, t + h(77))?;
    s.rated(zhang, id, (3, 4, 2), "修了两次才好", t + h(78))?;

    // 4. Noise from renovation, settled by the community; nobody answered, so it closed
    //    by itself seven days later.
    let t = now - Duration::days(15);
    let id = s.file(
        wang,
        "noise",
        "楼上装修，晚上十点以后还在电钻",
        building(3, "2单元六楼"),
        Urgency::Routine,
        Private,
        t,
    )?;
    s.moved(
        community,
        id,
        Acknowledged,
        "已联系装修户了解情况",
        t + h(2),
    )?;
    s.resolved(
        community,
        id,
        "已与装修户沟通，约定晚上八点后不再施工",
        t + h(26),
    )?;

    // 5. Garden equipment: the property company hands it to the owners' committee, which
    //    must approve spending the maintenance fund.
    let t = now - Duration::days(12);
    let id = s.file(
        li,
        "public_facilities",
        "中心花园的健身器材扶手松动，有小孩在玩，很危险",
        area(1, "健身器材区"),
        Urgency::Routine,
        Public,
        t,
    )?;
    s.moved(property, id, Acknowledged, "已拉警戒线，暂停使用", t + h(4))?;
    s.handed(
        property,
        id,
        Party::OwnersCommittee,
        "需要更换整套器材，要动用维修资金，请业委会决定",
        t + h(24),
    )?;
    s.moved(
        committee,
        id,
        Acknowledged,
        "业委会已收到，本周开会讨论",
        t + h(48),
    )?;
    s.moved(
        committee,
        id,
        InProgress,
        "已表决通过，厂家下周安装",
        t + h(96),
    )?;
    s.resolved(committee, id, "新器材已安装并验收", t + h(144))?;
    s.confirmed(li, id, t + h(147))?;
    s.rated(li, id, (4, 3, 3), "慢了点，但换得很好", t + h(148))?;

    // 6. A blocked fire lane: the community hands it to the street office, which resolved
    //    it; the resident has not answered yet.
    let t = now - Duration::days(9);
    let id = s.file(
        wang,
        "safety",
        "车库出口的消防通道经常被私家车堵住",
        area(2, "出口坡道"),
        Urgency::Soon,
        Public,
        t,
    )?;
    s.moved(community, id, Acknowledged, "已到现场查看", t + h(1))?;
    s.handed(
        community,
        id,
        Party::StreetOffice,
        "多次劝导无效，需要街道联合执法",
        t + h(3),
    )?;
    s.moved(
        street,
        id,
        Acknowledged,
        "已安排城管和交警联合检查",
        t + h(5),
    )?;
    s.resolved(
        street,
        id,
        "已贴罚单并加装了禁停标志和隔离桩",
        t + Duration::days(6),
    )?;

    // 7. Late: the entrance door lock, seen but not fixed within its day.
    let t = now - Duration::days(2);
    let id = s.file(
        wang,
        "doors_windows",
        "单元门禁坏了，门关不上，谁都能进",
        building(3, "2单元大门"),
        Urgency::Soon,
        Private,
        t,
    )?;
    s.moved(property, id, Acknowledged, "已报给门禁厂家", t + h(1))?;

    // 8. In progress, on time.
    let t = now - h(26);
    let id = s.file(
        wang,
        "water_plumbing",
        "卫生间地漏反臭味",
        Place::Unit {
            unit_id: unit_id(1, 1, 3, 2),
        },
        Urgency::Routine,
        Private,
        t,
    )?;
    s.moved(property, id, Acknowledged, "已收到", t + h(2))?;
    s.moved(
        property,
        id,
        InProgress,
        "明天上午上门更换防臭地漏",
        t + h(5),
    )?;

    // 9. Just received.
    s.file(
        li,
        "other",
        "东门快递柜旁边的路灯不亮",
        area(3, "快递柜旁"),
        Urgency::Routine,
        Public,
        now - h(5),
    )?;

    // 10. Sanitation, seen within the hour, in progress.
    let t = now - h(20);
    let id = s.file(
        zhang,
        "sanitation",
        "1栋门口的垃圾桶满了，味道很大",
        building(1, "1单元门口"),
        Urgency::Soon,
        Private,
        t,
    )?;
    s.moved(property, id, Acknowledged, "已通知保洁", t + m(40))?;
    s.moved(property, id, InProgress, "保洁正在清运", t + h(2))?;

    // Report 4 was resolved more than seven days ago: the rule closes it now.
    lifecycle::sweep(store, now)?;
    Ok(10)
}
