//! UPI Autopay in the sandbox: the six mandate operations of the spec, the callbacks they
//! cause (posted to loopback URLs only, one at a time, in order), and what a test does in the
//! payer's place (approve, pause). The standalone server offers the payer's part over its
//! control API (`control/`, `openapi/sandbox-control.yaml`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::ledger::{MandateActionError, Outgoing};
use super::routes::{authenticated, parse, Call};
use super::{Sandbox, SandboxState};
use enkash::types::{
    CreateUpiMandateRequest, ExecuteMandateDebitRequest, MandatePreDebitRequest,
    RevokeUpiMandateRequest, UpdateUpiMandateRequest, UpiMandate,
};

type Shared = State<Arc<SandboxState>>;

/// Callbacks waiting to be posted, and the counts of those posted.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    queue: OnceLock<tokio::sync::mpsc::UnboundedSender<Outgoing>>,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    sent: AtomicU64,
    delivered: AtomicU64,
}

/// Queues callbacks for posting, in order, by one task on the sandbox's runtime; only to
/// loopback URLs: the sandbox never sends traffic off the machine.
pub(super) fn deliver(state: &SandboxState, callbacks: Vec<Outgoing>) {
    for callback in callbacks {
        if !is_loopback(&callback.url) {
            tracing::debug!(target: "enkash_sandbox", "not posting a callback to a non-loopback URL");
            continue;
        }
        state
            .mandate_outbox
            .counts
            .sent
            .fetch_add(1, Ordering::SeqCst);
        let queue = state.mandate_outbox.queue.get_or_init(|| {
            let (queue, mut waiting) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
            let counts = Arc::clone(&state.mandate_outbox.counts);
            let outbound = Arc::clone(&state.outbound);
            state.runtime.spawn(async move {
                let client = reqwest::Client::new();
                while let Some(callback) = waiting.recv().await {
                    let sent = client
                        .post(&callback.url)
                        .json(&callback.body)
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await;
                    if sent.is_ok_and(|response| response.status().is_success()) {
                        counts.delivered.fetch_add(1, Ordering::SeqCst);
                    }
                    outbound.finished();
                }
            });
            queue
        });
        state.outbound.queued();
        if queue.send(callback).is_err() {
            state.outbound.finished();
        }
    }
}

