//! The spec's operations, as the build script read them: method, path template, whether a
//! call may be sent again after it may have reached the gateway, and if not, how to recover.

use super::error::Recovery;

/// One operation of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The `operationId`, which is also the generated method's name.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/api/v0/orders/{orderId}`.
    pub path: &'static str,
    /// A GET, or marked `x-enkash-idempotent: true`: safe to repeat after a timeout.
    pub idempotent: bool,
    /// For an operation that is not safe to repeat, how to recover when its outcome is unknown
    /// (`x-enkash-if-outcome-unknown`); `None` for the others.
    pub recovery: Option<Recovery>,
    /// The same in words, from the spec (empty when `recovery` is `None`).
    pub advice: &'static str,
    /// Its 200 answer is `text/plain`, not JSON (Resend OTP): such a body is readable.
    pub text_answer: bool,
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The operation with this id.
pub(crate) fn find(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|operation| operation.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_comes_from_the_spec() {
        let order = find("get_order_status").unwrap();
        assert_eq!(
            (order.method, order.path),
            ("GET", "/api/v0/orders/{orderId}")
        );
        assert!(order.idempotent, "a GET is safe to repeat");
        // Payments are never repeated once they may have reached the gateway.
        for id in ["create_order", "submit_payment", "refund_transaction"] {
            assert!(!find(id).unwrap().idempotent, "{id}");
        }
        // A POST is repeated only when the spec marks it.
        assert!(find("search_settlement_payouts").unwrap().idempotent);
        assert!(find("no_such_operation").is_none());
    }
}
