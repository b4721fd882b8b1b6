//! The Open311 GeoReport v2 face, against the published specification kept in
//! `tests/open311-spec` (its Swagger file's examples and its JSON Schemas), over real HTTP, in
//! JSON and in XML.

mod common;

use common::{TestPlatform, jpeg_bytes, leaking_pipe, ok_json, resident_of_another_estate};
use linli_api::platform::{self, ReportDetail};
use linli_api::{PhotoId, Place, Report, ReportId, ReportVisibility, UnitId};
use linli_platform::clock::Clock;
use linli_platform::demo;
use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const JURISDICTION: &str = "estate-1";

/// Form fields as sent.
type Pairs = Vec<(String, String)>;

// ---------------------------------------------------------------------------------------
// The published specification

/// The folder of the published specification (`LINLI_OPEN311_SPEC` may name another copy).
fn spec_dir() -> PathBuf {
    let dir = std::env::var_os("LINLI_OPEN311_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/open311-spec"));
    assert!(
        dir.join("swagger.json").is_file(),
        "the Open311 specification is not at {} (set LINLI_OPEN311_SPEC)",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

fn swagger() -> Json {
    let text = std::fs::read_to_string(spec_dir().join("swagger.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The XML example of a path's 200 answer in the Swagger file.
fn example(path: &str, method: &str) -> Json {
    swagger()["paths"][path][method]["responses"]["200"]["examples"]["application/xml"].clone()
}

/// Validates `instance` against one of the folder's JSON Schemas (with format assertions,
/// so `date-time` and `uri` are checked too).
fn assert_schema(schema_file: &str, instance: &Json) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    compiler.enable_format_assertions();
    let path = spec_dir().join(schema_file);
    let index = compiler
        .compile(path.to_str().unwrap(), &mut schemas)
        .unwrap_or_else(|e| panic!("{schema_file}: {e:#}"));
    if let Err(e) = schemas.validate(instance, index) {
        panic!("{schema_file} rejects our answer:\n{e:#}\n{instance:#}");
    }
}

/// The Swagger definition `name` (`Service`, `Request`, …).
fn definition(name: &str) -> Json {
    swagger()["definitions"][name].clone()
}

fn ref_name(schema: &Json) -> Option<&str> {
    schema["$ref"].as_str()?.strip_prefix("#/definitions/")
}

fn is_required(def: &Json, field: &str) -> bool {
    def["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|f| f == field))
}

/// A leaf value's text is of the definition's type and format.
fn assert_leaf_text(text: &str, schema: &Json, at: &str) {
    match schema["type"].as_str() {
        Some("boolean") => assert!(text == "true" || text == "false", "{at}: {text:?}"),
        Some("integer") => assert!(text.parse::<i64>().is_ok(), "{at}: {text:?}"),
        Some("number") => assert!(text.parse::<f64>().is_ok(), "{at}: {text:?}"),
        Some("string") => {}
        other => panic!("{at}: unexpected type {other:?}"),
    }
    match schema["format"].as_str() {
        Some("date-time") => assert!(
            OffsetDateTime::parse(text, &Rfc3339).is_ok(),
            "{at}: {text:?} is not a w3 date-time with an offset"
        ),
        Some("uri") => assert!(url::Url::parse(text).is_ok(), "{at}: {text:?} is not a URI"),
        _ => {}
    }
}

/// Every field of the spec's example exists in our JSON object, with the type and format its
/// Swagger definition gives; null only where the field is optional. Lists (written in the
/// example as their XML wrapper, `attributes: {attribute: {...}}`) are arrays whose every
/// item is checked against the example's item.
fn assert_like_example_json(example: &Json, ours: &Json, def: &Json, at: &str) {
    let example = example
        .as_object()
        .unwrap_or_else(|| panic!("{at}: {example}"));
    for (field, sample) in example {
        let at = format!("{at}.{field}");
        let schema = &def["properties"][field];
        assert!(!schema.is_null(), "{at}: not in the definition");
        let value = ours
            .get(field)
            .unwrap_or_else(|| panic!("{at} is missing from {ours:#}"));
        if value.is_null() {
            assert!(!is_required(def, field), "{at} is required but null");
            continue;
        }
        if schema["type"] == "array" {
            let item_def = definition(ref_name(&schema["items"]).unwrap());
            let item_sample = sample.as_object().unwrap().values().next().unwrap();
            // Emptiness is for each test to judge (a free-text attribute has no values).
            let items = value.as_array().unwrap_or_else(|| panic!("{at}: {value}"));
            for (i, item) in items.iter().enumerate() {
                assert_like_example_json(item_sample, item, &item_def, &format!("{at}[{i}]"));
            }
            continue;
        }
        let text = match value {
            Json::String(s) => {
                assert_eq!(schema["type"], "string", "{at}: {value}");
                s.clone()
            }
            Json::Bool(_) | Json::Number(_) => {
                assert_ne!(schema["type"], "string", "{at}: {value} should be a string");
                value.to_string()
            }
            other => panic!("{at}: {other}"),
        };
        assert_leaf_text(&text, schema, &at);
    }
}

/// An XML element, read with a real parser.
#[derive(Debug, Clone)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn text_of(&self, name: &str) -> &str {
        &self
            .child(name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
            .text
    }
}

/// Parses a whole document, checking it declares UTF-8 first.
fn parse_xml(text: &str) -> Node {
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#),
        "no UTF-8 declaration: {text}"
    );
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e}: {text}"))
        {
            Event::Start(e) => stack.push(Node {
                name: e.name().as_ref().to_owned(),
                text: String::new(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: e.name().as_ref().to_owned(),
                    text: String::new(),
                    children: vec![],
                };
                stack
                    .last_mut()
                    .expect("inside the root")
                    .children
                    .push(node);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let top = stack.last_mut().unwrap();
                match r.resolve_char_ref().unwrap() {
                    Some(c) => top.text.push(c),
                    None => top.text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&r.xml10_content()).unwrap(),
                    ),
                }
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return node,
                }
            }
            Event::Eof => panic!("the document ended early: {text}"),
            _ => {}
        }
    }
}

