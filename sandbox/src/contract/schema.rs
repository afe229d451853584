//! The spec's schemas as JSON Schema: OpenAPI's dialect turned into draft 2020-12, the
//! `x-decimal-places` keyword money fields carry, compiling, and naming the first problem of
//! an instance without quoting it.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::{LazyLocation, Location as SchemaLocation};
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{json, Map, Value};

use crate::spec::{self};

/// The first way `instance` breaks `schema`: where, and which rule. Names fields, never values.
pub(crate) fn first_problem(schema: &Validator, instance: &Value) -> Option<String> {
    let error = narrowed(schema.iter_errors(instance).next()?);
    let at = match error.instance_path.as_str() {
        "" => "the value".to_string(),
        pointer => format!("`{}`", pointer.trim_start_matches('/').replace('/', ".")),
    };
    let rule = match &error.kind {
        ValidationErrorKind::Required { property } => {
            format!("required field {property} is missing")
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("unknown field(s) {}", unexpected.join(", "))
        }
        ValidationErrorKind::Custom { message } => message.clone(),
        _ => format!("breaks the spec's `{}` rule", broken_keyword(&error)),
    };
    Some(format!("{at}: {rule}"))
}

/// The schema keyword a validation error broke (`maximum`, `pattern`, ...): the last step of
/// its schema path.
pub(crate) fn broken_keyword<'a>(error: &'a ValidationError<'_>) -> &'a str {
    error
        .schema_path
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or("schema")
}

/// For a value that matches none of a `oneOf`'s (or `anyOf`'s) variants, the problem within
/// the variant it came closest to (the fewest errors: for variants told apart by a one-value
/// tag such as `paymentMode`, the one its tag names), so the message names the field at fault.
pub(crate) fn narrowed(mut error: ValidationError<'_>) -> ValidationError<'_> {
    let branches = match &mut error.kind {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            std::mem::take(context)
        }
        _ => return error,
    };
    let closest = branches
        .into_iter()
        .filter(|errors| !errors.is_empty())
        .min_by_key(Vec::len)
        .and_then(|errors| errors.into_iter().next());
    match closest {
        Some(inner) => narrowed(inner),
        None => error,
    }
}

/// Checks `instance` against `schema`, an OpenAPI 3.0 schema of the spec (`$ref`s resolve
/// against its components), by the same translation to JSON Schema the sandbox checks requests
/// with: every problem found, or none. For tests that hold examples, replies and notifications
/// to the spec.
///
/// ```
/// let order = serde_json::json!({"$ref": "#/components/schemas/Amount"});
/// assert!(enkash_sandbox::validate(&order, &serde_json::json!({"value": 1.5, "currency": "INR"})).is_ok());
/// assert!(enkash_sandbox::validate(&order, &serde_json::json!({"value": 1.505, "currency": "INR"})).is_err());
/// ```
pub fn validate(schema: &Value, instance: &Value) -> Result<(), String> {
    let validator = compile(components(), schema, "the schema")?;
    let problems: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("; ")),
    }
}

/// The spec's components, translated once.
pub(crate) fn components() -> &'static Value {
    static COMPONENTS: OnceLock<Value> = OnceLock::new();
    COMPONENTS.get_or_init(|| to_json_schema(spec::spec()["components"].clone()))
}

/// `schema` (OpenAPI 3.0) as a validator, with the spec's components beside it so that
/// `#/components/...` references resolve.
pub(crate) fn compile(components: &Value, schema: &Value, what: &str) -> Result<Validator, String> {
    let mut root = Map::new();
    root.insert("components".into(), components.clone());
    for (key, value) in to_json_schema(schema.clone())
        .as_object()
        .into_iter()
        .flatten()
    {
        root.insert(key.clone(), value.clone());
    }
    jsonschema::draft4::options()
        .with_keyword(DECIMAL_PLACES, decimal_places)
        .build(&Value::Object(root))
        .map_err(|e| format!("{what}: {e}"))
}

/// OpenAPI 3.0 schemas as JSON Schema draft 4: `nullable: true` becomes a `null` type, the
/// `int32`/`int64` formats become the bounds they imply, and `multipleOf: 0.01` (money) becomes
/// an exact check of decimal places.
pub(crate) fn to_json_schema(value: Value) -> Value {
    match value {
        Value::Object(mut fields) => {
            // Binary floating point cannot test `multipleOf: 0.01` (530022.18 / 0.01 is not a
            // whole number in `f64`): count the decimals of the number as written instead.
            let places = fields
                .get("multipleOf")
                .and_then(Value::as_f64)
                .and_then(decimal_places_of);
            if let Some(places) = places {
                fields.remove("multipleOf");
                fields.insert(DECIMAL_PLACES.into(), json!(places));
            }
            if fields.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(kind)) = fields.get("type").cloned() {
                    fields.insert("type".into(), json!([kind, "null"]));
                }
            }
            let bounds = match fields.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                fields.entry("minimum").or_insert(json!(min));
                fields.entry("maximum").or_insert(json!(max));
            }
            Value::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| (key, to_json_schema(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(to_json_schema).collect()),
        other => other,
    }
}

/// The keyword `multipleOf: 10^-n` becomes: at most `n` decimals.
pub(crate) const DECIMAL_PLACES: &str = "x-decimal-places";

/// `n` if `divisor` is `10^-n` (0.01 gives 2), else `None` (left to `multipleOf`).
pub(crate) fn decimal_places_of(divisor: f64) -> Option<u32> {
    (0..=9).find(|&n| (divisor - 10f64.powi(-(n as i32))).abs() < 1e-15)
}

/// The decimals of `value` as the shortest decimal that reads back as the same `f64`: exactly
/// what a JSON number with at most that many decimals was written with.
pub(crate) fn decimals(value: f64) -> usize {
    let text = value.to_string();
    text.split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

pub(crate) struct DecimalPlaces {
    pub(crate) places: usize,
    pub(crate) schema_path: SchemaLocation,
}

// The signature is jsonschema's keyword factory's; its error type is not ours to shrink.
#[allow(clippy::result_large_err)]
pub(crate) fn decimal_places<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    path: SchemaLocation,
) -> Result<Box<dyn Keyword>, ValidationError<'a>> {
    let places = value.as_u64().unwrap_or(0) as usize;
    Ok(Box::new(DecimalPlaces {
        places,
        schema_path: path,
    }))
}

impl Keyword for DecimalPlaces {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(ValidationError::custom(
            self.schema_path.clone(),
            location.into(),
            instance,
            format!("more than {} decimals", self.places),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        instance
            .as_f64()
            .is_none_or(|number| decimals(number) <= self.places)
    }
}
