//! What the insurance fund offers the trading pallets: revenue in, bad debt out.

use crate::{collateral::Subaccount, Balance, SignedBalance};
use sp_runtime::{DispatchError, DispatchResult, Weight};

/// The fund that absorbs losses a liquidation cannot cover. Amounts are in the settlement
/// asset's smallest unit.
pub trait InsuranceFund<AccountId> {
	/// Pays `amount` of `from`'s settlement balance into the fund as revenue (the book's fee
	/// share, a liquidation penalty): the ledger's payment and the fund's booking in one step,
	/// or neither. Raises the share price. `from` may go negative, as for any settlement
	/// payment; fails, changing nothing, if the ledger cannot pay. Its weight is the callers'
	/// (their benchmarks pay revenue through the runtime's fund).
	fn receive_revenue(from: &Subaccount<AccountId>, amount: Balance) -> DispatchResult;

	/// Pays bad debt to `to`: `amount`, or what the fund holds if less. Returns what was
	/// paid; the rest is for deleveraging.
	fn cover(to: &AccountId, amount: Balance) -> Result<Balance, DispatchError>;

	/// What the fund holds for its stakers.
	fn fund_balance() -> Balance;

	/// The account that holds the fund.
	fn account() -> AccountId;
}

/// What the protocol holds outside the fund's balance and the fund answers for: the
/// backstop's equity at the mark (its taken-over positions and seized collateral; negative
/// while it carries a loss not yet realized).
pub trait BackstopEquity {
	/// The backstop's equity now, settlement units; an error if it cannot be read (the fund
	/// then prices nothing).
	fn backstop_equity() -> Result<SignedBalance, DispatchError>;

	/// The worst-case weight of one `backstop_equity`.
	fn backstop_equity_weight() -> Weight;
}

/// No backstop: nothing held outside the fund.
impl BackstopEquity for () {
	fn backstop_equity() -> Result<SignedBalance, DispatchError> {
		Ok(0)
	}

	fn backstop_equity_weight() -> Weight {
		Weight::zero()
	}
}
