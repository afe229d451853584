//! Customers, whose `customerId` a UPI QR code can name.

use super::{Ledger, Refusal};
use enkash::types::{Customer, CustomerCreate};

impl Ledger {
    /// Create Customer: the fields sent, and a new `customerId`.
    pub(crate) fn create_customer(&mut self, request: CustomerCreate) -> Result<Customer, Refusal> {
        let customer = Customer {
            customer_id: Some(self.next("CUST")),
            account_number: request.account_number,
            address: request.address,
            company_id: request.company_id,
        };
        self.customers.push(customer.clone());
        Ok(customer)
    }

    pub(super) fn has_customer(&self, id: &str) -> bool {
        self.customers
            .iter()
            .any(|c| c.customer_id.as_deref() == Some(id))
    }
}
