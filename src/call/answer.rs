//! One request and its whole answer, read within a size limit, and the answer handed back as
//! the `reqwest::Response` the generated code expects (or as reqwest's own error for it).

use reqwest::header::HeaderMap;
use reqwest::{ResponseBuilderExt, StatusCode};

use super::tag::CallTag;
use crate::types;

/// What one request came back with.
pub(crate) enum Attempt {
    /// An answer, read to the end (or to the size limit).
    Answer(Box<Answer>),
    /// No (complete) answer.
    Failed(reqwest::Error),
}

#[derive(Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    version: reqwest::Version,
    url: reqwest::Url,
    pub headers: HeaderMap,
    body: bytes::Bytes,
    pub probe: Probe,
    /// The body was larger than the limit and was not read (`body` is empty).
    pub oversized: bool,
}

/// What a first look at the body found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Probe {
    /// The JSON the status calls for, with the envelope's code if it has one.
    Readable(Option<i64>),
    /// JSON, but not what the status calls for.
    WrongShape,
    /// Not JSON at all (cut short, an HTML error page, too large to read).
    NotJson,
}

/// Whether an answer's secrets are overwritten: an API call's are; the token endpoint's answer
/// is the one place a secret (the token) is expected, and it is never printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scrub {
    Secrets,
    Nothing,
}

/// Sends `request` and reads the answer, at most `limit` bytes of body, with every secret the
/// request carried overwritten in it unless told otherwise.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
    limit: usize,
    scrub: Scrub,
) -> Attempt {
    let secrets = match scrub {
        Scrub::Secrets => Some(super::scrub::Secrets::of(&request)),
        Scrub::Nothing => None,
    };
    let mut response = match http.execute(request).await {
        Ok(response) => response,
        Err(error) => return Attempt::Failed(error),
    };
    let (mut body, oversized) = match read_limited(&mut response, limit).await {
        Ok(Some(body)) => (body, false),
        Ok(None) => (bytes::Bytes::new(), true),
        Err(error) => return Attempt::Failed(error),
    };
    // Scrubbing reads the JSON once; the code it read spares a second reading for the probe.
    let skimmed_code = match secrets {
        Some(secrets) => secrets.scrub(&mut body, response.headers_mut()),
        None => None,
    };
    let probe = match (oversized, skimmed_code) {
        (true, _) => Probe::NotJson,
        (false, Some(code)) if response.status().is_success() => Probe::Readable(code),
        (false, _) => probe(response.status(), &body),
    };
    Attempt::Answer(Box::new(Answer {
        status: response.status(),
        version: response.version(),
        url: response.url().clone(),
        headers: std::mem::take(response.headers_mut()),
        body,
        probe,
        oversized,
    }))
}

/// The body, or `None` as soon as it is known to exceed `limit` (what was read is dropped, and
/// so is the connection).
async fn read_limited(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<bytes::Bytes>> {
    let declared = response.content_length().unwrap_or(0);
    if declared > limit as u64 {
        return Ok(None);
    }
    // A body that comes in one chunk, as most do, is kept as it came; only more are joined.
    let mut first: Option<bytes::Bytes> = None;
    let mut joined = bytes::BytesMut::new();
    let mut read = 0;
    while let Some(chunk) = response.chunk().await? {
        read += chunk.len();
        if read > limit {
            return Ok(None);
        }
        let Some(head) = &first else {
            first = Some(chunk);
            continue;
        };
        if joined.is_empty() {
            joined.reserve((declared as usize).max(read));
            joined.extend_from_slice(head);
        }
        joined.extend_from_slice(&chunk);
    }
    Ok(Some(match joined.is_empty() {
        true => first.unwrap_or_default(),
        false => joined.freeze(),
    }))
}

/// Reads the envelope's code (`response_code`, or `code` for the edit-split envelope) and
/// checks that the body is the JSON the status calls for: an object for a success, an
/// `ErrorBody` for an error status.
fn probe(status: StatusCode, body: &[u8]) -> Probe {
    #[derive(serde::Deserialize)]
    struct Codes {
        response_code: Option<i64>,
        code: Option<i64>,
    }
    let read = if status.is_success() {
        serde_json::from_slice::<Codes>(body).map(|codes| codes.response_code.or(codes.code))
    } else {
        serde_json::from_slice::<types::ErrorBody>(body)
            .map(|error| error.response_code.map(i64::from))
    };
    match read {
        Ok(code) => Probe::Readable(code),
        Err(error) if error.is_syntax() || error.is_eof() => Probe::NotJson,
        Err(_) => Probe::WrongShape,
    }
}

impl Attempt {
    /// An answer as if read from the wire, for the fuzz target that judges token responses.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn answered(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Attempt {
        let body = bytes::Bytes::copy_from_slice(body);
        Attempt::Answer(Box::new(Answer {
            status,
            version: reqwest::Version::HTTP_11,
            url: "http://127.0.0.1/".parse().expect("a valid URL"),
            headers,
            probe: probe(status, &body),
            body,
            oversized: false,
        }))
    }
}

impl Answer {
    /// The body as read (empty when it was over the limit).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the generated decoder would fail on this answer and lose its status and tag: an
    /// error status without an `ErrorBody`, or a success that is not JSON.
    pub fn unreadable(&self) -> bool {
        let error_status = self.status.is_client_error() || self.status.is_server_error();
        let readable = matches!(self.probe, Probe::Readable(_));
        // Only 200 is decoded as the payload; another 2xx reaches the caller as a status the
        // spec does not list, whatever its body.
        !readable
            && (error_status || (self.status == StatusCode::OK && self.probe == Probe::NotJson))
    }

    /// The answer as the generated code should see it, tagged for `payload()`. An unreadable
    /// answer becomes reqwest's own error for it: a status error (keeping the status) or a
    /// decode error.
    pub async fn into_result(self, tag: CallTag) -> reqwest::Result<reqwest::Response> {
        if self.unreadable() {
            let response = self.clone().into_response();
            let error = match response.error_for_status_ref() {
                Err(error) => Some(error),
                Ok(_) => response.json::<serde::de::IgnoredAny>().await.err(),
            };
            if let Some(error) = error {
                return Err(tag.mark_error(error));
            }
        }
        // Readable, or JSON of the wrong shape for a success (the generated decoder names the
        // problem), or a status the spec does not list.
        let mut response = self.into_response();
        tag.mark_headers(response.headers_mut());
        Ok(response)
    }

    fn into_response(self) -> reqwest::Response {
        let mut response = reqwest::Response::from(
            http::Response::builder()
                .status(self.status)
                .version(self.version)
                .url(self.url)
                .body(self.body)
                .unwrap_or_default(),
        );
        *response.headers_mut() = self.headers;
        response
    }
}
