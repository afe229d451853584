//! When a failed attempt is tried again: the per-call [`RetryPolicy`] and the client-wide
//! retry budget that stops retries from piling onto a gateway that is down.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// How a [`Client`](crate::Client) retries a call that failed in transit.
///
/// What is retried never depends on the policy: a request that never reached the gateway
/// (connection refused), or that it answered it did not act on (HTTP 408, 429), may be sent
/// again for any operation; a timeout, a dropped connection, HTTP 500, 502, 503 or 504, or an
/// unreadable reply only for operations that are safe to repeat (GETs, and the POSTs and
/// PATCHes the spec marks `x-enkash-idempotent`). `create_order`, `submit_payment` and
/// `refund_transaction` are never sent again once they may have taken effect.
///
/// The policy says how often and how patiently: at most `max_attempts` requests per call,
/// "full jitter" exponential delays between them (a random wait up to `initial_delay`,
/// doubling per retry, capped by `max_delay`), and a `Retry-After` on 429 or 503 obeyed when it
/// is no longer than `max_retry_after` (a longer one ends the call; the error's
/// [`retry_after`](crate::CallError::retry_after) says when to come back).
///
/// Besides, a client-wide budget (gRPC's retry throttling) allows retries only while most
/// recent attempts succeed: every failed attempt costs a token, every answered one earns a
/// tenth of one, and retries stop below half of ten tokens. In a full outage a client makes
/// a handful of retries and then fails fast with the original error.
///
/// ```
/// use std::time::Duration;
/// let policy = enkash::RetryPolicy::default()
///     .max_attempts(4)
///     .initial_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(1));
/// let client = enkash::Client::builder()
///     .environment(enkash::Environment::Uat)
///     .credentials("ACCESS_KEY", "SECRET_KEY")
///     .retry_policy(policy)
///     .build()?;
/// # Ok::<(), enkash::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 3 attempts, delays from up to 200 ms to at most 2 s, `Retry-After` up to 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// One attempt per call, never a retry. (The single replay after a 401 with a fresh token
    /// still happens: it repairs the token, it does not repeat a failure.)
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// At most this many requests per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest first delay: each retry waits a random time up to this, doubled per retry.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// No delay between attempts is longer than this.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` obeyed within a call.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// The most time a whole call may take, retries and the waits between them included
    /// (default: none, so a call may take up to `max_attempts` times the request timeout plus
    /// the delays). Each attempt's time limit becomes the smaller of the client's
    /// [`timeout`](crate::ClientBuilder::timeout) and what is left; no retry starts that could not
    /// finish in time. A call that runs out of time ends as a
    /// [`Timeout`](crate::CallErrorKind::Timeout) whose
    /// [`outcome_unknown`](crate::CallError::outcome_unknown) is true, so a payment cut short
    /// is never taken for one that was not made (unlike dropping the future with
    /// `tokio::time::timeout`, which loses the outcome).
    ///
    /// ```
    /// use std::time::Duration;
    /// // An order lookup inside an HTTP handler: never longer than 5 s in all.
    /// let policy = enkash::RetryPolicy::default().deadline(Duration::from_secs(5));
    /// # let _ = policy;
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The overall deadline of a call, if one is set.
    pub(crate) fn call_deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The most requests a call makes.
    pub fn attempts_allowed(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before retry number `retry` (1 for the second attempt), or `None` when
    /// the server asked for a longer wait than the policy allows.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(asked) = retry_after {
            return (asked <= self.max_retry_after).then_some(asked);
        }
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_delay
            .saturating_mul(doubling)
            .min(self.max_delay);
        Some(ceiling.mul_f64(fastrand::f64()))
    }
}

/// gRPC-style retry throttling, in thousandths of a token.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicI64,
}

const FULL: i64 = 10_000;
const FAILURE_COST: i64 = 1_000;
const SUCCESS_REFUND: i64 = 100;

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            tokens: AtomicI64::new(FULL),
        }
    }
}

impl RetryBudget {
    /// An attempt got an answer (any answer but a retryable failure).
    pub fn record_answer(&self) {
        self.adjust(SUCCESS_REFUND);
    }

    /// An attempt failed in a way that could be retried.
    pub fn record_failure(&self) {
        self.adjust(-FAILURE_COST);
    }

    /// Whether a retry may be made now.
    pub fn allows_retry(&self) -> bool {
        self.tokens.load(Ordering::Relaxed) > FULL / 2
    }

    fn adjust(&self, by: i64) {
        let _ = self
            .tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |tokens| {
                Some((tokens + by).clamp(0, FULL))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_full_jitter_capped_and_retry_after_is_obeyed_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.delay(1, None).unwrap() <= Duration::from_millis(100));
            assert!(policy.delay(2, None).unwrap() <= Duration::from_millis(200));
            assert!(policy.delay(9, None).unwrap() <= Duration::from_millis(300));
        }
        let second = Duration::from_secs(1);
        assert_eq!(policy.delay(1, Some(second)), Some(second));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(11))), None);
        assert_eq!(RetryPolicy::none().attempts_allowed(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts_allowed(), 1);
    }

    #[test]
    fn the_budget_stops_retries_in_an_outage_and_recovers_with_answers() {
        let budget = RetryBudget::default();
        let mut failures = 0;
        while budget.allows_retry() {
            budget.record_failure();
            failures += 1;
        }
        assert_eq!(failures, 5, "half of ten tokens");
        for _ in 0..10 {
            budget.record_answer();
        }
        assert!(budget.allows_retry(), "ten answers earn a token back");
    }
}
