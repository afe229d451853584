//! The `ClientHooks` impl, beside the generated client it customises: every generated operation
//! gets the token and the access key, and runs through the call loop in `crate::call` (retries,
//! the 401 replay). The token endpoint is not among them: the token cache calls it itself.

use progenitor_client::{ClientHooks, OperationInfo};

use crate::auth::Auth;
use crate::call::NoToken;
use crate::{Client, Error};

/// The header progenitor adds on its own.
const API_VERSION: &str = "api-version";

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        // progenitor adds `api-version: <the spec's info.version>` to every request; EnKash
        // documents no such header, so none is sent.
        request.headers_mut().remove(API_VERSION);
        self.inner.authorize(request).await.map_err(|error| {
            let class = match error.is_rejected() {
                true => NoToken::Rejected,
                false => NoToken::Unavailable,
            };
            Error::Custom(class.encode(&error))
        })
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        crate::call::execute(&self.client, &self.inner, request, info).await
    }
}
