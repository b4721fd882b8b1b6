//! The sync engine: two tasks on the app's runtime.
//!
//! - The **sender** goes through the outbox in order, a few items at once
//!   ([`SendWindow`]: more while answers come back, one at a time after trouble): a report's
//!   photos first (streamed, with progress), then the report, each carrying the report's id
//!   so a retry can never make a second copy; then what the resident did to delivered reports
//!   ([`crate::actions`]), each under its own id, one after another per report. It sleeps until the earliest backoff ends, or until woken by a submit,
//!   "sync now", a sign-in or the platform coming back.
//! - The **feed** keeps a server-sent events stream open while signed in (resuming from the
//!   last sequence number stored in the database) and falls back to polling `/v1/changes` when
//!   the stream cannot be opened. Each change of one of the resident's reports is fetched,
//!   stored, announced to the UI, and notified when its status moved.

use crate::client::Failure;
use crate::error::Error;
use crate::outbox::SendWindow;
use crate::reports::photo_path;
use crate::session::{self, Session};
use crate::sse::SseParser;
use crate::store::{Outgoing, keys};
use crate::{Inner, notify, now, outbox};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use linli_api::ReportId;
use linli_api::error::{ApiError, ErrorCode, FieldErrorCode};
use linli_api::ipc::{Delivery, Event, LocalPhoto, Relation};
use linli_api::platform::{ChangeKind, ReportDetail, ReportEvent};
use linli_api::report::{Report, ReportStatus, TimelineKind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// The shortest sleep of the sender, so a zero backoff cannot spin.
const MIN_SLEEP: Duration = Duration::from_millis(50);
/// How long the sender sleeps with nothing scheduled (it is woken when there is work).
const IDLE_SLEEP: Duration = Duration::from_secs(3600);

/// How sending one item ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    Delivered,
    Waiting,
    Rejected,
    SessionLost,
    Skipped,
}

pub(crate) async fn run_sender(inner: Arc<Inner>) {
    let mut shutdown = inner.shutdown.subscribe();
    // Kept between passes: a pass after trouble starts as carefully as the last one ended.
    let mut window = SendWindow::default();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let force = inner.send_force.swap(false, Ordering::SeqCst);
        let mut wake_at = None;
        if let Some(session) = session::current(&inner) {
            send_due(&inner, &session, force, &mut window, &shutdown).await;
            if let Some(session) = session::current(&inner) {
                let next = inner.store.next_wake(session.user_id, &session.base);
                wake_at = next.unwrap_or_else(|e| {
                    tracing::error!(error = %e, "outbox unreadable");
                    None
                });
            }
        }
        let wait = match wake_at {
            Some(at) => Duration::try_from(at - now())
                .unwrap_or_default()
                .max(MIN_SLEEP),
            None => IDLE_SLEEP,
        };
        tokio::select! {
            _ = inner.send_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}

async fn send_due(
    inner: &Arc<Inner>,
    session: &Session,
    force: bool,
    window: &mut SendWindow,
    shutdown: &watch::Receiver<bool>,
) {
    // What the items in flight have to write, written together while they all wait.
    // Declared before the items in flight, which borrow it.
    let batch = Batch::default();
    // What is picked and what fails in this pass decides what it is offered next.
    let mut pass = outbox::Pass::new(force);
    let mut in_flight = FuturesUnordered::new();
    // No more picking: the session is gone, the outbox unreadable, or shutting down.
    let mut stop = false;
    // A retry is in flight: it goes alone.
    let mut alone = false;
    loop {
        let mut picked = false;
        let refill = window.fills_with(in_flight.len());
        while refill && !stop && !alone && in_flight.len() < window.size() {
            if *shutdown.borrow() {
                stop = true;
                break;
            }
            let due = inner
                .store
                .next_due(session.user_id, &session.base, now(), &pass);
            match due {
                // An item that met trouble before goes alone, once the others are back:
                // retries side by side are the start of a storm. It is picked again then.
                Ok(Some(item)) if item.attempts > 0 && !in_flight.is_empty() => break,
                Ok(Some(item)) => {
                    pass.picked(item.seq);
                    alone = item.attempts > 0;
                    picked = true;
                    in_flight.push(send_item(inner, session, item, &batch));
                }
                // Nothing due now; an item in flight may free another (an action waits for
                // its report), so look again when one ends.
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "outbox unreadable");
                    stop = true;
                }
            }
        }
        // Nothing leaves now to carry the answers, nor will before an item in flight ends:
        // write them before waiting, and look again, as a delivered report may free the
        // actions waiting for it.
        if !picked && refill && batch.write(inner) {
            continue;
        }
        // The items in flight are left to end even when picking stopped: each records its
        // own outcome.
        let Some((seq, outcome)) = next_ended(&mut in_flight, inner, &batch).await else {
            break;
        };
        alone &= !in_flight.is_empty();
        match outcome {
            Sent::Delivered | Sent::Rejected => window.went_through(),
            Sent::Waiting => {
                window.met_trouble();
                // It goes again in this pass once its backoff has run out, rather than after
                // everything behind it (with thousands waiting, minutes later).
                pass.failed(seq);
            }
            Sent::SessionLost => stop = true,
            Sent::Skipped => {}
        }
    }
    batch.write(inner);
    if pass.picked_any() {
        // The count the UI shows is told at most every so often during a pass
        // (`Inner::pending_changed`); its final value, always.
        inner.sync_changed();
    }
}

