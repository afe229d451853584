//! Authentication: credentials, the token cache and the hooks that attach the token to every
//! generated request.

mod cache;
mod clock;
mod credentials;
mod error;
mod fetch;
mod hooks;
mod policy;
mod token;

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

pub use clock::{Clock, SystemClock};
pub use credentials::Credentials;
pub use error::{TokenError, TokenErrorClass};
pub use policy::TokenPolicy;
pub use token::AccessToken;

pub(crate) use cache::TokenCache;
pub(crate) use fetch::Fetcher;

/// The header that carries the merchant's access key on every authenticated call.
const MERCHANT_ACCESS_KEY: HeaderName = HeaderName::from_static("merchantaccesskey");

/// The authentication state of a [`Client`](crate::Client), shared by all its clones.
///
/// It is the generated client's inner value: you get one from
/// [`Client::builder`](crate::Client::builder), never directly. `Debug` shows no secret.
#[derive(Clone)]
pub struct Auth {
    /// `None` only in the internal client that calls the token endpoint itself.
    cache: Option<Arc<TokenCache>>,
    /// `merchantAccessKey: <access key>`, marked sensitive.
    access_key: Option<HeaderValue>,
}

impl Auth {
    pub(crate) fn new(cache: TokenCache, access_key: HeaderValue) -> Self {
        Self {
            cache: Some(Arc::new(cache)),
            access_key: Some(access_key),
        }
    }

    /// For the client a refresh task uses: it only calls the token endpoint.
    pub(crate) fn token_endpoint_only() -> Self {
        Self {
            cache: None,
            access_key: None,
        }
    }

    pub(crate) async fn access_token(&self) -> Result<AccessToken, TokenError> {
        match &self.cache {
            Some(cache) => cache.get().await,
            None => Err(TokenError::Rejected {
                status: None,
                code: None,
                message: "this client has no credentials".to_string(),
            }),
        }
    }

    /// Adds both authentication headers to `request`.
    pub(crate) fn authorize(&self, request: &mut reqwest::Request, token: &AccessToken) {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, token.header().clone());
        if let Some(access_key) = &self.access_key {
            headers.insert(MERCHANT_ACCESS_KEY, access_key.clone());
        }
    }

    pub(crate) fn invalidate(&self, sent: &HeaderValue) {
        if let Some(cache) = &self.cache {
            cache.invalidate(sent);
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("credentials", &self.cache.as_ref().map(|_| "<redacted>"))
            .field("policy", &self.cache.as_ref().map(|c| c.policy()))
            .finish()
    }
}
