//! Identifiers. Records created by a resident get a UUIDv7 on the device: the id is the same on
//! the device, in the outbox, in the `Idempotency-Key` header and on the platform, so a retry
//! can never create a second copy.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), created where the record is born.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A report of a repair or community issue.
    ReportId
);
uuid_id!(
    /// A photo attached to a report.
    PhotoId
);
uuid_id!(
    /// A comment on a report, created on the device of whoever writes it.
    CommentId
);
uuid_id!(
    /// Something a resident did to a delivered report (confirm, reopen, rate, follow,
    /// comment), created on the device; also the `Idempotency-Key` that sends it once.
    ActionId
);
int_id!(
    /// A person known to the platform: resident, staff member or volunteer.
    UserId
);
int_id!(
    /// A residential estate (小区).
    EstateId
);
int_id!(
    /// A building (楼栋) of an estate.
    BuildingId
);
int_id!(
    /// A unit (房号), the exclusive part a household lives in.
    UnitId
);
int_id!(
    /// A common area of an estate (garden, car park, lobby...).
    CommonAreaId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_time_ordered_and_round_trip() {
        let a = ReportId::new();
        let b = ReportId::new();
        assert!(a < b, "UUIDv7 ids created later sort later");
        assert_eq!(a.0.get_version_num(), 7);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{a}\""));
        assert_eq!(serde_json::from_str::<ReportId>(&json).unwrap(), a);
        assert_eq!(a.to_string().parse::<ReportId>().unwrap(), a);
    }
}
