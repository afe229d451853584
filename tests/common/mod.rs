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

/// Validates `instance` against an OpenAPI 3.0 `schema` of the spec, with the sandbox's own
/// translation to JSON Schema (one translation for the sandbox and the tests).
pub fn validate(
    _spec: &serde_json::Value,
    schema: &serde_json::Value,
    instance: &serde_json::Value,
) -> Result<(), String> {
    enkash_sandbox::validate(schema, instance)
}

/// The spec's response schema for `path`/`method` and `status` (`200`, `4XX` or `5XX`).
pub fn response_schema(
    spec: &serde_json::Value,
    path: &str,
    method: &str,
    status: u16,
) -> serde_json::Value {
    let key = match status {
        200 => "200".to_string(),
        s => format!("{}XX", s / 100),
    };
    let mut response = spec["paths"][path][method]["responses"][&key].clone();
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/responses/");
        response = spec["components"]["responses"][name].clone();
    }
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "no schema for {method} {path} {status}");
    schema
}

pub mod clock;
pub mod merchant;
pub mod redis_cluster;
pub mod redis_server;
pub mod server;
pub mod tracing_capture;
