//! The `ClientHooks` impl, beside the generated client it customises: every generated operation
//! is checked against the spec, gets the token and the access key, and runs through the call
//! loop in `crate::call` (retries, the 401 replay). The token endpoint is not among them: the
//! token cache calls it itself.

use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::auth::TokenError;
use crate::call::{operations, Authorize, NoToken};
use crate::state::ClientState;
use crate::{Client, Error};

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        // Checked before anything else: a request the spec does not allow is never sent.
        if let Some(operation) = operations::find(info.operation_id) {
            crate::call::check_request(request, operation)
                .map_err(|problem| Error::InvalidRequest(format!("{problem}; nothing was sent")))?;
        }
        let no_token = |error: TokenError| {
            let class = match error.is_rejected() {
                true => NoToken::Rejected,
                false => NoToken::Unavailable,
            };
            Error::Custom(class.encode(&error))
        };
        // A call's deadline covers the wait for a token too.
        let Some(limit) = self.inner.call_settings().policy.call_deadline() else {
            return self.inner.auth().authorize(request).await.map_err(no_token);
        };
        let started = tokio::time::Instant::now();
        let waited = tokio::time::timeout(limit, self.inner.auth().authorize(request)).await;
        let left = limit.saturating_sub(started.elapsed());
        match waited {
            Ok(Ok(())) if left > Duration::ZERO => {
                // What is left of the deadline travels to the call loop as the request's own
                // time limit, which the loop reads as its deadline.
                *request.timeout_mut() = Some(left);
                Ok(())
            }
            Ok(Err(error)) => Err(no_token(error)),
            _ => Err(no_token(TokenError::transient(
                None,
                format!(
                    "no token within the call's deadline ({} ms); the call was not sent",
                    limit.as_millis()
                ),
            ))),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        crate::call::execute(&self.client, &self.inner, request, info).await
    }
}
