//! [`Decimal`]: an exact decimal number for the few numbers whose unit EnKash does not document
//! (`mdr`, `mdrGst`, percentage split shares). Not money: money is [`Rupees`](crate::Rupees).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::money::{arbitrary_precision_digits, plain_decimal, RAW_VALUE_TOKEN};

/// An exact decimal number: digits and a count of decimals, never a binary float.
///
/// It holds every number of at most 15 significant digits exactly (what a JSON number carries
/// exactly through an `f64`), with at most 9 decimals. NaN and infinity cannot be represented.
/// Every `type: number, format: decimal` field of the spec without `multipleOf: 0.01` is
/// generated as `Decimal`: a rate such as `mdr`, whose unit (per cent, or rupees) EnKash does
/// not document, or a percentage split share.
///
/// ```
/// use enkash::Decimal;
///
/// let rate: Decimal = "1.75".parse()?;
/// assert_eq!((rate.mantissa(), rate.scale()), (175, 2));
/// assert_eq!(rate.to_string(), "1.75");
/// // Trailing zeros do not make a different number.
/// assert_eq!(rate, "1.750".parse()?);
/// assert!("NaN".parse::<Decimal>().is_err());
/// # Ok::<(), enkash::ParseDecimalError>(())
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits, with trailing zeros after the point removed (so equal numbers are equal).
    mantissa: i64,
    /// How many of them are decimals.
    scale: u32,
}

/// At most 15 significant digits: every such number survives a trip through an `f64`.
const MAX_MANTISSA: i64 = 999_999_999_999_999;
const MAX_SCALE: u32 = 9;

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// The number's digits as an integer: `1.75` has mantissa 175.
    pub const fn mantissa(self) -> i64 {
        self.mantissa
    }

    /// How many of the mantissa's digits are decimals: `1.75` has scale 2.
    pub const fn scale(self) -> u32 {
        self.scale
    }

    /// Whether the number is more than zero.
    pub const fn is_positive(self) -> bool {
        self.mantissa > 0
    }

    /// `mantissa / 10^scale`, reduced; `None` when it has more than 15 significant digits or
    /// more than 9 decimals.
    pub fn new(mantissa: i64, scale: u32) -> Option<Decimal> {
        let (mut mantissa, mut scale) = (mantissa, scale);
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        (mantissa.unsigned_abs() <= MAX_MANTISSA as u64 && scale <= MAX_SCALE)
            .then_some(Decimal { mantissa, scale })
    }

    /// `self + other`, or `None` if the sum has more digits than a `Decimal` holds.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let sum = self.scaled(scale).checked_add(other.scaled(scale))?;
        Decimal::new(i64::try_from(sum).ok()?, scale)
    }

    /// The sum of `numbers`, or `None` if it does not fit.
    pub fn checked_sum(numbers: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
        numbers
            .into_iter()
            .try_fold(Decimal::ZERO, Decimal::checked_add)
    }

    /// Whether `self` is a whole multiple of `step` (`false` for a `step` of zero).
    pub(crate) fn is_multiple_of(self, step: Decimal) -> bool {
        let scale = self.scale.max(step.scale);
        let step = step.scaled(scale);
        step != 0 && self.scaled(scale) % step == 0
    }

    /// The number scaled to `scale` decimals, for comparing two numbers.
    fn scaled(self, scale: u32) -> i128 {
        i128::from(self.mantissa) * 10i128.pow(scale - self.scale)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.scaled(scale).cmp(&other.scaled(scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs();
        let unit = 10u64.pow(self.scale);
        match self.scale {
            0 => write!(f, "{sign}{digits}"),
            scale => write!(
                f,
                "{sign}{}.{:0width$}",
                digits / unit,
                digits % unit,
                width = scale as usize
            ),
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

/// Why a text is not a [`Decimal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a decimal number of at most 15 significant digits and 9 decimals")]
pub struct ParseDecimalError {
    input: String,
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// Parses `1.75`, `-0.5`, `18`, `1.5e2`: a JSON number's spellings. Refuses `NaN`, `inf`,
    /// spaces, and numbers it could only hold by rounding.
    fn from_str(text: &str) -> Result<Decimal, ParseDecimalError> {
        parse(text).ok_or_else(|| ParseDecimalError {
            input: text.to_string(),
        })
    }
}

fn parse(text: &str) -> Option<Decimal> {
    let plain = plain_decimal(text)?;
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let scale = u32::try_from(fraction.len()).ok()?;
    let mantissa: i64 = format!("{whole}{fraction}").parse().ok()?;
    Decimal::new(mantissa, scale)
}

impl serde::Serialize for Decimal {
    /// A JSON number: an integer when it has no decimals, else the `f64` whose shortest
    /// decimal is this number (exact: at most 15 significant digits).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.scale {
            0 => serializer.serialize_i64(self.mantissa),
            scale => serializer.serialize_f64(self.mantissa as f64 / 10f64.powi(scale as i32)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json hands the number over as written (see `Rupees`).
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, DecimalVisitor)
    }
}

const NOT_A_DECIMAL: &str =
    "a number is not a decimal of at most 15 significant digits and 9 decimals";

struct DecimalVisitor;

impl<'de> serde::de::Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON number, or a number in a string")
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Decimal, E> {
        Decimal::new(value, 0).ok_or_else(|| E::custom(NOT_A_DECIMAL))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Decimal, E> {
        let value = i64::try_from(value).map_err(|_| E::custom(NOT_A_DECIMAL))?;
        self.visit_i64(value)
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Decimal, E> {
        if !value.is_finite() {
            return Err(E::custom(NOT_A_DECIMAL));
        }
        // The shortest decimal that reads back as the same f64: the number as written, for
        // every number of at most 15 significant digits.
        self.visit_str(&value.to_string())
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Decimal, E> {
        parse(text).ok_or_else(|| E::custom(NOT_A_DECIMAL))
    }

    /// Any deserializer but serde_json's: the value as it reads it.
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(self)
    }

    /// The number as written, from serde_json: see `Rupees`.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Decimal, A::Error> {
        match arbitrary_precision_digits(map)? {
            Some(digits) => self.visit_str(&digits),
            None => Err(serde::de::Error::custom(NOT_A_DECIMAL)),
        }
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> String {
        "Decimal".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Number.into()),
            format: Some("decimal".to_string()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_exactly() {
        for (text, mantissa, scale, shown) in [
            ("1.75", 175, 2, "1.75"),
            ("1.750", 175, 2, "1.75"),
            ("-0.05", -5, 2, "-0.05"),
            ("18", 18, 0, "18"),
            ("1.5e2", 150, 0, "150"),
            ("0.000000001", 1, 9, "0.000000001"),
        ] {
            let number: Decimal = text.parse().unwrap();
            assert_eq!((number.mantissa(), number.scale()), (mantissa, scale));
            assert_eq!(number.to_string(), shown);
            let json = serde_json::to_string(&number).unwrap();
            assert_eq!(serde_json::from_str::<Decimal>(&json).unwrap(), number);
        }
        for text in ["", "NaN", "inf", "1.", ".5", " 1", "1e999", "0.0000000001"] {
            assert!(text.parse::<Decimal>().is_err(), "{text}");
        }
        assert!("1234567890123456".parse::<Decimal>().is_err(), "16 digits");
        assert!("0.1".parse::<Decimal>().unwrap() < "0.15".parse().unwrap());
        let third: Decimal = "33.33".parse().unwrap();
        let sum = Decimal::checked_sum([third, third, "33.34".parse().unwrap()]);
        assert_eq!(sum, Some("100".parse().unwrap()));
    }
}
