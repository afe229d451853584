//! The merchant's access key and secret key, as the builder holds them (crate-private: the
//! builder takes the two keys, `ClientBuilder::credentials`, and nothing else takes this type).

use std::fmt;

use crate::SecretString;

/// The access key and secret key EnKash issues to a merchant.
///
/// `Debug` shows neither value and there is no `Display`.
#[derive(Clone)]
pub(crate) struct Credentials {
    access_key: SecretString,
    secret_key: SecretString,
}

impl Credentials {
    /// Credentials from an access key and a secret key.
    pub(crate) fn new(
        access_key: impl Into<SecretString>,
        secret_key: impl Into<SecretString>,
    ) -> Self {
        Self {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
        }
    }

    /// The access key, sent as `accessKey` and as the `merchantAccessKey` header.
    pub(crate) fn access_key(&self) -> &SecretString {
        &self.access_key
    }

    /// The secret key, sent only to the token endpoint.
    pub(crate) fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Credentials;

    #[test]
    fn debug_shows_neither_key() {
        let credentials = Credentials::new("AK_UAT_example", "SK_UAT_example");
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("AK_UAT_example"), "{shown}");
        assert!(!shown.contains("SK_UAT_example"), "{shown}");
    }
}
