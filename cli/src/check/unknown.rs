//! Fields an answer carries that the spec does not describe. The spec leaves responses open
//! (the gateway may add fields), so JSON Schema validation passes them; `check` still reports
//! them, because a field the spec does not know is something the spec should learn.

use serde_json::Value;

use super::spec::resolve;

/// The JSON pointers of every object member in `instance` that `schema` names nowhere.
pub fn unknown_fields(schema: &'static Value, instance: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(schema, instance, String::new(), &mut found);
    found
}

fn walk(schema: &'static Value, instance: &Value, at: String, found: &mut Vec<String>) {
    let schema = resolve(schema);
    match instance {
        Value::Object(members) => {
            let mut known = Vec::new();
            let mut open = false;
            collect(schema, &mut known, &mut open);
            for (name, value) in members {
                let child = format!("{at}/{name}");
                match known
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, s)| *s)
                    .next()
                {
                    Some(_) => {
                        // Every variant that names the field may describe it.
                        for (_, sub) in known.iter().filter(|(n, _)| n == name) {
                            walk(sub, value, child.clone(), found);
                        }
                    }
                    None if open => {}
                    None => found.push(child),
                }
            }
            found.sort();
            found.dedup();
        }
        Value::Array(items) => {
            for item_schema in all_of_kind(schema, "items") {
                for (i, item) in items.iter().enumerate() {
                    walk(item_schema, item, format!("{at}/{i}"), found);
                }
            }
        }
        _ => {}
    }
}

/// The properties `schema` describes, through `allOf`/`oneOf`/`anyOf`; `open` when it allows
/// any other (an `additionalProperties` schema or `true`: a map).
fn collect(schema: &'static Value, known: &mut Vec<(String, &'static Value)>, open: &mut bool) {
    let schema = resolve(schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        known.push((name.clone(), property));
    }
    match &schema["additionalProperties"] {
        Value::Bool(true) | Value::Object(_) => *open = true,
        _ => {}
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for sub in schema[keyword].as_array().into_iter().flatten() {
            collect(sub, known, open);
        }
    }
}

/// `schema[keyword]` of the schema and of its `allOf`/`oneOf`/`anyOf` branches.
fn all_of_kind(schema: &'static Value, keyword: &str) -> Vec<&'static Value> {
    let schema = resolve(schema);
    let mut found: Vec<&'static Value> = schema.get(keyword).into_iter().collect();
    for branch in ["allOf", "oneOf", "anyOf"] {
        for sub in schema[branch].as_array().into_iter().flatten() {
            found.extend(all_of_kind(sub, keyword));
        }
    }
    found
}
