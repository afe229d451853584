//! Without the `token-store` feature there is no token store, so no shared token: the cache's
//! `Option<SharedTokens>` is always `None`, and this type has no values.

use super::error::TokenError;
use super::fetch::Fetcher;
use super::token::AccessToken;

/// A fleet's shared token; cannot exist without the `token-store` feature.
pub(crate) enum SharedTokens {}

impl SharedTokens {
    pub(crate) async fn obtain(
        &self,
        _fetcher: &Fetcher,
        _replacing: Option<&AccessToken>,
    ) -> Result<AccessToken, TokenError> {
        match *self {}
    }

    pub(crate) fn note_rejected(&self, _token: &AccessToken) {
        match *self {}
    }
}
