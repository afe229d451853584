//! Money: every `type: number, format: decimal, multipleOf: 0.01` schema becomes `Rupees`.

use crate::SPEC;

/// The distinct money schemas in the spec (`type: number, format: decimal, multipleOf: 0.01`),
/// as progenitor hands them to typify: typify matches a conversion on the whole schema but its
/// metadata, so each distinct set of bounds needs its own.
pub fn money_schemas(
    spec: &serde_json::Value,
) -> Result<Vec<schemars::schema::SchemaObject>, String> {
    let mut found = Vec::new();
    let mut pending = vec![spec];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("format").and_then(|f| f.as_str()) == Some("decimal") {
                    let schema = money_schema(map)?;
                    if !found.contains(&schema) {
                        found.push(schema);
                    }
                }
                pending.extend(map.iter().filter(|(k, _)| *k != "example").map(|(_, v)| v));
            }
            serde_json::Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    Ok(found)
}

fn money_schema(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<schemars::schema::SchemaObject, String> {
    let number = |key: &str| map.get(key).and_then(serde_json::Value::as_f64);
    let flag = |key: &str| map.get(key) == Some(&serde_json::Value::Bool(true));
    let is_money = map.get("type").and_then(|t| t.as_str()) == Some("number")
        && number("multipleOf") == Some(0.01)
        && !flag("nullable");
    if !is_money {
        return Err(format!(
            "{SPEC}: a `format: decimal` schema must be `type: number` with `multipleOf: 0.01` \
             and not nullable (it is generated as `Rupees`): {}",
            serde_json::Value::Object(map.clone())
        ));
    }
    // OpenAPI 3.0's boolean `exclusiveMinimum` becomes JSON Schema's numeric one, as in
    // progenitor's own translation.
    let (minimum, exclusive_minimum) = match flag("exclusiveMinimum") {
        true => (None, number("minimum")),
        false => (number("minimum"), None),
    };
    let (maximum, exclusive_maximum) = match flag("exclusiveMaximum") {
        true => (None, number("maximum")),
        false => (number("maximum"), None),
    };
    Ok(schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::Number.into()),
        format: Some("decimal".to_string()),
        number: Some(Box::new(schemars::schema::NumberValidation {
            multiple_of: number("multipleOf"),
            maximum,
            exclusive_maximum,
            minimum,
            exclusive_minimum,
        })),
        extensions: map
            .iter()
            .filter(|(key, _)| key.starts_with("x-"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
        ..Default::default()
    })
}
