//! [`CallError`]: every way a call can fail, in one type that says what to do next.
//!
//! Over 400 lines, of which 127 are docs: one public type, its kinds, its questions and the
//! constructors the call loop and `payload()` use; split, the type's story would be in pieces.

use std::fmt;
use std::time::Duration;

use super::operations::{self, Recovery};
use super::status::Fate;
use super::tag::{CallTag, Ending};

/// What kind of failure a [`CallError`] is, and whether the request may have reached EnKash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallErrorKind {
    /// EnKash refused the credentials at the token endpoint. The call itself was not sent.
    Credentials,
    /// No token could be had right now (token endpoint down or slow). The call itself was not
    /// sent.
    TokenUnavailable,
    /// The request never reached the gateway (connection refused, DNS, TLS handshake).
    NotSent,
    /// No answer within the timeout. The request may have reached the gateway and taken effect.
    Timeout,
    /// The connection broke before the whole answer arrived. The request may have reached the
    /// gateway and taken effect.
    ConnectionLost,
    /// The gateway answered with a status other than 200. It reached the gateway; whether it
    /// took effect depends on the status: a 4xx other than 408 and 429 is a refusal (not acted
    /// on), 408 and 429 were not acted on, anything else (a 5xx, another 2xx, an unfollowed 3xx
    /// redirect) may have taken effect ([`CallError::outcome_unknown`]).
    HttpStatus,
    /// The gateway answered HTTP 200 with a non-zero `response_code`: it understood the request
    /// and refused it.
    Refused,
    /// The answer could not be read (not JSON, not the documented shape, no result code, or
    /// over the client's size limit). The request reached the gateway and may have taken
    /// effect.
    Decode,
    /// The request could not be built from the arguments given. Nothing was sent.
    InvalidRequest,
}

