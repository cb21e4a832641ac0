//! How the margin engine and the vaults talk: subaccounts, collateral values and the margin
//! check a withdrawal must pass.

use crate::{AssetId, Balance, SignedBalance};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult, Weight};

/// The number that tells one owner's subaccounts apart.
pub type SubaccountNumber = u16;

/// The unit of margin: an owner's numbered subaccount. Each is cross-margined over its own
/// positions; isolated margin is one market per subaccount.
#[derive(
	Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub struct Subaccount<AccountId> {
	/// The account that signs for it.
	pub owner: AccountId,
	/// Which of the owner's subaccounts.
	pub number: SubaccountNumber,
}

/// A subaccount of a FRAME runtime's accounts.
pub type SubaccountOf<T> = Subaccount<<T as frame_system::Config>::AccountId>;

impl<AccountId> Subaccount<AccountId> {
	pub fn new(owner: AccountId, number: SubaccountNumber) -> Self {
		Self { owner, number }
	}
}

/// Which prices value collateral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Valuation {
	/// For taking on risk (orders, withdrawals): only fresh prices count; collateral whose
	/// price is stale or flagged is worth zero.
	Opening,
	/// For maintenance and liquidation: the last price counts whatever its status, so a
	/// halted feed never makes a healthy account look liquidatable.
	Maintenance,
}

/// The vaults' side of the margin engine: what a subaccount's collateral is worth and how
/// settlement-asset amounts (PnL, fees, funding) move. Amounts are in the settlement asset's
/// smallest unit.
pub trait CollateralLedger<AccountId> {
	/// The haircut value of all of `subaccount`'s collateral, rounded down; the settlement
	/// balance counts at face value, negative when owed.
	fn collateral_value(
		subaccount: &Subaccount<AccountId>,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError>;

	/// A lower bound of [`Self::collateral_value`] that reads less: the value of the
	/// settlement balance alone, as every other holding is worth zero or more. By default the
	/// whole value.
	fn settlement_value(
		subaccount: &Subaccount<AccountId>,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError> {
		Self::collateral_value(subaccount, valuation)
	}

	/// The settlement balance of `subaccount` (negative when it owes).
	fn settlement_balance(subaccount: &Subaccount<AccountId>) -> SignedBalance;

	/// Moves settlement asset between two subaccounts (trade cash flows, PnL, funding). The
	/// tokens stay in the vault and `from` may go negative: the margin engine, not the
	/// ledger, decides what a subaccount may owe.
	fn move_settlement(
		from: &Subaccount<AccountId>,
		to: &Subaccount<AccountId>,
		amount: Balance,
	) -> DispatchResult;

	/// Pays settlement asset out of `from` to an outside account (fees, penalties); `from`
	/// may go negative, as for `move_settlement`.
	fn pay_out(from: &Subaccount<AccountId>, to: &AccountId, amount: Balance) -> DispatchResult;

	/// Pays settlement asset from an outside account into `to` (a backstop covering a loss).
	fn pay_in(from: &AccountId, to: &Subaccount<AccountId>, amount: Balance) -> DispatchResult;

	/// The assets other than the settlement asset that `subaccount` holds (at most the
	/// registry's bound): whose prices its collateral value depends on.
	fn collateral_assets(subaccount: &Subaccount<AccountId>) -> Vec<AssetId>;

	/// Moves all of `from`'s collateral other than the settlement asset to `to` (liquidation
	/// seizing what backs a debt); returns what it was worth under `valuation`. The tokens
	/// stay in the vault.
	fn seize_collateral(
		from: &Subaccount<AccountId>,
		to: &Subaccount<AccountId>,
		valuation: Valuation,
	) -> Result<Balance, DispatchError>;

	/// Up to `limit` subaccounts with a settlement debt, after the raw storage key `start`
	/// (from the first if `None`), and the key to resume from (`None`: none left). For the
	/// keeper, which must find debtors that hold no position.
	fn debtors(
		start: Option<Vec<u8>>,
		limit: u32,
	) -> (Vec<Subaccount<AccountId>>, Option<Vec<u8>>);
}

/// The margin engine's answer to "may this subaccount's collateral shrink?". The vaults ask
/// it after lowering a subaccount's collateral, inside the same transactional call.
pub trait MarginGuard<AccountId> {
	/// `Ok` if `subaccount` still meets its initial requirement with the collateral it holds
	/// now (or holds no risk at all).
	fn ensure_initial_margin(subaccount: &Subaccount<AccountId>) -> DispatchResult;

	/// The worst-case weight of one `ensure_initial_margin`.
	fn ensure_initial_margin_weight() -> Weight;
}

/// Until the margin engine exists: no positions, so every subaccount meets its requirement.
impl<AccountId> MarginGuard<AccountId> for () {
	fn ensure_initial_margin(_: &Subaccount<AccountId>) -> DispatchResult {
		Ok(())
	}

	fn ensure_initial_margin_weight() -> Weight {
		Weight::zero()
	}
}
