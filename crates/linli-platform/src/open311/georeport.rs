//! The platform's reports in GeoReport v2 terms, as plain functions: jurisdictions, services,
//! places, statuses, who may read what, query windows and the documents answered. The HTTP
//! edge in the parent module only extracts, calls these and writes the answer.

use super::doc::{Document, Value};
use crate::auth::Caller;
use crate::report::follow;
use crate::store::{Estate, Store, StoreError, StoredReport};
use linli_api::platform::{BuildingRef, CommonAreaRef, NewReport, UnitRef};
use linli_api::{
    ApiError, BuildingId, Category, CommonAreaId, ErrorCode, EstateId, FieldError, Party, Place,
    Report, ReportId, ReportStatus, ReportVisibility, TimelineEntry, TimelineKind, UnitId, Urgency,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The specification this face implements, as named in service discovery.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// How `jurisdiction_id` names an estate: this prefix and the estate's id (`estate-1`).
pub const JURISDICTION_PREFIX: &str = "estate-";
/// The widest `start_date`..`end_date` window, and the default one ending now.
pub const MAX_WINDOW: Duration = Duration::days(90);
/// Most requests one `GET requests` answers.
pub const MAX_REQUESTS: usize = 1000;
/// Attribute codes of every service definition.
pub const PLACE_ATTRIBUTE: &str = "place";
/// Where in the building or area.
pub const SPOT_ATTRIBUTE: &str = "spot";
/// How urgent.
pub const URGENCY_ATTRIBUTE: &str = "urgency";
/// Who may see it.
pub const VISIBILITY_ATTRIBUTE: &str = "visibility";

/// One entry of an error answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEntry {
    /// The HTTP status, or a more specific number.
    pub code: u16,
    /// What went wrong, for the person using the client.
    pub description: String,
}

/// An error answer: the HTTP status and the spec's `errors` array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open311Error {
    /// HTTP status: 400 for bad requests, 403 for api_key trouble, 404 for what does not
    /// exist, 405 for a wrong method, 500 when the platform failed.
    pub status: u16,
    /// At least one entry.
    pub errors: Vec<ErrorEntry>,
}

impl Open311Error {
    /// One error whose code is the HTTP status.
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![ErrorEntry {
                code: status,
                description: description.into(),
            }],
        }
    }

    /// 400.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, description)
    }

    /// 403: the api_key is missing, invalid or not allowed this.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(403, description)
    }

    /// 404.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(404, description)
    }

    /// The `errors` document.
    pub fn document(&self) -> Document {
        Document {
            root: "errors",
            body: Value::List {
                item: "error",
                items: self
                    .errors
                    .iter()
                    .map(|e| {
                        Value::Record(vec![
                            ("code", Value::Int(i64::from(e.code))),
                            ("description", e.description.as_str().into()),
                        ])
                    })
                    .collect(),
            },
        }
    }
}

impl From<StoreError> for Open311Error {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

/// The platform's own errors in Open311 terms. Field errors keep their stable codes in the
/// description and are named by the Open311 parameter the client sent.
impl From<ApiError> for Open311Error {
    fn from(e: ApiError) -> Self {
        let status = match e.code {
            ErrorCode::Unauthenticated
            | ErrorCode::SessionExpired
            | ErrorCode::SignInRequired
            | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Internal | ErrorCode::PlatformUnreachable => 500,
            _ => 400,
        };
        if e.code == ErrorCode::ValidationFailed && !e.fields.is_empty() {
            return Self {
                status,
                errors: e.fields.iter().map(field_error).collect(),
            };
        }
        Self {
            status,
            errors: vec![ErrorEntry {
                code: status,
                description: format!("{}: {}", e.code.as_str(), e.detail),
            }],
        }
    }
}

/// The Open311 parameter a platform field error is about.
fn open311_field(field: &str) -> &str {
    match field {
        "category" => "service_code",
        "place" | "place.unit_id" | "place.building_id" | "place.area_id" => "attribute[place]",
        "place.spot" => "attribute[spot]",
        other => other,
    }
}

fn field_error(e: &FieldError) -> ErrorEntry {
    let limit = e.limit.map(|n| format!(" (limit {n})")).unwrap_or_default();
    ErrorEntry {
        code: 400,
        description: format!("{}: {}{limit}", open311_field(&e.field), e.code.as_str()),
    }
}

/// The `jurisdiction_id` of an estate.
pub fn jurisdiction_id(estate: EstateId) -> String {
    format!("{JURISDICTION_PREFIX}{}", estate.0)
}

/// The estate a `jurisdiction_id` names, if it has our form.
pub fn parse_jurisdiction(id: &str) -> Option<EstateId> {
    let digits = id.strip_prefix(JURISDICTION_PREFIX)?;
    // One spelling per estate: no sign, no leading zeros.
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !canonical {
        return None;
    }
    digits.parse().ok().map(EstateId)
}

/// Finds the estate of a request's `jurisdiction_id` with `lookup`. The platform may serve
/// several estates, so the parameter is required.
pub fn jurisdiction(
    id: Option<&str>,
    lookup: impl FnOnce(EstateId) -> Result<Option<Estate>, StoreError>,
) -> Result<Estate, Open311Error> {
    let Some(id) = id else {
        return Err(Open311Error::bad_request(
            "jurisdiction_id was not provided: this platform serves several estates; send \
             jurisdiction_id=estate-<id>",
        ));
    };
    let not_found = || Open311Error::not_found(format!("jurisdiction_id {id} was not found"));
    let estate = parse_jurisdiction(id).ok_or_else(not_found)?;
    lookup(estate)?.ok_or_else(not_found)
}

/// A report's status in GeoReport v2: `closed` once it is over, `open` while anyone still
/// has something to do, including a fix that waits for the resident's confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// Reported, and not over yet.
    Open,
    /// Resolved.
    Closed,
}

