//! [`FieldError`], what every request constructor returns before anything is sent, and the
//! checks the constructors in `mod.rs` and `payment_detail.rs` share.

/// A request field that cannot be sent as given: which field (as the spec spells it) and what
/// is wrong with it, in words.
///
/// Returned by the request constructors of [`enkash::requests`](crate::requests)
/// ([`CreateOrderRequest::new`](crate::types::CreateOrderRequest::new),
/// [`SubmitPaymentRequest::new`](crate::types::SubmitPaymentRequest::new),
/// [`RefundRequest::new`](crate::types::RefundRequest::new),
/// [`PaymentDetail::upi`](crate::types::PaymentDetail::upi), ...) before
/// anything is sent. The message quotes a merchant order id or an amount where that helps
/// (neither is a secret), and never a card field, an account number or a UPI address.
///
/// ```
/// use enkash::types::RefundRequest;
///
/// let err = RefundRequest::new("RFND20261121001", "-5".parse()?).unwrap_err();
/// assert_eq!(err.field(), "amount");
/// assert_eq!(
///     err.to_string(),
///     "amount must be more than zero (at least 0.01 rupees): -5.00 given"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct FieldError {
    field: &'static str,
    problem: String,
}

impl FieldError {
    pub(super) fn new(field: &'static str, problem: impl Into<String>) -> FieldError {
        FieldError {
            field,
            problem: problem.into(),
        }
    }

    /// The field, as the spec (and the JSON body) spells it: `orderId`, `amount.value`,
    /// `paymentDetail.vpa`, `splitSettlement.splitSettlementDetails`...
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong with it, in words (the message without the field's name).
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// A required text that must not be empty.
pub(super) fn not_empty(field: &'static str, value: &str, what: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(field, format!("is empty: give {what}")));
    }
    Ok(())
}
