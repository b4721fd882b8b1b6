//! The outbox state machine, as plain functions over [`Delivery`].
//!
//! `Draft → Queued → Sending → Delivered`, or `Rejected` when the platform refuses with a 4xx.
//! Transient trouble (network, 5xx, 429, a request with the same key still in progress) sends
//! an item back to `Queued` with a backoff; a lost session sends it back to `Queued` untouched
//! until the person signs in again. Nothing here touches the database or the network, so every
//! rule can be tested alone; the store and the sync engine apply what these functions decide.

use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ipc::Delivery;
use rand::Rng;
use std::collections::HashSet;
use std::time::Duration;

/// How long to wait between attempts: exponential with full jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Upper bound of the first wait.
    pub base: Duration,
    /// No wait is longer than this (unless the platform asks for longer with `Retry-After`).
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(5 * 60),
        }
    }
}

impl Backoff {
    /// The longest wait after `attempts` failed attempts: `base * 2^(attempts-1)`, at most `cap`.
    pub fn ceiling(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        self.base
            .checked_mul(1u32 << exponent)
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// A wait after `attempts` failed attempts, drawn uniformly from `0..=ceiling` ("full
    /// jitter", so many devices coming back online at once do not retry in lockstep). When the
    /// platform said how long to wait (`Retry-After`), never retry earlier than that.
    pub fn delay(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let ceiling = self.ceiling(attempts).as_millis() as u64;
        let jittered = Duration::from_millis(rng.random_range(0..=ceiling));
        match retry_after {
            Some(wait) => jittered.max(wait),
            None => jittered,
        }
    }
}

/// How many outbox items the sender lets go out at once. It starts at one and grows by one
/// with every item that goes through, up to [`SendWindow::MAX`]; any transient failure halves
/// it. A backlog drains several at a time over a good network (each item's wait for the
/// platform overlaps the others'), while a failing network or a busy platform sees the device
/// fall back to one at a time. An item that failed before always goes alone (the sender's
/// rule), so retries never arrive as a crowd. Items that must keep their order (the actions on
/// one report) are held back by the store whatever the window allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendWindow {
    size: usize,
}

impl Default for SendWindow {
    fn default() -> Self {
        Self { size: 1 }
    }
}

impl SendWindow {
    /// The most items in flight at once: few enough for a phone's radio and the platform's
    /// fair share, enough to hide one round trip behind the others. Six, as browsers open at
    /// most six connections to one host. With four, the device's own writes between answers
    /// left the platform waiting: a backlog drained at 1.31x to 1.42x the time a plain loop
    /// took to file it on the same platform, against 1.02x to 1.23x with six
    /// (docs/PERFORMANCE.md).
    pub const MAX: usize = 6;

    /// Items that may be in flight now.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the sender fills free places now, with `in_flight` items out: when none is out,
    /// or when two places or more are free. Filling places two at a time lets the marks of the
    /// items that leave and the answers of those that came back share one commit on the
    /// device, instead of one commit for every item (see [`crate::sync`]).
    pub fn fills_with(&self, in_flight: usize) -> bool {
        in_flight == 0 || self.size.saturating_sub(in_flight) >= 2
    }

    /// An item got an answer that was not trouble (delivered, or refused for its content).
    pub fn went_through(&mut self) {
        self.size = (self.size + 1).min(Self::MAX);
    }

    /// An item met transient trouble (network, 5xx, 429): halve, never below one.
    pub fn met_trouble(&mut self) {
        self.size = (self.size / 2).max(1);
    }
}

/// What kind of failure an attempt ended with, which decides where the item goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// May work later without any change: back to `Queued` with a backoff.
    Transient,
    /// The platform refused the content: `Rejected`, kept with the reason.
    Refused,
    /// The session is gone: back to `Queued`, wait for sign-in.
    SessionLost,
}

