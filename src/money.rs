//! [`Rupees`]: exact money, the only money type in the crate.
//!
//! Every `type: number, format: decimal, multipleOf: 0.01` field in the spec is generated as
//! `Rupees` (`build.rs` registers the conversion), so no amount ever passes through a binary
//! float in the merchant's code or the sandbox's books.
//!
//! Over 400 lines, of which 109 are docs: parsing, display, arithmetic and serde of one type,
//! each short and each the place a reader looks for how `Rupees` behaves.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

/// An exact amount of Indian rupees, held as a whole number of paise (`i64`).
///
/// On the wire EnKash writes amounts as JSON numbers in rupees with up to two decimals
/// (`1499.5` is Rs 1,499 and 50 paise); `Rupees` reads and writes exactly that, and refuses
/// anything it could only hold by rounding (`1.005`, `NaN`, absurdly large values).
///
/// ```
/// use enkash::Rupees;
///
/// let price: Rupees = "1499.5".parse()?;
/// assert_eq!(price.paise(), 149_950);
/// assert_eq!(price.to_string(), "1499.50");
///
/// // 0.1 + 0.2 is 0.3, exactly.
/// let sum = Rupees::from_paise(10).checked_add(Rupees::from_paise(20));
/// assert_eq!(sum, Some("0.30".parse()?));
///
/// // Three items, and nothing can overflow silently.
/// assert_eq!(price.checked_mul(3), Some(Rupees::from_paise(449_850)));
/// assert!("1.005".parse::<Rupees>().is_err());
/// # Ok::<(), enkash::ParseRupeesError>(())
/// ```
///
/// # JSON
///
/// JSON numbers are written and read through `serde_json`'s `f64`. That is exact for every
/// number of at most 15 significant digits, so up to [`Rupees::MAX_JSON`] (just under Rs 1
/// trillion, either way) every amount is written exactly, and a number with sub-paise digits
/// is refused, not rounded, whenever it is written with at most 15 significant digits. Larger
/// amounts fail to serialize and to deserialize. A number written with more digits than an
/// `f64` holds (`0.1000000000000000055`) cannot be told apart from the nearest `f64`, so it is
/// read as that amount.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rupees(i64);

impl Rupees {
    /// Nothing.
    pub const ZERO: Rupees = Rupees(0);

    /// The largest amount read from and written to JSON: 999,999,999,999.99. With 14
    /// significant digits, it and a third decimal on it both fit the 15 that an `f64` keeps.
    pub const MAX_JSON: Rupees = Rupees(99_999_999_999_999);

    /// The amount of `paise` paise (100 paise make a rupee).
    ///
    /// ```
    /// assert_eq!(enkash::Rupees::from_paise(2015).to_string(), "20.15");
    /// ```
    pub const fn from_paise(paise: i64) -> Rupees {
        Rupees(paise)
    }

    /// The amount as a whole number of paise.
    pub const fn paise(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` if the sum does not fit.
    pub const fn checked_add(self, other: Rupees) -> Option<Rupees> {
        match self.0.checked_add(other.0) {
            Some(paise) => Some(Rupees(paise)),
            None => None,
        }
    }

    /// `self - other`, or `None` if the difference does not fit.
    pub const fn checked_sub(self, other: Rupees) -> Option<Rupees> {
        match self.0.checked_sub(other.0) {
            Some(paise) => Some(Rupees(paise)),
            None => None,
        }
    }

    /// `self` times a quantity, or `None` if the product does not fit.
    ///
    /// ```
    /// let unit = enkash::Rupees::from_paise(1999);
    /// assert_eq!(unit.checked_mul(4).map(|r| r.to_string()), Some("79.96".to_string()));
    /// ```
    pub const fn checked_mul(self, quantity: i64) -> Option<Rupees> {
        match self.0.checked_mul(quantity) {
            Some(paise) => Some(Rupees(paise)),
            None => None,
        }
    }

    /// The sum of `amounts`, or `None` if it does not fit. Also available as
    /// `Iterator::sum::<Option<Rupees>>()`.
    ///
    /// ```
    /// use enkash::Rupees;
    /// let lines = [Rupees::from_paise(10); 3];
    /// assert_eq!(Rupees::checked_sum(lines), Some(Rupees::from_paise(30)));
    /// let total: Option<Rupees> = lines.into_iter().sum();
    /// assert_eq!(total, Some(Rupees::from_paise(30)));
    /// ```
    pub fn checked_sum(amounts: impl IntoIterator<Item = Rupees>) -> Option<Rupees> {
        amounts
            .into_iter()
            .try_fold(Rupees::ZERO, Rupees::checked_add)
    }

    /// Whether the amount is more than zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether JSON carries this amount exactly (see [`Rupees::MAX_JSON`]).
    pub const fn fits_json(self) -> bool {
        self.0.unsigned_abs() <= Self::MAX_JSON.0 as u64
    }
}

impl Sum<Rupees> for Option<Rupees> {
    fn sum<I: Iterator<Item = Rupees>>(iter: I) -> Self {
        Rupees::checked_sum(iter)
    }
}

impl<'a> Sum<&'a Rupees> for Option<Rupees> {
    fn sum<I: Iterator<Item = &'a Rupees>>(iter: I) -> Self {
        Rupees::checked_sum(iter.copied())
    }
}

