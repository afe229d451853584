//! The gateway's handlers, one module per domain as in `ledger/`, and what they share: the
//! answers' shapes (`respond.rs`, a leaf) and authentication (`auth.rs`). `router.rs` mounts
//! them from the spec.

pub(crate) mod auth;
pub(crate) mod checkout;
pub(crate) mod mandates;
pub(crate) mod orders;
pub(crate) mod qr;
pub(crate) mod refunds;
pub(crate) mod respond;
pub(crate) mod settlements;
pub(crate) mod splits;
pub(crate) mod token;
