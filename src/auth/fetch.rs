//! One token request through the generated `generate_token` operation, classified.

use std::sync::Arc;
use std::time::Instant as StdInstant;

use reqwest::header::DATE;
use tokio::time::Instant;

use super::token::{Freshness, IssuedToken};
use super::{AccessToken, Clock, TokenError, TokenPolicy};
use crate::credentials::Credentials;
use crate::types::{ErrorBody, TokenRequest, TokenResponse};

/// Result codes documented as success (the docs show both).
const SUCCESS_CODES: [i32; 2] = [0, 200];

/// Everything a refresh task needs; holds no reference to the cache.
#[derive(Clone)]
pub(crate) struct Fetcher {
    /// A client for the token operation only (its hooks skip authentication for it).
    pub client: crate::Client,
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
        let result = self
            .client
            .generate_token()
            // The guide asks for an `API-Key` header without saying what it holds; third-party
            // code sends the access key. The hooks mark it sensitive.
            .api_key(self.credentials.access_key().expose_secret())
            .body(body)
            .send()
            .await;
        let times = Times {
            sent_at,
            sent_at_wall,
            received_at_wall: self.clock.now(),
        };
        judge(result, times, &self.policy)
    }
}

/// When a token request was sent (both clocks) and when its answer arrived (wall clock).
pub(crate) struct Times {
    pub sent_at: Instant,
    pub sent_at_wall: std::time::SystemTime,
    pub received_at_wall: std::time::SystemTime,
}

/// What a token response amounts to: a token anchored to the local clocks, or why not.
pub(crate) fn judge(
    result: Result<crate::ResponseValue<TokenResponse>, crate::Error<ErrorBody>>,
    times: Times,
    policy: &TokenPolicy,
) -> Result<AccessToken, TokenError> {
    let response = result.map_err(classify)?;
    let server_date = response
        .headers()
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let body = response.into_inner();

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

/// Sorts a failed token call into rejected (terminal) or transient. Messages never quote the
/// response body: it may hold a token.
fn classify(error: crate::Error<ErrorBody>) -> TokenError {
    use crate::Error as E;
    match error {
        E::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let body = response.into_inner();
            let message = match body.result_message.or(body.response_message) {
                Some(message) => format!("HTTP {status}: {message}"),
                None => format!("HTTP {status}"),
            };
            classify_status(status, body.result_code.or(body.response_code), message)
        }
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            classify_status(status, None, format!("unexpected HTTP {status}"))
        }
        E::InvalidResponsePayload(_, e) => not_json(Some(&e)),
        E::CommunicationError(mut e) | E::ResponseBodyError(mut e) | E::InvalidUpgrade(mut e) => {
            let ending = crate::call::CallTag::take_from_error(&mut e).map(|tag| tag.ending);
            if ending == Some(crate::call::Ending::Oversized) {
                return TokenError::transient(
                    Some(e.status().map_or(200, |s| s.as_u16())),
                    "the token response is larger than 64 KiB and was not read",
                );
            }
            if e.is_decode() && !e.is_timeout() {
                let source = std::error::Error::source(&e);
                return not_json(source.and_then(|s| s.downcast_ref::<serde_json::Error>()));
            }
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "the request failed"
            };
            TokenError::transient(e.status().map(|s| s.as_u16()), format!("{kind}: {e}"))
        }
        E::InvalidRequest(reason) | E::Custom(reason) => TokenError::transient(None, reason),
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

fn classify_status(status: u16, code: Option<i32>, message: String) -> TokenError {
    let retryable = status == 408 || status == 429 || !(400..500).contains(&status);
    if retryable {
        TokenError::transient(Some(status), message)
    } else {
        TokenError::Rejected {
            status: Some(status),
            code,
            message,
        }
    }
}