/// Always two decimals: `1499.50`, `-0.05`, `1000.00`.
impl fmt::Display for Rupees {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let paise = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", paise / 100, paise % 100)
    }
}

impl fmt::Debug for Rupees {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rupees({self})")
    }
}

/// Why a text is not an amount of rupees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an amount of rupees: {reason}")]
pub struct ParseRupeesError {
    input: String,
    reason: ParseRupeesReason,
}

impl ParseRupeesError {
    /// What was wrong with the text.
    pub fn reason(&self) -> ParseRupeesReason {
        self.reason
    }
}

/// What was wrong with a text that is not an amount of rupees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseRupeesReason {
    /// Nothing was given.
    #[error("it is empty")]
    Empty,
    /// Not digits with an optional sign and decimal point (this covers `NaN`, `inf`, spaces
    /// and exponents).
    #[error("write digits with an optional leading '-' and up to two decimals, like 1499.50")]
    NotDecimal,
    /// More than two decimals: an amount smaller than a paisa cannot be paid.
    #[error("it has more than two decimals (less than a paisa)")]
    SubPaise,
    /// Too large for the type.
    #[error("it is out of range (at most 92233720368547758.07 in either direction)")]
    OutOfRange,
}

impl FromStr for Rupees {
    type Err = ParseRupeesError;

    /// Parses `1499.5`, `1499.50`, `0.01`, `-20`, `1000`. Refuses empty text, signs other
    /// than one leading `-`, whitespace, exponents, `NaN`, `inf`, more than two decimals and
    /// values outside the range of `i64` paise.
    fn from_str(text: &str) -> Result<Rupees, ParseRupeesError> {
        parse(text).map_err(|reason| ParseRupeesError {
            input: text.to_string(),
            reason,
        })
    }
}

fn parse(text: &str) -> Result<Rupees, ParseRupeesReason> {
    if text.is_empty() {
        return Err(ParseRupeesReason::Empty);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = !unsigned.ends_with('.') && digits_only(fraction);
    if whole.is_empty() || !digits_only(whole) || !fraction_ok {
        return Err(ParseRupeesReason::NotDecimal);
    }
    if fraction.len() > 2 {
        return Err(ParseRupeesReason::SubPaise);
    }
    // Leading zeros cannot overflow; anything else longer than i64 paise allows is too large.
    let whole = whole.trim_start_matches('0');
    if whole.len() > 18 {
        return Err(ParseRupeesReason::OutOfRange);
    }
    let rupees: i128 = whole.parse().unwrap_or(0);
    let cents: i128 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let magnitude = rupees * 100 + cents;
    let paise = if negative { -magnitude } else { magnitude };
    i64::try_from(paise)
        .map(Rupees)
        .map_err(|_| ParseRupeesReason::OutOfRange)
}

impl serde::Serialize for Rupees {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.fits_json() {
            return Err(serde::ser::Error::custom(format_args!(
                "{self} rupees is too large to write as an exact JSON number"
            )));
        }
        if self.0 % 100 == 0 {
            return serializer.serialize_i64(self.0 / 100);
        }
        // Exact: both are integers below 2^53, the division is correctly rounded, and a value of
        // at most 15 significant digits is the shortest decimal that maps to its nearest f64,
        // which is what serde_json writes.
        serializer.serialize_f64(self.0 as f64 / 100.0)
    }
}

impl<'de> serde::Deserialize<'de> for Rupees {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json hands the number over as written; another deserializer as it reads it.
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, RupeesVisitor)
    }
}

/// Deserialization errors. They never quote the value: the field path says where, and a request
/// body's values stay out of logs.
pub(crate) const SUB_PAISE: &str = "an amount has more than two decimals (less than a paisa)";
pub(crate) const NOT_A_NUMBER: &str =
    "an amount is not a number of rupees (digits with an optional '-' and up to two decimals)";
pub(crate) const OUT_OF_RANGE: &str =
    "an amount is out of range (at most 999999999999.99 rupees either way in JSON)";

struct RupeesVisitor;

impl RupeesVisitor {
    fn in_json_range<E: serde::de::Error>(amount: Rupees) -> Result<Rupees, E> {
        if amount.fits_json() {
            Ok(amount)
        } else {
            Err(E::custom(OUT_OF_RANGE))
        }
    }
}

/// The name under which serde_json hands a value over as the text it was written as (its
/// `RawValue`): asked for, a number is read from its digits, never through an `f64`, so that
/// `1e-400` is refused instead of read as zero. Other deserializers ignore the name.
pub(crate) const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// The key serde_json's `arbitrary_precision` feature puts a number's digits under.
const ARBITRARY_PRECISION_KEY: &str = "$serde_json::private::Number";

