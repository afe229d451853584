//! Create UPI QR, Create Customer, and Create / Deactivate Split Account against the sandbox,
//! over real HTTP on 127.0.0.1, with the rules each follows; and every answer of the operations
//! added from the portal's list checked against the spec.

use crate::common;
use crate::common::merchant::client_for;

use chrono::{Duration as Days, Utc};
use enkash::types::{
    CustomerCreate, PaymentDetail, PercentageSplitShare, QrCodeCancel, QrCodeCreate, QrCodeStatus,
    SplitAccountCreate, SplitSettlement, SubmitPaymentRequest,
};
use enkash::{Payload, Rupees};
use enkash_sandbox::{codes, QrPaymentError, Sandbox};
use serde_json::{json, Value};

fn rupees(text: &str) -> Rupees {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_created_qr_code_is_active_and_keeps_its_use_amount_expiry_and_cancel_rules() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let create = |request: QrCodeCreate| client.create_upi_qr().body(request).send();

    // Single use, fixed amount.
    let single = QrCodeCreate {
        qr_name: Some("Table 4".into()),
        multiple_use: Some(false),
        fixed_amount: Some(true),
        amount: Some(rupees("250")),
        reference_number: Some("REF-1".into()),
        ..Default::default()
    };
    let code = create(single).await.payload().unwrap();
    assert_eq!(code.status, Some(QrCodeStatus::Active));
    assert_eq!(
        (code.multiple_use, code.fixed_amount),
        (Some(false), Some(true))
    );
    let id = code.qr_code_id.unwrap();
    let fetched = client
        .get_upi_qr()
        .qr_code_id(&id)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(fetched.reference_number.as_deref(), Some("REF-1"));
    assert!(matches!(
        sandbox.pay_upi_qr(&id, rupees("249.99")),
        Err(QrPaymentError::WrongAmount { .. })
    ));
    assert_eq!(sandbox.pay_upi_qr(&id, rupees("250")), Ok(1));
    assert_eq!(
        sandbox.pay_upi_qr(&id, rupees("250")),
        Err(QrPaymentError::AlreadyUsed(id.clone()))
    );

    // Multiple use, any amount, until cancelled; cancelled is final.
    let counter = QrCodeCreate {
        multiple_use: Some(true),
        ..Default::default()
    };
    let counter = create(counter).await.payload().unwrap().qr_code_id.unwrap();
    assert_eq!(sandbox.pay_upi_qr(&counter, rupees("10")), Ok(1));
    assert_eq!(sandbox.pay_upi_qr(&counter, rupees("99.50")), Ok(2));
    let cancelled = client
        .cancel_upi_qr()
        .qr_code_id(&counter)
        .body(QrCodeCancel::default())
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(cancelled.status, Some(QrCodeStatus::Cancelled));
    assert_eq!(
        sandbox.pay_upi_qr(&counter, rupees("10")),
        Err(QrPaymentError::Cancelled(counter.clone()))
    );
    let still = client
        .get_upi_qr()
        .qr_code_id(&counter)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(still.status, Some(QrCodeStatus::Cancelled));

    // Expiry: a code past it takes nothing, and stays ACTIVE (no EXPIRED is documented).
    let past = QrCodeCreate {
        multiple_use: Some(true),
        expiry: Some(Utc::now() - Days::minutes(1)),
        ..Default::default()
    };
    let past = create(past).await.payload().unwrap();
    assert_eq!(past.status, Some(QrCodeStatus::Active));
    let past = past.qr_code_id.unwrap();
    assert_eq!(
        sandbox.pay_upi_qr(&past, rupees("10")),
        Err(QrPaymentError::Expired(past.clone()))
    );
    let future = QrCodeCreate {
        expiry: Some(Utc::now() + Days::days(1)),
        ..Default::default()
    };
    let future = create(future).await.payload().unwrap().qr_code_id.unwrap();
    assert_eq!(sandbox.pay_upi_qr(&future, rupees("10")), Ok(1));

    // A fixed-amount code needs its amount.
    let no_amount = QrCodeCreate {
        fixed_amount: Some(true),
        ..Default::default()
    };
    let refused = create(no_amount).await.payload().unwrap_err();
    assert_eq!(refused.response_code(), Some(codes::QR_AMOUNT_REQUIRED));
    assert!(matches!(
        sandbox.pay_upi_qr("QR_NOPE", rupees("1")),
        Err(QrPaymentError::UnknownCode(_))
    ));
}

