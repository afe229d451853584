//! What the client and the spec promise about mandates: the retry rules, the seeded mandate,
//! and every answer and callback against the spec.

use super::*;

#[tokio::test]
async fn a_debit_is_never_resent_once_it_may_have_arrived() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    f.notify(&mandate, rupees("499"), f.day_in(25))
        .await
        .unwrap();
    f.sandbox.advance_clock(25 * HOUR).unwrap();
    f.sandbox.fail_next_calls(
        "execute_upi_mandate_debit",
        [CallFault::ResetAfterProcessing],
    );
    let lost = f.execute(&mandate, rupees("499")).await.unwrap_err();
    assert!(lost.outcome_unknown(), "{lost}");
    assert_eq!(lost.recovery(), Recovery::LookUp);
    assert_eq!(f.sandbox.attempts("execute_upi_mandate_debit"), 1);
    // It did take effect: the debit callback arrives; a second try in the period is refused.
    let body = f.debit_callback().await;
    assert!(parse_mandate_debit_callback(&body).is_ok());
    refused_with(
        f.execute(&mandate, rupees("499")).await,
        codes::RECURRENCE_PERIOD_USED,
    );
}

#[tokio::test]
async fn lookups_revokes_and_updates_are_retried_creates_and_notices_are_not() {
    let mut f = Fixture::start().await;
    f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    f.sandbox
        .fail_next_calls("get_upi_mandate", [CallFault::Status(503)]);
    f.get("SUB1").await.unwrap();
    assert_eq!(f.sandbox.attempts("get_upi_mandate"), 2);

    f.sandbox
        .fail_next_calls("update_upi_mandate", [CallFault::Status(503)]);
    let update = UpdateUpiMandateRequest {
        reference_id: "SUB1".parse().unwrap(),
        amount: Some(rupees("599")),
        validity: None,
    };
    f.client
        .update_upi_mandate()
        .body(update)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(f.sandbox.attempts("update_upi_mandate"), 2);
    f.mandate_callback().await;

    f.sandbox
        .fail_next_calls("revoke_upi_mandate", [CallFault::ResetAfterProcessing]);
    let revoked = f.revoke("SUB1").await.unwrap();
    assert_eq!(revoked.status, Some(MandateStatus::Revoked));
    assert_eq!(f.sandbox.attempts("revoke_upi_mandate"), 2);

    let creates = f.sandbox.attempts("create_upi_mandate");
    f.sandbox
        .fail_next_calls("create_upi_mandate", [CallFault::Status(503)]);
    let lost = f
        .create(request(&f.sandbox, "SUB2", "asha@okbank"))
        .await
        .unwrap_err();
    assert_eq!(lost.recovery(), Recovery::LookUp);
    assert_eq!(f.sandbox.attempts("create_upi_mandate"), creates + 1);

    f.sandbox
        .fail_next_calls("notify_upi_mandate_debit", [CallFault::Status(503)]);
    let fake = UpiMandate {
        mandate_id: "MDT_X".into(),
        ..f.get("SUB1").await.unwrap()
    };
    let lost = f
        .notify(&fake, rupees("1"), f.day_in(25))
        .await
        .unwrap_err();
    assert_eq!(lost.recovery(), Recovery::ResendUnchanged);
    assert_eq!(f.sandbox.attempts("notify_upi_mandate_debit"), 1);
}

#[tokio::test]
async fn the_sandbox_holds_an_active_mandate_ready_for_debits() {
    let f = Fixture::start().await;
    let seeded = f.get(Sandbox::MANDATE_REFERENCE_ID).await.unwrap();
    assert_eq!(seeded.status, Some(MandateStatus::Active));
    assert_eq!(seeded.mandate_id, Sandbox::MANDATE_ID);
    assert_eq!(seeded.amount, Some(rupees("5000")));
    let paid = f
        .notice_then_debit(&seeded, rupees("4999.99"))
        .await
        .unwrap();
    assert_eq!(paid.amount, Some(rupees("4999.99")));
}

