//! The spec as JSON, and what `check` reads from it: operations, examples, response schemas.

use std::sync::OnceLock;

use serde_json::Value;

/// `openapi/enkash.yaml`, as the `enkash` crate carries it.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    // The client was generated from this text, so it parsed then and parses now.
    SPEC.get_or_init(|| serde_norway::from_str(enkash::SPEC_YAML).unwrap_or(Value::Null))
}

/// An operation of the spec.
pub struct Operation {
    /// The `operationId`.
    pub id: &'static str,
    /// Upper case.
    pub method: String,
    /// The path template.
    pub path: &'static str,
    /// The operation object.
    pub object: &'static Value,
}

/// The operation with this id.
pub fn operation(id: &str) -> Option<Operation> {
    for (path, item) in spec()["paths"].as_object()? {
        for (method, object) in item.as_object()? {
            if let Some(found) = object["operationId"].as_str().filter(|found| *found == id) {
                return Some(Operation {
                    id: found,
                    method: method.to_ascii_uppercase(),
                    path,
                    object,
                });
            }
        }
    }
    None
}

static NULL: Value = Value::Null;

/// Follows a local `$ref` (`#/components/...`) to what it names.
pub fn resolve(value: &'static Value) -> &'static Value {
    match value["$ref"].as_str() {
        Some(reference) => spec()
            .pointer(reference.trim_start_matches('#'))
            .map(resolve)
            .unwrap_or(&NULL),
        None => value,
    }
}

impl Operation {
    /// The example request body, if the spec gives one.
    pub fn body_example(&self) -> Option<Value> {
        let media = &resolve(&self.object["requestBody"])["content"]["application/json"];
        if let Some(example) = media.get("example") {
            return Some(example.clone());
        }
        let examples = media["examples"].as_object()?;
        let first = examples.values().next()?;
        Some(resolve(first)["value"].clone())
    }

    /// The example of a path or query parameter.
    pub fn parameter_example(&self, name: &str) -> Option<String> {
        let parameters = self.object["parameters"].as_array()?;
        let parameter = parameters.iter().map(resolve).find(|p| p["name"] == name)?;
        match &parameter["example"] {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// The spec's response for an HTTP status (exact, then `4XX`-style, then `default`), and
    /// the key it is listed under.
    pub fn response(&self, status: u16) -> Option<(String, &'static Value)> {
        let responses = &self.object["responses"];
        let range = format!("{}XX", status / 100);
        [status.to_string(), range, "default".to_string()]
            .into_iter()
            .find_map(|key| responses.get(&key).map(|r| (key, resolve(r))))
    }
}
