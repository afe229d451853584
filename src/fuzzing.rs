//! Entry points for the fuzz targets in `fuzz/` (not part of the API; hidden from the docs).
//!
//! Each takes raw bytes the way the network hands them over and runs the crate's real code on
//! them. A fuzz target fails on a panic, so these must never panic on any input.

use std::time::SystemTime;

use crate::TokenPolicy;

/// A token response with this status, optional `Date` header and body, turned into a token or
/// a `TokenError` exactly as a token refresh judges what it read.
pub fn token_response(status: u16, date: Option<&str>, body: &[u8]) -> bool {
    let Ok(status) = reqwest::StatusCode::from_u16(status) else {
        return false;
    };
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(date) = date.and_then(|d| reqwest::header::HeaderValue::from_str(d).ok()) {
        headers.insert(reqwest::header::DATE, date);
    }
    let result = crate::call::Attempt::answered(status, headers, body);
    let now = SystemTime::now();
    let times = crate::auth::TokenTimes {
        sent_at: tokio::time::Instant::now(),
        sent_at_wall: now,
        received_at_wall: now,
    };
    let outcome = crate::auth::judge_token_response(result, times, &TokenPolicy::default());
    // Whatever the outcome, formatting it must not fail or show the body.
    match outcome {
        Ok(token) => !format!("{token:?}").is_empty(),
        Err(error) => !error.to_string().is_empty(),
    }
}

/// `body` decoded as each envelope type the spec has (the envelope list itself), and unwrapped.
pub fn envelopes(body: &[u8]) -> usize {
    crate::envelope::open_every_envelope(body)
}
