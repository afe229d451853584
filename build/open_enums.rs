//! Open enums: schemas marked `x-enkash-open-enum: true`, generated as enums with
//! `Unknown(String)` by the `open_enum!` macro in `src/open_enums.rs`.

use crate::SPEC;

/// A string enum the gateway may extend (`x-enkash-open-enum: true` in the spec).
pub struct OpenEnum {
    pub name: String,
    description: String,
    values: Vec<String>,
}

impl OpenEnum {
    /// The `open_enum!` invocation that defines it (see `src/open_enums.rs`).
    pub fn invocation(&self) -> String {
        let docs: String = self
            .description
            .lines()
            .map(|line| format!("#[doc = {line:?}]\n"))
            .collect();
        let variants: String = self
            .values
            .iter()
            .map(|value| {
                format!(
                    "#[doc = \"`{value}`\"]\n{} => {value:?},\n",
                    variant_name(value)
                )
            })
            .collect();
        format!(
            "open_enum! {{\n{docs}{} {{\n{variants}}}\n}}\n\n",
            self.name
        )
    }
}

/// `CHECKOUT_RENDERED` -> `CheckoutRendered`.
fn variant_name(value: &str) -> String {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The schemas marked `x-enkash-open-enum: true`, checked to be string enums whose values make
/// distinct Rust variant names.
/// The known values of an open enum written the way other tools understand it:
/// `anyOf: [{type: string, enum: [...]}, {type: string}]`, so that a validator or a generator
/// that knows nothing of `x-enkash-open-enum` still accepts a new value.
fn known_values(schema: &serde_json::Value) -> Option<Vec<String>> {
    let [known, other] = schema["anyOf"].as_array()?.as_slice() else {
        return None;
    };
    let plain_string = other["type"] == "string" && other.get("enum").is_none();
    if known["type"] != "string" || !plain_string {
        return None;
    }
    known["enum"]
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

pub fn open_enums(spec: &serde_json::Value) -> Result<Vec<OpenEnum>, String> {
    let schemas = spec["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut found = Vec::new();
    for (name, schema) in schemas {
        if schema.get("x-enkash-open-enum") != Some(&serde_json::Value::Bool(true)) {
            continue;
        }
        let values = known_values(&schema).ok_or_else(|| {
            format!(
                "{SPEC}: schema {name} is marked x-enkash-open-enum but is not `anyOf` a string \
                 enum (the known values) and a plain string (any other)"
            )
        })?;
        let variants: Vec<String> = values.iter().map(|v| variant_name(v)).collect();
        for (i, variant) in variants.iter().enumerate() {
            let unusable = variant.is_empty()
                || variant == "Unknown"
                || variant.starts_with(|c: char| c.is_ascii_digit())
                || variants[..i].contains(variant);
            if unusable {
                return Err(format!(
                    "{SPEC}: schema {name}: value {:?} does not make a usable variant name",
                    values[i]
                ));
            }
        }
        let description = schema["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        found.push(OpenEnum {
            name,
            description,
            values,
        });
    }
    Ok(found)
}
