//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// Path of the spec, relative to the crate root.
pub const SPEC_PATH: &str = "openapi/enkash.yaml";

/// The spec as JSON, parsed the same way `build.rs` reads it.
pub fn spec() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SPEC_PATH);
    let text = std::fs::read_to_string(&path).expect("read the spec");
    serde_norway::from_str(&text).expect("the spec is valid YAML")
}

/// Names of the schemas under `components.schemas`, sorted.
pub fn component_schema_names(spec: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas is an object")
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

/// Validates `instance` against an OpenAPI 3.0 `schema`, resolving `$ref`s against the spec.
pub fn validate(
    spec: &serde_json::Value,
    schema: &serde_json::Value,
    instance: &serde_json::Value,
) -> Result<(), String> {
    // The spec's components go along so that `#/components/...` references resolve.
    let mut root = serde_json::json!({ "components": spec["components"].clone() });
    for (key, value) in schema.as_object().into_iter().flatten() {
        root[key] = value.clone();
    }
    let root = nullable_to_json_schema(root);
    let validator = jsonschema::draft4::new(&root).map_err(|e| format!("bad schema: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// OpenAPI 3.0's `nullable: true` is not JSON Schema: spell it as a `null` type.
fn nullable_to_json_schema(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(mut fields) => {
            if fields.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(kind)) = fields.get("type").cloned() {
                    fields.insert("type".into(), serde_json::json!([kind, "null"]));
                }
            }
            Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, nullable_to_json_schema(v)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(nullable_to_json_schema).collect())
        }
        other => other,
    }
}

pub mod clock;
pub mod redis_server;
pub mod server;
