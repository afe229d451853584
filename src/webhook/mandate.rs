//! The two UPI Autopay callbacks EnKash posts to the merchant: the UPI Mandate Callback (the
//! mandate, on approval, rejection or revocation) and the Mandate Debit Callback (the outcome
//! of a debit). Neither carries a signature (none is documented): confirm a mandate with
//! `get_upi_mandate` and a debit with [`confirm_mandate_debit`](super::confirm_mandate_debit)
//! before acting on one.

use super::parse::{parse, WebhookError};
use crate::types::{PaymentNotification, UpiMandate};

/// Parses a UPI Mandate Callback: the mandate as it now stands.
///
/// ```
/// use enkash::types::MandateStatus;
///
/// let body = br#"{"referenceId": "SUB1", "mandateId": "MDT_1", "status": "ACTIVE", "amount": 499}"#;
/// let mandate = enkash::webhook::parse_upi_mandate_callback(body).unwrap();
/// assert_eq!(mandate.status, Some(MandateStatus::Active));
/// assert_eq!(mandate.amount, Some(enkash::Rupees::from_paise(49_900)));
///
/// let error = enkash::webhook::parse_upi_mandate_callback(br#"{"referenceId": "SUB1"}"#);
/// assert_eq!(
///     error.unwrap_err().to_string(),
///     "the webhook body is not a valid UpiMandate: missing field `mandateId` at `.`"
/// );
/// ```
pub fn parse_upi_mandate_callback(body: &[u8]) -> Result<UpiMandate, WebhookError> {
    parse(body, "UpiMandate")
}

/// Parses a Mandate Debit Callback. EnKash documents only that it reports a debit's status
/// (success, failure or pending) and that its body begins with `surcharge`; its shape is
/// inferred to be the payment notification's, whose `orderId` is the order
/// `execute_upi_mandate_debit` answered with. It may arrive before that answer does: confirm
/// it with [`confirm_mandate_debit`](super::confirm_mandate_debit), which needs only your
/// mandate and amount.
///
/// ```
/// let body = br#"{"surcharge": 0, "orderId": "ORD_1", "transactionId": "TXN_1", "status": "SUCCESS"}"#;
/// let debit = enkash::webhook::parse_mandate_debit_callback(body).unwrap();
/// assert_eq!(debit.order_id, "ORD_1");
/// ```
pub fn parse_mandate_debit_callback(body: &[u8]) -> Result<PaymentNotification, WebhookError> {
    parse(body, "PaymentNotification")
}