impl RequestStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<RequestStatus> {
        match s {
            "open" => Some(RequestStatus::Open),
            "closed" => Some(RequestStatus::Closed),
            _ => None,
        }
    }
}

/// THE mapping of our statuses to Open311's two. Every status is named (no wildcard), so a
/// new status does not compile until someone decides which side it falls on.
pub fn request_status(status: ReportStatus) -> RequestStatus {
    match status {
        ReportStatus::Received
        | ReportStatus::Acknowledged
        | ReportStatus::Assigned
        | ReportStatus::InProgress
        // Staff say it is fixed, but the resident has not confirmed it yet.
        | ReportStatus::Resolved
        | ReportStatus::Reopened => RequestStatus::Open,
        // Confirmed by the resident, or unanswered for seven days after the fix.
        ReportStatus::Closed => RequestStatus::Closed,
    }
}

/// `stored` as `caller` may read it here, or `None`: exactly what the platform shows that
/// person, so this face opens nothing the app keeps closed. Their own reports whole, staff
/// their estate's; other residents of the estate the public ones and those they follow, as a
/// neighbour sees them (no reporter, a home shown only as its building); nothing to anyone
/// else, volunteers and other estates included: issue 4 makes a public report public to the
/// estate's residents, not to whoever holds a key.
pub fn readable(
    store: &dyn Store,
    caller: &Caller,
    stored: StoredReport,
) -> Result<Option<Report>, StoreError> {
    follow::view(store, &caller.user, stored)
}

/// Whether a timeline entry carries a note from the handling party (the only notes shown as
/// `status_notes`: a resident's reason for reopening is theirs, not the agency's).
fn is_staff_note(kind: TimelineKind) -> bool {
    match kind {
        TimelineKind::StatusChanged | TimelineKind::HandedOff | TimelineKind::Resolved => true,
        TimelineKind::Filed
        | TimelineKind::Confirmed
        | TimelineKind::Reopened
        | TimelineKind::ClosedAutomatically
        | TimelineKind::Rated => false,
    }
}

/// Who a party is, as an agency name.
pub fn agency(party: Party) -> &'static str {
    match party {
        Party::PropertyCompany => "Property management company",
        Party::Community => "Community residents' committee",
        Party::StreetOffice => "Street office",
        Party::OwnersCommittee => "Owners' committee",
    }
}

/// The choices of an urgency, as an attribute value's name.
pub fn urgency_name(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Routine => "Routine: it can wait a few days",
        Urgency::Soon => "Soon: it should be looked at within a day",
        Urgency::Urgent => "Urgent: it is causing harm or danger now",
    }
}

/// A date-time in the w3 profile of ISO 8601 the spec asks for, in UTC with `Z`, to the
/// second: `2010-01-01T00:00:00Z`.
pub fn w3_datetime(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("a UTC date-time formats")
}

/// Reads a w3 date-time: a full one with seconds (fractions allowed) or without, with `Z`
/// or an offset; or a plain date, taken as midnight UTC. A `+` that arrived as a space (an
/// offset in an unencoded query string) is taken back.
pub fn parse_w3(input: &str) -> Option<OffsetDateTime> {
    let text = input.trim();
    let repaired;
    let text = match text.get(10..).and_then(|rest| rest.rfind(' ')) {
        Some(i) => {
            repaired = format!("{}+{}", &text[..10 + i], &text[10 + i + 1..]);
            repaired.as_str()
        }
        None => text,
    };
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    // hh:mm without seconds: insert them and try again.
    if let Some((date_time, zone)) = split_zone(text)
        && date_time.len() == 16
    {
        let with_seconds = format!("{date_time}:00{zone}");
        if let Ok(at) = OffsetDateTime::parse(&with_seconds, &Rfc3339) {
            return Some(at);
        }
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    Some(PrimitiveDateTime::new(date, time::Time::MIDNIGHT).assume_utc())
}

/// Splits `2010-01-01T10:00+08:00` into the local part and the zone (`Z` or `±hh:mm`).
fn split_zone(text: &str) -> Option<(&str, &str)> {
    if let Some(local) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((local, &text[local.len()..]));
    }
    let at = text.len().checked_sub(6)?;
    let zone = text.get(at..)?;
    (zone.starts_with(['+', '-']) && zone.as_bytes()[3] == b':').then(|| (&text[..at], zone))
}

