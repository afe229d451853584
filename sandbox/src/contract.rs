//! The sandbox obeys the spec by construction: before any business rule runs, every request is
//! checked against the spec's own parameter and body schemas (stripe-mock's approach). The two
//! cannot drift, because there is nothing to keep in step: the rules *are* the spec.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::{LazyLocation, Location as SchemaLocation};
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{json, Map, Value};

use crate::http::respond::error;
use crate::spec::{self, Operation};

/// A request body larger than this is refused unread.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What one operation accepts.
struct Rules {
    params: Vec<Param>,
    body: Option<BodyRule>,
}

struct Param {
    name: String,
    location: Location,
    required: bool,
    /// `integer`, `number`, `boolean` or `string`: how a text value is read before checking.
    kind: String,
    schema: Validator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
}

struct BodyRule {
    required: bool,
    schema: Validator,
}

/// Checks the request against its operation's rules, then hands it on; a request the spec
/// does not allow gets a 400 (415 for a body that is not JSON) naming the part and the rule,
/// never quoting a value.
pub(crate) async fn enforce(
    operation: &'static Operation,
    request: Request,
    next: Next,
) -> Response {
    let Some(rules) = contract().get(operation.id) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            413,
            "The request body is larger than 1 MiB",
            Value::Null,
        );
    };
    let checked = check_params(
        rules,
        operation,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
    )
    .and_then(|()| check_body(rules, &parts.headers, &bytes));
    if let Err((status, message)) = checked {
        return error(status, i32::from(status.as_u16()), message, Value::Null);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

type Refused = (StatusCode, String);

fn bad(message: String) -> Refused {
    (StatusCode::BAD_REQUEST, message)
}

fn check_params(
    rules: &Rules,
    operation: &Operation,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<(), Refused> {
    let path_values = path_params(operation.path, path);
    let query_values: Vec<(String, String)> = query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    for param in &rules.params {
        let place = match param.location {
            Location::Path => "path parameter",
            Location::Query => "query parameter",
            Location::Header => "header",
        };
        let values: Vec<String> = match param.location {
            Location::Path => path_values
                .get(param.name.as_str())
                .cloned()
                .into_iter()
                .collect(),
            Location::Query => query_values
                .iter()
                .filter(|(name, _)| *name == param.name)
                .map(|(_, value)| value.clone())
                .collect(),
            Location::Header => headers
                .get_all(param.name.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect(),
        };
        match values.as_slice() {
            [] if param.required => {
                return Err(bad(format!("{place} `{}` is required", param.name)));
            }
            [] => {}
            [value] => {
                let Some(instance) = read_scalar(value, &param.kind) else {
                    return Err(bad(format!(
                        "{place} `{}` must be {}",
                        param.name,
                        an(&param.kind)
                    )));
                };
                if let Some(problem) = first_problem(&param.schema, &instance) {
                    return Err(bad(format!("{place} `{}`: {problem}", param.name)));
                }
            }
            _ => {
                return Err(bad(format!(
                    "{place} `{}` is given more than once",
                    param.name
                )))
            }
        }
    }
    Ok(())
}

fn check_body(rules: &Rules, headers: &HeaderMap, bytes: &Bytes) -> Result<(), Refused> {
    let Some(body) = &rules.body else {
        return Ok(());
    };
    if bytes.is_empty() {
        return match body.required {
            true => Err(bad("a JSON request body is required".to_string())),
            false => Ok(()),
        };
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be sent as `Content-Type: application/json`".to_string(),
        ));
    }
    let instance: Value = serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "the request body is not JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    match first_problem(&body.schema, &instance) {
        Some(problem) => Err(bad(format!("Invalid request body: {problem}"))),
        None => Ok(()),
    }
}

/// The first way `instance` breaks `schema`: where, and which rule. Names fields, never values.
fn first_problem(schema: &Validator, instance: &Value) -> Option<String> {
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

/// A parameter's text as the JSON value its schema describes, if it reads as one.
fn read_scalar(text: &str, kind: &str) -> Option<Value> {
    match kind {
        "integer" => text.parse::<i64>().ok().map(Value::from),
        "number" => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::from),
        "boolean" => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => Some(Value::String(text.to_string())),
    }
}

fn an(kind: &str) -> String {
    match kind {
        "integer" => "a whole number".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "true or false".to_string(),
        other => format!("a {other}"),
    }
}

/// The values of a path's `{parameters}`, percent-decoded, by the spec's names.
fn path_params<'a>(template: &'a str, path: &str) -> HashMap<&'a str, String> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(name, value)| {
            let name = name.strip_prefix('{')?.strip_suffix('}')?;
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            Some((name, value.into_owned()))
        })
        .collect()
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

/// Every operation's rules, built once from the spec.
fn contract() -> &'static HashMap<String, Rules> {
    static CONTRACT: OnceLock<HashMap<String, Rules>> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        build(spec::spec()).unwrap_or_else(|e| panic!("the spec's schemas do not compile: {e}"))
    })
}

/// Builds the rules of every operation; the error names the part that does not compile.
fn build(spec: &Value) -> Result<HashMap<String, Rules>, String> {
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

/// OpenAPI 3.0 schemas as JSON Schema draft 4: `nullable: true` becomes a `null` type, the
/// `int32`/`int64` formats become the bounds they imply, and `multipleOf: 0.01` (money) becomes
/// an exact check of decimal places.
fn to_json_schema(value: Value) -> Value {
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
const DECIMAL_PLACES: &str = "x-decimal-places";

/// `n` if `divisor` is `10^-n` (0.01 gives 2), else `None` (left to `multipleOf`).
fn decimal_places_of(divisor: f64) -> Option<u32> {
    (0..=9).find(|&n| (divisor - 10f64.powi(-(n as i32))).abs() < 1e-15)
}

/// The decimals of `value` as the shortest decimal that reads back as the same `f64`: exactly
/// what a JSON number with at most that many decimals was written with.
fn decimals(value: f64) -> usize {
    let text = value.to_string();
    text.split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

struct DecimalPlaces {
    places: usize,
    schema_path: SchemaLocation,
}

// The signature is jsonschema's keyword factory's; its error type is not ours to shrink.
#[allow(clippy::result_large_err)]
fn decimal_places<'a>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_counted_on_the_number_as_written_not_on_binary_division() {
        // 530022.18 / 0.01 is 53002218.000000004 in f64: `multipleOf` would refuse it.
        for (value, places) in [(530022.18, 2), (0.3, 1), (1499.5, 1), (20.15, 2), (7.0, 0)] {
            assert_eq!(decimals(value), places, "{value}");
        }
        assert_eq!(decimals(10.005), 3);
        assert_eq!(decimals(1e-7), 7);
        assert_eq!(decimal_places_of(0.01), Some(2));
        assert_eq!(decimal_places_of(1.0), Some(0));
        assert_eq!(decimal_places_of(0.25), None);
    }

    #[test]
    fn every_operation_of_the_spec_gets_rules() {
        let rules = contract();
        for operation in spec::operations() {
            assert!(rules.contains_key(operation.id), "{}", operation.id);
        }
    }
}
