//! What the vaults store.

use clearing_primitives::Balance;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Permill;

pub use clearing_primitives::haircut::{HaircutCurve, HaircutInForce, HaircutTerm};

/// How the vaults treat one collateral asset. Set by root.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct CollateralConfig {
	/// The share of the asset's market value not counted as collateral (below 100%).
	pub haircut: Permill,
	/// Most of the asset all subaccounts together may hold, in its smallest unit.
	pub deposit_cap: Balance,
	/// Smallest deposit, in its smallest unit (above zero: no dust deposits).
	pub min_deposit: Balance,
	/// Decimals of the asset: a price is per whole unit, amounts are in the smallest one.
	pub decimals: u8,
	/// Whether deposits are accepted. Withdrawals and transfers never stop.
	pub enabled: bool,
}