/// The name of a category in `language`.
fn service_name(category: &Category, language: &str) -> String {
    category.name(language).to_owned()
}

/// `GET services`: every category as a service. Each has a definition (place, spot and
/// urgency), so `metadata` is true; requests get their id at once, so the type is `realtime`.
/// `group` is the party that handles the category by default; `keywords` are its names in
/// every language, so a search in either finds it.
pub fn service_list(categories: &[Category], language: &str) -> Document {
    let items = categories
        .iter()
        .map(|c| {
            let keywords: Vec<&str> = c.names.values().map(String::as_str).collect();
            Value::Record(vec![
                ("service_code", c.code.as_str().into()),
                ("service_name", service_name(c, language).into()),
                ("description", Value::Null),
                ("metadata", Value::Bool(true)),
                ("type", "realtime".into()),
                ("keywords", keywords.join(", ").into()),
                ("group", c.default_party.as_str().into()),
            ])
        })
        .collect();
    Document {
        root: "services",
        body: Value::List {
            item: "service",
            items,
        },
    }
}

/// The places a request may be about, as the service definition offers them.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// The caller's own units (empty without an api_key: a unit is private).
    pub units: Vec<UnitRef>,
    /// The estate's buildings.
    pub buildings: Vec<BuildingRef>,
    /// The estate's common areas.
    pub common_areas: Vec<CommonAreaRef>,
}

/// The key of a place in `attribute[place]` and `address_id`: `unit:3251`, `building:3`,
/// `area:1`.
pub fn place_key(place: &Place) -> String {
    match place {
        Place::Unit { unit_id } => format!("unit:{unit_id}"),
        Place::Building { building_id, .. } => format!("building:{building_id}"),
        Place::CommonArea { area_id, .. } => format!("area:{area_id}"),
    }
}

/// A place key read back, with `spot` for buildings and areas.
fn parse_place_key(key: &str, spot: String) -> Option<Place> {
    let (kind, id) = key.trim().split_once(':')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: i64 = id.parse().ok()?;
    match kind {
        "unit" => Some(Place::Unit {
            unit_id: UnitId(id),
        }),
        "building" => Some(Place::Building {
            building_id: BuildingId(id),
            spot,
        }),
        "area" => Some(Place::CommonArea {
            area_id: CommonAreaId(id),
            spot,
        }),
        _ => None,
    }
}

fn attribute(
    code: &'static str,
    datatype: &'static str,
    order: i64,
    description: &str,
    datatype_description: Option<&str>,
    values: Vec<(String, String)>,
) -> Value {
    let mut fields = vec![
        ("variable", Value::Bool(true)),
        ("code", code.into()),
        ("datatype", datatype.into()),
        ("required", Value::Bool(false)),
        (
            "datatype_description",
            Value::text_or_null(datatype_description.map(str::to_owned)),
        ),
        ("order", Value::Int(order)),
        ("description", description.into()),
    ];
    // Always present, empty for free-text attributes, so clients find it where the spec
    // shows it.
    let items = values
        .into_iter()
        .map(|(key, name)| Value::Record(vec![("key", key.into()), ("name", name.into())]))
        .collect();
    fields.push((
        "values",
        Value::List {
            item: "value",
            items,
        },
    ));
    Value::Record(fields)
}

/// `GET services/{code}`: what a request of this service may say beyond its description.
/// Our categories ask nothing of their own; every one asks where (a place from the list, or
/// an `address_string`, hence not required), where in it, and how urgent (routine unless
/// said).
pub fn service_definition(category: &Category, places: &Places) -> Document {
    let mut choices: Vec<(String, String)> = places
        .units
        .iter()
        .map(|u| (format!("unit:{}", u.id), u.label.clone()))
        .collect();
    choices.extend(
        places
            .buildings
            .iter()
            .map(|b| (format!("building:{}", b.id), b.label.clone())),
    );
    choices.extend(
        places
            .common_areas
            .iter()
            .map(|a| (format!("area:{}", a.id), a.label.clone())),
    );
    let urgencies = Urgency::ALL
        .iter()
        .map(|u| (u.as_str().to_owned(), urgency_name(*u).to_owned()))
        .collect();
    let attributes = vec![
        attribute(
            PLACE_ATTRIBUTE,
            "singlevaluelist",
            1,
            "Where the problem is: a building's shared parts, a common area of the estate, or \
             (with your api_key) one of your own units",
            Some(
                "One of the keys listed; instead, address_string may name a building or common \
                 area, with the spot after it",
            ),
            choices,
        ),
        attribute(
            SPOT_ATTRIBUTE,
            "string",
            2,
            "Where in the building or area, e.g. 3rd floor stairwell (needed for a building)",
            None,
            vec![],
        ),
        attribute(
            URGENCY_ATTRIBUTE,
            "singlevaluelist",
            3,
            "How soon it needs attention; routine when not given",
            None,
            urgencies,
        ),
        attribute(
            VISIBILITY_ATTRIBUTE,
            "singlevaluelist",
            4,
            "Who may see the report; private when not given",
            None,
            vec![
                (
                    ReportVisibility::Private.as_str().to_owned(),
                    "Private: you and the estate's four parties".to_owned(),
                ),
                (
                    ReportVisibility::Public.as_str().to_owned(),
                    "Public: also your neighbours and Open311 readers, never with your name"
                        .to_owned(),
                ),
            ],
        ),
    ];
    Document {
        root: "service_definition",
        body: Value::Record(vec![
            ("service_code", category.code.as_str().into()),
            (
                "attributes",
                Value::List {
                    item: "attribute",
                    items: attributes,
                },
            ),
        ]),
    }
}

