//! An access token and the two local deadlines it is anchored to.
//!
//! Over 400 lines with its unit tests; the code is 286.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "token-store")]
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::error::TokenError;
use super::policy::TokenPolicy;
use crate::SecretString;

/// A bearer token from EnKash, as handed out by [`Client::access_token`](crate::Client::access_token).
///
/// Cheap to clone. `Debug` shows the expiry, never the token; there is no `Display`.
#[derive(Clone)]
pub struct AccessToken(pub(crate) Arc<TokenState>);

/// Where a token stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Freshness {
    /// Use it.
    Fresh,
    /// Use it, and refresh in the background.
    RefreshDue,
    /// Never hand it out again.
    Unusable,
}

pub(crate) struct TokenState {
    value: SecretString,
    /// `Bearer <token>`, built once and marked sensitive.
    header: HeaderValue,
    lifetime: Duration,
    /// The local wall-clock time at which the token expires.
    expires_at: SystemTime,
    /// The same on the monotonic clock: what a replica publishes as the shared entry's TTL.
    #[cfg(feature = "token-store")]
    expires_at_instant: Instant,
    refresh_at: Instant,
    unusable_at: Instant,
    refresh_at_wall: SystemTime,
    unusable_at_wall: SystemTime,
    /// The sealed bytes this token was shared as, if it went through a token store: what a
    /// 401 compares and deletes.
    #[cfg(feature = "token-store")]
    stored: OnceLock<Arc<[u8]>>,
}

/// What the token endpoint said, with the local times taken before the request was sent.
pub(crate) struct IssuedToken {
    pub token: Option<SecretString>,
    pub expiry_ms: Option<i64>,
    /// The server's clock when it answered (its `Date` header), if it sent one.
    pub server_date: Option<SystemTime>,
    pub sent_at: Instant,
    pub sent_at_wall: SystemTime,
    /// The local wall clock when the response arrived.
    pub received_at_wall: SystemTime,
}

impl AccessToken {
    /// Checks an issued token and anchors it locally.
    ///
    /// The remaining lifetime is `expiry` minus the server's notion of now (its `Date` header,
    /// else the local clock on arrival), so a server whose clock is off works normally. It is
    /// anchored to the instants taken *before* the request was sent: latency shortens the
    /// believed lifetime, never lengthens it.
    pub(crate) fn anchor(issued: IssuedToken, policy: &TokenPolicy) -> Result<Self, TokenError> {
        let value = issued
            .token
            .filter(|t| !t.expose_secret().is_empty())
            .ok_or_else(|| TokenError::Rejected {
                status: Some(200),
                code: None,
                message: "the response carried no token".to_string(),
            })?;
        let expiry_ms = issued
            .expiry_ms
            .ok_or_else(|| TokenError::transient(Some(200), "the token response had no expiry"))?;
        let server_now_ms = match issued.server_date {
            // `Date` has one-second resolution: assume the latest instant it may stand for.
            Some(date) => epoch_ms(date) + 999,
            None => epoch_ms(issued.received_at_wall),
        };
        let lifetime_ms = expiry_ms.saturating_sub(server_now_ms);
        if lifetime_ms <= 0 {
            return Err(TokenError::transient(
                Some(200),
                format!("the token had already expired when it arrived ({lifetime_ms} ms)"),
            ));
        }
        let claimed = Duration::from_millis(lifetime_ms as u64);
        // EnKash documents no lifetime. A very long one is used, but only up to the cap: the
        // client refreshes at the cap rather than trusting a token for weeks, or refusing it.
        let lifetime = claimed.min(policy.max_lifetime);
        if claimed > lifetime {
            tracing::warn!(
                target: "enkash::token",
                claimed_s = claimed.as_secs(),
                capped_s = lifetime.as_secs(),
                "the token claims a longer life than the policy's max_lifetime; treating it as capped"
            );
        }
        Self::build(
            value,
            lifetime,
            lifetime,
            issued.sent_at,
            issued.sent_at_wall,
            policy,
        )
    }

    /// A token read from a shared store: granted for `lifetime`, with `remaining` left by the
    /// store's TTL at the moment the read was sent (`sent_at`), so the read's latency shortens
    /// the believed lifetime, never lengthens it. The refresh points scale with the granted
    /// lifetime, as for the replica that fetched it, so the fleet agrees on them.
    #[cfg(feature = "token-store")]
    pub(crate) fn from_shared(
        value: SecretString,
        lifetime: Duration,
        remaining: Duration,
        sent_at: Instant,
        sent_at_wall: SystemTime,
        policy: &TokenPolicy,
    ) -> Result<Self, TokenError> {
        let lifetime = lifetime.min(policy.max_lifetime);
        Self::build(
            value,
            lifetime,
            remaining.min(lifetime),
            sent_at,
            sent_at_wall,
            policy,
        )
    }

