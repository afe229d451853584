//! The gateway's routes, mounted from the spec: each operation of `openapi/enkash.yaml` at the
//! spec's own method and path template, with the handler this file's table binds to its
//! `operationId`. The faults, the contract check and the handler all receive the operation
//! the route was mounted for, so the sandbox knows an operation one way: by the spec's entry.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Extension, Router};
use serde_json::Value;

use crate::http::respond::Bound;
use crate::http::{checkout, mandates, orders, qr, refunds, respond, settlements, splits, token};
use crate::spec::{self, Operation};
use crate::{contract, faults, SandboxState};

/// Binds a handler to an operation for the method the spec gives it.
type Bind = fn(MethodFilter) -> MethodRouter<Arc<SandboxState>>;

/// Every handler of the gateway, by the `operationId` of the operation it serves.
const HANDLERS: &[(&str, Bind)] = &[
    ("generate_token", |m| on(m, token::generate_token)),
    ("create_order", |m| on(m, orders::create_order)),
    ("get_order_status", |m| on(m, orders::get_order_status)),
    ("submit_payment", |m| on(m, orders::submit_payment)),
    ("get_transaction_status", |m| {
        on(m, orders::get_transaction_status)
    }),
    ("refund_transaction", |m| on(m, refunds::refund_transaction)),
    ("get_settlement_payout", |m| {
        on(m, settlements::get_settlement_payout)
    }),
    ("search_settlement_payouts", |m| {
        on(m, settlements::search_settlement_payouts)
    }),
    ("get_upi_qr", |m| on(m, qr::get_upi_qr)),
    ("cancel_upi_qr", |m| on(m, qr::cancel_upi_qr)),
    ("search_upi_qrs", |m| on(m, qr::search_upi_qrs)),
    ("update_split_account", |m| {
        on(m, splits::update_split_account)
    }),
    ("activate_split_account", |m| {
        on(m, splits::activate_split_account)
    }),
    ("edit_split_settlement", |m| {
        on(m, splits::edit_split_settlement)
    }),
    ("create_upi_qr", |m| on(m, qr::create_upi_qr)),
    ("create_customer", |m| on(m, qr::create_customer)),
    ("create_split_account", |m| {
        on(m, splits::create_split_account)
    }),
    ("deactivate_split_account", |m| {
        on(m, splits::deactivate_split_account)
    }),
    ("get_dynamic_upi_qr", |m| {
        on(m, checkout::get_dynamic_upi_qr)
    }),
    ("get_upi_intent_links", |m| {
        on(m, checkout::get_upi_intent_links)
    }),
    ("get_upi_transaction_status", |m| {
        on(m, checkout::get_upi_transaction_status)
    }),
    ("verify_upi_vpa", |m| on(m, checkout::verify_upi_vpa)),
    ("validate_otp", |m| on(m, checkout::validate_otp)),
    ("resend_otp", |m| on(m, checkout::resend_otp)),
    ("create_upi_mandate", |m| {
        on(m, mandates::create_upi_mandate)
    }),
    ("update_upi_mandate", |m| {
        on(m, mandates::update_upi_mandate)
    }),
    ("revoke_upi_mandate", |m| {
        on(m, mandates::revoke_upi_mandate)
    }),
    ("get_upi_mandate", |m| on(m, mandates::get_upi_mandate)),
    ("notify_upi_mandate_debit", |m| {
        on(m, mandates::notify_upi_mandate_debit)
    }),
    ("execute_upi_mandate_debit", |m| {
        on(m, mandates::execute_upi_mandate_debit)
    }),
];

/// The sandbox's whole HTTP surface: the gateway's operations, then the control API.
pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    // The unit tests below hold this empty; a build that got here anyway says what is missing.
    let ids: Vec<&str> = HANDLERS.iter().map(|(id, _)| *id).collect();
    for problem in unbound(spec::spec(), &ids) {
        tracing::error!(target: "enkash_sandbox", "{problem}");
    }
    let mut router = Router::new();
    for operation in spec::operations() {
        let bind = HANDLERS.iter().find(|(id, _)| *id == operation.id);
        let filter = Method::from_bytes(operation.method.as_bytes())
            .ok()
            .and_then(|method| MethodFilter::try_from(method).ok());
        let (Some((_, bind)), Some(filter)) = (bind, filter) else {
            continue;
        };
        let path = spec::router_path(operation.path);
        router = router.route(path, mount(bind(filter), operation, &state));
    }
    router
        // The control API (`openapi/sandbox-control.yaml`), outside the gateway's layers.
        .merge(crate::control::router())
        .fallback(respond::not_found)
        .with_state(state)
}

/// The layers of one operation's route, outside in: faults first (a fault is met whatever
/// the request), then the spec's own checks, then the handler's business rules, which learn
/// their operation from the [`Bound`] extension.
fn mount(
    handler: MethodRouter<Arc<SandboxState>>,
    operation: &'static Operation,
    state: &Arc<SandboxState>,
) -> MethodRouter<Arc<SandboxState>> {
    handler
        .route_layer(Extension(Bound(operation)))
        .route_layer(from_fn(move |request: Request, next: Next| {
            contract::enforce(operation, request, next)
        }))
        .route_layer(from_fn_with_state(
            Arc::clone(state),
            move |State(state): State<Arc<SandboxState>>, request: Request, next: Next| {
                faults::inject(state, operation, request, next)
            },
        ))
}

/// What does not match between the operations `spec` serves and the handler `table`: each
/// operation without a handler and each handler naming no operation, one sentence each.
pub(crate) fn unbound(spec: &Value, table: &[&str]) -> Vec<String> {
    let served = spec::served(spec);
    let mut problems: Vec<String> = served
        .iter()
        .filter(|(_, _, id)| !table.contains(id))
        .map(|(path, method, id)| format!("`{id}` ({method} {path}) has no handler"))
        .collect();
    problems.extend(
        table
            .iter()
            .filter(|id| !served.iter().any(|(_, _, served)| served == *id))
            .map(|id| format!("a handler is bound to `{id}`, which the spec does not serve")),
    );
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<&'static str> {
        HANDLERS.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn every_operation_of_the_spec_has_a_handler_and_every_handler_an_operation() {
        let problems = unbound(spec::spec(), &table());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_missing_handler_or_a_stray_one_is_named() {
        // One entry fewer: the operation is named.
        let short: Vec<&str> = table()
            .into_iter()
            .filter(|id| *id != "get_upi_mandate")
            .collect();
        let problems = unbound(spec::spec(), &short);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("`get_upi_mandate`"), "{problems:?}");

        // An operation added to the spec text without a handler, and a handler whose
        // operation the spec lost.
        let text =
            enkash::SPEC_YAML.replace("operationId: get_upi_qr\n", "operationId: get_upi_qr_v2\n");
        let edited: Value = serde_norway::from_str(&text).unwrap();
        let mut problems = unbound(&edited, &table());
        problems.sort();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`get_upi_qr_v2` (GET /api/v0/qr-code/{qrCodeId})"));
        assert!(problems[1].contains("bound to `get_upi_qr`"));
    }

    #[test]
    fn operations_the_gateway_sends_are_not_served() {
        // `x-webhooks` and `callbacks` are what EnKash posts to the merchant.
        let problems = unbound(spec::spec(), &table());
        assert!(!problems.iter().any(|p| p.contains("payment_link_webhook")));
    }
}
