//! Authentication: the token cache, its token requests and its use of a fleet's token store,
//! and [`Auth`], which puts the token and the access key on every call.

mod cache;
mod clock;
mod error;
mod fetch;
mod hit_clock;
mod policy;
#[cfg(feature = "token-store")]
mod shared;
#[cfg(not(feature = "token-store"))]
#[path = "no_shared.rs"]
mod shared;
mod token;

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

// Public (at the crate root) only with the `test-util` feature; the cache reads them either way.
pub use clock::{Clock, SystemClock};
pub use error::TokenError;
pub(crate) use hit_clock::HitClock;
pub use policy::TokenPolicy;
pub use token::AccessToken;

pub(crate) use cache::TokenCache;
pub(crate) use fetch::Fetcher;
#[cfg(feature = "fuzzing")]
pub(crate) use fetch::{judge as judge_token_response, Times as TokenTimes};
#[cfg(feature = "token-store")]
pub(crate) use shared::settings_problem as store_settings_problem;
pub(crate) use shared::SharedTokens;

/// The header that carries the merchant's access key on every authenticated call.
const MERCHANT_ACCESS_KEY: HeaderName = HeaderName::from_static("merchantaccesskey");

/// The authentication state of a [`Client`](crate::Client), shared by all its clones.
///
/// It is the generated client's inner value: you get one from
/// [`Client::builder`](crate::Client::builder), never directly. `Debug` shows no secret.
#[derive(Clone)]
pub struct Auth {
    cache: Arc<TokenCache>,
    /// `merchantAccessKey: <access key>`, marked sensitive.
    access_key: HeaderValue,
    /// How calls are made: retries, the retry budget, the response size limit.
    calls: Arc<crate::call::CallSettings>,
}

impl Auth {
    pub(crate) fn new(
        cache: TokenCache,
        access_key: HeaderValue,
        calls: crate::call::CallSettings,
    ) -> Self {
        Self {
            cache: Arc::new(cache),
            access_key,
            calls: Arc::new(calls),
        }
    }

    pub(crate) async fn access_token(&self) -> Result<AccessToken, TokenError> {
        self.cache.get().await
    }

    /// Adds both authentication headers to `request`, fetching a token if none may be used.
    /// On a cache hit the token is borrowed, not cloned: only its header value is copied.
    pub(crate) async fn authorize(&self, request: &mut reqwest::Request) -> Result<(), TokenError> {
        let headers = request.headers_mut();
        let hit = self
            .cache
            .hit(|token| self.put_headers(headers, token.header()));
        if hit.is_none() {
            let token = self.cache.get().await?;
            self.put_headers(headers, token.header());
        }
        Ok(())
    }

    /// The hit path as a call takes it, for the benchmarks: the token's header value, copied
    /// out of the cache as `put_headers` copies it, if a usable token is cached.
    #[cfg(feature = "test-util")]
    pub(crate) fn token_hit(&self) -> bool {
        self.cache
            .hit(|token| token.header().clone())
            .is_some_and(|header| !header.is_empty())
    }

    fn put_headers(&self, headers: &mut HeaderMap, token: &HeaderValue) {
        headers.insert(AUTHORIZATION, token.clone());
        headers.insert(MERCHANT_ACCESS_KEY, self.access_key.clone());
    }
}

/// What the call loop asks of authentication, for each retry and each 401.
impl crate::call::Authorize for Auth {
    fn call_settings(&self) -> &crate::call::CallSettings {
        &self.calls
    }

    async fn authorize(&self, request: &mut reqwest::Request) -> bool {
        Auth::authorize(self, request).await.is_ok()
    }

    fn invalidate(&self, sent: &HeaderValue) {
        self.cache.invalidate(sent);
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("credentials", &"<redacted>")
            .field("policy", self.cache.policy())
            .field("retry_policy", &self.calls.policy)
            .field("max_response_bytes", &self.calls.max_response_bytes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::token::IssuedToken;
    use super::*;

    #[test]
    fn both_auth_headers_are_marked_sensitive() {
        let client = crate::Client::builder()
            .base_url("http://127.0.0.1:9")
            .credentials("AK", "SK")
            .build()
            .unwrap();
        let now = SystemTime::now();
        let issued = IssuedToken {
            token: Some("tok".into()),
            expiry_ms: Some(
                now.duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as i64
                    + 60_000,
            ),
            server_date: None,
            sent_at: tokio::time::Instant::now(),
            sent_at_wall: now,
            received_at_wall: now,
        };
        let token = AccessToken::anchor(issued, &TokenPolicy::default()).unwrap();
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:9/api/v0/orders/x".parse().unwrap(),
        );
        client
            .inner
            .put_headers(request.headers_mut(), token.header());
        let headers = request.headers();
        assert_eq!(headers[AUTHORIZATION], "Bearer tok");
        assert_eq!(headers[MERCHANT_ACCESS_KEY], "AK");
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert!(headers[MERCHANT_ACCESS_KEY].is_sensitive());
        // Sensitive values are hidden by `http`'s own Debug, in case a request is logged.
        assert!(!format!("{headers:?}").contains("tok"), "{headers:?}");
    }
}
