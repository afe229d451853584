//! Generates the command tree of `enkash` from `openapi/enkash.yaml` with progenitor's CLI
//! generator (`Generator::cli`), on top of the `enkash` crate's public client.
//!
//! `Generator::cli` writes code that names the client crate's items (`Client`, `builder::*`,
//! `types::*`) and the Rust types of parameters. So it must see the spec exactly as the
//! library's build script shows it to progenitor: the same conversions (money to
//! `enkash::Rupees`, other decimals to `enkash::Decimal`, passwords to `enkash::SecretString`,
//! open enums to `enkash::types::*`), found by the library's own build modules (`../build`),
//! with paths that point into `enkash` rather than `crate`. The internal operations
//! (`x-enkash-internal`, the token endpoint) are taken out first: their methods are private
//! to `enkash`, and they must not be commands.
//!
//! Then `build/shape.rs` adjusts what progenitor wrote: answers go through the library's
//! `Payload`/`TextPayload` (the envelope's `response_code`, one `CallError` with recovery
//! advice) instead of progenitor's output callbacks, which see only borrowed raw results.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The library's build modules, reused as they are: one reading of the spec's conventions.
#[allow(dead_code)]
#[path = "../build/money.rs"]
mod money;
#[allow(dead_code)]
#[path = "../build/open_enums.rs"]
mod open_enums;
#[path = "build/shape.rs"]
mod shape;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

/// The spec's name in messages (the shared build modules use it).
const SPEC: &str = "openapi/enkash.yaml";

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=../openapi/enkash.yaml");
    println!("cargo::rerun-if-changed=../build");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build");
    match generate(Path::new("../openapi/enkash.yaml")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            for line in message.lines() {
                println!("cargo::error={line}");
            }
            ExitCode::FAILURE
        }
    }
}

fn generate(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{SPEC}: cannot read: {e}"))?;
    let mut value: serde_json::Value =
        serde_norway::from_str(&text).map_err(|e| format!("{SPEC}: not valid YAML: {e}"))?;
    let version = value["info"]["version"]
        .as_str()
        .ok_or_else(|| format!("{SPEC}: info.version is missing"))?
        .to_string();
    println!("cargo::rustc-env=ENKASH_SPEC_VERSION={version}");

    let numbers = money::number_schemas(&value)?;
    let open_enums = open_enums::open_enums(&value)?;
    let text_answers = shape::drop_internal_and_find_text_answers(&mut value);
    let changes_state = shape::changes_state(&value);
    let spec: openapiv3::OpenAPI = serde_json::from_value(value)
        .map_err(|e| format!("{SPEC}: not a valid OpenAPI 3.0 document: {e}"))?;

    let mut settings = GenerationSettings::new();
    // As the library's build.rs sets them, so that every name and type matches its client.
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_map_type("::std::collections::BTreeMap")
        .with_conversion(
            schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::String.into()),
                format: Some("password".to_string()),
                ..Default::default()
            },
            "enkash::SecretString",
            std::iter::empty::<TypeImpl>(),
        );
    for (schemas, rust_type) in [
        (numbers.money, "enkash::Rupees"),
        (numbers.decimals, "enkash::Decimal"),
    ] {
        for schema in schemas {
            let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
            settings.with_conversion(schema, rust_type, impls);
        }
    }
    for open_enum in &open_enums {
        settings.with_replacement(
            &open_enum.name,
            format!("enkash::types::{}", open_enum.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    let tokens = Generator::new(&settings)
        .cli(&spec, "enkash")
        .map_err(|e| format!("{SPEC}: progenitor cannot generate the CLI: {e}"))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{SPEC}: generated CLI does not parse: {e}"))?;
    shape::route_answers(&mut file, &text_answers)?;
    shape::adjust_body_args(&mut file);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    write(&out.join("cli.rs"), &prettyplease::unparse(&file))?;
    write(
        &out.join("changes_state.rs"),
        &format!(
            "/// The operations the spec does not call safe to repeat (generated).\n\
             const CHANGES_STATE: &[&str] = &{changes_state:?};\n"
        ),
    )
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}