    fn build(
        value: SecretString,
        lifetime: Duration,
        remaining: Duration,
        sent_at: Instant,
        sent_at_wall: SystemTime,
        policy: &TokenPolicy,
    ) -> Result<Self, TokenError> {
        let mut header = HeaderValue::try_from(format!("Bearer {}", value.expose_secret()))
            .map_err(|_| {
                TokenError::transient(Some(200), "the token is not a valid header value")
            })?;
        header.set_sensitive(true);

        // Points before the anchor (a shared token already past them) are due at once.
        let refresh_after = remaining.saturating_sub(policy.refresh_ahead_for(lifetime));
        let unusable_after = remaining.saturating_sub(policy.expiry_margin_for(lifetime));
        // Checked: a policy with a huge `max_lifetime` must not overflow the clocks.
        let deadlines = (|| {
            Some(TokenState {
                expires_at: sent_at_wall.checked_add(remaining)?,
                #[cfg(feature = "token-store")]
                expires_at_instant: sent_at.checked_add(remaining)?,
                refresh_at: sent_at.checked_add(refresh_after)?,
                unusable_at: sent_at.checked_add(unusable_after)?,
                refresh_at_wall: sent_at_wall.checked_add(refresh_after)?,
                unusable_at_wall: sent_at_wall.checked_add(unusable_after)?,
                value,
                header,
                lifetime,
                #[cfg(feature = "token-store")]
                stored: OnceLock::new(),
            })
        })();
        deadlines
            .map(|state| Self(Arc::new(state)))
            .ok_or_else(|| TokenError::transient(Some(200), "the token's expiry is out of range"))
    }

    /// The token, to send as `Authorization: Bearer <token>`.
    pub fn as_str(&self) -> &str {
        self.0.value.expose_secret()
    }

    /// When the token expires, on the local wall clock.
    pub fn expires_at(&self) -> SystemTime {
        self.0.expires_at
    }

    /// The lifetime the gateway granted, measured on the gateway's clock.
    pub fn lifetime(&self) -> Duration {
        self.0.lifetime
    }

    /// Time left before expiry on the local wall clock (zero once past).
    pub fn remaining(&self) -> Duration {
        self.expires_at()
            .duration_since(SystemTime::now())
            .unwrap_or_default()
    }

    /// The refresh and hard points on both clocks: `(refresh_at, unusable_at, refresh_at_wall,
    /// unusable_at_wall)`. For the model test in `tests/`, which checks them exactly.
    #[cfg(feature = "test-util")]
    #[doc(hidden)]
    pub fn deadlines(&self) -> (Instant, Instant, SystemTime, SystemTime) {
        let state = &self.0;
        (
            state.refresh_at,
            state.unusable_at,
            state.refresh_at_wall,
            state.unusable_at_wall,
        )
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.0.header
    }

    /// Time left before expiry on the monotonic clock, from `now`.
    #[cfg(feature = "token-store")]
    pub(crate) fn remaining_at(&self, now: Instant) -> Duration {
        self.0.expires_at_instant.saturating_duration_since(now)
    }

    #[cfg(feature = "token-store")]
    pub(crate) fn value(&self) -> &SecretString {
        &self.0.value
    }

    /// The sealed bytes this token is shared as, if any.
    #[cfg(feature = "token-store")]
    pub(crate) fn stored(&self) -> Option<&Arc<[u8]>> {
        self.0.stored.get()
    }

    /// Records the sealed bytes this token is shared as (once).
    #[cfg(feature = "token-store")]
    pub(crate) fn set_stored(&self, sealed: Arc<[u8]>) {
        let _ = self.0.stored.set(sealed);
    }

    /// The worse of what the monotonic and the wall-clock deadlines say.
    pub(crate) fn freshness(&self, now: Instant, now_wall: SystemTime) -> Freshness {
        self.0.freshness(now, now_wall)
    }
}

impl TokenState {
    /// The worse of what the monotonic and the wall-clock deadlines say: monotonic time stops
    /// during suspend, wall time can jump, and either alone would hand out a dead token.
    pub(crate) fn freshness(&self, now: Instant, now_wall: SystemTime) -> Freshness {
        if now >= self.unusable_at || now_wall >= self.unusable_at_wall {
            Freshness::Unusable
        } else if now >= self.refresh_at || now_wall >= self.refresh_at_wall {
            Freshness::RefreshDue
        } else {
            Freshness::Fresh
        }
    }

    /// `Bearer <token>`, marked sensitive.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.0.expires_at)
            .field("lifetime", &self.0.lifetime)
            .finish()
    }
}