/// Why a call failed: one error for every way, from a refused token to an unreadable reply.
///
/// Get it with [`Payload::payload`](crate::Payload::payload). It tells you what happened
/// ([`kind`](Self::kind), [`http_status`](Self::http_status),
/// [`response_code`](Self::response_code)), how many requests were sent
/// ([`attempts`](Self::attempts)), and what you may do: [`is_retryable`](Self::is_retryable)
/// (calling again may succeed and cannot do harm) and
/// [`outcome_unknown`](Self::outcome_unknown) (the gateway may have acted on the request and its
/// answer was lost: find out before sending it again). Its `Display` says the same in words;
/// neither `Display` nor `Debug` shows a secret or a body.
///
/// ```no_run
/// use enkash::{CallErrorKind, Payload};
///
/// # async fn demo(client: enkash::Client, payment: enkash::types::SubmitPaymentRequest)
/// # -> Result<(), Box<dyn std::error::Error>> {
/// match client.submit_payment().body(payment).send().await.payload() {
///     Ok(transaction) => println!("{:?}", transaction.status),
///     Err(e) if e.outcome_unknown() => {
///         // The payment may have gone through: look before paying again.
///         eprintln!("{e}");
///     }
///     Err(e) if e.kind() == CallErrorKind::Refused => {
///         eprintln!("refused with code {:?}", e.response_code());
///     }
///     Err(e) => return Err(e.into()),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CallError {
    kind: CallErrorKind,
    operation: Option<&'static str>,
    attempts: u32,
    http_status: Option<u16>,
    response_code: Option<i32>,
    /// The gateway's `response_message`, or what went wrong (never a body or a secret).
    detail: String,
    retry_after: Option<Duration>,
    /// The answer was larger than the client's limit: asking again will not shrink it.
    oversized: bool,
    /// Another attempt was allowed, but the client-wide retry budget was spent.
    retry_budget_spent: bool,
    /// An attempt before the last may have taken effect (a timeout, a 5xx), so a refusal in
    /// the last answer ("already revoked") may be that attempt's doing.
    earlier_may_have_acted: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl CallError {
    pub(crate) fn new(kind: CallErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            operation: None,
            attempts: 0,
            http_status: None,
            response_code: None,
            detail: detail.into(),
            retry_after: None,
            oversized: false,
            retry_budget_spent: false,
            earlier_may_have_acted: false,
            source: None,
        }
    }

    // What the answer said, set where the error is made (`payload.rs` reads progenitor's
    // result; the fields stay private to this file).

    /// The answer's HTTP status, if there was an answer.
    pub(crate) fn with_http_status(mut self, status: Option<u16>) -> Self {
        self.http_status = status;
        self
    }

    /// The envelope's `response_code`, if the answer carried one.
    pub(crate) fn with_response_code(mut self, code: Option<i32>) -> Self {
        self.response_code = code;
        self
    }

    /// When the gateway asked to be called again (`Retry-After` on a 429 or 503).
    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// The answer was larger than the client's limit and was not read.
    pub(crate) fn with_oversized(mut self, oversized: bool) -> Self {
        self.oversized = oversized;
        self
    }

    /// The transport error underneath, as [`std::error::Error::source`].
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// How many requests the call made, when no [`CallTag`] says it.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// What the call loop recorded about the call (its operation, attempts and how it ended),
    /// if the tag came back through progenitor's types.
    pub(crate) fn tagged(mut self, tag: Option<CallTag>) -> Self {
        let Some(tag) = tag else {
            return self;
        };
        if tag.ending == Ending::NoTokenForRetry {
            // What ended the call is the missing token. Retries are only ever made where the
            // earlier attempts could not have taken effect or were safe to repeat.
            let last = self.to_string();
            let last = last.split("; ").next().unwrap_or_default();
            self.detail = format!(
                "another attempt was due but no access token could be had (the last attempt: \
                 {last}); it is safe to try again shortly"
            );
            self.kind = CallErrorKind::TokenUnavailable;
        }
        self.retry_budget_spent = tag.ending == Ending::RetryBudgetSpent;
        self.earlier_may_have_acted = tag.earlier_may_have_acted;
        self.operation = Some(tag.operation);
        self.attempts = tag.attempts;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> CallErrorKind {
        self.kind
    }

    /// The operation that failed (`"submit_payment"`), when known. A reply of the wrong shape
    /// reaches the error without it.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// Requests sent for this call, retries and the 401 replay included: 0 when it failed before
    /// sending (no token, bad arguments). For a reply that was JSON of the wrong shape the
    /// generated decoder keeps no count, and this reads 1.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The HTTP status of the last answer, if there was one and it was an error.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// EnKash's `response_code`, when the answer carried one.
    pub fn response_code(&self) -> Option<i32> {
        self.response_code
    }

    /// The policy would have tried again, but the client's retry budget was spent: most recent
    /// attempts failed, so retries are paused until calls succeed again (see
    /// [`RetryPolicy`](crate::RetryPolicy)). A sign of an outage rather than a blip.
    pub fn retry_budget_spent(&self) -> bool {
        self.retry_budget_spent
    }

    /// How long the gateway asked to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The request may have reached the gateway, and may have taken effect, but no usable
    /// answer came back: a timeout, a dropped connection, an unreadable reply, or a status that
    /// is neither the documented 200 nor a refusal (a 5xx, a 408 or 429, which a proxy may send
    /// after forwarding the request, a 202, an unfollowed 3xx redirect). Also any failure after
    /// an earlier attempt that may have taken effect ([`earlier_attempt_may_have_acted`]): a
    /// refusal then may be that attempt's doing. [`recovery`](Self::recovery) says how to find
    /// out, per operation.
    ///
    /// [`earlier_attempt_may_have_acted`]: Self::earlier_attempt_may_have_acted
    pub fn outcome_unknown(&self) -> bool {
        let last = match self.kind {
            CallErrorKind::Timeout | CallErrorKind::ConnectionLost | CallErrorKind::Decode => true,
            CallErrorKind::HttpStatus => self
                .http_status
                .is_none_or(|status| Fate::of(status) == Fate::MayHaveActed),
            _ => false,
        };
        last || self.earlier_may_have_acted
    }

    /// An attempt before the last one may have taken effect (it timed out, or was answered
    /// 5xx), so whatever the last answer says, the call may have done what it asked. Only
    /// operations that are safe to repeat are ever sent more than once after such an attempt.
    pub fn earlier_attempt_may_have_acted(&self) -> bool {
        self.earlier_may_have_acted
    }

    /// EnKash refused the request: a non-zero `response_code`, or a 4xx other than 408 and 429.
    fn is_refusal(&self) -> bool {
        match self.kind {
            CallErrorKind::Refused => true,
            CallErrorKind::HttpStatus => self
                .http_status
                .is_some_and(|status| Fate::of(status) == Fate::Refused),
            _ => false,
        }
    }

    /// The gateway refused the access token on the call's only attempt: the client dropped it,
    /// and the next call fetches another.
    fn token_refused_once(&self) -> bool {
        self.kind == CallErrorKind::HttpStatus
            && self.http_status == Some(401)
            && self.attempts <= 1
    }

    /// Calling again may succeed and cannot do harm: nothing was sent, EnKash refused the access
    /// token (401, which the client dropped), or the operation is safe to repeat and the
    /// failure was transient. The
    /// client has already retried as far as its [`RetryPolicy`](crate::RetryPolicy) allowed;
    /// this says whether trying later makes sense. The same as
    /// `recovery() == Recovery::TryAgain`.
    pub fn is_retryable(&self) -> bool {
        self.recovery() == Recovery::TryAgain
    }

    /// What to do next, for this operation: the one answer to "may I send it again?".
    ///
    /// When the outcome is unknown, an operation that is safe to repeat may be tried again;
    /// for the others the spec says (`x-enkash-if-outcome-unknown`): a payment or a refund is
    /// looked up ([`Recovery::LookUp`]), an order is created afresh under a new merchant order
    /// id ([`Recovery::StartAfresh`]), an edit that sets values is resent unchanged
    /// ([`Recovery::ResendUnchanged`]). A refusal after an earlier attempt that may have taken
    /// effect is [`Recovery::LookUp`] whatever the operation: the refusal may be that
    /// attempt's doing. The error's `Display` says the same in words.
    ///
    /// ```no_run
    /// use enkash::{Payload, Recovery};
    ///
    /// # async fn demo(client: enkash::Client, refund: enkash::types::RefundRequest)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// let first = client.refund_transaction().transaction_id("TXN_1").body(refund);
    /// match first.send().await.payload() {
    ///     Ok(refund) => println!("{:?}", refund.status),
    ///     Err(e) if e.recovery() == Recovery::LookUp => {
    ///         // The refund may have been made: look at the transaction before refunding again.
    ///         let transaction = client.get_transaction_status().transaction_id("TXN_1");
    ///         println!("{:?}", transaction.send().await.payload()?.status);
    ///     }
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn recovery(&self) -> Recovery {
        let operation = self.operation.and_then(operations::find);
        if self.earlier_may_have_acted && self.is_refusal() {
            return Recovery::LookUp;
        }
        match self.kind {
            CallErrorKind::NotSent | CallErrorKind::TokenUnavailable => Recovery::TryAgain,
            CallErrorKind::Credentials | CallErrorKind::Refused | CallErrorKind::InvalidRequest => {
                Recovery::ChangeRequest
            }
            CallErrorKind::HttpStatus if !self.outcome_unknown() => match self.token_refused_once()
            {
                true => Recovery::TryAgain,
                false => Recovery::ChangeRequest,
            },
            // Asking again will not shrink an answer that is over the client's limit.
            _ if self.oversized && operation.is_some_and(|o| o.idempotent) => {
                Recovery::ChangeRequest
            }
            _ => match operation {
                Some(operation) if operation.idempotent => Recovery::TryAgain,
                Some(operation) => operation.recovery.unwrap_or(Recovery::LookUp),
                None => Recovery::LookUp,
            },
        }
    }

    fn advice(&self) -> String {
        let operation = self.operation.and_then(operations::find);
        match self.recovery() {
            Recovery::TryAgain => {
                let why = match self.kind {
                    CallErrorKind::TokenUnavailable | CallErrorKind::NotSent => {
                        "nothing reached EnKash"
                    }
                    _ if self.token_refused_once() => {
                        "EnKash refused the access token, which the client dropped: the next \
                         call fetches a new one (EnKash's guide: retry once with a fresh token)"
                    }
                    _ => "the operation is safe to repeat",
                };
                match (self.retry_after, self.http_status) {
                    (Some(wait), _) => format!(
                        "{why}; EnKash asked to wait {}s before trying again",
                        wait.as_secs()
                    ),
                    (None, Some(429)) => format!("{why}: slow down before trying again"),
                    _ => format!("{why}, so it is safe to try again shortly"),
                }
            }
            Recovery::ChangeRequest => match self.kind {
                CallErrorKind::Credentials => "check the access key and secret key".into(),
                CallErrorKind::Refused => "EnKash understood the request and refused it: change \
                                           the request rather than repeating it"
                    .into(),
                CallErrorKind::InvalidRequest => {
                    "nothing was sent: fix the call's arguments".into()
                }
                CallErrorKind::HttpStatus => {
                    "EnKash refused the request as sent and did not act on it".into()
                }
                _ => "raise ClientBuilder::max_response_bytes to read it".into(),
            },
            Recovery::LookUp if self.earlier_may_have_acted && self.is_refusal() => {
                "an earlier attempt may have done what was asked, and this refusal may be \
                 because it did: look up the current state before acting on the refusal"
                    .into()
            }
            Recovery::LookUp | Recovery::ResendUnchanged | Recovery::StartAfresh => match operation
                .map(|o| o.advice)
                .filter(|advice| !advice.is_empty())
            {
                Some(advice) => format!("EnKash may have acted on it. {advice}"),
                None => "EnKash may have acted on it: find out before sending it again".into(),
            },
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.operation {
            write!(f, "{operation}: ")?;
        }
        if matches!(
            self.kind,
            CallErrorKind::Credentials | CallErrorKind::TokenUnavailable
        ) {
            // The token error's own text already says what happened and what to do.
            return f.write_str(&self.detail);
        }
        match self.kind {
            CallErrorKind::Credentials => write!(f, "EnKash rejected the credentials")?,
            CallErrorKind::TokenUnavailable => write!(f, "no EnKash access token could be had")?,
            CallErrorKind::NotSent => write!(f, "could not connect to EnKash")?,
            CallErrorKind::Timeout => write!(f, "no answer from EnKash in time")?,
            CallErrorKind::ConnectionLost => write!(f, "the connection broke before the answer")?,
            CallErrorKind::HttpStatus => write!(
                f,
                "EnKash answered HTTP {}",
                self.http_status.unwrap_or_default()
            )?,
            CallErrorKind::Refused => write!(f, "EnKash refused the request")?,
            CallErrorKind::Decode => write!(f, "EnKash's answer could not be read")?,
            CallErrorKind::InvalidRequest => write!(f, "the request could not be built")?,
        }
        if let Some(code) = self.response_code {
            write!(f, " (response_code {code})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        if self.earlier_may_have_acted {
            write!(f, " (an earlier attempt may have taken effect)")?;
        }
        if self.retry_budget_spent {
            write!(
                f,
                " (not retried: most recent calls failed, retries are paused)"
            )?;
        }
        write!(f, "; {}", self.advice())
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
