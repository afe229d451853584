#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod auth;
#[cfg(feature = "test-util")]
#[doc(hidden)]
pub mod bench_support;
mod call;
mod client;
mod credentials;
mod decimal;
mod envelope;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod generated;
pub mod guide;
mod hooks;
mod money;
#[cfg(test)]
mod never_twice;
mod open_enums;
mod payload;
pub mod requests;
mod secret;
mod serde_problem;
pub mod serde_rupees_string;
mod state;
#[cfg(feature = "token-store")]
pub mod store;
pub mod types;
pub mod webhook;

pub use auth::{AccessToken, TokenError, TokenPolicy};
#[cfg(feature = "test-util")]
pub use auth::{Clock, SystemClock};
pub use call::{CallError, CallErrorKind, Recovery, RetryPolicy};
pub use client::{BuildError, ClientBuilder, Environment};
pub use decimal::{Decimal, ParseDecimalError};
#[cfg(feature = "test-util")]
#[doc(hidden)]
pub use envelope::ENVELOPE_SCHEMAS;
pub use generated::{builder, Client, Error, ResponseValue};
pub use money::{ParseRupeesError, ParseRupeesReason, Rupees};
pub use payload::{Payload, TextPayload};
pub use secret::SecretString;
pub use state::ClientState;

/// The OpenAPI spec this crate was generated from (`openapi/enkash.yaml`), byte for byte: the
/// contract other languages generate from, and the one `enkash-sandbox` checks requests against.
/// [`guide::spec_and_other_languages`] explains its versions and extensions.
pub const SPEC_YAML: &str = include_str!("../openapi/enkash.yaml");
