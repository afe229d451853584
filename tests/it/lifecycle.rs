//! The merchant's payment lifecycle against the sandbox, over real HTTP on 127.0.0.1:
//! order -> payment -> notification -> confirmation -> refunds, on one token.

use crate::common::merchant::{client_for, webhook_receiver};
use std::time::Duration;

use enkash::types::{
    Amount, CreateOrderRequest, Currency, OrderStatus, PaymentDetail, PaymentStatus, RefundRequest,
    RefundStatus, SettlementPayoutSearch, SubmitPaymentRequest,
};
use enkash::{CallError, Client, Payload, Rupees};
use enkash_sandbox::{codes, Sandbox, DECLINED_VPA_SUFFIX};
use serde_json::json;

fn order_request(
    merchant_id: &str,
    rupees: &str,
    notify_url: Option<String>,
) -> CreateOrderRequest {
    CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: rupees.parse().unwrap(),
            currency: Currency::Inr,
        })
        .notify_url(notify_url)
        .try_into()
        .unwrap()
}

fn upi(vpa: &str) -> PaymentDetail {
    PaymentDetail::Upi {
        vpa: vpa.parse().unwrap(),
        account_number: None,
        ifsc: None,
    }
}

/// Refunds `rupees` of a transaction; the envelope's verdict.
async fn refund_of(
    client: &Client,
    transaction_id: &str,
    rupees: &str,
    request_id: &str,
) -> Result<enkash::types::Refund, CallError> {
    client
        .refund_transaction()
        .transaction_id(transaction_id)
        .body(refund(rupees, request_id))
        .send()
        .await
        .payload()
}

/// An order that must exist.
async fn order_of(client: &Client, order_id: &str) -> enkash::types::Order {
    client
        .get_order_status()
        .order_id(order_id)
        .send()
        .await
        .payload()
        .unwrap()
}

fn refund(rupees: &str, request_id: &str) -> RefundRequest {
    RefundRequest {
        amount: rupees.parse().unwrap(),
        remarks: Some("returned".into()),
        request_id: request_id.parse().expect("a non-empty request id"),
    }
}

