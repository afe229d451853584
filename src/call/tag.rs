//! Everything the hooks tell `payload()` through progenitor's types, in one place: which
//! operation a result belongs to and how the call went ([`CallTag`]), and why a call had no
//! token ([`NoToken`]).
//!
//! A generated call's result keeps little: a response's headers, a `reqwest::Error`, or the
//! text of an `Error::Custom`. So the tag travels in a local response header (`enkash-call`,
//! added after the response arrived; never sent) or, on a transport error, in the error's URL
//! fragment (requests never have one); a missing token travels as a prefixed `Error::Custom`.

use std::borrow::Cow;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::operations;

const HEADER: HeaderName = HeaderName::from_static("enkash-call");
const FRAGMENT: &str = "enkash-call=";

/// Which operation, how many requests were sent for it, and anything unusual about how the
/// call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallTag {
    pub operation: &'static str,
    pub attempts: u32,
    pub ending: Ending,
    /// The `Retry-After` of the last answer, in whole seconds, when its status is one whose
    /// header is obeyed. Kept here because an unreadable error body loses the headers.
    pub retry_after_secs: Option<u64>,
    /// An attempt before the last may have taken effect (it timed out, or was answered 5xx):
    /// a refusal in the last answer may be that attempt's doing.
    pub earlier_may_have_acted: bool,
}

/// How a call ended, beyond what its last answer or error says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// As the last attempt went.
    Plain,
    /// The last answer was larger than the limit and was not read.
    Oversized,
    /// Another attempt was due but no access token could be had for it.
    NoTokenForRetry,
    /// Another attempt was allowed but the client-wide retry budget was spent.
    RetryBudgetSpent,
}

const ENDINGS: [(Ending, &str); 3] = [
    (Ending::Oversized, "oversized"),
    (Ending::NoTokenForRetry, "no-token"),
    (Ending::RetryBudgetSpent, "budget"),
];
const RETRY_AFTER: &str = "retry-after=";
const EARLIER: &str = "earlier";

impl CallTag {
    /// A tag for a call that ended as its last attempt went.
    pub fn new(operation: &'static str, attempts: u32) -> Self {
        Self {
            operation,
            attempts,
            ending: Ending::Plain,
            retry_after_secs: None,
            earlier_may_have_acted: false,
        }
    }

    /// The wait the gateway asked for, when it asked.
    pub fn retry_after(self) -> Option<Duration> {
        self.retry_after_secs.map(Duration::from_secs)
    }

    /// `operation:attempts`, then `:`-separated flags. The common case, one attempt that ended
    /// as it went, is the operation id alone: nothing is formatted on the happy path.
    fn encode(self) -> Cow<'static, str> {
        let plain = self.ending == Ending::Plain && !self.earlier_may_have_acted;
        if self.attempts == 1 && plain && self.retry_after_secs.is_none() {
            return Cow::Borrowed(self.operation);
        }
        let mut text = format!("{}:{}", self.operation, self.attempts);
        if let Some((_, name)) = ENDINGS.iter().find(|(ending, _)| *ending == self.ending) {
            text.push(':');
            text.push_str(name);
        }
        if let Some(secs) = self.retry_after_secs {
            text.push_str(&format!(":{RETRY_AFTER}{secs}"));
        }
        if self.earlier_may_have_acted {
            text.push(':');
            text.push_str(EARLIER);
        }
        Cow::Owned(text)
    }

    fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split(':');
        let operation = operations::find(parts.next()?)?.id;
        let attempts = match parts.next() {
            None => return Some(Self::new(operation, 1)),
            Some(attempts) => attempts.parse().ok()?,
        };
        let mut tag = Self::new(operation, attempts);
        for flag in parts {
            if let Some(secs) = flag.strip_prefix(RETRY_AFTER) {
                tag.retry_after_secs = Some(secs.parse().ok()?);
            } else if flag == EARLIER {
                tag.earlier_may_have_acted = true;
            } else {
                tag.ending = ENDINGS.iter().find(|(_, name)| *name == flag)?.0;
            }
        }
        Some(tag)
    }

    pub fn mark_headers(self, headers: &mut HeaderMap) {
        let value = match self.encode() {
            Cow::Borrowed(text) => Ok(HeaderValue::from_static(text)),
            Cow::Owned(text) => HeaderValue::try_from(text),
        };
        if let Ok(value) = value {
            headers.insert(HEADER, value);
        }
    }

    pub fn mark_error(self, mut error: reqwest::Error) -> reqwest::Error {
        if let Some(url) = error.url_mut() {
            url.set_fragment(Some(&format!("{FRAGMENT}{}", self.encode())));
        }
        error
    }

    pub fn of_headers(headers: &HeaderMap) -> Option<Self> {
        Self::decode(headers.get(HEADER)?.to_str().ok()?)
    }

    /// The tag on an error, which is removed so the error reads as reqwest wrote it.
    pub fn take_from_error(error: &mut reqwest::Error) -> Option<Self> {
        let url = error.url_mut()?;
        let tag = Self::decode(url.fragment()?.strip_prefix(FRAGMENT)?);
        url.set_fragment(None);
        tag
    }
}

/// Why the `pre` hook had no token for a call, as the `Error::Custom` it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoToken {
    /// EnKash refused the credentials.
    Rejected,
    /// No token could be had right now.
    Unavailable,
}

const REJECTED_PREFIX: &str = "enkash token rejected: ";
const UNAVAILABLE_PREFIX: &str = "enkash token unavailable: ";

impl NoToken {
    /// The `Error::Custom` text for a token error: its class, then its own words.
    pub fn encode(self, words: impl std::fmt::Display) -> String {
        let prefix = match self {
            NoToken::Rejected => REJECTED_PREFIX,
            NoToken::Unavailable => UNAVAILABLE_PREFIX,
        };
        format!("{prefix}{words}")
    }

    /// The class and the token error's words, from such a text; `None` for any other text.
    pub fn decode(text: &str) -> Option<(NoToken, &str)> {
        if let Some(words) = text.strip_prefix(REJECTED_PREFIX) {
            return Some((NoToken::Rejected, words));
        }
        Some((NoToken::Unavailable, text.strip_prefix(UNAVAILABLE_PREFIX)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_survives_the_round_trip() {
        let endings = [
            Ending::Plain,
            Ending::Oversized,
            Ending::NoTokenForRetry,
            Ending::RetryBudgetSpent,
        ];
        for (ending, attempts) in endings.into_iter().flat_map(|e| [(e, 1), (e, 3)]) {
            for retry_after_secs in [None, Some(0), Some(120)] {
                for earlier_may_have_acted in [false, true] {
                    let tag = CallTag {
                        ending,
                        retry_after_secs,
                        earlier_may_have_acted,
                        ..CallTag::new("submit_payment", attempts)
                    };
                    let mut headers = HeaderMap::new();
                    tag.mark_headers(&mut headers);
                    assert_eq!(CallTag::of_headers(&headers), Some(tag));
                }
            }
        }
        // One plain attempt travels as the operation id alone.
        let mut headers = HeaderMap::new();
        CallTag::new("submit_payment", 1).mark_headers(&mut headers);
        assert_eq!(headers[HEADER], "submit_payment");
        assert_eq!(CallTag::decode("no_such_operation:1"), None);
        assert_eq!(CallTag::decode("submit_payment:1:what"), None);
    }
}
