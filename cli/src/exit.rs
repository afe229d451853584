//! The exit codes of `enkash`, one per thing a script may want to tell apart. The README's
//! "Command line" section lists them; keep the two in step.

use enkash::{CallError, CallErrorKind};

/// The command did what was asked (for `check`: the gateway agrees with the spec).
pub const OK: u8 = 0;
/// Any failure not below: nothing reached EnKash, no token could be had, an unreadable answer
/// to a call that is safe to repeat, a report that could not be written.
pub const OTHER: u8 = 1;
/// The command line or its input was wrong (clap's own code), credentials are missing, a
/// confirmation was declined, or `check` was pointed at production. Nothing was sent.
pub const USAGE: u8 = 2;
/// EnKash answered and refused: a non-zero `response_code`, rejected credentials, or an HTTP
/// refusal. It did not act on the request.
pub const REFUSED: u8 = 3;
/// The outcome is unknown: the request may have taken effect (a timeout, a lost connection, a
/// 5xx on a call that is not safe to repeat). Follow the printed advice before sending it again.
pub const OUTCOME_UNKNOWN: u8 = 4;
/// `enkash check` found the gateway differing from the spec.
pub const DIFFERS: u8 = 5;

/// The exit code for a failed call.
pub fn of_call_error(error: &CallError) -> u8 {
    if error.outcome_unknown() {
        return OUTCOME_UNKNOWN;
    }
    match error.kind() {
        CallErrorKind::Refused | CallErrorKind::Credentials | CallErrorKind::HttpStatus => REFUSED,
        CallErrorKind::InvalidRequest => USAGE,
        _ => OTHER,
    }
}
