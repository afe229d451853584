//! A mandate's life and the regulator's debit rules: approval, decline, pre-debit notices, one
//! debit per period, EXACT and MAX, the Rs 15,000 limit, revocation, expiry, pauses, one-time
//! mandates, the debit callback.

use super::*;

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
    // Up to 10 s on a loaded machine.
    for _ in 0..500 {
        if f.sandbox.mandate_callbacks_delivered() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(f.sandbox.mandate_callbacks_delivered(), 2);
    assert_eq!(f.sandbox.mandate_callbacks_sent(), 2);
}
