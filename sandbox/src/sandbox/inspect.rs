//! What a test reads from the sandbox's books directly, beside the API's own look-ups: to count
//! what really happened (one charge, one refund) after a call whose answer was lost.

use super::Sandbox;
use enkash::types::{Order, Refund};

impl Sandbox {
    /// The order as the sandbox holds it, with every payment attempt in `transactions`
    /// (what `get_order_status` answers); `None` for an unknown id. Read directly, so it does
    /// not count as a call.
    pub fn order(&self, order_id: &str) -> Option<Order> {
        self.state.lock().ledger.order(order_id).ok()
    }

    /// The refunds made against a transaction, oldest first: one per `requestId`, however
    /// often the same refund was sent.
    pub fn refunds(&self, transaction_id: &str) -> Vec<Refund> {
        self.state.lock().ledger.refunds_of(transaction_id)
    }

    /// Requests met by [`CallFault::TakenAnswerLost`](crate::CallFault::TakenAnswerLost) that
    /// have not been performed yet: 0 once every lost answer's effect has landed.
    pub fn landings_pending(&self) -> u64 {
        self.state.landings.pending()
    }
}
