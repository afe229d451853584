//! The faults a test queues: what the next token requests meet ([`TokenFault`]) and what the
//! next calls of an operation meet ([`CallFault`]). The middleware that applies them is
//! `faults.rs`; the token endpoint applies its own (`http/token.rs`).

use std::time::Duration;

/// A fault the next token request(s) will meet.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenFault {
    /// Answer with this HTTP status and an error body.
    Status(u16),
    /// Answer HTTP 200 with this `resultCode` and message and no token (a rejection).
    Reject {
        /// The `resultCode`.
        code: i32,
        /// The `resultMessage`.
        message: String,
    },
    /// Answer HTTP 200 with a body that is not JSON.
    Malformed,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Issue a token whose `expiry` is this many milliseconds from the sandbox's now
    /// (negative: already expired).
    ExpiryOffsetMs(i64),
}

/// A fault the next call of an operation meets (see
/// [`Sandbox::fail_next_calls`](crate::Sandbox::fail_next_calls)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFault {
    /// Answer with this HTTP status and an error body; the operation is not performed.
    Status(u16),
    /// Answer with this status and `Retry-After: <whole seconds>`; the operation is not
    /// performed.
    RetryAfter(u16, Duration),
    /// Wait this long, then perform the operation and answer normally.
    Delay(Duration),
    /// Drop the connection without performing the operation.
    ResetBeforeProcessing,
    /// Perform the operation, then drop the connection: it takes effect, the answer is lost.
    ResetAfterProcessing,
    /// Perform the operation, then answer HTTP 200 with a body cut short (not JSON).
    Garbled,
    /// Answer with this redirect status (3xx) and `Location: <the given URL>`; the operation
    /// is not performed. A client that followed it would send the request again, there.
    Redirect(u16, &'static str),
    /// Answer with this status and an HTML page, as a CDN or proxy in front of the gateway
    /// would; the operation is not performed.
    Page(u16),
    /// The gateway takes the request, and the answer is lost: the connection drops at once
    /// (the client sees [`ConnectionLost`](enkash::CallErrorKind::ConnectionLost), an unknown
    /// outcome), and the operation is performed only when the sandbox's business time has
    /// moved `lands_after` on (by itself, with the wall clock, or at once with
    /// [`Sandbox::advance_clock`](crate::Sandbox::advance_clock)). Until then look-ups show
    /// nothing of it; then the transaction, refund or debit is there and its notification or
    /// callback goes out as usual. Meant for the operations that move money
    /// (`submit_payment`, `refund_transaction`, `execute_upi_mandate_debit`), where the
    /// client's recovery advice is for exactly this;
    /// [`Sandbox::landings_pending`](crate::Sandbox::landings_pending) counts those not landed
    /// yet.
    TakenAnswerLost {
        /// How much business time passes before the request is performed.
        lands_after: Duration,
    },
    /// Perform the operation, then hold its answer until every callback and notification it
    /// sent has been delivered (or refused, or timed out): the merchant's endpoint sees the
    /// Mandate Debit Callback or the payment notification *before* the call's answer, as it
    /// may from EnKash. Deterministic: no timing is involved.
    AnswerAfterCallbacks,
}