#[tokio::test]
async fn every_mandate_answer_and_callback_validates_against_the_spec() {
    let spec = common::spec();
    let mut f = Fixture::start().await;
    let http = reqwest::Client::new();
    let keys = json!({"accessKey": f.sandbox.access_key(), "secretKey": f.sandbox.secret_key()});
    let token: Value = http
        .post(format!("{}/api/v0/merchant/token", f.sandbox.base_url()))
        .json(&keys)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let base = f.sandbox.base_url();
    let access_key = f.sandbox.access_key().to_string();
    // Sends a raw request, checks the answer against the spec; returns status and body.
    let exchange = |method: reqwest::Method,
                    path: String,
                    template: &'static str,
                    body: Option<Value>| {
        let mut request = http
            .request(method.clone(), format!("{base}{path}"))
            .bearer_auth(&token)
            .header("merchantAccessKey", &access_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let spec = &spec;
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            let method = method.as_str().to_ascii_lowercase();
            let schema = common::response_schema(spec, template, &method, status);
            if let Err(problems) = common::validate(spec, &schema, &body) {
                panic!("{method} {template} -> {status} {body} contradicts the spec: {problems}");
            }
            (status, body)
        }
    };
    use reqwest::Method;
    const ROOT: &str = "/api/v0/upi-mandate";
    const GET: &str = "/api/v0/upi-mandate/{referenceId}";
    let now = f.sandbox.business_time();
    let create = json!({
        "referenceId": "RAW1", "amount": 499, "amountRule": "EXACT", "currency": "INR",
        "payer": {"name": "Asha", "vpa": "asha@okbank", "account": "123456789012", "accountValidation": false},
        "mandateName": "Plan", "expiry": (now + chrono::Duration::days(1)).to_rfc3339(), "blockFund": false,
        "recurrence": {"period": "MONTHLY", "rule": "ON", "value": 1},
        "validity": {"startAt": now.to_rfc3339(), "endAt": (now + chrono::Duration::days(90)).to_rfc3339()}
    });
    let (status, body) = exchange(Method::POST, ROOT.into(), ROOT, Some(create.clone())).await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("CREATED"))
    );
    let (status, body) = exchange(Method::POST, ROOT.into(), ROOT, Some(create)).await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (200, Some(codes::DUPLICATE_MANDATE.into()))
    );
    let (status, _) = exchange(
        Method::POST,
        ROOT.into(),
        ROOT,
        Some(json!({"referenceId": "X"})),
    )
    .await;
    assert_eq!(status, 400);

    let (status, body) = exchange(
        Method::GET,
        format!("{ROOT}/{}", Sandbox::MANDATE_REFERENCE_ID),
        GET,
        None,
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("ACTIVE"))
    );
    let (status, _) = exchange(Method::GET, format!("{ROOT}/NOPE"), GET, None).await;
    assert_eq!(status, 404);
    let update = json!({"referenceId": Sandbox::MANDATE_REFERENCE_ID, "amount": 6000});
    let (status, body) = exchange(Method::PATCH, ROOT.into(), ROOT, Some(update)).await;
    assert_eq!(
        (status, body["payload"]["amount"].as_f64()),
        (200, Some(6000.0))
    );
    f.mandate_callback().await;

    let notify = "/api/v0/upi-mandate/notify";
    let day = f.day_in(25).to_string();
    let notice = json!({"mandateId": Sandbox::MANDATE_ID, "amount": 499, "debitDate": day});
    let (status, body) = exchange(Method::POST, notify.into(), notify, Some(notice)).await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    // A mandate named in the body and unknown: a business refusal, not a 404.
    let unknown = json!({"mandateId": "MDT_NOPE", "amount": 499, "debitDate": day});
    let (status, body) = exchange(Method::POST, notify.into(), notify, Some(unknown)).await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (200, Some(codes::UNKNOWN_MANDATE.into()))
    );

    f.sandbox.advance_clock(25 * HOUR).unwrap();
    let execute = "/api/v0/upi-mandate/execute";
    let debit = json!({"mandateId": Sandbox::MANDATE_ID, "amount": 499, "remarks": "month 1"});
    let (status, body) = exchange(Method::POST, execute.into(), execute, Some(debit.clone())).await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("PAID"))
    );
    let (status, body) = exchange(Method::POST, execute.into(), execute, Some(debit)).await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (200, Some(codes::RECURRENCE_PERIOD_USED.into()))
    );

    let revoke = "/api/v0/upi-mandate/revoke";
    let which = json!({"reference_id": Sandbox::MANDATE_REFERENCE_ID});
    for _ in 0..2 {
        let (status, body) =
            exchange(Method::PATCH, revoke.into(), revoke, Some(which.clone())).await;
        assert_eq!(
            (status, body["payload"]["status"].as_str()),
            (200, Some("REVOKED"))
        );
    }

    // The callbacks' bodies are the spec's callback payloads.
    let callback_schema = |operation_path: &str, name: &str, url: &str| {
        spec["paths"][operation_path]["post"]["callbacks"][name][url]["post"]["requestBody"]
            ["content"]["application/json"]["schema"]
            .clone()
    };
    let debit_schema = callback_schema(
        execute,
        "mandateDebitCallback",
        "https://merchant.example.com/enkash/upi-mandate-debit",
    );
    let mandate_schema = callback_schema(
        ROOT,
        "upiMandateCallback",
        "https://merchant.example.com/enkash/upi-mandate",
    );
    assert!(!debit_schema.is_null() && !mandate_schema.is_null());
    let debit_body: Value = serde_json::from_slice(&f.debit_callback().await).unwrap();
    common::validate(&spec, &debit_schema, &debit_body).unwrap();
    // RAW1 lapsed unapproved when the clock moved (EXPIRED), then the seeded one was revoked.
    for expected in ["EXPIRED", "REVOKED"] {
        let body = tokio::time::timeout(Duration::from_secs(5), f.mandates.recv())
            .await
            .unwrap()
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        common::validate(&spec, &mandate_schema, &body).unwrap();
        assert_eq!(body["status"], json!(expected));
    }
}
