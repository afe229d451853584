//! Generates the EnKash client from `openapi/enkash.yaml` with progenitor.
//!
//! The output goes to `$OUT_DIR/codegen.rs` and is included privately by `src/generated.rs`;
//! nothing generated is committed. Cargo re-runs this script only when the spec (or this file)
//! changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;

const SPEC: &str = "openapi/enkash.yaml";

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=openapi");
    println!("cargo::rerun-if-changed=build.rs");

    match catch_panics(|| generate(Path::new(SPEC))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // `cargo::error` shows the message as a build error without a panic backtrace.
            for line in message.lines() {
                println!("cargo::error={line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Runs `f`, turning a panic inside openapiv3 or progenitor (both assert on some malformed
/// specs) into an error message that names the spec, instead of a backtrace.
fn catch_panics(f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    outcome.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".to_string());
        Err(format!(
            "{SPEC}: the OpenAPI parser or generator gave up on it (a value of the wrong type \
             or shape, or a construct progenitor does not support): {reason}"
        ))
    })
}

fn generate(spec_path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(spec_path)
        .map_err(|e| format!("{}: cannot read the OpenAPI spec: {e}", spec_path.display()))?;
    // YAML syntax errors first, with their line and column...
    let value: serde_json::Value = serde_norway::from_str(&text)
        .map_err(|e| format!("{}: not valid YAML: {e}", spec_path.display()))?;
    // ...then the OpenAPI structure, with the path of the offending value.
    let open_enums = open_enums(&value)?;
    let money = money_schemas(&value)?;
    let spec: openapiv3::OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let (path, inner) = (e.path().to_string(), e.into_inner());
        format!(
            "{}: not a valid OpenAPI 3.0 document: at {path}: {inner}",
            spec_path.display()
        )
    })?;

    let mut settings = settings();
    for schema in money {
        // Bounds stay in the spec for validators; the Rust type is `Rupees` whatever they are.
        settings.with_conversion(
            schema,
            "crate::Rupees",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for open_enum in &open_enums {
        settings.with_replacement(
            &open_enum.name,
            format!("crate::open_enums::{}", open_enum.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    let mut generator = Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).map_err(|e| {
        format!(
            "{}: progenitor cannot generate a client from it: {e}",
            spec_path.display()
        )
    })?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        format!(
            "{}: generated code does not parse: {e}",
            spec_path.display()
        )
    })?;

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    write(&out_dir.join("codegen.rs"), &prettyplease::unparse(&file))?;
    let enums: String = open_enums.iter().map(OpenEnum::invocation).collect();
    write(&out_dir.join("open_enums.rs"), &enums)
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// A string enum the gateway may extend (`x-enkash-open-enum: true` in the spec).
struct OpenEnum {
    name: String,
    description: String,
    values: Vec<String>,
}

impl OpenEnum {
    /// The `open_enum!` invocation that defines it (see `src/open_enums.rs`).
    fn invocation(&self) -> String {
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
fn open_enums(spec: &serde_json::Value) -> Result<Vec<OpenEnum>, String> {
    let schemas = spec["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut found = Vec::new();
    for (name, schema) in schemas {
        if schema.get("x-enkash-open-enum") != Some(&serde_json::Value::Bool(true)) {
            continue;
        }
        let values: Option<Vec<String>> = schema["enum"].as_array().and_then(|values| {
            values
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        });
        let values = values
            .filter(|_| schema["type"] == "string")
            .ok_or_else(|| {
                format!(
                    "{SPEC}: schema {name} is marked x-enkash-open-enum but is not a string enum"
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

/// The distinct money schemas in the spec (`type: number, format: decimal, multipleOf: 0.01`),
/// as progenitor hands them to typify: typify matches a conversion on the whole schema but its
/// metadata, so each distinct set of bounds needs its own.
fn money_schemas(spec: &serde_json::Value) -> Result<Vec<schemars::schema::SchemaObject>, String> {
    let mut found = Vec::new();
    let mut pending = vec![spec];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("format").and_then(|f| f.as_str()) == Some("decimal") {
                    let schema = money_schema(map)?;
                    if !found.contains(&schema) {
                        found.push(schema);
                    }
                }
                pending.extend(map.iter().filter(|(k, _)| *k != "example").map(|(_, v)| v));
            }
            serde_json::Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    Ok(found)
}

fn money_schema(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<schemars::schema::SchemaObject, String> {
    let number = |key: &str| map.get(key).and_then(serde_json::Value::as_f64);
    let flag = |key: &str| map.get(key) == Some(&serde_json::Value::Bool(true));
    let is_money = map.get("type").and_then(|t| t.as_str()) == Some("number")
        && number("multipleOf") == Some(0.01)
        && !flag("nullable");
    if !is_money {
        return Err(format!(
            "{SPEC}: a `format: decimal` schema must be `type: number` with `multipleOf: 0.01` \
             and not nullable (it is generated as `Rupees`): {}",
            serde_json::Value::Object(map.clone())
        ));
    }
    // OpenAPI 3.0's boolean `exclusiveMinimum` becomes JSON Schema's numeric one, as in
    // progenitor's own translation.
    let (minimum, exclusive_minimum) = match flag("exclusiveMinimum") {
        true => (None, number("minimum")),
        false => (number("minimum"), None),
    };
    let (maximum, exclusive_maximum) = match flag("exclusiveMaximum") {
        true => (None, number("maximum")),
        false => (number("maximum"), None),
    };
    Ok(schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::Number.into()),
        format: Some("decimal".to_string()),
        number: Some(Box::new(schemars::schema::NumberValidation {
            multiple_of: number("multipleOf"),
            maximum,
            exclusive_maximum,
            minimum,
            exclusive_minimum,
        })),
        extensions: map
            .iter()
            .filter(|(key, _)| key.starts_with("x-"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
        ..Default::default()
    })
}

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The hooks in `src/auth/hooks.rs` add the token to every request; a missing impl is a
        // compile error rather than a client that silently sends no credentials.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(crate::auth::Auth))
        .with_derive("schemars::JsonSchema")
        // Deterministic field order in maps, so snapshots and wire JSON are stable.
        .with_map_type("::std::collections::BTreeMap")
        // Every `type: string, format: password` field (access key, secret key, token) becomes
        // a `SecretString`, whose `Debug` is redacted. Descriptions and examples do not affect
        // the match; constraints such as `minLength` would, so secret fields carry none.
        .with_conversion(
            schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::String.into()),
                format: Some("password".to_string()),
                ..Default::default()
            },
            "crate::SecretString",
            // No `Display`: a secret must not be formattable by accident.
            std::iter::empty::<TypeImpl>(),
        );
    settings
}
