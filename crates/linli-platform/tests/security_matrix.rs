//! Every endpoint × every role × no session, against a rule table.
//!
//! The endpoints come from the running platform's own `/openapi.json` (an endpoint the table
//! has no rule for fails the test) plus the Open311 routes. The people are the demo
//! community's, one per role; "no session" sends no token. Each cell acts on a fresh public
//! report by the main resident, with a photo and a comment, brought to the state the endpoint
//! needs (resolved for confirm and reopen, closed for rating, followed before unfollowing), so
//! an allowed cell shows a success, not a state error. The expected status of each cell comes
//! from [`expected`], written from the rules (who sees a report, who acts on it), not from what
//! the platform answered. The whole matrix is printed to
//! `test-output/security-matrix.md`.

mod common;

use common::{TestPlatform, jpeg_bytes, ok_json};
use linli_api::platform::{Catalogue, Role};
use linli_api::{PhotoId, ReportId};
use linli_platform::demo::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Who calls: a demo person by role, or nobody signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Nobody,
    /// 王秀英, owner, who files the report each cell acts on.
    Reporter,
    /// 李建国, owner in the same estate: a neighbour.
    Owner,
    /// 张伟, tenant in the same estate: a neighbour too.
    Tenant,
    Volunteer,
    /// Staff of the property company: the handling party of the reports here.
    PropertyStaff,
    CommunityStaff,
    StreetStaff,
    CommitteeMember,
    ClinicStaff,
    Administrator,
}

impl Who {
    const ALL: [Who; 11] = [
        Who::Nobody,
        Who::Reporter,
        Who::Owner,
        Who::Tenant,
        Who::Volunteer,
        Who::PropertyStaff,
        Who::CommunityStaff,
        Who::StreetStaff,
        Who::CommitteeMember,
        Who::ClinicStaff,
        Who::Administrator,
    ];

    fn phone(self) -> Option<&'static str> {
        Some(match self {
            Who::Nobody => return None,
            Who::Reporter => RESIDENT_PHONE,
            Who::Owner => SECOND_RESIDENT_PHONE,
            Who::Tenant => TENANT_PHONE,
            Who::Volunteer => VOLUNTEER_PHONE,
            Who::PropertyStaff => PROPERTY_STAFF_PHONE,
            Who::CommunityStaff => COMMUNITY_STAFF_PHONE,
            Who::StreetStaff => STREET_STAFF_PHONE,
            Who::CommitteeMember => COMMITTEE_MEMBER_PHONE,
            Who::ClinicStaff => CLINIC_STAFF_PHONE,
            Who::Administrator => ADMINISTRATOR_PHONE,
        })
    }

    fn role(self) -> Option<Role> {
        Some(match self {
            Who::Nobody => return None,
            Who::Reporter | Who::Owner => Role::Owner,
            Who::Tenant => Role::Tenant,
            Who::Volunteer => Role::Volunteer,
            Who::PropertyStaff => Role::PropertyStaff,
            Who::CommunityStaff => Role::CommunityStaff,
            Who::StreetStaff => Role::StreetStaff,
            Who::CommitteeMember => Role::CommitteeMember,
            Who::ClinicStaff => Role::ClinicStaff,
            Who::Administrator => Role::Administrator,
        })
    }
}

/// How one person stands to the cell's report, from the rules in `report::visibility` and
/// `follow::standing`: residents see their own and their estate's public reports; staff of
/// the four parties and administrators see the estate's; volunteers and clinic staff see none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Reporter,
    Neighbour,
    /// Sees the estate's reports; `handling` when their party handles this one.
    Staff {
        handling: bool,
    },
    Stranger,
}

fn standing(who: Who) -> Standing {
    let role = who.role().expect("signed in");
    if who == Who::Reporter {
        Standing::Reporter
    } else if role.is_resident() {
        Standing::Neighbour
    } else if role.party().is_some() || role == Role::Administrator {
        Standing::Staff {
            handling: role.party() == Some(linli_api::Party::PropertyCompany),
        }
    } else {
        Standing::Stranger
    }
}

