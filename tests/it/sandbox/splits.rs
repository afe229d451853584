//! Split settlement's responses against the spec, and refusals that name a field without quoting a
//! value.

use super::*;

#[tokio::test]
async fn split_responses_validate_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let authed = Authed::new(&sandbox).await;
    let call = |method, path: String| authed.call(method, &path);
    use reqwest::Method;

    const ACCOUNT: &str = "/api/v0/split-account";
    let update = json!({"accessKey": Sandbox::SPLIT_ACCESS_KEY, "email": "v@example.com"});
    let (status, body, _) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&update),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["email"].as_str()),
        (200, Some("v@example.com"))
    );
    let unknown = json!({"accessKey": "AK_NOBODY"});
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&unknown),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(status, 404);
    let bad_ifsc = json!({"accessKey": Sandbox::SPLIT_ACCESS_KEY, "ifsc": "hdfc"});
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&bad_ifsc),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(status, 400);

    const ACTIVATE: &str = "/api/v0/split-account/activate";
    let (status, body, _) = exchange(
        &spec,
        call(
            Method::PATCH,
            format!("{ACTIVATE}?splitAccountDetailId=SAD_SANDBOX_INACTIVE"),
        ),
        ACTIVATE,
        "patch",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["active"].as_bool()),
        (200, Some(true))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACTIVATE.into()),
        ACTIVATE,
        "patch",
    )
    .await;
    assert_eq!(status, 400);

    const SPLIT: &str = "/api/v0/split-transaction/{transactionId}";
    let order: Value = call(
        Method::GET,
        format!("/api/v0/orders/{}", Sandbox::PAID_ORDER_ID),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let transaction_id = order["payload"]["transactions"][0]["transactionId"]
        .as_str()
        .unwrap();
    let path = format!("/api/v0/split-transaction/{transaction_id}");
    let flat = |value: f64| json!({"splitSettlement": {"amountSplitType": "FLAT", "splitSettlementDetails": [{"splitAccountId": Sandbox::SPLIT_ACCOUNT_ID, "value": value}]}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, path.clone()).json(&flat(100.0)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)));
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, path.clone()).json(&flat(1499.51)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(body["code"], codes::SPLIT_EXCEEDS_PAYMENT);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, path).json(&json!({"splitSettlement": {}})),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(status, 400);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, "/api/v0/split-transaction/TXN_NONE".into()).json(&flat(1.0)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_refused_body_is_described_without_quoting_its_values() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}{TOKEN}", sandbox.base_url());
    // A secret sent with the wrong type must not come back in the error.
    let body = json!({"accessKey": sandbox.access_key(), "secretKey": 987654321987_u64});
    let answer: Value = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = answer["response_message"].as_str().unwrap();
    assert!(message.contains("`secretKey`"), "{message}");
    assert!(!message.contains("987654321987"), "{message}");
}
