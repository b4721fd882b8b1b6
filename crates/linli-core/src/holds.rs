//! One draft is never open in two forms at once: a form (window, tab) holds a draft while it
//! edits it. Holds live in memory only (a restart closes every form), and lapse when the
//! holder has not called for [`HOLD_LAPSES_AFTER`], so a form that died without letting go
//! does not lock its draft for ever.
//!
//! Time is passed in, so the rules are tested without waiting.

use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::ReportId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a hold lasts after the holder's last call.
pub const HOLD_LAPSES_AFTER: Duration = Duration::from_secs(120);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Hold {
    editor: String,
    last_call: Instant,
}

/// The holds of one core.
#[derive(Debug, Default)]
pub struct Holds {
    holds: Mutex<HashMap<ReportId, Hold>>,
}

fn open_elsewhere() -> ApiError {
    ApiError::new(
        ErrorCode::DraftOpenElsewhere,
        "the draft is open in another form on this device",
    )
}

impl Holds {
    /// No holds.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<ReportId, Hold>) -> T) -> T {
        f(&mut self.holds.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// `editor` takes the draft: refused while another editor's hold is live, unless
    /// `take_over`. Holding it already just counts as a call.
    pub fn hold(
        &self,
        id: ReportId,
        editor: &str,
        take_over: bool,
        now: Instant,
    ) -> Result<(), ApiError> {
        self.with(|holds| {
            if let Some(hold) = holds.get(&id)
                && hold.editor != editor
                && is_live(hold, now)
                && !take_over
            {
                return Err(open_elsewhere());
            }
            holds.insert(
                id,
                Hold {
                    editor: editor.to_string(),
                    last_call: now,
                },
            );
            Ok(())
        })
    }

    /// A save from `editor`: allowed when it holds the draft or nobody's hold is live (it
    /// then holds it); refused once another form took it over.
    pub fn check_editor(&self, id: ReportId, editor: &str, now: Instant) -> Result<(), ApiError> {
        self.hold(id, editor, false, now)
    }

    /// A call about the draft that names no form (a photo attached or removed): the live
    /// hold, whoever has it, counts it as its own.
    pub fn touch(&self, id: ReportId, now: Instant) {
        self.with(|holds| {
            if let Some(hold) = holds.get_mut(&id)
                && is_live(hold, now)
            {
                hold.last_call = now;
            }
        });
    }

    /// `editor` lets go; a hold of another form stays.
    pub fn release(&self, id: ReportId, editor: &str) {
        self.with(|holds| {
            if holds.get(&id).is_some_and(|h| h.editor == editor) {
                holds.remove(&id);
            }
        });
    }

    /// Forgets every hold of a report that is gone or sent.
    pub fn forget(&self, id: ReportId) {
        self.with(|holds| holds.remove(&id));
    }
}

fn is_live(hold: &Hold, now: Instant) -> bool {
    now.saturating_duration_since(hold.last_call) < HOLD_LAPSES_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), ApiError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn a_second_form_is_refused_while_the_first_holds_the_draft() {
        let holds = Holds::new();
        let id = ReportId::new();
        let t0 = Instant::now();
        assert_eq!(code(holds.hold(id, "a", false, t0)), None);
        assert_eq!(code(holds.hold(id, "a", false, t0)), None, "again is fine");
        assert_eq!(
            code(holds.hold(id, "b", false, t0 + Duration::from_secs(60))),
            Some(ErrorCode::DraftOpenElsewhere)
        );
        assert_eq!(
            code(holds.check_editor(id, "b", t0)),
            Some(ErrorCode::DraftOpenElsewhere)
        );
        // Another draft is free.
        assert_eq!(code(holds.hold(ReportId::new(), "b", false, t0)), None);
    }

    #[test]
    fn taking_over_locks_the_first_form_out() {
        let holds = Holds::new();
        let id = ReportId::new();
        let t0 = Instant::now();
        holds.hold(id, "a", false, t0).unwrap();
        holds.hold(id, "b", true, t0).unwrap();
        assert_eq!(
            code(holds.check_editor(id, "a", t0)),
            Some(ErrorCode::DraftOpenElsewhere)
        );
        assert_eq!(code(holds.check_editor(id, "b", t0)), None);
        // The first form letting go does not free what the second holds.
        holds.release(id, "a");
        assert_eq!(
            code(holds.hold(id, "a", false, t0)),
            Some(ErrorCode::DraftOpenElsewhere)
        );
        holds.release(id, "b");
        assert_eq!(code(holds.hold(id, "a", false, t0)), None);
    }

    #[test]
    fn a_hold_lapses_two_minutes_after_the_holders_last_call() {
        let holds = Holds::new();
        let id = ReportId::new();
        let t0 = Instant::now();
        holds.hold(id, "a", false, t0).unwrap();
        // Calls keep it alive: a save at 1:30 and a photo at 3:00.
        holds
            .check_editor(id, "a", t0 + Duration::from_secs(90))
            .unwrap();
        holds.touch(id, t0 + Duration::from_secs(180));
        let just_before =
            t0 + Duration::from_secs(180) + HOLD_LAPSES_AFTER - Duration::from_millis(1);
        assert_eq!(
            code(holds.hold(id, "b", false, just_before)),
            Some(ErrorCode::DraftOpenElsewhere)
        );
        let lapsed = t0 + Duration::from_secs(180) + HOLD_LAPSES_AFTER;
        assert_eq!(code(holds.hold(id, "b", false, lapsed)), None);
        // The first form, back after the lapse, finds it taken.
        assert_eq!(
            code(holds.check_editor(id, "a", lapsed)),
            Some(ErrorCode::DraftOpenElsewhere)
        );
    }

    #[test]
    fn a_lapsed_hold_is_not_revived_by_a_touch() {
        let holds = Holds::new();
        let id = ReportId::new();
        let t0 = Instant::now();
        holds.hold(id, "a", false, t0).unwrap();
        holds.touch(id, t0 + HOLD_LAPSES_AFTER);
        assert_eq!(
            code(holds.hold(id, "b", false, t0 + HOLD_LAPSES_AFTER)),
            None
        );
    }
}
