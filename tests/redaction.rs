//! Secrets never appear in `Debug` output. Every public type that can hold a secret is
//! formatted with `{:?}` and `{:#?}` around sentinel values, and the sentinels must not show.

use enkash::types;

const ACCESS_KEY: &str = "SENTINEL-ACCESS-7c1e";
const SECRET_KEY: &str = "SENTINEL-SECRET-94af";
const TOKEN: &str = "SENTINEL-TOKEN-3b0d";

/// Formats `value` both ways and fails if any sentinel appears.
fn assert_redacted(what: &str, value: &dyn std::fmt::Debug) {
    for rendered in [format!("{value:?}"), format!("{value:#?}")] {
        for sentinel in [ACCESS_KEY, SECRET_KEY, TOKEN] {
            assert!(
                !rendered.contains(sentinel),
                "{what} leaks {sentinel}: {rendered}"
            );
        }
    }
}

#[test]
fn generated_token_request_redacts_both_keys() {
    let request = types::TokenRequest {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
    };
    assert_redacted("TokenRequest", &request);
    // The builder form holds the same values before they are sent.
    let builder = types::TokenRequest::builder()
        .access_key(ACCESS_KEY)
        .secret_key(SECRET_KEY);
    assert_redacted("builder::TokenRequest", &builder);
    // ...while the wire form still carries them: redaction is for Debug only.
    let wire = serde_json::to_string(&request).unwrap();
    assert!(
        wire.contains(SECRET_KEY) && wire.contains(ACCESS_KEY),
        "{wire}"
    );
}

#[test]
fn generated_token_response_redacts_the_token() {
    let response: types::TokenResponse = serde_json::from_value(serde_json::json!({
        "token": TOKEN, "expiry": 1798761599000_i64, "resultCode": 0, "resultMessage": "ok"
    }))
    .unwrap();
    assert_redacted("TokenResponse", &response);
    assert_eq!(response.token.unwrap().expose_secret(), TOKEN);
}

#[test]
fn the_detector_itself_sees_a_leak() {
    // Guards against a vacuous helper: a plain string holding a sentinel must be caught.
    let leaked = std::panic::catch_unwind(|| assert_redacted("String", &TOKEN.to_string()));
    assert!(leaked.is_err());
}
