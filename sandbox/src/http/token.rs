//! Generate Authorization Token, with the faults a test queued for it.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::{codes, TokenFault};

use super::auth::epoch_ms;
use super::respond::{error, parse, refused, Shared};
use enkash::types::TokenRequest;

pub(crate) async fn generate_token(State(state): Shared, body: Bytes) -> Response {
    let fault = state.lock().faults.pop_front();
    let mut expiry_offset = None;
    match fault {
        Some(TokenFault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error(
                status,
                i32::from(status.as_u16()),
                "Injected failure",
                Value::Null,
            );
        }
        Some(TokenFault::Reject { code, message }) => {
            return Json(json!({"resultCode": code, "resultMessage": message})).into_response();
        }
        Some(TokenFault::Malformed) => {
            return (
                [(header::CONTENT_TYPE, "application/json")],
                "<html>502 Bad Gateway</html>",
            )
                .into_response();
        }
        Some(TokenFault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(TokenFault::ExpiryOffsetMs(offset)) => expiry_offset = Some(offset),
        None => {}
    }

    let request: TokenRequest = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return refused(refusal),
    };
    if request.access_key.expose_secret() != state.access_key
        || request.secret_key.expose_secret() != state.secret_key
    {
        let body = json!({
            "resultCode": codes::INVALID_CREDENTIALS,
            "resultMessage": "Invalid access key or secret key."
        });
        return Json(body).into_response();
    }

    let mut inner = state.lock();
    // `Date` has whole seconds; expiries count from the same instant so lifetimes are exact.
    let now_ms = epoch_ms(inner.now()) / 1000 * 1000;
    let expiry = now_ms + expiry_offset.unwrap_or(inner.token_lifetime.as_millis() as i64);
    let token = format!("sbx.{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    if inner.revoke_previous_tokens {
        inner.tokens.clear();
    }
    inner.tokens.insert(token.clone(), expiry);
    let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(now_ms as u64));
    let body = json!({
        "token": token, "expiry": expiry, "resultCode": 0,
        "resultMessage": "Token generated successfully."
    });
    ([(header::DATE, date)], Json(body)).into_response()
}
