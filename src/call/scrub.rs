//! Secrets never come back out of an answer. A hostile or broken server may echo what it was
//! sent (the token, the access key, a card holder's name) into its answer, and progenitor's
//! `Error` prints an unreadable answer's body in its `Display` and `Debug`. So before an answer
//! reaches any error or value, every secret this request carried is overwritten in it, and so
//! is every value under a field the spec marks `format: password`.

use reqwest::header::{HeaderMap, AUTHORIZATION};
use serde_json::Value;

use super::request_check::SECRET_FIELDS;

/// What a request carried that must not come back: its credentials, and the values of its
/// body's `format: password` fields.
#[derive(Default)]
pub(crate) struct Secrets(Vec<Vec<u8>>);

/// The header that carries the merchant's access key.
const ACCESS_KEY: &str = "merchantaccesskey";

impl Secrets {
    /// The secrets `request` carries.
    pub fn of(request: &reqwest::Request) -> Secrets {
        let mut found = Vec::new();
        let headers = request.headers();
        if let Some(token) = headers.get(AUTHORIZATION) {
            let token = token.as_bytes();
            found.push(token.strip_prefix(b"Bearer ").unwrap_or(token).to_vec());
        }
        if let Some(key) = headers.get(ACCESS_KEY) {
            found.push(key.as_bytes().to_vec());
        }
        let body = request.body().and_then(reqwest::Body::as_bytes);
        if let Some(body) = body.filter(|body| names_a_secret(body)) {
            if let Ok(json) = serde_json::from_slice::<Value>(body) {
                collect(&json, &mut found);
            }
        }
        found.retain(|secret| !secret.is_empty());
        Secrets(found)
    }

    /// Overwrites every secret in `body` and `headers`, with asterisks of the same length.
    pub fn scrub(&self, body: &mut bytes::Bytes, headers: &mut HeaderMap) {
        let echoed = self.0.iter().any(|secret| contains(body, secret));
        if echoed || names_a_secret(body) {
            let mut scrubbed = body.to_vec();
            for secret in &self.0 {
                overwrite(&mut scrubbed, secret);
            }
            mask_secret_fields(&mut scrubbed);
            *body = bytes::Bytes::from(scrubbed);
        }
        for value in headers.values_mut() {
            if self
                .0
                .iter()
                .any(|secret| contains(value.as_bytes(), secret))
            {
                value.set_sensitive(true);
            }
        }
    }
}

/// Whether `body` has a key named as a `format: password` field.
fn names_a_secret(body: &[u8]) -> bool {
    SECRET_FIELDS
        .iter()
        .any(|name| contains(body, format!("\"{name}\"").as_bytes()))
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

/// Replaces the values of `format: password` fields in a JSON body with asterisks, when the
/// body is JSON (an answer that is not is left to the overwriting of known secrets).
fn mask_secret_fields(body: &mut Vec<u8>) {
    let Ok(mut json) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    fn mask(json: &mut Value) {
        match json {
            Value::Object(object) => {
                for (name, value) in object.iter_mut() {
                    match SECRET_FIELDS.contains(&name.as_str()) {
                        true => *value = Value::String("<redacted>".into()),
                        false => mask(value),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    mask(&mut json);
    if let Ok(masked) = serde_json::to_vec(&json) {
        *body = masked;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

fn overwrite(haystack: &mut [u8], needle: &[u8]) {
    if needle.is_empty() || needle.len() > haystack.len() {
        return;
    }
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        if &haystack[at..at + needle.len()] == needle {
            haystack[at..at + needle.len()].fill(b'*');
            at += needle.len();
        } else {
            at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_secrets_and_secret_fields_are_overwritten() {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "http://127.0.0.1:9/api/v0/payment".parse().unwrap(),
        );
        request
            .headers_mut()
            .insert(AUTHORIZATION, "Bearer tok-123456".parse().unwrap());
        *request.body_mut() = Some(
            r#"{"paymentDetail": {"cardHolderName": "Asha Verma", "cardNumber": "4111111111111111"}}"#
                .into(),
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
}
