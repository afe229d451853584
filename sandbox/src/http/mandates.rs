//! UPI Autopay: the six mandate operations, run at business time; their callbacks go to the
//! outbox.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::ledger::Outgoing;
use crate::SandboxState;

use super::auth::authenticated;
use super::respond::{parse, Call, Shared};
use enkash::types::{
    CreateUpiMandateRequest, ExecuteMandateDebitRequest, MandatePreDebitRequest,
    RevokeUpiMandateRequest, UpdateUpiMandateRequest,
};

/// Runs a mandate operation on the ledger at business time, then posts its callbacks.
fn mandate_call<T: serde::Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(
        &mut crate::ledger::Ledger,
        chrono::DateTime<chrono::Utc>,
    ) -> Result<(T, Vec<Outgoing>), crate::ledger::Refusal>,
) -> Response {
    let mut callbacks = Vec::new();
    let response = authenticated(state, headers, operation, |inner| {
        let now = inner.business_now();
        let (payload, out) = handle(&mut inner.ledger, now)?;
        callbacks = out;
        Ok(payload)
    });
    state.outbox.callbacks(callbacks);
    response
}

pub(crate) async fn create_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: CreateUpiMandateRequest = parse(&body)?;
        Ok((ledger.create_mandate(request, now)?, Vec::new()))
    })
}

pub(crate) async fn update_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: UpdateUpiMandateRequest = parse(&body)?;
        ledger.update_mandate(request, now)
    })
}

pub(crate) async fn revoke_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: RevokeUpiMandateRequest = parse(&body)?;
        ledger.revoke_mandate(request.reference_id.as_str(), now)
    })
}

pub(crate) async fn get_upi_mandate(
    State(state): Shared,
    Path(reference_id): Path<String>,
    call: Call,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        ledger.mandate(&reference_id, now)
    })
}

pub(crate) async fn notify_upi_mandate_debit(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: MandatePreDebitRequest = parse(&body)?;
        ledger.notify_mandate_debit(request, now)
    })
}

pub(crate) async fn execute_upi_mandate_debit(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: ExecuteMandateDebitRequest = parse(&body)?;
        ledger.execute_mandate_debit(request, now)
    })
}