#[tokio::test]
async fn order_payment_notification_refund_on_one_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (notify_url, mut notifications) = webhook_receiver().await;

    // Create the order.
    let order = client
        .create_order()
        .body(order_request("INV1001", "1499.50", Some(notify_url)))
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(order.status, Some(OrderStatus::Created));
    assert_eq!(order.merchant_order_id.as_deref(), Some("INV1001"));
    let order_id = order.order_id.unwrap();

    // Pay it.
    let payment = SubmitPaymentRequest {
        order_id: order_id.clone(),
        payment_detail: upi("asha@okbank"),
        split_settlement: None,
    };
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(transaction.status, Some(PaymentStatus::Success));
    let transaction_id = transaction.transaction_id.unwrap();

    // The notification arrives, parses, and is confirmed by asking the gateway.
    let body = tokio::time::timeout(Duration::from_secs(5), notifications.recv())
        .await
        .unwrap()
        .unwrap();
    let notification = enkash::webhook::parse_payment_notification(&body).unwrap();
    assert_eq!(
        (
            notification.order_id.as_str(),
            notification.transaction_id.as_str()
        ),
        (order_id.as_str(), transaction_id.as_str())
    );
    assert_eq!(notification.order_status, Some(OrderStatus::Paid));
    let confirmed = client
        .get_transaction_status()
        .transaction_id(&notification.transaction_id)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(confirmed.status, Some(PaymentStatus::Success));
    let paid = order_of(&client, &order_id).await;
    assert_eq!(paid.status, Some(OrderStatus::Paid));
    assert_eq!(paid.transactions.len(), 1);

    // Refund part, retry the same refund (no double refund), refund the rest, then too much.
    let first = refund_of(&client, &transaction_id, "500", "R1")
        .await
        .unwrap();
    assert_eq!(
        (first.amount, first.status),
        (
            Some(Rupees::from_paise(50_000)),
            Some(RefundStatus::Created)
        )
    );
    let retried = refund_of(&client, &transaction_id, "500", "R1")
        .await
        .unwrap();
    assert_eq!(retried.unique_transaction_id, first.unique_transaction_id);
    let status = |client: &Client| {
        let client = client.clone();
        let id = transaction_id.clone();
        async move {
            client
                .get_transaction_status()
                .transaction_id(id)
                .send()
                .await
                .payload()
                .unwrap()
                .status
        }
    };
    assert_eq!(
        status(&client).await,
        Some(PaymentStatus::PartiallyRefunded)
    );
    refund_of(&client, &transaction_id, "999.50", "R2")
        .await
        .unwrap();
    assert_eq!(status(&client).await, Some(PaymentStatus::Refunded));
    let too_much = refund_of(&client, &transaction_id, "0.01", "R3").await;
    assert!(
        matches!(
            too_much,
            Err(ref e) if e.response_code() == Some(codes::NOT_REFUNDABLE)
        ),
        "{too_much:?}"
    );

    assert_eq!(
        sandbox.token_requests(),
        1,
        "the whole lifecycle ran on one token"
    );
    assert_eq!(
        (
            sandbox.notifications_sent(),
            sandbox.notifications_delivered()
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn refunds_beyond_the_paid_amount_are_refused_with_a_typed_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let transaction = order_of(&client, Sandbox::PAID_ORDER_ID)
        .await
        .transactions
        .remove(0);
    let id = transaction.transaction_id.unwrap();
    let refused = refund_of(&client, &id, "1499.51", "BIG").await;
    match refused {
        Err(error) => {
            assert_eq!(error.response_code(), Some(codes::REFUND_EXCEEDS_PAYMENT));
            assert_eq!(error.kind(), enkash::CallErrorKind::Refused, "{error}");
            let message = error.to_string();
            assert!(
                message.contains("exceeds the refundable 1499.50"),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The same request id for a different refund is a mistake, not a retry.
    refund_of(&client, &id, "1", "ONCE").await.unwrap();
    let reused = refund_of(&client, &id, "2", "ONCE").await;
    assert!(
        matches!(
            reused,
            Err(ref e) if e.response_code() == Some(codes::REQUEST_ID_REUSED)
        ),
        "{reused:?}"
    );
}

#[tokio::test]
async fn a_declined_payment_leaves_the_order_payable_and_cannot_be_refunded() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let order_id = Sandbox::CREATED_ORDER_ID;
    let declined = SubmitPaymentRequest {
        order_id: order_id.into(),
        payment_detail: upi(&format!("asha{DECLINED_VPA_SUFFIX}")),
        split_settlement: None,
    };
    let transaction = client
        .submit_payment()
        .body(declined)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(transaction.status, Some(PaymentStatus::Failed));
    let order = order_of(&client, order_id).await;
    assert_eq!(order.status, Some(OrderStatus::Attempted));
    let refund = client
        .refund_transaction()
        .transaction_id(transaction.transaction_id.unwrap())
        .body(refund("1", "NOPE"))
        .send()
        .await
        .payload();
    assert!(
        matches!(
            refund,
            Err(ref e) if e.response_code() == Some(codes::NOT_REFUNDABLE)
        ),
        "{refund:?}"
    );

    // A second attempt succeeds; a third is refused because the order is paid.
    let retry = SubmitPaymentRequest {
        order_id: order_id.into(),
        payment_detail: upi("asha@okbank"),
        split_settlement: None,
    };
    client
        .submit_payment()
        .body(retry.clone())
        .send()
        .await
        .payload()
        .unwrap();
    let again = client.submit_payment().body(retry).send().await.payload();
    assert!(
        matches!(
            again,
            Err(ref e) if e.response_code() == Some(codes::ORDER_NOT_PAYABLE)
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn requests_stay_strict_and_errors_name_the_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    // A payment mode the spec does not list, or UPI without a VPA, cannot even be built: the
    // type is one variant per mode with that mode's required fields. Reading one fails too,
    // naming what is wrong. (The sandbox refuses both over raw HTTP: see tests/contract.rs.)
    for (body, problem) in [
        (json!({"paymentMode": "CRYPTO"}), "CRYPTO"),
        (json!({"paymentMode": "UPI"}), "vpa"),
        (json!({"paymentMode": "NET_BANKING"}), "bankCode"),
    ] {
        let error = serde_json::from_value::<PaymentDetail>(body).unwrap_err();
        assert!(error.to_string().contains(problem), "{error}");
    }

    // Unknown ids. (An amount with sub-paise digits cannot even be built: see `Rupees`.)
    let error = client
        .get_transaction_status()
        .transaction_id("TXN_NONE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn settlement_payouts_can_be_read_and_searched() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let payout = client
        .get_settlement_payout()
        .settlement_payout_id("SP_SANDBOX_0001")
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(
        payout.total_sale_amount,
        Some(Rupees::from_paise(1_500_000))
    );
    let search = SettlementPayoutSearch {
        total_sale_amount_from: Some(Rupees::from_paise(1_000_000)),
        ..Default::default()
    };
    let found = client
        .search_settlement_payouts()
        .limit(10)
        .body(search)
        .send()
        .await
        .payload()
        .unwrap();
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["settlementPayoutId"].as_str())
        .collect();
    assert_eq!(ids, ["SP_SANDBOX_0001"]);
}

#[tokio::test]
async fn a_payment_is_split_between_active_split_accounts() {
    use enkash::types::{
        EditSplitTransactionRequest, PercentageSplitShare, SettlementCycle, SplitAccountUpdate,
        SplitSettlement,
    };
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);

    let update: SplitAccountUpdate = SplitAccountUpdate::builder()
        .access_key(enkash::SecretString::from(Sandbox::SPLIT_ACCESS_KEY))
        .settlement_cycle(Some(SettlementCycle::T0))
        .try_into()
        .unwrap();
    let account = client
        .update_split_account()
        .body(update)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(account["settlementCycle"], "T0");
    assert!(account.get("accessKey").is_none(), "the key is not echoed");

    let paid = order_of(&client, Sandbox::PAID_ORDER_ID).await;
    let transaction_id = paid.transactions[0].transaction_id.clone().unwrap();
    let split = |account: &str, value: &str| EditSplitTransactionRequest {
        split_settlement: SplitSettlement::Percentage(vec![PercentageSplitShare {
            split_account_id: account.into(),
            label: Some("vendor".into()),
            value: value.parse().unwrap(),
        }]),
    };
    let edit = |account: String, value: &'static str| {
        let (client, transaction_id) = (client.clone(), transaction_id.clone());
        async move {
            let request = split(&account, value);
            let sent = client
                .edit_split_settlement()
                .transaction_id(transaction_id)
                .body(request);
            sent.send().await.payload()
        }
    };
    let done = edit(Sandbox::SPLIT_ACCOUNT_ID.to_string(), "80.0")
        .await
        .unwrap();
    assert_eq!(done["transactionId"], transaction_id.as_str());

    let too_much = edit(Sandbox::SPLIT_ACCOUNT_ID.to_string(), "100.5").await;
    assert!(
        matches!(
            too_much,
            Err(ref e) if e.response_code() == Some(codes::SPLIT_EXCEEDS_PAYMENT)
        ),
        "{too_much:?}"
    );

    // An inactive account cannot receive a split until it is activated.
    let inactive = edit("SAD_SANDBOX_INACTIVE".to_string(), "10.0").await;
    assert!(
        matches!(
            inactive,
            Err(ref e) if e.response_code() == Some(codes::UNKNOWN_SPLIT_ACCOUNT)
        ),
        "{inactive:?}"
    );
    let activated = client
        .activate_split_account()
        .split_account_detail_id("SAD_SANDBOX_INACTIVE")
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(activated["active"], true);
    edit("SAD_SANDBOX_INACTIVE".to_string(), "10.0")
        .await
        .unwrap();
}

#[tokio::test]
async fn thirty_paise_refunded_in_three_dimes_is_exactly_refunded() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let order = client
        .create_order()
        .body(order_request("INVDIMES", "0.30", None))
        .send()
        .await
        .payload()
        .unwrap();
    let paid = order.amount.unwrap();
    assert_eq!(paid, Rupees::from_paise(30));
    let transaction = client
        .submit_payment()
        .body(SubmitPaymentRequest {
            order_id: order.order_id.unwrap(),
            payment_detail: upi("asha@okbank"),
            split_settlement: None,
        })
        .send()
        .await
        .payload()
        .unwrap();
    let id = transaction.transaction_id.unwrap();

    // With f64, 0.1 + 0.1 + 0.1 > 0.3 and the third refund would be refused.
    let mut refunds = Vec::new();
    for request_id in ["D1", "D2", "D3"] {
        let refund = refund_of(&client, &id, "0.10", request_id).await.unwrap();
        refunds.push(refund.amount.unwrap());
    }
    assert_eq!(Rupees::checked_sum(refunds), Some(paid));
    let status = client
        .get_transaction_status()
        .transaction_id(&id)
        .send()
        .await
        .payload()
        .unwrap()
        .status;
    assert_eq!(status, Some(PaymentStatus::Refunded));
    let one_paisa_more = refund_of(&client, &id, "0.01", "D4").await;
    assert!(
        matches!(
            one_paisa_more,
            Err(ref e) if e.response_code() == Some(codes::NOT_REFUNDABLE)
        ),
        "{one_paisa_more:?}"
    );
}