/// What a `POST requests` said about the report, already read from the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Submission {
    /// `service_code`.
    pub service_code: Option<String>,
    /// `description`.
    pub description: String,
    /// `address_string`.
    pub address_string: Option<String>,
    /// `address_id` (a place key).
    pub address_id: Option<String>,
    /// Whether `lat` or `long` was sent.
    pub coordinates: bool,
    /// `media_url`.
    pub media_url: Option<String>,
    /// `attribute[code]=value` pairs, in the order sent.
    pub attributes: Vec<(String, String)>,
}

fn single_attribute<'a>(
    attributes: &'a [(String, String)],
    code: &str,
) -> Result<Option<&'a str>, Open311Error> {
    let mut values = attributes
        .iter()
        .filter(|(c, _)| c == code)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    let first = values.next();
    if values.next().is_some() {
        return Err(Open311Error::bad_request(format!(
            "attribute[{code}] takes one value"
        )));
    }
    Ok(first)
}

/// Characters that may separate a place's name from the spot in an `address_string`.
const SPOT_SEPARATORS: &[char] = &[' ', ',', '，', '、', '·', '-', ':', '：', '/'];

/// Reads an `address_string`: one of the caller's own units by its label, or a building or
/// common area of the estate by its label, followed by the spot ("2栋 三楼楼道",
/// "中心花园, 秋千旁"). The longest matching label wins, so "12栋" is never read as "1栋".
fn place_from_address(address: &str, places: &Places) -> Option<(Place, String)> {
    let address = address.trim();
    if let Some(unit) = places.units.iter().find(|u| u.label == address) {
        return Some((Place::Unit { unit_id: unit.id }, String::new()));
    }
    let buildings = places.buildings.iter().map(|b| {
        (
            b.label.as_str(),
            Place::Building {
                building_id: b.id,
                spot: String::new(),
            },
        )
    });
    let areas = places.common_areas.iter().map(|a| {
        (
            a.label.as_str(),
            Place::CommonArea {
                area_id: a.id,
                spot: String::new(),
            },
        )
    });
    let (label, place) = buildings
        .chain(areas)
        .filter(|(label, _)| !label.is_empty() && address.starts_with(label))
        .max_by_key(|(label, _)| label.len())?;
    let rest = address[label.len()..].trim_start_matches(SPOT_SEPARATORS);
    Some((place, rest.trim().to_owned()))
}

fn with_spot(place: Place, spot: String) -> Place {
    match place {
        Place::Unit { unit_id } => Place::Unit { unit_id },
        Place::Building { building_id, .. } => Place::Building { building_id, spot },
        Place::CommonArea { area_id, .. } => Place::CommonArea { area_id, spot },
    }
}

/// Where a submission is about. A place key (`attribute[place]` or `address_id`) wins over an
/// `address_string`; coordinates alone cannot be mapped, since the estate's places are named,
/// not surveyed.
pub fn resolve_place(submission: &Submission, places: &Places) -> Result<Place, Open311Error> {
    let attributes = &submission.attributes;
    let spot_attribute = single_attribute(attributes, SPOT_ATTRIBUTE)?.map(str::to_owned);
    let key_attribute = single_attribute(attributes, PLACE_ATTRIBUTE)?;
    let address_id = submission.address_id.as_deref().map(str::trim);
    let key = match (key_attribute, address_id) {
        (Some(a), Some(b)) if a != b => {
            return Err(Open311Error::bad_request(format!(
                "attribute[place] ({a}) and address_id ({b}) name different places; send one"
            )));
        }
        (Some(k), _) | (None, Some(k)) => Some(k),
        (None, None) => None,
    };
    if let Some(key) = key {
        let spot = spot_attribute.unwrap_or_default();
        return parse_place_key(key, spot).ok_or_else(|| {
            Open311Error::bad_request(format!(
                "attribute[place] {key} is not a place key: use one of the service \
                 definition's values (building:<id>, area:<id>, unit:<id>)"
            ))
        });
    }
    if let Some(address) = submission.address_string.as_deref() {
        let Some((place, rest)) = place_from_address(address, places) else {
            let mut names: Vec<&str> = places.buildings.iter().map(|b| b.label.as_str()).collect();
            names.extend(places.common_areas.iter().map(|a| a.label.as_str()));
            return Err(Open311Error::bad_request(format!(
                "address_string \"{}\" does not name a place of this estate: start it with a \
                 building or common area ({}), or one of your units, then say where in it",
                address.trim(),
                names.join(", ")
            )));
        };
        let spot = match (spot_attribute, rest.is_empty()) {
            (Some(_), false) => {
                return Err(Open311Error::bad_request(
                    "the spot is in both address_string and attribute[spot]; send it once",
                ));
            }
            (Some(spot), true) => spot,
            (None, _) => rest,
        };
        return Ok(with_spot(place, spot));
    }
    if submission.coordinates {
        return Err(Open311Error::bad_request(
            "lat/long cannot be mapped to a place: this estate's places are its buildings, \
             common areas and units; send address_string or attribute[place]",
        ));
    }
    Err(Open311Error::bad_request(
        "a location is required: address_string, address_id or attribute[place]",
    ))
}

