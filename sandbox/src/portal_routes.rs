//! The sandbox's HTTP surface for the operations added from the developer portal's list
//! (issue 20): the checkout-side `/pay/...` endpoints, Create UPI QR, Create Customer, and
//! Create / Deactivate Split Account. Shared helpers (auth, envelope, refusals) are in
//! `routes.rs`; the rules are in `ledger/`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::ledger::Refusal;
use super::routes::{authenticated, error, ok, parse, refused, unauthorized, Call};
use super::{codes, notify, SandboxState};
use enkash::types::{
    CustomerCreate, QrCodeCreate, SplitAccountCreate, ValidateOtpRequest, VerifyVpaRequest,
    VpaHolder,
};

/// Verify UPI VPA refuses an address ending with this (as one with no `@`), with
/// [`codes::INVALID_VPA`]; any other is verified.
pub const INVALID_VPA_SUFFIX: &str = "@invalid";

type Shared = State<Arc<SandboxState>>;

/// The checkout-side endpoints show no authentication in EnKash's docs, and a browser calls
/// them without the merchant's token: a call with no auth header at all is served; one with
/// headers must have valid ones.
fn checkout_auth(
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
fn checkout<T: serde::Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(&mut super::Inner) -> Result<T, Refusal>,
) -> Response {
    if let Some(response) = checkout_auth(state, headers, operation) {
        return response;
    }
    match handle(&mut state.lock()) {
        Ok(payload) => ok(payload),
        Err(refusal) => refused(refusal),
    }
}

pub(crate) async fn create_upi_qr(State(state): Shared, call: Call, body: Bytes) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: QrCodeCreate = parse(&body)?;
        inner.ledger.create_qr_code(request)
    })
}

pub(crate) async fn create_customer(State(state): Shared, call: Call, body: Bytes) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: CustomerCreate = parse(&body)?;
        inner.ledger.create_customer(request)
    })
}

pub(crate) async fn create_split_account(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: SplitAccountCreate = parse(&body)?;
        inner.ledger.create_split_account(request)
    })
}

pub(crate) async fn deactivate_split_account(
    State(state): Shared,
    Query(query): Query<HashMap<String, String>>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let id = query
            .get("splitAccountDetailId")
            .ok_or_else(|| Refusal::Invalid("splitAccountDetailId: required".into()))?;
        inner.ledger.deactivate_split_account(id)
    })
}

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
        notify::deliver(&state, notify);
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
