//! Split settlement in the sandbox's books: split (sub-merchant) accounts (created active,
//! inferred from the Activate page's "a previously deactivated account"; a deactivated one
//! takes no split until activated again), and the split of a payment between them, set with
//! the payment or edited after it.

use serde_json::{json, Value};

use super::books::Ledger;
use super::orders::require_successful;
use super::terms::Refusal;

use crate::codes;
use enkash::types::{EditSplitTransactionRequest, SplitAccountUpdate, SplitSettlement};
use enkash::{Decimal, Rupees};

use super::books::SplitAccount;
use enkash::types::SplitAccountCreate;

impl Ledger {
    pub(crate) fn update_split_account(
        &mut self,
        update: SplitAccountUpdate,
    ) -> Result<Value, Refusal> {
        let key = update.access_key.expose_secret().to_string();
        let account = self
            .split_accounts
            .iter_mut()
            .find(|a| a.access_key == key)
            .ok_or_else(|| Refusal::NotFound("No split account with that accessKey".into()))?;
        let Value::Object(mut fields) = serde_json::to_value(&update).unwrap_or_default() else {
            return Err(Refusal::Invalid("the update is not an object".into()));
        };
        fields.remove("accessKey");
        account.details.extend(fields);
        Ok(account.view())
    }

    pub(crate) fn activate_split_account(&mut self, id: &str) -> Result<Value, Refusal> {
        let account = self
            .split_accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("No split account {id}")))?;
        account.active = true;
        Ok(account.view())
    }

    pub(crate) fn edit_split(
        &mut self,
        transaction_id: &str,
        request: EditSplitTransactionRequest,
    ) -> Result<Value, Refusal> {
        let transaction = self.transaction(transaction_id)?;
        require_successful(&transaction, codes::NOT_SPLITTABLE, "split")?;
        let split = &request.split_settlement;
        self.check_split(split, transaction.amount.unwrap_or_default())?;
        let recorded = json!({"transactionId": transaction_id, "splitSettlement": split});
        self.splits
            .insert(transaction_id.to_string(), recorded.clone());
        Ok(recorded)
    }

    /// A split the books can apply to a payment of `paid`: every account known and active,
    /// the shares adding up to at most the whole.
    pub(super) fn check_split(&self, split: &SplitSettlement, paid: Rupees) -> Result<(), Refusal> {
        let accounts: Vec<&str> = match split {
            SplitSettlement::Flat(shares) => {
                shares.iter().map(|s| s.split_account_id.as_str()).collect()
            }
            SplitSettlement::Percentage(shares) => {
                shares.iter().map(|s| s.split_account_id.as_str()).collect()
            }
        };
        if accounts.is_empty() {
            return Err(Refusal::Invalid(
                "splitSettlement.splitSettlementDetails: at least one".into(),
            ));
        }
        for account in accounts {
            let active = self
                .split_accounts
                .iter()
                .any(|a| a.id == account && a.active);
            if !active {
                return Err(Refusal::Rule(
                    codes::UNKNOWN_SPLIT_ACCOUNT,
                    format!("Split account {account} is unknown or inactive"),
                ));
            }
        }
        let exceeds = match split {
            // A percentage is not money, but it is exact: shares of 100 add up without a float.
            SplitSettlement::Percentage(shares) => {
                let hundred = Decimal::new(100, 0).unwrap_or_default();
                match Decimal::checked_sum(shares.iter().map(|s| s.value)) {
                    Some(total) if total <= hundred => None,
                    total => Some(format!(
                        "{}%, more than 100%",
                        total.map_or("too much".to_string(), |t| t.to_string())
                    )),
                }
            }
            SplitSettlement::Flat(shares) => {
                match Rupees::checked_sum(shares.iter().map(|s| s.value)) {
                    Some(total) if total <= paid => None,
                    total => Some(format!(
                        "{}, more than the payment's {paid}",
                        total.map_or("too much".to_string(), |t| t.to_string())
                    )),
                }
            }
        };
        if let Some(exceeds) = exceeds {
            return Err(Refusal::Rule(
                codes::SPLIT_EXCEEDS_PAYMENT,
                format!("The split adds up to {exceeds}"),
            ));
        }
        Ok(())
    }
}

impl Ledger {
    /// Create Split Settlement Account: active, with the fields sent. Its access key is the
    /// sandbox's own and is never answered (EnKash does not document how one is issued).
    pub(crate) fn create_split_account(
        &mut self,
        request: SplitAccountCreate,
    ) -> Result<Value, Refusal> {
        let Value::Object(details) = serde_json::to_value(&request).unwrap_or_default() else {
            return Err(Refusal::Invalid("the account is not an object".into()));
        };
        let id = self.next("SAD");
        let account = SplitAccount {
            access_key: format!("AK_SPLIT_{id}"),
            id,
            active: true,
            details,
        };
        let view = account.view();
        self.split_accounts.push(account);
        Ok(view)
    }

    /// Deactivate Split Settlement Account; deactivating an inactive account changes nothing.
    pub(crate) fn deactivate_split_account(&mut self, id: &str) -> Result<Value, Refusal> {
        let account = self
            .split_accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("No split account {id}")))?;
        account.active = false;
        Ok(account.view())
    }
}