/// Turns a submission into the platform's own new report, checking what only Open311 can get
/// wrong. Everything else (description length, whether the place is the caller's to report
/// about, the category) is judged by the platform's filing rules, as for the app.
pub fn new_report(
    id: ReportId,
    submission: &Submission,
    categories: &[Category],
    places: &Places,
) -> Result<NewReport, Open311Error> {
    let Some(code) = submission.service_code.as_deref() else {
        return Err(Open311Error::bad_request("service_code was not provided"));
    };
    if !categories.iter().any(|c| c.code == code) {
        return Err(Open311Error::not_found(format!(
            "service_code {code} was not found"
        )));
    }
    if submission.media_url.is_some() {
        // Fetching media from an address a client names is not something the platform does;
        // dropping it silently would lose what the resident sent.
        return Err(Open311Error::bad_request(
            "media_url is not accepted: attach photos through the Linli app",
        ));
    }
    let known = [
        PLACE_ATTRIBUTE,
        SPOT_ATTRIBUTE,
        URGENCY_ATTRIBUTE,
        VISIBILITY_ATTRIBUTE,
    ];
    if let Some((unknown, _)) = submission
        .attributes
        .iter()
        .find(|(c, _)| !known.contains(&c.as_str()))
    {
        return Err(Open311Error::bad_request(format!(
            "attribute[{unknown}] is not part of this service's definition"
        )));
    }
    let urgency = match single_attribute(&submission.attributes, URGENCY_ATTRIBUTE)? {
        None => Urgency::default(),
        Some(value) => Urgency::ALL
            .into_iter()
            .find(|u| u.as_str() == value)
            .ok_or_else(|| {
                Open311Error::bad_request(format!(
                    "attribute[urgency] {value} is not one of routine, soon, urgent"
                ))
            })?,
    };
    let visibility = match single_attribute(&submission.attributes, VISIBILITY_ATTRIBUTE)? {
        None => ReportVisibility::default(),
        Some(value) => [ReportVisibility::Private, ReportVisibility::Public]
            .into_iter()
            .find(|v| v.as_str() == value)
            .ok_or_else(|| {
                Open311Error::bad_request(format!(
                    "attribute[visibility] {value} is not one of private, public"
                ))
            })?,
    };
    let place = resolve_place(submission, places)?;
    Ok(NewReport {
        id,
        category: code.to_owned(),
        description: submission.description.clone(),
        place,
        urgency,
        photo_ids: vec![],
        visibility,
    })
}

/// The answer to a `POST requests`.
pub fn created(report: &Report) -> Document {
    Document {
        root: "service_requests",
        body: Value::List {
            item: "request",
            items: vec![Value::Record(vec![
                ("service_request_id", report.id.to_string().into()),
                ("service_notice", service_notice(report).into()),
                ("account_id", Value::Null),
            ])],
        },
    }
}

/// What residents and staff quote.
fn service_notice(report: &Report) -> String {
    format!("Report #{}", report.number)
}

/// One request as the spec lists it.
#[derive(Debug)]
pub struct RequestView<'a> {
    /// The report.
    pub report: &'a Report,
    /// Its timeline, oldest first.
    pub timeline: &'a [TimelineEntry],
    /// Its category, when it still exists.
    pub category: Option<&'a Category>,
    /// Its estate.
    pub estate: &'a Estate,
    /// The address of the platform's photo endpoint (`…/v1/photos/`), when known.
    pub photo_base: Option<&'a str>,
}

