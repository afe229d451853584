//! One call's life: the attempts the `exec` hook makes (the 401 replay is one case of them), the
//! retry policy and the client-wide retry budget, the [`CallError`] a failed call becomes, and
//! the tracing span (target `enkash::call`) that records it.

mod answer;
mod error;
mod exec;
pub(crate) mod operations;
mod payload;
mod policy;
mod status;
mod tag;

pub use error::{CallError, CallErrorKind, Recovery};
pub(crate) use exec::{execute, execute_token_request, CallSettings, DEFAULT_MAX_RESPONSE_BYTES};
pub use payload::{Payload, TextPayload};
pub use policy::RetryPolicy;
pub(crate) use tag::{CallTag, Ending};
