//! The operations around the rules: updates, the contract check, loopback callbacks, the
//! business clock and its control endpoints.

use super::*;

#[tokio::test]
async fn update_changes_amount_and_end_only_while_active() {
    let mut f = Fixture::start().await;
    f.create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    let update = |amount: Option<&str>, end: Option<DateTime<Utc>>| UpdateUpiMandateRequest {
        reference_id: "SUB1".parse().unwrap(),
        amount: amount.map(rupees),
        validity: end.map(|end_at| MandateValidityEnd { end_at }),
    };
    refused_with(
        f.client
            .update_upi_mandate()
            .body(update(Some("599"), None))
            .send()
            .await
            .payload(),
        codes::MANDATE_NOT_ACTIVE,
    );
    f.sandbox.approve_mandate("SUB1").unwrap();
    f.mandate_callback().await;
    let end = f.sandbox.business_time() + chrono::Duration::days(730);
    let updated = f
        .client
        .update_upi_mandate()
        .body(update(Some("599"), Some(end)))
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(updated.amount, Some(rupees("599")));
    assert_eq!(updated.validity.unwrap().end_at, Some(end.timestamp()));
    assert_eq!(f.mandate_callback().await.amount, Some(rupees("599")));
    // Neither field: nothing to update; an end already past; an unknown mandate.
    refused_with(
        f.client
            .update_upi_mandate()
            .body(update(None, None))
            .send()
            .await
            .payload(),
        codes::INVALID_MANDATE_TERMS,
    );
    let past = f.sandbox.business_time() - chrono::Duration::hours(1);
    refused_with(
        f.client
            .update_upi_mandate()
            .body(update(None, Some(past)))
            .send()
            .await
            .payload(),
        codes::INVALID_MANDATE_TERMS,
    );
    let mut unknown = update(Some("1"), None);
    unknown.reference_id = "NO_SUCH".parse().unwrap();
    refused_with(
        f.client
            .update_upi_mandate()
            .body(unknown)
            .send()
            .await
            .payload(),
        codes::UNKNOWN_MANDATE,
    );
    refused_with(f.revoke("NO_SUCH").await, codes::UNKNOWN_MANDATE);
}

#[tokio::test]
async fn a_reference_id_is_used_once_and_terms_the_spec_cannot_state_are_refused() {
    let f = Fixture::start().await;
    f.create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    refused_with(
        f.create(request(&f.sandbox, "SUB1", "other@okbank")).await,
        codes::DUPLICATE_MANDATE,
    );
    let mut odd = request(&f.sandbox, "SUB2", "asha@okbank");
    odd.recurrence.period = MandateRecurrencePeriod::Unknown("LUNAR".into());
    refused_with(f.create(odd).await, codes::INVALID_MANDATE_TERMS);
    let mut backwards = request(&f.sandbox, "SUB3", "asha@okbank");
    backwards.validity.end_at = backwards.validity.start_at;
    refused_with(f.create(backwards).await, codes::INVALID_MANDATE_TERMS);
    // Blocking funds is for ONETIME mandates only.
    let mut blocking = request(&f.sandbox, "SUB4", "asha@okbank");
    blocking.block_fund = true;
    refused_with(f.create(blocking).await, codes::INVALID_MANDATE_TERMS);
}

#[tokio::test]
async fn the_contract_check_refuses_bodies_the_spec_does_not_allow() {
    let f = Fixture::start().await;
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/api/v0/merchant/token", f.sandbox.base_url()))
        .json(&json!({"accessKey": f.sandbox.access_key(), "secretKey": f.sandbox.secret_key()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        http.post(format!("{}{path}", f.sandbox.base_url()))
            .bearer_auth(&token)
            .header("merchantAccessKey", f.sandbox.access_key())
            .json(&body)
            .send()
    };
    // A stray third decimal in a pre-debit amount; a debit without remarks.
    let answer = post(
        "/api/v0/upi-mandate/notify",
        json!({"mandateId": "MDT_1", "amount": 10.005, "debitDate": "2026-12-01"}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(body["response_message"]
        .as_str()
        .unwrap()
        .contains("amount"));
    let answer = post(
        "/api/v0/upi-mandate/execute",
        json!({"mandateId": "MDT_1", "amount": 10}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(body["response_message"]
        .as_str()
        .unwrap()
        .contains("remarks"));
}

#[tokio::test]
async fn callbacks_go_only_to_loopback_urls() {
    let f = Fixture::start().await;
    f.sandbox
        .set_mandate_callback_url("http://callbacks.example.com/enkash");
    f.create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    f.sandbox.approve_mandate("SUB1").unwrap();
    assert_eq!(f.sandbox.mandate_callbacks_sent(), 0);
}

#[tokio::test]
async fn the_clock_moves_business_time_but_not_tokens() {
    let f = Fixture::start().await;
    f.get("NONE").await.unwrap_err();
    let before = f.sandbox.business_time();
    let after = f.sandbox.advance_clock(40 * DAY).unwrap();
    assert!(after - before >= chrono::Duration::days(40));
    assert!(after - before < chrono::Duration::days(40) + chrono::Duration::minutes(1));
    // The token obtained before still works: no 401, no second token.
    let missing = f.get("NONE").await.unwrap_err();
    assert_eq!(missing.http_status(), Some(404));
    assert_eq!(f.sandbox.token_requests(), 1);
    assert_eq!(f.sandbox.unauthorized_responses(), 0);
    // Too far is an error, and moves nothing.
    assert!(f.sandbox.advance_clock(Duration::MAX).is_err());
    assert!(f.sandbox.business_time() - after < chrono::Duration::minutes(1));
}

#[tokio::test]
async fn the_control_endpoints_move_the_clock_and_play_the_payer_over_http() {
    let mut f = Fixture::start().await;
    let http = reqwest::Client::new();
    let base = f.sandbox.base_url();
    let clock: Value = http
        .get(format!("{base}/__sandbox/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["aheadBySeconds"], json!(0));
    let moved = http
        .post(format!("{base}/__sandbox/clock/advance"))
        .json(&json!({"seconds": 90_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["aheadBySeconds"], json!(90_000));
    let bad = http
        .post(format!("{base}/__sandbox/clock/advance"))
        .json(&json!({"seconds": -5}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    f.create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    let approved = http
        .post(format!("{base}/__sandbox/mandates/SUB1/approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!(approved["status"], json!("ACTIVE"));
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Active)
    );
    let unknown = http
        .post(format!("{base}/__sandbox/mandates/NO_SUCH/approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let paused = http
        .post(format!("{base}/__sandbox/mandates/SUB1/pause"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), 200);
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Paused)
    );

    // The callback URLs, too; then a callback goes to the new one.
    let (sender, mut received) = mpsc::unbounded_channel::<Bytes>();
    let app = axum::Router::new().route(
        "/other",
        post(move |body: Bytes| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(body);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}/other", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let set = http
        .put(format!("{base}/__sandbox/mandate-callbacks"))
        .json(&json!({"mandateUrl": other}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    f.revoke("SUB1").await.unwrap();
    let body = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        parse_upi_mandate_callback(&body).unwrap().status,
        Some(MandateStatus::Revoked)
    );

    // The control prefix is not EnKash's: the spec has no path under it.
    let spec = common::spec();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.keys().all(|path| !path.starts_with("/__sandbox")));
    assert!(paths.contains_key("/api/v0/upi-mandate/execute"));
}
