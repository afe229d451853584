//! Enums the gateway may extend: every schema marked `x-enkash-open-enum: true` in the spec.
//!
//! `build.rs` reads their values from the spec and invokes [`open_enum!`] for each, and tells
//! progenitor to use these types in place of the strict enums it would generate. An unknown
//! value, say a new order status, deserializes into `Unknown(value)` and serializes back
//! unchanged, so a response from a newer gateway still parses.

/// Defines an enum with the given known values plus `Unknown(String)`.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal,)* }) => {
        $(#[$meta])*
        ///
        /// Values the gateway adds later arrive as `Unknown`, keeping the text.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version of the crate does not know, as the gateway sent it.
            Unknown(String),
        }

        impl $name {
            /// The values documented when this crate was built.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other,
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_string()),
                })
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                let Ok(parsed) = value.parse();
                parsed
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut ::schemars::gen::SchemaGenerator) -> ::schemars::schema::Schema {
                // Any string is accepted; the known values are listed as examples.
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(format!(
                            "An open enum: one of {:?}, or a value added by the gateway later.",
                            Self::KNOWN
                        )),
                        examples: Self::KNOWN.iter().map(|v| ::serde_json::json!(v)).collect(),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/open_enums.rs"));

impl OrderStatus {
    /// Whether the order has reached an end: `PAID`, `CANCELLED` or `EXPIRED`. Polling can stop.
    ///
    /// `CREATED`, `CHECKOUT_RENDERED`, `ATTEMPTED` (a payment failed; another may follow) and
    /// `PAYMENT_CONFIRMATION_PENDING` (the bank has not confirmed yet) are not final, and
    /// neither is a value this crate does not know: keep asking, within a deadline of your
    /// own. The spec's `OrderStatus` description says what each value means; EnKash documents
    /// no transitions, so "final" is read from those meanings.
    ///
    /// ```
    /// use enkash::types::OrderStatus;
    ///
    /// assert!(OrderStatus::Paid.is_final());
    /// assert!(OrderStatus::Expired.is_final());
    /// assert!(!OrderStatus::Attempted.is_final());
    /// assert!(!OrderStatus::from("ON_HOLD").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Paid | Self::Cancelled | Self::Expired)
    }

    /// Whether the order is paid (`PAID`), the only status that says so.
    ///
    /// ```
    /// use enkash::types::OrderStatus;
    ///
    /// assert!(OrderStatus::Paid.is_success());
    /// assert!(!OrderStatus::PaymentConfirmationPending.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Paid)
    }
}

impl PaymentStatus {
    /// Whether the payment attempt's outcome is decided: `SUCCESS`, `FAILED`, `CANCELLED`,
    /// `PARTIALLY_REFUNDED` or `REFUNDED`. Polling can stop.
    ///
    /// `CREATED`, `AUTHORIZED` and `PENDING_WITH_BANK` are not final, and neither is a value
    /// this crate does not know: keep asking, within a deadline of your own. A `SUCCESS`
    /// payment can still move to `PARTIALLY_REFUNDED` or `REFUNDED` when you refund it; it
    /// never goes back to pending or to `FAILED`. EnKash documents the values, not their
    /// transitions, so "final" is read from their meanings.
    ///
    /// ```
    /// use enkash::types::PaymentStatus;
    ///
    /// assert!(PaymentStatus::Success.is_final());
    /// assert!(PaymentStatus::Refunded.is_final());
    /// assert!(!PaymentStatus::PendingWithBank.is_final());
    /// assert!(!PaymentStatus::from("ON_HOLD").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Success
                | Self::Failed
                | Self::Cancelled
                | Self::PartiallyRefunded
                | Self::Refunded
        )
    }

    /// Whether the payment went through and none of it has been refunded: `SUCCESS` only.
    ///
    /// `PARTIALLY_REFUNDED` and `REFUNDED` payments went through once, but money has gone back
    /// since: they are final and **not** a success here, so that "is it a success?" never
    /// answers yes for money that was returned. Match them by name where you need them.
    ///
    /// ```
    /// use enkash::types::PaymentStatus;
    ///
    /// assert!(PaymentStatus::Success.is_success());
    /// assert!(!PaymentStatus::Refunded.is_success());
    /// assert!(!PaymentStatus::Authorized.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success)
    }
}

impl UpiStatus {
    /// Whether the UPI checkout payment's outcome is decided: `SUCCESS` or `FAILED`. Polling
    /// `get_upi_transaction_status` can stop; confirm with `get_transaction_status`.
    ///
    /// `PROCESS` is not final, and neither is a value this crate does not know (third-party
    /// code also sees `PENDING_WITH_BANK`, `AUTHORIZED` and an empty value): keep asking,
    /// within a deadline of your own.
    ///
    /// ```
    /// use enkash::types::UpiStatus;
    ///
    /// assert!(UpiStatus::Success.is_final());
    /// assert!(UpiStatus::Failed.is_final());
    /// assert!(!UpiStatus::Process.is_final());
    /// assert!(!UpiStatus::from("AUTHORIZED").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Success | Self::Failed)
    }

    /// Whether the UPI payment went through: `SUCCESS` only (an unknown value such as
    /// `AUTHORIZED` is not read as a success).
    ///
    /// ```
    /// use enkash::types::UpiStatus;
    ///
    /// assert!(UpiStatus::Success.is_success());
    /// assert!(!UpiStatus::from("AUTHORIZED").is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success)
    }
}