/// Whether an error says the session behind the request is gone. The one rule for "session
/// lost", used both to stop using the token and to hold an item until sign-in: judged by code
/// alone, so a proxy that rewrites the status cannot make an item go out again and again with a
/// token the platform no longer takes.
pub fn is_session_lost(error: &ApiError) -> bool {
    matches!(
        error.code,
        ErrorCode::SessionExpired | ErrorCode::Unauthenticated
    )
}

/// Sorts an error from the platform. `status` is the HTTP status when there was an answer at all
/// (`None` for network trouble, which is always transient).
pub fn classify(status: Option<u16>, error: &ApiError) -> Failure {
    if is_session_lost(error) {
        return Failure::SessionLost;
    }
    match status {
        None => Failure::Transient,
        // The platform said yes but the answer did not arrive whole (a timeout while reading
        // it, a body cut short): it may well hold the report, so ask again with the same key
        // and get the replayed answer, never show the report as refused.
        Some(s) if s < 300 => Failure::Transient,
        Some(s) if s >= 500 || s == 429 || s == 408 => Failure::Transient,
        Some(_) if error.code == ErrorCode::IdempotencyKeyInProgress => Failure::Transient,
        Some(_) if error.is_retryable() && error.code != ErrorCode::Internal => Failure::Transient,
        Some(_) => Failure::Refused,
    }
}

/// A rule of the state machine was broken; carries the error the UI shows.
fn not_allowed(current: &Delivery) -> ApiError {
    ApiError::new(
        ErrorCode::AlreadySent,
        format!(
            "the report is {} and cannot be changed",
            state_name(current)
        ),
    )
}

/// The state's wire name, for messages and the database.
pub fn state_name(d: &Delivery) -> &'static str {
    match d {
        Delivery::Draft => "draft",
        Delivery::Queued { .. } => "queued",
        Delivery::Sending { .. } => "sending",
        Delivery::Delivered { .. } => "delivered",
        Delivery::Rejected { .. } => "rejected",
    }
}

/// Whether the resident may still change the content (text, place, photos). A draft may be
/// edited, and so may a rejected report: it keeps its reason until it is submitted again, so the
/// UI can show what to fix while the resident fixes it.
pub fn can_edit(current: &Delivery) -> Result<(), ApiError> {
    // The rule itself is the contract's, so the UI and the core cannot disagree on it.
    if current.is_editable() {
        Ok(())
    } else {
        Err(not_allowed(current))
    }
}

/// Whether a report may be deleted from the device: only if the platform never took it.
pub fn can_discard(current: &Delivery) -> Result<(), ApiError> {
    can_edit(current)
}

/// `Submit`: a draft or a rejected report goes (back) into the queue with a clean slate.
pub fn submit(current: &Delivery) -> Result<Delivery, ApiError> {
    can_edit(current)?;
    Ok(Delivery::Queued {
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    })
}

/// One pass of the sender through the outbox: what it has picked and what failed in it, which
/// decides what it is offered next ([`Pass::offers`]).
#[derive(Debug, Default)]
pub struct Pass {
    /// The device's backoff is ignored ("sync now", the platform back).
    force: bool,
    /// Picked in this pass (in flight or done): not offered again in it.
    picked: HashSet<i64>,
    /// Met passing trouble in this pass: offered again once its backoff has run out (not
    /// after the whole backlog behind it), and then even when `force`, or an item failing at
    /// once would go round and round.
    failed: HashSet<i64>,
}

impl Pass {
    /// A pass that ignores the device's backoff (`force`) or keeps to it.
    pub fn new(force: bool) -> Self {
        Self {
            force,
            ..Self::default()
        }
    }

    /// Item `seq` was picked.
    pub fn picked(&mut self, seq: i64) {
        self.picked.insert(seq);
    }

    /// Item `seq` met passing trouble: it may go again in this pass, after its backoff.
    pub fn failed(&mut self, seq: i64) {
        self.picked.remove(&seq);
        self.failed.insert(seq);
    }

    /// Whether anything was picked in this pass.
    pub fn picked_any(&self) -> bool {
        !self.picked.is_empty() || !self.failed.is_empty()
    }

