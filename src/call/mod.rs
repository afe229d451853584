//! One call's life: the attempts the `exec` hook makes (the 401 replay is one case of them), the
//! retry policy and the client-wide retry budget, the [`CallError`] a failed call becomes, and
//! the tracing span (target `enkash::call`) that records it.

mod error;
mod exec;
pub(crate) mod operations;
mod payload;
mod policy;
mod tag;

pub use error::{CallError, CallErrorKind};
pub(crate) use exec::{execute, Retry};
pub use payload::Payload;
pub use policy::RetryPolicy;
