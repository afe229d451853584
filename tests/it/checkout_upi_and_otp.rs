//! The checkout-side operations against the sandbox, over real HTTP on 127.0.0.1: the dynamic
//! UPI QR, intent links and UPI status of an order's checkout payment, Verify UPI VPA, and a
//! card payment's OTP (Validate OTP, Resend OTP and its `text/plain` answer).

use crate::common::merchant::{client_for, webhook_receiver};
use std::time::Duration;

use enkash::types::{
    Amount, CreateOrderRequest, Currency, OrderStatus, OtpResponse, PaymentDetail, PaymentStatus,
    SubmitPaymentRequest, UpiStatus, ValidateOtpRequest, VerifyVpaRequest,
};
use enkash::{CallErrorKind, Client, Payload, Recovery, Rupees, TextPayload};
use enkash_sandbox::{
    codes, CallFault, Sandbox, SettleError, DECLINED_VPA_SUFFIX, INVALID_VPA_SUFFIX, OTP_CARD,
    SANDBOX_OTP,
};

/// A new order for `rupees`; EnKash's id.
async fn new_order(
    client: &Client,
    merchant_id: &str,
    rupees: &str,
    notify: Option<String>,
) -> String {
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: rupees.parse().unwrap(),
            currency: Currency::Inr,
        })
        .notify_url(notify)
        .try_into()
        .unwrap();
    let order = client
        .create_order()
        .body(request)
        .send()
        .await
        .payload()
        .unwrap();
    order.order_id.unwrap()
}

async fn order_status(client: &Client, order_id: &str) -> OrderStatus {
    let order = client.get_order_status().order_id(order_id).send().await;
    order.payload().unwrap().status.unwrap()
}

async fn upi_status(client: &Client, id: &str) -> UpiStatus {
    let status = client
        .get_upi_transaction_status()
        .transaction_id(id)
        .send()
        .await;
    status.payload().unwrap().status.unwrap()
}

/// The checkout payment of an order's dynamic QR.
async fn qr_payment(client: &Client, order_id: &str) -> String {
    let qr = client.get_dynamic_upi_qr().order_id(order_id).send().await;
    qr.payload().unwrap().ek_pay_id.unwrap()
}

#[tokio::test]
async fn a_dynamic_qr_payment_moves_from_process_to_success_and_the_order_is_paid_and_notified() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (notify_url, mut notifications) = webhook_receiver().await;
    let order_id = new_order(&client, "INV2001", "1499.50", Some(notify_url)).await;

    let qr = client
        .get_dynamic_upi_qr()
        .order_id(&order_id)
        .send()
        .await
        .payload()
        .unwrap();
    let id = qr.ek_pay_id.clone().unwrap();
    let url = qr.qr_url.unwrap();
    assert!(
        url.starts_with("upi://pay?") && url.contains("am=1499.50"),
        "{url}"
    );
    assert!(url.contains(&format!("tr={id}")), "{url}");
    assert!(qr.qr_code.is_some_and(|png| !png.is_empty()));
    assert_eq!(
        order_status(&client, &order_id).await,
        OrderStatus::CheckoutRendered
    );

    // Asking again shows the same open payment, by the order's id or by the payment's own.
    assert_eq!(qr_payment(&client, &order_id).await, id);
    assert_eq!(qr_payment(&client, &id).await, id);

    let links = client
        .get_upi_intent_links()
        .transaction_id(&id)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(links.transaction_id.as_deref(), Some(id.as_str()));
    for link in [&links.gpay, &links.phonepe, &links.paytm, &links.upi] {
        assert!(
            link.as_deref()
                .is_some_and(|l| l.contains(&format!("tr={id}"))),
            "{link:?}"
        );
    }

    assert_eq!(upi_status(&client, &id).await, UpiStatus::Process);
    assert_eq!(
        sandbox.notifications_sent(),
        0,
        "nothing is sent before the customer pays"
    );

    let paid = sandbox.pay_upi_checkout(&id, "asha.verma@okbank").unwrap();
    assert_eq!(paid.status, Some(PaymentStatus::Success));
    assert_eq!(upi_status(&client, &id).await, UpiStatus::Success);
    assert_eq!(order_status(&client, &order_id).await, OrderStatus::Paid);
    let confirmed = client
        .get_transaction_status()
        .transaction_id(&id)
        .send()
        .await;
    let confirmed = confirmed.payload().unwrap();
    assert_eq!(confirmed.status, Some(PaymentStatus::Success));
    assert_eq!(confirmed.amount, Some("1499.50".parse::<Rupees>().unwrap()));

    let body = tokio::time::timeout(Duration::from_secs(5), notifications.recv())
        .await
        .expect("the notification arrives")
        .unwrap();
    let notification = enkash::webhook::parse_payment_notification(&body).unwrap();
    assert_eq!(notification.transaction_id, id);
    assert_eq!(notification.order_status, Some(OrderStatus::Paid));

    // Settled once: paying again is an error, and a paid order gives no new QR.
    assert!(matches!(
        sandbox.pay_upi_checkout(&id, "asha.verma@okbank"),
        Err(SettleError::NotPending { .. })
    ));
    let refused = client.get_dynamic_upi_qr().order_id(&order_id).send().await;
    assert_eq!(
        refused.payload().unwrap_err().response_code(),
        Some(codes::ORDER_NOT_PAYABLE)
    );
}