/// The next item in flight to end. Whenever all of them wait and some wait for their marks,
/// what they gathered in `batch` is written, and those items go on.
async fn next_ended<F>(
    in_flight: &mut FuturesUnordered<F>,
    inner: &Inner,
    batch: &Batch,
) -> Option<(i64, Sent)>
where
    F: Future<Output = (i64, Sent)>,
{
    std::future::poll_fn(|cx| {
        loop {
            match in_flight.poll_next_unpin(cx) {
                Poll::Ready(ended) => return Poll::Ready(ended),
                // Writing woke the items whose marks it wrote: poll them on at once.
                Poll::Pending if batch.starting() && batch.write(inner) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await
}

/// What the items in flight have to write, gathered while they run and written in one
/// transaction when items are about to leave and all of them wait ([`next_ended`],
/// [`Store::deliver_then_start`]), or when no item is to leave before one ends:
///
/// - the platform's answers to delivered reports. Until one is written its report is still
///   `sending` in the database: if the app stops before, the report is queued again at the
///   next start and the platform answers the same again (same Idempotency-Key), so nothing is
///   lost or filed twice; what the change feed brings meanwhile is kept (an older answer never
///   overwrites a newer state);
/// - the marks of items about to leave ([`start`]). Each item waits for its mark before its
///   request goes out, so an item the resident withdrew meanwhile never leaves.
///
/// One commit for several items costs little more than one for a single item, as they share
/// most of their pages: with two items a commit, a backlog took 15 % less CPU to drain at
/// 4,000 reports and 6 % less at 10,000 than with one (docs/PERFORMANCE.md).
///
/// [`Store::deliver_then_start`]: crate::store::Store::deliver_then_start
#[derive(Default)]
pub(crate) struct Batch(std::sync::Mutex<Held>);

#[derive(Default)]
struct Held {
    answers: Vec<(i64, Report)>,
    starts: Vec<Start>,
}

/// An item waiting for its mark: told whether it may leave.
struct Start {
    seq: i64,
    report_id: ReportId,
    total: u64,
    told: oneshot::Sender<bool>,
}

impl Batch {
    fn hold(&self, seq: i64, report: Report) {
        self.lock().answers.push((seq, report));
    }

    fn start(&self, item: &Outgoing, total: u64) -> oneshot::Receiver<bool> {
        let (told, hear) = oneshot::channel();
        self.lock().starts.push(Start {
            seq: item.seq,
            report_id: item.report_id,
            total,
            told,
        });
        hear
    }

    fn starting(&self) -> bool {
        !self.lock().starts.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes what is held, in one transaction, and tells the items waiting for their marks;
    /// whether there was anything.
    fn write(&self, inner: &Inner) -> bool {
        let Held { answers, starts } = std::mem::take(&mut *self.lock());
        if answers.is_empty() && starts.is_empty() {
            return false;
        }
        let marks: Vec<(i64, u64)> = starts.iter().map(|s| (s.seq, s.total)).collect();
        let written = inner.store.deliver_then_start(&answers, &marks, now());
        if !answers.is_empty() {
            recorded(inner, answers, written.as_ref().err());
        }
        let started = written.unwrap_or_else(|e| {
            tracing::error!(error = %e, "outbox unwritable");
            vec![false; starts.len()]
        });
        let mut leaving = Vec::new();
        for (start, may_leave) in starts.into_iter().zip(started) {
            if may_leave {
                leaving.push(start.report_id);
            }
            // An item no longer waiting (its pass ended) is queued again at the next start.
            let _ = start.told.send(may_leave);
        }
        if !leaving.is_empty() {
            // Queued and sending both count as waiting, so the count the UI shows is unchanged.
            inner.reports_changed(leaving);
        }
        true
    }
}

/// After answers were written (or not: `failure`), tells the UI; an answer that could not be
/// written leaves its report queued again, and the retry gets the platform's replayed answer
/// (same key) and records it then.
fn recorded(inner: &Inner, delivered: Vec<(i64, Report)>, failure: Option<&Error>) {
    if let Some(e) = failure {
        tracing::error!(error = %e, "delivered reports not recorded; queuing them again");
        let retry_at = now() + crate::store::UNRECORDED_FAILURE_WAIT;
        for (seq, _) in &delivered {
            if let Err(e) = inner.store.requeue(*seq, Some(retry_at)) {
                tracing::error!(error = %e, "report left sending until the next start");
            }
        }
    }
    for (_, report) in &delivered {
        tracing::info!(report = %report.id, number = report.number, "report delivered");
    }
    inner.reports_changed(delivered.iter().map(|(_, r)| r.id).collect());
    inner.pending_changed();
}

/// Sends one outbox item: a report, or an action on a delivered one. Returns the item's
/// `seq` with how it ended.
async fn send_item(
    inner: &Arc<Inner>,
    session: &Session,
    item: Outgoing,
    batch: &Batch,
) -> (i64, Sent) {
    let outcome = match item.action {
        None => send_report(inner, session, &item, batch).await,
        Some(_) => crate::actions::send(inner, session, &item, batch).await,
    };
    tracing::debug!(report = %item.report_id, action = ?item.action, ?outcome, "outbox item");
    (item.seq, outcome)
}

/// Stores where a failed attempt leaves the item and tells the UI.
pub(crate) fn failed(inner: &Inner, session: &Session, item: &Outgoing, failure: Failure) -> Sent {
    let next = outbox::after_failure(
        item.attempts,
        failure.status,
        failure.error.clone(),
        now(),
        &inner.options.backoff,
        &mut rand::rng(),
    );
    tracing::info!(
        report = %item.report_id,
        error = %failure.error,
        next = outbox::state_name(&next),
        "sending failed"
    );
    if let Err(e) = inner.store.record_failure(item.seq, &next, now()) {
        // Not even queued again: the next start puts it back (Store::recover_sending).
        tracing::error!(error = %e, report = %item.report_id, "failed attempt not recorded");
    }
    session::observe(inner, session, &failure);
    inner.reports_changed(vec![item.report_id]);
    inner.pending_changed();
    match outbox::classify(failure.status, &failure.error) {
        outbox::Failure::Refused => Sent::Rejected,
        outbox::Failure::SessionLost => Sent::SessionLost,
        outbox::Failure::Transient => Sent::Waiting,
    }
}

pub(crate) fn internal(e: Error) -> Failure {
    // A device-side problem (disk, database) may pass; retry with backoff rather than reject.
    Failure {
        status: None,
        error: ApiError::from(e),
    }
}

async fn send_report(
    inner: &Arc<Inner>,
    session: &Session,
    item: &Outgoing,
    batch: &Batch,
) -> Sent {
    let id = item.report_id;
    let body = match inner.store.new_report_body(id) {
        Ok(body) => body,
        Err(Error::Api(error)) => {
            return failed(
                inner,
                session,
                item,
                Failure {
                    status: Some(422),
                    error,
                },
            );
        }
        Err(e) => return failed(inner, session, item, internal(e)),
    };
    let json = match serde_json::to_vec(&body) {
        Ok(json) => json,
        Err(e) => return failed(inner, session, item, internal(Error::from(e))),
    };
    let photos = match inner.store.photos_to_send(id, None) {
        Ok(p) => p,
        Err(e) => return failed(inner, session, item, internal(e)),
    };
    let pending = not_uploaded(&photos);
    let reused_uploads = pending.len() < photos.len();
    let total = pending.iter().map(|p| p.bytes).sum::<u64>() + json.len() as u64;
    if let Err(outcome) = start(item, total, batch).await {
        return outcome;
    }
    if let Err(outcome) = upload_photos(inner, session, item, pending, total).await {
        return outcome;
    }

    match inner
        .client
        .post_report(&session.base, &session.token, &item.idempotency_key, json)
        .await
    {
        Ok(report) => {
            inner.set_online(true);
            inner.emit(Event::UploadProgress {
                id,
                sent_bytes: total,
                total_bytes: total,
            });
            batch.hold(item.seq, report);
            // No second request for the detail: the store starts the timeline where the
            // platform received the report, as the platform's own does, and anything that
            // happened to it since (staff, a replayed older answer) reaches the device through
            // the change feed, whose events newer than this answer are fetched (`apply_event`).
            Sent::Delivered
        }
        Err(f)
            if reused_uploads
                && f.error
                    .fields
                    .iter()
                    .any(|e| e.code == FieldErrorCode::UnknownPhoto) =>
        {
            // The platform no longer has photos it took earlier (a new platform at the same
            // address): send them all again on the next attempt rather than give up.
            for (p, _) in &photos {
                let _ = inner.store.set_photo_uploaded(p.id, false);
            }
            let retry = Failure {
                status: None,
                error: f.error,
            };
            failed(inner, session, item, retry)
        }
        Err(f) => failed(inner, session, item, f),
    }
}

/// The photos the platform does not have yet.
pub(crate) fn not_uploaded(photos: &[(LocalPhoto, bool)]) -> Vec<LocalPhoto> {
    photos
        .iter()
        .filter(|(_, up)| !up)
        .map(|(p, _)| p.clone())
        .collect()
}

/// Marks an item as going out (`total` bytes to send), in the batch's next write; `Err` when
/// it is not to be sent after all (no longer queued, or the mark could not be written).
pub(crate) async fn start(item: &Outgoing, total: u64, batch: &Batch) -> Result<(), Sent> {
    match batch.start(item, total).await {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(Sent::Skipped),
    }
}

/// Uploads an item's photos (a report's, or a comment's) before the item itself, streamed,
/// with progress counted against `total`. `Err` is how the item ended when a photo did not go.
pub(crate) async fn upload_photos(
    inner: &Inner,
    session: &Session,
    item: &Outgoing,
    pending: Vec<LocalPhoto>,
    total: u64,
) -> Result<(), Sent> {
    let id = item.report_id;
    let mut sent = 0u64;
    for photo in pending {
        let path = photo_path(inner, photo.id);
        let jpeg = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) => {
                // The file is gone from the device: nothing to retry. The resident can remove
                // the photo and send the report again (a comment: write it again).
                let error = ApiError::new(
                    ErrorCode::PhotoUnreadable,
                    format!("{}: {e}", path.display()),
                );
                let rejected = Delivery::Rejected { error };
                if let Err(e) = inner.store.record_failure(item.seq, &rejected, now()) {
                    tracing::error!(error = %e, "could not record a rejected item");
                }
                inner.reports_changed(vec![id]);
                inner.sync_changed();
                return Err(Sent::Rejected);
            }
        };
        let events = inner.events.clone();
        let already = sent;
        let progress = move |n: u64| {
            events.emit(Event::UploadProgress {
                id,
                sent_bytes: already + n,
                total_bytes: total,
            })
        };
        match inner
            .client
            .put_photo(&session.base, &session.token, photo.id, jpeg, progress)
            .await
        {
            Ok(_) => {
                inner.set_online(true);
                sent += photo.bytes;
                let stored = inner
                    .store
                    .set_photo_uploaded(photo.id, true)
                    .and_then(|()| inner.store.set_progress(item.seq, sent));
                if let Err(e) = stored {
                    tracing::warn!(error = %e, "upload progress not stored");
                }
                inner.reports_changed(vec![id]);
            }
            Err(f) => return Err(failed(inner, session, item, f)),
        }
    }

    Ok(())
}

// ---- change feed ----

fn last_seq(inner: &Inner) -> Option<i64> {
    inner
        .store
        .setting(keys::FEED_LAST_SEQ)
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok())
}

/// How often at most the feed's position is written while changes stream in.
const POSITION_EVERY: Duration = Duration::from_secs(1);

/// Where the feed is: the newest change applied. Written to the database now and then
/// ([`POSITION_EVERY`]) and when a round of the feed ends, not after every change: when a
/// device's backlog goes out, each report it files comes back as a change, and writing the
/// position thousands of times cost as much as storing the reports. After a crash the feed
/// resumes from the position last written and applies the changes since once more, which
/// changes nothing (a change already applied is known, or its report fetched and stored again).
struct Position {
    applied: i64,
    written: i64,
    written_at: std::time::Instant,
}

impl Position {
    fn load(inner: &Inner) -> Self {
        let seq = last_seq(inner).unwrap_or(0);
        Self {
            applied: seq,
            written: seq,
            written_at: std::time::Instant::now(),
        }
    }

    /// The change `seq` was applied.
    fn applied(&mut self, inner: &Inner, seq: i64) {
        self.applied = self.applied.max(seq);
        if self.written_at.elapsed() >= POSITION_EVERY {
            self.write(inner);
        }
    }

    /// Writes the position if it moved since it was last written.
    fn write(&mut self, inner: &Inner) {
        self.written_at = std::time::Instant::now();
        if self.applied <= self.written {
            return;
        }
        match inner
            .store
            .set_setting(keys::FEED_LAST_SEQ, Some(&self.applied.to_string()))
        {
            Ok(()) => self.written = self.applied,
            Err(e) => tracing::warn!(error = %e, "feed position not stored"),
        }
    }
}

/// Whether a change of a report's status from `old` deserves a desktop notification: any
/// change of a followed report; of the person's own, any but what they did themselves
/// (confirming, reopening, rating: statuses can go round again, so the timeline tells).
pub(crate) fn should_notify(relation: Relation, old: ReportStatus, detail: &ReportDetail) -> bool {
    let report = &detail.report;
    if report.status == old {
        return false;
    }
    match relation {
        Relation::Following => true,
        Relation::Mine => {
            let by_the_resident = detail.timeline.last().is_some_and(|e| {
                matches!(
                    e.kind,
                    TimelineKind::Confirmed | TimelineKind::Reopened | TimelineKind::Rated
                )
            });
            report.status != ReportStatus::Reopened && !by_the_resident
        }
    }
}

/// Stores the platform's view of a report; tells the UI; notifies the resident when a report
/// they sent or follow moved on (`notify`), in the language they chose.
pub(crate) fn apply_detail(
    inner: &Inner,
    session: &Session,
    detail: &ReportDetail,
    notify: bool,
) -> Result<(), Error> {
    let applied = inner
        .store
        .apply_detail(detail, &session.base, session.user_id, now())?;
    let report = &detail.report;
    if applied.changed {
        inner.reports_changed(vec![report.id]);
    }
    // Counting what waits reads the queue: only when this could have moved it.
    if applied.delivery_changed {
        inner.sync_changed();
    }
    if notify
        && !applied.imported
        && let Some(old) = applied.old_status
        && should_notify(applied.relation, old, detail)
    {
        let note = detail
            .timeline
            .iter()
            .rev()
            .find(|t| t.status == report.status)
            .and_then(|t| t.note.as_deref());
        let (title, body) = notify::status_changed(
            inner.language(),
            report.number,
            report.status,
            &report.place_label,
            note,
        );
        inner.events.notify(title, body);
    }
    Ok(())
}

/// Whether the device holds, or is about to hold, the platform's answer after this change,
/// so fetching the report would tell it nothing: a report change whose status and time the
/// stored answer already has or passed; or the creation of a report this device is sending
/// now (the event often comes before the answer to the POST, which the sender stores; if that
/// answer is lost, the retry gets the same answer replayed). Comments always need fetching.
fn already_known(inner: &Inner, event: &ReportEvent) -> bool {
    if event.kind != ChangeKind::Report {
        return false;
    }
    match inner.store.platform_version(event.report_id) {
        Ok(Some((status, updated_at))) => status == event.status && updated_at >= event.at,
        Ok(None) => {
            event.status == ReportStatus::Received
                && inner.store.is_sending(event.report_id).unwrap_or(false)
        }
        Err(_) => false,
    }
}

/// Fetches and stores the report behind one change.
async fn apply_event(
    inner: &Inner,
    session: &Session,
    event: &ReportEvent,
    position: &mut Position,
) -> Result<(), Failure> {
    if already_known(inner, event) {
        position.applied(inner, event.seq);
        return Ok(());
    }
    match inner
        .client
        .report(&session.base, &session.token, event.report_id)
        .await
    {
        // Staff see every report of the estate; the app keeps only the person's own and
        // those they follow.
        Ok(detail) if detail.report.reporter != session.user_id && !detail.report.following => {}
        Ok(detail) => {
            apply_detail(inner, session, &detail, true).map_err(internal)?;
            if event.kind == ChangeKind::Comment {
                crate::comments::refresh(inner, session, event.report_id).await?;
            }
        }
        // Not visible to this person (any more): nothing to store.
        Err(f) if matches!(f.status, Some(403 | 404 | 410)) => {}
        Err(f) => {
            session::observe(inner, session, &f);
            return Err(f);
        }
    }
    position.applied(inner, event.seq);
    Ok(())
}

/// Applies every change since the stored position (the polling form of the feed).
async fn catch_up(
    inner: &Inner,
    session: &Session,
    position: &mut Position,
) -> Result<(), Failure> {
    // Bounded, in case a platform pages its answers: a later round continues.
    for _ in 0..100 {
        let after = position.applied;
        let events = match inner
            .client
            .changes(&session.base, &session.token, after)
            .await
        {
            Ok(events) => events,
            Err(f) => {
                session::observe(inner, session, &f);
                return Err(f);
            }
        };
        inner.set_online(true);
        let newest = events.iter().map(|e| e.seq).max();
        for event in &events {
            apply_event(inner, session, event, position).await?;
        }
        match newest {
            Some(seq) if seq > after => continue,
            _ => return Ok(()),
        }
    }
    Ok(())
}

enum Listen {
    /// The stream was open and has ended.
    Ended,
    /// The stream could not be opened.
    Failed,
    /// The session or platform changed.
    Restart,
    Shutdown,
}

async fn listen(
    inner: &Inner,
    session: &Session,
    shutdown: &mut watch::Receiver<bool>,
    position: &mut Position,
) -> Listen {
    let response = match inner
        .client
        // The catch-up poll ran just before: resume right after it (0: from the start).
        .open_feed(&session.base, &session.token, Some(position.applied))
        .await
    {
        Ok(r) => r,
        Err(f) => {
            tracing::debug!(error = %f.error, "live feed not opened");
            session::observe(inner, session, &f);
            return Listen::Failed;
        }
    };
    inner.set_online(true);
    inner.set_live(true);
    tracing::debug!("live feed open");
    let mut parser = SseParser::new();
    let mut stream = response.bytes_stream();
    let outcome = 'stream: loop {
        tokio::select! {
            chunk = stream.next() => match chunk {
                Some(Ok(bytes)) => {
                    for sse in parser.feed(&bytes) {
                        if sse.event != "report" {
                            continue;
                        }
                        match serde_json::from_str::<ReportEvent>(&sse.data) {
                            Ok(event) => {
                                if apply_event(inner, session, &event, position).await.is_err() {
                                    break 'stream Listen::Ended;
                                }
                            }
                            Err(e) => tracing::warn!(error = %e, "unreadable feed event"),
                        }
                    }
                }
                Some(Err(e)) => {
                    tracing::debug!(error = %crate::client::stream_failure(&e).error, "live feed dropped");
                    break 'stream Listen::Ended;
                }
                None => break 'stream Listen::Ended,
            },
            _ = inner.feed_restart.notified() => break 'stream Listen::Restart,
            _ = shutdown.changed() => break 'stream Listen::Shutdown,
        }
    };
    inner.set_live(false);
    outcome
}

pub(crate) async fn run_feed(inner: Arc<Inner>) {
    let mut shutdown = inner.shutdown.subscribe();
    let mut failures: u32 = 0;
    // The token the profile and catalogue were last refreshed for.
    let mut refreshed_for: Option<String> = None;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let Some(session) = session::current(&inner) else {
            inner.set_live(false);
            tokio::select! {
                _ = inner.feed_restart.notified() => {}
                _ = shutdown.changed() => {}
            }
            continue;
        };
        // Read afresh each round: a new platform or person starts the feed over.
        let mut position = Position::load(&inner);
        let reachable = match catch_up(&inner, &session, &mut position).await {
            Ok(()) => {
                if !inner.set_online(true) || failures > 0 {
                    // The platform is back: whatever waits in the outbox may go now.
                    inner.send_now();
                }
                if refreshed_for.as_deref() != Some(session.token.as_str()) {
                    let _ = session::refresh_profile(&inner, &session).await;
                    let _ = session::refresh_catalogue(&inner, &session).await;
                    refreshed_for = Some(session.token.clone());
                }
                true
            }
            Err(f) => f.status.is_some(),
        };
        if session::current(&inner).is_none() {
            continue;
        }
        let mut connected = false;
        if reachable && inner.options.live_feed {
            // A restart (the session or platform changed) leaves the position unwritten: it
            // belongs to what was before.
            match listen(&inner, &session, &mut shutdown, &mut position).await {
                Listen::Ended => connected = true,
                Listen::Failed => {}
                Listen::Restart => continue,
                Listen::Shutdown => {
                    position.write(&inner);
                    break;
                }
            }
        }
        position.write(&inner);
        failures = if connected {
            0
        } else {
            failures.saturating_add(1)
        };
        let wait = if inner.options.live_feed {
            let attempts = failures.max(1);
            inner
                .options
                .feed_backoff
                .delay(attempts, None, &mut rand::rng())
                .min(inner.options.poll_interval)
        } else {
            inner.options.poll_interval
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.feed_wake.notified() => {}
            _ = inner.feed_restart.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
    inner.set_live(false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::ids::{ReportId, UnitId, UserId};
    use linli_api::platform::ReportDetail;
    use linli_api::report::{Party, Place, Report, TimelineEntry, Urgency};
    use time::macros::datetime;

    fn detail(status: ReportStatus, last: TimelineKind) -> ReportDetail {
        let at = datetime!(2025-06-01 08:00 UTC);
        ReportDetail {
            report: Report {
                id: ReportId::new(),
                number: 9,
                reporter: UserId(5),
                category: "lifts".into(),
                description: "电梯门关不上".into(),
                place: Place::Unit { unit_id: UnitId(3) },
                place_label: "3栋".into(),
                urgency: Urgency::Soon,
                status,
                handling_party: Party::PropertyCompany,
                photo_ids: vec![],
                created_at: at,
                updated_at: at,
                affected: 2,
                following: false,
                visibility: Default::default(),
                clock: Default::default(),
                reopen_count: 0,
                rating: None,
            },
            timeline: vec![TimelineEntry {
                at,
                status,
                party: None,
                note: None,
                kind: last,
                from_party: None,
                to_party: None,
                photo_ids: vec![],
                rating: None,
            }],
            time_held: vec![],
        }
    }

    #[test]
    fn the_resident_is_told_of_what_others_did_not_of_what_they_did() {
        use ReportStatus::*;
        let mine = Relation::Mine;
        let staff_moved = detail(InProgress, TimelineKind::StatusChanged);
        assert!(should_notify(mine, Acknowledged, &staff_moved));
        assert!(!should_notify(mine, InProgress, &staff_moved), "no change");
        let closed_by_them = detail(Closed, TimelineKind::Confirmed);
        assert!(!should_notify(mine, Resolved, &closed_by_them));
        let closed_by_itself = detail(Closed, TimelineKind::ClosedAutomatically);
        assert!(should_notify(mine, Resolved, &closed_by_itself));
        let reopened = detail(Reopened, TimelineKind::Reopened);
        assert!(!should_notify(mine, Resolved, &reopened));
        // A follower hears of every change, the reporter's too.
        assert!(should_notify(
            Relation::Following,
            Resolved,
            &closed_by_them
        ));
        assert!(should_notify(Relation::Following, Resolved, &reopened));
    }
}
