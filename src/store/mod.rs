//! The fleet-wide token store: one token shared by every process that uses the same
//! credentials, so a fleet makes one token request per expiry episode instead of one per
//! process.
//!
//! [`TokenStore`] is the contract an engine fulfils; [`RedisTokenStore`] (cargo feature `redis`)
//! is the one this crate ships. The client keeps its in-process cache in front: a cache hit
//! never touches the store.

mod seal;
mod token_store;

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisTokenStore;
pub(crate) use seal::{random_owner_id, Sealed, Sealer};
pub use token_store::{Lease, Publication, StoredToken, TokenStore, TokenStoreError};
