//! The control API's own spec, `openapi/sandbox-control.yaml`, compiled in, and its operations.

use std::sync::OnceLock;

use serde_json::Value;

/// The control spec, compiled into the sandbox.
pub(super) const CONTROL_SPEC_YAML: &str = include_str!("../../openapi/sandbox-control.yaml");

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
