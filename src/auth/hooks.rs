//! The `ClientHooks` impl: every generated operation but the token one gets the token and the
//! access key, and runs through the call loop in `crate::call` (retries, the 401 replay).

use progenitor_client::{ClientHooks, OperationInfo};

use super::Auth;
use crate::{Client, Error};

/// The operation that issues tokens: it must not itself wait for a token.
const TOKEN_OPERATION: &str = "generate_token";

/// The header progenitor adds on its own.
const API_VERSION: &str = "api-version";

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        // progenitor adds `api-version: <the spec's info.version>` to every request; EnKash
        // documents no such header, so none is sent.
        request.headers_mut().remove(API_VERSION);
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
            .map_err(|error| Error::Custom(crate::call::NoToken::encode(&error)))?;
        self.inner.authorize(request, &token);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if info.operation_id == TOKEN_OPERATION {
            return crate::call::execute_token_request(self, request, info).await;
        }
        crate::call::execute(self, request, info).await
    }
}
