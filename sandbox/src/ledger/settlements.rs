//! Settlement payouts on the books: the seeded payouts with the sandbox's made-up terms, one
//! by id, and the search.

use enkash::Rupees;

use super::books::Ledger;
use super::terms::Refusal;
use enkash::types::{PayoutStatus, SettlementPayout, SettlementPayoutSearch};

impl Ledger {
    pub(crate) fn payout(&self, id: &str) -> Result<SettlementPayout, Refusal> {
        self.payouts
            .iter()
            .find(|p| p.settlement_payout_id.as_deref() == Some(id))
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("No settlement payout {id}")))
    }

    pub(crate) fn search_payouts(
        &self,
        filter: &SettlementPayoutSearch,
        offset: usize,
        limit: usize,
    ) -> Vec<SettlementPayout> {
        let in_range = |value: Option<Rupees>, from: Option<Rupees>, to: Option<Rupees>| {
            let value = value.unwrap_or_default();
            from.is_none_or(|f| value >= f) && to.is_none_or(|t| value <= t)
        };
        self.payouts
            .iter()
            .filter(|p| {
                let id = p.settlement_payout_id.as_deref().unwrap_or_default();
                filter
                    .settlement_payout_id
                    .as_deref()
                    .is_none_or(|wanted| wanted == id)
                    && (filter.settlement_payout_ids.is_empty()
                        || filter.settlement_payout_ids.iter().any(|w| w == id))
                    && in_range(
                        p.total_sale_amount,
                        filter.total_sale_amount_from,
                        filter.total_sale_amount_to,
                    )
                    && in_range(
                        p.total_refund_amount,
                        filter.total_refund_amount_from,
                        filter.total_refund_amount_to,
                    )
                    && in_range(
                        p.total_charges,
                        filter.total_charges_from,
                        filter.total_charges_to,
                    )
                    && in_range(p.total_gst, filter.total_gst_from, filter.total_gst_to)
                    && in_range(
                        p.total_settlement_amount,
                        filter.total_settlement_amount_from,
                        filter.total_settlement_amount_to,
                    )
            })
            .skip(offset)
            .take(limit)
            .cloned()
            .collect()
    }
}

/// `amount` times `numerator / denominator`, rounded to the nearest paisa (half away from zero),
/// as a bank computes a fee.
pub(crate) fn share(amount: Rupees, numerator: i64, denominator: i64) -> Rupees {
    let scaled = i128::from(amount.paise()) * i128::from(numerator);
    let half = i128::from(denominator) / 2 * scaled.signum();
    let paise = (scaled + half) / i128::from(denominator);
    Rupees::from_paise(i64::try_from(paise).unwrap_or(i64::MAX))
}

/// A payout with the sandbox's made-up terms: 1.8% charges, 18% GST on the charges.
pub(crate) fn payout(id: &str, sales: Rupees, refunds: Rupees) -> SettlementPayout {
    let charges = share(sales, 18, 1000);
    let gst = share(charges, 18, 100);
    let deductions = Rupees::checked_sum([refunds, charges, gst]);
    let settled = deductions.and_then(|d| sales.checked_sub(d));
    SettlementPayout {
        settlement_payout_id: Some(id.to_string()),
        total_sale_amount: Some(sales),
        total_refund_amount: Some(refunds),
        total_charges: Some(charges),
        total_gst: Some(gst),
        total_settlement_amount: settled,
        refund_chargeback_amount: Some(Rupees::ZERO),
        carry_forward_amount: Some(Rupees::ZERO),
        adjustment_amount: Some(Rupees::ZERO),
        payout_status: Some(PayoutStatus::Init),
    }
}
