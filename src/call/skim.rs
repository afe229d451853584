//! One pass over an answer's JSON, borrowing it (no tree is built): whether it is JSON at all,
//! the envelope's code at its top, and where the values of `format: password` fields are, so
//! that they can be replaced and everything else left byte for byte as it came (an amount's
//! digits included, never through a binary float).

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::request_check::SECRET_FIELDS;

/// What one pass over a JSON body found.
#[derive(Debug, PartialEq)]
pub(crate) struct Skim {
    /// The byte ranges of the values under a secret field's name, at any depth, in order.
    pub secrets: Vec<Range<usize>>,
    /// The envelope's code (`response_code`, else `code`), when the body is an object whose
    /// codes are each absent, null or an integer, and named once: what decoding it as
    /// `{response_code: Option<i64>, code: Option<i64>}` gives. `None` when that decoding
    /// would not be so plain (another shape); the caller then decodes it as such.
    pub code: Option<Option<i64>>,
}

/// The skim of `body`; `None` when it is not JSON.
pub(crate) fn skim(body: &[u8]) -> Option<Skim> {
    let mut secrets = Vec::new();
    let mut json = serde_json::Deserializer::from_slice(body);
    let code = Top(Walk {
        body,
        secrets: &mut secrets,
    })
    .deserialize(&mut json)
    .ok()?;
    json.end().ok()?;
    Some(Skim { secrets, code })
}

/// What a field is named.
enum Name {
    Secret,
    ResponseCode,
    Code,
    Other,
}

/// Visits a value, recording the range of every value under a secret field's name.
struct Walk<'a, 'de> {
    body: &'de [u8],
    secrets: &'a mut Vec<Range<usize>>,
}

impl<'de> Walk<'_, 'de> {
    fn again(&mut self) -> Walk<'_, 'de> {
        Walk {
            body: self.body,
            secrets: &mut *self.secrets,
        }
    }

    /// The next field's value, the whole of it recorded if its name is a secret field's.
    fn value<A: MapAccess<'de>>(&mut self, fields: &mut A, name: &Name) -> Result<(), A::Error> {
        if !matches!(name, Name::Secret) {
            return fields.next_value_seed(self.again());
        }
        // Whatever the value is (a string, a number, an object), all of it goes.
        let raw: &'de RawValue = fields.next_value()?;
        let range = within(self.body, raw.get().as_bytes())
            .ok_or_else(|| de::Error::custom("a value outside the body"))?;
        self.secrets.push(range);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<(), D::Error> {
        json.deserialize_any(self)
    }
}

/// Scalars need nothing; arrays and objects are walked into.
impl<'de> Visitor<'de> for Walk<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(self.again())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut fields: A) -> Result<(), A::Error> {
        while let Some(name) = fields.next_key_seed(FieldName)? {
            self.value(&mut fields, &name)?;
        }
        Ok(())
    }
}

/// The top of the body: walked like any value, and its codes read when it is an object.
struct Top<'a, 'de>(Walk<'a, 'de>);

impl<'de> DeserializeSeed<'de> for Top<'_, 'de> {
    type Value = Option<Option<i64>>;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<Self::Value, D::Error> {
        json.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, 'de> {
    type Value = Option<Option<i64>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(items).map(|()| None)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut fields: A) -> Result<Self::Value, A::Error> {
        // Each code: not seen yet, or what it read as (`None` when not plainly an integer).
        let (mut response_code, mut code) = (None, None);
        let mut plain = true;
        while let Some(name) = fields.next_key_seed(FieldName)? {
            let slot = match name {
                Name::ResponseCode => &mut response_code,
                Name::Code => &mut code,
                _ => {
                    self.0.value(&mut fields, &name)?;
                    continue;
                }
            };
            let read = fields.next_value_seed(CodeValue(self.0.again()))?;
            // Named twice is a decoding error, not a code.
            plain &= slot.is_none() && read.is_some();
            *slot = Some(read);
        }
        let read = |slot: Option<Option<Option<i64>>>| slot.flatten().flatten();
        Ok(plain.then(|| read(response_code).or(read(code))))
    }
}

