//! pallet-assets: the settlement stablecoin USDC and any other fungible collateral.

use crate::{constants::MILLI_UNIT, AccountId, AssetId, Balance, Balances, Runtime, RuntimeEvent};
use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, NeverEnsureOrigin},
};
use frame_system::EnsureRoot;

/// Smallest USDC balance an account may hold: one cent. USDC is a sufficient asset (an account
/// may hold it without CLR), so this floor is what stops dust accounts from bloating state.
pub const USDC_MIN_BALANCE: Balance = 10_000;

parameter_types! {
	pub const UsdcAssetId: AssetId = clearing_primitives::USDC_ASSET_ID;
}

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	// Listing an asset is a governance act on this chain (root's `force_create`), never a
	// user's: the permissionless `create` is closed.
	type CreateOrigin = AsEnsureOriginWithArg<NeverEnsureOrigin<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<{ 100 * crate::constants::UNIT }>;
	type AssetAccountDeposit = ConstU128<MILLI_UNIT>;
	type MetadataDepositBase = ConstU128<MILLI_UNIT>;
	type MetadataDepositPerByte = ConstU128<{ MILLI_UNIT / 100 }>;
	type ApprovalDeposit = ConstU128<MILLI_UNIT>;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
