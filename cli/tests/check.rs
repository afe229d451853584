//! `enkash check` against the in-process sandbox (every walked operation agrees) and against a
//! drifted gateway: a proxy in front of the sandbox that breaks the spec in five ways, each of
//! which the report must name with its operation and field.

mod support;

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use enkash_sandbox::Sandbox;
use serde_json::{json, Value};
use support::{all_output, enkash};

const DIFFERS: i32 = 5;

async fn check(base_url: &str, sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, Value) {
    let args = [&["check", "--json"], args].concat();
    let output = enkash(
        base_url,
        sandbox.access_key(),
        sandbox.secret_key(),
        &args,
        "",
    )
    .await;
    for secret in [sandbox.access_key(), sandbox.secret_key()] {
        assert!(!all_output(&output).contains(secret), "a key in the report");
    }
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", all_output(&output)));
    (output.status.code(), report)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_walked_operation_agrees_with_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let (code, report) = check(&sandbox.base_url(), &sandbox, &[]).await;
    let operations = report["operations"].as_array().unwrap();
    for operation in operations {
        assert_eq!(operation["verdict"], "agrees", "{operation}");
    }
    assert_eq!(code, Some(0));
    let walked: BTreeSet<&str> = operations
        .iter()
        .map(|o| o["operation"].as_str().unwrap())
        .collect();
    for expected in [
        "generate_token",
        "create_order",
        "get_order_status",
        "verify_upi_vpa",
    ] {
        assert!(
            walked.contains(expected),
            "{expected} not walked: {walked:?}"
        );
    }
    // Nothing that edits is walked, however safe the spec says repeating it is.
    for edit in [
        "revoke_upi_mandate",
        "cancel_upi_qr",
        "submit_payment",
        "refund_transaction",
    ] {
        assert!(!walked.contains(edit), "{edit} was walked");
    }
    let findings: Vec<(&str, &str)> = report["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["inference"].as_str().unwrap(),
                p["finding"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(findings
        .iter()
        .any(|(i, f)| i.contains("epoch milliseconds") && *f == "confirmed"));
    assert!(findings
        .iter()
        .any(|(i, f)| i.contains("unknown order") && *f == "confirmed"));
}

/// Forwards to the sandbox, then breaks the answers.
async fn drifted(State(upstream): State<String>, request: Request) -> Response {
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let body: Bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    if path == "/pay/charge/verify-vpa" {
        // A status the spec does not list (it lists 200, 4XX and 5XX).
        return (
            StatusCode::ACCEPTED,
            axum::Json(json!({"response_code": 0})),
        )
            .into_response();
    }
    let mut forwarded = reqwest::Client::new()
        .request(method.clone(), format!("{upstream}{target}"))
        .body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.send().await.unwrap();
    let status = answer.status();
    let mut json: Value = answer.json().await.unwrap();
    match path.as_str() {
        // An amount that is not a number.
        "/api/v0/orders" => json["payload"]["amount"] = json!("one rupee"),
        // A renamed field, on the look-up of the order just created.
        p if p.starts_with("/api/v0/orders/ORD_SBX") => {
            let payload = json["payload"].as_object_mut().unwrap();
            let value = payload.remove("merchantOrderId").unwrap();
            payload.insert("merchantOrderID".into(), value);
        }
        // A required field dropped.
        "/api/v0/qr-code/search" => {
            json.as_object_mut().unwrap().remove("response_code");
        }
        // A field the spec does not know.
        "/api/v0/settlement-payout/search" => json["surprise"] = json!(1),
        _ => {}
    }
    (status, axum::Json(json)).into_response()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drifted_gateway_is_named_drift_by_drift() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = axum::Router::new()
        .fallback(drifted)
        .with_state(sandbox.base_url());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (code, report) = check(&proxy, &sandbox, &[]).await;
    assert_eq!(code, Some(DIFFERS));
    let mut drifts = BTreeSet::new();
    for operation in report["operations"].as_array().unwrap() {
        for difference in operation["differences"].as_array().unwrap() {
            drifts.insert((
                operation["operation"].as_str().unwrap().to_string(),
                difference["field"].as_str().unwrap().to_string(),
            ));
        }
        let agrees = operation["verdict"] == "agrees";
        assert_eq!(
            agrees,
            operation["differences"].as_array().unwrap().is_empty()
        );
    }
    let expected: BTreeSet<(String, String)> = [
        ("create_order", "payload.amount"),
        ("get_order_status", "payload.merchantOrderID"),
        ("search_upi_qrs", "response_code"),
        ("search_settlement_payouts", "surprise"),
        ("verify_upi_vpa", "(status)"),
    ]
    .into_iter()
    .map(|(o, f)| (o.to_string(), f.to_string()))
    .collect();
    assert_eq!(drifts, expected);
    // What came is described, never quoted.
    let text = report.to_string();
    assert!(text.contains("a string, not numeric") && !text.contains("one rupee"));
    assert!(text.contains("HTTP 202"));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_refuses_production() {
    let sandbox = Sandbox::start().await.unwrap();
    let args = ["--env", "production", "check"];
    let output = enkash(
        &sandbox.base_url(),
        sandbox.access_key(),
        sandbox.secret_key(),
        &args,
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(sandbox.token_requests(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn record_writes_every_exchange_masked() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("enkash-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_string_lossy().to_string();
    let (code, report) = check(&sandbox.base_url(), &sandbox, &["--record", &dir_text]).await;
    assert_eq!(code, Some(0));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), report["operations"].as_array().unwrap().len());
    let mut masked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for secret in [sandbox.access_key(), sandbox.secret_key()] {
            assert!(!text.contains(secret), "{} holds a key", file.display());
        }
        let exchange: Value = serde_json::from_str(&text).unwrap();
        for field in ["token", "accessKey", "secretKey", "vpa"] {
            let mut found = Vec::new();
            collect(&exchange, field, &mut found);
            for value in found.iter().filter(|v| v.is_string()) {
                assert_eq!(*value, "<masked>", "{field} in {}", file.display());
                masked += 1;
            }
        }
    }
    // The token's answer and request (token, both keys) and the VPA check's request at least.
    assert!(masked >= 4, "{masked} masked values");
    let _ = std::fs::remove_dir_all(&dir);
}

fn collect<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                if name == key {
                    found.push(member);
                }
                collect(member, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, key, found)),
        _ => {}
    }
}
