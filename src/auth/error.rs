//! Why a token could not be had, in two classes a caller can act on.

/// Why no access token could be obtained.
///
/// Match on it, or ask [`TokenError::is_rejected`]: a rejection will not cure itself (fix the
/// credentials), a transient failure may (the cache retries after a short backoff).
///
/// A generated call that failed for the same reason returns
/// [`Error::Custom`](crate::Error::Custom); recover the class with [`TokenError::class_of`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// EnKash refused the credentials: a `resultCode` other than 0 or 200, a response without a
    /// token, or HTTP 401/403 from the token endpoint. Retrying with the same keys will not help.
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
    /// The token endpoint could not be used right now: a timeout, a connection error, HTTP 5xx
    /// or 429, an unparsable body, or a token whose expiry is already past. The
    /// cache retries after a short backoff.
    #[error("could not get an EnKash access token, will retry shortly: {reason}")]
    Transient {
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// What went wrong.
        reason: String,
    },
}

/// The class of a [`TokenError`], also recoverable from a failed generated call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenErrorClass {
    /// See [`TokenError::Rejected`].
    Rejected,
    /// See [`TokenError::Transient`].
    Transient,
}

/// Prefixes of the `Error::Custom` message a generated call returns when it had no token.
const REJECTED_PREFIX: &str = "enkash token rejected: ";
const TRANSIENT_PREFIX: &str = "enkash token unavailable: ";

impl TokenError {
    /// Whether the credentials were refused (retrying will not help).
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// Whether the failure may cure itself.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }

    /// This error's class.
    pub fn class(&self) -> TokenErrorClass {
        match self {
            Self::Rejected { .. } => TokenErrorClass::Rejected,
            Self::Transient { .. } => TokenErrorClass::Transient,
        }
    }

    /// The class of token failure behind a failed generated call, or `None` when the call
    /// failed for another reason.
    ///
    /// ```no_run
    /// # async fn demo(client: enkash::Client) {
    /// use enkash::{TokenError, TokenErrorClass};
    ///
    /// match client.get_order_status().order_id("ORD_1").send().await {
    ///     Ok(order) => println!("{:?}", order.payload),
    ///     Err(e) => match TokenError::class_of(&e) {
    ///         Some(TokenErrorClass::Rejected) => eprintln!("fix the EnKash credentials: {e}"),
    ///         Some(TokenErrorClass::Transient) => eprintln!("token endpoint down, retry: {e}"),
    ///         None => eprintln!("the call itself failed: {e}"),
    ///     },
    /// }
    /// # }
    /// ```
    pub fn class_of<E>(error: &crate::Error<E>) -> Option<TokenErrorClass> {
        match error {
            crate::Error::Custom(message) => {
                Self::parse_call_error(message).map(|(class, _)| class)
            }
            _ => None,
        }
    }

    /// The class and the token error's own text, from the message of the `Error::Custom` a
    /// generated call returns when it had no token.
    pub(crate) fn parse_call_error(message: &str) -> Option<(TokenErrorClass, &str)> {
        if let Some(text) = message.strip_prefix(REJECTED_PREFIX) {
            Some((TokenErrorClass::Rejected, text))
        } else {
            let text = message.strip_prefix(TRANSIENT_PREFIX)?;
            Some((TokenErrorClass::Transient, text))
        }
    }

    /// The error a generated call returns when it could not get a token.
    pub(crate) fn into_call_error<E>(self) -> crate::Error<E> {
        let prefix = match self {
            Self::Rejected { .. } => REJECTED_PREFIX,
            Self::Transient { .. } => TRANSIENT_PREFIX,
        };
        crate::Error::Custom(format!("{prefix}{self}"))
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
