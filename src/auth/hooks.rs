//! The `ClientHooks` impl: every generated operation but the token one gets the token and the
//! access key, and one replay after a 401.

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::AUTHORIZATION;
use reqwest::StatusCode;

use super::{Auth, TokenError};
use crate::{Client, Error};

/// The operation that issues tokens: it must not itself wait for a token.
const TOKEN_OPERATION: &str = "generate_token";

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if info.operation_id == TOKEN_OPERATION {
            if let Some(api_key) = request.headers_mut().get_mut("API-Key") {
                api_key.set_sensitive(true);
            }
            return Ok(());
        }
        let token = self
            .inner
            .access_token()
            .await
            .map_err(TokenError::into_call_error)?;
        self.inner.authorize(request, &token);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if info.operation_id == TOKEN_OPERATION {
            return self.client.execute(request).await;
        }
        // A streaming body cannot be cloned; such a request is not replayed.
        let replay = request.try_clone();
        let sent = request.headers().get(AUTHORIZATION).cloned();
        let response = self.client.execute(request).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let (Some(mut replay), Some(sent)) = (replay, sent) else {
            return Ok(response);
        };
        self.inner.invalidate(&sent);
        match self.inner.access_token().await {
            // One replay, never more: a second 401 goes back to the caller.
            Ok(token) => {
                self.inner.authorize(&mut replay, &token);
                self.client.execute(replay).await
            }
            Err(_) => Ok(response),
        }
    }
}
