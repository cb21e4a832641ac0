//! `VaultsApi`: a subaccount's collateral for clients
//! (`api.call.vaultsApi.collateral(owner, number)` in polkadot.js).

use alloc::vec::Vec;
use clearing_primitives::{collateral::SubaccountNumber, AssetId, Balance, SignedBalance};
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// One asset a subaccount holds.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AssetCollateral {
	pub asset: AssetId,
	/// In the asset's smallest unit; the settlement asset's is negative when owed.
	pub amount: SignedBalance,
	/// What it counts for when taking on risk: settlement units after the haircut, at the
	/// fresh oracle price (zero when the price is stale, flagged or missing).
	pub value: SignedBalance,
	/// The haircut in force on this holding, and why (`None` for an unregistered asset).
	pub haircut: Option<crate::HaircutInForce>,
}

/// A subaccount's collateral.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubaccountCollateral {
	pub assets: Vec<AssetCollateral>,
	/// Σ value, settlement units.
	pub total_value: SignedBalance,
}

sp_api::decl_runtime_apis! {
	/// Collateral as the vaults hold it now. Version 2 adds `haircut` and each holding's
	/// haircut in force.
	#[api_version(2)]
	pub trait VaultsApi<AccountId: Codec> {
		/// What `owner`'s subaccount `number` holds, per asset, with its haircut value.
		fn collateral(owner: AccountId, number: SubaccountNumber) -> SubaccountCollateral;
		/// The haircut a holding of `holding` smallest units of `asset` would be charged now
		/// (the floor, the volatility term, the size weight, which binds): what a deposit
		/// bringing the holding to `holding` would count for, before it is signed. `None` if
		/// `asset` is not collateral.
		#[api_version(2)]
		fn haircut(asset: AssetId, holding: Balance) -> Option<crate::HaircutInForce>;
	}
}
