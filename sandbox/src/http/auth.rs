//! Authentication of the gateway's calls: both headers, the bearer token's expiry on the
//! sandbox's clock, and the checkout side's anonymous calls.

use std::sync::atomic::Ordering;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::respond::{error, ok, refused};
use crate::ledger::Refusal;
use crate::{codes, Inner, SandboxState};

/// The token of an `Authorization: Bearer <token>` header. The scheme name is
/// case-insensitive (RFC 9110 section 11.1), so `bearer` and `BEARER` are accepted too.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start_matches(' '))
}

/// Checks both authentication headers; counts the call on success, the 401 otherwise.
/// Returns the 401 to send, or `None` when the caller may proceed.
pub(crate) fn unauthorized(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
) -> Option<Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut inner = state.lock();
    let now_ms = epoch_ms(inner.now());
    let problem = match (header("authorization"), header("merchantaccesskey")) {
        (None, _) => Some("Authorization header missing"),
        (_, None) => Some("merchantAccessKey header missing"),
        (_, Some(key)) if key != state.access_key => Some("Unknown merchantAccessKey"),
        (Some(auth), _) => match bearer_token(auth).and_then(|t| inner.tokens.get(t)) {
            None => Some("Token is invalid."),
            Some(&expiry) if expiry <= now_ms => Some("Token has expired."),
            Some(_) => None,
        },
    };
    match problem {
        None => {
            *inner.authenticated.entry(operation).or_default() += 1;
            None
        }
        Some(problem) => {
            state.unauthorized.fetch_add(1, Ordering::SeqCst);
            Some(error(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHORIZED,
                "Unauthorized",
                json!(problem),
            ))
        }
    }
}

/// Authenticates, then runs `handle` on the ledger; the result becomes the envelope.
pub(crate) fn authenticated<T: Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(&mut Inner) -> Result<T, Refusal>,
) -> Response {
    if let Some(response) = unauthorized(state, headers, operation) {
        return response;
    }
    match handle(&mut state.lock()) {
        Ok(payload) => ok(payload),
        Err(refusal) => refused(refusal),
    }
}

/// The checkout-side endpoints show no authentication in EnKash's docs, and a browser calls
/// them without the merchant's token: a call with no auth header at all is served; one with
/// headers must have valid ones.
pub(crate) fn checkout_auth(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
) -> Option<Response> {
    let anonymous =
        !headers.contains_key(header::AUTHORIZATION) && !headers.contains_key("merchantaccesskey");
    match anonymous {
        true => None,
        false => unauthorized(state, headers, operation),
    }
}

/// [`authenticated`] for a checkout-side endpoint.
pub(crate) fn checkout<T: serde::Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(&mut Inner) -> Result<T, Refusal>,
) -> Response {
    if let Some(response) = checkout_auth(state, headers, operation) {
        return response;
    }
    match handle(&mut state.lock()) {
        Ok(payload) => ok(payload),
        Err(refusal) => refused(refusal),
    }
}

/// Milliseconds since the UNIX epoch, as EnKash states `expiry`.
pub(crate) fn epoch_ms(time: std::time::SystemTime) -> i64 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}
