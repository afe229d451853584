//! Every `example` in the spec validates against the schema it illustrates. Other language
//! teams generate from this file, so a wrong example misleads them as much as a wrong schema.

use crate::common;

use common::validate;
use serde_json::{json, Value};

/// A failure: where the example stands, and what the validator said.
type Problem = (String, String);

/// Checks every example in `spec` and returns the ones that do not validate.
fn invalid_examples(spec: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut checked = 0;
    walk(spec, spec, "#".to_string(), &mut checked, &mut problems);
    assert!(checked > 0, "no example was found in the spec");
    problems
}

fn walk(
    spec: &Value,
    node: &Value,
    path: String,
    checked: &mut usize,
    problems: &mut Vec<Problem>,
) {
    let Some(object) = node.as_object() else {
        if let Some(items) = node.as_array() {
            for (i, item) in items.iter().enumerate() {
                walk(spec, item, format!("{path}/{i}"), checked, problems);
            }
        }
        return;
    };
    // A parameter or media type: its examples illustrate its `schema`.
    // Anything else with an `example` is a schema illustrating itself.
    let (schema, is_holder) = match object.get("schema") {
        Some(schema) => (schema, true),
        None => (node, false),
    };
    let mut examples: Vec<(String, &Value)> = Vec::new();
    if let Some(example) = object.get("example") {
        examples.push((format!("{path}/example"), example));
    }
    if is_holder {
        for (name, example) in object
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            examples.push((format!("{path}/examples/{name}"), &example["value"]));
        }
    }
    for (location, example) in examples {
        *checked += 1;
        if let Err(message) = validate(spec, schema, example) {
            problems.push((location, message));
        }
    }
    for (key, child) in object {
        // Examples are data, not schemas: do not look for schemas inside them.
        if key != "example" && key != "examples" {
            walk(spec, child, format!("{path}/{key}"), checked, problems);
        }
    }
}

#[test]
fn every_example_validates_against_its_schema() {
    let problems = invalid_examples(&common::spec());
    assert!(
        problems.is_empty(),
        "examples that contradict their schema: {problems:#?}"
    );
}

/// The check above is only worth something if it can fail: break examples of each kind
/// (a schema's own, a property's, a media type's) and expect each to be reported.
#[test]
fn a_wrong_example_is_reported() {
    let mut spec = common::spec();
    let schemas = &mut spec["components"]["schemas"];
    schemas["TokenResponse"]["properties"]["expiry"]["example"] = json!("tomorrow");
    // An open enum accepts any string (a new status is not an error), but not a number.
    schemas["OrderStatus"]["example"] = json!(42);
    spec["paths"]["/api/v0/merchant/token"]["post"]["responses"]["200"]["content"]
        ["application/json"]["examples"]["issued"]["value"]["resultCode"] = json!("zero");
    // Reached only through two `$ref`s: envelope -> Order -> OrderStatus.
    spec["paths"]["/api/v0/orders/{orderId}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"]["payload"]["status"] = json!(42);

    let problems = invalid_examples(&spec);
    let locations: Vec<&str> = problems.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        locations,
        [
            "#/components/schemas/OrderStatus/example",
            "#/components/schemas/TokenResponse/properties/expiry/example",
            "#/paths//api/v0/merchant/token/post/responses/200/content/application/json/examples/issued",
            "#/paths//api/v0/orders/{orderId}/get/responses/200/content/application/json/example",
        ],
        "{problems:#?}"
    );
}

/// Open enums are written so that tools which know nothing of `x-enkash-open-enum` accept a
/// value the gateway adds later: a validator built from the spec alone takes it.
#[test]
fn an_unknown_value_of_an_open_enum_validates_against_the_spec_alone() {
    let mut spec = common::spec();
    spec["components"]["schemas"]["OrderStatus"]["example"] = json!("ON_HOLD");
    let problems = invalid_examples(&spec);
    assert!(problems.is_empty(), "{problems:#?}");
}
