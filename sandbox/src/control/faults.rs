//! Faults as the control API takes them: JSON objects tagged by `kind`, each read into the
//! in-process [`CallFault`] or [`TokenFault`] with the bounds the control spec states.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;

use crate::{CallFault, TokenFault};

/// The longest delay or `Retry-After` a fault may ask for: ten minutes.
const MAX_WAIT_MS: u64 = 600_000;
/// The longest time a lost answer may take to land: a hundred years (the business clock's own
/// limit).
const MAX_LANDING_MS: u64 = 100 * 366 * 24 * 3600 * 1000;
/// The longest redirect target.
const MAX_LOCATION: usize = 2048;
/// The longest rejection message.
const MAX_MESSAGE: usize = 500;
/// How far a token's expiry may be put from now: ten years either way.
const MAX_EXPIRY_OFFSET_MS: i64 = 10 * 366 * 24 * 3600 * 1000;

/// A call fault, as `inject_fault` takes it.
// Variants without fields are written `{}` so that `deny_unknown_fields` holds for them too.
#[derive(Debug, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub(super) enum CallFaultJson {
    Status { status: u16 },
    RetryAfter { status: u16, seconds: u64 },
    Delay { milliseconds: u64 },
    ResetBeforeProcessing {},
    ResetAfterProcessing {},
    Garbled {},
    Redirect { status: u16, location: String },
    Page { status: u16 },
    TakenAnswerLost { lands_after_milliseconds: u64 },
    AnswerAfterCallbacks {},
}

/// A token fault, as `inject_token_fault` takes it.
#[derive(Debug, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub(super) enum TokenFaultJson {
    Status { status: u16 },
    Reject { code: i32, message: String },
    Malformed {},
    Delay { milliseconds: u64 },
    ExpiryOffset { milliseconds: i64 },
}

/// An error status, as the faults answer with: 400 to 599.
fn error_status(status: u16) -> Result<u16, String> {
    (400..=599)
        .contains(&status)
        .then_some(status)
        .ok_or_else(|| format!("status {status}: an error status, 400 to 599"))
}

fn wait(milliseconds: u64) -> Result<Duration, String> {
    (milliseconds <= MAX_WAIT_MS)
        .then(|| Duration::from_millis(milliseconds))
        .ok_or_else(|| format!("at most {MAX_WAIT_MS} milliseconds"))
}

impl CallFaultJson {
    /// The in-process fault, or why it is out of bounds.
    pub(super) fn into_fault(self) -> Result<CallFault, String> {
        Ok(match self {
            Self::Status { status } => CallFault::Status(error_status(status)?),
            Self::RetryAfter { status, seconds } => {
                CallFault::RetryAfter(error_status(status)?, wait(seconds.saturating_mul(1000))?)
            }
            Self::Delay { milliseconds } => CallFault::Delay(wait(milliseconds)?),
            Self::ResetBeforeProcessing {} => CallFault::ResetBeforeProcessing,
            Self::ResetAfterProcessing {} => CallFault::ResetAfterProcessing,
            Self::Garbled {} => CallFault::Garbled,
            Self::AnswerAfterCallbacks {} => CallFault::AnswerAfterCallbacks,
            Self::Redirect { status, location } => {
                if ![301, 302, 303, 307, 308].contains(&status) {
                    return Err(format!("status {status}: 301, 302, 303, 307 or 308"));
                }
                if location.chars().count() > MAX_LOCATION {
                    return Err(format!("location: at most {MAX_LOCATION} characters"));
                }
                CallFault::Redirect(status, interned(location))
            }
            Self::Page { status } => CallFault::Page(error_status(status)?),
            Self::TakenAnswerLost {
                lands_after_milliseconds,
            } => {
                if lands_after_milliseconds > MAX_LANDING_MS {
                    return Err(format!("landsAfterMilliseconds: at most {MAX_LANDING_MS}"));
                }
                CallFault::TakenAnswerLost {
                    lands_after: Duration::from_millis(lands_after_milliseconds),
                }
            }
        })
    }
}

impl TokenFaultJson {
    /// The in-process fault, or why it is out of bounds.
    pub(super) fn into_fault(self) -> Result<TokenFault, String> {
        Ok(match self {
            Self::Status { status } => TokenFault::Status(error_status(status)?),
            Self::Reject { code, message } => {
                if code < 1 {
                    return Err("code: a rejection's resultCode is 1 or more".into());
                }
                if message.chars().count() > MAX_MESSAGE {
                    return Err(format!("message: at most {MAX_MESSAGE} characters"));
                }
                TokenFault::Reject { code, message }
            }
            Self::Malformed {} => TokenFault::Malformed,
            Self::Delay { milliseconds } => TokenFault::Delay(wait(milliseconds)?),
            Self::ExpiryOffset { milliseconds } => {
                if milliseconds.unsigned_abs() > MAX_EXPIRY_OFFSET_MS.unsigned_abs() {
                    return Err(format!(
                        "milliseconds: at most {MAX_EXPIRY_OFFSET_MS} either way"
                    ));
                }
                TokenFault::ExpiryOffsetMs(milliseconds)
            }
        })
    }
}

/// `CallFault::Redirect` holds a `&'static str` (it is `Copy`); each distinct location is
/// kept once for the life of the process.
fn interned(location: String) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = seen.get(location.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(location.into_boxed_str());
    seen.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(json: &str) -> Result<CallFault, String> {
        serde_json::from_str::<CallFaultJson>(json)
            .map_err(|e| e.to_string())?
            .into_fault()
    }

    #[test]
    fn each_kind_reads_into_its_fault_and_bounds_are_kept() {
        assert_eq!(
            call(r#"{"kind":"status","status":503}"#),
            Ok(CallFault::Status(503))
        );
        assert_eq!(
            call(r#"{"kind":"takenAnswerLost","landsAfterMilliseconds":1500}"#),
            Ok(CallFault::TakenAnswerLost {
                lands_after: Duration::from_millis(1500)
            })
        );
        assert_eq!(
            call(r#"{"kind":"retryAfter","status":429,"seconds":2}"#),
            Ok(CallFault::RetryAfter(429, Duration::from_secs(2)))
        );
        assert_eq!(call(r#"{"kind":"garbled"}"#), Ok(CallFault::Garbled));
        assert_eq!(
            call(r#"{"kind":"answerAfterCallbacks"}"#),
            Ok(CallFault::AnswerAfterCallbacks)
        );
        assert!(call(r#"{"kind":"status","status":200}"#).is_err());
        assert!(call(r#"{"kind":"delay","milliseconds":600001}"#).is_err());
        assert!(call(r#"{"kind":"garbled","extra":1}"#).is_err());
        assert!(call(r#"{"kind":"redirect","status":200,"location":"/x"}"#).is_err());
        let a = call(r#"{"kind":"redirect","status":307,"location":"http://127.0.0.1:9/x"}"#);
        let b = call(r#"{"kind":"redirect","status":307,"location":"http://127.0.0.1:9/x"}"#);
        assert_eq!(a, b);
    }
}
