//! A snapshot of the source that `build.rs` generates, so that a spec change (or a progenitor
//! upgrade) shows up as a readable diff of the Rust API.

#[test]
fn generated_source() {
    let path = concat!(env!("OUT_DIR"), "/codegen.rs");
    let source = std::fs::read_to_string(path).expect("build.rs wrote codegen.rs");
    insta::assert_snapshot!("codegen", source);
}

/// Money never passes through a binary float: every number in the spec is `Rupees` or
/// `Decimal` (the build refuses a `type: number` without `format: decimal`).
#[test]
fn no_generated_type_holds_a_binary_float() {
    let path = concat!(env!("OUT_DIR"), "/codegen.rs");
    let source = std::fs::read_to_string(path).expect("build.rs wrote codegen.rs");
    for float in ["f32", "f64"] {
        let found: Vec<&str> = source.lines().filter(|line| line.contains(float)).collect();
        assert!(
            found.is_empty(),
            "{float} in the generated code: {found:#?}"
        );
    }
}
