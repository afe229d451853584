//! The attempts one call makes: the body of the `exec` hook for every operation but the token
//! one. Each attempt reads the whole answer, so a connection that breaks mid-answer is a failed
//! attempt like any other; the 401 replay with a fresh token is one case of the same loop.

use std::time::{Duration, Instant};

use progenitor_client::OperationInfo;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::{ResponseBuilderExt, StatusCode};
use tracing::field::Empty;
use tracing::Instrument;

use super::error::is_transient_status;
use super::operations::{self, Operation};
use super::payload::retry_after;
use super::policy::{RetryBudget, RetryPolicy};
use super::tag::CallTag;
use crate::{types, Client};

/// A client's retry settings, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct Retry {
    pub policy: RetryPolicy,
    pub budget: RetryBudget,
}

/// What one request came back with.
enum Attempt {
    /// An answer, read to the end.
    Answer(Box<Answer>),
    /// No (complete) answer.
    Failed(reqwest::Error),
}

#[derive(Clone)]
struct Answer {
    status: StatusCode,
    version: reqwest::Version,
    url: reqwest::Url,
    headers: HeaderMap,
    body: bytes::Bytes,
    probe: Probe,
}

/// What a first look at the body found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Probe {
    /// The JSON the status calls for, with the envelope's code if it has one.
    Readable(Option<i64>),
    /// JSON, but not what the status calls for.
    WrongShape,
    /// Not JSON at all (cut short, an HTML error page, ...).
    NotJson,
}

