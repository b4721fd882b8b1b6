//! The change feed: live server-sent events, resuming with `Last-Event-ID`, and polling.

mod common;

use common::{TestPlatform, leaking_pipe, ok_json};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use linli_api::platform::ReportEvent;
use linli_api::{Place, Report, ReportStatus, UnitId};
use linli_platform::demo;
use std::time::Duration;

/// Reads server-sent events from a response, one at a time.
struct EventReader {
    body: BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

#[derive(Debug)]
struct SseEvent {
    name: String,
    id: String,
    data: String,
}

impl EventReader {
    fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next event that carries data (keep-alive comments are skipped).
    async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut event = SseEvent {
                        name: String::new(),
                        id: String::new(),
                        data: String::new(),
                    };
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            event.name = v.trim().into();
                        } else if let Some(v) = line.strip_prefix("id:") {
                            event.id = v.trim().into();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            event.data.push_str(v.trim());
                        }
                    }
                    if !event.data.is_empty() {
                        return event;
                    }
                }
                let chunk = self
                    .body
                    .next()
                    .await
                    .expect("the stream stays open")
                    .unwrap();
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .expect("an event within 5 s")
    }

    async fn next_report_event(&mut self) -> ReportEvent {
        let event = self.next().await;
        assert_eq!(event.name, "report");
        let parsed: ReportEvent = serde_json::from_str(&event.data).unwrap();
        assert_eq!(
            event.id,
            parsed.seq.to_string(),
            "the SSE id is the sequence number"
        );
        parsed
    }
}

async fn open(t: &TestPlatform, token: &str, last_event_id: Option<i64>) -> EventReader {
    let mut request = t.http.get(t.url("/v1/events")).bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id.to_string());
    }
    EventReader::new(request.send().await.unwrap())
}

#[tokio::test]
async fn a_status_change_arrives_on_the_open_stream() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let mut resident_feed = open(&t, &resident, None).await;
    let mut staff_feed = open(&t, &staff, None).await;

    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let filed = resident_feed.next_report_event().await;
    assert_eq!(
        (filed.report_id, filed.number, filed.status),
        (report.id, 1, ReportStatus::Received)
    );
    assert_eq!(
        staff_feed.next_report_event().await,
        filed,
        "staff see it too"
    );

    t.clock.advance(time::Duration::minutes(5));
    let moved = t
        .move_report(&staff, report.id, "acknowledged", "收到，马上安排")
        .await;
    assert_eq!(moved.status(), 200);
    let changed = resident_feed.next_report_event().await;
    assert_eq!(changed.report_id, report.id);
    assert_eq!(changed.status, ReportStatus::Acknowledged);
    assert!(changed.seq > filed.seq);
    assert_eq!(changed.at, report.created_at + time::Duration::minutes(5));
}

#[tokio::test]
async fn last_event_id_replays_what_was_missed_then_goes_live() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let report: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let all: Vec<ReportEvent> = ok_json(t.get(&resident, "/v1/changes?after=0").await).await;
    let first_seq = all[0].seq;
    // While the resident is away, staff move the report twice.
    for (status, note) in [("acknowledged", "已收到"), ("assigned", "已派师傅")] {
        assert_eq!(
            t.move_report(&staff, report.id, status, note)
                .await
                .status(),
            200
        );
    }
    let mut feed = open(&t, &resident, Some(first_seq)).await;
    let missed = [
        feed.next_report_event().await,
        feed.next_report_event().await,
    ];
    assert_eq!(
        missed.iter().map(|e| e.status).collect::<Vec<_>>(),
        [ReportStatus::Acknowledged, ReportStatus::Assigned]
    );
    assert!(missed[0].seq > first_seq && missed[1].seq > missed[0].seq);
    // Then it carries on live.
    assert_eq!(
        t.move_report(&staff, report.id, "resolved", "已修好")
            .await
            .status(),
        200
    );
    let live = feed.next_report_event().await;
    assert_eq!(live.status, ReportStatus::Resolved);
    assert!(live.seq > missed[1].seq);
}

