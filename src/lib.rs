#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod auth;
mod call;
mod client;
mod decimal;
mod envelope;
#[doc(hidden)]
pub mod fuzzing;
mod generated;
mod money;
mod open_enums;
#[cfg(feature = "sandbox")]
pub mod sandbox;
mod secret;
pub mod webhook;

#[cfg(feature = "redis")]
pub use auth::RedisTokenStore;
pub use auth::{
    AccessToken, Auth, Clock, Credentials, Lease, Publication, StoredToken, SystemClock,
    TokenError, TokenErrorClass, TokenPolicy, TokenStore, TokenStoreError,
};
pub use call::{CallError, CallErrorKind, Payload, Recovery, RetryPolicy, TextPayload};
pub use client::{BuildError, ClientBuilder, Environment};
pub use decimal::{Decimal, ParseDecimalError};
#[doc(hidden)]
pub use envelope::ENVELOPE_SCHEMAS;
pub use envelope::{ApiError, Envelope};
pub use generated::{builder, Client, Error, ResponseValue};
pub use money::{ParseRupeesError, ParseRupeesReason, Rupees};

/// Types used as operation parameters and responses, generated from the spec.
pub mod types {
    pub use crate::generated::types::*;
    pub use crate::open_enums::*;
}
pub use secret::SecretString;
