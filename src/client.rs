//! Building an authenticated [`Client`].

use std::net::IpAddr;
use std::time::Duration;

use crate::auth::{AccessToken, AuthSettings, Authenticator, TokenError, TokenPolicy, Unusable};
use crate::credentials::Credentials;
use crate::state::ClientState;
use crate::Client;

/// The EnKash environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// UAT, EnKash's test environment: `https://olympus-pg-uat.enkash.in`.
    Uat,
    /// Production: `https://olympus-pg.enkash.in`. This host is known only from third-party
    /// code, not from EnKash's documentation; confirm it with EnKash before going live.
    Production,
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Uat => "https://olympus-pg-uat.enkash.in",
            Self::Production => "https://olympus-pg.enkash.in",
        }
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// Neither `base_url` nor `environment` was given.
    #[error("no base URL: call .base_url(..) or .environment(..)")]
    MissingBaseUrl,
    /// `credentials` was not given, or a key is empty.
    #[error("no credentials: call .credentials(access_key, secret_key) with non-empty keys")]
    MissingCredentials,
    /// The access key cannot be sent as an HTTP header.
    #[error("the access key contains characters that cannot be sent in an HTTP header")]
    InvalidAccessKey,
    /// The base URL does not parse, or is not http(s).
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain `http://` to a host other than loopback would send credentials in clear text.
    #[error("refusing to send credentials over plain http to {url:?}: use https (plain http is allowed only for loopback addresses)")]
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// The token policy cannot work (a fraction out of range, a duration longer than a year).
    #[error("{0}")]
    InvalidPolicy(&'static str),
    /// The token store's settings cannot work (a lease of zero or longer than a year).
    #[error("{0}")]
    InvalidTokenStore(&'static str),
    /// The HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    Http(String),
}

/// Configures a [`Client`]. Start with [`Client::builder`].
#[derive(Debug)]
#[must_use = "call .build() to get a client"]
pub struct ClientBuilder {
    base_url: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    timeout: Duration,
    /// Credentials, token policy, clock and token store: the auth module checks them.
    auth: AuthSettings,
    retry_policy: crate::RetryPolicy,
    max_response_bytes: usize,
}

impl Client {
    /// Starts configuring a client. It is the only way to make one: progenitor's
    /// `Client::new` and `Client::new_with_client` are not public, so a client's state cannot be
    /// paired with a base URL the builder did not check.
    ///
    /// ```compile_fail
    /// # fn demo(client: &enkash::Client) {
    /// let state = progenitor_client::ClientInfo::inner(client).clone();
    /// let elsewhere = enkash::Client::new("http://192.0.2.1", state);
    /// # }
    /// ```
    ///
    /// ```
    /// let client = enkash::Client::builder()
    ///     .environment(enkash::Environment::Uat)
    ///     .credentials("ACCESS_KEY", "SECRET_KEY")
    ///     .build()?;
    /// # Ok::<(), enkash::BuildError>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            base_url: None,
            http: None,
            timeout: Duration::from_secs(30),
            auth: AuthSettings::default(),
            retry_policy: crate::RetryPolicy::default(),
            max_response_bytes: crate::call::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// A token that may be used now: the cached one, or a new one if it is missing or about to
    /// expire. Concurrent callers share one token request.
    ///
    /// You rarely need this: every generated operation calls it for you. The token endpoint
    /// itself is not public (the spec marks it `x-enkash-internal`): the cache owns it, and no
    /// public path can print a token response.
    ///
    /// ```compile_fail
    /// # async fn demo(client: enkash::Client) {
    /// let raw = client.generate_token().send().await;
    /// # }
    /// ```
    ///
    /// ```compile_fail
    /// # fn demo(client: &enkash::Client) {
    /// let raw = enkash::builder::GenerateToken::new(client);
    /// # }
    /// ```
    ///
    /// ```no_run
    /// # async fn demo(client: enkash::Client) -> Result<(), enkash::TokenError> {
    /// let token = client.access_token().await?;
    /// println!("token valid for {:?}", token.remaining());
    /// # Ok(()) }
    /// ```
    pub async fn access_token(&self) -> Result<AccessToken, TokenError> {
        self.inner.auth().access_token().await
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }
}

impl ClientBuilder {
    /// Sends requests to this base URL (scheme, host, optional port and path stem). Plain
    /// `http://` is accepted only for loopback hosts, such as the sandbox.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends requests to one of EnKash's environments.
    pub fn environment(self, environment: Environment) -> Self {
        self.base_url(environment.base_url())
    }

    /// The merchant's access key and secret key.
    pub fn credentials(
        mut self,
        access_key: impl Into<crate::SecretString>,
        secret_key: impl Into<crate::SecretString>,
    ) -> Self {
        self.auth.credentials = Some(Credentials::new(access_key, secret_key));
        self
    }

    /// Builds the HTTP client from this `reqwest::ClientBuilder` (proxies, TLS settings,
    /// timeouts) instead of the default, which has a 10 s connect timeout and the
    /// [`timeout`](Self::timeout) per request.
    ///
    /// Whatever the builder says, the client follows no redirect: reqwest's default follows up
    /// to 10, which would send a payment again (card data and the `merchantAccessKey` header
    /// included) to wherever a `Location` header points, and a redirect that then failed to
    /// connect would read as "never sent". That is why this takes a builder, not a built
    /// `reqwest::Client`, whose redirect policy cannot be seen or changed. A 3xx ends the call
    /// with an unknown outcome (see the README's retry matrix).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let http = reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(30));
    /// let client = enkash::Client::builder()
    ///     .environment(enkash::Environment::Uat)
    ///     .credentials("ACCESS_KEY", "SECRET_KEY")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok::<(), enkash::BuildError>(())
    /// ```
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Time limit for each request with the default HTTP client (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Token refresh tuning; see [`TokenPolicy`].
    pub fn token_policy(mut self, policy: TokenPolicy) -> Self {
        self.auth.policy = policy;
        self
    }

    /// How calls that fail in transit are retried (default [`RetryPolicy::default`]: 3
    /// attempts); [`RetryPolicy::none`] turns retries off. Payments are never sent twice
    /// whatever the policy: see [`RetryPolicy`].
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
    /// [`RetryPolicy::default`]: crate::RetryPolicy::default
    /// [`RetryPolicy::none`]: crate::RetryPolicy::none
    pub fn retry_policy(mut self, policy: crate::RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The most bytes of body an answer may have (default 4 MiB). A larger one is not read:
    /// the call fails with a [`CallErrorKind::Decode`](crate::CallErrorKind::Decode) error
    /// that says so, and the client never holds more than this. Token responses have their
    /// own fixed limit of 64 KiB.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Shares one token with every process that uses the same credentials through this store
    /// (default: none; each process fetches its own, as a lone process should).
    ///
    /// The in-process cache stays in front: a cache hit never touches the store. On a miss or
    /// a due refresh the client reads the fleet's token; if there is none, one process wins the
    /// store's refresh lease and fetches for all, and the others wait for it. A store that is
    /// down, slow or answering garbage never fails a call: the process fetches for itself and
    /// tries the store again after a pause. What the store holds is sealed: see
    /// [`TokenStore`](crate::store::TokenStore).
    ///
    /// ```no_run
    /// # #[cfg(feature = "redis")]
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = enkash::store::RedisTokenStore::connect("redis://127.0.0.1:6379").await?;
    /// let client = enkash::Client::builder()
    ///     .environment(enkash::Environment::Uat)
    ///     .credentials("ACCESS_KEY", "SECRET_KEY")
    ///     .token_store(store)
    ///     .build()?;
    /// # drop(client); Ok(()) }
    /// ```
    #[cfg(feature = "token-store")]
    pub fn token_store(mut self, store: impl crate::store::TokenStore) -> Self {
        self.auth.token_store = Some(std::sync::Arc::new(store));
        self
    }

    /// The wall clock the token cache reads (default: the system clock). For tests, which make
    /// it jump; only with the cargo feature `test-util`.
    #[cfg(feature = "test-util")]
    pub fn clock(mut self, clock: std::sync::Arc<dyn crate::auth::Clock>) -> Self {
        self.auth.clock = Some(clock);
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent yet: the first token is
    /// requested by the first call that needs one.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = checked_base_url(self.base_url.ok_or(BuildError::MissingBaseUrl)?)?;
        let http = match self.http {
            Some(builder) => builder,
            None => reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10).min(self.timeout))
                .timeout(self.timeout),
        }
        // A redirect would send a payment again, elsewhere (a 307/308 re-POSTs it with its card
        // data and access key; a 301/302/303 turns it into a GET). A 3xx leaves the outcome
        // unknown instead.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| BuildError::Http(e.to_string()))?;

        let auth = Authenticator::new(self.auth, &http, &base_url).map_err(build_error)?;
        let calls = crate::call::CallSettings {
            policy: self.retry_policy,
            budget: Default::default(),
            max_response_bytes: self.max_response_bytes,
            attempt_timeout: self.timeout,
        };
        Ok(Client::new_with_client(
            &base_url,
            http,
            ClientState::new(auth, calls),
        ))
    }
}

/// Why the auth settings were refused, as the builder tells the merchant. (A function, not a
/// `From` impl: a public impl would show the crate-private `Unusable` in the docs.)
fn build_error(problem: Unusable) -> BuildError {
    match problem {
        Unusable::MissingCredentials => BuildError::MissingCredentials,
        Unusable::InvalidAccessKey => BuildError::InvalidAccessKey,
        Unusable::Policy(problem) => BuildError::InvalidPolicy(problem),
        Unusable::Store(problem) => BuildError::InvalidTokenStore(problem),
        Unusable::NoTokenOperation => {
            BuildError::Http("the spec has no generate_token".to_string())
        }
    }
}

/// Parses the base URL, refuses clear-text credentials to remote hosts, and drops a trailing
/// slash (the generated paths start with one).
fn checked_base_url(url: String) -> Result<String, BuildError> {
    let parsed = reqwest::Url::parse(&url).map_err(|e| BuildError::InvalidBaseUrl {
        url: url.clone(),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => return Err(BuildError::InsecureBaseUrl { url }),
        other => {
            return Err(BuildError::InvalidBaseUrl {
                reason: format!("scheme {other:?} is not http or https"),
                url,
            })
        }
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(BuildError::InvalidBaseUrl {
            url,
            reason: "a base URL has no query or fragment".to_string(),
        });
    }
    Ok(url.trim_end_matches('/').to_string())
}

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
