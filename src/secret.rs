//! A string that never shows itself in `Debug` output and is wiped from memory when dropped.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

/// A confidential string: an access key, a secret key or a token.
///
/// Every `type: string, format: password` field in the spec is generated as this type. Its
/// `Debug` prints `SecretString(<redacted>)`, it has no `Display`, and the value is read only
/// through [`SecretString::expose_secret`], so a secret cannot reach a log by accident.
/// Cloning is cheap (the value is shared); when the last clone is dropped, the buffer is
/// overwritten with zeros (`zeroize`) before it is freed. A `String` given to it is moved in,
/// not copied.
///
/// ```
/// let secret = enkash::SecretString::from("SK_UAT_2b7e1516");
/// assert_eq!(format!("{secret:?}"), "SecretString(<redacted>)");
/// assert_eq!(secret.expose_secret(), "SK_UAT_2b7e1516");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Arc<Zeroizing<String>>);

/// The buffer is wiped when the last clone drops.
impl zeroize::ZeroizeOnDrop for SecretString {}

impl SecretString {
    /// The secret value. Call it only where the value must leave the process (a request).
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }

    fn new(value: String) -> Self {
        Self(Arc::new(Zeroizing::new(value)))
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value.to_owned())
    }
}

impl From<String> for SecretString {
    /// Takes the `String` over: its buffer is the one wiped on drop, no copy is left behind.
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl serde::Serialize for SecretString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The string is moved in, not copied, so no unwiped copy of it is freed. (A parser's
        // own scratch buffer, used for input with escapes, is beyond this type's reach.)
        Ok(Self::new(String::deserialize(deserializer)?))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SecretString {
    fn schema_name() -> String {
        "SecretString".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("password".to_string()),
            ..Default::default()
        }
        .into()
    }
}
