//! Every request is checked against the spec before it is sent: its path against the
//! operation's template (a path parameter `.`, `..` or empty would move or blur it), its query
//! parameters and its JSON body against the schemas the build script took from the spec
//! (`build/request_schemas.rs`). A body built with a struct literal, which no constructor
//! checked, is held to the same bounds: a negative refund never leaves the process.
//!
//! Messages name the field and the rule, never the value: a body may carry card data.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::operations::Operation;
use crate::Decimal;

include!(concat!(env!("OUT_DIR"), "/request_schemas.rs"));

/// An operation's request schemas, parsed once.
struct Schemas {
    body: Option<Value>,
    query: Option<serde_json::Map<String, Value>>,
}

/// Every operation's schemas, and every `pattern` in them compiled once.
struct Checker {
    operations: HashMap<&'static str, Schemas>,
    patterns: HashMap<String, Option<regress::Regex>>,
}

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let parse = |text: &str| serde_json::from_str::<Value>(text).ok();
        let operations: HashMap<_, _> = REQUEST_SCHEMAS
            .iter()
            .map(|(id, body, query)| {
                let query = parse(query).and_then(|q| q.as_object().cloned());
                (
                    *id,
                    Schemas {
                        body: parse(body),
                        query,
                    },
                )
            })
            .collect();
        let mut patterns = HashMap::new();
        for schemas in operations.values() {
            let query = schemas.query.iter().flat_map(|q| q.values());
            for schema in schemas.body.iter().chain(query) {
                collect_patterns(schema, &mut patterns);
            }
        }
        Checker {
            operations,
            patterns,
        }
    })
}

fn collect_patterns(schema: &Value, patterns: &mut HashMap<String, Option<regress::Regex>>) {
    match schema {
        Value::Object(object) => {
            if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
                patterns
                    .entry(pattern.to_string())
                    .or_insert_with(|| regress::Regex::new(pattern).ok());
            }
            object.values().for_each(|v| collect_patterns(v, patterns));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, patterns)),
        _ => {}
    }
}

/// Whether `request` is one the spec allows for `operation`: `Err` says what is wrong.
pub(crate) fn check(request: &reqwest::Request, operation: &Operation) -> Result<(), String> {
    check_path(request.url(), operation.path)?;
    let Some(schemas) = checker().operations.get(operation.id) else {
        return Ok(());
    };
    if let Some(query) = &schemas.query {
        for (name, text) in request.url().query_pairs() {
            if let Some(schema) = query.get(name.as_ref()) {
                let value = query_value(schema, &text);
                check_value(schema, &value, &mut name.to_string())?;
            }
        }
    }
    if let Some(schema) = &schemas.body {
        let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) else {
            return Ok(());
        };
        let body: Value = serde_json::from_slice(bytes)
            .map_err(|_| "the request body is not JSON".to_string())?;
        check_value(schema, &body, &mut String::new())?;
    }
    Ok(())
}

/// The URL's path must end in the template's segments, each parameter a non-empty segment.
/// `..` or `.` in a parameter would have been resolved away by the URL parser, moving the
/// request to another path (`GET /api/v0/payment/..` is `GET /api/v0/`). Compared from the
/// end, segment by segment, without collecting either.
fn check_path(url: &reqwest::Url, template: &str) -> Result<(), String> {
    let moved = || {
        format!(
            "a path parameter is empty, `.` or `..`, which would send the request to another \
             path than {template}"
        )
    };
    let mut sent = url.path_segments().into_iter().flatten().rev();
    for wanted in template.trim_start_matches('/').rsplit('/') {
        let sent = sent.next().ok_or_else(moved)?;
        let fits = match wanted.starts_with('{') {
            true => !sent.is_empty() && !matches!(sent, "." | ".."),
            false => wanted == sent,
        };
        if !fits {
            return Err(moved());
        }
    }
    Ok(())
}

/// A query parameter's text as the JSON value its schema speaks of.
fn query_value(schema: &Value, text: &str) -> Value {
    match schema["type"].as_str() {
        Some("integer" | "number") => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        _ => Value::String(text.to_string()),
    }
}

/// Checks `value` against `schema`; `path` names where it is (`splits[0].value`).
fn check_value(schema: &Value, value: &Value, path: &mut String) -> Result<(), String> {
    let fail = |path: &str, rule: String| {
        let field = if path.is_empty() { "the body" } else { path };
        Err(format!("`{field}` {rule}"))
    };
    if value.is_null() {
        return match schema.get("nullable") == Some(&Value::Bool(true)) {
            true => Ok(()),
            false => fail(path, "is null, which the spec does not allow".into()),
        };
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "number" => value.is_number(),
            "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
            _ => true,
        };
        if !fits {
            return fail(path, format!("is not of type {kind}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return fail(path, "is not one of the values the spec lists".into());
        }
    }
    match value {
        Value::Number(number) => check_number(schema, number).or_else(|rule| fail(path, rule))?,
        Value::String(text) => check_string(schema, text).or_else(|rule| fail(path, rule))?,
        Value::Array(items) => {
            let count = items.len() as u64;
            if schema["minItems"].as_u64().is_some_and(|min| count < min) {
                return fail(path, "has fewer items than the spec requires".into());
            }
            if schema["maxItems"].as_u64().is_some_and(|max| count > max) {
                return fail(path, "has more items than the spec allows".into());
            }
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    let length = path.len();
                    path.push_str(&format!("[{index}]"));
                    check_value(item_schema, item, path)?;
                    path.truncate(length);
                }
            }
        }
        Value::Object(object) => {
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    return fail(path, format!("lacks `{name}`, which the spec requires"));
                }
            }
            let properties = schema["properties"].as_object();
            for (name, field) in object {
                let field_schema = properties
                    .and_then(|p| p.get(name))
                    .or_else(|| schema.get("additionalProperties"));
                if let Some(field_schema) = field_schema {
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                    check_value(field_schema, field, path)?;
                    path.truncate(length);
                }
            }
        }
        _ => {}
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = branches
            .iter()
            .filter(|branch| check_value(branch, value, &mut path.clone()).is_ok())
            .count();
        if matching != 1 {
            return fail(path, "matches none of the forms the spec allows".into());
        }
    }
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let any = branches
            .iter()
            .any(|branch| check_value(branch, value, &mut path.clone()).is_ok());
        if !any {
            return fail(path, "matches none of the forms the spec allows".into());
        }
    }
    Ok(())
}

