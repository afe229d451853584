//! The generated commands against the in-process sandbox: JSON out, the exit codes, the
//! confirmation on production, and no secret in any output.

mod support;

use enkash_sandbox::{CallFault, Sandbox};
use support::{all_output, enkash};

const REFUSED: i32 = 3;
const OUTCOME_UNKNOWN: i32 = 4;
const USAGE: i32 = 2;

async fn run(sandbox: &Sandbox, args: &[&str], stdin: &str) -> std::process::Output {
    enkash(
        &sandbox.base_url(),
        sandbox.access_key(),
        sandbox.secret_key(),
        args,
        stdin,
    )
    .await
}

/// The spec's example order, as `--json-body -` reads it.
fn order_body() -> String {
    serde_json::json!({
        "orderId": "INV20261120001",
        "amount": {"value": 1, "currency": "INR"},
        "returnUrl": "https://shop.example.com/checkout/return",
        "notifyUrl": "https://shop.example.com/hooks/enkash",
        "description": "one rupee"
    })
    .to_string()
}

fn assert_no_secret(sandbox: &Sandbox, output: &std::process::Output) {
    let text = all_output(output);
    for secret in [sandbox.access_key(), sandbox.secret_key()] {
        assert!(!text.contains(secret), "a key in the output: {text}");
    }
    assert!(
        !text.contains("Bearer"),
        "an authorization header in the output: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_order_status_prints_the_order_as_json() {
    let sandbox = Sandbox::start().await.unwrap();
    let output = run(
        &sandbox,
        &[
            "-vv",
            "get-order-status",
            "--order-id",
            Sandbox::PAID_ORDER_ID,
        ],
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    let order: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(order["orderId"], Sandbox::PAID_ORDER_ID);
    assert_eq!(order["status"], "PAID");
    // Piped: one compact line.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .lines()
            .count(),
        1
    );
    // -vv turned the client's tracing on (stderr), and it shows no secret.
    assert!(!output.stderr.is_empty(), "no tracing with -vv");
    assert_no_secret(&sandbox, &output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_call_exits_with_the_refused_code_and_the_advice() {
    let sandbox = Sandbox::start().await.unwrap();
    let output = run(
        &sandbox,
        &["get-order-status", "--order-id", "ORD_NOPE"],
        "",
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(REFUSED),
        "{}",
        all_output(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("get_order_status"), "{stderr}");
    assert!(
        stderr.contains("did not act on it"),
        "no recovery advice: {stderr}"
    );
    assert!(output.stdout.is_empty());
    assert_no_secret(&sandbox, &output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_exits_with_the_outcome_unknown_code() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_next_calls("create_order", [CallFault::ResetAfterProcessing]);
    let output = run(
        &sandbox,
        &["create-order", "--json-body", "-"],
        &order_body(),
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(OUTCOME_UNKNOWN),
        "{}",
        all_output(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("new merchant order id"),
        "the spec's advice: {stderr}"
    );
    assert_no_secret(&sandbox, &output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_from_stdin_creates_the_order() {
    let sandbox = Sandbox::start().await.unwrap();
    let output = run(
        &sandbox,
        &["create-order", "--json-body", "-"],
        &order_body(),
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    let order: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(order["merchantOrderId"], "INV20261120001");
    assert_eq!(sandbox.attempts("create_order"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn production_asks_before_an_operation_that_changes_state() {
    let sandbox = Sandbox::start().await.unwrap();
    let args = ["--env", "production", "create-order", "--json-body", "-"];
    // No terminal to ask on, no --yes: refused, nothing sent.
    let output = run(&sandbox, &args, &order_body()).await;
    assert_eq!(output.status.code(), Some(USAGE), "{}", all_output(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--yes"));
    assert_eq!(sandbox.attempts("create_order"), 0);
    assert_eq!(sandbox.token_requests(), 0);
    // A read is not asked about; --yes sends the rest.
    let read = [
        "--env",
        "production",
        "get-order-status",
        "--order-id",
        Sandbox::PAID_ORDER_ID,
    ];
    assert_eq!(run(&sandbox, &read, "").await.status.code(), Some(0));
    let confirmed = run(&sandbox, &[&args[..], &["--yes"]].concat(), &order_body()).await;
    assert_eq!(
        confirmed.status.code(),
        Some(0),
        "{}",
        all_output(&confirmed)
    );
    assert_eq!(sandbox.attempts("create_order"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_come_only_from_the_environment() {
    let sandbox = Sandbox::start().await.unwrap();
    let missing = enkash(
        &sandbox.base_url(),
        "",
        "",
        &["get-order-status", "--order-id", "X"],
        "",
    )
    .await;
    assert_eq!(missing.status.code(), Some(USAGE));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ENKASH_SECRET_KEY"));
    // There is no flag for them.
    for flag in ["--secret-key", "--access-key"] {
        let output = run(
            &sandbox,
            &[flag, "x", "get-order-status", "--order-id", "X"],
            "",
        )
        .await;
        assert_eq!(output.status.code(), Some(USAGE), "{flag} was accepted");
    }
    assert_eq!(sandbox.token_requests(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_come_from_the_spec_without_the_internal_token_operation() {
    let sandbox = Sandbox::start().await.unwrap();
    let help = run(&sandbox, &["--help"], "").await;
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    let spec: serde_json::Value = serde_norway::from_str(enkash::SPEC_YAML).unwrap();
    let mut public = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap();
            let command = format!("  {} ", id.replace('_', "-"));
            match operation["x-enkash-internal"] == true {
                true => assert!(!help.contains(&command), "{id} is a command"),
                false => {
                    assert!(help.contains(&command), "no command for {id}");
                    public += 1;
                }
            }
        }
    }
    assert!(public >= 25, "{public} public operations");
    let token = run(&sandbox, &["generate-token"], "").await;
    assert_eq!(token.status.code(), Some(USAGE));
}

#[tokio::test(flavor = "multi_thread")]
async fn version_names_the_spec_and_completions_list_the_commands() {
    let sandbox = Sandbox::start().await.unwrap();
    let version = run(&sandbox, &["--version"], "").await;
    let spec: serde_json::Value = serde_norway::from_str(enkash::SPEC_YAML).unwrap();
    let expected = format!("info.version {}", spec["info"]["version"].as_str().unwrap());
    assert!(String::from_utf8_lossy(&version.stdout).contains(&expected));
    let bash = run(&sandbox, &["completions", "bash"], "").await;
    assert_eq!(bash.status.code(), Some(0));
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(script.contains("get-order-status") && script.contains("check"));
}
