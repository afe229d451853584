//! The sandbox's answers in the spec's shapes (the envelope, `ErrorBody`, a refusal, a body
//! parsed into its generated type, a dropped connection), and what a handler knows of its
//! request ([`Call`]). A leaf: it names no handler.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::ledger::Refusal;
use crate::spec::Operation;
use crate::{codes, SandboxState};

/// The sandbox's state, as handlers take it.
pub(crate) type Shared = State<Arc<SandboxState>>;

/// The operation a route was mounted for (`router.rs`), in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound(pub &'static Operation);

/// What a handler knows of its request besides the body: the headers, and the `operationId`
/// of the operation the router bound it to (the key of the sandbox's counts).
#[derive(Debug)]
pub(crate) struct Call {
    /// The request's headers.
    pub headers: HeaderMap,
    /// The spec's `operationId`.
    pub operation: &'static str,
}

impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        // Every gateway route carries its operation (`router::mount`); a handler mounted
        // without one is a wiring mistake, answered as the server's fault.
        let Some(Bound(operation)) = parts.extensions.get::<Bound>().copied() else {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "Handler mounted without its operation",
                Value::Null,
            ));
        };
        Ok(Call {
            headers: parts.headers.clone(),
            operation: operation.id,
        })
    }
}

/// An error body in the spec's `ErrorBody` shape.
pub(crate) fn error(
    status: StatusCode,
    code: i32,
    message: impl Into<String>,
    payload: Value,
) -> Response {
    let body =
        json!({"response_code": code, "response_message": message.into(), "payload": payload});
    (status, Json(body)).into_response()
}

/// A successful envelope.
pub(crate) fn ok(payload: impl Serialize) -> Response {
    Json(json!({"response_code": 0, "response_message": "SUCCESS", "payload": payload}))
        .into_response()
}

/// What the client sees when the sandbox refuses.
pub(crate) fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(message) => error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            message,
            Value::Null,
        ),
        Refusal::NotFound(message) => error(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            message,
            Value::Null,
        ),
        Refusal::Rule(code, message) => {
            Json(json!({"response_code": code, "response_message": message})).into_response()
        }
    }
}

/// Parses a request body into the type generated from the spec; the 400 names the field.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        // Never the serde message: it may quote the value (a card number, say).
        Refusal::Invalid(format!(
            "Invalid request body at `{}`: not the operation's request type",
            e.path()
        ))
    })
}

/// A search's `offset` and `limit` (default 50; the spec bounds both).
pub(crate) fn page(query: &HashMap<String, String>) -> Result<(usize, usize), Refusal> {
    let number = |name: &str, default: usize| match query.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| Refusal::Invalid(format!("{name}: a whole number"))),
    };
    Ok((number("offset", 0)?, number("limit", 50)?))
}

pub(crate) async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "No such operation in the sandbox",
        Value::Null,
    )
}

/// A response whose body fails at once: the server closes the connection mid-answer.
pub(crate) fn dropped_connection() -> Response {
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
