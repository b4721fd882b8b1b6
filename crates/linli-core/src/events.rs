//! How the core tells the outside world about changes: the Tauri shell forwards them to the
//! window and the OS notification centre; tests collect them from a channel.

use linli_api::ipc::Event;
use std::sync::mpsc;

/// Receives what the core says without being asked. Called from the core's tasks: keep it quick
/// and never block on the UI.
pub trait EventSink: Send + Sync {
    /// Something changed; the UI re-reads what it shows.
    fn emit(&self, event: Event);
    /// A desktop notification for the person, already in their language.
    fn notify(&self, title: String, body: String);
}

/// A desktop notification, as [`ChannelSink`] records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The headline.
    pub title: String,
    /// The text under it.
    pub body: String,
}

/// What a [`ChannelSink`] passes on.
#[derive(Clone, Debug, PartialEq)]
pub enum Emitted {
    /// An event for the UI.
    Event(Event),
    /// A desktop notification.
    Notification(Notification),
}

/// An [`EventSink`] that sends everything down a std channel, in order (tests, tools).
#[derive(Debug)]
pub struct ChannelSink {
    tx: mpsc::Sender<Emitted>,
}

impl ChannelSink {
    /// A sink and the receiving end of its channel.
    pub fn new() -> (Self, mpsc::Receiver<Emitted>) {
        let (tx, rx) = mpsc::channel();
        (Self { tx }, rx)
    }
}

impl EventSink for ChannelSink {
    fn emit(&self, event: Event) {
        // A dropped receiver means nobody listens any more; that is not the core's problem.
        let _ = self.tx.send(Emitted::Event(event));
    }

    fn notify(&self, title: String, body: String) {
        let _ = self
            .tx
            .send(Emitted::Notification(Notification { title, body }));
    }
}

/// An [`EventSink`] that drops everything (a core with nobody watching).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _event: Event) {}
    fn notify(&self, _title: String, _body: String) {}
}
