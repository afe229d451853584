//! Creating and deactivating split accounts. A new account is active (inferred from the
//! Activate page's "a previously deactivated account"); a deactivated one takes no split
//! until activated again (`check_split` refuses it with `UNKNOWN_SPLIT_ACCOUNT`).

use serde_json::Value;

use super::books::SplitAccount;
use super::{Ledger, Refusal};
use enkash::types::SplitAccountCreate;

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
