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

#[tokio::test]
async fn a_mandate_awaits_the_payer_then_is_active_with_a_umn_and_a_callback() {
    let mut f = Fixture::start().await;
    let created = f
        .create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    assert_eq!(created.status, Some(MandateStatus::Created));
    assert_eq!(created.umn, None);
    assert_eq!(created.amount, Some(rupees("499")));
    assert!(created.mandate_id.starts_with("MDT_"));
    f.nothing_more().await;

    let approved = f.sandbox.approve_mandate("SUB1").unwrap();
    assert_eq!(approved.status, Some(MandateStatus::Active));
    let callback = f.mandate_callback().await;
    assert_eq!(callback.reference_id, "SUB1");
    assert_eq!(callback.mandate_id, created.mandate_id);
    assert_eq!(callback.status, Some(MandateStatus::Active));
    assert!(callback.umn.is_some());
    assert_eq!(
        callback.recurrence.unwrap().period,
        Some(MandateRecurrencePeriod::Monthly)
    );

    let looked_up = f.get("SUB1").await.unwrap();
    assert_eq!(looked_up.status, Some(MandateStatus::Active));
    assert_eq!(looked_up.umn, callback.umn);
    // Approving twice is not possible.
    assert!(matches!(
        f.sandbox.approve_mandate("SUB1"),
        Err(MandateActionError::WrongState { .. })
    ));
    let missing = f.get("NO_SUCH").await.unwrap_err();
    assert_eq!(missing.http_status(), Some(404));
}

#[tokio::test]
async fn a_payer_vpa_ending_in_fail_declines_and_nothing_runs_under_it() {
    let mut f = Fixture::start().await;
    let created = f
        .create(request(&f.sandbox, "SUB1", "asha@fail"))
        .await
        .unwrap();
    let declined = f.sandbox.approve_mandate("SUB1").unwrap();
    assert_eq!(declined.status, Some(MandateStatus::Declined));
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Declined)
    );
    refused_with(
        f.notify(&created, rupees("499"), f.day_in(25)).await,
        codes::MANDATE_ENDED,
    );
}

#[tokio::test]
async fn nothing_runs_before_approval_and_an_unapproved_request_lapses_at_its_expiry() {
    let mut f = Fixture::start().await;
    let created = f
        .create(request(&f.sandbox, "SUB1", "asha@okbank"))
        .await
        .unwrap();
    refused_with(
        f.notify(&created, rupees("499"), f.day_in(25)).await,
        codes::MANDATE_NOT_ACTIVE,
    );
    refused_with(
        f.execute(&created, rupees("499")).await,
        codes::MANDATE_NOT_ACTIVE,
    );
    // The request's expiry is a day away.
    f.sandbox.advance_clock(DAY + HOUR).unwrap();
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Expired)
    );
    assert!(matches!(
        f.sandbox.approve_mandate("SUB1"),
        Err(MandateActionError::WrongState { .. })
    ));
    assert_eq!(
        f.get("SUB1").await.unwrap().status,
        Some(MandateStatus::Expired)
    );
}

#[tokio::test]
async fn a_debit_needs_a_notice_for_its_amount_and_day_sent_24_hours_before() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    let amount = rupees("499");

    // No notice at all.
    refused_with(
        f.execute(&mandate, amount).await,
        codes::PRE_DEBIT_NOTICE_MISSING,
    );

    // A notice for the day 25 hours on; only 23 hours pass, on that same day (a midnight
    // between the two would make it a different day: move past it first).
    if f.day_in(23) != f.day_in(25) {
        f.sandbox.advance_clock(3 * HOUR).unwrap();
    }
    let day = f.day_in(25);
    let notice = f.notify(&mandate, amount, day).await.unwrap();
    assert_eq!(notice.mandate_id, mandate.mandate_id);
    assert_eq!(notice.amount, amount);
    assert_eq!(notice.debit_date, day.to_string());
    assert_eq!(notice.status, "SUCCESS");
    // The same notice again (a retry) is answered with the first.
    let again = f.notify(&mandate, amount, day).await.unwrap();
    assert_eq!(
        again.predebit_notification_id,
        notice.predebit_notification_id
    );

    f.sandbox.advance_clock(23 * HOUR).unwrap();
    assert_eq!(ist_day(f.sandbox.business_time()), day);
    refused_with(
        f.execute(&mandate, amount).await,
        codes::PRE_DEBIT_NOTICE_TOO_RECENT,
    );
    // A smaller amount than notified has no notice of its own.
    f.sandbox.advance_clock(2 * HOUR).unwrap();
    refused_with(
        f.execute(&mandate, rupees("498.99")).await,
        codes::PRE_DEBIT_NOTICE_MISSING,
    );
    // Exactly the notified amount, on the notified day, 25 hours after the notice.
    assert_eq!(ist_day(f.sandbox.business_time()), day);
    let order = f.execute(&mandate, amount).await.unwrap();
    assert_eq!(order.status, Some(OrderStatus::Paid));
    assert_eq!(order.amount, Some(amount));
}