/// A code's value: `Some(None)` for null, `Some(Some(n))` for an integer an `i64` holds,
/// `None` for anything else (walked into all the same, for its secrets).
struct CodeValue<'a, 'de>(Walk<'a, 'de>);

impl<'de> DeserializeSeed<'de> for CodeValue<'_, 'de> {
    type Value = Option<Option<i64>>;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<Self::Value, D::Error> {
        json.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CodeValue<'_, 'de> {
    type Value = Option<Option<i64>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Some(Some(n)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(n).ok().map(Some))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(items).map(|()| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, fields: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(fields).map(|()| None)
    }
}

/// Reads a field's name (escaped or not) as what it names.
struct FieldName;

impl<'de> DeserializeSeed<'de> for FieldName {
    type Value = Name;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<Name, D::Error> {
        json.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldName {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, name: &str) -> Result<Name, E> {
        Ok(match name {
            "response_code" => Name::ResponseCode,
            "code" => Name::Code,
            _ if SECRET_FIELDS.contains(&name) => Name::Secret,
            _ => Name::Other,
        })
    }
}

/// Where `part`, a slice of `body`, lies in it.
fn within(body: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= body.len()).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(body: &str) -> Vec<&str> {
        let skim = skim(body.as_bytes()).expect("JSON");
        skim.secrets.into_iter().map(|range| &body[range]).collect()
    }

    #[test]
    fn every_secret_value_is_found_at_any_depth_and_nothing_else() {
        let body = r#"{"response_code": 0, "token": "tok-1", "payload": {"amount": 10.50,
            "list": [{"otp": 123456}, {"cardHolderName": {"first": "Asha"}}],
            "merchantIdentifierKey" : "AK_1", "\u0074oken": "escaped-name",
            "note": "token", "code": {"paymentToken": "pt"}}}"#;
        assert_eq!(
            secrets(body),
            [
                r#""tok-1""#,
                "123456",
                r#"{"first": "Asha"}"#,
                r#""AK_1""#,
                r#""escaped-name""#,
                r#""pt""#
            ]
        );
        assert!(secrets(r#"{"amount": 10.50, "token_note": "x"}"#).is_empty());
        // A code that holds an object is walked into too.
        assert_eq!(secrets(r#"{"code": {"otp": "1"}}"#), [r#""1""#]);
    }

    #[test]
    fn a_body_that_is_not_json_has_no_skim() {
        for body in [
            "",
            "{",
            r#"{"token": "x"} trailing"#,
            "<html>",
            r#"{"a": 1,}"#,
        ] {
            assert_eq!(skim(body.as_bytes()), None, "{body}");
        }
    }

    /// The code is what decoding the body as two optional integers gives, when that is plain;
    /// otherwise the skim says nothing and the caller decodes.
    #[test]
    fn the_code_is_read_as_the_envelope_decoder_reads_it() {
        #[derive(serde::Deserialize)]
        struct Codes {
            response_code: Option<i64>,
            code: Option<i64>,
        }
        let cases = [
            r#"{"response_code": 0, "payload": {}}"#,
            r#"{"response_code": 117, "code": 5}"#,
            r#"{"code": 7}"#,
            r#"{"response_code": null, "code": 3}"#,
            r#"{"\u0072esponse_code": 4}"#,
            r#"{"payload": {"response_code": 9}}"#,
            r#"{"response_code": 9223372036854775807}"#,
            r#"{}"#,
        ];
        for body in cases {
            let decoded = serde_json::from_slice::<Codes>(body.as_bytes()).unwrap();
            let expected = decoded.response_code.or(decoded.code);
            assert_eq!(
                skim(body.as_bytes()).unwrap().code,
                Some(expected),
                "{body}"
            );
        }
        // Not plain: the decoder fails, or reads another shape (an array reads as the fields in
        // order); the skim leaves these to it.
        let others = [
            r#"{"response_code": "0"}"#,
            r#"{"response_code": 1.0}"#,
            r#"{"response_code": 9223372036854775808}"#,
            r#"{"response_code": 1, "response_code": 1}"#,
            r#"{"code": {"a": 1}}"#,
            r#"[0, 1]"#,
            r#""text""#,
            "5",
        ];
        for body in others {
            assert_eq!(skim(body.as_bytes()).unwrap().code, None, "{body}");
        }
    }
}
