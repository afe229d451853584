//! Secrets never come back out of an answer. A hostile or broken server may echo what it was
//! sent (the token, the access key, a card holder's name) into its answer, and progenitor's
//! `Error` prints an unreadable answer's body in its `Display` and `Debug`. So before an answer
//! reaches any error or value, every value under a field the spec marks `format: password` is
//! replaced, and every secret this request carried is overwritten.
//!
//! This runs on every answer, so it is built to cost little: the request's credentials are
//! held as the header values they are (shared, not copied), the searches are `str`'s
//! (vectorised) on a JSON body, one pass over the JSON (`skim.rs`) finds the secret fields and
//! reads the envelope's code for the retry decision too, and a body is rebuilt only when it
//! holds a secret, with only the secret values replaced, never re-serialised.

use std::sync::OnceLock;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::Value;

use super::request_check::SECRET_FIELDS;
use super::skim::skim;

/// What a request carried that must not come back: its credentials, and the values of its
/// body's `format: password` fields.
#[derive(Default)]
pub(crate) struct Secrets {
    /// `Authorization` (its value after `Bearer `) and `merchantAccessKey`, as sent.
    credentials: [Option<HeaderValue>; 2],
    /// The values of the request body's `format: password` fields, as text and as JSON text.
    in_body: Vec<Vec<u8>>,
}

/// The header that carries the merchant's access key.
const ACCESS_KEY: &str = "merchantaccesskey";

/// What a secret field's value becomes.
const REDACTED: &[u8] = b"\"<redacted>\"";

impl Secrets {
    /// The secrets `request` carries.
    pub fn of(request: &reqwest::Request) -> Secrets {
        let headers = request.headers();
        let mut in_body = Vec::new();
        let body = request.body().and_then(reqwest::Body::as_bytes);
        if let Some(body) = body.filter(|body| names_a_secret(Text::new(body))) {
            if let Ok(json) = serde_json::from_slice::<Value>(body) {
                collect(&json, &mut in_body);
            }
        }
        in_body.retain(|secret| !secret.is_empty());
        Secrets {
            credentials: [
                headers.get(AUTHORIZATION).cloned(),
                headers.get(ACCESS_KEY).cloned(),
            ],
            in_body,
        }
    }

    /// Every secret, as bytes to look for; none is empty.
    fn needles(&self) -> impl Iterator<Item = &[u8]> {
        let [token, key] = &self.credentials;
        let token = token.as_ref().map(|token| {
            let token = token.as_bytes();
            token.strip_prefix(b"Bearer ").unwrap_or(token)
        });
        let key = key.as_ref().map(HeaderValue::as_bytes);
        token
            .into_iter()
            .chain(key)
            .chain(self.in_body.iter().map(Vec::as_slice))
            .filter(|secret| !secret.is_empty())
    }

    /// Replaces the value of every `format: password` field in `body` with `"<redacted>"`
    /// (when it is JSON), then overwrites every secret in `body` and `headers` with asterisks
    /// of the same length.
    ///
    /// Returns the envelope's code as [`skim`](super::skim::Skim) read it, when the body is
    /// still what was skimmed but for the replaced values (a string for a value, so the code
    /// and the JSON's shape are unchanged); `None` when that is not known.
    pub fn scrub(&self, body: &mut bytes::Bytes, headers: &mut HeaderMap) -> Option<Option<i64>> {
        let skimmed = skim(body);
        // The scrubbed body differs from this one by `"<redacted>"` strings alone, so a secret
        // not in this one is not in it either (but for text this code wrote).
        let text = Text::new(body);
        let echoed: Vec<&[u8]> = self.needles().filter(|s| text.contains(s)).collect();
        let secret_values = skimmed.as_ref().map_or(&[][..], |s| s.secrets.as_slice());
        let mut overwritten = false;
        if !secret_values.is_empty() || !echoed.is_empty() {
            let mut scrubbed = replace(body, secret_values);
            for secret in echoed {
                overwritten |= overwrite(&mut scrubbed, secret);
            }
            *body = bytes::Bytes::from(scrubbed);
        }
        for value in headers.values_mut() {
            let text = Text::new(value.as_bytes());
            if self.needles().any(|secret| text.contains(secret)) {
                value.set_sensitive(true);
            }
        }
        skimmed
            .and_then(|skimmed| skimmed.code)
            .filter(|_| !overwritten)
    }
}

