//! Collateral vaults: every token by its shared asset id, valued by the oracle, guarded by the
//! margin engine.

use crate::{AccountId, Assets, Balances, Margin, Oracle, Runtime};
use clearing_primitives::{AssetId, NativeOrAsset, USDC_ASSET_ID};
use frame_support::{
	parameter_types,
	traits::{fungible::UnionOf, ConstU32},
	PalletId,
};

/// Every token on the chain under one `fungibles` interface: asset id 0 is CLR in
/// pallet-balances, any other id is in pallet-assets.
pub type Tokens = UnionOf<Balances, Assets, NativeOrAsset, AssetId, AccountId>;

parameter_types! {
	/// Derives the vault account (`modlclr/vlts…`).
	pub const VaultsPalletId: PalletId = PalletId(*b"clr/vlts");
	pub const SettlementAsset: AssetId = USDC_ASSET_ID;
}

impl pallet_vaults::Config for Runtime {
	type Assets = Tokens;
	type Prices = Oracle;
	// Withdrawals and transfers keep the subaccount above its initial requirement.
	type MarginGuard = Margin;
	type PalletId = VaultsPalletId;
	type SettlementAsset = SettlementAsset;
	type MaxCollateralAssets = ConstU32<16>;
	type WeightInfo = pallet_vaults::weights::SubstrateWeight<Runtime>;
}
