//! Call faults: what the next requests for an operation meet before (or instead of) the
//! sandbox's answer, and the count of requests that reached the sandbox per operation.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{CallFault, SandboxState};
use crate::http::respond::dropped_connection;
use crate::spec::Operation;

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
            state.outbox.drained().await;
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
    let mut response = crate::http::respond::error(status, code, "Injected failure", Value::Null);
    if let Some(wait) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
    }
    response
}
