//! Responses from a newer gateway still parse: unknown enum values are kept, unknown fields
//! ignored. Webhook bodies get clear errors that never quote a value. Every envelope schema
//! converts into a `Result`.

use crate::common;

use common::server::TestServer;
use enkash::types::{OrderResponse, OrderStatus, PaymentMode, PaymentStatus};
use enkash::webhook::{parse_payment_link_webhook, parse_payment_notification, WebhookError};
use enkash::{CallErrorKind, Payload, ResponseValue};
use serde_json::json;

#[tokio::test]
async fn an_unknown_order_status_and_new_fields_survive_a_real_call() {
    let server = TestServer::start().await;
    server.answer_orders_with(json!({
        "response_code": 0,
        "response_message": "SUCCESS",
        "newEnvelopeField": true,
        "payload": {
            "orderId": "ORD_1",
            "status": "ON_HOLD",
            "riskScore": 0.2,
            "transactions": [{"transactionId": "TXN_1", "status": "UNDER_REVIEW", "paymentMode": "CRYPTO_WALLET"}]
        }
    }));
    let client = server.client().build().unwrap();
    let order = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(order.status, Some(OrderStatus::Unknown("ON_HOLD".into())));
    assert!(!order.status.as_ref().unwrap().is_known());
    let attempt = &order.transactions[0];
    assert_eq!(
        attempt.status,
        Some(PaymentStatus::Unknown("UNDER_REVIEW".into()))
    );
    assert_eq!(
        attempt.payment_mode.as_ref().map(|m| m.as_str()),
        Some("CRYPTO_WALLET")
    );

    // The unknown values go back out unchanged.
    let wire = serde_json::to_value(&order).unwrap();
    assert_eq!(wire["status"], "ON_HOLD");
    assert_eq!(wire["transactions"][0]["status"], "UNDER_REVIEW");
}

#[test]
fn known_values_still_parse_into_their_variants() {
    let response: OrderResponse = serde_json::from_value(json!({
        "response_code": 0, "payload": {"status": "PAYMENT_CONFIRMATION_PENDING"}
    }))
    .unwrap();
    assert_eq!(
        response.payload.unwrap().status,
        Some(OrderStatus::PaymentConfirmationPending)
    );
    assert_eq!(PaymentMode::from("NET_BANKING"), PaymentMode::NetBanking);
    assert_eq!(PaymentMode::NetBanking.to_string(), "NET_BANKING");
    assert_eq!(PaymentMode::KNOWN.len(), 8);
}

#[test]
fn a_non_zero_response_code_is_an_api_error() {
    let response: OrderResponse = serde_json::from_value(json!({
        "response_code": 1001, "response_message": "Order is PAID"
    }))
    .unwrap();
    let refused = answered(response).payload().unwrap_err();
    assert_eq!(
        (refused.kind(), refused.response_code()),
        (CallErrorKind::Refused, Some(1001))
    );
    assert!(refused.to_string().contains("Order is PAID"), "{refused}");
    let empty: OrderResponse = serde_json::from_value(json!({"response_code": 0})).unwrap();
    let empty = answered(empty).payload().unwrap_err();
    assert_eq!(empty.kind(), CallErrorKind::Decode, "{empty}");
    assert!(empty.outcome_unknown(), "{empty}");
}

/// A generated call's result for an HTTP 200 carrying `envelope` (the generated `send()`'s
/// own result type, large error and all).
#[allow(clippy::result_large_err)]
fn answered<T>(envelope: T) -> Result<ResponseValue<T>, enkash::Error<enkash::types::ErrorBody>> {
    let headers = reqwest::header::HeaderMap::new();
    Ok(ResponseValue::new(
        envelope,
        reqwest::StatusCode::OK,
        headers,
    ))
}

#[test]
fn every_envelope_schema_in_the_spec_converts_into_a_result() {
    let spec = common::spec();
    let mut in_spec: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, schema)| {
            schema["allOf"].as_array().is_some_and(|parts| {
                parts
                    .iter()
                    .any(|p| p["$ref"] == "#/components/schemas/Envelope")
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    in_spec.sort();
    let mut implemented: Vec<String> = enkash::ENVELOPE_SCHEMAS
        .iter()
        .map(|s| s.to_string())
        .collect();
    implemented.sort();
    assert_eq!(
        implemented, in_spec,
        "list every envelope schema in src/envelope.rs"
    );
}

#[test]
fn webhook_bodies_get_clear_errors_that_never_quote_a_value() {
    assert_eq!(
        parse_payment_notification(b"<html>").unwrap_err(),
        WebhookError::NotJson { line: 1, column: 1 }
    );
    assert!(matches!(
        parse_payment_notification(br#"{"orderId": "O", "transactionId": "T"} trailing"#),
        Err(WebhookError::NotJson { .. })
    ));
    let missing = parse_payment_notification(br#"{"transactionId": "T"}"#).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "the webhook body is not a valid PaymentNotification: missing field `orderId` at `.`"
    );
    // A token where a number belongs: the field is named, the value is not repeated.
    let body = br#"{"orderId": "O", "transactionId": "T", "amount": "SENTINEL-4f2a"}"#;
    let wrong = parse_payment_notification(body).unwrap_err();
    assert!(
        matches!(&wrong, WebhookError::Invalid { field, .. } if field == "amount"),
        "{wrong:?}"
    );
    assert!(!wrong.to_string().contains("SENTINEL") && !format!("{wrong:?}").contains("SENTINEL"));

    let ok = parse_payment_notification(
        br#"{"orderId": "O", "transactionId": "T", "status": "SUCCESS", "paymentToken": "SENTINEL-77", "brandNew": 1}"#,
    )
    .unwrap();
    assert_eq!(ok.status, Some(PaymentStatus::Success));
    assert!(
        !format!("{ok:?}").contains("SENTINEL-77"),
        "the payment token is redacted"
    );

    let link = parse_payment_link_webhook(
        br#"{"type": "PAYMENT", "paymentStatus": "SUCCESS", "amount": 2500}"#,
    )
    .unwrap();
    assert_eq!(link.amount, Some(enkash::Rupees::from_paise(250_000)));
    let bad_date = parse_payment_link_webhook(br#"{"paymentDate": "yesterday"}"#).unwrap_err();
    assert!(
        matches!(&bad_date, WebhookError::Invalid { field, .. } if field == "paymentDate"),
        "{bad_date:?}"
    );
}
