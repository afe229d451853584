//! Every `format: password` schema must be exactly what the `SecretString` conversion in
//! `build.rs` matches: `type: string`, `format: password`, and nothing but a `description` and an
//! `example`. Any other key (a `pattern`, a `minLength`, `nullable`, an `x-` extension) makes
//! the schema differ from the conversion's, and the field would silently be generated as a
//! plain `String` whose `Debug` shows the secret. This check turns that into a build error.
//!
//! A pure function over the spec's JSON, so `tests/it/spec_secrets.rs` includes this file and
//! tests it directly (build scripts have no test harness).

use serde_json::Value;

/// The keys a secret schema may have.
const ALLOWED: [&str; 4] = ["type", "format", "description", "example"];

/// Checks every `format: password` schema in `spec`. The error names each offending schema by
/// its path (`components.schemas.X.properties.y`) and says what to do.
pub fn check_secret_schemas(spec: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    walk(spec, "", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn walk(value: &Value, path: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            if fields.get("format").and_then(Value::as_str) == Some("password") {
                check_one(fields, path, problems);
            }
            for (key, child) in fields {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(child, &child_path, problems);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

fn check_one(fields: &serde_json::Map<String, Value>, path: &str, problems: &mut Vec<String>) {
    let extra: Vec<&str> = fields
        .keys()
        .map(String::as_str)
        .filter(|key| !ALLOWED.contains(key))
        .collect();
    if !extra.is_empty() {
        problems.push(format!(
            "secret schema {path} (`format: password`) has {}: a secret schema may have only \
             `type: string`, `format`, `description` and `example`, or it is not generated as \
             `SecretString` and its value shows in `Debug`; move the constraint into the \
             description",
            extra
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if fields.get("type").and_then(Value::as_str) != Some("string") {
        problems.push(format!(
            "secret schema {path} (`format: password`) must be `type: string`, or it is not \
             generated as `SecretString`"
        ));
    }
}
