//! The fuzz target's way into the sandbox: a request body parsed exactly as the routes parse
//! it, then applied to freshly seeded books, so both the parsing and the business rules meet
//! arbitrary input.

use super::ledger::{Ledger, Refusal};
use super::Sandbox;
use crate::http::respond::parse;
use enkash::types::{
    CreateOrderRequest, EditSplitTransactionRequest, RefundRequest, SettlementPayoutSearch,
    SplitAccountUpdate, SubmitPaymentRequest, TokenRequest,
};

/// Parses `body` as the request of the operation `selector` picks and applies it; whether the
/// sandbox accepted it.
pub fn sandbox_request(selector: u8, body: &[u8]) -> bool {
    let mut ledger = Ledger::seeded();
    ledger.seed_orders("AK_FUZZ", "http://127.0.0.1:9");
    let paid = ledger
        .order(Sandbox::PAID_ORDER_ID)
        .ok()
        .and_then(|order| order.transactions.into_iter().next())
        .and_then(|transaction| transaction.transaction_id)
        .unwrap_or_default();
    let outcome: Result<(), Refusal> = match selector % 7 {
        0 => parse::<TokenRequest>(body).map(drop),
        1 => parse::<CreateOrderRequest>(body)
            .and_then(|request| ledger.create_order(request, "AK_FUZZ", "http://127.0.0.1:9"))
            .map(drop),
        2 => parse::<SubmitPaymentRequest>(body)
            .and_then(|request| ledger.submit_payment(request))
            .map(drop),
        3 => parse::<RefundRequest>(body)
            .and_then(|request| ledger.refund(&paid, request))
            .map(drop),
        4 => parse::<SettlementPayoutSearch>(body).map(|filter| {
            ledger.search_payouts(&filter, 0, 50);
        }),
        5 => parse::<SplitAccountUpdate>(body)
            .and_then(|update| ledger.update_split_account(update))
            .map(drop),
        _ => parse::<EditSplitTransactionRequest>(body)
            .and_then(|request| ledger.edit_split(&paid, request))
            .map(drop),
    };
    outcome.is_ok()
}
