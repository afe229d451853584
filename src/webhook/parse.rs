//! Parsing a webhook body into the type the spec documents, with errors that name the field and
//! never quote its value. (A leaf of its own: the callback parsers in `mandate.rs` use it too.)

use serde::de::DeserializeOwned;

use crate::types::{PaymentLinkWebhook, PaymentNotification};

/// Why a webhook body could not be parsed. Messages name the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is not JSON.
    #[error("the webhook body is not JSON (line {line}, column {column})")]
    NotJson {
        /// Where the JSON broke.
        line: usize,
        /// Where the JSON broke.
        column: usize,
    },
    /// The body is JSON but not the documented payload.
    #[error("the webhook body is not a valid {payload}: {problem} at `{field}`")]
    Invalid {
        /// The payload expected.
        payload: &'static str,
        /// The path of the offending field (`.` for the whole body).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// Parses a payment notification (the body EnKash posts to an order's `notifyUrl`).
///
/// ```
/// let body = br#"{"orderId": "ORD_1", "transactionId": "TXN_1", "status": "SUCCESS"}"#;
/// let notification = enkash::webhook::parse_payment_notification(body).unwrap();
/// assert_eq!(notification.transaction_id, "TXN_1");
///
/// let error = enkash::webhook::parse_payment_notification(br#"{"orderId": "ORD_1"}"#);
/// assert_eq!(
///     error.unwrap_err().to_string(),
///     "the webhook body is not a valid PaymentNotification: missing field `transactionId` at `.`"
/// );
/// ```
pub fn parse_payment_notification(body: &[u8]) -> Result<PaymentNotification, WebhookError> {
    parse(body, "PaymentNotification")
}

/// Parses a payment-link webhook. Answer it with HTTP 200 and `{}`.
pub fn parse_payment_link_webhook(body: &[u8]) -> Result<PaymentLinkWebhook, WebhookError> {
    parse(body, "PaymentLinkWebhook")
}

pub(super) fn parse<T: DeserializeOwned>(
    body: &[u8],
    payload: &'static str,
) -> Result<T, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = parsed.map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return WebhookError::NotJson {
                line: inner.line(),
                column: inner.column(),
            };
        }
        WebhookError::Invalid {
            payload,
            field,
            problem: crate::serde_problem::without_values(&inner),
        }
    })?;
    deserializer.end().map_err(|e| WebhookError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    Ok(value)
}
