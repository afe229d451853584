//! [`ClientState`]: what a [`Client`](crate::Client) holds besides its base URL and HTTP
//! client, shared by all its clones. It is the generated client's inner value (progenitor's
//! `inner_type`), which the hooks in `hooks.rs` read on every call.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderValue;

use crate::auth::Authenticator;
use crate::call::{Authorize, CallSettings};

/// The state a [`Client`](crate::Client) shares with its clones: its token cache and access
/// key, and how its calls are made (the retry policy, the client-wide retry budget, the size
/// limit on answers).
///
/// You get one inside a client from [`Client::builder`](crate::Client::builder), never
/// directly. `Debug` shows no secret.
#[derive(Clone)]
pub struct ClientState {
    auth: Authenticator,
    calls: Arc<CallSettings>,
}

impl ClientState {
    pub(crate) fn new(auth: Authenticator, calls: CallSettings) -> Self {
        Self {
            auth,
            calls: Arc::new(calls),
        }
    }

    /// The token cache and the access key.
    pub(crate) fn auth(&self) -> &Authenticator {
        &self.auth
    }
}

/// What the call loop asks of the client, for each retry and each 401.
impl Authorize for ClientState {
    fn call_settings(&self) -> &CallSettings {
        &self.calls
    }

    async fn authorize(&self, request: &mut reqwest::Request) -> bool {
        self.auth.authorize(request).await.is_ok()
    }

    fn invalidate(&self, sent: &HeaderValue) {
        self.auth.invalidate(sent);
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("credentials", &"<redacted>")
            .field("policy", self.auth.policy())
            .field("retry_policy", &self.calls.policy)
            .field("max_response_bytes", &self.calls.max_response_bytes)
            .finish()
    }
}
