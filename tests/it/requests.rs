//! The request constructors (`enkash::requests`): what they refuse before sending, in words
//! naming the field, and that what they build is accepted by the sandbox (which checks every
//! request against the spec's own schemas) over real HTTP on 127.0.0.1.

use crate::common::merchant::client_for;
use enkash::requests::{Card, FieldError};
use enkash::types::{
    Amount, CreateOrderRequest, Currency, CustomerInfo, FlatSplitShare, OrderStatus, PaymentDetail,
    PaymentStatus, PercentageSplitShare, RefundRequest, SplitSettlement, SubmitPaymentRequest,
};
use enkash::{Payload, Rupees};
use enkash_sandbox::Sandbox;

fn rupees(text: &str) -> Rupees {
    text.parse().unwrap()
}

#[test]
fn amount_from_rupees_is_inr() {
    let amount: Amount = Rupees::from_paise(149_950).into();
    assert_eq!(amount.currency, Currency::Inr);
    assert_eq!(amount.value, Rupees::from_paise(149_950));
    assert_eq!(
        serde_json::to_value(&amount).unwrap(),
        serde_json::json!({"value": 1499.5, "currency": "INR"})
    );
}

#[test]
fn create_order_refuses_an_order_id_with_other_characters_saying_which() {
    let err = CreateOrderRequest::new("INV-2026-001", rupees("1499.50")).unwrap_err();
    assert_eq!(err.field(), "orderId");
    assert_eq!(
        err.to_string(),
        "orderId must be letters and digits only (A-Z, a-z, 0-9): INV-2026-001 has '-'"
    );
    // Not the generated type's regex.
    assert!(!err.to_string().contains('^'));

    for (id, shown) in [
        ("INV 1", "' '"),
        ("INV_1", "'_'"),
        ("INV\t1", "'\\t'"),
        ("CAFÉ1", "'É'"),
    ] {
        let err = CreateOrderRequest::new(id, rupees("1")).unwrap_err();
        assert_eq!(err.field(), "orderId", "{id:?}");
        assert!(
            err.to_string().ends_with(&format!("has {shown}")),
            "{id:?}: {err}"
        );
    }

    let err = CreateOrderRequest::new("", rupees("1")).unwrap_err();
    assert_eq!(err.field(), "orderId");
    assert!(err.to_string().starts_with("orderId is empty"), "{err}");
}

#[test]
fn create_order_refuses_zero_negative_and_too_large_amounts() {
    let zero = CreateOrderRequest::new("INV1", Rupees::ZERO).unwrap_err();
    assert_eq!(zero.field(), "amount.value");
    assert_eq!(
        zero.to_string(),
        "amount.value must be more than zero (at least 0.01 rupees): 0.00 given"
    );

    let negative = CreateOrderRequest::new("INV1", rupees("-0.01")).unwrap_err();
    assert_eq!(negative.field(), "amount.value");
    assert!(negative.to_string().ends_with("-0.01 given"), "{negative}");

    let too_large = CreateOrderRequest::new("INV1", rupees("1000000000.01")).unwrap_err();
    assert_eq!(too_large.field(), "amount.value");
    assert_eq!(
        too_large.problem(),
        "must be at most 1000000000.00 rupees (the spec's maximum): 1000000000.01 given"
    );

    // The bounds themselves are fine.
    for ok in ["0.01", "1000000000"] {
        let order = CreateOrderRequest::new("INV1", rupees(ok)).unwrap();
        assert_eq!(order.amount.value, rupees(ok));
        assert_eq!(order.amount.currency, Currency::Inr);
    }
    // The id is checked before the amount: the first problem is the one reported.
    assert_eq!(
        CreateOrderRequest::new("INV-1", Rupees::ZERO)
            .unwrap_err()
            .field(),
        "orderId"
    );
}

#[test]
fn create_order_sends_only_what_was_set() {
    let order = CreateOrderRequest::new("INV20261120001", rupees("1499.50")).unwrap();
    assert_eq!(
        serde_json::to_value(&order).unwrap(),
        serde_json::json!({"orderId": "INV20261120001", "amount": {"value": 1499.5, "currency": "INR"}})
    );

    let order = order
        .with_description("2 x cotton kurta")
        .with_notify_url("https://shop.example.com/hooks/enkash")
        .with_return_url("https://shop.example.com/checkout/return")
        .with_custom_parameter("cartId", "CART-7781")
        .with_customer(
            CustomerInfo::default()
                .with_first_name("Asha")
                .with_last_name("Verma")
                .with_email("asha.verma@example.com")
                .with_phone_number("9876543210"),
        );
    assert_eq!(
        serde_json::to_value(&order).unwrap(),
        serde_json::json!({
            "orderId": "INV20261120001",
            "amount": {"value": 1499.5, "currency": "INR"},
            "description": "2 x cotton kurta",
            "notifyUrl": "https://shop.example.com/hooks/enkash",
            "returnUrl": "https://shop.example.com/checkout/return",
            "customParameters": {"cartId": "CART-7781"},
            "customerInfo": {
                "firstName": "Asha",
                "lastName": "Verma",
                "email": "asha.verma@example.com",
                "phoneNumber": "9876543210"
            }
        })
    );
}