    /// Whether item `seq`, in state `current`, may be offered now.
    pub fn offers(&self, seq: i64, current: &Delivery, now: Timestamp) -> bool {
        !self.picked.contains(&seq)
            && is_due(current, now, self.force && !self.failed.contains(&seq))
    }
}

/// Whether a queued item is due at `now`. `force` ("sync now", the platform back) skips the
/// device's own backoff, never a wait the platform asked for with `Retry-After`: a busy
/// platform told every device when to come back, and a crowd ignoring it is a request storm.
pub fn is_due(current: &Delivery, now: Timestamp, force: bool) -> bool {
    match current {
        Delivery::Queued {
            next_attempt_at,
            last_error,
            ..
        } => {
            let asked_to_wait = last_error
                .as_ref()
                .is_some_and(|e| e.retry_after_seconds.is_some());
            next_attempt_at.is_none_or(|at| at <= now) || (force && !asked_to_wait)
        }
        _ => false,
    }
}

/// The sync engine picks a queued item up.
pub fn start_sending(current: &Delivery, total_bytes: u64) -> Option<Delivery> {
    match current {
        Delivery::Queued { .. } => Some(Delivery::Sending {
            sent_bytes: 0,
            total_bytes,
        }),
        _ => None,
    }
}

/// The platform took it and gave it a number.
pub fn delivered(number: i64) -> Delivery {
    Delivery::Delivered { number }
}

