//! One call's life: the attempts the `exec` hook makes (the 401 replay is one case of them), the
//! retry policy and the client-wide retry budget, the [`CallError`] a failed call becomes, what
//! travels back through progenitor's types, and the tracing span (target `enkash::call`) that
//! records it. It knows nothing of tokens but the [`Authorize`] trait, which the client's state
//! (`crate::state::ClientState`) fulfils.

mod answer;
mod error;
mod exec;
pub(crate) mod operations;
mod policy;
mod request_check;
mod scrub;
mod skim;
mod status;
mod tag;

pub(crate) use answer::{send, Attempt, Scrub};
pub use error::{CallError, CallErrorKind};
pub(crate) use exec::{execute, Authorize, CallSettings, DEFAULT_MAX_RESPONSE_BYTES};
pub use operations::Recovery;
pub use policy::RetryPolicy;
pub(crate) use request_check::check as check_request;
pub(crate) use status::{honours_retry_after, retry_after, Fate, Transport};
pub(crate) use tag::{CallTag, Ending, NoToken};
