//! The sandbox obeys the spec by construction: before any business rule runs, every request is
//! checked against the spec's own parameter and body schemas (stripe-mock's approach). The two
//! cannot drift, because there is nothing to keep in step: the rules *are* the spec.

mod rules;
mod schema;

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::http::respond::error;
use crate::spec::Operation;

use rules::{contract, Location, Rules};
pub use schema::validate;
pub(crate) use schema::{broken_keyword, compile, components, first_problem, narrowed};

/// A request body larger than this is refused unread.
const MAX_BODY_BYTES: usize = 1024 * 1024;

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

#[cfg(test)]
mod tests {
    use super::rules::*;
    use super::schema::*;
    use crate::spec;

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