/// Each secret field's name as it stands in JSON text, quoted: built once.
fn quoted_secret_fields() -> &'static [String] {
    static QUOTED: OnceLock<Vec<String>> = OnceLock::new();
    QUOTED.get_or_init(|| {
        SECRET_FIELDS
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect()
    })
}

/// Whether a request body may have a key named as a `format: password` field: one written
/// plainly, or any `\u` escape (with which a key can spell a name without writing it).
fn names_a_secret(body: Text<'_>) -> bool {
    body.contains(b"\\u")
        || quoted_secret_fields()
            .iter()
            .any(|name| body.contains(name.as_bytes()))
}

/// The string values under `format: password` fields, anywhere in `json`.
fn collect(json: &Value, found: &mut Vec<Vec<u8>>) {
    match json {
        Value::Object(object) => {
            for (name, value) in object {
                match value {
                    Value::String(text) if SECRET_FIELDS.contains(&name.as_str()) => {
                        found.push(text.as_bytes().to_vec());
                        // As it stands in JSON text, escapes and all.
                        found.push(Value::String(text.clone()).to_string().into_bytes());
                    }
                    other => collect(other, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
        _ => {}
    }
}

/// `body` with each of `ranges` (in order, not overlapping) replaced by `"<redacted>"`.
fn replace(body: &[u8], ranges: &[std::ops::Range<usize>]) -> Vec<u8> {
    let mut replaced = Vec::with_capacity(body.len());
    let mut at = 0;
    for range in ranges {
        replaced.extend_from_slice(&body[at..range.start]);
        replaced.extend_from_slice(REDACTED);
        at = range.end;
    }
    replaced.extend_from_slice(&body[at..]);
    replaced
}

/// Bytes to search, read as text once when they are UTF-8 (a JSON body is), for `str`'s
/// search, which takes a vectorised path for short needles.
#[derive(Clone, Copy)]
struct Text<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Text<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            text: std::str::from_utf8(bytes).ok(),
        }
    }

    fn contains(self, needle: &[u8]) -> bool {
        match (self.text, std::str::from_utf8(needle)) {
            (Some(text), Ok(needle)) => !needle.is_empty() && text.contains(needle),
            _ => self.find_from(needle, 0).is_some(),
        }
    }

    /// Where `needle` first occurs at or after `from`; byte by byte when either is not UTF-8
    /// (or `from` is inside a character).
    fn find_from(self, needle: &[u8], from: usize) -> Option<usize> {
        let rest = self.bytes.get(from..)?;
        if needle.is_empty() || needle.len() > rest.len() {
            return None;
        }
        let text = self.text.and_then(|text| text.get(from..));
        let found = match (text, std::str::from_utf8(needle)) {
            (Some(text), Ok(needle)) => text.find(needle),
            _ => rest
                .windows(needle.len())
                .position(|window| window == needle),
        };
        found.map(|at| from + at)
    }
}

/// Overwrites every occurrence of `needle`, leftmost first, with asterisks; whether there was
/// one.
fn overwrite(haystack: &mut [u8], needle: &[u8]) -> bool {
    let text = Text::new(haystack);
    // The vectorised test first: mostly the secret is gone with a replaced value.
    if !text.contains(needle) {
        return false;
    }
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text.find_from(needle, from) {
        if !part_of_something_else(haystack, at, needle.len()) {
            found.push(at);
        }
        from = at + needle.len();
    }
    for at in &found {
        haystack[*at..*at + needle.len()].fill(b'*');
    }
    !found.is_empty()
}

/// Below this length a secret (a CVV, a PIN, a short name) is likely to occur by chance in
/// other values: a timestamp's fraction, an amount, an id.
const SHORT_SECRET: usize = 8;

/// Whether a short secret found at `at` is only part of something else: glued to a letter, a
/// digit or a decimal point on either side (`.123456Z`, `4123`, `1.123`), or a whole JSON number
/// (`"amount": 123,`). Overwriting it there would corrupt the answer (a paid order would read as
/// a garbled one) and hide nothing: it is not the secret, only the same digits. Long secrets
/// (tokens, keys, card numbers) are overwritten wherever they occur.
fn part_of_something_else(haystack: &[u8], at: usize, len: usize) -> bool {
    if len >= SHORT_SECRET {
        return false;
    }
    let glued = |byte: Option<&u8>| byte.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.');
    let before = at.checked_sub(1).and_then(|i| haystack.get(i));
    let after = haystack.get(at + len);
    if glued(before) || glued(after) {
        return true;
    }
    let number = haystack[at..at + len].iter().all(u8::is_ascii_digit);
    let previous = haystack[..at]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace());
    let next = haystack[at + len..]
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    number
        && matches!(previous, Some(b':' | b'[' | b','))
        && matches!(next, None | Some(b',' | b'}' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with(token: &str, body: &'static str) -> reqwest::Request {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "http://127.0.0.1:9/api/v0/payment".parse().unwrap(),
        );
        let bearer = format!("Bearer {token}");
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, bearer.parse().unwrap());
        headers.insert(ACCESS_KEY, "AK_live_42".parse().unwrap());
        *request.body_mut() = Some(body.into());
        request
    }

    #[test]
    fn echoed_secrets_and_secret_fields_are_overwritten() {
        let request = request_with(
            "tok-123456",
            r#"{"paymentDetail": {"cardHolderName": "Asha Verma", "cardNumber": "4111111111111111"}}"#,
        );
        let secrets = Secrets::of(&request);
        let mut body = bytes::Bytes::from_static(
            br#"{"response_message": "card 4111111111111111 for Asha Verma, tok-123456", "paymentToken": "pt_secret"}"#,
        );
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", "tok-123456".parse().unwrap());
        secrets.scrub(&mut body, &mut headers);
        let text = String::from_utf8(body.to_vec()).unwrap();
        for secret in ["4111111111111111", "Asha Verma", "tok-123456", "pt_secret"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(headers["x-echo"].is_sensitive());
        assert!(!format!("{headers:?}").contains("tok-123456"));
    }

    /// Only the secrets change: the rest of the answer is as it came, an amount's digits too
    /// (a re-serialisation would have sent them through a binary float and sorted the keys).
    #[test]
    fn the_rest_of_the_answer_is_left_byte_for_byte() {
        let secrets = Secrets::of(&request_with("tok-9", "{}"));
        // The key echoed under a secret field only: replaced, and the code read in passing.
        let mut order = bytes::Bytes::from_static(
            br#"{"response_code": 0, "payload": {"merchantIdentifierKey": "AK_live_42"}}"#,
        );
        assert_eq!(
            secrets.scrub(&mut order, &mut HeaderMap::new()),
            Some(Some(0))
        );
        assert_eq!(
            &order[..],
            br#"{"response_code": 0, "payload": {"merchantIdentifierKey": "<redacted>"}}"#
        );
        // Echoed elsewhere too: overwritten, and the code is left to a decoder of the result.
        let mut body = bytes::Bytes::from_static(
            br#"{"response_code": 0, "payload": {"orderId": "ORD_1", "amount": 1234567890123456.785,
                "merchantIdentifierKey": "AK_live_42", "note": "AK_live_42 and tok-9"}}"#,
        );
        assert_eq!(secrets.scrub(&mut body, &mut HeaderMap::new()), None);
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"response_code": 0, "payload": {"orderId": "ORD_1", "amount": 1234567890123456.785,
                "merchantIdentifierKey": "<redacted>", "note": "********** and *****"}}"#
        );
    }

    /// A short secret (a CVV) is overwritten where it stands on its own, and left where the
    /// same digits are part of a timestamp, an id or an amount: the answer stays readable.
    #[test]
    fn a_short_secret_is_not_overwritten_inside_other_values() {
        let secrets = Secrets::of(&request_with(
            "tok-long-enough-1",
            r#"{"paymentDetail": {"cvv": "123"}}"#,
        ));
        let mut body = bytes::Bytes::from_static(
            br#"{"created": "2026-12-07T21:23:45.123456Z", "amount": 123, "fee": 1.123,
                "id": "TXN4123", "note": "cvv 123 declined", "echo": "123"}"#,
        );
        secrets.scrub(&mut body, &mut HeaderMap::new());
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"created": "2026-12-07T21:23:45.123456Z", "amount": 123, "fee": 1.123,
                "id": "TXN4123", "note": "cvv *** declined", "echo": "***"}"#
        );
    }

    /// A body that is not UTF-8 is searched byte by byte: an echoed token is still found.
    #[test]
    fn a_body_that_is_not_text_is_still_scrubbed() {
        let secrets = Secrets::of(&request_with("tok-77", "{}"));
        let mut body = bytes::Bytes::from_static(b"\xff\xfe tok-77 \xff AK_live_42");
        secrets.scrub(&mut body, &mut HeaderMap::new());
        assert_eq!(&body[..], b"\xff\xfe ****** \xff **********");
    }
}
