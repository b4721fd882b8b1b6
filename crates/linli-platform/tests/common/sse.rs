//! Reads server-sent events from `/v1/events`, one at a time.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use linli_api::platform::ReportEvent;
use std::time::Duration;

/// An open event stream.
pub struct Feed {
    body: BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl Feed {
    /// Opens `/v1/events` for `token`, from the next change on.
    pub async fn open(t: &super::TestPlatform, token: &str) -> Self {
        Self::open_at(&t.http, &t.base_url(), token).await
    }

    /// Opens `/v1/events` of the platform at `base_url` (another instance, say).
    pub async fn open_at(http: &reqwest::Client, base_url: &str, token: &str) -> Self {
        let response = http
            .get(format!("{base_url}/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        Self {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next `report` event (keep-alive comments skipped), within 5 s.
    pub async fn next(&mut self) -> ReportEvent {
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let data: String = block
                        .lines()
                        .filter_map(|l| l.strip_prefix("data:"))
                        .map(str::trim)
                        .collect();
                    if !data.is_empty() {
                        assert!(block.contains("event: report"), "{block}");
                        return serde_json::from_str(&data).unwrap();
                    }
                }
                let chunk = self.body.next().await.expect("the stream stays open");
                self.buffer
                    .push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
            }
        })
        .await
        .expect("an event within 5 s")
    }
}
