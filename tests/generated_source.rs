//! A snapshot of the source that `build.rs` generates, so that a spec change (or a progenitor
//! upgrade) shows up as a readable diff of the Rust API.

#[test]
fn generated_source() {
    let path = concat!(env!("OUT_DIR"), "/codegen.rs");
    let source = std::fs::read_to_string(path).expect("build.rs wrote codegen.rs");
    insta::assert_snapshot!("codegen", source);
}
