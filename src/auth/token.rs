//! An access token and the two local deadlines it is anchored to.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::{TokenError, TokenPolicy};
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
    refresh_at: Instant,
    unusable_at: Instant,
    refresh_at_wall: SystemTime,
    unusable_at_wall: SystemTime,
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
    pub(crate) fn anchor(
        issued: IssuedToken,
        policy: &TokenPolicy,
    ) -> Result<Self, TokenError> {
        let value = issued.token.filter(|t| !t.expose_secret().is_empty()).ok_or_else(|| {
            TokenError::Rejected {
                status: Some(200),
                code: None,
                message: "the response carried no token".to_string(),
            }
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
        let lifetime = Duration::from_millis(lifetime_ms as u64);
        if lifetime > policy.max_lifetime {
            return Err(TokenError::transient(
                Some(200),
                format!(
                    "the token claims to live {} s, more than the plausible {} s",
                    lifetime.as_secs(),
                    policy.max_lifetime.as_secs()
                ),
            ));
        }
        let mut header = HeaderValue::try_from(format!("Bearer {}", value.expose_secret()))
            .map_err(|_| TokenError::transient(Some(200), "the token is not a valid header value"))?;
        header.set_sensitive(true);

        let refresh_after = lifetime - policy.refresh_ahead_for(lifetime);
        let unusable_after = lifetime - policy.expiry_margin_for(lifetime);
        Ok(Self(Arc::new(TokenState {
            value,
            header,
            lifetime,
            expires_at: issued.sent_at_wall + lifetime,
            refresh_at: issued.sent_at + refresh_after,
            unusable_at: issued.sent_at + unusable_after,
            refresh_at_wall: issued.sent_at_wall + refresh_after,
            unusable_at_wall: issued.sent_at_wall + unusable_after,
        })))
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
        self.expires_at().duration_since(SystemTime::now()).unwrap_or_default()
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.0.header
    }

    /// The worse of what the monotonic and the wall-clock deadlines say: monotonic time stops
    /// during suspend, wall time can jump, and either alone would hand out a dead token.
    pub(crate) fn freshness(&self, now: Instant, now_wall: SystemTime) -> Freshness {
        let state = &self.0;
        if now >= state.unusable_at || now_wall >= state.unusable_at_wall {
            Freshness::Unusable
        } else if now >= state.refresh_at || now_wall >= state.refresh_at_wall {
            Freshness::RefreshDue
        } else {
            Freshness::Fresh
        }
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

fn epoch_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}
