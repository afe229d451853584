//! The in-process handle on a running sandbox ([`Sandbox`]) and its builder: its credentials
//! and counts, and the faults a test queues here; the rest of the handle in the files beside:
//! the business clock (`clock.rs`), the payer's part (`payer.rs`, `mandates.rs`) and the
//! inspection of the books (`inspect.rs`). Starting the server is `server.rs`.

pub(crate) mod clock;
mod inspect;
mod mandates;
mod payer;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::control::ControlEndpoint;
use crate::fault_kinds::{CallFault, TokenFault};

use crate::ledger::SettleError;
use crate::state::SandboxState;

/// A running sandbox. Dropping it shuts the server down.
#[derive(Debug)]
pub struct Sandbox {
    pub(crate) state: Arc<SandboxState>,
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Configures a [`Sandbox`] before it starts.
#[derive(Debug, Clone)]
#[must_use = "call .start() to run the sandbox"]
pub struct SandboxBuilder {
    pub(crate) port: u16,
    pub(crate) token_lifetime: Duration,
    pub(crate) revoke_previous_tokens: bool,
}

impl Sandbox {
    /// The id of an order the sandbox holds, paid.
    pub const PAID_ORDER_ID: &'static str = crate::ledger::seeds::PAID_ORDER_ID;
    /// The id of an order the sandbox holds, not yet paid.
    pub const CREATED_ORDER_ID: &'static str = crate::ledger::seeds::CREATED_ORDER_ID;
    /// The id of an active split account the sandbox holds.
    pub const SPLIT_ACCOUNT_ID: &'static str = crate::ledger::seeds::SPLIT_ACCOUNT_ID;
    /// The id of an active, reusable UPI QR code the sandbox holds.
    pub const QR_CODE_ID: &'static str = crate::ledger::seeds::QR_CODE_ID;
    /// That split account's access key.
    pub const SPLIT_ACCESS_KEY: &'static str = crate::ledger::seeds::SPLIT_ACCESS_KEY;
    /// The `referenceId` of an active monthly `MAX` UPI mandate of Rs 5,000 the sandbox holds.
    pub const MANDATE_REFERENCE_ID: &'static str = crate::ledger::seeds::MANDATE_REFERENCE_ID;
    /// That mandate's `mandateId` (what pre-debit notices and debits name).
    pub const MANDATE_ID: &'static str = crate::ledger::seeds::MANDATE_ID;