#[test]
fn refund_refuses_zero_negative_amounts_and_an_empty_request_id() {
    let zero = RefundRequest::new("RFND1", Rupees::ZERO).unwrap_err();
    assert_eq!(zero.field(), "amount");
    assert_eq!(
        zero.to_string(),
        "amount must be more than zero (at least 0.01 rupees): 0.00 given"
    );
    let negative = RefundRequest::new("RFND1", rupees("-499.50")).unwrap_err();
    assert_eq!(negative.field(), "amount");
    assert!(negative.to_string().ends_with("-499.50 given"));

    let empty = RefundRequest::new("", rupees("1")).unwrap_err();
    assert_eq!(empty.field(), "requestId");
    assert!(
        empty.to_string().starts_with("requestId is empty"),
        "{empty}"
    );

    let refund = RefundRequest::new("RFND-TXN-1", rupees("499.50"))
        .unwrap()
        .with_remarks("one kurta returned");
    assert_eq!(
        serde_json::to_value(&refund).unwrap(),
        serde_json::json!({"requestId": "RFND-TXN-1", "amount": 499.5, "remarks": "one kurta returned"})
    );
}

#[test]
fn submit_payment_refuses_an_empty_order_id_and_bad_splits() {
    let empty = SubmitPaymentRequest::new("", PaymentDetail::net_banking("HDFC")).unwrap_err();
    assert_eq!(empty.field(), "orderId");

    let payment =
        SubmitPaymentRequest::new("ORD_SBX_1", PaymentDetail::net_banking("HDFC")).unwrap();
    let flat = |values: &[&str]| {
        SplitSettlement::Flat(
            values
                .iter()
                .map(|value| FlatSplitShare {
                    label: None,
                    split_account_id: "SAD_1".into(),
                    value: rupees(value),
                })
                .collect(),
        )
    };
    let err = payment
        .clone()
        .with_split_settlement(flat(&["100", "0"]))
        .unwrap_err();
    assert_eq!(err.field(), "splitSettlement.splitSettlementDetails");
    assert_eq!(
        err.problem(),
        "share 2: must be more than zero (at least 0.01 rupees): 0.00 given"
    );
    let err = payment
        .clone()
        .with_split_settlement(flat(&["-1"]))
        .unwrap_err();
    assert!(err.problem().starts_with("share 1: "), "{err}");
    let err = payment
        .clone()
        .with_split_settlement(flat(&[]))
        .unwrap_err();
    assert!(err.problem().starts_with("is empty"), "{err}");

    let percentage = |value: &str| {
        SplitSettlement::Percentage(vec![PercentageSplitShare {
            label: None,
            split_account_id: "SAD_1".into(),
            value: value.parse().unwrap(),
        }])
    };
    let err = payment
        .clone()
        .with_split_settlement(percentage("0"))
        .unwrap_err();
    assert_eq!(
        err.problem(),
        "share 1: a percentage must be more than zero"
    );

    let split = payment.with_split_settlement(percentage("12.5")).unwrap();
    assert!(split.split_settlement.is_some());
}

#[test]
fn payment_details_are_one_call_per_mode() {
    let wire = |detail: &PaymentDetail| serde_json::to_value(detail).unwrap();
    assert_eq!(
        wire(&PaymentDetail::upi("asha.verma@okbank").unwrap()),
        serde_json::json!({"paymentMode": "UPI", "vpa": "asha.verma@okbank"})
    );
    assert_eq!(
        wire(&PaymentDetail::upi_tpv("asha.verma@okbank", "123456789012", "HDFC0001234").unwrap()),
        serde_json::json!({"paymentMode": "UPI", "vpa": "asha.verma@okbank", "accountNumber": "123456789012", "ifsc": "HDFC0001234"})
    );
    assert_eq!(
        wire(&PaymentDetail::net_banking("HDFC")),
        serde_json::json!({"paymentMode": "NET_BANKING", "bankCode": "HDFC"})
    );
    assert_eq!(
        wire(&PaymentDetail::wallet("PAYTM")),
        serde_json::json!({"paymentMode": "WALLET", "bankCode": "PAYTM"})
    );
    assert_eq!(
        wire(&PaymentDetail::pay_later("SIMPL", "BNPL_SIMPL")),
        serde_json::json!({"paymentMode": "PAY_LATER", "bankCode": "SIMPL", "bnplPaymentOptionId": "BNPL_SIMPL"})
    );
    let card = || Card::new("4111111111111111", "123", "12/29").unwrap();
    for (detail, mode) in [
        (PaymentDetail::credit_card(card()), "CREDIT_CARD"),
        (PaymentDetail::debit_card(card()), "DEBIT_CARD"),
        (PaymentDetail::prepaid_card(card()), "PREPAID_CARD"),
        (PaymentDetail::corporate_card(card()), "CORPORATE_CARD"),
    ] {
        assert_eq!(
            wire(&detail),
            serde_json::json!({"paymentMode": mode, "cardNumber": "4111111111111111", "cvv": "123", "expiry": "12/29"})
        );
        assert!(!format!("{detail:?}").contains("4111"));
    }
    let named = PaymentDetail::credit_card(card().with_holder_name("ASHA VERMA"));
    assert_eq!(wire(&named)["cardHolderName"], "ASHA VERMA");
    assert_eq!(format!("{:?}", card()), "Card(<redacted>)");
}

