//! Call faults: what the next requests for an operation meet before (or instead of) the
//! sandbox's answer, and the count of requests that reached the sandbox per operation.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::SandboxState;
use crate::spec::Operation;

/// A fault the next call of an operation meets (see
/// [`Sandbox::fail_next_calls`](super::Sandbox::fail_next_calls)).
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
    /// [`Sandbox::advance_clock`](super::Sandbox::advance_clock)). Until then look-ups show
    /// nothing of it; then the transaction, refund or debit is there and its notification or
    /// callback goes out as usual. Meant for the operations that move money
    /// (`submit_payment`, `refund_transaction`, `execute_upi_mandate_debit`), where the
    /// client's recovery advice is for exactly this;
    /// [`Sandbox::landings_pending`](super::Sandbox::landings_pending) counts those not landed
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

/// Middleware on every gateway route: counts the request for its operation and applies the
/// next fault.
pub(crate) async fn inject(
    state: Arc<SandboxState>,
    operation: &'static Operation,
    request: Request,
    next: Next,
) -> Response {
    let fault = {
        let mut inner = state.lock();
        *inner.attempts.entry(operation.id).or_default() += 1;
        inner
            .call_faults
            .get_mut(operation.id)
            .and_then(|faults| faults.pop_front())
    };
    match fault {
        None => next.run(request).await,
        Some(CallFault::Status(status)) => failure(status, None),
        Some(CallFault::RetryAfter(status, wait)) => failure(status, Some(wait)),
        Some(CallFault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(CallFault::ResetBeforeProcessing) => dropped_connection(),
        Some(CallFault::ResetAfterProcessing) => {
            let _performed = next.run(request).await;
            dropped_connection()
        }
        Some(CallFault::Redirect(status, location)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
            let mut response = status.into_response();
            if let Ok(location) = HeaderValue::try_from(location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Some(CallFault::Page(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = "<html><body><h1>Service unavailable</h1></body></html>";
            let mut response = (status, page).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
        }
        Some(CallFault::TakenAnswerLost { lands_after }) => {
            super::landing::take_and_lose_answer(&state, request, next, lands_after).await
        }
        Some(CallFault::AnswerAfterCallbacks) => {
            let answer = next.run(request).await;
            state.outbound.drained().await;
            answer
        }
        Some(CallFault::Garbled) => {
            let _performed = next.run(request).await;
            let mut response = r#"{"response_code": 0, "payl"#.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    }
}

fn failure(status: u16, retry_after: Option<Duration>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = i32::from(status.as_u16());
    let mut response = super::routes::error(status, code, "Injected failure", Value::Null);
    if let Some(wait) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
    }
    response
}

/// A response whose body fails at once: the server closes the connection mid-answer.
pub(super) fn dropped_connection() -> Response {
    let mut response = Response::new(Body::new(BrokenBody));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the sandbox dropped the connection",
        ))))
    }
}
