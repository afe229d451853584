//! Authentication: the token cache, its token requests and its use of a fleet's token store,
//! and [`Authenticator`], which puts the token and the access key on every call and builds all
//! of it from the builder's [`AuthSettings`].

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

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use cache::TokenCache;
// Public (at the crate root) only with the `test-util` feature; the cache reads them either way.
pub use clock::{Clock, SystemClock};
pub use error::TokenError;
use fetch::Fetcher;
#[cfg(feature = "fuzzing")]
pub(crate) use fetch::{judge as judge_token_response, Times as TokenTimes};
use hit_clock::HitClock;
pub use policy::TokenPolicy;
use shared::SharedTokens;
pub use token::AccessToken;

use crate::credentials::Credentials;

/// The header that carries the merchant's access key on every authenticated call.
const MERCHANT_ACCESS_KEY: HeaderName = HeaderName::from_static("merchantaccesskey");

/// What the [`ClientBuilder`](crate::ClientBuilder) gathers for authentication; checked and
/// turned into an [`Authenticator`] by [`Authenticator::new`].
#[derive(Debug, Default)]
pub(crate) struct AuthSettings {
    pub credentials: Option<Credentials>,
    pub policy: TokenPolicy,
    /// `None`: the system clock.
    pub clock: Option<Arc<dyn Clock>>,
    #[cfg(feature = "token-store")]
    pub token_store: Option<Arc<dyn crate::store::TokenStore>>,
}

/// Why [`AuthSettings`] cannot make an [`Authenticator`] (the builder words each for the
/// merchant as a `BuildError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// No credentials, or a key is empty.
    MissingCredentials,
    /// The access key cannot be sent as an HTTP header.
    InvalidAccessKey,
    /// The token policy cannot work.
    Policy(&'static str),
    /// The token store's settings cannot work.
    #[cfg_attr(not(feature = "token-store"), allow(dead_code))]
    Store(&'static str),
    /// The spec has no token operation (a broken build, not a merchant's mistake).
    NoTokenOperation,
}

/// Puts the token and the access key on every call: the token cache and the access key's
/// header value, shared by a client's clones.
#[derive(Clone)]
pub(crate) struct Authenticator {
    cache: Arc<TokenCache>,
    /// `merchantAccessKey: <access key>`, marked sensitive.
    access_key: HeaderValue,
}

impl Authenticator {
    /// Checks `settings` and builds the token cache on them: token requests go to `base_url`
    /// (already checked) through `http`. Nothing is sent yet.
    pub(crate) fn new(
        settings: AuthSettings,
        http: &reqwest::Client,
        base_url: &str,
    ) -> Result<Self, Unusable> {
        let credentials = settings
            .credentials
            .filter(|c| {
                !c.access_key().expose_secret().is_empty()
                    && !c.secret_key().expose_secret().is_empty()
            })
            .ok_or(Unusable::MissingCredentials)?;
        let mut access_key = HeaderValue::try_from(credentials.access_key().expose_secret())
            .map_err(|_| Unusable::InvalidAccessKey)?;
        access_key.set_sensitive(true);
        if let Some(problem) = settings.policy.problem() {
            return Err(Unusable::Policy(problem));
        }
        #[cfg(feature = "token-store")]
        if let Some(problem) = settings
            .token_store
            .as_deref()
            .and_then(shared::settings_problem)
        {
            return Err(Unusable::Store(problem));
        }
        #[cfg(feature = "token-store")]
        let shared = settings.token_store.map(|store| {
            SharedTokens::new(store, crate::store::Sealer::new(&credentials, base_url))
        });
        #[cfg(not(feature = "token-store"))]
        let shared: Option<SharedTokens> = None;
        let token_path = crate::call::operations::find("generate_token")
            .map(|operation| operation.path)
            .ok_or(Unusable::NoTokenOperation)?;
        let fetcher = Fetcher {
            http: http.clone(),
            url: format!("{base_url}{token_path}"),
            credentials,
            policy: settings.policy.clone(),
            clock: settings
                .clock
                .clone()
                .unwrap_or_else(|| Arc::new(SystemClock)),
        };
        let cache = TokenCache::new(
            fetcher,
            shared,
            settings.policy,
            HitClock::new(settings.clock),
        );
        Ok(Self {
            cache: Arc::new(cache),
            access_key,
        })
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

    /// The gateway refused the token sent as `sent`: drop it, if it is still the current one.
    pub(crate) fn invalidate(&self, sent: &HeaderValue) {
        self.cache.invalidate(sent);
    }

    /// The token policy, for `Debug`.
    pub(crate) fn policy(&self) -> &TokenPolicy {
        self.cache.policy()
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
            .auth()
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
