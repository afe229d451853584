//! `is_final` and `is_success` on the order and payment statuses: every documented value is
//! classified here on purpose, so a value added to the spec fails this test until someone
//! decides what it means.

use enkash::types::{OrderStatus, PaymentStatus};

/// (value, final, success) for every documented order status.
const ORDER: &[(&str, bool, bool)] = &[
    ("CREATED", false, false),
    ("CHECKOUT_RENDERED", false, false),
    ("ATTEMPTED", false, false),
    ("PAYMENT_CONFIRMATION_PENDING", false, false),
    ("PAID", true, true),
    ("CANCELLED", true, false),
    ("EXPIRED", true, false),
];

/// (value, final, success) for every documented payment status.
const PAYMENT: &[(&str, bool, bool)] = &[
    ("CREATED", false, false),
    ("AUTHORIZED", false, false),
    ("PENDING_WITH_BANK", false, false),
    ("SUCCESS", true, true),
    ("FAILED", true, false),
    ("CANCELLED", true, false),
    ("PARTIALLY_REFUNDED", true, false),
    ("REFUNDED", true, false),
];

#[test]
fn every_documented_order_status_is_classified() {
    let mut classified: Vec<&str> = ORDER.iter().map(|(value, ..)| *value).collect();
    let mut known = OrderStatus::KNOWN.to_vec();
    classified.sort_unstable();
    known.sort_unstable();
    assert_eq!(
        classified, known,
        "classify every OrderStatus in this table"
    );
    for &(value, is_final, is_success) in ORDER {
        let status = OrderStatus::from(value);
        assert!(status.is_known(), "{value}");
        assert_eq!(status.is_final(), is_final, "{value}.is_final()");
        assert_eq!(status.is_success(), is_success, "{value}.is_success()");
    }
}

#[test]
fn every_documented_payment_status_is_classified() {
    let mut classified: Vec<&str> = PAYMENT.iter().map(|(value, ..)| *value).collect();
    let mut known = PaymentStatus::KNOWN.to_vec();
    classified.sort_unstable();
    known.sort_unstable();
    assert_eq!(
        classified, known,
        "classify every PaymentStatus in this table"
    );
    for &(value, is_final, is_success) in PAYMENT {
        let status = PaymentStatus::from(value);
        assert!(status.is_known(), "{value}");
        assert_eq!(status.is_final(), is_final, "{value}.is_final()");
        assert_eq!(status.is_success(), is_success, "{value}.is_success()");
    }
}

/// A value the gateway adds later is neither: keep polling (within a deadline), never fulfil.
#[test]
fn an_unknown_status_is_neither_final_nor_a_success() {
    for value in ["ON_HOLD", "paid", "SUCCESS ", ""] {
        let order = OrderStatus::from(value);
        let payment = PaymentStatus::from(value);
        assert!(!order.is_known() && !payment.is_known(), "{value:?}");
        assert!(!order.is_final() && !order.is_success(), "{value:?}");
        assert!(!payment.is_final() && !payment.is_success(), "{value:?}");
    }
}

/// Success implies final: nothing says "fulfil" and "keep polling" at once.
#[test]
fn a_success_is_always_final() {
    for status in PaymentStatus::KNOWN.iter().map(|v| PaymentStatus::from(*v)) {
        assert!(!status.is_success() || status.is_final(), "{status}");
    }
    for status in OrderStatus::KNOWN.iter().map(|v| OrderStatus::from(*v)) {
        assert!(!status.is_success() || status.is_final(), "{status}");
    }
}
