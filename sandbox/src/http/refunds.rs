//! Refunds.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::auth::authenticated;
use super::respond::{parse, Call, Shared};
use enkash::types::RefundRequest;

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
