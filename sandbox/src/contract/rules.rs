//! What each operation accepts, built once from the spec: its parameters (where, required,
//! of what kind, their schemas) and its body.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{json, Value};

use crate::spec::{self};

use super::schema::{compile, to_json_schema};

/// What one operation accepts.
pub(crate) struct Rules {
    pub(crate) params: Vec<Param>,
    pub(crate) body: Option<BodyRule>,
}

pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) required: bool,
    /// `integer`, `number`, `boolean` or `string`: how a text value is read before checking.
    pub(crate) kind: String,
    pub(crate) schema: Validator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
}

pub(crate) struct BodyRule {
    pub(crate) required: bool,
    pub(crate) schema: Validator,
}

/// Every operation's rules, built once from the spec.
pub(crate) fn contract() -> &'static HashMap<String, Rules> {
    static CONTRACT: OnceLock<HashMap<String, Rules>> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        build(spec::spec()).unwrap_or_else(|e| panic!("the spec's schemas do not compile: {e}"))
    })
}

/// Builds the rules of every operation; the error names the part that does not compile.
pub(crate) fn build(spec: &Value) -> Result<HashMap<String, Rules>, String> {
    let components = to_json_schema(spec["components"].clone());
    let compile = |schema: &Value, what: &str| compile(&components, schema, what);
    let resolve = |value: &Value| -> Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(pointer) => spec
                .pointer(pointer.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => value.clone(),
        }
    };
    let mut rules = HashMap::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let mut params = Vec::new();
            let declared = item["parameters"].as_array().into_iter().flatten();
            for param in declared.chain(operation["parameters"].as_array().into_iter().flatten()) {
                let param = resolve(param);
                let name = param["name"].as_str().unwrap_or_default().to_string();
                let location = match param["in"].as_str() {
                    Some("path") => Location::Path,
                    Some("query") => Location::Query,
                    Some("header") => Location::Header,
                    _ => continue,
                };
                let schema = param.get("schema").cloned().unwrap_or(json!({}));
                let kind = resolve(&schema)["type"]
                    .as_str()
                    .unwrap_or("string")
                    .to_string();
                params.push(Param {
                    schema: compile(&schema, &format!("{method} {path} parameter {name}"))?,
                    required: param["required"].as_bool().unwrap_or(false),
                    name,
                    location,
                    kind,
                });
            }
            let body = resolve(&operation["requestBody"]);
            let body = match body["content"]["application/json"].get("schema") {
                Some(schema) => Some(BodyRule {
                    required: body["required"].as_bool().unwrap_or(false),
                    schema: compile(schema, &format!("{method} {path} request body"))?,
                }),
                None => None,
            };
            rules.insert(id.to_string(), Rules { params, body });
        }
    }
    Ok(rules)
}