/// Whether some crate in this build turned on serde_json's `arbitrary_precision`: only then is
/// a one-entry map under [`ARBITRARY_PRECISION_KEY`] a number (elsewhere it is an object that
/// someone wrote to look like one).
fn arbitrary_precision_is_on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        // With it on, a number keeps its spelling; without it, `1e0` is the f64 1.0.
        let number = serde_json::from_str::<serde_json::Value>("1e0").unwrap_or_default();
        serde_json::to_string(&number).is_ok_and(|text| text == "1e0")
    })
}

/// A number's text, from the map serde_json hands over for a raw value (see
/// [`RAW_VALUE_TOKEN`]) or, with `arbitrary_precision` on, for a number: the digits as written,
/// or the contents of a JSON string. `None` for any other map.
pub(crate) fn arbitrary_precision_digits<'de, A: serde::de::MapAccess<'de>>(
    mut map: A,
) -> Result<Option<String>, A::Error> {
    let Some((key, text)) = map.next_entry::<String, String>()? else {
        return Ok(None);
    };
    if map.next_key::<serde::de::IgnoredAny>()?.is_some() {
        return Ok(None);
    }
    match key.as_str() {
        RAW_VALUE_TOKEN if text.starts_with('"') => Ok(serde_json::from_str::<String>(&text).ok()),
        RAW_VALUE_TOKEN => Ok(Some(text)),
        ARBITRARY_PRECISION_KEY if arbitrary_precision_is_on() => Ok(Some(text)),
        _ => Ok(None),
    }
}

impl<'de> serde::de::Visitor<'de> for RupeesVisitor {
    type Value = Rupees;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a JSON number of rupees with at most two decimals, or such a number in a string",
        )
    }

    fn visit_i64<E: serde::de::Error>(self, rupees: i64) -> Result<Rupees, E> {
        let amount = rupees
            .checked_mul(100)
            .map(Rupees)
            .ok_or_else(|| E::custom(OUT_OF_RANGE))?;
        Self::in_json_range(amount)
    }

    fn visit_u64<E: serde::de::Error>(self, rupees: u64) -> Result<Rupees, E> {
        let rupees = i64::try_from(rupees).map_err(|_| E::custom(OUT_OF_RANGE))?;
        self.visit_i64(rupees)
    }

    /// A numeric string (`"100"`, `"1499.50"`): EnKash's own samples send some amounts so. Read
    /// exactly, by the same rules as [`Rupees::from_str`].
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Rupees, E> {
        let text = plain_decimal(text).ok_or_else(|| E::custom(NOT_A_NUMBER))?;
        let amount = parse(&text).map_err(|reason| match reason {
            ParseRupeesReason::SubPaise => E::custom(SUB_PAISE),
            ParseRupeesReason::OutOfRange => E::custom(OUT_OF_RANGE),
            _ => E::custom(NOT_A_NUMBER),
        })?;
        Self::in_json_range(amount)
    }

    /// Any deserializer but serde_json's: the value as it reads it.
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<Rupees, D::Error> {
        d.deserialize_any(self)
    }

    /// A number as serde_json hands it over: the text it was written as (or, with its
    /// `arbitrary_precision` feature, a one-entry map from a private key to the digits). Read
    /// exactly from those digits.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Rupees, A::Error> {
        match arbitrary_precision_digits(map)? {
            Some(digits) => self.visit_str(&digits),
            None => Err(serde::de::Error::custom(NOT_A_NUMBER)),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, rupees: f64) -> Result<Rupees, E> {
        if !rupees.is_finite() {
            return Err(E::custom(OUT_OF_RANGE));
        }
        // `Display` for f64 writes the shortest decimal that reads back as the same f64, with
        // no exponent: for every number written with at most 15 significant digits, that is
        // the number as it was written, so sub-paise digits are seen and refused, not rounded.
        let text = rupees.to_string();
        let amount = parse(&text).map_err(|reason| match reason {
            ParseRupeesReason::SubPaise => E::custom(SUB_PAISE),
            _ => E::custom(OUT_OF_RANGE),
        })?;
        Self::in_json_range(amount)
    }
}

/// A JSON number's text as a plain decimal with no exponent and no trailing zeros after the
/// point (`1230e-2` and `12.300` become `12.3`), so that [`parse`] reads every spelling JSON
/// allows exactly. `None` for text that is not a JSON number, or an exponent beyond any amount.
pub(crate) fn plain_decimal(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) || exponent.abs() > 64 {
        return None;
    }
    if mantissa.ends_with('.') {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    // Where the decimal point falls in `digits` once the exponent is applied.
    let point = i32::try_from(whole.len()).ok()? + exponent;
    let (whole, fraction) = if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        ("0".to_string(), format!("{zeros}{digits}"))
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        (format!("{digits}{zeros}"), String::new())
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        (whole.to_string(), fraction.to_string())
    };
    let fraction = fraction.trim_end_matches('0');
    let sign = if negative { "-" } else { "" };
    Some(match fraction.is_empty() {
        true => format!("{sign}{whole}"),
        false => format!("{sign}{whole}.{fraction}"),
    })
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Rupees {
    fn schema_name() -> String {
        "Rupees".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Number.into()),
            format: Some("decimal".to_string()),
            number: Some(Box::new(schemars::schema::NumberValidation {
                multiple_of: Some(0.01),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