/// Where an item goes after a failed attempt. `attempts` is the count before this attempt;
/// `now` and `rng` make the backoff reproducible in tests.
pub fn after_failure(
    attempts: u32,
    status: Option<u16>,
    error: ApiError,
    now: Timestamp,
    policy: &Backoff,
    rng: &mut impl Rng,
) -> Delivery {
    match classify(status, &error) {
        Failure::Refused => Delivery::Rejected { error },
        Failure::SessionLost => Delivery::Queued {
            attempts,
            next_attempt_at: None,
            last_error: Some(error),
        },
        Failure::Transient => {
            let attempts = attempts.saturating_add(1);
            let retry_after = error.retry_after_seconds.map(Duration::from_secs);
            let wait = policy.delay(attempts, retry_after, rng);
            Delivery::Queued {
                attempts,
                next_attempt_at: Some(now + wait),
                last_error: Some(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_api::FieldError;
    use linli_api::FieldErrorCode;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rstest::rstest;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2025-06-01 08:00 UTC);

    fn queued() -> Delivery {
        Delivery::Queued {
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
        }
    }

    fn rejected() -> Delivery {
        Delivery::Rejected {
            error: ApiError::validation(vec![FieldError::new(
                "category",
                FieldErrorCode::UnknownCategory,
            )]),
        }
    }

    fn sending() -> Delivery {
        Delivery::Sending {
            sent_bytes: 10,
            total_bytes: 100,
        }
    }

    #[test]
    fn a_pass_offers_each_item_once_and_a_failed_one_again_after_its_backoff() {
        let later = NOW + time::Duration::seconds(30);
        let waiting = Delivery::Queued {
            attempts: 1,
            next_attempt_at: Some(later),
            last_error: None,
        };
        let mut pass = Pass::new(true);
        assert!(pass.offers(1, &queued(), NOW));
        assert!(pass.offers(1, &waiting, NOW), "forced: backoff ignored");
        pass.picked(1);
        assert!(!pass.offers(1, &queued(), NOW), "picked once per pass");
        pass.failed(1);
        assert!(
            !pass.offers(1, &waiting, NOW),
            "failed here: its backoff holds"
        );
        assert!(pass.offers(1, &waiting, later));
        assert!(pass.offers(2, &waiting, NOW), "the others still forced");
        assert!(pass.picked_any());
        assert!(!Pass::new(false).offers(2, &waiting, NOW));
    }

    #[rstest]
    #[case::draft(Delivery::Draft, true)]
    #[case::rejected(rejected(), true)]
    #[case::queued(queued(), false)]
    #[case::sending(sending(), false)]
    #[case::delivered(Delivery::Delivered { number: 7 }, false)]
    fn only_drafts_and_rejected_reports_can_be_edited_and_submitted(
        #[case] state: Delivery,
        #[case] allowed: bool,
    ) {
        assert_eq!(can_edit(&state).is_ok(), allowed);
        assert_eq!(can_discard(&state).is_ok(), allowed);
        match submit(&state) {
            Ok(next) => {
                assert!(allowed);
                assert_eq!(next, queued());
            }
            Err(e) => {
                assert!(!allowed);
                assert_eq!(e.code, ErrorCode::AlreadySent);
            }
        }
    }

    #[test]
    fn only_queued_items_start_sending() {
        assert_eq!(
            start_sending(&queued(), 500),
            Some(Delivery::Sending {
                sent_bytes: 0,
                total_bytes: 500
            })
        );
        assert_eq!(start_sending(&Delivery::Draft, 1), None);
        assert_eq!(start_sending(&sending(), 1), None);
        assert_eq!(start_sending(&rejected(), 1), None);
        assert_eq!(start_sending(&delivered(3), 1), None);
    }

    #[rstest]
    #[case::network(None, ErrorCode::PlatformUnreachable, Failure::Transient)]
    #[case::server(Some(500), ErrorCode::Internal, Failure::Transient)]
    #[case::bad_gateway(Some(502), ErrorCode::Internal, Failure::Transient)]
    #[case::rate_limited(Some(429), ErrorCode::RateLimited, Failure::Transient)]
    #[case::in_progress(Some(409), ErrorCode::IdempotencyKeyInProgress, Failure::Transient)]
    #[case::validation(Some(422), ErrorCode::ValidationFailed, Failure::Refused)]
    #[case::key_reused(Some(422), ErrorCode::IdempotencyKeyReused, Failure::Refused)]
    #[case::forbidden(Some(403), ErrorCode::Forbidden, Failure::Refused)]
    #[case::too_large(Some(413), ErrorCode::PayloadTooLarge, Failure::Refused)]
    #[case::media(Some(415), ErrorCode::UnsupportedMediaType, Failure::Refused)]
    #[case::conflict(Some(409), ErrorCode::Conflict, Failure::Refused)]
    #[case::expired(Some(401), ErrorCode::SessionExpired, Failure::SessionLost)]
    #[case::unauthenticated(Some(401), ErrorCode::Unauthenticated, Failure::SessionLost)]
    #[case::expired_behind_a_proxy(Some(403), ErrorCode::SessionExpired, Failure::SessionLost)]
    #[case::created_but_unread(Some(201), ErrorCode::Internal, Failure::Transient)]
    #[case::ok_but_unread(Some(200), ErrorCode::Internal, Failure::Transient)]
    fn failures_are_sorted_by_what_can_fix_them(
        #[case] status: Option<u16>,
        #[case] code: ErrorCode,
        #[case] expected: Failure,
    ) {
        assert_eq!(classify(status, &ApiError::new(code, "x")), expected);
    }

    #[test]
    fn a_report_the_platform_took_but_whose_answer_was_lost_is_asked_for_again() {
        // A 201 whose body timed out: the platform has the report, so it must not show as
        // rejected; the retry with the same key gets the replayed answer.
        let error = ApiError::new(ErrorCode::Internal, "unexpected answer: timed out");
        let mut rng = StdRng::seed_from_u64(5);
        let next = after_failure(
            0,
            Some(201),
            error.clone(),
            NOW,
            &Backoff::default(),
            &mut rng,
        );
        assert!(
            matches!(next, Delivery::Queued { attempts: 1, next_attempt_at: Some(_), last_error: Some(ref e) } if *e == error),
            "{next:?}"
        );
    }

    #[test]
    fn a_refusal_keeps_the_reason() {
        let error =
            ApiError::validation(vec![FieldError::new("place", FieldErrorCode::UnitNotYours)]);
        let mut rng = StdRng::seed_from_u64(1);
        let next = after_failure(
            2,
            Some(422),
            error.clone(),
            NOW,
            &Backoff::default(),
            &mut rng,
        );
        assert_eq!(next, Delivery::Rejected { error });
        assert!(can_edit(&next).is_ok(), "a rejected report stays editable");
    }

    #[test]
    fn a_transient_failure_counts_an_attempt_and_backs_off() {
        let mut rng = StdRng::seed_from_u64(7);
        let error = ApiError::new(ErrorCode::PlatformUnreachable, "connection refused");
        let next = after_failure(3, None, error.clone(), NOW, &Backoff::default(), &mut rng);
        let Delivery::Queued {
            attempts,
            next_attempt_at: Some(at),
            last_error,
        } = next
        else {
            panic!("expected queued with a due time, got {next:?}");
        };
        assert_eq!(attempts, 4);
        assert_eq!(last_error, Some(error));
        assert!(at >= NOW && at <= NOW + Duration::from_secs(8), "{at}");
    }

    #[test]
    fn a_lost_session_waits_for_sign_in_without_counting_an_attempt() {
        let mut rng = StdRng::seed_from_u64(7);
        let error = ApiError::new(ErrorCode::SessionExpired, "expired");
        let next = after_failure(
            2,
            Some(401),
            error.clone(),
            NOW,
            &Backoff::default(),
            &mut rng,
        );
        assert_eq!(
            next,
            Delivery::Queued {
                attempts: 2,
                next_attempt_at: None,
                last_error: Some(error)
            }
        );
    }

    #[test]
    fn retry_after_is_honoured() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut error = ApiError::new(ErrorCode::RateLimited, "slow down");
        error.retry_after_seconds = Some(120);
        for _ in 0..50 {
            let next = after_failure(
                0,
                Some(429),
                error.clone(),
                NOW,
                &Backoff::default(),
                &mut rng,
            );
            let Delivery::Queued {
                next_attempt_at: Some(at),
                ..
            } = next
            else {
                panic!("expected a backoff");
            };
            assert!(at >= NOW + Duration::from_secs(120));
        }
    }

    #[test]
    fn due_items_respect_their_backoff_unless_forced() {
        let later = Delivery::Queued {
            attempts: 1,
            next_attempt_at: Some(NOW + Duration::from_secs(30)),
            last_error: None,
        };
        assert!(!is_due(&later, NOW, false));
        assert!(is_due(&later, NOW, true));
        assert!(is_due(&later, NOW + Duration::from_secs(30), false));
        assert!(is_due(&queued(), NOW, false));
        assert!(!is_due(&Delivery::Draft, NOW, true));
        assert!(!is_due(&sending(), NOW, true));
    }

    #[test]
    fn a_forced_pass_still_waits_as_long_as_the_platform_asked() {
        let mut busy = ApiError::new(ErrorCode::RateLimited, "slow down");
        busy.retry_after_seconds = Some(30);
        let told_to_wait = after_failure(
            0,
            Some(429),
            busy,
            NOW,
            &Backoff::default(),
            &mut StdRng::seed_from_u64(7),
        );
        assert!(!is_due(&told_to_wait, NOW, true));
        assert!(!is_due(&told_to_wait, NOW + Duration::from_secs(29), true));
        assert!(is_due(
            &told_to_wait,
            NOW + Duration::from_secs(3600),
            false
        ));
        // A plain failure's backoff is the device's own: "sync now" may skip it.
        let own_backoff = after_failure(
            0,
            Some(503),
            ApiError::new(ErrorCode::PlatformUnreachable, "down"),
            NOW,
            &Backoff::default(),
            &mut StdRng::seed_from_u64(7),
        );
        assert!(!is_due(&own_backoff, NOW, false));
        assert!(is_due(&own_backoff, NOW, true));
    }

    #[test]
    fn the_window_grows_with_success_and_halves_on_trouble() {
        let mut w = SendWindow::default();
        assert_eq!(w.size(), 1, "a backlog starts one at a time");
        let sizes: Vec<usize> = (0..7)
            .map(|_| {
                w.went_through();
                w.size()
            })
            .collect();
        assert_eq!(sizes, [2, 3, 4, 5, 6, 6, 6], "grows by one up to MAX");
        assert_eq!(sizes.last().copied(), Some(SendWindow::MAX));
        w.met_trouble();
        assert_eq!(w.size(), 3);
        w.met_trouble();
        assert_eq!(w.size(), 1);
        w.met_trouble();
        assert_eq!(w.size(), 1, "never below one");
        w.went_through();
        assert_eq!(w.size(), 2);
    }

    #[test]
    fn free_places_are_filled_two_at_a_time_or_when_nothing_is_out() {
        let full = SendWindow {
            size: SendWindow::MAX,
        };
        let filled: Vec<bool> = (0..=SendWindow::MAX).map(|n| full.fills_with(n)).collect();
        assert_eq!(filled, [true, true, true, true, true, false, false]);
        let two = SendWindow { size: 2 };
        assert!(two.fills_with(0));
        assert!(!two.fills_with(1), "one free place waits for the other");
        let one = SendWindow::default();
        assert!(one.fills_with(0), "after trouble, one at a time still goes");
        assert!(!one.fills_with(1));
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(2), Duration::from_secs(2));
        assert_eq!(b.ceiling(5), Duration::from_secs(16));
        assert_eq!(b.ceiling(9), Duration::from_secs(256));
        assert_eq!(b.ceiling(10), Duration::from_secs(300));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(300));
    }

    fn any_delivery() -> impl Strategy<Value = Delivery> {
        prop_oneof![
            Just(Delivery::Draft),
            (0u32..50).prop_map(|attempts| Delivery::Queued {
                attempts,
                next_attempt_at: None,
                last_error: None
            }),
            (0u64..1000, 0u64..1000).prop_map(|(sent_bytes, total_bytes)| Delivery::Sending {
                sent_bytes,
                total_bytes
            }),
            (1i64..100_000).prop_map(|number| Delivery::Delivered { number }),
            Just(rejected()),
        ]
    }

    proptest! {
        #[test]
        fn backoff_stays_within_its_bounds(
            attempts in 0u32..200,
            seed in any::<u64>(),
            retry_after in proptest::option::of(0u64..10_000),
        ) {
            let policy = Backoff::default();
            let mut rng = StdRng::seed_from_u64(seed);
            let retry_after = retry_after.map(Duration::from_secs);
            let wait = policy.delay(attempts, retry_after, &mut rng);
            let upper = policy.ceiling(attempts).max(retry_after.unwrap_or_default());
            prop_assert!(wait <= upper);
            prop_assert!(wait <= policy.cap.max(retry_after.unwrap_or_default()));
            if let Some(r) = retry_after {
                prop_assert!(wait >= r);
            }
        }

        #[test]
        fn delivered_reports_are_final(state in any_delivery(), status in proptest::option::of(400u16..600), seed in any::<u64>()) {
            // Whatever happens next, a delivered report is never edited, resubmitted or sent again.
            let d = delivered(5);
            prop_assert!(submit(&d).is_err());
            prop_assert!(can_edit(&d).is_err());
            prop_assert_eq!(start_sending(&d, 1), None);
            // And a failure never produces a delivered state or loses the error.
            let mut rng = StdRng::seed_from_u64(seed);
            let attempts = match state { Delivery::Queued { attempts, .. } => attempts, _ => 0 };
            let error = ApiError::new(ErrorCode::Internal, "boom");
            let next = after_failure(attempts, status, error.clone(), NOW, &Backoff::default(), &mut rng);
            match next {
                Delivery::Queued { last_error, attempts: a, .. } => {
                    prop_assert_eq!(last_error, Some(error));
                    prop_assert_eq!(a, attempts + 1);
                }
                Delivery::Rejected { error: e } => prop_assert_eq!(e, error),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