/// The status each cell must answer. `None` for an endpoint the rules do not cover yet.
fn expected(endpoint: &str, who: Who) -> Option<u16> {
    let open = matches!(
        endpoint,
        "GET /health"
            | "GET /openapi.json"
            | "POST /v1/auth/otp"
            | "GET /open311/discovery.json"
            | "GET /open311/v2/services.json"
            | "GET /open311/v2/services/{code}.json"
    );
    if open {
        return Some(200);
    }
    if endpoint == "POST /v1/auth/sessions" {
        // Signing in needs no session; each cell signs in with its own phone (nobody with
        // the reporter's).
        return Some(201);
    }
    let Some(role) = who.role() else {
        // Open311 reads and writes answer 403 without an api_key; the API 401.
        return Some(if endpoint.contains("/open311/") {
            403
        } else {
            401
        });
    };
    let s = standing(who);
    let resident = role.is_resident();
    // Reading the report: 404 for those who may not see it (its existence is not theirs).
    let read = |ok| if s == Standing::Stranger { 404 } else { ok };
    Some(match endpoint {
        "DELETE /v1/auth/sessions/current" => 204,
        "GET /v1/me" | "GET /v1/catalogue" | "GET /v1/changes" | "GET /v1/events"
        | "GET /v1/reports" => 200,
        "PUT /v1/photos/{id}" => 201,
        "GET /v1/photos/{id}" => read(200),
        "GET /v1/reports/{id}" => read(200),
        "GET /v1/estates/{id}/board" => {
            if matches!(role, Role::Volunteer | Role::ClinicStaff) {
                403
            } else {
                200
            }
        }
        "POST /v1/reports" => {
            if resident {
                201
            } else {
                403
            }
        }
        // The duplicate check is for the estate's residents and staff.
        "GET /v1/reports/similar" => {
            if matches!(role, Role::Volunteer | Role::ClinicStaff) {
                403
            } else {
                200
            }
        }
        "GET /v1/reports/{id}/comments" => read(match s {
            Standing::Neighbour => 403,
            _ => 200,
        }),
        "POST /v1/reports/{id}/comments" => read(match s {
            Standing::Reporter | Standing::Staff { handling: true } => 201,
            _ => 403,
        }),
        "POST /v1/reports/{id}/confirm"
        | "POST /v1/reports/{id}/reopen"
        | "POST /v1/reports/{id}/rating" => read(if s == Standing::Reporter { 200 } else { 403 }),
        "POST /v1/reports/{id}/status"
        | "POST /v1/reports/{id}/resolve"
        | "POST /v1/reports/{id}/hand-off" => read(if s == (Standing::Staff { handling: true }) {
            200
        } else {
            403
        }),
        "POST /v1/reports/{id}/followers" => match s {
            Standing::Neighbour => 200,
            // One's own report is followed already, in effect.
            Standing::Reporter => 409,
            _ => 403,
        },
        // Unfollowing is idempotent for the estate's residents (not following: still 200).
        "DELETE /v1/reports/{id}/followers" => {
            if resident {
                200
            } else {
                403
            }
        }
        "GET /open311/v2/requests.json" => 200,
        "GET /open311/v2/requests/{id}.json" => read(200),
        // GeoReport v2 answers a filed request with 200.
        "POST /open311/v2/requests.json" => {
            if resident {
                200
            } else {
                403
            }
        }
        _ => return None,
    })
}

/// What a cell acts on.
struct Subject {
    report: ReportId,
    photo: PhotoId,
}

/// The state the cell's endpoint needs its report in.
#[derive(Clone, Copy, PartialEq)]
enum Prepare {
    Received,
    Resolved,
    Closed,
    FollowedByCaller,
}