#[tokio::test]
async fn a_notice_sent_exactly_24_hours_before_is_enough_and_one_second_less_is_not() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    let amount = rupees("100");
    // Pick a notice time so that 24 hours later is the same IST day as 24 h - 1 s later.
    let now = f.sandbox.business_time();
    let seconds_into_day = (now
        .with_timezone(&FixedOffset::east_opt(19_800).unwrap())
        .time()
        .signed_duration_since(chrono::NaiveTime::MIN))
    .num_seconds();
    if seconds_into_day < 10 {
        f.sandbox.advance_clock(Duration::from_secs(10)).unwrap();
    }
    let day = f.day_in(24);
    f.notify(&mandate, amount, day).await.unwrap();
    f.sandbox
        .advance_clock(DAY - Duration::from_secs(2))
        .unwrap();
    refused_with(
        f.execute(&mandate, amount).await,
        codes::PRE_DEBIT_NOTICE_TOO_RECENT,
    );
    f.sandbox.advance_clock(Duration::from_secs(2)).unwrap();
    f.execute(&mandate, amount).await.unwrap();
}

#[tokio::test]
async fn one_debit_per_recurrence_period() {
    let mut f = Fixture::start().await;
    for (reference_id, period) in [
        ("MONTHLY1", MandateRecurrencePeriod::Monthly),
        ("DAILY1", MandateRecurrencePeriod::Daily),
    ] {
        let mut monthly = request(&f.sandbox, reference_id, "asha@okbank");
        monthly.recurrence.period = period;
        let mandate = f.active(monthly).await;
        // Two valid notices for the same day, of two amounts, sent 25 hours before it.
        let day = f.day_in(25);
        f.notify(&mandate, rupees("100"), day).await.unwrap();
        f.notify(&mandate, rupees("99"), day).await.unwrap();
        f.sandbox.advance_clock(25 * HOUR).unwrap();
        f.execute(&mandate, rupees("100")).await.unwrap();
        // The second has its notice, but the period has had its debit.
        refused_with(
            f.execute(&mandate, rupees("99")).await,
            codes::RECURRENCE_PERIOD_USED,
        );
        // The next period is fine.
        f.sandbox.advance_clock(32 * DAY).unwrap();
        f.notice_then_debit(&mandate, rupees("99")).await.unwrap();
    }
}

#[tokio::test]
async fn exact_mandates_take_exactly_their_amount_and_max_mandates_at_most_theirs() {
    let mut f = Fixture::start().await;
    let mut exact = request(&f.sandbox, "EXACT1", "asha@okbank");
    exact.amount_rule = MandateAmountRule::Exact;
    let exact = f.active(exact).await;
    refused_with(
        f.notify(&exact, rupees("498.99"), f.day_in(25)).await,
        codes::AMOUNT_NOT_EXACT,
    );
    refused_with(
        f.execute(&exact, rupees("499.01")).await,
        codes::AMOUNT_NOT_EXACT,
    );
    let paid = f.notice_then_debit(&exact, rupees("499")).await.unwrap();
    assert_eq!(paid.amount, Some(rupees("499")));

    let max = f.active(request(&f.sandbox, "MAX1", "asha@okbank")).await;
    refused_with(
        f.notify(&max, rupees("499.01"), f.day_in(25)).await,
        codes::AMOUNT_ABOVE_MANDATE,
    );
    refused_with(
        f.execute(&max, rupees("499.01")).await,
        codes::AMOUNT_ABOVE_MANDATE,
    );
    // Any amount up to the maximum, to the paisa.
    let paid = f.notice_then_debit(&max, rupees("0.07")).await.unwrap();
    assert_eq!(paid.amount, Some(Rupees::from_paise(7)));
}

