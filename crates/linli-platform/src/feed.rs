//! Wakes change-feed listeners when a report event is written. The events themselves are
//! read from the store, so a listener that falls behind, or reconnects with
//! `Last-Event-ID`, reads exactly the rows it missed and never relies on in-memory delivery.
//!
//! Several instances may share one database; each wakes its own listeners for its own writes
//! at once, and looks for its neighbours' events every `Limits::feed_poll_interval` (see
//! `server::follow_other_instances`).

use tokio::sync::watch;

/// The latest event sequence number, watched by every open `/v1/events` stream.
#[derive(Clone, Debug)]
pub struct Feed(watch::Sender<i64>);

impl Feed {
    /// A feed whose latest event is `latest`.
    pub fn new(latest: i64) -> Self {
        Self(watch::Sender::new(latest))
    }

    /// Announces that event `seq` is committed.
    pub fn notify(&self, seq: i64) {
        self.0.send_if_modified(|latest| {
            let newer = seq > *latest;
            if newer {
                *latest = seq;
            }
            newer
        });
    }

    /// Whether any event stream is listening.
    pub fn has_listeners(&self) -> bool {
        self.0.receiver_count() > 0
    }

    /// A receiver that wakes on every later event.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listeners_wake_on_newer_events_only() {
        let feed = Feed::new(3);
        let mut rx = feed.subscribe();
        rx.borrow_and_update();
        feed.notify(2);
        assert!(!rx.has_changed().unwrap(), "an older event does not wake");
        feed.notify(5);
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow_and_update(), 5);
    }
}
