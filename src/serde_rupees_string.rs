//! [`Rupees`] as a JSON string (`"1499.50"`) in your own types, for
//! `#[serde(with = "enkash::serde_rupees_string")]`.
//!
//! EnKash's wire form is a JSON number, which [`Rupees`] reads and writes by itself. Many
//! merchants' own APIs carry money as a string instead, so that no JavaScript client or JSON
//! tool in between ever turns it into a binary float. This module reads such a string exactly,
//! by the rules of [`Rupees`]'s `FromStr` (digits, an optional leading `-`, at most two
//! decimals: `"1499.5"`, `"1499.50"`, `"-20"`), and writes one with always two decimals
//! (`"1499.50"`). Anything else is an error that says what is expected and never repeats the
//! value it was given: a JSON number (`1499.5`), an exponent, spaces, a third decimal. For an
//! optional amount, use [`option`].
//!
//! ```
//! use enkash::Rupees;
//!
//! #[derive(Debug, serde::Serialize, serde::Deserialize)]
//! struct CartLine {
//!     sku: String,
//!     #[serde(with = "enkash::serde_rupees_string")]
//!     price: Rupees,
//! }
//!
//! let line: CartLine = serde_json::from_str(r#"{"sku": "KURTA-M", "price": "749.75"}"#)?;
//! assert_eq!(line.price, Rupees::from_paise(74_975));
//! assert_eq!(
//!     serde_json::to_string(&line)?,
//!     r#"{"sku":"KURTA-M","price":"749.75"}"#
//! );
//!
//! let err = serde_json::from_str::<CartLine>(r#"{"sku": "KURTA-M", "price": "7,49.75"}"#)
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("not an amount of rupees"));
//! assert!(!err.to_string().contains("7,49"));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! In a format that is not human readable (bincode, postcard), the amount is read with
//! `deserialize_str`; in JSON and other self-describing formats, with `deserialize_any`, so
//! that a number in place of the string is refused without being quoted.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::{ParseRupeesReason, Rupees};

/// Writes `amount` as a string with two decimals: `"1499.50"`, `"-0.05"`, `"1000.00"`. Every
/// [`Rupees`] can be written, exactly.
pub fn serialize<S: Serializer>(amount: &Rupees, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(amount)
}

/// Reads an amount from a string: `"1499.5"`, `"1499.50"`, `"0.01"`, `"-20"`, `"1000"`.
///
/// # Errors
///
/// A string that is not an amount of rupees (empty, not digits, more than two decimals, out
/// of range), or a value that is not a string. The message says which rule was broken and
/// never repeats the value.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Rupees, D::Error> {
    if deserializer.is_human_readable() {
        deserializer.deserialize_any(RupeesString)
    } else {
        deserializer.deserialize_str(RupeesString)
    }
}

/// What the visitor expects, for serde's own messages.
const EXPECTING: &str =
    "an amount of rupees in a string: digits with an optional leading '-' and up to two decimals, like \"1499.50\"";

struct RupeesString;

impl RupeesString {
    fn not_a_string<E: de::Error>(what: &str) -> E {
        E::custom(format_args!(
            "not an amount of rupees: expected {EXPECTING}, found {what}"
        ))
    }
}

impl<'de> Visitor<'de> for RupeesString {
    type Value = Rupees;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Rupees, E> {
        text.parse::<Rupees>().map_err(|e| {
            // `ParseRupeesError`'s own message quotes the text; only its reason is used here.
            let reason = match e.reason() {
                ParseRupeesReason::Empty => "the string is empty".to_string(),
                reason => reason.to_string(),
            };
            E::custom(format_args!("not an amount of rupees: {reason}"))
        })
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Rupees, E> {
        Err(Self::not_a_string("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Rupees, E> {
        Err(Self::not_a_string("a number"))
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<Rupees, E> {
        Err(Self::not_a_string("a number"))
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<Rupees, E> {
        Err(Self::not_a_string("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Rupees, E> {
        Err(Self::not_a_string("a number"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Rupees, E> {
        Err(Self::not_a_string("a boolean"))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Rupees, E> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(Self::not_a_string("bytes that are not text")),
        }
    }

    /// serde_json's `arbitrary_precision` hands a number over as a map: still a number.
    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Rupees, A::Error> {
        Err(Self::not_a_string("a number or an object"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Rupees, A::Error> {
        Err(Self::not_a_string("an array"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Rupees, E> {
        Err(Self::not_a_string("null"))
    }
}

/// A [`Rupees`] that goes through this module, so that [`option`] can reuse it.
struct AsString(Rupees);

impl Serialize for AsString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for AsString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(AsString)
    }
}

/// `Option<Rupees>` as a JSON string or `null`, for
/// `#[serde(default, with = "enkash::serde_rupees_string::option")]` (`default` lets the
/// field be missing as well).
///
/// ```
/// use enkash::Rupees;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Discount {
///     #[serde(default, with = "enkash::serde_rupees_string::option")]
///     cap: Option<Rupees>,
/// }
///
/// let d: Discount = serde_json::from_str(r#"{"cap": "250.00"}"#)?;
/// assert_eq!(d.cap, Some(Rupees::from_paise(25_000)));
/// let d: Discount = serde_json::from_str(r#"{"cap": null}"#)?;
/// assert_eq!(d.cap, None);
/// let d: Discount = serde_json::from_str("{}")?;
/// assert_eq!(serde_json::to_string(&d)?, r#"{"cap":null}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::AsString;
    use crate::Rupees;

    /// Writes `Some(amount)` as a string with two decimals, `None` as `null`.
    pub fn serialize<S: Serializer>(
        amount: &Option<Rupees>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        amount.map(AsString).serialize(serializer)
    }

    /// Reads `null` as `None` and a string as by [`super::deserialize`].
    ///
    /// # Errors
    ///
    /// As [`super::deserialize`], for anything but `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Rupees>, D::Error> {
        Ok(Option::<AsString>::deserialize(deserializer)?.map(|amount| amount.0))
    }
}