#[tokio::test]
async fn above_rs_15000_a_debit_needs_the_payers_authentication() {
    let mut f = Fixture::start().await;
    let mut large = request(&f.sandbox, "BIG1", "asha@okbank");
    large.amount = rupees("20000");
    let large = f.active(large).await;
    refused_with(
        f.notice_then_debit(&large, rupees("15000.01")).await,
        codes::AUTHENTICATION_REQUIRED,
    );
    // Rs 15,000 itself needs none.
    let mut other = request(&f.sandbox, "BIG2", "asha@okbank");
    other.amount = rupees("20000");
    let other = f.active(other).await;
    let paid = f.notice_then_debit(&other, rupees("15000")).await.unwrap();
    assert_eq!(paid.amount, Some(rupees("15000")));

    // A payer who authenticates (the sandbox's `@afa` payers) can be debited more.
    let mut authenticated = request(&f.sandbox, "BIG3", &format!("asha{AFA_VPA_SUFFIX}"));
    authenticated.amount = rupees("20000");
    let authenticated = f.active(authenticated).await;
    let paid = f
        .notice_then_debit(&authenticated, rupees("20000"))
        .await
        .unwrap();
    assert_eq!(paid.amount, Some(rupees("20000")));
}

#[tokio::test]
async fn revocation_is_final_repeatable_and_called_back_once() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    // A notice sent before revocation does not survive it.
    f.notify(&mandate, rupees("499"), f.day_in(25))
        .await
        .unwrap();
    let revoked = f.revoke("SUB1").await.unwrap();
    assert_eq!(revoked.status, Some(MandateStatus::Revoked));
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Revoked)
    );
    // Revoking again answers the revoked mandate and sends nothing.
    let again = f.revoke("SUB1").await.unwrap();
    assert_eq!(again.status, Some(MandateStatus::Revoked));
    f.nothing_more().await;

    f.sandbox.advance_clock(25 * HOUR).unwrap();
    refused_with(
        f.execute(&mandate, rupees("499")).await,
        codes::MANDATE_REVOKED,
    );
    refused_with(
        f.notify(&mandate, rupees("499"), f.day_in(25)).await,
        codes::MANDATE_REVOKED,
    );
    let update = UpdateUpiMandateRequest {
        reference_id: "SUB1".parse().unwrap(),
        amount: Some(rupees("599")),
        validity: None,
    };
    refused_with(
        f.client
            .update_upi_mandate()
            .body(update)
            .send()
            .await
            .payload(),
        codes::MANDATE_REVOKED,
    );
    assert!(matches!(
        f.sandbox.pause_mandate("SUB1", DAY),
        Err(MandateActionError::WrongState { .. })
    ));
}

#[tokio::test]
async fn a_mandate_expires_at_the_end_of_its_validity() {
    let mut f = Fixture::start().await;
    let mut short = request(&f.sandbox, "SUB1", "asha@okbank");
    short.validity.end_at = f.sandbox.business_time() + chrono::Duration::days(3);
    let mandate = f.active(short).await;
    // A notice for a day after the end is refused.
    refused_with(
        f.notify(&mandate, rupees("1"), f.day_in(24 * 5)).await,
        codes::DEBIT_DATE_NOT_ALLOWED,
    );
    // So is one for a day already past.
    refused_with(
        f.notify(&mandate, rupees("1"), f.day_in(-48)).await,
        codes::DEBIT_DATE_NOT_ALLOWED,
    );
    f.notify(&mandate, rupees("1"), f.day_in(25)).await.unwrap();
    f.sandbox.advance_clock(4 * DAY).unwrap();
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Expired)
    );
    refused_with(f.execute(&mandate, rupees("1")).await, codes::MANDATE_ENDED);
}