#[tokio::test]
async fn a_payer_vpa_ending_in_fail_fails_the_payment_and_the_order_takes_a_new_qr() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let order_id = new_order(&client, "INV2002", "250", None).await;
    let first = qr_payment(&client, &order_id).await;
    let failed = sandbox
        .pay_upi_checkout(&first, &format!("asha{DECLINED_VPA_SUFFIX}"))
        .unwrap();
    assert_eq!(failed.status, Some(PaymentStatus::Failed));
    assert_eq!(upi_status(&client, &first).await, UpiStatus::Failed);
    assert_eq!(
        order_status(&client, &order_id).await,
        OrderStatus::Attempted
    );

    let second = qr_payment(&client, &order_id).await;
    assert_ne!(second, first, "a failed payment is not reopened");
    assert_eq!(upi_status(&client, &second).await, UpiStatus::Process);
    // EnKash's page: the status may also be asked by the merchant's order id.
    assert_eq!(upi_status(&client, "INV2002").await, UpiStatus::Process);
}

#[tokio::test]
async fn unknown_checkout_ids_are_404_and_the_checkout_endpoints_take_anonymous_calls_but_not_bad_tokens(
) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    for refused in [
        client
            .get_dynamic_upi_qr()
            .order_id("ORD_NOPE")
            .send()
            .await
            .payload()
            .unwrap_err(),
        client
            .get_upi_transaction_status()
            .transaction_id("TXN_NOPE")
            .send()
            .await
            .payload()
            .unwrap_err(),
    ] {
        assert_eq!(refused.http_status(), Some(404), "{refused}");
    }
    let links = client
        .get_upi_intent_links()
        .transaction_id("TXN_NOPE")
        .send()
        .await;
    assert_eq!(links.payload().unwrap_err().http_status(), Some(404));
    // The settled seeded payment is not a checkout payment: it has no intent links.
    assert!(matches!(
        sandbox.pay_upi_checkout("TXN_NOPE", "a@b"),
        Err(SettleError::UnknownTransaction(_))
    ));

    let http = reqwest::Client::new();
    let url = format!(
        "{}/pay/checkout/qrcode/{}",
        sandbox.base_url(),
        Sandbox::CREATED_ORDER_ID
    );
    let anonymous = http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 200, "EnKash shows no auth for /pay/...");
    let forged = http
        .get(&url)
        .header("authorization", "Bearer sbx.forged")
        .header("merchantAccessKey", sandbox.access_key())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401, "headers that are sent must be valid");
}

