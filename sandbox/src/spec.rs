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
    method: &'static str,
}

/// The spec as JSON.
pub(crate) fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    // The same file the client was generated from: it parsed then, so it parses now.
    SPEC.get_or_init(|| serde_norway::from_str(SPEC_YAML).expect("openapi/enkash.yaml is YAML"))
}

/// Every operation of the spec.
pub(crate) fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let leak = |text: &str| -> &'static str { Box::leak(text.to_string().into_boxed_str()) };
        let mut operations = Vec::new();
        for (path, item) in spec()["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Some(id) = operation["operationId"].as_str() {
                    operations.push(Operation {
                        id: leak(id),
                        path: leak(path),
                        method: leak(&method.to_ascii_uppercase()),
                    });
                }
            }
        }
        operations
    })
}

/// The operation at this method and path template (parameter names are ignored).
pub(crate) fn route(method: &str, template: &str) -> Option<&'static Operation> {
    operations().iter().find(|operation| {
        operation.method.eq_ignore_ascii_case(method) && same_template(operation.path, template)
    })
}

/// `/a/{x}/b` and `/a/{y}/b` are the same route.
fn same_template(a: &str, b: &str) -> bool {
    let is_parameter = |segment: &str| segment.starts_with('{');
    a.split('/').count() == b.split('/').count()
        && a.split('/')
            .zip(b.split('/'))
            .all(|(x, y)| x == y || (is_parameter(x) && is_parameter(y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_come_from_the_spec() {
        let order = route("get", "/api/v0/orders/{id}").unwrap();
        assert_eq!(
            (order.id, order.path),
            ("get_order_status", "/api/v0/orders/{orderId}")
        );
        assert!(route("DELETE", "/api/v0/orders/{id}").is_none());
        assert!(operations().iter().any(|o| o.id == "submit_payment"));
    }
}