/// Why an attempt might be worth repeating.
#[derive(Debug, Clone, Copy)]
enum Transient {
    /// The request never left (connection refused): safe to send again for any operation.
    NotSent,
    /// It may have arrived: only operations safe to repeat are sent again.
    MayHaveArrived(&'static str),
}

/// Runs `request` for `info`'s operation, retrying as the client's policy allows.
pub(crate) async fn execute(
    client: &Client,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let operation = operations::find(info.operation_id);
    let span = tracing::info_span!(
        target: "enkash::call",
        "enkash.call",
        otel.name = %operation.map_or(info.operation_id.to_string(), |o| format!("{} {}", o.method, o.path)),
        otel.kind = "client",
        enkash.operation_id = info.operation_id,
        http.request.method = operation.map_or("", |o| o.method),
        url.template = operation.map_or("", |o| o.path),
        enkash.attempts = Empty,
        http.response.status_code = Empty,
        enkash.response_code = Empty,
        error.type = Empty,
        enkash.duration_ms = Empty,
    );
    attempts(client, request, operation, info.operation_id)
        .instrument(span)
        .await
}

async fn attempts(
    client: &Client,
    mut request: reqwest::Request,
    operation: Option<&'static Operation>,
    operation_id: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    let retry = client.inner.retry();
    let repeatable = operation.is_some_and(|o| o.idempotent);
    let mut replayed_401 = false;
    let mut count = 0;
    loop {
        count += 1;
        // A streaming body cannot be cloned; such a request is sent once.
        let spare = request.try_clone();
        let sent_token = request.headers().get(AUTHORIZATION).cloned();
        let attempt = send(client, request).await;
        let transient = transient(&attempt);
        match transient {
            Some(_) => retry.budget.record_failure(),
            None => retry.budget.record_answer(),
        }
        let tag = CallTag {
            operation: operation_id,
            attempts: count,
        };
        let Some(mut next) = spare else {
            return finish(attempt, tag, started).await;
        };

        let unauthorized =
            matches!(&attempt, Attempt::Answer(a) if a.status == StatusCode::UNAUTHORIZED);
        if unauthorized {
            // One replay with a fresh token, never more: a second 401 goes back to the caller.
            let Some(sent_token) = sent_token.filter(|_| !replayed_401) else {
                return finish(attempt, tag, started).await;
            };
            client.inner.invalidate(&sent_token);
            replayed_401 = true;
            tracing::info!(target: "enkash::call", reason = "401", attempt = count, delay_ms = 0, "retrying with a fresh token");
        } else {
            let Some(transient) = transient else {
                return finish(attempt, tag, started).await;
            };
            let allowed = matches!(transient, Transient::NotSent) || repeatable;
            let wait = match &attempt {
                Attempt::Answer(answer) => retry_after(&answer.headers),
                Attempt::Failed(_) => None,
            };
            let delay = retry.policy.delay(count, wait);
            let (true, true, true, Some(delay)) = (
                allowed,
                count < retry.policy.attempts_allowed(),
                retry.budget.allows_retry(),
                delay,
            ) else {
                return finish(attempt, tag, started).await;
            };
            let reason = match transient {
                Transient::NotSent => "not sent",
                Transient::MayHaveArrived(reason) => reason,
            };
            tracing::info!(target: "enkash::call", reason, attempt = count, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
        // Every attempt carries the token the cache holds now.
        match client.inner.access_token().await {
            Ok(token) => client.inner.authorize(&mut next, &token),
            Err(_) => return finish(attempt, tag, started).await,
        }
        request = next;
    }
}

/// Sends one request and reads its whole answer.
async fn send(client: &Client, request: reqwest::Request) -> Attempt {
    let response = match client.client.execute(request).await {
        Ok(response) => response,
        Err(error) => return Attempt::Failed(error),
    };
    let (status, version) = (response.status(), response.version());
    let (url, headers) = (response.url().clone(), response.headers().clone());
    match response.bytes().await {
        Ok(body) => {
            let probe = probe(status, &body);
            Attempt::Answer(Box::new(Answer {
                status,
                version,
                url,
                headers,
                body,
                probe,
            }))
        }
        Err(error) => Attempt::Failed(error),
    }
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

/// Whether an attempt failed in a way another attempt might not, and why.
fn transient(attempt: &Attempt) -> Option<Transient> {
    match attempt {
        Attempt::Failed(error) if error.is_connect() => Some(Transient::NotSent),
        Attempt::Failed(error) if error.is_timeout() => Some(Transient::MayHaveArrived("timeout")),
        Attempt::Failed(_) => Some(Transient::MayHaveArrived("connection lost")),
        Attempt::Answer(answer) if is_transient_status(answer.status.as_u16()) => {
            Some(Transient::MayHaveArrived(status_reason(answer.status)))
        }
        Attempt::Answer(answer) if answer.status.is_success() && answer.probe == Probe::NotJson => {
            Some(Transient::MayHaveArrived("unreadable reply"))
        }
        Attempt::Answer(_) => None,
    }
}

fn status_reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        408 => "408",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        _ => "504",
    }
}

/// The call's result as the generated code expects it, tagged for `payload()`, with the span's
/// closing fields recorded.
async fn finish(
    attempt: Attempt,
    tag: CallTag,
    started: Instant,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::Span::current();
    span.record("enkash.attempts", tag.attempts);
    span.record("enkash.duration_ms", duration_ms(started.elapsed()));
    let answer = match attempt {
        Attempt::Failed(error) => {
            let kind = if error.is_connect() {
                "connect"
            } else if error.is_timeout() {
                "timeout"
            } else {
                "connection_lost"
            };
            span.record("error.type", kind);
            return Err(tag.mark_error(error));
        }
        Attempt::Answer(answer) => answer,
    };
    span.record("http.response.status_code", answer.status.as_u16());
    if let Probe::Readable(Some(code)) = answer.probe {
        span.record("enkash.response_code", code);
    }
    if !answer.status.is_success() {
        span.record("error.type", answer.status.as_str());
    }
    let readable = matches!(answer.probe, Probe::Readable(_));
    let error_status = answer.status.is_client_error() || answer.status.is_server_error();
    let garbled_success = answer.status.is_success() && answer.probe == Probe::NotJson;
    if !readable && (error_status || garbled_success) {
        // The generated decoder would fail and lose the status and the tag: let reqwest say
        // what is wrong instead, as a status error (keeping the status) or a decode error.
        span.record("error.type", "unreadable reply");
        let response = rebuild(Answer::clone(&answer));
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
    let mut response = rebuild(*answer);
    tag.mark_headers(response.headers_mut());
    Ok(response)
}

fn rebuild(answer: Answer) -> reqwest::Response {
    let mut response = reqwest::Response::from(
        http::Response::builder()
            .status(answer.status)
            .version(answer.version)
            .url(answer.url)
            .body(answer.body)
            .unwrap_or_default(),
    );
    *response.headers_mut() = answer.headers;
    response
}

fn duration_ms(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}
