//! The spec the sandbox obeys, `openapi/enkash.yaml` as the `enkash` crate carries it
//! (`enkash::SPEC_YAML`), read once: the JSON its contract checks requests against, and the
//! table of operations its routes and faults look up.

use std::sync::OnceLock;

use serde_json::Value;

/// The spec as written: the one the client was generated from, which also makes the packaged
/// sandbox crate carry it without a copy of its own.
const SPEC_YAML: &str = enkash::SPEC_YAML;

/// One operation of the spec.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The `operationId`.
    pub id: &'static str,
    /// The path template, e.g. `/api/v0/orders/{orderId}`.
    pub path: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
}

/// The spec as JSON.
pub(crate) fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    // The same file the client was generated from: it parsed then, so it parses now.
    SPEC.get_or_init(|| serde_norway::from_str(SPEC_YAML).expect("openapi/enkash.yaml is YAML"))
}

/// The operations the gateway serves in `spec`: each `operationId` under `paths`, with its
/// path and method (upper case). Callbacks (under an operation's `callbacks`) and webhooks
/// (under `x-webhooks`) are what the gateway sends, not serves, so they are not here.
pub(crate) fn served(spec: &Value) -> Vec<(&str, String, &str)> {
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.push((path.as_str(), method.to_ascii_uppercase(), id));
            }
        }
    }
    operations
}

/// Every operation the gateway serves.
pub(crate) fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let leak = |text: &str| -> &'static str { Box::leak(text.to_string().into_boxed_str()) };
        served(spec())
            .into_iter()
            .map(|(path, method, id)| Operation {
                id: leak(id),
                path: leak(path),
                method: leak(&method),
            })
            .collect()
    })
}

/// The path template as the router spells it. axum 0.8 writes a parameter `{name}`, as
/// OpenAPI does, so the spec's template is mounted as it stands; this is the one place to
/// convert if that ever differs (axum 0.7 wrote `:name`).
pub(crate) fn router_path(template: &str) -> &str {
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_come_from_the_spec() {
        let order = operations()
            .iter()
            .find(|o| o.id == "get_order_status")
            .unwrap();
        assert_eq!(
            (order.method, order.path),
            ("GET", "/api/v0/orders/{orderId}")
        );
        assert!(operations().iter().any(|o| o.id == "submit_payment"));
        // A webhook the gateway sends is not an operation it serves.
        assert!(!operations().iter().any(|o| o.id == "payment_link_webhook"));
    }
}