    /// Starts a sandbox on `127.0.0.1` on a free port, issuing one-hour tokens.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            token_lifetime: Duration::from_secs(3600),
            revoke_previous_tokens: false,
        }
    }

    /// Where it listens, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The socket it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The operations of the control API (`openapi/sandbox-control.yaml`), which the server
    /// serves under `/__sandbox/`: each with its method, path template, `operationId` and
    /// summary, as the standalone binary's banner lists them.
    pub fn control_endpoints() -> &'static [ControlEndpoint] {
        crate::control::endpoints()
    }

    /// The access key it accepts.
    pub fn access_key(&self) -> &str {
        &self.state.access_key
    }

    /// The secret key it accepts.
    pub fn secret_key(&self) -> &str {
        &self.state.secret_key
    }

    /// Token requests received, including failed ones.
    pub fn token_requests(&self) -> u64 {
        self.attempts("generate_token")
    }

    /// Authenticated requests accepted for `operation_id` (e.g. `"get_order_status"`).
    pub fn authenticated_requests(&self, operation_id: &str) -> u64 {
        self.state
            .lock()
            .authenticated
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// HTTP 401 responses sent.
    pub fn unauthorized_responses(&self) -> u64 {
        self.state.unauthorized.load(Ordering::SeqCst)
    }

    /// Payment notifications posted to a loopback `notifyUrl` (others are not sent).
    pub fn notifications_sent(&self) -> u64 {
        self.state.outbox.notifications.sent()
    }

    /// Of those, the ones answered with HTTP 2xx.
    pub fn notifications_delivered(&self) -> u64 {
        self.state.outbox.notifications.delivered()
    }

    /// The next token requests meet these faults, one each, in order.
    pub fn fail_next_token_requests(&self, faults: impl IntoIterator<Item = TokenFault>) {
        self.state.lock().faults.extend(faults);
    }

    /// The next calls of `operation_id` (as in the spec, e.g. `"submit_payment"`) meet these
    /// faults, one each, in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::{CallFault, Sandbox};
    /// use enkash::Payload;
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// sandbox.fail_next_calls("get_order_status", [CallFault::Status(503), CallFault::Status(503)]);
    /// let client = enkash::Client::builder()
    ///     .base_url(sandbox.base_url())
    ///     .credentials(sandbox.access_key(), sandbox.secret_key())
    ///     .build()
    ///     .unwrap();
    /// let order = client.get_order_status().order_id(Sandbox::PAID_ORDER_ID).send().await.payload();
    /// assert!(order.is_ok(), "a GET is retried past two 503s");
    /// assert_eq!(sandbox.attempts("get_order_status"), 3);
    /// # }
    /// ```
    pub fn fail_next_calls(&self, operation_id: &str, faults: impl IntoIterator<Item = CallFault>) {
        self.state
            .lock()
            .call_faults
            .entry(operation_id.to_string())
            .or_default()
            .extend(faults);
    }

    /// Faults still waiting for the next calls of `operation_id`.
    pub fn pending_call_faults(&self, operation_id: &str) -> usize {
        self.state
            .lock()
            .call_faults
            .get(operation_id)
            .map_or(0, |faults| faults.len())
    }

    /// Requests for `operation_id` that reached the sandbox, faulted or not, authenticated or
    /// not.
    pub fn attempts(&self, operation_id: &str) -> u64 {
        self.state
            .lock()
            .attempts
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// Tokens issued from now on live this long.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state.lock().token_lifetime = lifetime;
    }

    /// Moves the sandbox's clock (its `Date` header and token expiries) by `secs`.
    pub fn skew_clock(&self, secs: i64) {
        self.state.lock().skew_secs = secs;
    }

    /// Whether issuing a token revokes every earlier token of the same credentials (default
    /// off). EnKash does not document which it does; gateways that revoke turn a fleet of
    /// processes with separate caches into a storm of 401s, which a shared token store
    /// (`enkash::store::TokenStore`, with `enkash`'s feature `token-store`) prevents.
    pub fn set_revoke_previous_tokens(&self, revoke: bool) {
        self.state.lock().revoke_previous_tokens = revoke;
    }

    /// Revokes every token issued so far: the next authenticated call gets a 401.
    pub fn revoke_all_tokens(&self) {
        self.state.lock().tokens.clear();
    }

    /// Settles a payment left waiting for the bank (a UPI payment from an address ending in
    /// [`PENDING_VPA_SUFFIX`](crate::PENDING_VPA_SUFFIX)), as the bank would: the transaction becomes `SUCCESS` and its
    /// order `PAID`, or `FAILED` and its order `ATTEMPTED` (payable again). Then the usual
    /// payment notification goes to the order's `notifyUrl`, in the background, as after any
    /// payment. Returns the settled transaction.
    ///
    /// An unknown transaction, or one that is not pending (never was, or was settled
    /// already), is an error and changes nothing.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::{Sandbox, SettleError, PENDING_VPA_SUFFIX};
    /// use enkash::types::{OrderStatus, PaymentDetail, PaymentStatus, SubmitPaymentRequest};
    /// use enkash::Payload;
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// let client = enkash::Client::builder()
    ///     .base_url(sandbox.base_url())
    ///     .credentials(sandbox.access_key(), sandbox.secret_key())
    ///     .build()
    ///     .unwrap();
    /// let payment = SubmitPaymentRequest {
    ///     order_id: Sandbox::CREATED_ORDER_ID.to_string(),
    ///     payment_detail: PaymentDetail::Upi {
    ///         vpa: format!("asha{PENDING_VPA_SUFFIX}").parse().unwrap(),
    ///         account_number: None,
    ///         ifsc: None,
    ///     },
    ///     split_settlement: None,
    /// };
    /// let pending = client.submit_payment().body(payment).send().await.payload().unwrap();
    /// assert_eq!(pending.status, Some(PaymentStatus::PendingWithBank));
    /// let id = pending.transaction_id.unwrap();
    ///
    /// let settled = sandbox.settle_transaction(&id, true).unwrap();
    /// assert_eq!(settled.status, Some(PaymentStatus::Success));
    /// let order = client.get_order_status().order_id(Sandbox::CREATED_ORDER_ID).send().await;
    /// assert_eq!(order.payload().unwrap().status, Some(OrderStatus::Paid));
    ///
    /// // Once only.
    /// assert!(matches!(
    ///     sandbox.settle_transaction(&id, false),
    ///     Err(SettleError::NotPending { .. })
    /// ));
    /// # }
    /// ```
    pub fn settle_transaction(
        &self,
        transaction_id: &str,
        succeeded: bool,
    ) -> Result<enkash::types::OrderTransaction, SettleError> {
        let settled = self.state.lock().ledger.settle(transaction_id, succeeded);
        let (transaction, notify) = settled?;
        if let Some(notify) = notify {
            self.state.outbox.notify(notify);
        }
        Ok(transaction)
    }

    /// Posts the last payment notification sent for a transaction again, unchanged, as a
    /// gateway that retries (or a network that duplicates) does: a webhook receiver must
    /// handle the same notification twice without fulfilling the order twice.
    ///
    /// An unknown transaction, or one no notification was sent for (still pending, or its
    /// order has no `notifyUrl`), is an error. As for every notification, only a loopback
    /// `notifyUrl` is posted to; [`notifications_sent`](Self::notifications_sent) counts it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::{Sandbox, SettleError};
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// // The seeded orders have no notifyUrl, so nothing was sent for their payments.
    /// assert!(matches!(
    ///     sandbox.redeliver_notification("TXN_NO_SUCH"),
    ///     Err(SettleError::UnknownTransaction(_))
    /// ));
    /// # }
    /// ```
    pub fn redeliver_notification(&self, transaction_id: &str) -> Result<(), SettleError> {
        let notify = self.state.lock().ledger.last_notification(transaction_id)?;
        self.state.outbox.notify(notify);
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl SandboxBuilder {
    /// Listens on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How long issued tokens live (default one hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Issuing a token revokes every earlier one (default off); see
    /// [`Sandbox::set_revoke_previous_tokens`].
    pub fn revoke_previous_tokens(mut self, revoke: bool) -> Self {
        self.revoke_previous_tokens = revoke;
        self
    }
}
