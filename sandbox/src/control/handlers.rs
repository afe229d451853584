//! One handler per operation of `openapi/sandbox-control.yaml`, each a thin layer over the
//! in-process [`Sandbox`] method of the same name. One file past 400 lines
//! on purpose: 21 handlers of a few lines each, with the one table binding them, read best
//! together.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::{CallFaultJson, TokenFaultJson};
use super::respond::{body, refused, sandbox, Refused};
use super::spec::CONTROL_SPEC_PATH;
use crate::{MandateActionError, QrPaymentError, Sandbox, SandboxState, SettleError};

type Shared = State<Arc<SandboxState>>;

/// The longest business-time move, pause or token lifetime: a hundred years, in seconds.
const MAX_SECONDS: u64 = 100 * 366 * 24 * 3600;
/// The most faults one request queues.
const MAX_FAULTS: usize = 100;
/// The largest clock skew either way: ten years, in seconds.
const MAX_SKEW: i64 = 10 * 366 * 24 * 3600;

/// The handler of `operation_id`, for `method`.
pub(super) fn route(
    operation_id: &str,
    method: MethodFilter,
) -> Option<MethodRouter<Arc<SandboxState>>> {
    Some(match operation_id {
        "get_info" => on(method, get_info),
        "inject_fault" => on(method, inject_fault),
        "get_pending_faults" => on(method, get_pending_faults),
        "inject_token_fault" => on(method, inject_token_fault),
        "set_token_lifetime" => on(method, set_token_lifetime),
        "set_revoke_previous_tokens" => on(method, set_revoke_previous_tokens),
        "revoke_all_tokens" => on(method, revoke_all_tokens),
        "get_clock" => on(method, get_clock),
        "advance_clock" => on(method, advance_clock),
        "skew_clock" => on(method, skew_clock),
        "get_counters" => on(method, get_counters),
        "get_order" => on(method, get_order),
        "settle_transaction" => on(method, settle_transaction),
        "redeliver_notification" => on(method, redeliver_notification),
        "list_refunds" => on(method, list_refunds),
        "get_otp_resends" => on(method, get_otp_resends),
        "pay_upi_checkout" => on(method, pay_upi_checkout),
        "pay_upi_qr" => on(method, pay_upi_qr),
        "approve_mandate" => on(method, approve_mandate),
        "pause_mandate" => on(method, pause_mandate),
        "set_mandate_callbacks" => on(method, set_mandate_callbacks),
        _ => return None,
    })
}

