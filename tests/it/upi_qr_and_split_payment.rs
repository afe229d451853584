//! The operations the second round of API notes made possible, through the generated client
//! against the sandbox: Get, Cancel and Search UPI QR, and a payment submitted with its split.

use crate::common::merchant::client_for;
use enkash::types::{
    Currency, PaymentDetail, PercentageSplitShare, QrCodeCancel, QrCodeSearch, QrCodeStatus,
    SplitSettlement, SubmitPaymentRequest,
};
use enkash::Payload;
use enkash_sandbox::{codes, Sandbox};

#[tokio::test]
async fn a_qr_code_is_read_cancelled_once_and_found_by_search() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let code = client
        .get_upi_qr()
        .qr_code_id(Sandbox::QR_CODE_ID)
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(code.status, Some(QrCodeStatus::Active));
    assert_eq!(code.qr_code_id.as_deref(), Some(Sandbox::QR_CODE_ID));

    let cancel = || {
        client
            .cancel_upi_qr()
            .qr_code_id(Sandbox::QR_CODE_ID)
            .body(QrCodeCancel::default())
            .send()
    };
    let cancelled = cancel().await.payload().unwrap();
    assert_eq!(cancelled.status, Some(QrCodeStatus::Cancelled));
    let modified = cancelled.modified_on.expect("a cancelled code says when");
    // Cancelling again changes nothing: the operation is marked safe to repeat.
    let again = cancel().await.payload().unwrap();
    assert_eq!(
        (again.status, again.modified_on),
        (Some(QrCodeStatus::Cancelled), Some(modified))
    );

    let found = client
        .search_upi_qrs()
        .limit(1)
        .body(QrCodeSearch(Default::default()))
        .send()
        .await
        .payload()
        .unwrap();
    let found = found.as_array().expect("the sandbox answers a list");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["status"], "CANCELLED");

    let missing = client
        .get_upi_qr()
        .qr_code_id("QR_NOPE")
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(missing.http_status(), Some(404));
}

fn split(percent_to_vendor: &str) -> SplitSettlement {
    SplitSettlement::Percentage(vec![PercentageSplitShare {
        split_account_id: Sandbox::SPLIT_ACCOUNT_ID.to_string(),
        label: Some("vendor".into()),
        value: percent_to_vendor.parse().unwrap(),
    }])
}

#[tokio::test]
async fn a_payment_can_carry_its_split_and_a_split_over_the_whole_is_refused_before_paying() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let order = client
        .create_order()
        .body(
            enkash::types::CreateOrderRequest::builder()
                .order_id("SPLIT1")
                .amount(enkash::types::Amount {
                    value: "1000".parse().unwrap(),
                    currency: Currency::Inr,
                }),
        )
        .send()
        .await
        .payload()
        .unwrap();
    let order_id = order.order_id.unwrap();
    let pay = |split: SplitSettlement| {
        client.submit_payment().body(SubmitPaymentRequest {
            order_id: order_id.clone(),
            payment_detail: PaymentDetail::NetBanking {
                bank_code: "HDFC".into(),
            },
            split_settlement: Some(split),
        })
    };

    let refused = pay(split("150")).send().await.payload().unwrap_err();
    assert_eq!(
        refused.response_code(),
        Some(codes::SPLIT_EXCEEDS_PAYMENT),
        "{refused}"
    );
    assert_eq!(
        client
            .get_order_status()
            .order_id(&order_id)
            .send()
            .await
            .payload()
            .unwrap()
            .transactions
            .len(),
        0,
        "a refused split took no payment"
    );

    let paid = pay(split("90")).send().await.payload().unwrap();
    assert_eq!(paid.status, Some(enkash::types::PaymentStatus::Success));
}