/// Every field of a request: those we do not know are null (empty elements in XML), so a
/// client finds each one where the spec puts it. `media_url` is left out when the report
/// has no photo. No field names the reporter; the place is what the reader may see (a
/// neighbour's home is its building, see [`readable`]).
pub fn request_value(view: &RequestView<'_>, language: &str) -> Value {
    let report = view.report;
    let status_notes = view
        .timeline
        .iter()
        .rev()
        .filter(|e| is_staff_note(e.kind))
        .find_map(|e| e.note.as_deref().filter(|n| !n.trim().is_empty()))
        .map(str::to_owned);
    let service_name = view.category.map(|c| service_name(c, language));
    let mut fields = vec![
        ("service_request_id", report.id.to_string().into()),
        ("status", request_status(report.status).as_str().into()),
        ("status_notes", Value::text_or_null(status_notes)),
        ("service_name", Value::text_or_null(service_name)),
        ("service_code", report.category.as_str().into()),
        ("description", report.description.as_str().into()),
        ("agency_responsible", agency(report.handling_party).into()),
        ("service_notice", service_notice(report).into()),
        ("requested_datetime", w3_datetime(report.created_at).into()),
        ("updated_datetime", w3_datetime(report.updated_at).into()),
        ("expected_datetime", Value::Null),
        (
            "address",
            format!("{}, {}", report.place_label, view.estate.name).into(),
        ),
        ("address_id", place_key(&report.place).into()),
        ("zipcode", Value::Null),
        ("lat", Value::Null),
        ("long", Value::Null),
    ];
    if let (Some(base), Some(photo)) = (view.photo_base, report.photo_ids.first()) {
        fields.push(("media_url", format!("{base}{photo}").into()));
    }
    Value::Record(fields)
}

/// A list of requests.
pub fn requests(items: Vec<Value>) -> Document {
    Document {
        root: "service_requests",
        body: Value::List {
            item: "request",
            items,
        },
    }
}

/// The parameters of `GET requests`.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestQuery {
    /// `service_request_id`, comma separated: when given, the only filter.
    pub ids: Option<Vec<String>>,
    /// `service_code`s; empty means all.
    pub service_codes: Vec<String>,
    /// Earliest `requested_datetime`, inclusive.
    pub start: OffsetDateTime,
    /// Latest `requested_datetime`, inclusive.
    pub end: OffsetDateTime,
    /// Statuses; empty means all.
    pub statuses: Vec<RequestStatus>,
}

