//! Guides: chapters on using and changing `enkash` that are longer than an item's docs.
//!
//! Each chapter is a module with nothing in it but its text, written in a markdown file beside
//! this one (`src/guide/`), so docs.rs shows it and `cargo test` runs its examples.
//!
//! - [`spec_and_other_languages`]: how the spec and the crates are versioned, what is a breaking
//!   change, and what the spec's `x-enkash-*` extensions ask of a client in another language.

#[doc = include_str!("guide/spec_and_other_languages.md")]
pub mod spec_and_other_languages {}
