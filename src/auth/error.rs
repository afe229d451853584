//! Why a token could not be had, in two classes a caller can act on.

/// Why no access token could be obtained.
///
/// Match on it, or ask [`TokenError::is_rejected`]: a rejection will not cure itself (fix the
/// credentials), a transient failure may (the cache retries after a short backoff).
///
/// A generated call that failed for the same reason ends, through
/// [`Payload::payload`](crate::Payload::payload), as a [`CallError`](crate::CallError) of kind
/// `Credentials` or `TokenUnavailable`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// EnKash refused the credentials: a `resultCode` other than 0 or 200, a response without a
    /// token, or an HTTP 4xx other than 408 and 429 from the token endpoint (the same statuses a
    /// call reads as refused). Retrying with the same keys will not help.
    #[error(
        "EnKash rejected the credentials (HTTP {status}, resultCode {code}: {message}); \
         check the access key and secret key",
        status = display_or_none(.status),
        code = display_or_none(.code)
    )]
    Rejected {
        /// The HTTP status of the token response.
        status: Option<u16>,
        /// The `resultCode`, when the response carried one.
        code: Option<i32>,
        /// The `resultMessage`, or a description of what was wrong.
        message: String,
    },
    /// The token endpoint could not be used right now: a timeout, a connection error, HTTP 408,
    /// 429, 5xx or any other status that is neither 200 nor a refusal, an unparsable body, or a
    /// token whose expiry is already past. The cache retries after a short backoff.
    #[error("could not get an EnKash access token, will retry shortly: {reason}")]
    Transient {
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// What went wrong.
        reason: String,
    },
}

impl TokenError {
    /// Whether the credentials were refused (retrying will not help).
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// Whether the failure may cure itself.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }

    pub(crate) fn transient(status: Option<u16>, reason: impl Into<String>) -> Self {
        Self::Transient {
            status,
            reason: reason.into(),
        }
    }
}

fn display_or_none<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "none".to_string(), T::to_string)
}
