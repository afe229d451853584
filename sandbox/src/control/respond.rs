//! What the control handlers share: plain-JSON refusals, reading a body, and the in-process
//! handle they drive.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::spec::CONTROL_SPEC_PATH;
use crate::{Sandbox, SandboxState};

/// A handle on the running sandbox for its own control endpoints: the in-process API, so both
/// do exactly the same. Dropping it does not stop the server.
pub(super) fn sandbox(state: &Arc<SandboxState>) -> Sandbox {
    Sandbox {
        state: Arc::clone(state),
        addr: state.addr,
        shutdown: None,
    }
}

/// A refusal: `{"error": "..."}` with this status.
pub(super) struct Refused(pub(super) StatusCode, pub(super) String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

/// The response of a refusal.
pub(super) fn refused(status: StatusCode, message: impl std::fmt::Display) -> Response {
    Refused(status, message.to_string()).into_response()
}

/// The body as the JSON an endpoint takes, or the 400 that says it is not.
pub(super) fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Refused> {
    // Every body is a JSON object; serde would read a struct from an array too.
    let object = serde_json::from_slice::<Value>(bytes).and_then(|value| {
        if value.is_object() {
            Ok(value)
        } else {
            Err(serde::de::Error::custom("not an object"))
        }
    });
    object.and_then(serde_json::from_value).map_err(|e| {
        let message = format!(
            "the body is not the JSON this endpoint takes ({}; see {CONTROL_SPEC_PATH})",
            e.classify_name()
        );
        Refused(StatusCode::BAD_REQUEST, message)
    })
}

/// What kind of JSON problem it was, never the value itself.
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "a field is missing, unknown or of the wrong type",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}
