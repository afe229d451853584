//! The spec's operations, as the build script read them: method, path template, whether a
//! call may be sent again after it may have reached the gateway, and if not, how to recover
//! ([`Recovery`], a per-operation fact that `CallError::recovery` reads).

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

/// What to do after a failed call; see [`CallError::recovery`](crate::CallError::recovery).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recovery {
    /// Make the same call again (after [`CallError::retry_after`](crate::CallError::retry_after), when given): nothing reached
    /// EnKash, EnKash did not act on it, or the operation is safe to repeat.
    TryAgain,
    /// The outcome is unknown, and a repeat of the same request leaves the same result (an
    /// edit that sets values): send it again unchanged, never with new ids.
    ResendUnchanged,
    /// The outcome is unknown: look up what happened (`get_order_status`,
    /// `get_transaction_status`, the operation's advice says which) before sending anything
    /// again.
    LookUp,
    /// The outcome is unknown, but the operation moves no money (creating an order): make a
    /// new request with a new merchant id; the old one, if it exists, stays unused.
    StartAfresh,
    /// EnKash refused the request as sent, the credentials, or the request could not be built:
    /// change something before calling again.
    ChangeRequest,
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
