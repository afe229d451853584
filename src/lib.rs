#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod auth;
mod generated;
mod secret;

pub use generated::{builder, types, Client, Error, ResponseValue};
pub use secret::SecretString;
