//! When tokens are refreshed, when they stop being used, and how hard the token endpoint may
//! be asked.

use std::time::Duration;

use tokio::time::Instant;

/// The longest duration any setting may have, the token policy's and the token store's: a
/// year. Longer ones are configuration mistakes (`Duration::MAX` for "never"), and added to an
/// instant they would overflow the clock.
pub(crate) const LONGEST_SETTING: Duration = Duration::from_secs(365 * 24 * 3600);

/// Tuning for the token cache, a builder like [`RetryPolicy`](crate::RetryPolicy): start from
/// [`TokenPolicy::default`] and change what you need. The defaults suit the gateway; change them
/// only with a reason. Every duration must be at most a year (and `max_lifetime` above zero),
/// and fractions at least 0 and below 1:
/// [`ClientBuilder::build`](crate::ClientBuilder::build) refuses anything else.
///
/// With a token of lifetime `L`:
/// - **refresh ahead**: once less than `min(refresh_ahead, L * refresh_ahead_fraction)` remains,
///   one background refresh starts while callers keep using the current token;
/// - **expiry margin**: once less than `min(expiry_margin, L * expiry_margin_fraction)`
///   remains, the token is never handed out again, and callers wait for a new one.
///
/// Scaling with `L` keeps a token that lives only seconds useful for most of its life.
///
/// ```
/// use std::time::Duration;
///
/// let policy = enkash::TokenPolicy::default().refresh_ahead(Duration::from_secs(120));
/// let client = enkash::Client::builder()
///     .base_url("http://127.0.0.1:8080")
///     .credentials("ACCESS_KEY", "SECRET_KEY")
///     .token_policy(policy)
///     .build()
///     .unwrap();
/// # drop(client);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPolicy {
    // The fields are read by the cache and the token deadlines, beside this file.
    pub(super) refresh_ahead: Duration,
    pub(super) refresh_ahead_fraction: f64,
    pub(super) expiry_margin: Duration,
    pub(super) expiry_margin_fraction: f64,
    pub(super) min_request_interval: Duration,
    pub(super) backoff_initial: Duration,
    pub(super) backoff_max: Duration,
    pub(super) max_lifetime: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            refresh_ahead: Duration::from_secs(5 * 60),
            refresh_ahead_fraction: 0.5,
            expiry_margin: Duration::from_secs(60),
            expiry_margin_fraction: 0.1,
            min_request_interval: Duration::from_secs(1),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

impl TokenPolicy {
    /// Longest time before expiry at which a background refresh starts (default 5 min).
    pub fn refresh_ahead(mut self, before_expiry: Duration) -> Self {
        self.refresh_ahead = before_expiry;
        self
    }

    /// The same, as a fraction of the token's lifetime (default 0.5).
    pub fn refresh_ahead_fraction(mut self, fraction: f64) -> Self {
        self.refresh_ahead_fraction = fraction;
        self
    }

    /// Longest time before expiry after which a token is no longer handed out (default 60 s).
    pub fn expiry_margin(mut self, before_expiry: Duration) -> Self {
        self.expiry_margin = before_expiry;
        self
    }

    /// The same, as a fraction of the token's lifetime (default 0.1).
    pub fn expiry_margin_fraction(mut self, fraction: f64) -> Self {
        self.expiry_margin_fraction = fraction;
        self
    }

    /// Minimum time between two token requests, whatever the server returns (default 1 s).
    pub fn min_request_interval(mut self, interval: Duration) -> Self {
        self.min_request_interval = interval;
        self
    }

    /// First pause after a failed token request; doubles per failure (default 1 s).
    pub fn backoff_initial(mut self, pause: Duration) -> Self {
        self.backoff_initial = pause;
        self
    }

    /// Longest pause after repeated failures (default 30 s).
    pub fn backoff_max(mut self, pause: Duration) -> Self {
        self.backoff_max = pause;
        self
    }

    /// A token claiming to live longer than this is used as if it lived this long, and refreshed
    /// accordingly (default 7 days).
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// How long before expiry a token of `lifetime` starts refreshing.
    pub(crate) fn refresh_ahead_for(&self, lifetime: Duration) -> Duration {
        self.refresh_ahead
            .min(lifetime.mul_f64(self.refresh_ahead_fraction))
    }

    /// How long before expiry a token of `lifetime` stops being handed out.
    pub(crate) fn expiry_margin_for(&self, lifetime: Duration) -> Duration {
        self.expiry_margin
            .min(lifetime.mul_f64(self.expiry_margin_fraction))
    }

    /// The pause after `failures` consecutive failed refreshes, with jitter in [50%, 100%].
    pub(crate) fn backoff_after(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(16);
        let full = self
            .backoff_initial
            .saturating_mul(1 << doublings)
            .min(self.backoff_max);
        full.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// Why this policy cannot work, if it cannot.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        let durations = [
            self.refresh_ahead,
            self.expiry_margin,
            self.min_request_interval,
            self.backoff_initial,
            self.backoff_max,
            self.max_lifetime,
        ];
        if durations.iter().any(|d| *d > LONGEST_SETTING) {
            return Some("token policy durations must be at most a year (365 days)");
        }
        if self.max_lifetime.is_zero() {
            return Some("token policy: max_lifetime must be above zero");
        }
        let fraction_ok = |f: f64| (0.0..1.0).contains(&f);
        if !fraction_ok(self.refresh_ahead_fraction) || !fraction_ok(self.expiry_margin_fraction) {
            return Some("token policy fractions must be at least 0 and below 1");
        }
        if self.expiry_margin_fraction > self.refresh_ahead_fraction
            || self.expiry_margin > self.refresh_ahead
        {
            return Some(
                "token policy: the expiry margin must not exceed the refresh-ahead window",
            );
        }
        if self.backoff_initial > self.backoff_max {
            return Some("token policy: backoff_initial must not exceed backoff_max");
        }
        None
    }
}

/// `at + by`, or, should that overflow the clock, the farthest instant it can hold within 30
/// years (Tokio's "far future"): never a panic. Validated settings never get near it.
pub(crate) fn instant_after(at: Instant, by: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    at.checked_add(by)
        .or_else(|| at.checked_add(FAR))
        .unwrap_or(at)
}