/// Whether `url` is `http(s)` to `localhost` or a loopback address.
fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Sandbox {
    /// Where the sandbox posts UPI Mandate Callbacks (a loopback URL; others are not posted
    /// to). EnKash documents no way to set this URL (no field of the create request carries
    /// it), so the sandbox takes it here, as merchant configuration. Unset: none are posted.
    pub fn set_mandate_callback_url(&self, url: impl Into<String>) {
        self.state.lock().ledger.mandates.mandate_url = Some(url.into());
    }

    /// Where the sandbox posts Mandate Debit Callbacks (a loopback URL), as
    /// [`set_mandate_callback_url`](Self::set_mandate_callback_url) does for mandates.
    pub fn set_mandate_debit_callback_url(&self, url: impl Into<String>) {
        self.state.lock().ledger.mandates.debit_url = Some(url.into());
    }

    /// UPI Mandate and Mandate Debit Callbacks queued for a loopback URL.
    pub fn mandate_callbacks_sent(&self) -> u64 {
        self.state.mandate_outbox.counts.sent.load(Ordering::SeqCst)
    }

    /// Of those, the ones answered with HTTP 2xx.
    pub fn mandate_callbacks_delivered(&self) -> u64 {
        self.state
            .mandate_outbox
            .counts
            .delivered
            .load(Ordering::SeqCst)
    }

    /// Plays the payer answering a mandate's approval request in their UPI app: the mandate
    /// becomes `ACTIVE` (with a `umn`), or `DECLINED` when the payer VPA ends in
    /// [`DECLINED_VPA_SUFFIX`](super::DECLINED_VPA_SUFFIX). The UPI Mandate Callback follows.
    /// Only a mandate awaiting approval (`CREATED`, not lapsed) can be approved.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::{MandateActionError, Sandbox};
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// assert_eq!(sandbox.approve_mandate("NO_SUCH").unwrap_err(), MandateActionError::UnknownMandate);
    /// // The seeded mandate is approved already.
    /// assert!(matches!(
    ///     sandbox.approve_mandate(Sandbox::MANDATE_REFERENCE_ID),
    ///     Err(MandateActionError::WrongState { .. })
    /// ));
    /// # }
    /// ```
    pub fn approve_mandate(&self, reference_id: &str) -> Result<UpiMandate, MandateActionError> {
        let approved = {
            let mut inner = self.state.lock();
            let now = inner.business_now();
            inner.ledger.mandates.approve(reference_id, now)
        };
        let (mandate, callbacks) = approved?;
        deliver(&self.state, callbacks);
        Ok(mandate)
    }

    /// Plays the payer pausing an `ACTIVE` mandate from their UPI app for `length` of
    /// business time (EnKash has no pause operation; `ONETIME` mandates cannot be paused).
    /// The mandate is `PAUSED`, with `pausePeriod`, until the pause ends; then it is `ACTIVE`
    /// again. A UPI Mandate Callback goes out at both changes.
    pub fn pause_mandate(
        &self,
        reference_id: &str,
        length: Duration,
    ) -> Result<UpiMandate, MandateActionError> {
        let length = chrono::Duration::from_std(length)
            .ok()
            .filter(|length| *length <= chrono::Duration::days(366 * 100))
            .ok_or(MandateActionError::TooLong)?;
        let paused = {
            let mut inner = self.state.lock();
            let now = inner.business_now();
            inner.ledger.mandates.pause(reference_id, length, now)
        };
        let (mandate, callbacks) = paused?;
        deliver(&self.state, callbacks);
        Ok(mandate)
    }
}

/// Runs a mandate operation on the ledger at business time, then posts its callbacks.
fn mandate_call<T: serde::Serialize>(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
    handle: impl FnOnce(
        &mut super::ledger::Ledger,
        chrono::DateTime<chrono::Utc>,
    ) -> Result<(T, Vec<Outgoing>), super::ledger::Refusal>,
) -> Response {
    let mut callbacks = Vec::new();
    let response = authenticated(state, headers, operation, |inner| {
        let now = inner.business_now();
        let (payload, out) = handle(&mut inner.ledger, now)?;
        callbacks = out;
        Ok(payload)
    });
    deliver(state, callbacks);
    response
}

pub(crate) async fn create_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: CreateUpiMandateRequest = parse(&body)?;
        Ok((ledger.create_mandate(request, now)?, Vec::new()))
    })
}

pub(crate) async fn update_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: UpdateUpiMandateRequest = parse(&body)?;
        ledger.update_mandate(request, now)
    })
}

pub(crate) async fn revoke_upi_mandate(State(state): Shared, call: Call, body: Bytes) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: RevokeUpiMandateRequest = parse(&body)?;
        ledger.revoke_mandate(request.reference_id.as_str(), now)
    })
}

pub(crate) async fn get_upi_mandate(
    State(state): Shared,
    Path(reference_id): Path<String>,
    call: Call,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        ledger.mandate(&reference_id, now)
    })
}

pub(crate) async fn notify_upi_mandate_debit(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: MandatePreDebitRequest = parse(&body)?;
        ledger.notify_mandate_debit(request, now)
    })
}

pub(crate) async fn execute_upi_mandate_debit(
    State(state): Shared,
    call: Call,
    body: Bytes,
) -> Response {
    mandate_call(&state, &call.headers, call.operation, |ledger, now| {
        let request: ExecuteMandateDebitRequest = parse(&body)?;
        ledger.execute_mandate_debit(request, now)
    })
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn callbacks_go_only_to_loopback_http() {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost/x",
            "https://[::1]:8443/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://example.com/hook",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "not a url",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
