//! How the exec hook tells `payload()` which operation a result belongs to and how many
//! attempts it took.
//!
//! A generated call's result keeps little: a response's headers, or a `reqwest::Error`. So the
//! tag travels in a local response header (`enkash-call`, added after the response arrived;
//! never sent) or, on a transport error, in the error's URL fragment (requests never have one).

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
    (Ending::Oversized, ":oversized"),
    (Ending::NoTokenForRetry, ":no-token"),
    (Ending::RetryBudgetSpent, ":budget"),
];

impl CallTag {
    fn encode(self) -> String {
        let ending = ENDINGS
            .iter()
            .find(|(ending, _)| *ending == self.ending)
            .map_or("", |(_, suffix)| suffix);
        format!("{}:{}{ending}", self.operation, self.attempts)
    }

    fn decode(text: &str) -> Option<Self> {
        let (text, ending) = ENDINGS
            .iter()
            .find_map(|(ending, suffix)| Some((text.strip_suffix(suffix)?, *ending)))
            .unwrap_or((text, Ending::Plain));
        let (operation, attempts) = text.split_once(':')?;
        Some(Self {
            operation: operations::find(operation)?.id,
            attempts: attempts.parse().ok()?,
            ending,
        })
    }

    pub fn mark_headers(self, headers: &mut HeaderMap) {
        if let Ok(value) = HeaderValue::try_from(self.encode()) {
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
