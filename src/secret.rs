//! A string that never shows itself in `Debug` output.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A confidential string: an access key, a secret key or a token.
///
/// Every `type: string, format: password` field in the spec is generated as this type. Its
/// `Debug` prints `SecretString(<redacted>)`, it has no `Display`, and the value is read only
/// through [`SecretString::expose_secret`], so a secret cannot reach a log by accident.
/// Cloning is cheap (the value is shared).
///
/// ```
/// let secret = enkash::SecretString::from("SK_UAT_2b7e1516");
/// assert_eq!(format!("{secret:?}"), "SecretString(<redacted>)");
/// assert_eq!(secret.expose_secret(), "SK_UAT_2b7e1516");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Arc<str>);

impl SecretString {
    /// The secret value. Call it only where the value must leave the process (a request).
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.into())
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value.into())
    }
}

impl serde::Serialize for SecretString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Cow borrows where the input allows, so the secret is copied once, into the Arc.
        let value = <Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self(value.as_ref().into()))
    }
}

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
