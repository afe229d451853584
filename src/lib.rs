#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod auth;
mod client;
mod generated;
#[cfg(feature = "sandbox")]
pub mod sandbox;
mod secret;

pub use auth::{
    AccessToken, Auth, Clock, Credentials, SystemClock, TokenError, TokenErrorClass, TokenPolicy,
};
pub use client::{BuildError, ClientBuilder, Environment};
pub use generated::{builder, types, Client, Error, ResponseValue};
pub use secret::SecretString;
