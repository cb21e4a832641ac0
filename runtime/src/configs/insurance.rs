//! The insurance fund: USDC, staked for shares, with a cooldown to leave.

use super::vaults::{SettlementAsset, Tokens};
use crate::{BlockNumber, Runtime};
use frame_support::{
	parameter_types,
	traits::{ConstU128, Get},
	PalletId,
};

/// Thirty days: the longest cooldown governance may set.
pub const MAX_COOLDOWN_BLOCKS: BlockNumber = 30 * crate::constants::DAYS;

parameter_types! {
	/// Derives the fund account (`modlclr/insr…`).
	pub const InsurancePalletId: PalletId = PalletId(*b"clr/insr");
	pub const MaxCooldown: BlockNumber = MAX_COOLDOWN_BLOCKS;
	/// A matured request may be paid out for a day; then it lapses.
	pub const ClaimWindow: BlockNumber = crate::constants::DAYS;
}

/// The backstop's equity at the last marks: what liquidation handed it (positions taken over,
/// collateral seized) less what it paid. Part of the fund's value.
pub struct LiquidationBackstop;
impl clearing_primitives::insurance::BackstopEquity for LiquidationBackstop {
	fn backstop_equity() -> Result<clearing_primitives::SignedBalance, sp_runtime::DispatchError> {
		let backstop = pallet_liquidation::Pallet::<Runtime>::backstop();
		pallet_margin::Pallet::<Runtime>::health(&backstop, clearing_primitives::collateral::Valuation::Maintenance)
			.map(|health| health.equity)
	}

	fn backstop_equity_weight() -> frame_support::weights::Weight {
		use clearing_primitives::positions::MarginAccounts;
		// The backstop may hold every market, option series included.
		let positions = <Runtime as pallet_margin::Config>::MaxMarkets::get();
		<crate::Margin as MarginAccounts<crate::AccountId>>::health_weight(positions)
	}
}

impl pallet_insurance::Config for Runtime {
	// Revenue is paid out of a subaccount's settlement balance in the vaults.
	type Ledger = crate::Vaults;
	type Backstop = LiquidationBackstop;
	type Assets = Tokens;
	type SettlementAsset = SettlementAsset;
	type PalletId = InsurancePalletId;
	// One USDC: with a floor on stakes, rounding can never be turned against the fund.
	type MinStake = ConstU128<1_000_000>;
	type MaxCooldown = MaxCooldown;
	type ClaimWindow = ClaimWindow;
	type WeightInfo = pallet_insurance::weights::SubstrateWeight<Runtime>;
}
