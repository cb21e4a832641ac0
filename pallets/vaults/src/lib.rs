//! # Vaults
//!
//! Custody of traders' collateral, per subaccount.
//!
//! - Root keeps a registry of collateral assets: haircut, deposit cap, minimum deposit,
//!   decimals, enabled. An asset may also have a haircut curve
//!   ([`clearing_primitives::haircut`]): its registered haircut is then a floor, raised by the
//!   asset's realized volatility and by the size of a holding against a liquidity depth.
//! - A trader's subaccount is `(signer, number)`. `deposit` moves tokens from the signer into
//!   the vault account (derived from `PalletId`) and credits the subaccount; `withdraw` pays
//!   them back; `transfer` moves collateral between two of the signer's subaccounts. Tokens
//!   are moved, never minted. `withdraw` and `transfer` ask the margin engine
//!   ([`clearing_primitives::collateral::MarginGuard`]) whether the subaccount still meets its
//!   initial requirement, inside the same call: a refusal changes nothing.
//! - The margin engine values collateral and settles PnL, fees and funding through
//!   [`clearing_primitives::collateral::CollateralLedger`], implemented here; liquidation
//!   seizes the collateral behind a debt through it, and finds debtors in `Debtors` (every
//!   subaccount whose settlement balance is negative, positions or not).
//! - The vault account keeps each asset's minimum balance as an existential reserve (minted
//!   at genesis, or funded before root registers a new asset), so paying out the last unit
//!   of collateral never reaps it. Everything above the reserve is owed to subaccounts.
//!
//! Clients read a subaccount through the `VaultsApi` runtime API ([`runtime_api`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
mod ledger;
pub mod migrations;
pub mod runtime_api;
pub mod types;
pub mod valuation;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use clearing_primitives::{
		collateral::{MarginGuard, Subaccount, SubaccountNumber},
		oracle::PriceProvider,
		AssetId, Balance, SignedBalance,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungibles, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;

	pub use clearing_primitives::collateral::SubaccountOf;

	/// v1: `OwnerHoldings`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Every token the vaults can hold (the native token and `pallet-assets` assets).
		type Assets: fungibles::Mutate<Self::AccountId, AssetId = AssetId, Balance = Balance>;

		/// Index prices that value non-settlement collateral.
		type Prices: PriceProvider;

		/// The margin engine's check that a subaccount may lose collateral.
		type MarginGuard: MarginGuard<Self::AccountId>;

		/// Derives the vault account that holds every deposit.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The asset PnL, fees and funding settle in; valued at face, never by the oracle.
		#[pallet::constant]
		type SettlementAsset: Get<AssetId>;

