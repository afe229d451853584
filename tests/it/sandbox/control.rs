//! The control API over HTTP (`openapi/sandbox-control.yaml`), as a team in another language
//! uses it: a fault seen by a gateway call, a lost answer that lands when the clock moves, a
//! settlement and the counters. CI drives the standalone binary the same way with a generated
//! Python client (`.ci/clients/sandbox_control.py`).

use std::time::{Duration, Instant};

use enkash::types::{PaymentDetail, PaymentStatus, SubmitPaymentRequest};
use enkash::{CallErrorKind, Payload};
use enkash_sandbox::{Sandbox, PENDING_VPA_SUFFIX};
use serde_json::{json, Value};

use crate::common::merchant::client_for;

async fn control(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn upi(order_id: &str, vpa: &str) -> SubmitPaymentRequest {
    SubmitPaymentRequest {
        order_id: order_id.to_string(),
        payment_detail: PaymentDetail::Upi {
            vpa: vpa.parse().unwrap(),
            account_number: None,
            ifsc: None,
        },
        split_settlement: None,
    }
}

#[tokio::test]
async fn the_control_api_injects_faults_lands_lost_answers_and_settles_over_http() {
    use reqwest::Method;
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let http = reqwest::Client::new();
    let base = format!("{}/__sandbox", sandbox.base_url());

    // Every operation of the spec is served where the spec says.
    assert_eq!(Sandbox::control_endpoints().len(), 21);
    let (status, info) = control(&http, Method::GET, base.clone(), None).await;
    assert_eq!(
        (status, &info["accessKey"]),
        (200, &json!(sandbox.access_key()))
    );

    // A fault, seen by a gateway call.
    let fault = json!({"faults": [{"kind": "status", "status": 503}]});
    let (status, queued) = control(
        &http,
        Method::POST,
        format!("{base}/faults/get_order_status"),
        Some(fault),
    )
    .await;
    assert_eq!((status, &queued["pending"]), (200, &json!(1)));
    let answer = http
        .get(format!(
            "{}/api/v0/orders/{}",
            sandbox.base_url(),
            Sandbox::PAID_ORDER_ID
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(sandbox.pending_call_faults("get_order_status"), 0);
    // Bad input is a clear refusal, never a panic.
    let (status, _) = control(
        &http,
        Method::POST,
        format!("{base}/faults/no_such_operation"),
        Some(json!({"faults": [{"kind": "garbled"}]})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, refusal) = control(
        &http,
        Method::POST,
        format!("{base}/faults/submit_payment"),
        Some(json!({"faults": [{"kind": "status", "status": 200}]})),
    )
    .await;
    assert_eq!(status, 400, "{refusal}");

    // A payment taken with its answer lost lands when business time moves.
    let lost =
        json!({"faults": [{"kind": "takenAnswerLost", "landsAfterMilliseconds": 3_600_000}]});
    control(
        &http,
        Method::POST,
        format!("{base}/faults/submit_payment"),
        Some(lost),
    )
    .await;
    let error = client
        .submit_payment()
        .body(upi(Sandbox::CREATED_ORDER_ID, "asha@okbank"))
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::ConnectionLost, "{error}");
    let (_, order) = control(
        &http,
        Method::GET,
        format!("{base}/orders/{}", Sandbox::CREATED_ORDER_ID),
        None,
    )
    .await;
    assert!(
        order.get("transactions").is_none_or(|t| t == &json!([])),
        "{order}"
    );
    let (_, counters) = control(&http, Method::GET, format!("{base}/counters"), None).await;
    assert_eq!(counters["landingsPending"], json!(1));
    let (status, _) = control(
        &http,
        Method::POST,
        format!("{base}/clock/advance"),
        Some(json!({"seconds": 3600})),
    )
    .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    while sandbox.landings_pending() > 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "never landed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, order) = control(
        &http,
        Method::GET,
        format!("{base}/orders/{}", Sandbox::CREATED_ORDER_ID),
        None,
    )
    .await;
    assert_eq!(
        order["transactions"].as_array().map(Vec::len),
        Some(1),
        "{order}"
    );
    assert_eq!(order["status"], json!("PAID"));

    // A settlement, over HTTP, and the refusal of a second one.
    let order = client
        .create_order()
        .body(
            enkash::types::CreateOrderRequest::builder()
                .order_id("CTLSETTLE1")
                .amount(enkash::types::Amount {
                    value: "99.00".parse().unwrap(),
                    currency: enkash::types::Currency::Inr,
                }),
        )
        .send()
        .await
        .payload()
        .unwrap();
    let order_id = order.order_id.unwrap();
    let pending = client
        .submit_payment()
        .body(upi(&order_id, &format!("asha{PENDING_VPA_SUFFIX}")))
        .send()
        .await
        .payload()
        .unwrap();
    let id = pending.transaction_id.unwrap();
    let settle = |succeeded: bool| {
        control(
            &http,
            Method::POST,
            format!("{base}/transactions/{id}/settle"),
            Some(json!({"succeeded": succeeded})),
        )
    };
    let (status, settled) = settle(true).await;
    assert_eq!((status, &settled["status"]), (200, &json!("SUCCESS")));
    let status_now = client
        .get_transaction_status()
        .transaction_id(&id)
        .send()
        .await;
    assert_eq!(
        status_now.payload().unwrap().status,
        Some(PaymentStatus::Success)
    );
    assert_eq!(settle(false).await.0, 409);
    // No notifyUrl: nothing to redeliver, and it says so.
    let (status, _) = control(
        &http,
        Method::POST,
        format!("{base}/transactions/{id}/redeliver"),
        None,
    )
    .await;
    assert_eq!(status, 409);

    let (_, counters) = control(&http, Method::GET, format!("{base}/counters"), None).await;
    assert_eq!(counters["attempts"]["submit_payment"], json!(2));
    assert_eq!(counters["landingsPending"], json!(0));
}
