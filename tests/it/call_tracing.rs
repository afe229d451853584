//! One span per call on target `enkash::call`, with OpenTelemetry names, and an event per retry;
//! never an id from the path, a secret or a body.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enkash::{Payload, RetryPolicy};
use enkash_sandbox::{CallFault, Sandbox};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

type Fields = BTreeMap<String, String>;

/// Spans (name and fields) and events on target `enkash::call`, as recorded.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(String, Fields)>>>,
    events: Arc<Mutex<Vec<Fields>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
}

struct SpanIndex(usize);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().target() != "enkash::call" {
            return;
        }
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attrs.metadata().name().to_string(), fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanIndex(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(SpanIndex(index)) = span.extensions().get::<SpanIndex>().map(|i| SpanIndex(i.0))
        else {
            return;
        };
        values.record(&mut Collect(&mut self.spans.lock().unwrap()[index].1));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "enkash::call" {
            let mut fields = Fields::new();
            event.record(&mut Collect(&mut fields));
            self.events.lock().unwrap().push(fields);
        }
    }
}

/// Records what this thread's calls trace until the guard is dropped (each test runs its
/// calls on a current-thread runtime, so its calls are this thread's). Through
/// `common::tracing_capture`, so that a sibling test cannot switch the call sites off.
fn capturing() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    (capture, crate::common::tracing_capture::scoped(subscriber))
}

fn client_for(sandbox: &Sandbox, policy: RetryPolicy) -> enkash::Client {
    enkash::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .retry_policy(policy)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_is_one_span_with_its_attempts_and_each_retry_an_event() {
    let (capture, _guard) = capturing();
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(
        &sandbox,
        RetryPolicy::default().initial_delay(Duration::from_millis(5)),
    );
    sandbox.fail_next_calls(
        "get_order_status",
        [CallFault::Status(503), CallFault::Status(503)],
    );
    client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .payload()
        .unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let (name, fields) = &spans[0];
    assert_eq!(name, "enkash.call");
    let expected = [
        ("otel.name", "GET /api/v0/orders/{orderId}"),
        ("otel.kind", "client"),
        ("enkash.operation_id", "get_order_status"),
        ("http.request.method", "GET"),
        ("url.template", "/api/v0/orders/{orderId}"),
        ("enkash.attempts", "3"),
        ("http.response.status_code", "200"),
        ("enkash.response_code", "0"),
    ];
    for (field, value) in expected {
        assert_eq!(
            fields.get(field).map(String::as_str),
            Some(value),
            "{field} in {fields:?}"
        );
    }
    assert!(fields.contains_key("enkash.duration_ms"), "{fields:?}");
    assert!(!fields.contains_key("error.type"), "{fields:?}");

    let events = capture.events.lock().unwrap().clone();
    let retries: Vec<_> = events
        .iter()
        .filter(|e| e.get("message").map(String::as_str) == Some("retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{events:?}");
    for (n, retry) in retries.iter().enumerate() {
        assert_eq!(retry.get("reason").map(String::as_str), Some("503"));
        assert_eq!(retry.get("attempt"), Some(&(n + 1).to_string()));
        assert!(retry.contains_key("delay_ms"), "{retry:?}");
    }

    // Nothing concrete or secret: not the order id, not a key, not the token.
    let token = client.access_token().await.unwrap();
    let everything = format!("{spans:?} {events:?}");
    for secret in [
        Sandbox::PAID_ORDER_ID,
        sandbox.access_key(),
        sandbox.secret_key(),
        token.as_str(),
    ] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_call_records_its_error_type_and_status() {
    let (capture, _guard) = capturing();
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox, RetryPolicy::default());
    sandbox.fail_next_calls("submit_payment", [CallFault::Status(503)]);
    let payment: enkash::types::SubmitPaymentRequest = serde_json::from_value(serde_json::json!({
        "orderId": Sandbox::CREATED_ORDER_ID,
        "paymentDetail": {"paymentMode": "UPI", "vpa": "asha@okbank"}
    }))
    .unwrap();
    let error = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(error.attempts(), 1);
    let spans = capture.spans.lock().unwrap().clone();
    let fields = &spans.last().unwrap().1;
    assert_eq!(
        fields.get("http.response.status_code").map(String::as_str),
        Some("503")
    );
    assert_eq!(fields.get("error.type").map(String::as_str), Some("503"));
    assert_eq!(fields.get("enkash.attempts").map(String::as_str), Some("1"));
    assert!(!format!("{spans:?}").contains("asha@okbank"));
}