		/// Most collateral assets the registry holds; bounds every per-subaccount loop.
		#[pallet::constant]
		type MaxCollateralAssets: Get<u32>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;
	}

	/// The collateral registry.
	#[pallet::storage]
	pub type CollateralAssets<T: Config> =
		CountedStorageMap<_, Twox64Concat, AssetId, CollateralConfig, OptionQuery>;

	/// What each subaccount holds, per asset (no zero entries). Only the settlement asset
	/// can be negative: a debt the margin engine ran up (buying on margin, fees, funding).
	#[pallet::storage]
	pub type Collateral<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		SubaccountOf<T>,
		Twox64Concat,
		AssetId,
		SignedBalance,
		OptionQuery,
	>;

	/// Subaccounts whose settlement balance is negative: what lets liquidation find a debt
	/// that no position shows.
	#[pallet::storage]
	pub type Debtors<T: Config> = StorageMap<_, Blake2_128Concat, SubaccountOf<T>, (), OptionQuery>;

	/// Per collateral asset (never the settlement asset), how its haircut follows its
	/// realized volatility and a holding's size; none: the registered haircut alone.
	#[pallet::storage]
	pub type HaircutCurves<T: Config> = StorageMap<_, Twox64Concat, AssetId, HaircutCurve, OptionQuery>;

	/// Per owner and non-settlement asset, what all its subaccounts hold together: the size
	/// a holding's weight is measured at for opening risk, so splitting a holding over
	/// subaccounts does not lighten its haircut.
	#[pallet::storage]
	pub type OwnerHoldings<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, AssetId, Balance, ValueQuery>;

	/// Σ collateral of every subaccount (debts netted), per asset: what the vault owes, and
	/// what the cap limits.
	#[pallet::storage]
	pub type TotalCollateral<T: Config> =
		StorageMap<_, Twox64Concat, AssetId, Balance, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial collateral assets. The vault account receives each one's minimum
		/// balance as its existential reserve.
		pub collateral_assets: Vec<(AssetId, CollateralConfig)>,
		/// Haircut curves of registered collateral assets.
		pub haircut_curves: Vec<(AssetId, HaircutCurve)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		#[allow(clippy::expect_used)]
		fn build(&self) {
			// Genesis must be valid: a bad preset is a bug to stop at, not a chain to start.
			for (asset, config) in &self.collateral_assets {
				Pallet::<T>::fund_reserve_at_genesis(*asset).expect("genesis collateral exists");
				Pallet::<T>::do_set_collateral_asset(*asset, *config)
					.expect("genesis collateral configs are valid");
			}
			for (asset, curve) in &self.haircut_curves {
				Pallet::<T>::do_set_haircut_curve(*asset, Some(*curve)).expect("genesis haircut curves are valid");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `amount` of `asset` moved from the owner into `subaccount`.
		Deposited { subaccount: SubaccountOf<T>, asset: AssetId, amount: Balance },
		/// `amount` of `asset` paid out of `subaccount` to its owner.
		Withdrawn { subaccount: SubaccountOf<T>, asset: AssetId, amount: Balance },
		/// Collateral moved between two subaccounts of `owner`.
		Transferred {
			owner: T::AccountId,
			from: SubaccountNumber,
			to: SubaccountNumber,
			asset: AssetId,
			amount: Balance,
		},
		/// Settlement asset moved between subaccounts by the margin engine (PnL, funding).
		SettlementMoved { from: SubaccountOf<T>, to: SubaccountOf<T>, amount: Balance },
		/// Settlement asset paid out of a subaccount to an account (fees, penalties).
		SettlementPaidOut { from: SubaccountOf<T>, to: T::AccountId, amount: Balance },
		/// Settlement asset paid into a subaccount from an account (backstop).
		SettlementPaidIn { from: T::AccountId, to: SubaccountOf<T>, amount: Balance },
		/// Liquidation moved `amount` of `asset` backing a debt from `from` to `to`.
		CollateralSeized { from: SubaccountOf<T>, to: SubaccountOf<T>, asset: AssetId, amount: Balance },
		/// A collateral asset was registered or its configuration changed.
		CollateralAssetSet { asset: AssetId, config: CollateralConfig },
		/// A collateral asset's haircut curve was set (`None`: removed).
		HaircutCurveSet { asset: AssetId, curve: Option<HaircutCurve> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The deposit is below the asset's minimum deposit.
		BelowMinimum,
		/// The deposit would take the asset's total above its deposit cap.
		CapExceeded,
		/// The subaccount holds less of the asset than asked for.
		InsufficientCollateral,
		/// After this the subaccount would no longer meet its initial margin requirement.
		WouldBreachMargin,
		/// The asset is not in the collateral registry.
		NotCollateral,
		/// The asset takes no new deposits (withdrawals still work).
		AssetDisabled,
		/// An amount of zero was given.
		ZeroAmount,
		/// A transfer from a subaccount to itself.
		SameSubaccount,
		/// The haircut is 100%: the asset would count for nothing.
		HaircutTooHigh,
		/// A minimum deposit of zero would let dust into the registry.
		ZeroMinimumDeposit,
		/// More decimals than the unit conversion supports (24).
		UnsupportedDecimals,
		/// An asset's decimals cannot change once registered.
		DecimalsChanged,
		/// The registry holds `MaxCollateralAssets` assets already.
		TooManyCollateralAssets,
		/// No such token exists.
		UnknownAsset,
		/// The vault account must hold the asset's minimum balance before it is registered
		/// (its existential reserve); transfer it there first.
		VaultReserveMissing,
		/// A haircut curve beyond its hard bounds: a volatility cap above 90% or a liquidity
		/// depth of zero.
		CurveOutOfBounds,
		/// The settlement asset counts at face value less its haircut: it takes no curve.
		SettlementAssetCurve,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Read-only queries by name (`RuntimeViewFunction`), beside the runtime API of the same
	/// names that clients already use.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A subaccount's holdings and their values (`VaultsApi.collateral`).
		pub fn collateral(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> crate::runtime_api::SubaccountCollateral {
			Self::subaccount_view(owner, number)
		}

		/// The haircut a holding of `holding` smallest units of `asset` would be charged now,
		/// and why (`VaultsApi.haircut`).
		pub fn haircut(asset: AssetId, holding: Balance) -> Option<clearing_primitives::haircut::HaircutInForce> {
			Self::haircut_of(asset, holding)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Moves `amount` of `asset` from the signer into its subaccount `subaccount` (the
		/// settlement asset pays a debt down first). The signer keeps at least its existential
		/// deposit.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `NotCollateral` (not registered), `AssetDisabled`, `BelowMinimum` (under its
		///   minimum deposit), `CapExceeded` (the asset's total would pass its cap); the token
		///   transfer's refusal (e.g. it would take the signer below its existential deposit);
		///   nothing changes on any error.
		/// - Weight: the dearer of `WeightInfo::deposit()` (the settlement asset) and
		///   `deposit_other()` (any other, whose owner's sum it also keeps).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::deposit().max(T::WeightInfo::deposit_other()))]
		pub fn deposit(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			asset: AssetId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_deposit(Subaccount::new(owner, subaccount), asset, amount)
		}

		/// Pays `amount` of `asset` out of the signer's subaccount `subaccount` to the signer, if
		/// the subaccount holds it and still meets its initial margin requirement after.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `NotCollateral`, `ZeroAmount`, `InsufficientCollateral` (it holds less),
		///   `WouldBreachMargin` (below its initial requirement after, its orders' margin and any
		///   settlement debt included); nothing changes on any error.
		/// - Weight: the dearer of `WeightInfo::withdraw()` and `withdraw_other()`, plus
		///   `MarginGuard::ensure_initial_margin_weight()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::withdraw().max(T::WeightInfo::withdraw_other())
			.saturating_add(T::MarginGuard::ensure_initial_margin_weight()))]
		pub fn withdraw(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			asset: AssetId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_withdraw(Subaccount::new(owner, subaccount), asset, amount)
		}

		/// Moves `amount` of `asset` from the signer's subaccount `from` to its subaccount `to`,
		/// if `from` holds it and still meets its initial margin requirement after.
		///
		/// - Origin: signed, by the subaccounts' owner.
		/// - Errors: `SameSubaccount` (`from` is `to`), `NotCollateral`, `ZeroAmount`,
		///   `InsufficientCollateral` (`from` holds less), `WouldBreachMargin` (`from` below its
		///   initial requirement after); nothing changes on any error.
		/// - Weight: the dearer of `WeightInfo::transfer()` and `transfer_other()`, plus
		///   `MarginGuard::ensure_initial_margin_weight()`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::transfer().max(T::WeightInfo::transfer_other())
			.saturating_add(T::MarginGuard::ensure_initial_margin_weight()))]
		pub fn transfer(
			origin: OriginFor<T>,
			from: SubaccountNumber,
			to: SubaccountNumber,
			asset: AssetId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_transfer(owner, from, to, asset, amount)
		}

		/// Registers `asset` as collateral, or changes its configuration.
		///
		/// - Origin: root.
		/// - Errors: `UnknownAsset` (no such token), `HaircutTooHigh` (100%),
		///   `ZeroMinimumDeposit`, `UnsupportedDecimals` (over 24), `DecimalsChanged` (not those
		///   first registered); when first registered, `TooManyCollateralAssets`
		///   (`MaxCollateralAssets` already) and `VaultReserveMissing` (the vault account lacks
		///   the asset's minimum balance); nothing changes on any error.
		/// - Weight: `WeightInfo::set_collateral_asset()`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_collateral_asset())]
		pub fn set_collateral_asset(
			origin: OriginFor<T>,
			asset: AssetId,
			config: CollateralConfig,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_collateral_asset(asset, config)
		}

		/// Sets how `asset`'s haircut follows its realized volatility and a holding's size
		/// (`None` removes the curve: the registered haircut alone applies). The registered
		/// haircut stays the floor.
		///
		/// - Origin: root (governance's `SetHaircutCurve`).
		/// - Errors: `NotCollateral` (not registered), `SettlementAssetCurve`,
		///   `CurveOutOfBounds` (volatility cap above 90%, zero depth); nothing changes on
		///   any error.
		/// - Weight: `WeightInfo::set_haircut_curve()`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_haircut_curve())]
		pub fn set_haircut_curve(origin: OriginFor<T>, asset: AssetId, curve: Option<HaircutCurve>) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_haircut_curve(asset, curve)
		}
	}
}
