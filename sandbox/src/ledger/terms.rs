//! The ledger's vocabulary, which every part of it speaks: why it refuses, the notification
//! it owes, and the test inputs it treats specially.

use enkash::types::PaymentNotification;

/// Why the sandbox refuses a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    /// The request breaks the contract: HTTP 400.
    Invalid(String),
    /// No such object: HTTP 404.
    NotFound(String),
    /// A business rule: HTTP 200 with this non-zero `response_code`.
    Rule(i32, String),
}

/// A card number the sandbox declines; any other card succeeds.
pub const DECLINED_CARD: &str = "4000000000000002";

/// UPI addresses ending with this are declined; any other succeeds.
pub const DECLINED_VPA_SUFFIX: &str = "@fail";

/// UPI addresses ending with this leave the payment waiting for the bank
/// (`PENDING_WITH_BANK`, the order `PAYMENT_CONFIRMATION_PENDING`) until the test settles it
/// with [`Sandbox::settle_transaction`](crate::Sandbox::settle_transaction).
pub const PENDING_VPA_SUFFIX: &str = "@pending";

/// A notification to deliver after a payment attempt.
#[derive(Debug, Clone)]
pub(crate) struct Notify {
    pub url: String,
    pub notification: PaymentNotification,
}