/// Values of a parameter that may be repeated and comma separated, empty ones dropped.
pub fn list_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn date_param(name: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, Open311Error> {
    value
        .map(|v| {
            parse_w3(v).ok_or_else(|| {
                Open311Error::bad_request(format!(
                    "{name} {v} is not a w3 date-time such as 2010-01-01T00:00:00Z"
                ))
            })
        })
        .transpose()
}

/// Reads the filters of `GET requests`. The window defaults to the 90 days before `now`;
/// one bound alone reaches 90 days from it; both may not span more than 90 days.
pub fn request_query(
    ids: Option<&str>,
    service_codes: Vec<String>,
    start_date: Option<&str>,
    end_date: Option<&str>,
    statuses: Vec<String>,
    now: OffsetDateTime,
) -> Result<RequestQuery, Open311Error> {
    let ids = ids.map(|v| list_values([v])).filter(|ids| !ids.is_empty());
    let statuses = statuses
        .iter()
        .map(|s| {
            RequestStatus::parse(s).ok_or_else(|| {
                Open311Error::bad_request(format!("status {s} is not one of open, closed"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let start = date_param("start_date", start_date)?;
    let end = date_param("end_date", end_date)?;
    let (start, end) = match (start, end) {
        (None, None) => (now - MAX_WINDOW, now),
        // A window reaching past either end of the calendar (years 0 to 9999, as far as
        // the dates a client may send go) stops there.
        (Some(start), None) => (
            start,
            start
                .checked_add(MAX_WINDOW)
                .unwrap_or(PrimitiveDateTime::MAX.assume_utc()),
        ),
        (None, Some(end)) => (
            end.checked_sub(MAX_WINDOW)
                .unwrap_or(PrimitiveDateTime::MIN.assume_utc()),
            end,
        ),
        (Some(start), Some(end)) => {
            if end < start {
                return Err(Open311Error::bad_request("end_date is before start_date"));
            }
            if end - start > MAX_WINDOW {
                return Err(Open311Error::bad_request(
                    "start_date and end_date may not span more than 90 days",
                ));
            }
            (start, end)
        }
    };
    Ok(RequestQuery {
        ids,
        service_codes,
        start,
        end,
        statuses,
    })
}

impl RequestQuery {
    /// Whether a report passes the filters other than `service_request_id`.
    pub fn matches(&self, report: &Report) -> bool {
        (self.service_codes.is_empty() || self.service_codes.contains(&report.category))
            && (self.statuses.is_empty() || self.statuses.contains(&request_status(report.status)))
            && report.created_at >= self.start
            && report.created_at <= self.end
    }
}

/// Reports asked for by id that exist; ids that are not ours are simply not found.
pub fn report_ids(ids: &[String]) -> Vec<ReportId> {
    ids.iter().filter_map(|id| id.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::FieldErrorCode;
    use rstest::rstest;
    use time::macros::datetime;

    fn places() -> Places {
        Places {
            units: vec![UnitRef {
                id: UnitId(3251),
                building_id: BuildingId(3),
                label: "3栋2单元501".into(),
                area_m2: 96.0,
            }],
            buildings: vec![
                BuildingRef {
                    id: BuildingId(1),
                    label: "1栋".into(),
                },
                BuildingRef {
                    id: BuildingId(12),
                    label: "12栋".into(),
                },
                BuildingRef {
                    id: BuildingId(3),
                    label: "3栋".into(),
                },
            ],
            common_areas: vec![CommonAreaRef {
                id: CommonAreaId(1),
                label: "中心花园".into(),
            }],
        }
    }

    fn at(address: &str) -> Submission {
        Submission {
            address_string: Some(address.into()),
            ..Default::default()
        }
    }

    #[test]
    fn only_a_closed_report_is_closed() {
        for status in ReportStatus::ALL {
            let expected = if status == ReportStatus::Closed {
                RequestStatus::Closed
            } else {
                RequestStatus::Open
            };
            assert_eq!(request_status(status), expected, "{status:?}");
        }
    }

    #[rstest]
    #[case::building_and_spot("3栋 三楼楼道", Place::Building { building_id: BuildingId(3), spot: "三楼楼道".into() })]
    #[case::comma("中心花园，秋千旁", Place::CommonArea { area_id: CommonAreaId(1), spot: "秋千旁".into() })]
    #[case::middle_dot("3栋 · 电梯厅", Place::Building { building_id: BuildingId(3), spot: "电梯厅".into() })]
    #[case::no_separator("3栋楼顶", Place::Building { building_id: BuildingId(3), spot: "楼顶".into() })]
    #[case::longest_label_wins("12栋 门口", Place::Building { building_id: BuildingId(12), spot: "门口".into() })]
    #[case::area_alone("中心花园", Place::CommonArea { area_id: CommonAreaId(1), spot: String::new() })]
    #[case::own_unit(" 3栋2单元501 ", Place::Unit { unit_id: UnitId(3251) })]
    fn addresses_name_places(#[case] address: &str, #[case] expected: Place) {
        assert_eq!(resolve_place(&at(address), &places()).unwrap(), expected);
    }

    #[test]
    fn an_address_outside_the_estate_lists_the_places_it_could_have_named() {
        let err = resolve_place(&at("8TH AVE and JUDAH ST"), &places()).unwrap_err();
        assert_eq!(err.status, 400);
        let text = &err.errors[0].description;
        assert!(text.contains("1栋") && text.contains("中心花园"), "{text}");
    }

    #[test]
    fn place_keys_win_and_carry_the_spot_attribute() {
        let submission = Submission {
            address_string: Some("nowhere".into()),
            attributes: vec![
                ("place".into(), "building:3".into()),
                ("spot".into(), "二楼".into()),
            ],
            ..Default::default()
        };
        assert_eq!(
            resolve_place(&submission, &places()).unwrap(),
            Place::Building {
                building_id: BuildingId(3),
                spot: "二楼".into()
            }
        );
        let by_address_id = Submission {
            address_id: Some("area:1".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve_place(&by_address_id, &places()).unwrap(),
            Place::CommonArea {
                area_id: CommonAreaId(1),
                spot: String::new()
            }
        );
    }

    #[rstest]
    #[case::coordinates(Submission { coordinates: true, ..Default::default() }, "lat/long")]
    #[case::nothing(Submission::default(), "a location is required")]
    #[case::bad_key(Submission { attributes: vec![("place".into(), "roof".into())], ..Default::default() }, "not a place key")]
    #[case::two_keys(Submission { address_id: Some("area:1".into()), attributes: vec![("place".into(), "area:2".into())], ..Default::default() }, "different places")]
    #[case::spot_twice(Submission { address_string: Some("3栋 楼顶".into()), attributes: vec![("spot".into(), "楼顶".into())], ..Default::default() }, "send it once")]
    #[case::two_places(Submission { attributes: vec![("place".into(), "area:1".into()), ("place".into(), "area:2".into())], ..Default::default() }, "takes one value")]
    fn places_that_cannot_be_mapped_are_refused(
        #[case] submission: Submission,
        #[case] says: &str,
    ) {
        let err = resolve_place(&submission, &places()).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(err.errors[0].description.contains(says), "{err:?}");
    }

    #[rstest]
    #[case("2010-01-01T00:00:00Z", datetime!(2010-01-01 00:00:00 UTC))]
    #[case("1994-11-05T08:15:30-05:00", datetime!(1994-11-05 13:15:30 UTC))]
    #[case("1994-11-05T08:15:30 05:00", datetime!(1994-11-05 03:15:30 UTC))]
    #[case("2010-01-01T08:00:00.250+08:00", datetime!(2010-01-01 00:00:00.25 UTC))]
    #[case("2010-01-01T10:30+08:00", datetime!(2010-01-01 02:30:00 UTC))]
    #[case("2010-01-01T10:30Z", datetime!(2010-01-01 10:30:00 UTC))]
    #[case("2010-05-24", datetime!(2010-05-24 00:00:00 UTC))]
    fn w3_dates_are_read(#[case] input: &str, #[case] expected: OffsetDateTime) {
        assert_eq!(parse_w3(input), Some(expected));
    }

    #[rstest]
    #[case("yesterday")]
    #[case("2010-13-01T00:00:00Z")]
    #[case("2010-01-01T00:00:00")]
    #[case("")]
    fn non_dates_are_refused(#[case] input: &str) {
        assert_eq!(parse_w3(input), None);
    }

    #[test]
    fn dates_are_written_in_utc_to_the_second() {
        let at = datetime!(2024-03-01 09:05:07.123 +08:00);
        assert_eq!(w3_datetime(at), "2024-03-01T01:05:07Z");
        assert_eq!(
            parse_w3(&w3_datetime(at)),
            Some(datetime!(2024-03-01 01:05:07 UTC))
        );
    }

    #[test]
    fn the_window_defaults_to_ninety_days_and_may_not_be_wider() {
        let now = datetime!(2024-06-30 12:00:00 UTC);
        let q = request_query(None, vec![], None, None, vec![], now).unwrap();
        assert_eq!((q.start, q.end), (now - Duration::days(90), now));
        let q = request_query(
            None,
            vec![],
            Some("2024-01-01T00:00:00Z"),
            None,
            vec![],
            now,
        )
        .unwrap();
        assert_eq!(q.end, datetime!(2024-03-31 00:00:00 UTC));
        let q = request_query(
            None,
            vec![],
            None,
            Some("2024-04-01T00:00:00Z"),
            vec![],
            now,
        )
        .unwrap();
        assert_eq!(q.start, datetime!(2024-01-02 00:00:00 UTC));
        let exactly = request_query(
            None,
            vec![],
            Some("2024-01-01T00:00:00Z"),
            Some("2024-03-31T00:00:00Z"),
            vec![],
            now,
        );
        assert!(exactly.is_ok());
        let wider = request_query(
            None,
            vec![],
            Some("2024-01-01T00:00:00Z"),
            Some("2024-03-31T00:00:01Z"),
            vec![],
            now,
        )
        .unwrap_err();
        assert!(wider.errors[0].description.contains("90 days"), "{wider:?}");
        let backwards = request_query(
            None,
            vec![],
            Some("2024-03-01T00:00:00Z"),
            Some("2024-02-01T00:00:00Z"),
            vec![],
            now,
        );
        assert_eq!(backwards.unwrap_err().status, 400);
        let status = request_query(None, vec![], None, None, vec!["pending".into()], now);
        assert_eq!(status.unwrap_err().status, 400);
    }

    /// Found with the fuzz harness (`fuzz/`, target `open311_requests`): a `start_date` in
    /// the last 90 days of year 9999 overflowed the calendar and panicked.
    #[rstest]
    #[case::last_day(Some("9999-12-31"), None)]
    #[case::last_moment_west(Some("9999-12-31T23:59:59-23:59"), None)]
    #[case::first_day_as_end(None, Some("0000-01-01T00:00:00+23:59"))]
    fn windows_at_the_ends_of_the_calendar_stop_there(
        #[case] start: Option<&str>,
        #[case] end: Option<&str>,
    ) {
        let now = datetime!(2024-06-30 12:00:00 UTC);
        let q = request_query(None, vec![], start, end, vec![], now).unwrap();
        assert!(
            q.end - q.start <= MAX_WINDOW,
            "{:?} .. {:?}",
            q.start,
            q.end
        );
        if start.is_some() {
            assert_eq!(q.end, PrimitiveDateTime::MAX.assume_utc());
        }
    }

    #[test]
    fn repeated_and_comma_separated_values_are_one_list() {
        assert_eq!(
            list_values(["lifts, noise", "", "safety,"]),
            ["lifts", "noise", "safety"]
        );
    }

    #[rstest]
    #[case("estate-1", Some(EstateId(1)))]
    #[case("estate-42", Some(EstateId(42)))]
    #[case("estate-042", None)]
    #[case("estate-", None)]
    #[case("estate--1", None)]
    #[case("1", None)]
    #[case("sfgov.org", None)]
    fn jurisdictions(#[case] id: &str, #[case] expected: Option<EstateId>) {
        assert_eq!(parse_jurisdiction(id), expected);
        if let Some(estate) = expected {
            assert_eq!(jurisdiction_id(estate), id);
        }
    }

    #[test]
    fn field_errors_name_the_open311_parameter_and_keep_their_code() {
        let e = ApiError::validation(vec![
            FieldError::with_limit("description", FieldErrorCode::TooShort, 5),
            FieldError::new("place.unit_id", FieldErrorCode::UnitNotYours),
            FieldError::new("place.spot", FieldErrorCode::Required),
        ]);
        let err = Open311Error::from(e);
        assert_eq!(err.status, 400);
        let descriptions: Vec<_> = err.errors.iter().map(|e| e.description.as_str()).collect();
        assert_eq!(
            descriptions,
            [
                "description: too_short (limit 5)",
                "attribute[place]: unit_not_yours",
                "attribute[spot]: required"
            ]
        );
        let forbidden = Open311Error::from(ApiError::new(ErrorCode::SessionExpired, "x"));
        assert_eq!(forbidden.status, 403);
    }
}
