//! The insurance fund: USDC, staked for shares, with a cooldown to leave.

use super::vaults::{SettlementAsset, Tokens};
use crate::{BlockNumber, Runtime};
use frame_support::{parameter_types, traits::ConstU128, PalletId};

/// Thirty days: the longest cooldown governance may set.
pub const MAX_COOLDOWN_BLOCKS: BlockNumber = 30 * crate::constants::DAYS;

parameter_types! {
	/// Derives the fund account (`modlclr/insr…`).
	pub const InsurancePalletId: PalletId = PalletId(*b"clr/insr");
	pub const MaxCooldown: BlockNumber = MAX_COOLDOWN_BLOCKS;
	/// A matured request may be paid out for a day; then it lapses.
	pub const ClaimWindow: BlockNumber = crate::constants::DAYS;
}

impl pallet_insurance::Config for Runtime {
	type Assets = Tokens;
	type SettlementAsset = SettlementAsset;
	type PalletId = InsurancePalletId;
	// One USDC: with a floor on stakes, rounding can never be turned against the fund.
	type MinStake = ConstU128<1_000_000>;
	type MaxCooldown = MaxCooldown;
	type ClaimWindow = ClaimWindow;
	type WeightInfo = pallet_insurance::weights::SubstrateWeight<Runtime>;
}
