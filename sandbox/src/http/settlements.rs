//! Settlement payouts: one by id, and the search.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::auth::authenticated;
use super::respond::{page, parse, Call, Shared};
use enkash::types::SettlementPayoutSearch;

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
