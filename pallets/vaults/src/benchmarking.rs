//! Benchmarks of every call, each on its most expensive path: deposits and withdrawals that
//! update an existing holding, a transfer into an existing holding, each for the settlement
//! asset and for another (whose holdings also keep the owner's sum; a call is declared at the
//! dearer), and the registration of
//! a new asset (which also reads the registry's count and the vault's reserve), and a haircut
//! curve.

use super::*;
use crate::pallet::*;
use clearing_primitives::{collateral::Subaccount, AssetId, Balance};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungibles::Mutate, Get};
use frame_system::RawOrigin;
use sp_runtime::Permill;

const AMOUNT: Balance = 1_000_000_000;

/// Which asset a benchmark moves: each call is declared at the dearer of the two.
#[derive(Clone, Copy)]
enum Kind {
	/// The settlement asset (on the runtime a `pallet-assets` token: its ledger is dearer).
	Settlement,
	/// A registered asset besides it, if the chain has one (its holdings also keep the
	/// owner's sum), else the settlement asset.
	Other,
}

/// The asset of `kind`, registered with room for any amount the benchmarks move.
fn open_collateral<T: Config>(kind: Kind) -> AssetId {
	let settlement = T::SettlementAsset::get();
	let asset = match kind {
		Kind::Settlement => settlement,
		Kind::Other => CollateralAssets::<T>::iter_keys().find(|asset| *asset != settlement).unwrap_or(settlement),
	};
	let decimals = CollateralAssets::<T>::get(asset).map_or(6, |config| config.decimals);
	CollateralAssets::<T>::insert(
		asset,
		CollateralConfig {
			haircut: Permill::zero(),
			deposit_cap: Balance::MAX,
			min_deposit: 1,
			decimals,
			enabled: true,
		},
	);
	asset
}

/// A funded trader holding `AMOUNT` in its subaccount 0.
fn trader_with_collateral<T: Config>(asset: AssetId) -> T::AccountId {
	let trader: T::AccountId = whitelisted_caller();
	T::Assets::mint_into(asset, &trader, AMOUNT.saturating_mul(4)).expect("mint for the benchmark");
	Pallet::<T>::do_deposit(Subaccount::new(trader.clone(), 0), asset, AMOUNT)
		.expect("deposit for the benchmark");
	trader
}

fn held<T: Config>(owner: T::AccountId, number: u16, asset: AssetId) -> Balance {
	Balance::try_from(Pallet::<T>::collateral_of(&Subaccount::new(owner, number), asset))
		.unwrap_or_default()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn deposit() {
		let asset = open_collateral::<T>(Kind::Settlement);
		let trader = trader_with_collateral::<T>(asset);

		#[extrinsic_call]
		_(RawOrigin::Signed(trader.clone()), 0, asset, AMOUNT);

		assert_eq!(held::<T>(trader, 0, asset), AMOUNT.saturating_mul(2));
	}

	#[benchmark]
	fn deposit_other() {
		let asset = open_collateral::<T>(Kind::Other);
		let trader = trader_with_collateral::<T>(asset);

		#[extrinsic_call]
		deposit(RawOrigin::Signed(trader.clone()), 0, asset, AMOUNT);

		assert_eq!(held::<T>(trader, 0, asset), AMOUNT.saturating_mul(2));
	}

	#[benchmark]
	fn withdraw() {
		let asset = open_collateral::<T>(Kind::Settlement);
		let trader = trader_with_collateral::<T>(asset);

		#[extrinsic_call]
		_(RawOrigin::Signed(trader.clone()), 0, asset, AMOUNT / 2);

		assert_eq!(held::<T>(trader, 0, asset), AMOUNT / 2);
	}

	#[benchmark]
	fn withdraw_other() {
		let asset = open_collateral::<T>(Kind::Other);
		let trader = trader_with_collateral::<T>(asset);

		#[extrinsic_call]
		withdraw(RawOrigin::Signed(trader.clone()), 0, asset, AMOUNT / 2);

		assert_eq!(held::<T>(trader, 0, asset), AMOUNT / 2);
	}

	#[benchmark]
	fn transfer() {
		let asset = open_collateral::<T>(Kind::Settlement);
		let trader = trader_with_collateral::<T>(asset);
		Pallet::<T>::do_deposit(Subaccount::new(trader.clone(), 1), asset, AMOUNT)
			.expect("second holding");

		#[extrinsic_call]
		_(RawOrigin::Signed(trader.clone()), 0, 1, asset, AMOUNT / 2);

		assert_eq!(held::<T>(trader, 1, asset), AMOUNT.saturating_add(AMOUNT / 2));
	}

	#[benchmark]
	fn transfer_other() {
		let asset = open_collateral::<T>(Kind::Other);
		let trader = trader_with_collateral::<T>(asset);
		Pallet::<T>::do_deposit(Subaccount::new(trader.clone(), 1), asset, AMOUNT)
			.expect("second holding");

		#[extrinsic_call]
		transfer(RawOrigin::Signed(trader.clone()), 0, 1, asset, AMOUNT / 2);

		assert_eq!(held::<T>(trader, 1, asset), AMOUNT.saturating_add(AMOUNT / 2));
	}

	#[benchmark]
	fn set_collateral_asset() {
		let asset = open_collateral::<T>(Kind::Settlement);
		let config = CollateralAssets::<T>::take(asset).expect("just registered");

		#[extrinsic_call]
		_(RawOrigin::Root, asset, config);

		assert_eq!(CollateralAssets::<T>::get(asset), Some(config));
	}

	#[benchmark]
	fn set_haircut_curve() {
		let settlement = T::SettlementAsset::get();
		let asset = CollateralAssets::<T>::iter_keys()
			.find(|asset| *asset != settlement)
			.expect("the benchmark chain registers a collateral asset besides the settlement one");
		let curve = HaircutCurve {
			volatility_factor: Permill::from_percent(12),
			max_volatility_haircut: Permill::from_percent(50),
			liquidity_depth: AMOUNT,
			size_factor: Permill::from_percent(50),
		};

		#[extrinsic_call]
		_(RawOrigin::Root, asset, Some(curve));

		assert_eq!(HaircutCurves::<T>::get(asset), Some(curve));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