#[tokio::test]
async fn verify_upi_vpa_names_the_holder_and_refuses_an_invalid_address() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let verify = |vpa: &str, key: &str| {
        let request = VerifyVpaRequest {
            merchant_order_id: "INV2003".into(),
            merchant_identifier_key: key.to_string().into(),
            vpa: vpa.into(),
        };
        client.verify_upi_vpa().body(request).send()
    };
    let holder = verify("asha.verma@okbank", sandbox.access_key())
        .await
        .payload()
        .unwrap();
    assert_eq!(holder.name.as_deref(), Some("Asha Verma"));
    for bad in ["asha.verma", &format!("asha{INVALID_VPA_SUFFIX}")] {
        let refused = verify(bad, sandbox.access_key())
            .await
            .payload()
            .unwrap_err();
        assert_eq!(refused.response_code(), Some(codes::INVALID_VPA), "{bad}");
    }
    let wrong_key = verify("asha.verma@okbank", "AK_SOMEONE_ELSE")
        .await
        .payload()
        .unwrap_err();
    assert_eq!(
        (wrong_key.http_status(), wrong_key.response_code()),
        (Some(403), Some(codes::FORBIDDEN))
    );
    assert!(
        !wrong_key.to_string().contains("AK_SOMEONE_ELSE"),
        "{wrong_key}"
    );
    // Marked safe to repeat: a 503 is retried.
    sandbox.fail_next_calls("verify_upi_vpa", [CallFault::Status(503)]);
    assert!(verify("asha.verma@okbank", sandbox.access_key())
        .await
        .payload()
        .is_ok());
    assert_eq!(sandbox.attempts("verify_upi_vpa"), 6);
}

/// An order paid with the card that asks for an OTP; the waiting payment's id.
async fn otp_payment(
    client: &Client,
    merchant_id: &str,
    notify: Option<String>,
) -> (String, String) {
    let order_id = new_order(client, merchant_id, "999", notify).await;
    let payment = SubmitPaymentRequest {
        order_id: order_id.clone(),
        payment_detail: PaymentDetail::CreditCard {
            card_number: OTP_CARD.to_string().into(),
            cvv: "123".to_string().into(),
            expiry: "12/29".to_string().into(),
            card_holder_name: None,
        },
        split_settlement: None,
    };
    let pending = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(pending.status, Some(PaymentStatus::PendingWithBank));
    (order_id, pending.transaction_id.unwrap())
}

fn otp(id: &str, otp: &str) -> ValidateOtpRequest {
    ValidateOtpRequest {
        ek_pay_id: id.to_string(),
        otp: otp.to_string().into(),
        check_sum: None,
    }
}

#[tokio::test]
async fn the_sandbox_otp_completes_a_card_payment_and_a_wrong_one_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (notify_url, mut notifications) = webhook_receiver().await;
    let (order_id, id) = otp_payment(&client, "INV2004", Some(notify_url)).await;

    let wrong = client
        .validate_otp()
        .body(otp(&id, "000000"))
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(wrong.response_code(), Some(codes::WRONG_OTP));
    assert!(!wrong.to_string().contains("000000"), "{wrong}");
    assert_eq!(
        order_status(&client, &order_id).await,
        OrderStatus::PaymentConfirmationPending
    );

    let done = client
        .validate_otp()
        .body(otp(&id, SANDBOX_OTP))
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(done.txn_status.as_deref(), Some("SUCCESS"));
    assert_eq!(done.transaction_id.as_deref(), Some(id.as_str()));
    assert_eq!(done.amount, Some(Rupees::from_paise(99_900)));
    assert_eq!(order_status(&client, &order_id).await, OrderStatus::Paid);
    tokio::time::timeout(Duration::from_secs(5), notifications.recv())
        .await
        .expect("the notification arrives")
        .unwrap();

    // Accepted once: the payment no longer waits for an OTP.
    let again = client
        .validate_otp()
        .body(otp(&id, SANDBOX_OTP))
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(again.response_code(), Some(codes::NO_OTP_PENDING));
    // A payment that never asked for one.
    let upi = client
        .validate_otp()
        .body(otp("TXN_NOPE", SANDBOX_OTP))
        .send()
        .await;
    assert_eq!(upi.payload().unwrap_err().http_status(), Some(404));
}