/// Bounds are compared exactly, as decimals: never through a binary float.
fn check_number(schema: &Value, number: &serde_json::Number) -> Result<(), String> {
    let exact = |number: &serde_json::Number| number.to_string().parse::<Decimal>().ok();
    let value = exact(number).ok_or("is a number the client cannot hold exactly")?;
    let bound = |keyword: &str| schema.get(keyword).and_then(Value::as_number);
    let exclusive = |keyword: &str| schema.get(keyword) == Some(&Value::Bool(true));
    if let Some(minimum) = bound("minimum").and_then(exact) {
        let below = match exclusive("exclusiveMinimum") {
            true => value <= minimum,
            false => value < minimum,
        };
        if below {
            return Err(format!("is below the minimum the spec allows ({minimum})"));
        }
    }
    if let Some(maximum) = bound("maximum").and_then(exact) {
        let above = match exclusive("exclusiveMaximum") {
            true => value >= maximum,
            false => value > maximum,
        };
        if above {
            return Err(format!("is above the maximum the spec allows ({maximum})"));
        }
    }
    if let Some(step) = bound("multipleOf").and_then(exact) {
        if !value.is_multiple_of(step) {
            return Err(format!("is not a multiple of {step}, as the spec requires"));
        }
    }
    Ok(())
}

fn check_string(schema: &Value, text: &str) -> Result<(), String> {
    let length = text.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|min| length < min) {
        return Err("is shorter than the spec allows".into());
    }
    if schema["maxLength"].as_u64().is_some_and(|max| length > max) {
        return Err("is longer than the spec allows".into());
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        let matches = match checker().patterns.get(pattern) {
            Some(Some(regex)) => regex.find(text).is_some(),
            // A pattern that does not compile cannot be checked: refuse rather than guess.
            _ => false,
        };
        if !matches {
            return Err(format!(
                "does not match the pattern {pattern} the spec requires"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> reqwest::Url {
        format!("http://127.0.0.1:9{path}").parse().unwrap()
    }

    #[test]
    fn a_path_parameter_cannot_move_the_request() {
        let template = "/api/v0/payment/{transactionId}";
        assert!(check_path(&url("/api/v0/payment/TXN_1"), template).is_ok());
        // The URL parser resolves `..` and `.` away, and an empty id leaves an empty segment.
        for path in [
            "/api/v0/payment/..",
            "/api/v0/payment/.",
            "/api/v0/payment/",
        ] {
            let parsed = url(path);
            assert!(check_path(&parsed, template).is_err(), "{path} -> {parsed}");
        }
        // A base URL with a path prefix is fine.
        assert!(check_path(&url("/prefix/api/v0/payment/TXN_1"), template).is_ok());
    }

    #[test]
    fn every_operation_with_a_body_or_query_has_parsed_schemas() {
        for (id, body, query) in REQUEST_SCHEMAS {
            let schemas = &checker().operations[id];
            assert_eq!(schemas.body.is_some(), !body.is_empty(), "{id}");
            assert_eq!(schemas.query.is_some(), !query.is_empty(), "{id}");
        }
        assert!(checker().patterns.values().all(Option::is_some));
    }

    #[test]
    fn bounds_are_exact_and_name_the_field_not_the_value() {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["amount"],
            "properties": {
                "amount": {"type": "number", "minimum": 0.01, "multipleOf": 0.01},
                "note": {"type": "string", "maxLength": 3}
            }
        });
        let check = |body: Value| check_value(&schema, &body, &mut String::new());
        assert!(check(serde_json::json!({"amount": 0.01})).is_ok());
        assert!(check(serde_json::json!({"amount": 1499.5})).is_ok());
        let negative = check(serde_json::json!({"amount": -499})).unwrap_err();
        assert!(
            negative.contains("`amount`") && !negative.contains("499"),
            "{negative}"
        );
        assert!(check(serde_json::json!({"amount": 0.005})).is_err());
        assert!(check(serde_json::json!({"amount": 0})).is_err());
        assert!(check(serde_json::json!({})).is_err());
        let long = check(serde_json::json!({"amount": 1, "note": "secret"})).unwrap_err();
        assert!(
            long.contains("`note`") && !long.contains("secret"),
            "{long}"
        );
    }
}