/// Reads the body, or answers the 400.
macro_rules! read {
    ($bytes:expr) => {
        match body(&$bytes) {
            Ok(value) => value,
            Err(refusal) => return refusal.into_response(),
        }
    };
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seconds {
    seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedSeconds {
    seconds: i64,
}

fn seconds(bytes: &[u8]) -> Result<Duration, Refused> {
    let Seconds { seconds } = body(bytes)?;
    if seconds > MAX_SECONDS {
        let message = format!("seconds: at most {MAX_SECONDS} (a hundred years)");
        return Err(Refused(StatusCode::BAD_REQUEST, message));
    }
    Ok(Duration::from_secs(seconds))
}

async fn get_info(State(state): Shared) -> Response {
    let sandbox = sandbox(&state);
    Json(json!({
        "baseUrl": sandbox.base_url(),
        "accessKey": sandbox.access_key(),
        "controlSpec": CONTROL_SPEC_PATH,
        "seeded": {
            "paidOrderId": Sandbox::PAID_ORDER_ID,
            "createdOrderId": Sandbox::CREATED_ORDER_ID,
            "splitAccountId": Sandbox::SPLIT_ACCOUNT_ID,
            "qrCodeId": Sandbox::QR_CODE_ID,
            "mandateReferenceId": Sandbox::MANDATE_REFERENCE_ID,
            "mandateId": Sandbox::MANDATE_ID,
        },
    }))
    .into_response()
}

/// The operation id, if the gateway spec has it.
fn gateway_operation(operation_id: &str) -> Result<&'static str, Refused> {
    crate::spec::operations()
        .iter()
        .find(|operation| operation.id == operation_id)
        .map(|operation| operation.id)
        .ok_or_else(|| {
            let message = format!("openapi/enkash.yaml has no operation {operation_id:?}");
            Refused(StatusCode::NOT_FOUND, message)
        })
}

fn pending_faults(sandbox: &Sandbox, operation_id: &str) -> Response {
    Json(json!({
        "operationId": operation_id,
        "pending": sandbox.pending_call_faults(operation_id),
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Faults<T> {
    faults: Vec<T>,
}

async fn inject_fault(
    State(state): Shared,
    Path(operation_id): Path<String>,
    bytes: Bytes,
) -> Response {
    let operation_id = match gateway_operation(&operation_id) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let Faults::<CallFaultJson> { faults } = read!(bytes);
    let faults: Result<Vec<_>, String> = faults.into_iter().map(|f| f.into_fault()).collect();
    let faults = match faults {
        Ok(faults) if (1..=MAX_FAULTS).contains(&faults.len()) => faults,
        Ok(_) => return refused(StatusCode::BAD_REQUEST, "faults: 1 to 100"),
        Err(problem) => return refused(StatusCode::BAD_REQUEST, problem),
    };
    let sandbox = sandbox(&state);
    sandbox.fail_next_calls(operation_id, faults);
    pending_faults(&sandbox, operation_id)
}

async fn get_pending_faults(State(state): Shared, Path(operation_id): Path<String>) -> Response {
    match gateway_operation(&operation_id) {
        Ok(id) => pending_faults(&sandbox(&state), id),
        Err(refusal) => refusal.into_response(),
    }
}

async fn inject_token_fault(State(state): Shared, bytes: Bytes) -> Response {
    let Faults::<TokenFaultJson> { faults } = read!(bytes);
    let faults: Result<Vec<_>, String> = faults.into_iter().map(|f| f.into_fault()).collect();
    let faults = match faults {
        Ok(faults) if (1..=MAX_FAULTS).contains(&faults.len()) => faults,
        Ok(_) => return refused(StatusCode::BAD_REQUEST, "faults: 1 to 100"),
        Err(problem) => return refused(StatusCode::BAD_REQUEST, problem),
    };
    sandbox(&state).fail_next_token_requests(faults);
    let pending = state.lock().faults.len();
    Json(json!({"pending": pending})).into_response()
}

async fn set_token_lifetime(State(state): Shared, bytes: Bytes) -> Response {
    let lifetime = match seconds(&bytes) {
        Ok(lifetime) => lifetime,
        Err(refusal) => return refusal.into_response(),
    };
    sandbox(&state).set_token_lifetime(lifetime);
    Json(json!({"seconds": lifetime.as_secs()})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    revoke: bool,
}

async fn set_revoke_previous_tokens(State(state): Shared, bytes: Bytes) -> Response {
    let Revoke { revoke } = read!(bytes);
    sandbox(&state).set_revoke_previous_tokens(revoke);
    Json(json!({"revoke": revoke})).into_response()
}

async fn revoke_all_tokens(State(state): Shared) -> Response {
    sandbox(&state).revoke_all_tokens();
    StatusCode::NO_CONTENT.into_response()
}

fn clock_view(state: &SandboxState) -> Response {
    let inner = state.lock();
    Json(json!({
        "businessTime": inner.business_now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "aheadBySeconds": inner.business_ahead.as_secs(),
        "skewSeconds": inner.skew_secs,
    }))
    .into_response()
}

async fn get_clock(State(state): Shared) -> Response {
    clock_view(&state)
}

async fn advance_clock(State(state): Shared, bytes: Bytes) -> Response {
    let by = match seconds(&bytes) {
        Ok(by) => by,
        Err(refusal) => return refusal.into_response(),
    };
    match sandbox(&state).advance_clock(by) {
        Ok(_) => clock_view(&state),
        // The move is in bounds; the sum of all moves is not.
        Err(e) => refused(StatusCode::CONFLICT, e),
    }
}

async fn skew_clock(State(state): Shared, bytes: Bytes) -> Response {
    let SignedSeconds { seconds } = read!(bytes);
    if seconds.unsigned_abs() > MAX_SKEW.unsigned_abs() {
        let message = format!("seconds: at most {MAX_SKEW} either way (ten years)");
        return refused(StatusCode::BAD_REQUEST, message);
    }
    sandbox(&state).skew_clock(seconds);
    clock_view(&state)
}

async fn get_counters(State(state): Shared) -> Response {
    let sandbox = sandbox(&state);
    let (attempts, authenticated) = {
        let inner = state.lock();
        (inner.attempts.clone(), inner.authenticated.clone())
    };
    Json(json!({
        "tokenRequests": sandbox.token_requests(),
        "unauthorizedResponses": sandbox.unauthorized_responses(),
        "notificationsSent": sandbox.notifications_sent(),
        "notificationsDelivered": state.outbox.notifications.delivered(),
        "mandateCallbacksSent": sandbox.mandate_callbacks_sent(),
        "mandateCallbacksDelivered": sandbox.mandate_callbacks_delivered(),
        "landingsPending": sandbox.landings_pending(),
        "attempts": attempts,
        "authenticatedRequests": authenticated,
    }))
    .into_response()
}

async fn get_order(State(state): Shared, Path(order_id): Path<String>) -> Response {
    match sandbox(&state).order(&order_id) {
        Some(order) => Json(order).into_response(),
        None => refused(StatusCode::NOT_FOUND, format!("no order {order_id}")),
    }
}

fn settle_refusal(error: SettleError) -> Response {
    match error {
        SettleError::UnknownTransaction(_) => refused(StatusCode::NOT_FOUND, error),
        _ => refused(StatusCode::CONFLICT, error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settle {
    succeeded: bool,
}

async fn settle_transaction(
    State(state): Shared,
    Path(transaction_id): Path<String>,
    bytes: Bytes,
) -> Response {
    let Settle { succeeded } = read!(bytes);
    match sandbox(&state).settle_transaction(&transaction_id, succeeded) {
        Ok(transaction) => Json(transaction).into_response(),
        Err(e) => settle_refusal(e),
    }
}

async fn redeliver_notification(
    State(state): Shared,
    Path(transaction_id): Path<String>,
) -> Response {
    let sandbox = sandbox(&state);
    match sandbox.redeliver_notification(&transaction_id) {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "transactionId": transaction_id,
                "notificationsSent": sandbox.notifications_sent(),
            })),
        )
            .into_response(),
        Err(e) => settle_refusal(e),
    }
}

/// The 404 for a transaction the sandbox does not hold.
fn known_transaction(state: &SandboxState, transaction_id: &str) -> Result<(), Refused> {
    state
        .lock()
        .ledger
        .transaction(transaction_id)
        .map(|_| ())
        .map_err(|_| {
            let message = SettleError::UnknownTransaction(transaction_id.to_string());
            Refused(StatusCode::NOT_FOUND, message.to_string())
        })
}

async fn list_refunds(State(state): Shared, Path(transaction_id): Path<String>) -> Response {
    if let Err(refusal) = known_transaction(&state, &transaction_id) {
        return refusal.into_response();
    }
    let refunds = sandbox(&state).refunds(&transaction_id);
    Json(json!({"transactionId": transaction_id, "refunds": refunds})).into_response()
}

async fn get_otp_resends(State(state): Shared, Path(transaction_id): Path<String>) -> Response {
    if let Err(refusal) = known_transaction(&state, &transaction_id) {
        return refusal.into_response();
    }
    let resends = sandbox(&state).otp_resends(&transaction_id);
    Json(json!({"transactionId": transaction_id, "otpResends": resends})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Payer {
    payer_vpa: String,
}

async fn pay_upi_checkout(
    State(state): Shared,
    Path(transaction_id): Path<String>,
    bytes: Bytes,
) -> Response {
    let Payer { payer_vpa } = read!(bytes);
    if payer_vpa.is_empty() || payer_vpa.chars().count() > 255 {
        return refused(StatusCode::BAD_REQUEST, "payerVpa: 1 to 255 characters");
    }
    match sandbox(&state).pay_upi_checkout(&transaction_id, &payer_vpa) {
        Ok(transaction) => Json(transaction).into_response(),
        Err(e) => settle_refusal(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QrPayment {
    amount: String,
}

async fn pay_upi_qr(
    State(state): Shared,
    Path(qr_code_id): Path<String>,
    bytes: Bytes,
) -> Response {
    let QrPayment { amount } = read!(bytes);
    let amount = match amount.parse::<enkash::Rupees>() {
        Ok(amount) if amount > enkash::Rupees::ZERO => amount,
        _ => {
            let message = "amount: rupees as a decimal string with at most two decimals, above 0";
            return refused(StatusCode::BAD_REQUEST, message);
        }
    };
    match sandbox(&state).pay_upi_qr(&qr_code_id, amount) {
        Ok(payments) => Json(json!({"qrCodeId": qr_code_id, "payments": payments})).into_response(),
        Err(e @ QrPaymentError::UnknownCode(_)) => refused(StatusCode::NOT_FOUND, e),
        Err(e) => refused(StatusCode::CONFLICT, e),
    }
}

fn mandate_outcome(outcome: Result<enkash::types::UpiMandate, MandateActionError>) -> Response {
    match outcome {
        Ok(mandate) => Json(mandate).into_response(),
        Err(e @ MandateActionError::UnknownMandate) => refused(StatusCode::NOT_FOUND, e),
        Err(e @ MandateActionError::TooLong) => refused(StatusCode::BAD_REQUEST, e),
        Err(e) => refused(StatusCode::CONFLICT, e),
    }
}

async fn approve_mandate(State(state): Shared, Path(reference_id): Path<String>) -> Response {
    mandate_outcome(sandbox(&state).approve_mandate(&reference_id))
}

async fn pause_mandate(
    State(state): Shared,
    Path(reference_id): Path<String>,
    bytes: Bytes,
) -> Response {
    let length = match seconds(&bytes) {
        Ok(length) => length,
        Err(refusal) => return refusal.into_response(),
    };
    mandate_outcome(sandbox(&state).pause_mandate(&reference_id, length))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CallbackUrls {
    mandate_url: Option<String>,
    debit_url: Option<String>,
}

async fn set_mandate_callbacks(State(state): Shared, bytes: Bytes) -> Response {
    let urls: CallbackUrls = read!(bytes);
    let too_long = |url: &Option<String>| url.as_ref().is_some_and(|u| u.chars().count() > 2048);
    if too_long(&urls.mandate_url) || too_long(&urls.debit_url) {
        return refused(StatusCode::BAD_REQUEST, "a URL: at most 2048 characters");
    }
    let mut inner = state.lock();
    let mandates = &mut inner.ledger.mandates;
    mandates.mandate_url = urls.mandate_url;
    mandates.debit_url = urls.debit_url;
    let answer: Value = json!({"mandateUrl": mandates.mandate_url, "debitUrl": mandates.debit_url});
    Json(answer).into_response()
}
