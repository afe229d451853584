//! Numbers without binary floats: every `type: number, format: decimal, multipleOf: 0.01` schema
//! becomes `Rupees`, every other `format: decimal` one `Decimal`, and a `type: number` without
//! `format: decimal` fails the build (it would be an `f64`).

use crate::SPEC;

/// The distinct number schemas in the spec, as progenitor hands them to typify: typify matches
/// a conversion on the whole schema but its metadata, so each distinct set of bounds needs its
/// own.
#[derive(Default)]
pub struct Numbers {
    /// `multipleOf: 0.01`: rupees.
    pub money: Vec<schemars::schema::SchemaObject>,
    /// Any other `format: decimal`: an exact decimal of undocumented unit.
    pub decimals: Vec<schemars::schema::SchemaObject>,
}

pub fn number_schemas(spec: &serde_json::Value) -> Result<Numbers, String> {
    let mut found = Numbers::default();
    let mut pending = vec![spec];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::Object(map) => {
                let is_number = map.get("type").and_then(|t| t.as_str()) == Some("number");
                let is_decimal = map.get("format").and_then(|f| f.as_str()) == Some("decimal");
                if is_number && !is_decimal {
                    return Err(format!(
                        "{SPEC}: a `type: number` schema without `format: decimal` would be a \
                         binary float (f64): add `format: decimal` (with `multipleOf: 0.01` for \
                         rupees): {}",
                        serde_json::Value::Object(map.clone())
                    ));
                }
                if is_decimal {
                    let (schema, is_money) = number_schema(map)?;
                    let list = match is_money {
                        true => &mut found.money,
                        false => &mut found.decimals,
                    };
                    if !list.contains(&schema) {
                        list.push(schema);
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

/// The schema as typify will see it, and whether it is money.
fn number_schema(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<(schemars::schema::SchemaObject, bool), String> {
    let number = |key: &str| map.get(key).and_then(serde_json::Value::as_f64);
    let flag = |key: &str| map.get(key) == Some(&serde_json::Value::Bool(true));
    // `multipleOf` is 0.01 for money, or 10^-n (n up to 9, what `Decimal` holds) for the
    // precision of another decimal.
    let power_of_ten = |step: f64| (0..=9).any(|n| step == 10f64.powi(-n));
    let well_formed = map.get("type").and_then(|t| t.as_str()) == Some("number")
        && number("multipleOf").is_none_or(power_of_ten)
        && !flag("nullable");
    if !well_formed {
        return Err(format!(
            "{SPEC}: a `format: decimal` schema must be `type: number`, not nullable, with \
             `multipleOf: 0.01` (rupees, generated as `Rupees`), another power of ten down to \
             1e-9, or none (generated as `Decimal`): {}",
            serde_json::Value::Object(map.clone())
        ));
    }
    let is_money = number("multipleOf") == Some(0.01);
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
    let schema = schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::Number.into()),
        format: Some("decimal".to_string()),
        // No bounds at all is no `NumberValidation`, as typify reads such a schema.
        number: Some(Box::new(schemars::schema::NumberValidation {
            multiple_of: number("multipleOf"),
            maximum,
            exclusive_maximum,
            minimum,
            exclusive_minimum,
        }))
        .filter(|bounds| **bounds != schemars::schema::NumberValidation::default()),
        extensions: map
            .iter()
            .filter(|(key, _)| key.starts_with("x-"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
        ..Default::default()
    };
    Ok((schema, is_money))
}
