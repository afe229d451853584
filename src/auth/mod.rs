//! Authentication: credentials, the token cache and the hooks that attach the token.

/// What every generated request needs to authenticate; the generated `Client`'s inner value.
#[derive(Clone, Debug, Default)]
pub struct Auth {}

impl progenitor_client::ClientHooks<Auth> for crate::Client {}
