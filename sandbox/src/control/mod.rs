//! The standalone sandbox's control API: everything the in-process [`Sandbox`](crate::Sandbox) offers a test,
//! over HTTP under `/__sandbox/`, a prefix that is not EnKash's and is not in
//! `openapi/enkash.yaml` (so the gateway's contract check and call faults leave it alone). Its
//! own spec is `openapi/sandbox-control.yaml`, and the routes are made from that spec's paths:
//! each operation is served at its path template by the handler of its `operationId`, so the
//! spec and the server cannot disagree on where anything is. Answers are plain JSON, never
//! EnKash's envelope; a refusal is `{"error": "..."}`. No authentication: the server listens on
//! 127.0.0.1 only.

mod faults;
mod handlers;
mod respond;
mod spec;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;

use crate::SandboxState;
pub(crate) use spec::endpoints;
pub use spec::{ControlEndpoint, CONTROL_SPEC_PATH};

/// The control routes, one per operation of the control spec.
pub(super) fn router() -> Router<Arc<SandboxState>> {
    let mut by_path: BTreeMap<&str, MethodRouter<Arc<SandboxState>>> = BTreeMap::new();
    for endpoint in endpoints() {
        let method = Method::from_bytes(endpoint.method.as_bytes())
            .ok()
            .and_then(|method| MethodFilter::try_from(method).ok());
        let route = method.and_then(|method| handlers::route(&endpoint.operation_id, method));
        // The unit test below holds every operation of the spec to a handler.
        let Some(route) = route else {
            tracing::error!(target: "enkash_sandbox", operation = %endpoint.operation_id, "control operation without a handler");
            continue;
        };
        let merged = match by_path.remove(endpoint.path.as_str()) {
            Some(existing) => existing.merge(route),
            None => route,
        };
        by_path.insert(&endpoint.path, merged);
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, route)| {
            router.route(path, route)
        })
}

#[cfg(test)]
mod tests {
    use super::spec::CONTROL_SPEC_YAML;
    use super::*;
    use serde_json::Value;

    #[test]
    fn every_operation_of_the_control_spec_has_a_handler() {
        assert!(endpoints().len() >= 5);
        for endpoint in endpoints() {
            let method = Method::from_bytes(endpoint.method.as_bytes()).unwrap();
            let filter = MethodFilter::try_from(method).unwrap();
            assert!(
                handlers::route(&endpoint.operation_id, filter).is_some(),
                "{} has no handler",
                endpoint.operation_id
            );
        }
        for id in [
            "inject_fault",
            "settle_transaction",
            "redeliver_notification",
            "advance_clock",
            "approve_mandate",
        ] {
            assert!(endpoints().iter().any(|e| e.operation_id == id), "{id}");
        }
    }

    #[test]
    fn the_fault_targets_are_the_gateway_spec_operations() {
        let spec: Value = serde_norway::from_str(CONTROL_SPEC_YAML).unwrap();
        let listed: Vec<&str> = spec["components"]["parameters"]["OperationId"]["schema"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        let mut gateway: Vec<&str> = crate::spec::operations().iter().map(|o| o.id).collect();
        gateway.sort_unstable();
        gateway.dedup();
        let mut listed_sorted = listed.clone();
        listed_sorted.sort_unstable();
        assert_eq!(listed_sorted, gateway);
    }
}
