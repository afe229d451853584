//! UPI Autopay against the sandbox, over real HTTP on 127.0.0.1: the mandate's life, every
//! rule of a debit and its refusal code, the callbacks as a merchant endpoint receives them,
//! the business clock, the control endpoints, and the retry rules of the six operations.

use crate::common;

use std::num::NonZeroU32;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::post;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use enkash::types::{
    CreateUpiMandateRequest, Currency, ExecuteMandateDebitRequest, MandateAmountRule,
    MandatePayerRequest, MandatePreDebitRequest, MandateRecurrencePeriod, MandateRecurrenceRequest,
    MandateRecurrenceRule, MandateStatus, MandateValidityEnd, MandateValidityRequest, Order,
    OrderStatus, PaymentStatus, RevokeUpiMandateRequest, UpdateUpiMandateRequest, UpiMandate,
};
use enkash::webhook::{parse_mandate_debit_callback, parse_upi_mandate_callback};
use enkash::{CallError, Client, Payload, Recovery, Rupees};
use enkash_sandbox::{codes, CallFault, MandateActionError, Sandbox, AFA_VPA_SUFFIX};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A sandbox, a client, and a merchant endpoint receiving both kinds of callback.
struct Fixture {
    sandbox: Sandbox,
    client: Client,
    /// UPI Mandate Callbacks, as received.
    mandates: mpsc::UnboundedReceiver<Bytes>,
    /// Mandate Debit Callbacks, as received.
    debits: mpsc::UnboundedReceiver<Bytes>,
}

impl Fixture {
    async fn start() -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let (mandate_sender, mandates) = mpsc::unbounded_channel();
        let (debit_sender, debits) = mpsc::unbounded_channel();
        let app = axum::Router::new().route(
            "/hooks/{kind}",
            post(move |Path(kind): Path<String>, body: Bytes| {
                let sender = match kind.as_str() {
                    "mandate" => mandate_sender.clone(),
                    _ => debit_sender.clone(),
                };
                async move {
                    let _ = sender.send(body);
                    "{}"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        sandbox.set_mandate_callback_url(format!("{base}/mandate"));
        sandbox.set_mandate_debit_callback_url(format!("{base}/debit"));
        let client = Client::builder()
            .base_url(sandbox.base_url())
            .credentials(sandbox.access_key(), sandbox.secret_key())
            .build()
            .unwrap();
        Self {
            sandbox,
            client,
            mandates,
            debits,
        }
    }

    /// The next UPI Mandate Callback, parsed.
    async fn mandate_callback(&mut self) -> UpiMandate {
        let body = tokio::time::timeout(Duration::from_secs(5), self.mandates.recv())
            .await
            .expect("a mandate callback within 5 s")
            .unwrap();
        parse_upi_mandate_callback(&body).unwrap()
    }

    /// The next Mandate Debit Callback, as received.
    async fn debit_callback(&mut self) -> Bytes {
        tokio::time::timeout(Duration::from_secs(5), self.debits.recv())
            .await
            .expect("a debit callback within 5 s")
            .unwrap()
    }

    /// No further mandate callback within a short while.
    async fn nothing_more(&mut self) {
        let more = tokio::time::timeout(Duration::from_millis(300), self.mandates.recv()).await;
        assert!(more.is_err(), "an unexpected callback: {more:?}");
    }

    async fn create(&self, request: CreateUpiMandateRequest) -> Result<UpiMandate, CallError> {
        self.client
            .create_upi_mandate()
            .body(request)
            .send()
            .await
            .payload()
    }

    /// Creates a mandate and has the payer approve it (the ACTIVE callback is consumed).
    async fn active(&mut self, request: CreateUpiMandateRequest) -> UpiMandate {
        let created = self.create(request).await.unwrap();
        self.sandbox.approve_mandate(&created.reference_id).unwrap();
        let approved = self.mandate_callback().await;
        assert_eq!(approved.status, Some(MandateStatus::Active));
        approved
    }

    async fn notify(
        &self,
        mandate: &UpiMandate,
        amount: Rupees,
        day: NaiveDate,
    ) -> Result<enkash::types::MandatePreDebitNotice, CallError> {
        self.client
            .notify_upi_mandate_debit()
            .body(MandatePreDebitRequest {
                mandate_id: mandate.mandate_id.parse().unwrap(),
                amount,
                debit_date: day,
            })
            .send()
            .await
            .payload()
    }

    async fn execute(&self, mandate: &UpiMandate, amount: Rupees) -> Result<Order, CallError> {
        self.client
            .execute_upi_mandate_debit()
            .body(ExecuteMandateDebitRequest {
                mandate_id: mandate.mandate_id.parse().unwrap(),
                amount,
                remarks: "test debit".into(),
            })
            .send()
            .await
            .payload()
    }

    async fn get(&self, reference_id: &str) -> Result<UpiMandate, CallError> {
        self.client
            .get_upi_mandate()
            .reference_id(reference_id)
            .send()
            .await
            .payload()
    }

    async fn revoke(&self, reference_id: &str) -> Result<UpiMandate, CallError> {
        self.client
            .revoke_upi_mandate()
            .body(RevokeUpiMandateRequest {
                reference_id: reference_id.parse().unwrap(),
            })
            .send()
            .await
            .payload()
    }

    /// The day (IST) `hours` of business time from now.
    fn day_in(&self, hours: i64) -> NaiveDate {
        ist_day(self.sandbox.business_time() + chrono::Duration::hours(hours))
    }

    /// Notice now for the day 25 hours on, move the clock 25 hours, debit.
    async fn notice_then_debit(
        &self,
        mandate: &UpiMandate,
        amount: Rupees,
    ) -> Result<Order, CallError> {
        self.notify(mandate, amount, self.day_in(25)).await.unwrap();
        self.sandbox.advance_clock(25 * HOUR).unwrap();
        self.execute(mandate, amount).await
    }
}

fn ist_day(instant: DateTime<Utc>) -> NaiveDate {
    instant
        .with_timezone(&FixedOffset::east_opt(19_800).unwrap())
        .date_naive()
}

fn rupees(text: &str) -> Rupees {
    text.parse().unwrap()
}

/// A monthly MAX mandate of Rs 499 from `payer_vpa`, valid for a year from business now.
fn request(sandbox: &Sandbox, reference_id: &str, payer_vpa: &str) -> CreateUpiMandateRequest {
    let now = sandbox.business_time();
    CreateUpiMandateRequest {
        reference_id: reference_id.parse().unwrap(),
        amount: rupees("499"),
        amount_rule: MandateAmountRule::Max,
        currency: Currency::Inr,
        payer: MandatePayerRequest {
            name: "Asha Verma".into(),
            vpa: payer_vpa.into(),
            account: "123456789012".into(),
            account_validation: false,
        },
        mandate_name: "Monthly plan".into(),
        expiry: now + chrono::Duration::days(1),
        block_fund: false,
        recurrence: MandateRecurrenceRequest {
            period: MandateRecurrencePeriod::Monthly,
            rule: MandateRecurrenceRule::On,
            value: NonZeroU32::MIN,
        },
        validity: MandateValidityRequest {
            start_at: now,
            end_at: now + chrono::Duration::days(365),
        },
        upi_reference_url: None,
        description: None,
    }
}

fn refused_with(result: Result<impl std::fmt::Debug, CallError>, code: i32) {
    let error = result.expect_err("the sandbox must refuse");
    assert_eq!(error.response_code(), Some(code), "{error}");
    assert_eq!(error.recovery(), Recovery::ChangeRequest, "{error}");
}

mod confirm;
mod contract;
mod operations;
mod rules;
