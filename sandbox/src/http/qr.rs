//! UPI QR codes (create, look up, cancel, search) and customers.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::auth::authenticated;
use super::respond::{page, parse, Call, Shared};
use enkash::types::{CustomerCreate, QrCodeCreate};

pub(crate) async fn create_upi_qr(State(state): Shared, call: Call, body: Bytes) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: QrCodeCreate = parse(&body)?;
        inner.ledger.create_qr_code(request)
    })
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

pub(crate) async fn create_customer(State(state): Shared, call: Call, body: Bytes) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        let request: CustomerCreate = parse(&body)?;
        inner.ledger.create_customer(request)
    })
}
