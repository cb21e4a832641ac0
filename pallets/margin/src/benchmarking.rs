//! Benchmarks of every call and hook at its worst case: `on_initialize` with every market
//! due for funding and sampling a premium; `apply_fill` and the initial-margin check with
//! both sides holding `MaxPositions` positions, so health walks all of them.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::Subaccount,
	margin::{Fill, Side},
	AssetId, Balance, MarketId, Price,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{Get, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{One, Saturating},
	FixedPointNumber, Permill,
};

const DECIMALS: u8 = 8;
const UNIT: Balance = 100_000_000;

fn config<T: Config>(asset: AssetId) -> MarketConfigOf<T> {
	MarketConfig {
		base_asset: asset,
		base_decimals: DECIMALS,
		initial_margin: Permill::from_percent(5),
		maintenance_margin: Permill::from_percent(3),
		oi_lower: 1_000 * UNIT,
		oi_upper: 2_000 * UNIT,
		max_open_interest: 1_000_000 * UNIT,
		tick_size: Price::one(),
		step_size: 1,
		maker_fee: Permill::zero(),
		taker_fee: Permill::zero(),
		price_band: Permill::from_percent(10),
		funding_interval: BlockNumberFor::<T>::one(),
		funding_cap: Permill::from_percent(1),
		interest_per_interval: Permill::from_parts(10),
		isolated_only: false,
	}
}

/// Market ids and base assets far from the genesis ones, so benchmarks never collide.
fn market_id(i: u32) -> MarketId {
	1_000u32.saturating_add(i)
}

/// Closes every market the chain's genesis opened and opens `n` (ids from `market_id(0)`),
/// each with a fresh $100 index price.
fn open_markets<T: Config>(n: u32) -> Vec<MarketId> {
	let _ = Markets::<T>::clear(u32::MAX, None);
	let _ = MarketStates::<T>::clear(u32::MAX, None);
	(0..n)
		.map(|i| {
			let market = market_id(i);
			let asset = 10_000u32.saturating_add(i);
			T::BenchmarkHelper::set_price(asset, Price::saturating_from_integer(100u32));
			Pallet::<T>::do_create_market(market, config::<T>(asset)).expect("room for MaxMarkets");
			market
		})
		.collect()
}

fn trader<T: Config>(name: &'static str) -> Subaccount<T::AccountId> {
	let subaccount = Subaccount::new(account(name, 0, 0), 0);
	T::BenchmarkHelper::fund(&subaccount, 1_000_000_000_000);
	subaccount
}

fn fill<T: Config>(
	market: MarketId,
	taker: &Subaccount<T::AccountId>,
	maker: &Subaccount<T::AccountId>,
) -> Fill<T::AccountId> {
	Fill {
		market,
		taker: taker.clone(),
		maker: maker.clone(),
		taker_side: Side::Buy,
		price: Price::saturating_from_integer(100u32),
		size: UNIT,
	}
}