#[tokio::test]
async fn a_resident_hears_only_about_their_own_reports() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let neighbour = t.sign_in(demo::SECOND_RESIDENT_PHONE).await;
    let mut neighbour_feed = open(&t, &neighbour, Some(0)).await;
    let _: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let mut own = leaking_pipe();
    own.place = Place::Unit {
        unit_id: UnitId(2111),
    };
    let theirs: Report = ok_json(t.file(&neighbour, &own).await).await;
    let first = neighbour_feed.next_report_event().await;
    assert_eq!(
        first.report_id, theirs.id,
        "the other resident's report is not shown"
    );

    let polled: Vec<ReportEvent> = ok_json(t.get(&neighbour, "/v1/changes").await).await;
    assert_eq!(polled, [first]);
}

#[tokio::test]
async fn changes_can_be_polled_page_by_page() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    for _ in 0..3 {
        let _: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    }
    let all: Vec<ReportEvent> = ok_json(t.get(&staff, "/v1/changes?after=0").await).await;
    assert_eq!(all.iter().map(|e| e.number).collect::<Vec<_>>(), [1, 2, 3]);
    let page: Vec<ReportEvent> = ok_json(
        t.get(&staff, &format!("/v1/changes?after={}&limit=1", all[0].seq))
            .await,
    )
    .await;
    assert_eq!(page, [all[1].clone()]);
    let rest: Vec<ReportEvent> = ok_json(
        t.get(&staff, &format!("/v1/changes?after={}", all[2].seq))
            .await,
    )
    .await;
    assert!(rest.is_empty());
    // A cursor from before a database reset (beyond anything issued) starts over.
    let reset: Vec<ReportEvent> = ok_json(t.get(&staff, "/v1/changes?after=9999").await).await;
    assert_eq!(reset, all);
    let none: Vec<ReportEvent> = ok_json(t.get(&volunteer, "/v1/changes").await).await;
    assert!(none.is_empty());
    assert_eq!(t.get(&staff, "/v1/changes?after=soon").await.status(), 400);
}

/// Reads the rest of a stream: the data events it carried, or `None` if it was still open
/// after five seconds.
async fn until_the_end(feed: &mut EventReader) -> Option<Vec<String>> {
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut data = Vec::new();
        while let Some(chunk) = feed.body.next().await {
            let Ok(chunk) = chunk else { break };
            feed.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        for line in feed.buffer.lines() {
            if let Some(v) = line.strip_prefix("data:") {
                data.push(v.trim().to_owned());
            }
        }
        data
    })
    .await
    .ok()
}

#[tokio::test]
async fn signing_out_ends_an_open_stream() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let mut feed = open(&t, &resident, None).await;
    // The stream works while signed in.
    let _: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    feed.next_report_event().await;

    assert_eq!(t.sign_out(&resident).await.status(), 204);
    // The same person files again from another session: the closed stream must not tell.
    let other = t.sign_in(demo::RESIDENT_PHONE).await;
    let _: Report = ok_json(t.file(&other, &leaking_pipe()).await).await;
    let rest = until_the_end(&mut feed)
        .await
        .expect("the stream ended after sign-out");
    assert!(rest.is_empty(), "events after sign-out: {rest:?}");
}

#[tokio::test]
async fn a_stream_ends_when_its_session_expires() {
    let t = TestPlatform::start_with(|c| c.limits.session_ttl = time::Duration::hours(1)).await;
    let staff = t.sign_in(demo::PROPERTY_STAFF_PHONE).await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let mut staff_feed = open(&t, &staff, None).await;
    t.clock
        .advance(time::Duration::hours(1) - time::Duration::seconds(15));
    // Staff's session has just expired; the resident signed in half a minute later, so
    // theirs still works.
    let _: Report = ok_json(t.file(&resident, &leaking_pipe()).await).await;
    let rest = until_the_end(&mut staff_feed)
        .await
        .expect("the stream ended at its session's expiry");
    assert!(rest.is_empty(), "events after expiry: {rest:?}");
}
