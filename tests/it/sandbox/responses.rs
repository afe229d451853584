//! Every response the sandbox sends against the spec, its token endpoint, its clock skew and
//! revocations, and its shutdown.

use super::*;

#[tokio::test]
async fn every_response_validates_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", sandbox.base_url());
    let keys = json!({"accessKey": sandbox.access_key(), "secretKey": sandbox.secret_key()});
    let token_call = |body: &Value| {
        http.post(url(TOKEN))
            .header("api-version", "0.1.0")
            .json(body)
    };

    // Issued, with a Date header and an expiry an hour after it.
    let (status, body, headers) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!((status, body["resultCode"].as_i64()), (200, Some(0)));
    let date = httpdate::parse_http_date(headers["date"].to_str().unwrap()).unwrap();
    let date_ms = date
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(body["expiry"].as_i64().unwrap() - date_ms, 3_600_000);
    let token = body["token"].as_str().unwrap().to_string();

    // Unknown credentials: HTTP 200, a rejection code, no token.
    let wrong = json!({"accessKey": sandbox.access_key(), "secretKey": "wrong"});
    let (status, body, _) = exchange(&spec, token_call(&wrong), TOKEN, "post").await;
    assert_eq!(
        (status, body["resultCode"].as_i64()),
        (200, Some(codes::INVALID_CREDENTIALS.into()))
    );
    assert!(body.get("token").is_none());

    // An invalid body: 400, naming the field.
    let missing = json!({"accessKey": sandbox.access_key()});
    let (status, body, _) = exchange(&spec, token_call(&missing), TOKEN, "post").await;
    assert_eq!(status, 400);
    assert!(
        body["response_message"]
            .as_str()
            .unwrap()
            .contains("secretKey"),
        "{body}"
    );

    // Injected faults that still answer JSON.
    sandbox.fail_next_token_requests([
        TokenFault::Status(503),
        TokenFault::Reject {
            code: 403,
            message: "Merchant disabled".into(),
        },
        TokenFault::ExpiryOffsetMs(-1000),
    ]);
    let (status, ..) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!(status, 503);
    let (_, body, _) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!(body["resultCode"], 403);
    let (_, expired, _) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    let expired = expired["token"].as_str().unwrap().to_string();

    // Orders: found, unknown, and every kind of 401.
    let order_call = |id: &str, auth: Option<&str>, key: Option<&str>| {
        let mut request = http.get(url(&format!("/api/v0/orders/{id}")));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        if let Some(key) = key {
            request = request.header("merchantAccessKey", key);
        }
        request
    };
    let bearer = format!("Bearer {token}");
    let good = Some(sandbox.access_key());
    let (status, body, _) = exchange(
        &spec,
        order_call(Sandbox::PAID_ORDER_ID, Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("PAID"))
    );
    let (status, ..) = exchange(
        &spec,
        order_call("ORD_NOPE", Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(status, 404);
    let expired_bearer = format!("Bearer {expired}");
    for (auth, key, why) in [
        (None, good, "Authorization header missing"),
        (
            Some(bearer.as_str()),
            None,
            "merchantAccessKey header missing",
        ),
        (
            Some(bearer.as_str()),
            Some("AK_OTHER"),
            "Unknown merchantAccessKey",
        ),
        (Some("Bearer sbx.forged"), good, "Token is invalid."),
        (Some(token.as_str()), good, "Token is invalid."),
        (Some(expired_bearer.as_str()), good, "Token has expired."),
    ] {
        let (status, body, _) = exchange(
            &spec,
            order_call(Sandbox::PAID_ORDER_ID, auth, key),
            ORDER,
            "get",
        )
        .await;
        assert_eq!((status, body["payload"].as_str()), (401, Some(why)));
    }
    sandbox.revoke_all_tokens();
    let (status, ..) = exchange(
        &spec,
        order_call(Sandbox::PAID_ORDER_ID, Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(status, 401);

    assert_eq!(sandbox.token_requests(), 6);
    assert_eq!(sandbox.authenticated_requests("get_order_status"), 2);
    assert_eq!(sandbox.unauthorized_responses(), 7);
}

#[tokio::test]
async fn a_malformed_token_response_is_not_json() {
    // The one deliberate breach of the contract: it stands for a broken gateway or proxy.
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_next_token_requests([TokenFault::Malformed]);
    let client = enkash::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .unwrap();
    let error = client.access_token().await.unwrap_err();
    assert!(
        error.is_transient() && error.to_string().contains("not the documented JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn the_client_works_against_a_skewed_sandbox_and_absorbs_a_revocation() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    sandbox.skew_clock(-7200);
    let client = enkash::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .unwrap();
    let token = client.access_token().await.unwrap();
    assert!(token.lifetime() > Duration::from_secs(598), "{token:?}");
    let order = client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(
        order.payload.as_ref().unwrap().order_id.as_deref(),
        Some(Sandbox::PAID_ORDER_ID)
    );
    sandbox.revoke_all_tokens();
    client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox.unauthorized_responses(), 1);
    assert_eq!(sandbox.token_requests(), 2);
    assert_eq!(sandbox.authenticated_requests("get_order_status"), 2);
}

#[tokio::test]
async fn dropping_the_sandbox_stops_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}/api/v0/orders/x", sandbox.base_url());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(
        http.get(&url).send().await.is_ok(),
        "it answers while alive"
    );
    drop(sandbox);
    // Shutdown is asynchronous: allow it a few seconds on a loaded machine.
    for _ in 0..100 {
        if http.get(&url).send().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the port still answers 5 s after the sandbox was dropped");
}
