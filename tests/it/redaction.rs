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

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Collects everything `tracing` writes, at every level and from every crate.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_public_type_or_log_line_shows_a_secret() {
    use common::server::{TestServer, TokenReply};

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = crate::common::tracing_capture::scoped(subscriber);

    // The scripted server accepts only its own keys; these sentinels get a rejection, which
    // exercises the error path too.
    let server = TestServer::start().await;
    let builder = enkash::Client::builder()
        .base_url(&server.base_url)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .http_client(reqwest::Client::builder());
    assert_redacted("ClientBuilder", &builder);
    let client = builder.build().unwrap();
    assert_redacted("Client", &client);
    let rejection = client.access_token().await.unwrap_err();
    assert_redacted("TokenError", &rejection);
    let call_error = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .unwrap_err();
    assert_redacted("Error", &call_error);
    assert!(!call_error.to_string().contains(SECRET_KEY));
    use enkash::Payload;
    let one_error = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(one_error.kind(), enkash::CallErrorKind::Credentials);
    assert_redacted("CallError", &one_error);
    assert!(!one_error.to_string().contains(SECRET_KEY));

    // A real token, issued under a sentinel name, through the whole request path.
    let good = server
        .client()
        .http_client(reqwest::Client::builder())
        .build()
        .unwrap();
    server.then(TokenReply::Issue(std::time::Duration::from_secs(3600)));
    let token = good.access_token().await.unwrap();
    assert_redacted("AccessToken", &token);
    assert!(!format!("{token:?}").contains(token.as_str()), "{token:?}");
    assert!(good
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .is_ok());
    assert_redacted("Client with a token", &good);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("access token refreshed"),
        "the success event was not logged: {logs}"
    );
    assert!(
        logs.contains("access token refresh failed"),
        "the failure event was not logged"
    );
    let test_keys = [common::server::ACCESS_KEY, common::server::SECRET_KEY];
    for secret in [ACCESS_KEY, SECRET_KEY, token.as_str()]
        .into_iter()
        .chain(test_keys)
    {
        assert!(!logs.contains(secret), "the logs leak {secret}:\n{logs}");
    }
}

/// Card data that is not a key or a token, but must not show either.
const HOLDER: &str = "SENTINEL HOLDER NAME";
const EXPIRY: &str = "07/31";

#[test]
fn card_data_and_payment_tokens_are_redacted() {
    let detail = types::PaymentDetail::CreditCard {
        card_holder_name: Some(HOLDER.into()),
        card_number: enkash::SecretString::from(SECRET_KEY),
        cvv: enkash::SecretString::from(TOKEN),
        expiry: EXPIRY.into(),
    };
    assert_redacted("PaymentDetail", &detail);
    for rendered in [format!("{detail:?}"), format!("{detail:#?}")] {
        assert!(
            !rendered.contains(HOLDER) && !rendered.contains(EXPIRY),
            "PaymentDetail shows the holder name or the expiry: {rendered}"
        );
    }
    // The wire form still carries them.
    let wire = serde_json::to_string(&detail).unwrap();
    assert!(wire.contains(HOLDER) && wire.contains(EXPIRY), "{wire}");
    let request = types::SubmitPaymentRequest {
        order_id: "ORD".into(),
        payment_detail: detail,
        split_settlement: None,
    };
    assert_redacted("SubmitPaymentRequest", &request);
    let notification = enkash::webhook::parse_payment_notification(
        format!(r#"{{"orderId": "O", "transactionId": "T", "paymentToken": "{TOKEN}", "cardHolderName": "{HOLDER}"}}"#)
            .as_bytes(),
    )
    .unwrap();
    assert_redacted("PaymentNotification", &notification);
    assert!(
        !format!("{notification:?}").contains(HOLDER),
        "{notification:?}"
    );
}
