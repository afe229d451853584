//! The sandbox's HTTP surface: one handler per operation in the spec, the token endpoint's
//! faults, the authentication check, and the envelope.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::ledger::Refusal;
use super::{codes, notify, SandboxState, TokenFault};
use crate::spec::Operation;
use enkash::types::{
    CreateOrderRequest, EditSplitTransactionRequest, RefundRequest, SettlementPayoutSearch,
    SplitAccountUpdate, SubmitPaymentRequest, TokenRequest,
};

type Shared = State<Arc<SandboxState>>;

/// The operation a route was mounted for (`router.rs`), in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound(pub &'static Operation);

/// What a handler knows of its request besides the body: the headers, and the `operationId`
/// of the operation the router bound it to (the key of the sandbox's counts).
#[derive(Debug)]
pub(crate) struct Call {
    /// The request's headers.
    pub headers: HeaderMap,
    /// The spec's `operationId`.
    pub operation: &'static str,
}

impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        // Every gateway route carries its operation (`router::mount`); a handler mounted
        // without one is a wiring mistake, answered as the server's fault.
        let Some(Bound(operation)) = parts.extensions.get::<Bound>().copied() else {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "Handler mounted without its operation",
                Value::Null,
            ));
        };
        Ok(Call {
            headers: parts.headers.clone(),
            operation: operation.id,
        })
    }
}

/// An error body in the spec's `ErrorBody` shape.
pub(super) fn error(
    status: StatusCode,
    code: i32,
    message: impl Into<String>,
    payload: Value,
) -> Response {
    let body =
        json!({"response_code": code, "response_message": message.into(), "payload": payload});
    (status, Json(body)).into_response()
}

/// A successful envelope.
pub(super) fn ok(payload: impl Serialize) -> Response {
    Json(json!({"response_code": 0, "response_message": "SUCCESS", "payload": payload}))
        .into_response()
}

/// What the client sees when the sandbox refuses.
pub(super) fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(message) => error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            message,
            Value::Null,
        ),
        Refusal::NotFound(message) => error(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            message,
            Value::Null,
        ),
        Refusal::Rule(code, message) => {
            Json(json!({"response_code": code, "response_message": message})).into_response()
        }
    }
}

/// Parses a request body into the type generated from the spec; the 400 names the field.
pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        // Never the serde message: it may quote the value (a card number, say).
        Refusal::Invalid(format!(
            "Invalid request body at `{}`: not the operation's request type",
            e.path()
        ))
    })
}

pub(crate) async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "No such operation in the sandbox",
        Value::Null,
    )
}

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
pub(super) fn unauthorized(
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
pub(super) fn authenticated<T: Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(&mut super::Inner) -> Result<T, Refusal>,
) -> Response {
    if let Some(response) = unauthorized(state, headers, operation) {
        return response;
    }
    match handle(&mut state.lock()) {
        Ok(payload) => ok(payload),
        Err(refusal) => refused(refusal),
    }
}

pub(crate) async fn create_order(State(state): Shared, call: Call, body: Bytes) -> Response {
    let (key, base) = (state.access_key.clone(), state.base_url.clone());
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: CreateOrderRequest = parse(&body)?;
        inner.ledger.create_order(request, &key, &base)
    })
}

pub(crate) async fn get_order_status(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner.ledger.order(&id)
    })
}

pub(crate) async fn submit_payment(State(state): Shared, call: Call, body: Bytes) -> Response {
    let mut notification = None;
    let response = authenticated(&state, &call.headers, call.operation, |inner| {
        let request: SubmitPaymentRequest = parse(&body)?;
        let (transaction, notify) = inner.ledger.submit_payment(request)?;
        notification = notify;
        Ok(transaction)
    });
    if let Some(notify) = notification {
        notify::deliver(&state, notify);
    }
    response
}

pub(crate) async fn get_transaction_status(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner.ledger.transaction(&id)
    })
}

pub(crate) async fn refund_transaction(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
    body: Bytes,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: RefundRequest = parse(&body)?;
        inner.ledger.refund(&id, request)
    })
}

pub(crate) async fn get_settlement_payout(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner.ledger.payout(&id)
    })
}

pub(crate) async fn search_settlement_payouts(
    State(state): Shared,
    Query(query): Query<HashMap<String, String>>,
    call: Call,
    body: Bytes,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let filter: SettlementPayoutSearch = parse(&body)?;
        let (offset, limit) = page(&query)?;
        Ok(inner.ledger.search_payouts(&filter, offset, limit))
    })
}

/// A search's `offset` and `limit` (default 50; the spec bounds both).
fn page(query: &HashMap<String, String>) -> Result<(usize, usize), Refusal> {
    let number = |name: &str, default: usize| match query.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| Refusal::Invalid(format!("{name}: a whole number"))),
    };
    Ok((number("offset", 0)?, number("limit", 50)?))
}

pub(crate) async fn get_upi_qr(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner.ledger.qr_code(&id)
    })
}

pub(crate) async fn cancel_upi_qr(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner.ledger.cancel_qr_code(&id)
    })
}

pub(crate) async fn search_upi_qrs(
    State(state): Shared,
    Query(query): Query<HashMap<String, String>>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let (offset, limit) = page(&query)?;
        Ok(inner.ledger.search_qr_codes(offset, limit))
    })
}

pub(crate) async fn update_split_account(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let update: SplitAccountUpdate = parse(&body)?;
        inner.ledger.update_split_account(update)
    })
}

pub(crate) async fn activate_split_account(
    State(state): Shared,
    Query(query): Query<HashMap<String, String>>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let id = query
            .get("splitAccountDetailId")
            .ok_or_else(|| Refusal::Invalid("splitAccountDetailId: required".into()))?;
        inner.ledger.activate_split_account(id)
    })
}

/// Edit-split answers in its own envelope: `code`, `message`, `payload`.
pub(crate) async fn edit_split_settlement(
    State(state): Shared,
    Path(id): Path<String>,
    call: Call,
    body: Bytes,
) -> Response {
    if let Some(response) = unauthorized(&state, &call.headers, call.operation) {
        return response;
    }
    let outcome = parse::<EditSplitTransactionRequest>(&body)
        .and_then(|request| state.lock().ledger.edit_split(&id, request));
    match outcome {
        Ok(payload) => {
            Json(json!({"code": 0, "message": "SUCCESS", "payload": payload})).into_response()
        }
        Err(Refusal::Rule(code, message)) => {
            Json(json!({"code": code, "message": message, "payload": {}})).into_response()
        }
        Err(refusal) => refused(refusal),
    }
}

/// Milliseconds since the UNIX epoch, as EnKash states `expiry`.
fn epoch_ms(time: std::time::SystemTime) -> i64 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}
