//! The `ClientHooks` impl, beside the generated client it customises: every generated operation
//! gets the token and the access key, and runs through the call loop in `crate::call` (retries,
//! the 401 replay). The token endpoint is not among them: the token cache calls it itself.

use progenitor_client::{ClientHooks, OperationInfo};

use crate::auth::Auth;
use crate::call::NoToken;
use crate::{Client, Error};

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
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