#[tokio::test]
async fn a_qr_code_names_a_customer_made_with_create_customer_and_no_other() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let customer = CustomerCreate {
        account_number: Some("123456789012".into()),
        address: Some("12 MG Road, Bengaluru 560001".into()),
        company_id: Some("COMP_1001".into()),
    };
    let customer = client
        .create_customer()
        .body(customer)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(customer.company_id.as_deref(), Some("COMP_1001"));
    let customer_id = customer.customer_id.unwrap();

    let for_customer = |id: &str| QrCodeCreate {
        customer_id: Some(id.to_string()),
        ..Default::default()
    };
    let code = client
        .create_upi_qr()
        .body(for_customer(&customer_id))
        .send()
        .await;
    assert_eq!(
        code.payload().unwrap().customer_id.as_deref(),
        Some(customer_id.as_str())
    );
    let unknown = client
        .create_upi_qr()
        .body(for_customer("CUST_NOPE"))
        .send()
        .await;
    assert_eq!(
        unknown.payload().unwrap_err().response_code(),
        Some(codes::UNKNOWN_CUSTOMER)
    );

    // The body is closed: a field EnKash's truncated example does not show is refused.
    let raw = reqwest::Client::new();
    let token = client.access_token().await.unwrap();
    let answer = raw
        .post(format!("{}/api/v0/customer", sandbox.base_url()))
        .header("authorization", format!("Bearer {}", token.as_str()))
        .header("merchantAccessKey", sandbox.access_key())
        .json(&json!({"companyId": "C1", "customerName": "Asha"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

fn split_to(account: &str) -> SubmitPaymentRequest {
    SubmitPaymentRequest {
        order_id: String::new(),
        payment_detail: PaymentDetail::NetBanking {
            bank_code: "HDFC".into(),
        },
        split_settlement: Some(SplitSettlement::Percentage(vec![PercentageSplitShare {
            split_account_id: account.to_string(),
            label: None,
            value: "50".parse().unwrap(),
        }])),
    }
}

#[tokio::test]
async fn a_created_split_account_is_active_until_deactivated_and_then_refuses_payments() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let account = SplitAccountCreate {
        name: Some("Vendor Textiles LLP".into()),
        ifsc: Some("HDFC0001234".parse().unwrap()),
        ..Default::default()
    };
    let created = client
        .create_split_account()
        .body(account)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(created["active"], true);
    assert_eq!(created["name"], "Vendor Textiles LLP");
    assert!(created.get("accessKey").is_none(), "no key in the answer");
    let id = created["splitAccountDetailId"]
        .as_str()
        .unwrap()
        .to_string();

    let pay = |merchant_id: &'static str| {
        let client = client.clone();
        let id = id.clone();
        async move {
            let request: enkash::types::CreateOrderRequest =
                enkash::types::CreateOrderRequest::builder()
                    .order_id(merchant_id)
                    .amount(enkash::types::Amount {
                        value: rupees("1000"),
                        currency: enkash::types::Currency::Inr,
                    })
                    .try_into()
                    .unwrap();
            let order = client
                .create_order()
                .body(request)
                .send()
                .await
                .payload()
                .unwrap();
            let mut payment = split_to(&id);
            payment.order_id = order.order_id.unwrap();
            client.submit_payment().body(payment).send().await.payload()
        }
    };
    assert!(pay("INV3001").await.is_ok(), "a new account takes splits");

    let deactivate = || {
        client
            .deactivate_split_account()
            .split_account_detail_id(&id)
            .send()
    };
    let inactive = deactivate().await.payload().unwrap();
    assert_eq!(inactive["active"], false);
    // Marked safe to repeat: deactivating again changes nothing.
    assert_eq!(deactivate().await.payload().unwrap()["active"], false);
    let refused = pay("INV3002").await.unwrap_err();
    assert_eq!(refused.response_code(), Some(codes::UNKNOWN_SPLIT_ACCOUNT));

    let active = client
        .activate_split_account()
        .split_account_detail_id(&id)
        .send()
        .await;
    assert_eq!(active.payload().unwrap()["active"], true);
    assert!(pay("INV3003").await.is_ok(), "active again");

    let missing = client
        .deactivate_split_account()
        .split_account_detail_id("SAD_NOPE")
        .send()
        .await;
    assert_eq!(missing.payload().unwrap_err().http_status(), Some(404));
}

/// Every answer the sandbox gives to the new operations, success and refusal, validates
/// against the spec's schema for it.
#[tokio::test]
async fn every_answer_of_the_new_operations_validates_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let token = client.access_token().await.unwrap();
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{}{path}", sandbox.base_url()))
            .header("authorization", format!("Bearer {}", token.as_str()))
            .header("merchantAccessKey", sandbox.access_key())
    };
    let check = |template: &'static str, method: &'static str| {
        let spec = spec.clone();
        move |response: reqwest::Response| async move {
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            let schema = common::response_schema(&spec, template, method, status);
            assert!(
                !schema.is_null(),
                "no schema for {method} {template} {status}"
            );
            if let Err(problem) = common::validate(&spec, &schema, &body) {
                panic!("{method} {template} -> {status} {body} contradicts the spec: {problem}");
            }
            (status, body)
        }
    };
    use reqwest::Method;

    let qr = "/pay/checkout/qrcode/{orderId}";
    let (status, body) = check(qr, "get")(
        call(
            Method::GET,
            &format!("/pay/checkout/qrcode/{}", Sandbox::CREATED_ORDER_ID),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let id = body["payload"]["ekPayId"].as_str().unwrap().to_string();
    let (status, _) = check(qr, "get")(
        call(Method::GET, "/pay/checkout/qrcode/ORD_NOPE")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = check(qr, "get")(
        call(
            Method::GET,
            &format!("/pay/checkout/qrcode/{}", Sandbox::PAID_ORDER_ID),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "a business refusal rides in a 200 envelope");

    let links = "/pay/checkout/upi-detail/{transactionId}";
    let (status, _) = check(links, "get")(
        call(Method::GET, &format!("/pay/checkout/upi-detail/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let upi = "/pay/checkout/status/upi/{transactionId}";
    let (_, body) = check(upi, "get")(
        call(Method::GET, &format!("/pay/checkout/status/upi/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["payload"]["status"], "PROCESS");
    sandbox.pay_upi_checkout(&id, "asha@okbank").unwrap();
    let (_, body) = check(upi, "get")(
        call(Method::GET, &format!("/pay/checkout/status/upi/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["payload"]["status"], "SUCCESS");

    let vpa = "/pay/charge/verify-vpa";
    for (address, code) in [("asha@okbank", 0), ("asha", codes::INVALID_VPA)] {
        let request = json!({"merchantOrderId": "INV1", "merchantIdentifierKey": sandbox.access_key(), "vpa": address});
        let (_, body) =
            check(vpa, "post")(call(Method::POST, vpa).json(&request).send().await.unwrap()).await;
        assert_eq!(body["response_code"], code);
    }
    let (status, _) = check(vpa, "post")(
        call(Method::POST, vpa)
            .json(&json!({"vpa": "a@b"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);

    let validate = "/pay/otp/validate";
    let (status, _) = check(validate, "post")(
        call(Method::POST, validate)
            .json(&json!({"ekPayId": id, "otp": "123456"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let resend = call(Method::GET, &format!("/pay/resend/otp/{id}"))
        .send()
        .await
        .unwrap();
    let (status, body) = check("/pay/resend/otp/{enkashTransactionId}", "get")(resend).await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (422, Some(codes::NO_OTP_PENDING.into()))
    );

    let create_qr = "/api/v0/qr-code";
    let (_, body) = check(create_qr, "post")(
        call(Method::POST, create_qr)
            .json(&json!({"fixedAmount": true, "amount": 250, "expiry": "2030-01-01T00:00:00Z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["payload"]["status"], "ACTIVE");
    let (status, _) = check(create_qr, "post")(
        call(Method::POST, create_qr)
            .json(&json!({"amount": 2.505}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "sub-paise amounts break the spec");
    let customer = "/api/v0/customer";
    let (_, body) = check(customer, "post")(
        call(Method::POST, customer)
            .json(&json!({"companyId": "C1"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body["payload"]["customerId"].is_string());

    let split = "/api/v0/split-account";
    let (_, body) = check(split, "post")(
        call(Method::POST, split)
            .json(&json!({"name": "V", "settlementCycle": "T0"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let account = body["payload"]["splitAccountDetailId"]
        .as_str()
        .unwrap()
        .to_string();
    let deactivate = "/api/v0/split-account/deactivate";
    let (status, body) = check(deactivate, "patch")(
        call(
            Method::PATCH,
            &format!("{deactivate}?splitAccountDetailId={account}"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["payload"]["active"].as_bool()),
        (200, Some(false))
    );
    let (status, _) =
        check(deactivate, "patch")(call(Method::PATCH, deactivate).send().await.unwrap()).await;
    assert_eq!(status, 400, "splitAccountDetailId is required");
}
