//! The standalone sandbox's control API: everything the in-process [`Sandbox`] offers a test,
//! over HTTP under `/__sandbox/`, a prefix that is not EnKash's and is not in
//! `openapi/enkash.yaml` (so the gateway's contract check and call faults leave it alone). Its
//! own spec is `openapi/sandbox-control.yaml`, and the routes are made from that spec's paths:
//! each operation is served at its path template by the handler of its `operationId`, so the
//! spec and the server cannot disagree on where anything is. Answers are plain JSON, never
//! EnKash's envelope; a refusal is `{"error": "..."}`. No authentication: the server listens on
//! 127.0.0.1 only.

mod faults;
mod handlers;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{Sandbox, SandboxState};

/// The control spec, compiled into the sandbox.
const CONTROL_SPEC_YAML: &str = include_str!("../../openapi/sandbox-control.yaml");

/// Where the control spec lives in the repository (what `--help` and the banner point to).
pub const CONTROL_SPEC_PATH: &str = "openapi/sandbox-control.yaml";

/// One operation of the control API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlEndpoint {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, e.g. `/__sandbox/transactions/{transactionId}/settle`.
    pub path: String,
    /// The `operationId`, e.g. `settle_transaction`.
    pub operation_id: String,
    /// The operation's `summary`.
    pub summary: String,
}

/// Every operation of the control spec, in the spec's order.
pub(crate) fn endpoints() -> &'static [ControlEndpoint] {
    static ENDPOINTS: OnceLock<Vec<ControlEndpoint>> = OnceLock::new();
    ENDPOINTS.get_or_init(|| {
        let spec: Value = serde_norway::from_str(CONTROL_SPEC_YAML)
            .expect("openapi/sandbox-control.yaml is YAML (CI lints it)");
        let mut endpoints = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Some(id) = operation["operationId"].as_str() {
                    endpoints.push(ControlEndpoint {
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        operation_id: id.to_string(),
                        summary: operation["summary"].as_str().unwrap_or_default().into(),
                    });
                }
            }
        }
        endpoints
    })
}

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

/// A handle on the running sandbox for its own control endpoints: the in-process API, so both
/// do exactly the same. Dropping it does not stop the server.
fn sandbox(state: &Arc<SandboxState>) -> Sandbox {
    Sandbox {
        state: Arc::clone(state),
        addr: state.addr,
        shutdown: None,
    }
}

/// A refusal: `{"error": "..."}` with this status.
struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

/// The response of a refusal.
fn refused(status: StatusCode, message: impl std::fmt::Display) -> Response {
    Refused(status, message.to_string()).into_response()
}

/// The body as the JSON an endpoint takes, or the 400 that says it is not.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Refused> {
    // Every body is a JSON object; serde would read a struct from an array too.
    let object = serde_json::from_slice::<Value>(bytes).and_then(|value| {
        if value.is_object() {
            Ok(value)
        } else {
            Err(serde::de::Error::custom("not an object"))
        }
    });
    object.and_then(serde_json::from_value).map_err(|e| {
        let message = format!(
            "the body is not the JSON this endpoint takes ({}; see {CONTROL_SPEC_PATH})",
            e.classify_name()
        );
        Refused(StatusCode::BAD_REQUEST, message)
    })
}

/// What kind of JSON problem it was, never the value itself.
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "a field is missing, unknown or of the wrong type",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