#[tokio::test]
async fn resend_otp_answers_text_and_is_counted_and_limited_to_two() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (_, id) = otp_payment(&client, "INV2005", None).await;
    let resend = || client.resend_otp().enkash_transaction_id(&id).send();
    for count in 1..=2 {
        let text = resend().await.text_payload().await.unwrap();
        assert!(text.starts_with("OTP sent"), "{text}");
        assert_eq!(sandbox.otp_resends(&id), count);
    }
    let third = resend().await.text_payload().await.unwrap_err();
    assert_eq!(
        (third.http_status(), third.response_code()),
        (Some(422), Some(codes::OTP_RESEND_LIMIT))
    );
    assert_eq!(sandbox.otp_resends(&id), 2);

    // Resend OTP is a GET marked not safe to repeat: a 503 after it may have sent a message is
    // not retried, and the caller is told to ask the customer first.
    let (_, other) = otp_payment(&client, "INV2006", None).await;
    sandbox.fail_next_calls("resend_otp", [CallFault::ResetAfterProcessing]);
    let lost = client
        .resend_otp()
        .enkash_transaction_id(&other)
        .send()
        .await
        .text_payload()
        .await;
    let lost = lost.unwrap_err();
    assert_eq!(lost.kind(), CallErrorKind::ConnectionLost);
    assert!(lost.outcome_unknown());
    assert_eq!(lost.recovery(), Recovery::StartAfresh);
    assert_eq!(
        sandbox.attempts("resend_otp"),
        4,
        "sent once, never repeated"
    );
    assert_eq!(
        sandbox.otp_resends(&other),
        1,
        "the lost answer's resend was counted"
    );

    // The valid OTP still works after resends.
    let done = client
        .validate_otp()
        .body(otp(&id, SANDBOX_OTP))
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(done.txn_status.as_deref(), Some("SUCCESS"));
    let none = client
        .resend_otp()
        .enkash_transaction_id(&id)
        .send()
        .await
        .text_payload()
        .await;
    assert_eq!(
        none.unwrap_err().response_code(),
        Some(codes::NO_OTP_PENDING)
    );
}

/// EnKash documents Validate OTP's `amount` as a string; it is read exactly, like a number.
#[test]
fn an_otp_answer_with_a_string_amount_is_read_as_exact_rupees() {
    let from_string: OtpResponse = serde_json::from_str(r#"{"amount": "1499.50"}"#).unwrap();
    let from_number: OtpResponse = serde_json::from_str(r#"{"amount": 1499.5}"#).unwrap();
    assert_eq!(from_string.amount, Some(Rupees::from_paise(149_950)));
    assert_eq!(from_string.amount, from_number.amount);
    assert!(serde_json::from_str::<OtpResponse>(r#"{"amount": "14.999"}"#).is_err());
    assert!(serde_json::from_str::<OtpResponse>(r#"{"amount": "lots"}"#).is_err());
}

/// The OTP and the merchant's key in these requests are secrets: `Debug` never shows them.
#[test]
fn otp_and_merchant_key_stay_out_of_debug() {
    let request = otp("TXN_1", "482913");
    assert!(!format!("{request:?}").contains("482913"), "{request:?}");
    let verify = VerifyVpaRequest {
        merchant_order_id: "INV1".into(),
        merchant_identifier_key: "AK_SECRET_KEY_1".into(),
        vpa: "a@b".into(),
    };
    assert!(
        !format!("{verify:?}").contains("AK_SECRET_KEY_1"),
        "{verify:?}"
    );
}
