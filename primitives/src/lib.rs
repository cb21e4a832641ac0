//! Shared vocabulary of the Clearing runtime: ids, balances and the one conversion from a
//! position size at a price into a settlement-asset notional.
//!
//! Units, fixed once here:
//! - a **price** is USD per *whole* unit of an asset, as [`Price`] (`FixedU128`);
//! - a **size** is in the base asset's smallest unit (its decimals are market config);
//! - a **notional** is in the settlement asset's smallest unit (USDC, 6 decimals).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod black76;
mod normal_table;
pub mod collateral;
pub mod haircut;
pub mod insurance;
pub mod margin;
pub mod option_margin;
pub mod options;
pub mod oracle;
pub mod portfolio;
pub mod positions;
pub mod units;
pub mod volatility;

pub use margin::MarketId;
pub use units::{notional, NotionalError, Price, SETTLEMENT_DECIMALS};

/// Identifies a fungible asset in `pallet-assets` (and the oracle's price feeds).
pub type AssetId = u32;

/// A token amount in an asset's smallest unit.
pub type Balance = u128;

/// A settlement-asset amount that may be owed: a subaccount's settlement balance goes
/// negative when it buys on margin (PnL, fees and funding settle into it).
pub type SignedBalance = i128;

/// The native token CLR, in the shared asset-id space (oracle prices, collateral).
pub const CLR_ASSET_ID: AssetId = 0;
/// The settlement stablecoin's asset id: PnL, fees and funding settle in it.
pub const USDC_ASSET_ID: AssetId = 1;
/// Bitcoin, as priced by the oracle (a perpetual's base asset; 8 decimals).
pub const BTC_ASSET_ID: AssetId = 2;
/// Ether (18 decimals).
pub const ETH_ASSET_ID: AssetId = 3;
/// Polkadot's DOT (10 decimals).
pub const DOT_ASSET_ID: AssetId = 4;

/// Bitcoin's implied volatility, as the oracle quotes it (0.6 for 60%): option marks read it.
pub const BTC_VOLATILITY_ASSET_ID: AssetId = 1_002;
/// Ether's implied volatility.
pub const ETH_VOLATILITY_ASSET_ID: AssetId = 1_003;

/// Decimals of the settlement stablecoin USDC.
pub const USDC_DECIMALS: u8 = SETTLEMENT_DECIMALS;

/// Splits the shared asset-id space between the native token (`CLR_ASSET_ID`, held by
/// `pallet-balances`) and `pallet-assets` (every other id), for `fungible::UnionOf`.
pub struct NativeOrAsset;

impl sp_runtime::traits::Convert<AssetId, sp_runtime::Either<(), AssetId>> for NativeOrAsset {
	fn convert(asset: AssetId) -> sp_runtime::Either<(), AssetId> {
		if asset == CLR_ASSET_ID {
			sp_runtime::Either::Left(())
		} else {
			sp_runtime::Either::Right(asset)
		}
	}
}
