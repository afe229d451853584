//! UPI Autopay, the merchant's and the payer's side of the in-process handle: where callbacks
//! go, how many went, and what a test does in the payer's place (approve, pause). The mandate
//! operations themselves are `http/mandates.rs`; the standalone server offers the payer's part
//! over its control API (`control/`, `openapi/sandbox-control.yaml`).

use std::time::Duration;

use super::Sandbox;
use crate::ledger::MandateActionError;
use enkash::types::UpiMandate;

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
        self.state.outbox.callbacks.sent()
    }

    /// Of those, the ones answered with HTTP 2xx.
    pub fn mandate_callbacks_delivered(&self) -> u64 {
        self.state.outbox.callbacks.delivered()
    }

    /// Plays the payer answering a mandate's approval request in their UPI app: the mandate
    /// becomes `ACTIVE` (with a `umn`), or `DECLINED` when the payer VPA ends in
    /// [`DECLINED_VPA_SUFFIX`](crate::DECLINED_VPA_SUFFIX). The UPI Mandate Callback follows.
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
        self.state.outbox.callbacks(callbacks);
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
        self.state.outbox.callbacks(callbacks);
        Ok(mandate)
    }
}
