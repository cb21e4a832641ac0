//! The insurance fund: a balance booked in storage, held in the outside account [`FUND`]
//! of the shared ledger, so what it booked and what it was paid can be compared.

use crate::{
	ledger::{account_balance, credit_account, transfer_account},
	store::{get, put},
	AccountId, MockLedger,
};
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount},
	insurance::InsuranceFund,
	Balance,
};
use sp_runtime::{DispatchError, DispatchResult};

/// The fund's account in the ledger.
pub const FUND: AccountId = 999;

/// The fund every mock runtime pays revenue into and draws cover from.
pub struct MockFund;

impl InsuranceFund<AccountId> for MockFund {
	/// Through the shared ledger, as the runtime's fund pays through the vaults.
	fn receive_revenue(from: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		MockLedger::pay_out(from, &FUND, amount)?;
		put(b"mock-fund", fund_balance() + amount);
		Ok(())
	}

	fn cover(to: &AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let paid = amount.min(fund_balance());
		transfer_account(FUND, *to, paid)?;
		put(b"mock-fund", fund_balance() - paid);
		Ok(paid)
	}

	fn fund_balance() -> Balance {
		fund_balance()
	}

	fn account() -> AccountId {
		FUND
	}
}

/// What the fund has booked.
pub fn fund_balance() -> Balance {
	get(b"mock-fund")
}

/// Puts `amount` in the fund from outside (counted as minted).
pub fn seed_fund(amount: Balance) {
	put(b"mock-fund", fund_balance() + amount);
	credit_account(FUND, amount);
}

/// What the fund booked, and what its account holds: they agree unless a step was dropped.
pub fn fund_revenue() -> (Balance, Balance) {
	(fund_balance(), account_balance(FUND))
}
