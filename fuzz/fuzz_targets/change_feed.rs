//! What the core reads from the platform: the live change feed (server-sent events, through
//! the core's own parser, `linli_core::sse::SseParser`) and the JSON answers it decodes
//! (events, reports with their timelines, problem documents, comments), then the
//! notification it words from a report. The first byte picks where the network splits the
//! stream into chunks: the events must not depend on it. Whatever decodes must encode and
//! decode to the same value (the core keeps what it read).
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_api::ApiError;
use linli_api::ipc::Language;
use linli_api::platform::{Comment, Problem, ReportDetail, ReportEvent};
use linli_core::sse::{SseEvent, SseParser};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T>(text: &str) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let value: T = serde_json::from_str(text).ok()?;
    let again = serde_json::to_string(&value).expect("a decoded answer encodes");
    let back: T = serde_json::from_str(&again).expect("an encoded answer decodes");
    assert_eq!(back, value, "{again}");
    Some(value)
}

/// Feeds `stream` in chunks whose lengths come from `seed`.
fn in_chunks(stream: &[u8], seed: u8) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    let mut state = u32::from(seed) | 1;
    let mut rest = stream;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = ((state >> 16) as usize % 7 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        events.extend(parser.feed(chunk));
        rest = tail;
    }
    events
}

fn answers(text: &str) {
    if let Some(detail) = round_trip::<ReportDetail>(text) {
        let note = detail.timeline.last().and_then(|e| e.note.as_deref());
        for language in Language::ALL {
            let (title, _body) = linli_core::notify::status_changed(
                language,
                detail.report.number,
                detail.report.status,
                &detail.report.place_label,
                note,
            );
            assert!(!title.is_empty());
        }
    }
    round_trip::<Vec<ReportEvent>>(text);
    round_trip::<Vec<Comment>>(text);
    if let Some(problem) = round_trip::<Problem>(text) {
        let _ = ApiError::from(problem).is_retryable();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let whole = SseParser::new().feed(stream);
    assert_eq!(
        in_chunks(stream, seed),
        whole,
        "chunking changed the events"
    );
    for event in &whole {
        if event.event == "report" {
            round_trip::<ReportEvent>(&event.data);
        }
    }
    if let Ok(text) = std::str::from_utf8(stream) {
        answers(text);
    }
});
