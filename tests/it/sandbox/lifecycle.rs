//! The order, payment and refund lifecycle's responses against the spec.

use super::*;

#[tokio::test]
async fn lifecycle_responses_validate_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let authed = Authed::new(&sandbox).await;
    let call = |method, path: String| authed.call(method, &path);
    use reqwest::Method;

    // Orders.
    let order = json!({"orderId": "INV9", "amount": {"value": 100.0, "currency": "INR"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&order),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("CREATED"))
    );
    let order_id = body["payload"]["orderId"].as_str().unwrap().to_string();
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&order),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (200, Some(codes::DUPLICATE_ORDER.into())),
        "duplicate merchant order id"
    );
    // A misspelt field is refused, not silently dropped (request schemas are closed).
    let typo =
        json!({"orderId": "INV11", "amount": {"value": 1.0, "currency": "INR"}, "notifyURL": "x"});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&typo),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(status, 400);
    let message = body["response_message"].as_str().unwrap();
    assert!(message.contains("unknown field(s) notifyURL"), "{message}");
    // Money is never rounded: a sub-paise or absurd amount is refused, naming field and reason.
    for (value, reason) in [
        (json!(10.005), "more than 2 decimals"),
        (json!(1e14), "`maximum`"),
    ] {
        let sub_paise = json!({"orderId": "INV12", "amount": {"value": value, "currency": "INR"}});
        let (status, body, _) = exchange(
            &spec,
            call(Method::POST, "/api/v0/orders".into()).json(&sub_paise),
            "/api/v0/orders",
            "post",
        )
        .await;
        let message = body["response_message"].as_str().unwrap();
        assert_eq!(status, 400, "{message}");
        assert!(
            message.contains("`amount.value`") && message.contains(reason),
            "{message}"
        );
    }
    let bad = json!({"orderId": "INV10", "amount": {"value": 100.0, "currency": "USD"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&bad),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["response_message"]
            .as_str()
            .unwrap()
            .contains("amount.currency"),
        "{body}"
    );

    // Payments.
    const SUBMIT: &str = "/api/v0/payment/submit";
    let pay = json!({"orderId": order_id, "paymentDetail": {"paymentMode": "CREDIT_CARD", "cardNumber": "4111111111111111", "cvv": "123", "expiry": "12/29"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    let transaction_id = body["payload"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        body["response_code"],
        codes::ORDER_NOT_PAYABLE,
        "a paid order cannot be paid again"
    );
    let (status, ..) = exchange(&spec, call(Method::POST, SUBMIT.into()).json(&json!({"orderId": "NOPE", "paymentDetail": {"paymentMode": "WALLET", "bankCode": "PAYTM"}})), SUBMIT, "post").await;
    assert_eq!(status, 404);
    const TXN: &str = "/api/v0/payment/{transactionId}";
    let (status, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/payment/{transaction_id}")),
        TXN,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["paymentMode"].as_str()),
        (200, Some("CREDIT_CARD"))
    );

    // A payment left with the bank, and its order, keep to the spec too.
    let waiting = json!({"orderId": "INV13", "amount": {"value": 75.0, "currency": "INR"}});
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&waiting),
        "/api/v0/orders",
        "post",
    )
    .await;
    let waiting_order = body["payload"]["orderId"].as_str().unwrap().to_string();
    let vpa = format!("asha{}", enkash_sandbox::PENDING_VPA_SUFFIX);
    let pay_later =
        json!({"orderId": waiting_order, "paymentDetail": {"paymentMode": "UPI", "vpa": vpa}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay_later),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("PENDING_WITH_BANK"))
    );
    let pending_id = body["payload"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/payment/{pending_id}")),
        TXN,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PENDING_WITH_BANK");
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/orders/{waiting_order}")),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PAYMENT_CONFIRMATION_PENDING");
    sandbox.settle_transaction(&pending_id, true).unwrap();
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/orders/{waiting_order}")),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PAID");
    assert_eq!(body["payload"]["transactions"][0]["status"], "SUCCESS");

    // Refunds.
    const REFUND: &str = "/api/v0/payment/{transactionId}/refund";
    let refund_path = format!("/api/v0/payment/{transaction_id}/refund");
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, refund_path.clone()).json(&json!({"amount": 40.0, "requestId": "R1"})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("CREATED"))
    );
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, refund_path.clone()).json(&json!({"amount": 60.01, "requestId": "R2"})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(body["response_code"], codes::REFUND_EXCEEDS_PAYMENT);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, refund_path).json(&json!({"amount": 1.0})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(status, 400, "requestId is required");

    // Settlements.
    const PAYOUT: &str = "/api/v0/settlement-payout/{settlementPayoutId}";
    let (status, body, _) = exchange(
        &spec,
        call(
            Method::GET,
            "/api/v0/settlement-payout/SP_SANDBOX_0002".into(),
        ),
        PAYOUT,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["payoutStatus"].as_str()),
        (200, Some("INIT"))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::GET, "/api/v0/settlement-payout/SP_NONE".into()),
        PAYOUT,
        "get",
    )
    .await;
    assert_eq!(status, 404);
    const SEARCH: &str = "/api/v0/settlement-payout/search";
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, format!("{SEARCH}?offset=1&limit=5")).json(&json!({})),
        SEARCH,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, format!("{SEARCH}?limit=5001")).json(&json!({})),
        SEARCH,
        "post",
    )
    .await;
    assert_eq!(status, 400);

    for operation in [
        "create_order",
        "submit_payment",
        "get_transaction_status",
        "refund_transaction",
        "get_settlement_payout",
        "search_settlement_payouts",
    ] {
        assert!(
            sandbox.authenticated_requests(operation) > 0,
            "{operation} was not exercised"
        );
    }
}