/// Refusals of UPI and card details name the field and never repeat the value (a UPI address
/// and an account number are personal data; card fields are secrets).
#[test]
fn payment_detail_refusals_name_the_field_and_not_the_value() {
    let check = |err: FieldError, field: &str, secret: &str| {
        assert_eq!(err.field(), field, "{err}");
        let message = err.to_string();
        assert!(message.starts_with(field), "{message}");
        assert!(
            secret.is_empty() || !message.contains(secret),
            "{message} repeats {secret}"
        );
    };
    check(PaymentDetail::upi("").unwrap_err(), "paymentDetail.vpa", "");
    check(
        PaymentDetail::upi_tpv("asha@okbank", "12345678", "HDFC0001234").unwrap_err(),
        "paymentDetail.accountNumber",
        "12345678",
    );
    check(
        PaymentDetail::upi_tpv("asha@okbank", "9".repeat(37), "HDFC0001234").unwrap_err(),
        "paymentDetail.accountNumber",
        &"9".repeat(37),
    );
    check(
        PaymentDetail::upi_tpv("asha@okbank", "123456789012", "hdfc0001234").unwrap_err(),
        "paymentDetail.ifsc",
        "hdfc0001234",
    );
    check(
        Card::new("", "123", "12/29").unwrap_err(),
        "paymentDetail.cardNumber",
        "",
    );
    check(
        Card::new("4111111111111111", "", "12/29").unwrap_err(),
        "paymentDetail.cvv",
        "",
    );
    for expiry in [
        "13/29", "00/29", "1/29", "12/2029", "12-29", "ab/cd", "", "12/2x",
    ] {
        check(
            Card::new("4111111111111111", "123", expiry).unwrap_err(),
            "paymentDetail.expiry",
            expiry,
        );
    }
    for expiry in ["01/00", "09/99", "10/30", "12/29"] {
        assert!(
            Card::new("4111111111111111", "123", expiry).is_ok(),
            "{expiry}"
        );
    }
}

/// What the constructors build is what the spec allows: the sandbox checks every request
/// against the spec's own schemas, then the lifecycle rules.
#[tokio::test]
async fn constructed_requests_go_through_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);

    let price = rupees("1499.50");
    let order = CreateOrderRequest::new("INVREQUESTS1", price)
        .unwrap()
        .with_description("2 x cotton kurta")
        .with_custom_parameter("cartId", "CART-7781")
        .with_customer(CustomerInfo::default().with_first_name("Asha"));
    let order = client
        .create_order()
        .body(order)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(order.status, Some(OrderStatus::Created));
    assert_eq!(order.amount, Some(price));
    let order_id = order.order_id.unwrap();

    let payment =
        SubmitPaymentRequest::new(&order_id, PaymentDetail::upi("asha.verma@okbank").unwrap())
            .unwrap();
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(transaction.status, Some(PaymentStatus::Success));
    let transaction_id = transaction.transaction_id.unwrap();

    let refund = RefundRequest::new(&format!("RFND-{transaction_id}-1"), rupees("499.50"))
        .unwrap()
        .with_remarks("one kurta returned");
    let refund = client
        .refund_transaction()
        .transaction_id(&transaction_id)
        .body(refund)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(refund.amount, Some(rupees("499.50")));

    // Every other payment mode's constructor builds a body the spec accepts: each pays an
    // order of its own.
    let details = [
        PaymentDetail::upi_tpv("asha.verma@okbank", "123456789012", "HDFC0001234").unwrap(),
        PaymentDetail::credit_card(
            Card::new("4111111111111111", "123", "12/29")
                .unwrap()
                .with_holder_name("ASHA VERMA"),
        ),
        PaymentDetail::debit_card(Card::new("4111111111111111", "123", "12/29").unwrap()),
        PaymentDetail::prepaid_card(Card::new("4111111111111111", "123", "12/29").unwrap()),
        PaymentDetail::corporate_card(Card::new("4111111111111111", "123", "12/29").unwrap()),
        PaymentDetail::net_banking("HDFC"),
        PaymentDetail::wallet("PAYTM"),
        PaymentDetail::pay_later("SIMPL", "BNPL_SIMPL"),
    ];
    for (i, detail) in details.into_iter().enumerate() {
        let order = CreateOrderRequest::new(&format!("INVMODE{i}"), rupees("10")).unwrap();
        let order = client
            .create_order()
            .body(order)
            .send()
            .await
            .payload()
            .unwrap();
        let payment = SubmitPaymentRequest::new(order.order_id.unwrap(), detail).unwrap();
        let transaction = client
            .submit_payment()
            .body(payment)
            .send()
            .await
            .payload()
            .unwrap_or_else(|e| panic!("mode {i}: {e}"));
        assert_eq!(transaction.status, Some(PaymentStatus::Success), "mode {i}");
    }
}
