//! One token request, sent by the token cache itself and classified. It does not go through the
//! generated client: the hooks would then have to tell it apart from the calls it authorises.

use std::sync::Arc;
use std::time::Instant as StdInstant;

use reqwest::header::{HeaderValue, DATE};
use tokio::time::Instant;

use super::clock::Clock;
use super::error::TokenError;
use super::policy::TokenPolicy;
use super::token::{AccessToken, Freshness, IssuedToken};
use crate::call::{self, Attempt, Fate, Transport};
use crate::credentials::Credentials;
use crate::types::{ErrorBody, TokenRequest, TokenResponse};

/// Result codes documented as success (the docs show both).
const SUCCESS_CODES: [i32; 2] = [0, 200];

/// The most a token response may hold: a token and a few fields, never megabytes.
pub(crate) const TOKEN_RESPONSE_LIMIT: usize = 64 * 1024;

/// Everything a refresh task needs; holds no reference to the cache.
#[derive(Clone)]
pub(crate) struct Fetcher {
    pub http: reqwest::Client,
    /// The token endpoint: the base URL and the spec's path of `generate_token`.
    pub url: String,
    pub credentials: Credentials,
    pub policy: TokenPolicy,
    pub clock: Arc<dyn Clock>,
}

impl Fetcher {
    pub(crate) async fn fetch(&self) -> Result<AccessToken, TokenError> {
        let sent_at = Instant::now();
        let sent_at_wall = self.clock.now();
        let started = StdInstant::now();
        tracing::debug!(target: "enkash::token", "requesting an access token");

        let outcome = self
            .request(sent_at, sent_at_wall)
            .await
            .and_then(|token| self.usable_on_arrival(token));
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(token) => tracing::info!(
                target: "enkash::token",
                elapsed_ms,
                lifetime_s = token.lifetime().as_secs(),
                "access token refreshed"
            ),
            Err(error) => tracing::warn!(
                target: "enkash::token",
                elapsed_ms,
                rejected = error.is_rejected(),
                %error,
                "access token refresh failed"
            ),
        }
        outcome
    }

    /// A token is anchored to the time its request left, so a slow answer can bring a token
    /// that is already past its hard point: that is a failed refresh, not a token to hand out.
    fn usable_on_arrival(&self, token: AccessToken) -> Result<AccessToken, TokenError> {
        match token.freshness(Instant::now(), self.clock.now()) {
            Freshness::Unusable => Err(TokenError::transient(
                Some(200),
                format!(
                    "the token arrived past its hard point: the answer took longer than the \
                     {} ms the token was usable for",
                    token.lifetime().as_millis()
                ),
            )),
            _ => Ok(token),
        }
    }

    async fn request(
        &self,
        sent_at: Instant,
        sent_at_wall: std::time::SystemTime,
    ) -> Result<AccessToken, TokenError> {
        let body = TokenRequest {
            access_key: self.credentials.access_key().clone(),
            secret_key: self.credentials.secret_key().clone(),
        };
        // The guide asks for an `API-Key` header without saying what it holds; third-party code
        // sends the access key.
        let mut api_key = HeaderValue::from_str(self.credentials.access_key().expose_secret())
            .map_err(|_| TokenError::transient(None, "the access key is not a header value"))?;
        api_key.set_sensitive(true);
        let request = self
            .http
            .post(&self.url)
            .header("API-Key", api_key)
            .json(&body)
            .build()
            .map_err(|e| TokenError::transient(None, format!("the request failed: {e}")))?;
        let attempt = call::send(
            &self.http,
            request,
            TOKEN_RESPONSE_LIMIT,
            call::Scrub::Nothing,
        )
        .await;
        let times = Times {
            sent_at,
            sent_at_wall,
            received_at_wall: self.clock.now(),
        };
        judge(attempt, times, &self.policy)
    }
}

/// When a token request was sent (both clocks) and when its answer arrived (wall clock).
pub(crate) struct Times {
    pub sent_at: Instant,
    pub sent_at_wall: std::time::SystemTime,
    pub received_at_wall: std::time::SystemTime,
}

/// What a token response amounts to: a token anchored to the local clocks, or why not.
/// Messages never quote the response body: it may hold a token.
pub(crate) fn judge(
    attempt: Attempt,
    times: Times,
    policy: &TokenPolicy,
) -> Result<AccessToken, TokenError> {
    let answer = match attempt {
        Attempt::Failed(error) => return Err(failed(&error)),
        Attempt::Answer(answer) => answer,
    };
    let status = answer.status.as_u16();
    if answer.oversized {
        return Err(TokenError::transient(
            Some(status),
            "the token response is larger than 64 KiB and was not read",
        ));
    }
    if status != 200 {
        return Err(refused(status, answer.body()));
    }
    let body: TokenResponse =
        serde_json::from_slice(answer.body()).map_err(|e| not_json(Some(&e)))?;
    let server_date = answer
        .headers
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());

    if let Some(code) = body.result_code.filter(|c| !SUCCESS_CODES.contains(c)) {
        return Err(TokenError::Rejected {
            status: Some(200),
            code: Some(code),
            message: body
                .result_message
                .unwrap_or_else(|| "no message".to_string()),
        });
    }
    AccessToken::anchor(
        IssuedToken {
            token: body.token,
            expiry_ms: body.expiry,
            server_date,
            sent_at: times.sent_at,
            sent_at_wall: times.sent_at_wall,
            received_at_wall: times.received_at_wall,
        },
        policy,
    )
}

/// A token request that got no answer.
fn failed(error: &reqwest::Error) -> TokenError {
    let kind = match Transport::of(error) {
        Transport::Timeout => "timed out",
        Transport::NotSent => "could not connect",
        Transport::NotBuilt | Transport::Lost => "the request failed",
    };
    TokenError::transient(None, format!("{kind}: {error}"))
}

/// A token response with a status other than 200: an error body's words when it has one.
fn refused(status: u16, body: &[u8]) -> TokenError {
    if !(400..600).contains(&status) {
        return classify_status(status, None, format!("unexpected HTTP {status}"));
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(body) => {
            let message = match body.result_message.or(body.response_message) {
                Some(message) => format!("HTTP {status}: {message}"),
                None => format!("HTTP {status}"),
            };
            classify_status(status, body.result_code.or(body.response_code), message)
        }
        // Not EnKash's error (a proxy's page, say): nothing says the credentials were refused.
        Err(_) => TokenError::transient(
            Some(status),
            format!("HTTP {status}, with a body that is not the documented JSON"),
        ),
    }
}

/// A token response that is not the documented JSON; where it went wrong, never what it held.
fn not_json(error: Option<&serde_json::Error>) -> TokenError {
    let place = error.map_or(String::new(), |e| {
        format!(
            " ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    });
    TokenError::transient(
        None,
        format!("the token response is not the documented JSON{place}"),
    )
}

/// A refusal status (a 4xx other than 408 and 429: the call loop's own table) rejects the
/// credentials; anything else may cure itself.
fn classify_status(status: u16, code: Option<i32>, message: String) -> TokenError {
    match Fate::of(status) {
        Fate::Refused => TokenError::Rejected {
            status: Some(status),
            code,
            message,
        },
        _ => TokenError::transient(Some(status), message),
    }
}