/// The taker of `p` fills against one maker: short one contract of each of `p` option series
/// where the runtime lists options (returns `true`), else long `p` perpetuals (at most
/// `most_perpetuals`).
fn short_series_or_perpetuals<T: Config>(
	p: u32,
	taker: &Subaccount<T::AccountId>,
	maker: &Subaccount<T::AccountId>,
	most_perpetuals: u32,
) -> bool {
	let series: Vec<(MarketId, Price)> = (0..p).filter_map(T::BenchmarkHelper::open_series).collect();
	// Every series in its underlying's scenario book (portfolio sides open risk on those).
	T::BenchmarkHelper::refresh_scenarios();
	if series.len() != p as usize {
		for market in &open_markets::<T>(p.min(most_perpetuals)) {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, taker, maker), false).expect("room");
		}
		return false;
	}
	for (market, price) in &series {
		// One contract: a whole unit of the series' underlying.
		let contract = Pallet::<T>::market_config(*market)
			.and_then(|config| 10u128.checked_pow(u32::from(config.base_decimals)))
			.unwrap_or(UNIT);
		let short = Fill { taker_side: Side::Sell, price: *price, size: contract, ..fill::<T>(*market, taker, maker) };
		Pallet::<T>::do_apply_fill(&short, false).expect("room");
	}
	true
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() {
		open_markets::<T>(0);
		let market = market_id(0);
		T::BenchmarkHelper::set_price(10_000, Price::one());

		#[extrinsic_call]
		_(RawOrigin::Root, market, config::<T>(10_000));

		assert!(Markets::<T>::contains_key(market));
	}

	#[benchmark]
	fn update_market() {
		let market = open_markets::<T>(1).first().copied().expect("one market");
		let mut changed = config::<T>(10_000);
		changed.initial_margin = Permill::from_percent(10);

		#[extrinsic_call]
		_(RawOrigin::Root, market, changed);

		assert_eq!(Pallet::<T>::market_config(market), Some(changed));
	}

	#[benchmark]
	fn set_market_status() {
		let market = open_markets::<T>(1).first().copied().expect("one market");

		#[extrinsic_call]
		_(RawOrigin::Root, market, MarketStatus::Halted);

		assert_eq!(Markets::<T>::get(market).map(|m| m.status), Some(MarketStatus::Halted));
	}

	/// `m` markets, all due for funding this block.
	#[benchmark]
	fn on_initialize(m: Linear<1, { T::MaxMarkets::get() }>) {
		let markets = open_markets::<T>(m);
		let now = frame_system::Pallet::<T>::block_number().saturating_add(BlockNumberFor::<T>::one());
		frame_system::Pallet::<T>::set_block_number(now);

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		for market in markets {
			assert_eq!(MarketStates::<T>::get(market).next_funding_at, now.saturating_add(One::one()));
		}
	}

	/// Both sides hold `p` positions and the fill reduces both: each side's health is read
	/// before and after it (a side that adds risk is read once, after).
	#[benchmark]
	fn apply_fill(p: Linear<1, { T::MaxPositions::get() }>) {
		let markets = open_markets::<T>(p);
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		for market in &markets {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, &taker, &maker), false).expect("room");
		}
		let first = markets.first().copied().expect("p ≥ 1");
		let the_fill =
			Fill { taker_side: Side::Sell, size: UNIT / 2, ..fill::<T>(first, &taker, &maker) };

		#[block]
		{
			Pallet::<T>::do_apply_fill(&the_fill, false).expect("the fill applies");
		}

		assert_eq!(PositionCount::<T>::get(&taker), p);
	}

	/// A subaccount with `p` positions, each needing a fresh price.
	#[benchmark]
	fn check_initial_margin(p: Linear<1, { T::MaxPositions::get() }>) {
		let markets = open_markets::<T>(p);
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		for market in &markets {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, &taker, &maker), false).expect("room");
		}

		#[block]
		{
			Pallet::<T>::ensure_initial(&taker).expect("well collateralised");
		}
	}

	/// A subaccount short `p` option series, each leg priced (Black-76 at the implied and, as
	/// the realized volatility is higher, at the margin volatility), the legs alternating
	/// between two underlyings, each at its own expiry, all but the first of each underlying
	/// with its own smile (the dearest legs: no two share a read but their underlying's):
	/// where the runtime lists options. Elsewhere it measures perpetuals, as
	/// `check_initial_margin` does.
	#[benchmark]
	fn check_initial_margin_series(p: Linear<1, { T::MaxPositions::get() }>) {
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		short_series_or_perpetuals::<T>(p, &taker, &maker, p);

		#[block]
		{
			Pallet::<T>::ensure_initial(&taker).expect("well collateralised");
		}

		assert_eq!(PositionCount::<T>::get(&taker), p);
	}

	/// A portfolio subaccount with `p` perpetual positions (at most `MaxPortfolioUnderlyings`),
	/// each on its own underlying (each its own grid read and exposure), each needing a fresh
	/// price.
	#[benchmark]
	fn check_initial_margin_portfolio(p: Linear<1, { T::MaxPortfolioUnderlyings::get() }>) {
		let markets = open_markets::<T>(p);
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		for market in &markets {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, &taker, &maker), false).expect("room");
		}
		Pallet::<T>::do_set_margin_mode(&taker, MarginMode::Portfolio).expect("within the portfolio rules");

		#[block]
		{
			Pallet::<T>::ensure_initial(&taker).expect("well collateralised");
		}

		assert!(ScenarioGrids::<T>::iter().count() == 0, "every underlying on the default grid");
		assert_eq!(PortfolioLegs::<T>::get(&taker).map(|legs| legs.len() as u32), Some(p));
	}

	/// A portfolio subaccount short `p` option series (up to `MaxPortfolioPositions`) set up
	/// as for `check_initial_margin_series`, the legs alternating between two underlyings,
	/// each valued from its underlying's scenario book (where the runtime lists options;
	/// elsewhere perpetuals, as `check_initial_margin_portfolio`, within the portfolio rules).
	#[benchmark]
	fn check_initial_margin_portfolio_series(p: Linear<1, { T::MaxPortfolioPositions::get() }>) {
		// The block the measured reading runs in (the harness would move a zero block number
		// to 1 after this setup): opening risk reads only books refreshed in it.
		frame_system::Pallet::<T>::set_block_number(One::one());
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		// Both sides portfolio subaccounts first: beyond `MaxPositions` only they may hold more.
		Pallet::<T>::do_set_margin_mode(&taker, MarginMode::Portfolio).expect("funded");
		Pallet::<T>::do_set_margin_mode(&maker, MarginMode::Portfolio).expect("funded");
		let series = short_series_or_perpetuals::<T>(p, &taker, &maker, T::MaxPortfolioUnderlyings::get());

		#[block]
		{
			Pallet::<T>::ensure_initial(&taker).expect("well collateralised");
		}

		let legs = if series { p } else { p.min(T::MaxPortfolioUnderlyings::get()) };
		assert_eq!(PortfolioLegs::<T>::get(&taker).map(|held| held.len() as u32), Some(legs));
	}

	#[benchmark]
	fn set_scenario_grid() {
		let grid = clearing_primitives::portfolio::ScenarioGrid {
			spot_step: Permill::from_percent(6),
			..Default::default()
		};

		#[extrinsic_call]
		_(RawOrigin::Root, 10_000, grid);

		assert_eq!(ScenarioGrids::<T>::get(10_000), grid);
	}

	/// A subaccount holding `MaxPortfolioUnderlyings` perpetuals (the most a portfolio holds)
	/// enters portfolio margin: its legs gathered and stored, its settings and deposit
	/// stored, its health read for the equity and for the initial requirement.
	#[benchmark]
	fn set_margin_mode() {
		let markets = open_markets::<T>(T::MaxPortfolioUnderlyings::get());
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		for market in &markets {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, &taker, &maker), false).expect("room");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(taker.owner.clone()), taker.number, MarginMode::Portfolio);

		assert_eq!(Pallet::<T>::settings_of(&taker).mode, MarginMode::Portfolio);
	}

	/// `n` holders of a settled series read and settled in one call (where the runtime has
	/// options; elsewhere `n` perpetual positions read and passed over).
	#[benchmark]
	fn settle_expired_positions(n: Linear<1, 64>) {
		let series = T::BenchmarkHelper::open_series(0);
		let taker = trader::<T>("taker");
		let market = match series {
			Some((market, price)) => {
				for i in 0..n {
					let maker = Subaccount::new(account("maker", i, 0), 0);
					T::BenchmarkHelper::fund(&maker, 1_000_000_000_000);
					let sale = Fill { taker_side: Side::Sell, price, ..fill::<T>(market, &taker, &maker) };
					Pallet::<T>::do_apply_fill(&sale, false).expect("room");
				}
				assert!(T::BenchmarkHelper::settle_series(market), "the series settles");
				market
			},
			None => {
				let market = open_markets::<T>(1).first().copied().expect("one market");
				for i in 0..n {
					let maker = Subaccount::new(account("maker", i, 0), 0);
					T::BenchmarkHelper::fund(&maker, 1_000_000_000_000);
					Pallet::<T>::do_apply_fill(&fill::<T>(market, &taker, &maker), false).expect("room");
				}
				market
			},
		};
		// The taker's position is read last at most: `n` makers' first.
		let outcome;
		#[block]
		{
			outcome = Pallet::<T>::sweep_settled(n);
		}

		assert_eq!(outcome.read, n);
		if series.is_some() {
			assert_eq!(outcome.settled, n);
			assert!(MarketStates::<T>::get(market).open_interest < UNIT.saturating_mul(u128::from(n)));
		}
	}

	/// A subaccount holding `MaxPositions` positions, whose settings were stored without a
	/// deposit and with choices in `MaxLeverageChoices - 1` other markets: the call rewrites
	/// a full list, holds the deposit and checks the initial requirement over every position.
	#[benchmark]
	fn set_leverage() {
		let markets = open_markets::<T>(T::MaxPositions::get());
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		for market in &markets {
			Pallet::<T>::do_apply_fill(&fill::<T>(*market, &taker, &maker), false).expect("room");
		}
		let target = markets.first().copied().expect("MaxPositions ≥ 1");
		let others = (0..<MaxLeverageChoices as Get<u32>>::get().saturating_sub(1))
			.map(|i| (market_id(10_000u32.saturating_add(i)), 2u8))
			.collect::<Vec<_>>();
		let settings = MarginSettings {
			leverage: others.try_into().expect("below the bound"),
			..Default::default()
		};
		Settings::<T>::insert(&taker, settings);

		#[extrinsic_call]
		_(RawOrigin::Signed(taker.owner.clone()), taker.number, target, 10u8);

		assert_eq!(Pallet::<T>::settings_of(&taker).leverage_in(target), Some(10));
	}

	/// A subaccount holding a position in the market it isolates to: the scan of its
	/// positions, the deposit and the initial-margin check.
	#[benchmark]
	fn set_isolated() {
		let market = open_markets::<T>(1).first().copied().expect("one market");
		let (taker, maker) = (trader::<T>("taker"), trader::<T>("maker"));
		Pallet::<T>::do_apply_fill(&fill::<T>(market, &taker, &maker), false).expect("room");

		#[extrinsic_call]
		_(RawOrigin::Signed(taker.owner.clone()), taker.number, Some(market));

		assert_eq!(Pallet::<T>::settings_of(&taker).isolated, Some(market));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
