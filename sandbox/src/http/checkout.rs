//! The checkout side (`/pay/...`): UPI checkout (dynamic QR, intent links, UPI status, Verify
//! VPA) and OTP (validate, resend).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::codes;
use crate::ledger::Refusal;

use super::auth::{checkout, checkout_auth, unauthorized};
use super::respond::{error, ok, parse, refused, Call, Shared};
use enkash::types::{ValidateOtpRequest, VerifyVpaRequest, VpaHolder};

/// Verify UPI VPA refuses an address ending with this (as one with no `@`), with
/// [`codes::INVALID_VPA`]; any other is verified.
pub const INVALID_VPA_SUFFIX: &str = "@invalid";

pub(crate) async fn get_dynamic_upi_qr(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    checkout(&state, &call.headers, call.operation, |inner| {
        inner.ledger.dynamic_upi_qr(&id)
    })
}

pub(crate) async fn get_upi_intent_links(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    checkout(&state, &call.headers, call.operation, |inner| {
        inner.ledger.upi_intent_links(&id)
    })
}

pub(crate) async fn get_upi_transaction_status(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    checkout(&state, &call.headers, call.operation, |inner| {
        inner.ledger.upi_status(&id)
    })
}

pub(crate) async fn verify_upi_vpa(State(state): Shared, call: Call, body: Bytes) -> Response {
    if let Some(response) = unauthorized(&state, &call.headers, call.operation) {
        return response;
    }
    let request = match parse::<VerifyVpaRequest>(&body) {
        Ok(request) => request,
        Err(refusal) => return refused(refusal),
    };
    if request.merchant_identifier_key.expose_secret() != state.access_key {
        return error(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "merchantIdentifierKey is not this merchant's access key",
            Value::Null,
        );
    }
    let vpa = request.vpa.as_str();
    match vpa
        .split_once('@')
        .filter(|_| !vpa.ends_with(INVALID_VPA_SUFFIX))
    {
        Some((holder, _)) => ok(VpaHolder {
            name: Some(holder_name(holder)),
        }),
        None => refused(Refusal::Rule(
            codes::INVALID_VPA,
            "The UPI address could not be verified".into(),
        )),
    }
}

/// `asha.verma` -> `Asha Verma`: the sandbox's stand-in for the bank's record of the holder.
fn holder_name(local_part: &str) -> String {
    local_part
        .split(['.', '_', '-'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) async fn validate_otp(State(state): Shared, call: Call, body: Bytes) -> Response {
    let mut notification = None;
    let response = checkout(&state, &call.headers, call.operation, |inner| {
        let request: ValidateOtpRequest = parse(&body)?;
        let (answer, notify) = inner.ledger.validate_otp(request)?;
        notification = notify;
        Ok(answer)
    });
    if let Some(notify) = notification {
        state.outbox.notify(notify);
    }
    response
}

/// Resend OTP answers `text/plain`; its refusals are error statuses with the usual JSON body
/// (a 200 must be text).
pub(crate) async fn resend_otp(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    if let Some(response) = checkout_auth(&state, &call.headers, call.operation) {
        return response;
    }
    let outcome = state.lock().ledger.resend_otp(&id);
    match outcome {
        Ok(count) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("OTP sent (resend {count} of 2)"),
        )
            .into_response(),
        Err(Refusal::Rule(code, message)) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, code, message, Value::Null)
        }
        Err(refusal) => refused(refusal),
    }
}
