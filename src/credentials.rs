//! The merchant's access key and secret key.

use std::fmt;

use crate::SecretString;

/// The access key and secret key EnKash issues to a merchant.
///
/// `Debug` shows neither value and there is no `Display`.
///
/// ```
/// let credentials = enkash::Credentials::new("AK_UAT_example", "SK_UAT_example");
/// assert!(!format!("{credentials:?}").contains("SK_UAT_example"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key: SecretString,
    secret_key: SecretString,
}

impl Credentials {
    /// Credentials from an access key and a secret key.
    pub fn new(access_key: impl Into<SecretString>, secret_key: impl Into<SecretString>) -> Self {
        Self {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
        }
    }

    /// The access key, sent as `accessKey` and as the `merchantAccessKey` header.
    pub fn access_key(&self) -> &SecretString {
        &self.access_key
    }

    /// The secret key, sent only to the token endpoint.
    pub fn secret_key(&self) -> &SecretString {
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
