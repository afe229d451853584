//! One exchange held to the spec: is the status listed, does the body match the schema listed
//! for it, which fields does the spec not know. Problems name fields and rules, never values.

use serde::Serialize;
use serde_json::Value;

use super::gateway::Exchange;
use super::spec;
use super::unknown::unknown_fields;

/// A field that differs from the spec.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The field, dotted (`payload.amount`), or `(status)` / `(body)`.
    pub field: String,
    /// What the spec says.
    pub expected: String,
    /// What came: its JSON type, never its value.
    pub came: String,
}

/// The verdict on one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Status and body as the spec describes them.
    Agrees,
    /// Something differs.
    Differs,
    /// No answer came.
    NoAnswer,
}

/// What `check` found for one walked operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationReport {
    /// The operationId.
    pub operation: String,
    /// Method and path as sent.
    pub request: String,
    /// The HTTP status.
    pub status: Option<u16>,
    /// The envelope's `response_code` (or the token's `resultCode`).
    pub response_code: Option<i64>,
    /// Agrees or differs.
    pub verdict: Verdict,
    /// Every difference, including unknown fields and an unlisted status.
    pub differences: Vec<Difference>,
    /// A refusal or a missing answer, in words.
    pub note: Option<String>,
}

/// Holds `exchange` to its operation in the spec.
pub fn judge(exchange: &Exchange) -> OperationReport {
    let mut report = OperationReport {
        operation: exchange.operation.clone(),
        request: format!("{} {}", exchange.method, exchange.path),
        status: exchange.status,
        response_code: ["response_code", "resultCode"]
            .iter()
            .find_map(|key| exchange.body.get(key).and_then(Value::as_i64)),
        verdict: Verdict::Agrees,
        differences: Vec::new(),
        note: None,
    };
    let (Some(status), Some(operation)) = (exchange.status, spec::operation(&exchange.operation))
    else {
        report.verdict = Verdict::NoAnswer;
        report.note = exchange.error.clone().or(Some("no such operation".into()));
        return report;
    };
    let Some((key, response)) = operation.response(status) else {
        let listed: Vec<&String> = operation.object["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        report.differences.push(Difference {
            field: "(status)".into(),
            expected: format!("one of the listed statuses {listed:?}"),
            came: format!("HTTP {status}"),
        });
        report.verdict = Verdict::Differs;
        return report;
    };
    if let Some(schema) = response["content"]["application/json"].get("schema") {
        if !exchange.json {
            report.differences.push(Difference {
                field: "(body)".into(),
                expected: format!("JSON (the {key} answer)"),
                came: "a body that is not JSON".into(),
            });
        } else {
            match enkash_sandbox::schema_problems(schema, &exchange.body) {
                Ok(problems) => {
                    for problem in problems {
                        report.differences.push(Difference {
                            field: dotted(&problem.at),
                            came: describe(exchange.body.pointer(&problem.at)),
                            expected: problem.expected,
                        });
                    }
                }
                Err(error) => report.note = Some(format!("the spec's schema: {error}")),
            }
            for field in unknown_fields(schema, &exchange.body) {
                report.differences.push(Difference {
                    field: dotted(&field),
                    expected: "no such field (the spec does not know it)".into(),
                    came: describe(exchange.body.pointer(&field)),
                });
            }
        }
    }
    let refused = status >= 400 || report.response_code.is_some_and(|c| c != 0 && c != 200);
    if refused {
        report.note = Some(format!(
            "refused: HTTP {status}, response_code {}",
            report
                .response_code
                .map_or("none".to_string(), |c| c.to_string())
        ));
    }
    if !report.differences.is_empty() {
        report.verdict = Verdict::Differs;
    }
    report
}

/// `/payload/amount` -> `payload.amount`.
fn dotted(pointer: &str) -> String {
    match pointer.trim_start_matches('/') {
        "" => "(body)".to_string(),
        path => path.replace('/', "."),
    }
}

/// What kind of value came, never the value.
pub fn describe(value: Option<&Value>) -> String {
    match value {
        None => "nothing (missing)".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(_)) => "a boolean".into(),
        Some(Value::Number(_)) => "a number".into(),
        Some(Value::String(text)) => match text.trim().parse::<f64>().is_ok() {
            true => "a string holding a number".into(),
            false => "a string, not numeric".into(),
        },
        Some(Value::Array(_)) => "an array".into(),
        Some(Value::Object(_)) => "an object".into(),
    }
}