struct World {
    t: TestPlatform,
    tokens: BTreeMap<Who, String>,
    catalogues: BTreeMap<Who, Catalogue>,
}

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        self.tokens.get(&who).map(String::as_str)
    }

    async fn post(&self, who: Who, path: &str, body: Value) -> reqwest::Response {
        let mut r = self
            .t
            .http
            .post(self.t.url(path))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&body);
        if let Some(token) = self.token(who) {
            r = r.bearer_auth(token);
        }
        r.send().await.unwrap()
    }

    /// A fresh public report by the reporter with a photo and a comment, in `prepare`'s state
    /// for `who`.
    async fn subject(&self, prepare: Prepare, who: Who) -> Subject {
        let photo = PhotoId::new();
        let token = self.token(Who::Reporter).unwrap();
        let up = self
            .t
            .upload(token, photo, "image/jpeg", jpeg_bytes(7))
            .await;
        assert!(up.status().is_success(), "{}", up.text().await.unwrap());
        let mut report = common::leaking_pipe();
        report.visibility = linli_api::ReportVisibility::Public;
        report.photo_ids = vec![photo];
        let filed: linli_api::Report = ok_json(self.t.file(token, &report).await).await;
        let id = filed.id;
        let comment = json!({ "id": uuid::Uuid::now_v7(), "body": "楼下也在滴水" });
        let c = self
            .post(
                Who::Reporter,
                &format!("/v1/reports/{id}/comments"),
                comment,
            )
            .await;
        assert!(c.status().is_success(), "{}", c.text().await.unwrap());
        if matches!(prepare, Prepare::Resolved | Prepare::Closed) {
            let r = self
                .post(
                    Who::PropertyStaff,
                    &format!("/v1/reports/{id}/resolve"),
                    json!({ "note": "已修好", "photo_ids": [] }),
                )
                .await;
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
        if prepare == Prepare::Closed {
            let r = self
                .post(
                    Who::Reporter,
                    &format!("/v1/reports/{id}/confirm"),
                    json!({}),
                )
                .await;
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
        if prepare == Prepare::FollowedByCaller && who.role().is_some_and(|r| r.is_resident()) {
            // Whatever the answer (the reporter cannot follow their own): the cell tells.
            let _ = self
                .post(who, &format!("/v1/reports/{id}/followers"), json!({}))
                .await;
        }
        Subject { report: id, photo }
    }
}

fn prepare_for(endpoint: &str) -> Prepare {
    match endpoint {
        "POST /v1/reports/{id}/confirm" | "POST /v1/reports/{id}/reopen" => Prepare::Resolved,
        "POST /v1/reports/{id}/rating" => Prepare::Closed,
        "DELETE /v1/reports/{id}/followers" => Prepare::FollowedByCaller,
        _ => Prepare::Received,
    }
}

/// Sends the cell's request; answers the status.
async fn cell(w: &World, endpoint: &str, who: Who) -> u16 {
    let (method, template) = endpoint.split_once(' ').unwrap();
    let s = w.subject(prepare_for(endpoint), who).await;
    let id = s.report;
    let reporter_unit = w.catalogues[&Who::Reporter].units[0].id;
    let own_unit = w
        .catalogues
        .get(&who)
        .and_then(|c| c.units.first())
        .map_or(reporter_unit, |u| u.id);
    let building = w.catalogues[&Who::Reporter].buildings[0].id;
    // A signed-out session must not be the one the other cells use.
    let mut token = w.token(who).map(str::to_owned);
    if endpoint == "DELETE /v1/auth/sessions/current" && who != Who::Nobody {
        token = Some(w.t.sign_in(who.phone().unwrap()).await);
    }
    let api_key = token
        .clone()
        .map(|t| format!("&api_key={t}"))
        .unwrap_or_default();
    let mut path = template.replace("{code}", "water_plumbing").replace(
        "/open311/v2/requests/{id}",
        &format!("/open311/v2/requests/{id}"),
    );
    path = match endpoint {
        "GET /v1/photos/{id}" => format!("/v1/photos/{}", s.photo),
        "PUT /v1/photos/{id}" => format!("/v1/photos/{}", PhotoId::new()),
        "GET /v1/estates/{id}/board" => "/v1/estates/1/board".into(),
        "GET /v1/reports/similar" => {
            format!("/v1/reports/similar?category=water_plumbing&unit_id={own_unit}")
        }
        "GET /v1/changes" => "/v1/changes?after=0".into(),
        e if e.starts_with("GET /open311/v2/") => {
            format!("{path}?jurisdiction_id=estate-1{api_key}")
        }
        _ => path.replace("{id}", &id.to_string()),
    };
    let mut request = w.t.http.request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        w.t.url(&path),
    );
    if !endpoint.contains("/open311/")
        && let Some(token) = &token
    {
        request = request.bearer_auth(token);
    }
    let mut report = common::leaking_pipe();
    report.place = linli_api::Place::Unit { unit_id: own_unit };
    if method == "POST" {
        // A report's key is its id.
        let key = if endpoint == "POST /v1/reports" {
            report.id.to_string()
        } else {
            uuid::Uuid::now_v7().to_string()
        };
        request = request.header("Idempotency-Key", key);
    }
    let phone = who.phone().unwrap_or(RESIDENT_PHONE);
    request = match endpoint {
        "POST /v1/auth/otp" => request.json(&json!({ "phone": phone })),
        "POST /v1/auth/sessions" => {
            let sent = w.t.request_code(phone).await;
            assert!(sent.status().is_success());
            w.t.clock.advance(time::Duration::seconds(31));
            request.json(&json!({ "phone": phone, "code": w.t.code(phone) }))
        }
        "PUT /v1/photos/{id}" => request
            .header("content-type", "image/jpeg")
            .body(jpeg_bytes(9)),
        "POST /v1/reports" => request.json(&report),
        "POST /v1/reports/{id}/comments" => {
            request.json(&json!({ "id": uuid::Uuid::now_v7(), "body": "什么时候来修？" }))
        }
        "POST /v1/reports/{id}/status" => {
            request.json(&json!({ "status": "acknowledged", "note": "收到，今天下午去看" }))
        }
        "POST /v1/reports/{id}/resolve" => {
            request.json(&json!({ "note": "已更换接头", "photo_ids": [] }))
        }
        "POST /v1/reports/{id}/hand-off" => {
            request.json(&json!({ "to": "community", "reason": "需要居委会协调楼上住户" }))
        }
        "POST /v1/reports/{id}/reopen" => request.json(&json!({ "reason": "还在漏水，没有修好" })),
        "POST /v1/reports/{id}/rating" => {
            request.json(&json!({ "attitude": 5, "quality": 4, "speed": 4, "comment": "" }))
        }
        "POST /v1/reports/{id}/confirm" | "POST /v1/reports/{id}/followers" => {
            request.json(&json!({}))
        }
        "POST /open311/v2/requests.json" => {
            let mut form = vec![
                ("jurisdiction_id", "estate-1".to_owned()),
                ("service_code", "water_plumbing".to_owned()),
                ("description", "楼道里的水管在漏水".to_owned()),
                ("attribute[place]", format!("building:{building}")),
                ("attribute[spot]", "三楼楼道".to_owned()),
            ];
            if let Some(t) = &token {
                form.push(("api_key", t.clone()));
            }
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form)
                .finish();
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        }
        _ => request,
    };
    let response = request.send().await.unwrap();
    // The event stream stays open: its status is all a cell needs.
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_every_role_as_the_rules_say() {
    let t = TestPlatform::start_with(|c| {
        c.limits.codes_per_phone = 10_000;
        c.limits.codes_per_client = 10_000;
        c.limits.sign_ins_per_client = 10_000;
        c.limits.code_resend_interval = time::Duration::ZERO;
    })
    .await;
    let mut tokens = BTreeMap::new();
    let mut catalogues = BTreeMap::new();
    for who in Who::ALL {
        if let Some(phone) = who.phone() {
            let token = t.sign_in(phone).await;
            let catalogue: Catalogue = ok_json(t.get(&token, "/v1/catalogue").await).await;
            catalogues.insert(who, catalogue);
            tokens.insert(who, token);
        }
    }
    let w = World {
        t,
        tokens,
        catalogues,
    };

    // Every endpoint the platform documents, and the Open311 routes it serves beside them.
    let doc: Value = ok_json(w.t.http.get(w.t.url("/openapi.json")).send().await.unwrap()).await;
    let mut endpoints = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                endpoints.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(endpoints.len() >= 20, "the document lists {endpoints:?}");
    for open311 in [
        "GET /open311/discovery.json",
        "GET /open311/v2/services.json",
        "GET /open311/v2/services/{code}.json",
        "GET /open311/v2/requests.json",
        "POST /open311/v2/requests.json",
        "GET /open311/v2/requests/{id}.json",
    ] {
        endpoints.insert(open311.to_owned());
    }

    let mut table = String::from("# Security matrix: every endpoint × every role\n\n");
    let _ = writeln!(
        table,
        "Each cell: the status answered (✓ as the rules say, ✗ otherwise, with the rule's \
         status). Generated by `crates/linli-platform/tests/security_matrix.rs`.\n"
    );
    let _ = write!(table, "| endpoint |");
    for who in Who::ALL {
        let _ = write!(table, " {who:?} |");
    }
    table.push_str("\n|---|");
    for _ in Who::ALL {
        table.push_str("---|");
    }
    table.push('\n');
    let mut wrong = vec![];
    let mut unruled = vec![];
    let mut cells = 0;
    for endpoint in &endpoints {
        let _ = write!(table, "| `{endpoint}` |");
        for who in Who::ALL {
            let Some(want) = expected(endpoint, who) else {
                unruled.push(endpoint.clone());
                break;
            };
            let got = cell(&w, endpoint, who).await;
            cells += 1;
            if got == want {
                let _ = write!(table, " {got} ✓ |");
            } else {
                let _ = write!(table, " {got} ✗ (rule {want}) |");
                wrong.push(format!(
                    "{endpoint} as {who:?}: {got}, the rule says {want}"
                ));
            }
        }
        table.push('\n');
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("security-matrix.md"), &table).unwrap();
    println!("{table}");
    assert!(
        unruled.is_empty(),
        "endpoints without a rule in the table: {unruled:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} cells break the rules:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(cells, endpoints.len() * Who::ALL.len());
}
