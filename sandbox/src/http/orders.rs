//! Orders and payments: create and look up an order, submit a payment, a transaction's status.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::auth::authenticated;
use super::respond::{parse, Call, Shared};
use enkash::types::{CreateOrderRequest, SubmitPaymentRequest};

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
        state.outbox.notify(notify);
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
