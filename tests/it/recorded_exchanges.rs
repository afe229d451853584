//! Exchanges recorded by `enkash check --record` (in `cli/tests/recorded/`, masked) replayed
//! through the client's decoders: every recorded answer reads as the generated type the spec
//! names for its operation and status. A recording from UAT dropped in that folder is checked
//! the same way, so a gateway that answers otherwise than the spec says fails here.

use crate::common;

use serde_json::Value;

use super::generated_types::round_trip;

/// The schema the spec names for `operation`'s answer with `status`: the exact status, else
/// its class (`4XX`), with a `components/responses` reference followed.
fn answer_schema(spec: &Value, operation: &str, status: u16) -> Option<String> {
    let op = spec["paths"]
        .as_object()?
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten())
        .map(|(_, op)| op)
        .find(|op| op["operationId"] == operation)?;
    let responses = &op["responses"];
    let class = format!("{}XX", status / 100);
    let mut response = responses
        .get(status.to_string())
        .or_else(|| responses.get(&class))?;
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.strip_prefix("#/components/responses/")?;
        response = &spec["components"]["responses"][name];
    }
    let schema = response["content"]["application/json"]["schema"]["$ref"].as_str()?;
    schema
        .strip_prefix("#/components/schemas/")
        .map(str::to_string)
}

#[test]
fn every_recorded_answer_reads_as_the_type_the_spec_names() {
    let spec = common::spec();
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/cli/tests/recorded");
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .expect("cli/tests/recorded holds the exchanges `enkash check --record` wrote")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut replayed = Vec::new();
    for file in &files {
        let exchange: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let operation = exchange["operation"].as_str().unwrap();
        let status = exchange["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok());
        let Some(status) = status.filter(|_| exchange["json"] == true) else {
            continue;
        };
        let schema = answer_schema(&spec, operation, status).unwrap_or_else(|| {
            panic!(
                "{}: the spec names no JSON answer for {operation} {status}",
                file.display()
            )
        });
        round_trip(&schema, &exchange["body"]).unwrap_or_else(|e| {
            panic!(
                "{}: {operation}'s {status} answer does not read as {schema}: {e}",
                file.display()
            )
        });
        replayed.push((status, schema));
    }
    // The committed recording (from the standalone sandbox) has both kinds of answer.
    assert!(replayed.len() >= 10, "{replayed:?}");
    assert!(
        replayed.iter().any(|(status, _)| *status == 200),
        "{replayed:?}"
    );
    assert!(
        replayed.iter().any(|(status, _)| *status >= 400),
        "{replayed:?}"
    );
}
