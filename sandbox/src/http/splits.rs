//! Split accounts (create, update, activate, deactivate) and a transaction's split.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::ledger::Refusal;

use super::auth::{authenticated, unauthorized};
use super::respond::{parse, refused, Call, Shared};
use enkash::types::{EditSplitTransactionRequest, SplitAccountCreate, SplitAccountUpdate};

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
        inner
            .ledger
            .activate_split_account(split_account_id(&query)?)
    })
}

pub(crate) async fn deactivate_split_account(
    State(state): Shared,
    Query(query): Query<HashMap<String, String>>,
    call: Call,
) -> Response {
    authenticated(&state, &call.headers, call.operation, |inner| {
        inner
            .ledger
            .deactivate_split_account(split_account_id(&query)?)
    })
}

/// The split account a (de)activation names, which the spec requires.
fn split_account_id(query: &HashMap<String, String>) -> Result<&str, Refusal> {
    query
        .get("splitAccountDetailId")
        .map(String::as_str)
        .ok_or_else(|| Refusal::Invalid("splitAccountDetailId: required".into()))
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
