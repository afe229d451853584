//! [`schema_problems`]: what [`validate`](crate::validate) finds, as structured problems that
//! name the field and the rule but never the value. `enkash check` (the `enkash-cli` crate)
//! reports a real gateway's answers with it, so the workspace keeps one translation of the
//! spec's OpenAPI schemas to JSON Schema (`contract/schema.rs`), not a second copy.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::contract;

/// One way a value breaks a schema of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// Where, as a JSON pointer into the value (`/payload/amount`); for a missing required
    /// field, the pointer the field would have.
    pub at: String,
    /// What the spec expects there: a type (`number`), a value set (`one of "A", "B"`), a
    /// required field, or the name of the rule broken. Never the value that came.
    pub expected: String,
}

/// Checks `instance` against `schema` (OpenAPI 3.0; `$ref`s resolve against the spec's
/// components) by the same translation the sandbox checks requests with, and returns every
/// problem, naming fields and rules but never quoting a value: safe to show whatever the
/// value held. The error is for a schema that does not compile.
///
/// ```
/// let amount = serde_json::json!({"$ref": "#/components/schemas/Amount"});
/// let problems = enkash_sandbox::schema_problems(&amount, &serde_json::json!({"value": "one"})).unwrap();
/// assert!(problems.iter().any(|p| p.at == "/value" && p.expected.contains("number")));
/// assert!(problems.iter().any(|p| p.at == "/currency" && p.expected == "a required field"));
/// ```
pub fn schema_problems(schema: &Value, instance: &Value) -> Result<Vec<SchemaProblem>, String> {
    let validator = contract::compile(contract::components(), schema, "the schema")?;
    let problems = validator
        .iter_errors(instance)
        .map(|error| {
            let error = contract::narrowed(error);
            let at = error.instance_path.as_str().to_string();
            match &error.kind {
                ValidationErrorKind::Required { property } => SchemaProblem {
                    at: format!("{at}/{}", property.as_str().unwrap_or_default()),
                    expected: "a required field".to_string(),
                },
                ValidationErrorKind::Type { kind } => SchemaProblem {
                    at,
                    expected: match kind {
                        TypeKind::Single(one) => format!("type {one}"),
                        TypeKind::Multiple(set) => {
                            let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
                            format!("type {}", names.join(" or "))
                        }
                    },
                },
                // The spec's own value set, not the value that came.
                ValidationErrorKind::Enum { options } => SchemaProblem {
                    at,
                    expected: format!("one of {options}"),
                },
                ValidationErrorKind::Custom { message } => SchemaProblem {
                    at,
                    expected: message.clone(),
                },
                _ => SchemaProblem {
                    at,
                    expected: format!("the spec's `{}` rule", contract::broken_keyword(&error)),
                },
            }
        })
        .collect();
    Ok(problems)
}
