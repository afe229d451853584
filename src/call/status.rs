//! What an answer's HTTP status, or a request's transport failure, says about the request's
//! fate: the one table the retry loop, `CallError` and the README's retry matrix agree on.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

/// What a status says EnKash did with the request.
///
/// There is no "not acted on" fate: an answer of any status, from anything, means the request
/// reached a server. A proxy's 408 or 429 may come after it forwarded the request (Envoy
/// answers 408 when the upstream has not answered in time), so those are unknown outcomes too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// 200, the one success status the spec lists: read the body.
    Answered,
    /// A 4xx other than 408 and 429: EnKash refused the request as sent and did not act on it.
    Refused,
    /// Anything else: 408 and 429 (which a proxy may send after forwarding the request), a 5xx,
    /// a 2xx other than 200 (such as 202 Accepted), a 3xx redirect that was not followed, a
    /// 1xx. EnKash may have acted on the request.
    MayHaveActed,
}

impl Fate {
    /// The fate of a request answered with `status`.
    pub fn of(status: u16) -> Fate {
        match status {
            200 => Fate::Answered,
            408 | 429 => Fate::MayHaveActed,
            400..=499 => Fate::Refused,
            _ => Fate::MayHaveActed,
        }
    }
}

/// Statuses that another attempt may not meet again: the retry loop sends an operation that
/// is safe to repeat again after one of these (and never one that is not).
pub(crate) fn is_transient(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Statuses whose `Retry-After` is obeyed (and reported by
/// [`CallError::retry_after`](crate::CallError::retry_after)): a gateway that is rate limiting
/// or briefly unavailable says when to come back. On other statuses the header is ignored.
pub(crate) fn honours_retry_after(status: u16) -> bool {
    matches!(status, 429 | 503)
}

/// A short name of a transient status, for the tracing span.
pub(crate) fn reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        408 => "408",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => "other status",
    }
}

/// How a request that got no answer failed: the one reading of a `reqwest::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// The request could not be built from the arguments (a body that does not serialize):
    /// nothing left the process.
    NotBuilt,
    /// No connection was made (refused, DNS, TLS handshake): nothing reached EnKash. The only
    /// failure after which a request that is not safe to repeat is sent again.
    NotSent,
    /// No answer in time: the request may have arrived.
    Timeout,
    /// The connection broke, or the answer could not be read: the request may have arrived.
    Lost,
}

impl Transport {
    /// The failure `error` describes. (A connection error means nothing was sent only because
    /// the client follows no redirect: after one, the first server would have had the request.)
    pub fn of(error: &reqwest::Error) -> Transport {
        if error.is_builder() {
            Transport::NotBuilt
        } else if error.is_connect() {
            Transport::NotSent
        } else if error.is_timeout() {
            Transport::Timeout
        } else {
            Transport::Lost
        }
    }

    /// The name the tracing span records as `error.type`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::NotBuilt => "invalid_request",
            Transport::NotSent => "connect",
            Transport::Timeout => "timeout",
            Transport::Lost => "connection_lost",
        }
    }
}

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_200_is_an_answer_and_only_a_plain_4xx_is_a_refusal() {
        assert_eq!(Fate::of(200), Fate::Answered);
        for status in [400, 401, 403, 404, 409, 422, 499] {
            assert_eq!(Fate::of(status), Fate::Refused, "{status}");
        }
        // A proxy may answer 408 or 429 after it forwarded the request.
        for status in [
            101, 201, 202, 204, 301, 302, 303, 307, 308, 408, 429, 500, 501, 503, 599,
        ] {
            assert_eq!(Fate::of(status), Fate::MayHaveActed, "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let headers = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            headers
        };
        assert_eq!(retry_after(&headers("3")), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = retry_after(&headers(&later)).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(120));
        assert_eq!(retry_after(&headers(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}
