//! Sliding-window rate rules, judged from the times of earlier events. The times come from the
//! store (codes already sent), so limits survive a restart and hold across clients.

use time::{Duration, OffsetDateTime};

/// How often something may happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateRule {
    /// Shortest gap between two events (zero for none).
    pub min_interval: Duration,
    /// Most events within `window`.
    pub max_in_window: u32,
    /// The sliding window `max_in_window` counts over.
    pub window: Duration,
}

/// Refused: try again after this many whole seconds (at least one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RetryAfter {
    fn at_least(wait: Duration) -> Self {
        let secs = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
        Self(secs.max(1) as u64)
    }

    /// The longer of two waits.
    pub fn max(self, other: RetryAfter) -> RetryAfter {
        RetryAfter(self.0.max(other.0))
    }
}

impl RateRule {
    /// Whether one more event may happen at `now`, given the times of earlier ones (any order,
    /// older ones are ignored).
    pub fn check(&self, earlier: &[OffsetDateTime], now: OffsetDateTime) -> Result<(), RetryAfter> {
        let since = now - self.window;
        let mut recent: Vec<OffsetDateTime> =
            earlier.iter().copied().filter(|t| *t > since).collect();
        recent.sort_unstable();

        let mut refusal: Option<RetryAfter> = None;
        if let Some(last) = recent.last() {
            let gap = now - *last;
            if gap < self.min_interval {
                refusal = Some(RetryAfter::at_least(self.min_interval - gap));
            }
        }
        let max = self.max_in_window as usize;
        if recent.len() >= max {
            // Enough of the oldest events must leave the window to make room for one more.
            let wait = match recent.get(recent.len() - max) {
                Some(t) => *t + self.window - now,
                None => self.window, // max_in_window == 0: never
            };
            let by_count = RetryAfter::at_least(wait);
            refusal = Some(refusal.map_or(by_count, |r| r.max(by_count)));
        }
        refusal.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-05-01 10:00 UTC);

    fn rule() -> RateRule {
        RateRule {
            min_interval: Duration::seconds(30),
            max_in_window: 3,
            window: Duration::hours(1),
        }
    }

    fn ago(secs: i64) -> OffsetDateTime {
        NOW - Duration::seconds(secs)
    }

    #[rstest]
    #[case::nothing_before(vec![], Ok(()))]
    #[case::long_enough_ago(vec![ago(31)], Ok(()))]
    #[case::exactly_the_interval(vec![ago(30)], Ok(()))]
    #[case::too_soon(vec![ago(10)], Err(RetryAfter(20)))]
    #[case::window_full(vec![ago(3000), ago(2000), ago(1000)], Err(RetryAfter(600)))]
    #[case::oldest_left_the_window(vec![ago(3600), ago(2000), ago(1000)], Ok(()))]
    #[case::both_rules_take_the_longer(vec![ago(3000), ago(2000), ago(5)], Err(RetryAfter(600)))]
    fn judges_from_earlier_events(
        #[case] earlier: Vec<OffsetDateTime>,
        #[case] expected: Result<(), RetryAfter>,
    ) {
        assert_eq!(rule().check(&earlier, NOW), expected);
    }

    #[test]
    fn a_fraction_of_a_second_rounds_up() {
        let earlier = [NOW - Duration::milliseconds(29_500)];
        assert_eq!(rule().check(&earlier, NOW), Err(RetryAfter(1)));
    }

    #[test]
    fn order_of_history_does_not_matter() {
        let a = [ago(1000), ago(3000), ago(2000), ago(4000)];
        let mut b = a;
        b.reverse();
        assert_eq!(rule().check(&a, NOW), rule().check(&b, NOW));
        assert_eq!(rule().check(&a, NOW), Err(RetryAfter(600)));
    }

    #[test]
    fn a_zero_limit_always_refuses() {
        let never = RateRule {
            max_in_window: 0,
            ..rule()
        };
        assert_eq!(never.check(&[], NOW), Err(RetryAfter(3600)));
    }
}