/// Milliseconds since the UNIX epoch (negative before it), as EnKash states `expiry`.
pub(crate) fn epoch_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: Duration = Duration::from_nanos(1);

    /// Issues a token of `lifetime` (on the server's clock, stated by its `Date` header)
    /// to a client whose wall clock reads `local_wall`.
    fn issue(
        lifetime_ms: i64,
        server_date_ms: Option<i64>,
        local_wall: SystemTime,
    ) -> (Result<AccessToken, TokenError>, Instant) {
        let sent_at = Instant::now();
        let server_now = server_date_ms.map(|ms| UNIX_EPOCH + Duration::from_millis(ms as u64));
        let base_ms = server_date_ms.map_or(epoch_ms(local_wall), |ms| ms + 999);
        let issued = IssuedToken {
            token: Some("tok".into()),
            expiry_ms: Some(base_ms + lifetime_ms),
            server_date: server_now,
            sent_at,
            sent_at_wall: local_wall,
            received_at_wall: local_wall,
        };
        (
            AccessToken::anchor(issued, &TokenPolicy::default()),
            sent_at,
        )
    }

    /// Checks the three states at the exact boundaries, on both clocks.
    fn assert_boundaries(lifetime: Duration, refresh_at: Duration, unusable_at: Duration) {
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (token, sent) = issue(lifetime.as_millis() as i64, None, wall);
        let token = token.unwrap();
        assert_eq!(token.lifetime(), lifetime);
        assert_eq!(token.expires_at(), wall + lifetime);
        let cases = [
            (refresh_at - NS, Freshness::Fresh),
            (refresh_at, Freshness::RefreshDue),
            (unusable_at - NS, Freshness::RefreshDue),
            (unusable_at, Freshness::Unusable),
        ];
        for (after, expected) in cases {
            // Monotonic clock moves, wall clock does not...
            assert_eq!(
                token.freshness(sent + after, wall),
                expected,
                "monotonic {after:?}"
            );
            // ...and the other way round (a suspend, or a wall-clock jump).
            assert_eq!(
                token.freshness(sent, wall + after),
                expected,
                "wall {after:?}"
            );
        }
    }

    #[test]
    fn an_hour_token_refreshes_5_min_ahead_and_stops_60_s_ahead() {
        let hour = Duration::from_secs(3600);
        assert_boundaries(
            hour,
            hour - Duration::from_secs(300),
            hour - Duration::from_secs(60),
        );
    }

    #[test]
    fn a_ten_second_token_refreshes_at_half_life_and_stops_at_nine_tenths() {
        assert_boundaries(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::from_secs(9),
        );
    }

    #[test]
    fn lifetime_is_measured_on_the_servers_clock() {
        let local = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for skew_s in [-3600_i64, 0, 3600] {
            let server_ms = epoch_ms(local) + skew_s * 1000;
            let (token, _) = issue(600_000, Some(server_ms), local);
            let token = token.unwrap();
            assert_eq!(token.lifetime(), Duration::from_secs(600), "skew {skew_s}");
            assert_eq!(
                token.expires_at(),
                local + Duration::from_secs(600),
                "skew {skew_s}"
            );
        }
    }

    #[test]
    fn the_date_headers_resolution_shortens_the_lifetime_never_lengthens_it() {
        let local = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // expiry is 10 s after the second the Date header names; the server may have been
        // up to 999 ms into that second, so at most 10 s - 999 ms are believed.
        let sent_at = Instant::now();
        let issued = IssuedToken {
            token: Some("tok".into()),
            expiry_ms: Some(epoch_ms(local) + 10_000),
            server_date: Some(local),
            sent_at,
            sent_at_wall: local,
            received_at_wall: local,
        };
        let token = AccessToken::anchor(issued, &TokenPolicy::default()).unwrap();
        assert_eq!(token.lifetime(), Duration::from_millis(9_001));
    }

    #[test]
    fn past_and_missing_expiries_are_failed_refreshes_and_absurd_ones_are_capped() {
        let local = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for lifetime_ms in [0, -1, -86_400_000] {
            let (outcome, _) = issue(lifetime_ms, None, local);
            assert!(outcome.unwrap_err().is_transient(), "{lifetime_ms}");
        }
        let cap = TokenPolicy::default().max_lifetime;
        for lifetime_ms in [8 * 24 * 3600 * 1000, i64::MAX / 2] {
            let (outcome, _) = issue(lifetime_ms, None, local);
            assert_eq!(outcome.unwrap().lifetime(), cap, "{lifetime_ms}");
        }
        // The extremes of i64 do not overflow.
        let issued = |expiry_ms| IssuedToken {
            token: Some("tok".into()),
            expiry_ms,
            server_date: None,
            sent_at: Instant::now(),
            sent_at_wall: local,
            received_at_wall: local,
        };
        let capped = AccessToken::anchor(issued(Some(i64::MAX)), &TokenPolicy::default());
        assert_eq!(capped.unwrap().lifetime(), cap);
        for expiry in [Some(i64::MIN), None] {
            let outcome = AccessToken::anchor(issued(expiry), &TokenPolicy::default());
            assert!(outcome.unwrap_err().is_transient(), "{expiry:?}");
        }
    }
}