#[tokio::test]
async fn a_paused_mandate_takes_nothing_until_the_pause_ends() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    let paused = f.sandbox.pause_mandate("SUB1", 3 * DAY).unwrap();
    assert_eq!(paused.status, Some(MandateStatus::Paused));
    let callback = f.mandate_callback().await;
    assert_eq!(callback.status, Some(MandateStatus::Paused));
    let pause = callback.pause_period.unwrap();
    assert_eq!(
        pause.end_at.unwrap() - pause.start_at.unwrap(),
        3 * 24 * 3600
    );
    refused_with(
        f.notify(&mandate, rupees("499"), f.day_in(25)).await,
        codes::MANDATE_NOT_ACTIVE,
    );
    f.sandbox.advance_clock(3 * DAY).unwrap();
    let resumed = f.mandate_callback().await;
    assert_eq!(resumed.status, Some(MandateStatus::Active));
    assert!(resumed.pause_period.is_none());
    f.notice_then_debit(&mandate, rupees("499")).await.unwrap();
}

#[tokio::test]
async fn a_onetime_mandate_completes_after_its_debit() {
    let mut f = Fixture::start().await;
    let mut once = request(&f.sandbox, "ONCE1", "asha@okbank");
    once.recurrence.period = MandateRecurrencePeriod::Onetime;
    once.block_fund = true;
    let mandate = f.active(once).await;
    assert!(matches!(
        f.sandbox.pause_mandate("ONCE1", DAY),
        Err(MandateActionError::WrongState { .. })
    ));
    f.notice_then_debit(&mandate, rupees("499")).await.unwrap();
    assert_eq!(
        f.mandate_callback().await.status,
        Some(MandateStatus::Completed)
    );
    let debit = parse_mandate_debit_callback(&f.debit_callback().await).unwrap();
    assert_eq!(debit.status, Some(PaymentStatus::Success));
    refused_with(
        f.notify(&mandate, rupees("499"), f.day_in(25)).await,
        codes::MANDATE_ENDED,
    );
}

#[tokio::test]
async fn the_debit_callback_names_the_debits_order_and_its_exact_amount() {
    let mut f = Fixture::start().await;
    let mandate = f.active(request(&f.sandbox, "SUB1", "asha@okbank")).await;
    let order = f
        .notice_then_debit(&mandate, rupees("123.45"))
        .await
        .unwrap();
    let body = f.debit_callback().await;
    let raw: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        raw["amount"],
        json!(123.45),
        "an exact JSON number on the wire"
    );
    assert!(
        raw.get("surcharge").is_some(),
        "documented to begin with surcharge"
    );
    let debit = parse_mandate_debit_callback(&body).unwrap();
    assert_eq!(Some(debit.order_id.clone()), order.order_id);
    assert_eq!(debit.amount, Some(Rupees::from_paise(12_345)));
    assert_eq!(debit.status, Some(PaymentStatus::Success));
    assert_eq!(debit.order_status, Some(OrderStatus::Paid));
    // The order is EnKash's to confirm.
    let confirmed = f
        .client
        .get_order_status()
        .order_id(&debit.order_id)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(confirmed.status, Some(OrderStatus::Paid));
    assert_eq!(confirmed.transactions.len(), 1);
    // Both callbacks (approval, debit) were answered 2xx; the count follows the answer.
    for _ in 0..50 {
        if f.sandbox.mandate_callbacks_delivered() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(f.sandbox.mandate_callbacks_delivered(), 2);
    assert_eq!(f.sandbox.mandate_callbacks_sent(), 2);
}

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

/// The spec's response schema for `path`/`method` and `status` (`200`, `4XX` or `5XX`).
fn response_schema(spec: &Value, path: &str, method: &str, status: u16) -> Value {
    let key = match status {
        200 => "200".to_string(),
        s => format!("{}XX", s / 100),
    };
    let mut response = spec["paths"][path][method]["responses"][&key].clone();
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/responses/");
        response = spec["components"]["responses"][name].clone();
    }
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "no schema for {method} {path} {status}");
    schema
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
            let schema = response_schema(spec, template, &method, status);
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
