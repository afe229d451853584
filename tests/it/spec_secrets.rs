//! The build-time check that keeps every `format: password` schema a `SecretString`
//! (`build/secrets.rs`), tested directly: build scripts have no test harness of their own.

use crate::common;

#[path = "../../build/secrets.rs"]
mod secrets;

use secrets::check_secret_schemas;
use serde_json::json;

#[test]
fn the_spec_passes() {
    check_secret_schemas(&common::spec()).unwrap();
}

#[test]
fn a_constraint_on_a_secret_fails_and_names_the_schema() {
    let mut spec = common::spec();
    let expiry =
        &mut spec["components"]["schemas"]["PaymentDetail"]["oneOf"][1]["properties"]["expiry"];
    assert_eq!(expiry["format"], "password", "{expiry}");
    expiry["pattern"] = json!("^(0[1-9]|1[0-2])/[0-9]{2}$");
    let error = check_secret_schemas(&spec).unwrap_err();
    assert!(
        error.contains("components.schemas.PaymentDetail.oneOf[1].properties.expiry")
            && error.contains("`pattern`"),
        "{error}"
    );
}

#[test]
fn every_key_but_type_format_description_and_example_is_refused_anywhere() {
    for extra in [
        "minLength",
        "maxLength",
        "pattern",
        "nullable",
        "x-enkash-note",
        "enum",
    ] {
        let spec = json!({"paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"type": "array", "items": {"allOf": [
                {"type": "string", "format": "password", "description": "d", "example": "e", extra: "x"}
            ]}}
        }}}}}}});
        let error = check_secret_schemas(&spec).unwrap_err();
        assert!(
            error.contains(
                "paths./a.post.requestBody.content.application/json.schema.items.allOf[0]"
            ) && error.contains(&format!("`{extra}`")),
            "{extra}: {error}"
        );
    }
    let number =
        json!({"components": {"schemas": {"Pin": {"type": "integer", "format": "password"}}}});
    assert!(check_secret_schemas(&number)
        .unwrap_err()
        .contains("must be `type: string`"));
    let plain = json!({"type": "string", "format": "password", "description": "d", "example": "e"});
    check_secret_schemas(&plain).unwrap();
}
