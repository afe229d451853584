//! Generates the EnKash client from `openapi/enkash.yaml` with progenitor.
//!
//! The output goes to `$OUT_DIR/codegen.rs` and is included privately by `src/generated.rs`;
//! nothing generated is committed. Cargo re-runs this script only when the spec, this file or
//! its parts in `build/` change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The build script's parts live in `build/`, one job per file.
#[path = "build/builders.rs"]
mod builders;
#[path = "build/headers.rs"]
mod headers;
#[path = "build/internal.rs"]
mod internal;
#[path = "build/money.rs"]
mod money;
#[path = "build/open_enums.rs"]
mod open_enums;
#[path = "build/operations.rs"]
mod operations;
#[path = "build/request_schemas.rs"]
mod request_schemas;
#[path = "build/secrets.rs"]
mod secrets;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;

const SPEC: &str = "openapi/enkash.yaml";

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=openapi");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build");

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
    let open_enums = open_enums::open_enums(&value)?;
    secrets::check_secret_schemas(&value).map_err(|problems| {
        problems
            .lines()
            .map(|problem| format!("{}: {problem}", spec_path.display()))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let numbers = money::number_schemas(&value)?;
    let operations = operations::table(&value)?;
    let internal = internal::internal_operations(&value)?;
    let request_schemas = request_schemas::table(&value)?;
    // `.ci/build-weight` reads the spec as JSON from here to double it (Python's standard
    // library has no YAML reader).
    let spec_json = value.to_string();
    let spec: openapiv3::OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let (path, inner) = (e.path().to_string(), e.into_inner());
        format!(
            "{}: not a valid OpenAPI 3.0 document: at {path}: {inner}",
            spec_path.display()
        )
    })?;

    let mut settings = settings();
    // Bounds stay in the spec for validators; the Rust type is `Rupees` or `Decimal` whatever
    // they are. No number becomes an `f64`: `number_schemas` refuses any other.
    for (schemas, rust_type) in [
        (numbers.money, "crate::Rupees"),
        (numbers.decimals, "crate::Decimal"),
    ] {
        for schema in schemas {
            let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
            settings.with_conversion(schema, rust_type, impls);
        }
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
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        format!(
            "{}: generated code does not parse: {e}",
            spec_path.display()
        )
    })?;

    internal::hide(&mut file, &internal)?;
    internal::hide_constructors(&mut file)?;
    builders::keep_used_builders(&mut file)?;
    headers::drop_api_version(&mut file)?;

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    write(&out_dir.join("codegen.rs"), &prettyplease::unparse(&file))?;
    let enums: String = open_enums
        .iter()
        .map(open_enums::OpenEnum::invocation)
        .collect();
    write(&out_dir.join("open_enums.rs"), &enums)?;
    write(&out_dir.join("operations.rs"), &operations)?;
    write(&out_dir.join("request_schemas.rs"), &request_schemas)?;
    write(&out_dir.join("spec.json"), &spec_json)
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    // `JsonSchema` on every type is for the snapshot tests and for users who want the schemas;
    // a call needs none of it, so it is compiled only with the `schemars` feature.
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The hooks in `src/hooks.rs` add the token to every request; a missing impl is a
        // compile error rather than a client that silently sends no credentials.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(crate::state::ClientState))
        // Deterministic field order in maps, so snapshots and wire JSON are stable.
        .with_map_type("::std::collections::BTreeMap")
        // Every `type: string, format: password` field (access key, secret key, token) becomes
        // a `SecretString`, whose `Debug` is redacted. Descriptions and examples do not affect
        // the match; constraints such as `minLength` would, so secret fields carry none, and
        // `secrets.rs` fails the build if one does.
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