/// The XML counterpart of [`assert_like_example_json`]: every example field is a child
/// element, lists are wrappers of item elements, empty elements only for optional fields.
fn assert_like_example_xml(example: &Json, ours: &Node, def: &Json, at: &str) {
    for (field, sample) in example.as_object().unwrap() {
        let at = format!("{at}/{field}");
        let schema = &def["properties"][field];
        let node = ours
            .child(field)
            .unwrap_or_else(|| panic!("{at} is missing from {ours:#?}"));
        if schema["type"] == "array" {
            let item_def = definition(ref_name(&schema["items"]).unwrap());
            let (item_name, item_sample) = sample.as_object().unwrap().iter().next().unwrap();
            let items = node.all(item_name);
            assert_eq!(items.len(), node.children.len(), "{at}: foreign elements");
            for item in items {
                assert_like_example_xml(item_sample, item, &item_def, &format!("{at}/{item_name}"));
            }
            continue;
        }
        if node.text.is_empty() && node.children.is_empty() {
            assert!(!is_required(def, field), "{at} is required but empty");
            continue;
        }
        assert_leaf_text(&node.text, schema, &at);
    }
}

// ---------------------------------------------------------------------------------------
// Talking to the face

struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Json {
        assert!(
            self.content_type.starts_with("application/json"),
            "{}: {}",
            self.content_type,
            self.body
        );
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn xml(&self) -> Node {
        assert!(
            self.content_type.starts_with("text/xml"),
            "{}: {}",
            self.content_type,
            self.body
        );
        parse_xml(&self.body)
    }

    fn ok(self) -> Self {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    Answer {
        status,
        content_type,
        body,
    }
}

async fn get(t: &TestPlatform, path_and_query: &str) -> Answer {
    answer(t.http.get(t.url(path_and_query)).send().await.unwrap()).await
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post(t: &TestPlatform, path: &str, pairs: &[(&str, &str)]) -> Answer {
    answer(
        t.http
            .post(t.url(path))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(form(pairs))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Files a report through Open311 and returns its id.
async fn file_via_open311(t: &TestPlatform, api_key: &str, extra: &[(&str, &str)]) -> ReportId {
    let mut pairs = vec![
        ("api_key", api_key),
        ("jurisdiction_id", JURISDICTION),
        ("service_code", "electricity"),
        ("description", "楼道的灯坏了好几天，晚上很黑"),
    ];
    pairs.extend_from_slice(extra);
    let created = post(t, "/open311/v2/requests.json", &pairs)
        .await
        .ok()
        .json();
    created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The error array of an answer, in its format, checked for shape: `(code, description)`.
fn errors(answer: &Answer, xml: bool) -> Vec<(u16, String)> {
    if xml {
        let root = answer.xml();
        assert_eq!(root.name, "errors", "{}", answer.body);
        assert_eq!(root.all("error").len(), root.children.len());
        root.all("error")
            .into_iter()
            .map(|e| {
                (
                    e.text_of("code").parse().unwrap(),
                    e.text_of("description").to_owned(),
                )
            })
            .collect()
    } else {
        let list = answer.json();
        list.as_array()
            .unwrap_or_else(|| panic!("not an array: {list}"))
            .iter()
            .map(|e| {
                let fields: Vec<_> = e.as_object().unwrap().keys().cloned().collect();
                assert_eq!(fields, ["code", "description"], "{e}");
                (
                    u16::try_from(e["code"].as_u64().expect("a numeric code")).unwrap(),
                    e["description"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

/// Asserts an error answer with `status`, whose (first) description contains `says`.
fn assert_error(answer: &Answer, xml: bool, status: u16, says: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    let errors = errors(answer, xml);
    assert!(!errors.is_empty());
    assert_eq!(errors[0].0, status);
    assert!(
        errors.iter().any(|(_, d)| d.contains(says)),
        "{says:?} not in {errors:?}"
    );
}

fn ext(xml: bool) -> &'static str {
    if xml { "xml" } else { "json" }
}

// ---------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn discovery_names_the_v2_endpoint_in_both_formats() {
    let t = TestPlatform::start().await;
    let json = get(&t, "/open311/discovery.json").await.ok().json();
    let endpoint = &json["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(endpoint["url"], format!("{}/open311/v2", t.base_url()));
    assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));
    for field in ["changeset", "contact", "key_service"] {
        assert!(json[field].is_string(), "{field}: {json}");
    }
    assert!(OffsetDateTime::parse(json["changeset"].as_str().unwrap(), &Rfc3339).is_ok());

    let xml = get(&t, "/open311/discovery.xml").await.ok().xml();
    assert_eq!(xml.name, "discovery");
    let endpoint = &xml.child("endpoints").unwrap().all("endpoint")[0];
    assert_eq!(
        endpoint.text_of("url"),
        format!("{}/open311/v2", t.base_url())
    );
    let formats: Vec<_> = endpoint
        .child("formats")
        .unwrap()
        .all("format")
        .iter()
        .map(|f| f.text.clone())
        .collect();
    assert_eq!(formats, ["text/xml", "application/json"]);

    // The v2 endpoint it names answers.
    let url = format!(
        "{}/services.json?jurisdiction_id={JURISDICTION}",
        endpoint.text_of("url")
    );
    let services = t.http.get(url).send().await.unwrap();
    assert_eq!(services.status(), StatusCode::OK);
}

#[tokio::test]
async fn services_follow_the_spec_example_and_schema_in_both_formats() {
    let t = TestPlatform::start().await;
    let path = format!("/open311/v2/services.json?jurisdiction_id={JURISDICTION}");
    let json = get(&t, &path).await.ok().json();
    assert_schema("services.json", &json);
    let sample = &example("/services.{response_format}", "get")["services"]["service"];
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), demo::seed().categories.len());
    for service in list {
        assert_schema("service.json", service);
        assert_like_example_json(sample, service, &definition("Service"), "service");
    }
    let water = list
        .iter()
        .find(|s| s["service_code"] == "water_plumbing")
        .unwrap();
    assert_eq!(water["service_name"], "水管与下水");
    assert_eq!(water["group"], "property_company");
    assert_eq!(water["metadata"], true);
    assert_eq!(water["type"], "realtime");
    assert!(
        water["keywords"]
            .as_str()
            .unwrap()
            .contains("Water and plumbing")
    );

    // Names follow Accept-Language.
    let english = t
        .http
        .get(t.url(&path))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let english: Json = english.json().await.unwrap();
    assert!(
        english
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["service_name"] == "Water and plumbing")
    );

    let xml_path = format!("/open311/v2/services.xml?jurisdiction_id={JURISDICTION}");
    let xml = get(&t, &xml_path).await.ok().xml();
    assert_eq!(xml.name, "services");
    let services = xml.all("service");
    assert_eq!(services.len(), list.len());
    assert_eq!(services.len(), xml.children.len());
    for service in services {
        assert_like_example_xml(sample, service, &definition("Service"), "services/service");
    }
}

#[tokio::test]
async fn a_service_definition_follows_the_spec_example_and_schema_in_both_formats() {
    let t = TestPlatform::start().await;
    let sample =
        &example("/services/{service_code}.{response_format}", "get")["service_definition"];
    let path = format!("/open311/v2/services/lifts.json?jurisdiction_id={JURISDICTION}");
    let json = get(&t, &path).await.ok().json();
    assert_schema("service-definition.json", &json);
    assert_like_example_json(
        sample,
        &json,
        &definition("ServiceDefinition"),
        "service_definition",
    );
    assert_eq!(json["service_code"], "lifts");
    let attributes = json["attributes"].as_array().unwrap();
    let codes: Vec<_> = attributes
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["place", "spot", "urgency", "visibility"]);
    let orders: Vec<_> = attributes
        .iter()
        .map(|a| a["order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3, 4]);
    let keys = |attribute: &Json| -> Vec<String> {
        attribute["values"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|v| v["key"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        attributes[1]["values"],
        json!([]),
        "free text has no choices"
    );
    assert_eq!(keys(&attributes[2]), ["routine", "soon", "urgent"]);
    assert_eq!(keys(&attributes[3]), ["private", "public"]);
    let places = keys(&attributes[0]);
    assert!(places.contains(&"building:3".to_owned()), "{places:?}");
    assert!(places.contains(&"area:1".to_owned()), "{places:?}");
    assert!(
        !places.iter().any(|k| k.starts_with("unit:")),
        "no one's home is listed to an anonymous reader: {places:?}"
    );

    // With a resident's api_key, their own units are choices too (and only theirs).
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let mine = get(&t, &format!("{path}&api_key={token}"))
        .await
        .ok()
        .json();
    let units: Vec<_> = keys(&mine["attributes"][0])
        .into_iter()
        .filter(|k| k.starts_with("unit:"))
        .collect();
    assert_eq!(units, ["unit:3251", "unit:1132"]);

    let xml_path = format!("/open311/v2/services/lifts.xml?jurisdiction_id={JURISDICTION}");
    let xml = get(&t, &xml_path).await.ok().xml();
    assert_eq!(xml.name, "service_definition");
    assert_like_example_xml(
        sample,
        &xml,
        &definition("ServiceDefinition"),
        "service_definition",
    );
    let attributes = xml.child("attributes").unwrap().all("attribute");
    assert_eq!(attributes.len(), 4);
    assert_eq!(attributes[2].text_of("datatype"), "singlevaluelist");
    let urgencies: Vec<_> = attributes[2].child("values").unwrap().all("value");
    let urgencies: Vec<_> = urgencies.iter().map(|v| v.text_of("key")).collect();
    assert_eq!(urgencies, ["routine", "soon", "urgent"]);
    assert_eq!(attributes[1].text_of("datatype"), "string");
}

/// A public report about a building, with a photo and a staff note, as the fullest example
/// of every field the spec shows.
async fn public_report_with_photo_and_note(t: &TestPlatform) -> Report {
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let photo = PhotoId::new();
    let uploaded = t
        .upload(&resident, photo, "image/jpeg", jpeg_bytes(7))
        .await;
    assert!(uploaded.status().is_success());
    let mut new = leaking_pipe();
    new.category = "lifts".into();
    new.description = "3栋电梯按钮失灵，老人上下楼很困难".into();
    new.place = Place::Building {
        building_id: linli_api::BuildingId(3),
        spot: "一楼电梯厅".into(),
    };
    new.photo_ids = vec![photo];
    new.visibility = ReportVisibility::Public;
    let report: Report = ok_json(t.file(&resident, &new).await).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let moved = t
        .move_report(&staff, report.id, "in_progress", "维修师傅下午两点到")
        .await;
    assert!(
        moved.status().is_success(),
        "{}",
        moved.text().await.unwrap()
    );
    report
}

#[tokio::test]
async fn requests_follow_the_spec_example_and_schema_in_both_formats() {
    let t = TestPlatform::start().await;
    let report = public_report_with_photo_and_note(&t).await;
    let list_sample = &example("/requests.{response_format}", "get")["request"];
    let one_sample = &example("/request/{service_request_id}.{response_format}", "get")["request"];
    let def = definition("Request");
    // Read as a neighbour: another household of the estate, to whom a public report shows
    // without its reporter.
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let key = format!("jurisdiction_id={JURISDICTION}&api_key={neighbour}");

    let list = get(&t, &format!("/open311/v2/requests.json?{key}"))
        .await
        .ok()
        .json();
    assert_schema("requests.json", &list);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let request = &list[0];
    assert_like_example_json(list_sample, request, &def, "request");
    assert_schema("request.json", request);
    assert_eq!(request["service_request_id"], report.id.to_string());
    assert_eq!(request["status"], "open");
    assert_eq!(request["status_notes"], "维修师傅下午两点到");
    assert_eq!(request["service_code"], "lifts");
    assert_eq!(request["service_name"], "电梯");
    assert_eq!(request["agency_responsible"], "Property management company");
    assert_eq!(
        request["service_notice"],
        format!("Report #{}", report.number)
    );
    assert_eq!(request["address"], "3栋 · 一楼电梯厅, 幸福里小区");
    assert_eq!(request["address_id"], "building:3");
    assert_eq!(
        request["media_url"],
        format!("{}/v1/photos/{}", t.base_url(), report.photo_ids[0])
    );
    let requested =
        OffsetDateTime::parse(request["requested_datetime"].as_str().unwrap(), &Rfc3339).unwrap();
    assert_eq!(
        requested.unix_timestamp(),
        report.created_at.unix_timestamp()
    );
    let text = request.to_string();
    assert!(
        !text.contains("王秀英") && !text.contains("13800000001"),
        "{text}"
    );

    // One request, by the wiki's path and by the Swagger file's.
    for path in ["requests", "request"] {
        let one = get(&t, &format!("/open311/v2/{path}/{}.json?{key}", report.id))
            .await
            .ok()
            .json();
        assert_schema("requests.json", &one);
        assert_like_example_json(one_sample, &one[0], &def, "request");
        assert_eq!(one[0], *request);
    }

    // The same in XML.
    let xml = get(&t, &format!("/open311/v2/requests.xml?{key}"))
        .await
        .ok()
        .xml();
    assert_eq!(xml.name, "service_requests");
    let requests = xml.all("request");
    assert_eq!(requests.len(), 1);
    assert_like_example_xml(list_sample, requests[0], &def, "service_requests/request");
    assert_eq!(requests[0].text_of("status_notes"), "维修师傅下午两点到");
    assert_eq!(
        requests[0].text_of("requested_datetime"),
        request["requested_datetime"]
    );
    let one = get(&t, &format!("/open311/v2/requests/{}.xml?{key}", report.id))
        .await
        .ok()
        .xml();
    assert_like_example_xml(
        one_sample,
        one.all("request")[0],
        &def,
        "service_requests/request",
    );
}

#[tokio::test]
async fn a_report_filed_through_open311_round_trips_and_shows_in_the_app() {
    for xml in [false, true] {
        let t = TestPlatform::start().await;
        let token = t.sign_in(demo::RESIDENT_PHONE).await;
        let created = post(
            &t,
            &format!("/open311/v2/requests.{}", ext(xml)),
            &[
                ("api_key", &token),
                ("jurisdiction_id", JURISDICTION),
                ("service_code", "electricity"),
                ("address_string", "2栋 三楼楼道"),
                ("description", "楼道的灯坏了好几天 & 晚上很黑 <急>"),
                ("attribute[urgency]", "soon"),
            ],
        )
        .await
        .ok();
        let (id, notice) = if xml {
            let root = created.xml();
            assert_eq!(root.name, "service_requests");
            let request = root.all("request")[0];
            assert_eq!(request.text_of("account_id"), "");
            (
                request.text_of("service_request_id").to_owned(),
                request.text_of("service_notice").to_owned(),
            )
        } else {
            let json = created.json();
            let sample = &example("/requests.{response_format}", "post")["service_requests"];
            assert_like_example_json(sample, &json[0], &definition("RequestResponse"), "request");
            (
                json[0]["service_request_id"].as_str().unwrap().to_owned(),
                json[0]["service_notice"].as_str().unwrap().to_owned(),
            )
        };
        let id: ReportId = id.parse().unwrap();

        // The app sees it like any other report of the resident's.
        let detail: ReportDetail = ok_json(t.get(&token, &format!("/v1/reports/{id}")).await).await;
        let report = detail.report;
        assert_eq!(notice, format!("Report #{}", report.number));
        assert_eq!(report.category, "electricity");
        assert_eq!(report.description, "楼道的灯坏了好几天 & 晚上很黑 <急>");
        assert_eq!(
            report.place,
            Place::Building {
                building_id: linli_api::BuildingId(2),
                spot: "三楼楼道".into()
            }
        );
        assert_eq!(report.urgency, linli_api::Urgency::Soon);
        assert_eq!(report.visibility, ReportVisibility::Private);
        let mine: Vec<Report> = ok_json(t.get(&token, platform::paths::REPORTS).await).await;
        assert!(mine.iter().any(|r| r.id == id));

        // Private: the resident reads it back with their key; a neighbour's key does not
        // find it, and nothing is read without a key.
        let path = format!(
            "/open311/v2/requests/{id}.{}?jurisdiction_id={JURISDICTION}",
            ext(xml)
        );
        let back = get(&t, &format!("{path}&api_key={token}")).await.ok();
        let description = if xml {
            back.xml().all("request")[0]
                .text_of("description")
                .to_owned()
        } else {
            back.json()[0]["description"].as_str().unwrap().to_owned()
        };
        assert_eq!(description, "楼道的灯坏了好几天 & 晚上很黑 <急>");
        let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
        assert_error(
            &get(&t, &format!("{path}&api_key={neighbour}")).await,
            xml,
            404,
            "was not found",
        );
        assert_error(&get(&t, &path).await, xml, 403, "api_key");
        let listed = get(
            &t,
            &format!(
                "/open311/v2/requests.json?jurisdiction_id={JURISDICTION}&api_key={neighbour}"
            ),
        )
        .await
        .ok()
        .json();
        assert_eq!(
            listed,
            json!([]),
            "a private report is not listed to a neighbour"
        );
    }
}

#[tokio::test]
async fn places_map_from_attributes_and_public_homes_show_only_their_building() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let by_key = file_via_open311(
        &t,
        &token,
        &[
            ("attribute[place]", "area:1"),
            ("attribute[spot]", "秋千旁"),
        ],
    )
    .await;
    let home = file_via_open311(
        &t,
        &token,
        &[
            ("address_id", "unit:3251"),
            ("attribute[visibility]", "public"),
        ],
    )
    .await;
    let detail: ReportDetail = ok_json(t.get(&token, &format!("/v1/reports/{by_key}")).await).await;
    assert_eq!(detail.report.place_label, "中心花园 · 秋千旁");
    let detail: ReportDetail = ok_json(t.get(&token, &format!("/v1/reports/{home}")).await).await;
    assert_eq!(
        detail.report.place,
        Place::Unit {
            unit_id: UnitId(3251)
        }
    );

    // A neighbour sees the public home report as its building, nothing of the unit.
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let public = get(
        &t,
        &format!(
            "/open311/v2/requests/{home}.json?jurisdiction_id={JURISDICTION}&api_key={neighbour}"
        ),
    )
    .await
    .ok()
    .json();
    assert_eq!(public[0]["address"], "3栋, 幸福里小区");
    assert_eq!(public[0]["address_id"], "building:3");
    assert!(!public.to_string().contains("501"), "{public}");
    // The resident's own key shows their home.
    let own = get(
        &t,
        &format!("/open311/v2/requests/{home}.json?jurisdiction_id={JURISDICTION}&api_key={token}"),
    )
    .await
    .ok()
    .json();
    assert_eq!(own[0]["address"], "3栋2单元501, 幸福里小区");

    // Someone else's unit is refused by the platform's own rule.
    let answer = post(
        &t,
        "/open311/v2/requests.json",
        &[
            ("api_key", &token),
            ("jurisdiction_id", JURISDICTION),
            ("service_code", "electricity"),
            ("address_id", "unit:2111"),
            ("description", "别人家的灯坏了"),
        ],
    )
    .await;
    assert_error(&answer, false, 400, "attribute[place]: unit_not_yours");
}

#[tokio::test]
async fn filters_window_and_status_follow_the_spec() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let lights = file_via_open311(
        &t,
        &resident,
        &[
            ("address_string", "1栋 二楼"),
            ("attribute[visibility]", "public"),
        ],
    )
    .await;
    let lift = file_via_open311(
        &t,
        &resident,
        &[
            ("address_string", "2栋 电梯"),
            ("attribute[visibility]", "public"),
        ],
    )
    .await;
    let filed_at = t.clock.now();
    // Close the first: staff resolve it, the resident confirms.
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let resolved = t
        .http
        .post(t.url(&platform::report_resolve(lights)))
        .bearer_auth(&staff)
        .json(&json!({ "note": "换了新灯泡" }))
        .send()
        .await
        .unwrap();
    assert!(
        resolved.status().is_success(),
        "{}",
        resolved.text().await.unwrap()
    );
    let confirmed = t
        .http
        .post(t.url(&platform::report_confirm(lights)))
        .bearer_auth(&resident)
        .send()
        .await
        .unwrap();
    assert!(
        confirmed.status().is_success(),
        "{}",
        confirmed.text().await.unwrap()
    );

    let ids = |list: Json| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Read as a neighbour, to whom both public reports show.
    let list_for = |key: &str| {
        format!("/open311/v2/requests.json?jurisdiction_id={JURISDICTION}&api_key={key}")
    };
    let base = list_for(&t.sign_in(demo::SECOND_RESIDENT_PHONE).await);
    let query = |q: &str| format!("{base}&{q}");
    let all = ids(get(&t, &base).await.ok().json());
    assert_eq!(all, [lift.to_string(), lights.to_string()], "newest first");
    let closed = get(&t, &query("status=closed")).await.ok().json();
    assert_eq!(ids(closed.clone()), [lights.to_string()]);
    assert_eq!(closed[0]["status"], "closed");
    assert_eq!(closed[0]["status_notes"], "换了新灯泡");
    assert_eq!(
        ids(get(&t, &query("status=open")).await.ok().json()),
        [lift.to_string()]
    );
    assert_eq!(
        get(&t, &query("status=open,closed"))
            .await
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        get(&t, &query("service_code=lifts")).await.ok().json(),
        json!([])
    );
    assert_eq!(
        get(&t, &query("service_code=lifts,electricity"))
            .await
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // 100 days later (the neighbour signs in again: no session lasts that long) the default
    // window (the last 90 days) no longer holds them …
    t.clock.advance(time::Duration::days(100));
    let base = list_for(&t.sign_in(demo::SECOND_RESIDENT_PHONE).await);
    let query = |q: &str| format!("{base}&{q}");
    assert_eq!(get(&t, &base).await.ok().json(), json!([]));
    // … an explicit window does, with an offset given as `+` (encoded) …
    let day = time::Duration::days(1);
    let start = (filed_at - day)
        .to_offset(time::macros::offset!(+8))
        .format(&Rfc3339)
        .unwrap();
    let end = (filed_at + day).format(&Rfc3339).unwrap();
    let window = form(&[("start_date", &start), ("end_date", &end)]);
    assert_eq!(ids(get(&t, &query(&window)).await.ok().json()).len(), 2);
    // … and so does asking by id, which overrides every other filter.
    let by_id = query(&format!(
        "service_request_id={lights},{lift}&status=open&service_code=noise"
    ));
    assert_eq!(ids(get(&t, &by_id).await.ok().json()).len(), 2);

    // A window over 90 days is refused.
    let wide = form(&[
        ("start_date", "2024-01-01T00:00:00Z"),
        ("end_date", "2024-06-01T00:00:00Z"),
    ]);
    assert_error(&get(&t, &query(&wide)).await, false, 400, "90 days");
    assert_error(
        &get(&t, &query("status=pending")).await,
        false,
        400,
        "status pending",
    );
    assert_error(
        &get(&t, &query("start_date=yesterday")).await,
        false,
        400,
        "start_date",
    );
}

#[tokio::test]
async fn errors_are_the_spec_arrays_in_both_formats() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    for xml in [false, true] {
        let e = ext(xml);
        let services = |q: &str| format!("/open311/v2/services.{e}{q}");
        assert_error(
            &get(&t, &services("")).await,
            xml,
            400,
            "jurisdiction_id was not provided",
        );
        assert_error(
            &get(&t, &services("?jurisdiction_id=estate-99")).await,
            xml,
            404,
            "jurisdiction_id estate-99 was not found",
        );
        assert_error(
            &get(&t, &services("?jurisdiction_id=sfgov.org")).await,
            xml,
            404,
            "was not found",
        );
        assert_error(
            &get(
                &t,
                &format!("/open311/v2/services/teleportation.{e}?jurisdiction_id={JURISDICTION}"),
            )
            .await,
            xml,
            404,
            "service_code teleportation was not found",
        );
        let keyed = format!("jurisdiction_id={JURISDICTION}&api_key={token}");
        assert_error(
            &get(
                &t,
                &format!("/open311/v2/requests/{}.{e}?{keyed}", ReportId::new()),
            )
            .await,
            xml,
            404,
            "was not found",
        );
        assert_error(
            &get(&t, &format!("/open311/v2/requests/not-an-id.{e}?{keyed}")).await,
            xml,
            404,
            "was not found",
        );
        assert_error(
            &get(&t, &format!("/open311/v2/tokens/1.{e}")).await,
            xml,
            404,
            "no such",
        );
        assert_error(
            &get(&t, &format!("/open311/v2/nothing.{e}")).await,
            xml,
            404,
            "no such",
        );
        let deleted = t.http.delete(t.url(&services(""))).send().await.unwrap();
        assert_error(&answer(deleted).await, xml, 405, "DELETE");

        let requests = format!("/open311/v2/requests.{e}");
        let good = [
            ("jurisdiction_id", JURISDICTION),
            ("service_code", "electricity"),
            ("address_string", "1栋 二楼"),
            ("description", "楼道的灯坏了好几天"),
        ];
        let with = |changes: &[(&'static str, Option<&'static str>)], key: Option<&str>| {
            let mut pairs: Pairs = good
                .iter()
                .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            for (k, v) in changes {
                if let Some(v) = v {
                    pairs.push(((*k).to_owned(), (*v).to_owned()));
                }
            }
            if let Some(key) = key {
                pairs.push(("api_key".into(), key.to_owned()));
            }
            pairs
        };
        let send = |pairs: Pairs| {
            let t = &t;
            let requests = requests.clone();
            async move {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                post(t, &requests, &pairs).await
            }
        };
        let cases: Vec<(Pairs, u16, &str)> = vec![
            (with(&[], None), 403, "api_key was not provided"),
            (with(&[], Some("not-a-session")), 403, "invalid api_key"),
            (with(&[], Some(&staff)), 403, "only residents"),
            (
                with(&[("jurisdiction_id", None)], Some(&token)),
                400,
                "jurisdiction_id was not provided",
            ),
            (
                with(&[("jurisdiction_id", Some("estate-7"))], Some(&token)),
                404,
                "jurisdiction_id estate-7 was not found",
            ),
            (
                with(&[("service_code", None)], Some(&token)),
                400,
                "service_code was not provided",
            ),
            (
                with(&[("service_code", Some("teleportation"))], Some(&token)),
                404,
                "service_code teleportation was not found",
            ),
            (
                with(&[("address_string", None)], Some(&token)),
                400,
                "a location is required",
            ),
            (
                with(
                    &[
                        ("address_string", None),
                        ("lat", Some("37.76")),
                        ("long", Some("-122.42")),
                    ],
                    Some(&token),
                ),
                400,
                "lat/long cannot be mapped",
            ),
            (
                with(
                    &[("address_string", Some("8TH AVE and JUDAH ST"))],
                    Some(&token),
                ),
                400,
                "does not name a place",
            ),
            (
                with(&[("address_string", Some("1栋"))], Some(&token)),
                400,
                "attribute[spot]: required",
            ),
            (
                with(&[("description", Some("灯坏"))], Some(&token)),
                400,
                "description: too_short (limit 5)",
            ),
            (
                with(&[("description", None)], Some(&token)),
                400,
                "description: required",
            ),
            (
                with(&[("attribute[urgency]", Some("asap"))], Some(&token)),
                400,
                "attribute[urgency] asap",
            ),
            (
                with(&[("attribute[colour]", Some("red"))], Some(&token)),
                400,
                "attribute[colour]",
            ),
            (
                with(
                    &[("media_url", Some("http://example.org/a.jpg"))],
                    Some(&token),
                ),
                400,
                "media_url",
            ),
        ];
        for (pairs, status, says) in cases {
            assert_error(&send(pairs).await, xml, status, says);
        }
        // Several invalid fields come back as several errors.
        let two = send(with(
            &[("description", Some("灯")), ("address_string", Some("1栋"))],
            Some(&token),
        ))
        .await;
        let all = errors(&two, xml);
        assert_eq!(all.len(), 2, "{all:?}");
        // A body that is not a form is refused, not guessed at.
        let not_form = t
            .http
            .post(t.url(&format!("{requests}?{}", form(&[("api_key", &token)]))))
            .json(&json!({ "service_code": "electricity" }))
            .send()
            .await
            .unwrap();
        assert_error(&answer(not_form).await, xml, 400, "x-www-form-urlencoded");
    }
    // Bad input filed nothing.
    let mine: Vec<Report> = ok_json(t.get(&token, platform::paths::REPORTS).await).await;
    assert!(mine.is_empty(), "{mine:?}");
}

/// Found by fuzzing (`fuzz/`, target `open311_requests`): a path segment that is not UTF-8
/// once percent-decoded was answered with axum's plain-text 400, not an Open311 error.
#[tokio::test]
async fn a_path_that_is_not_utf8_is_an_open311_not_found_in_both_formats() {
    let t = TestPlatform::start().await;
    for xml in [false, true] {
        let e = ext(xml);
        for path in [
            format!("/open311/%FF.{e}"),
            format!("/open311/v2/%FF%FE.{e}"),
            format!("/open311/v2/services/%C3%28.{e}?jurisdiction_id={JURISDICTION}"),
            format!("/open311/v2/requests/%E5%8E.{e}?jurisdiction_id={JURISDICTION}"),
            format!("/open311/v2/request/%80.{e}"),
        ] {
            let answer = get(&t, &path).await;
            assert!(
                answer.content_type.contains(e),
                "{path}: {} {}",
                answer.content_type,
                answer.body
            );
            assert_error(&answer, xml, 404, "no such Open311 resource");
        }
        let posted = post(
            &t,
            &format!("/open311/v2/%FF.{e}"),
            &[("service_code", "lifts")],
        )
        .await;
        assert_error(&posted, xml, 404, "no such Open311 resource");
    }
}

#[tokio::test]
async fn reading_requests_needs_a_key_of_the_estate_in_both_formats() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let public = file_via_open311(
        &t,
        &resident,
        &[
            ("address_string", "1栋 二楼"),
            ("attribute[visibility]", "public"),
        ],
    )
    .await;
    let outsider = resident_of_another_estate(&t).await;
    for xml in [false, true] {
        let e = ext(xml);
        let reads = [
            format!("/open311/v2/requests.{e}?jurisdiction_id={JURISDICTION}"),
            format!("/open311/v2/requests/{public}.{e}?jurisdiction_id={JURISDICTION}"),
            format!("/open311/v2/request/{public}.{e}?jurisdiction_id={JURISDICTION}"),
        ];
        for read in &reads {
            // A public report is public to the estate, not to the internet.
            assert_error(&get(&t, read).await, xml, 403, "api_key was not provided");
            // Nor to another estate's residents.
            assert_error(
                &get(&t, &format!("{read}&api_key={outsider}")).await,
                xml,
                403,
                "api_key belongs to another estate than estate-1",
            );
            // The same read with a key of the estate answers.
            get(&t, &format!("{read}&api_key={resident}")).await.ok();
        }
        // A key that does not work is refused, not taken as no key.
        assert_error(
            &get(&t, &format!("{}&api_key=not-a-session", reads[0])).await,
            xml,
            403,
            "invalid api_key",
        );
        // What to file, and where, stays open to anyone.
        get(
            &t,
            &format!("/open311/v2/services.{e}?jurisdiction_id={JURISDICTION}"),
        )
        .await
        .ok();
        get(
            &t,
            &format!("/open311/v2/services/lifts.{e}?jurisdiction_id={JURISDICTION}"),
        )
        .await
        .ok();
        get(&t, &format!("/open311/discovery.{e}")).await.ok();
    }
    // The outsider's key is good in their own estate, which holds nothing of ours.
    let theirs = format!("jurisdiction_id=estate-2&api_key={outsider}");
    assert_eq!(
        get(&t, &format!("/open311/v2/requests.json?{theirs}"))
            .await
            .ok()
            .json(),
        json!([])
    );
    assert_error(
        &get(&t, &format!("/open311/v2/requests/{public}.json?{theirs}")).await,
        false,
        404,
        "was not found",
    );
}

#[tokio::test]
async fn neighbours_read_public_reports_without_identity_staff_read_private_ones() {
    let t = TestPlatform::start().await;
    let first = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let private = file_via_open311(&t, &first, &[("address_string", "1栋 二楼")]).await;
    let public = file_via_open311(
        &t,
        &first,
        &[
            ("address_id", "unit:3251"),
            ("attribute[visibility]", "public"),
        ],
    )
    .await;
    let ids = |list: &Json| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |key: &str| {
        format!("/open311/v2/requests.json?jurisdiction_id={JURISDICTION}&api_key={key}")
    };
    let one = |id: ReportId, e: &str, key: &str| {
        format!("/open311/v2/requests/{id}.{e}?jurisdiction_id={JURISDICTION}&api_key={key}")
    };

    // A neighbour's list holds the public report only, as a neighbour sees it: no reporter,
    // the home shown as its building.
    let seen = get(&t, &list(&neighbour)).await.ok().json();
    assert_eq!(ids(&seen), [public.to_string()]);
    assert_eq!(seen[0]["address"], "3栋, 幸福里小区");
    assert_eq!(seen[0]["address_id"], "building:3");
    let text = seen.to_string();
    for identity in ["王秀英", demo::RESIDENT_PHONE, "501", "unit:"] {
        assert!(!text.contains(identity), "{identity} in {text}");
    }
    let xml_list = get(
        &t,
        &format!("/open311/v2/requests.xml?jurisdiction_id={JURISDICTION}&api_key={neighbour}"),
    )
    .await
    .ok();
    let requests = xml_list.xml();
    let xml_ids: Vec<_> = requests
        .all("request")
        .iter()
        .map(|r| r.text_of("service_request_id").to_owned())
        .collect();
    assert_eq!(xml_ids, [public.to_string()]);
    assert_eq!(
        requests.all("request")[0].text_of("address"),
        "3栋, 幸福里小区"
    );
    assert!(!xml_list.body.contains("王秀英"), "{}", xml_list.body);
    // By id: the public one in both formats; the private one is missing to them.
    for xml in [false, true] {
        let e = ext(xml);
        let by_id = get(&t, &one(public, e, &neighbour)).await.ok();
        let address = if xml {
            by_id.xml().all("request")[0].text_of("address").to_owned()
        } else {
            by_id.json()[0]["address"].as_str().unwrap().to_owned()
        };
        assert_eq!(address, "3栋, 幸福里小区");
        assert_error(
            &get(&t, &one(private, e, &neighbour)).await,
            xml,
            404,
            "was not found",
        );
    }

    // Staff of the estate read every report of it, private ones and homes whole.
    let all = get(&t, &list(&staff)).await.ok().json();
    assert_eq!(ids(&all), [public.to_string(), private.to_string()]);
    assert_eq!(all[0]["address"], "3栋2单元501, 幸福里小区");
    let seen = get(&t, &one(private, "json", &staff)).await.ok().json();
    assert_eq!(seen[0]["service_request_id"], private.to_string());
    assert_eq!(seen[0]["address"], "1栋 · 二楼, 幸福里小区");

    // People of the estate who are not residents (a volunteer) see no report here, as in the
    // app: "public" is public to the residents.
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    assert_eq!(get(&t, &list(&volunteer)).await.ok().json(), json!([]));
    assert_error(
        &get(&t, &one(public, "json", &volunteer)).await,
        false,
        404,
        "was not found",
    );

    // A private report the neighbour follows (the same problem) reaches them, still without
    // identity.
    let followed = t
        .http
        .post(t.url(&platform::report_followers(private)))
        .bearer_auth(&neighbour)
        .send()
        .await
        .unwrap();
    assert!(
        followed.status().is_success(),
        "{}",
        followed.text().await.unwrap()
    );
    let seen = get(&t, &list(&neighbour)).await.ok().json();
    assert_eq!(ids(&seen), [public.to_string(), private.to_string()]);
    assert!(!seen.to_string().contains("王秀英"), "{seen}");
    get(&t, &one(private, "json", &neighbour)).await.ok();

    // A key sent as a bearer token works the same.
    let bearer = t
        .http
        .get(t.url(&format!(
            "/open311/v2/requests/{private}.json?jurisdiction_id={JURISDICTION}"
        )))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(bearer).await.ok().json()[0]["service_request_id"],
        private.to_string()
    );
    // A signed-out key is refused, not ignored.
    let out = t
        .http
        .delete(t.url(platform::paths::CURRENT_SESSION))
        .bearer_auth(&neighbour)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success());
    assert_error(
        &get(&t, &one(public, "json", &neighbour)).await,
        false,
        403,
        "invalid api_key",
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_files_once() {
    let t = TestPlatform::start().await;
    let token = t.sign_in(demo::RESIDENT_PHONE).await;
    let key = ReportId::new();
    let body = form(&[
        ("api_key", &token),
        ("jurisdiction_id", JURISDICTION),
        ("service_code", "sanitation"),
        ("address_string", "东门 垃圾桶旁"),
        ("description", "垃圾两天没有清运了"),
    ]);
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = t
            .http
            .post(t.url("/open311/v2/requests.json"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("Idempotency-Key", key.to_string())
            .body(body.clone())
            .send()
            .await
            .unwrap();
        answers.push(answer(response).await.ok().json());
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][0]["service_request_id"], key.to_string());
    let mine: Vec<Report> = ok_json(t.get(&token, platform::paths::REPORTS).await).await;
    assert_eq!(mine.len(), 1);
}
