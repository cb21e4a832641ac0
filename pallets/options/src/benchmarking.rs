//! Benchmarks of every call, and of pricing one leg (what the margin engine pays per series
//! position in every health reading).

use super::*;
use crate::pallet::*;
use clearing_primitives::{
	black76::OptionKind, collateral::Valuation, oracle::Moment, AssetId, MarketId, Price,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get, Time},
	weights::Weight,
};
use sp_runtime::{FixedPointNumber, Permill};

/// What the benchmarks need the runtime to arrange.
pub trait BenchmarkHelper {
	/// A perpetual market to write series on, its base asset priced fresh at $60,000 with a
	/// fresh implied volatility of 60% and a realized one of 80% (so the margin's volatility
	/// differs from the mark's and both are priced).
	fn underlying() -> (MarketId, AssetId);
	/// Sets the chain's time (milliseconds).
	fn set_time(now: Moment);
	/// Gives `underlying`'s expiry `expiry` a smile in the oracle, fresh or stale.
	fn smile(underlying: AssetId, expiry: Moment, fresh: bool);
}

const DAY_MS: Moment = 86_400_000;

fn list<T: Config>(underlying: MarketId) -> MarketId {
	let market = T::FirstSeriesId::get().saturating_add(SeriesListed::<T>::get());
	Pallet::<T>::list_series(
		T::GovernanceOrigin::try_successful_origin().expect("an origin that lists"),
		underlying,
		T::Time::now().saturating_add(7 * DAY_MS),
		Price::saturating_from_integer(63_000u32),
		OptionKind::Put,
		Price::saturating_from_integer(1u32),
		1_000_000_000,
	)
	.expect("the series lists");
	market
}

/// Daily expiries at midnight UTC, `k` strikes $1,000 apart each side of the index.
fn daily_schedule(k: u32) -> ListingSchedule {
	ListingSchedule {
		cycles: alloc::vec![ExpiryCycle { period_ms: DAY_MS, offset_ms: 0 }].try_into().expect("one cycle"),
		strike_step: Price::saturating_from_integer(1_000u32),
		strikes_each_side: k,
		tick_size: Price::saturating_from_integer(1u32),
		max_open_interest: 1_000_000_000,
	}
}

/// The most strikes a side a schedule may list here: one expiry's series within a block's
/// listings and half the series slots.
fn max_strikes_each_side<T: Config>() -> u32 {
	let series = Pallet::<T>::max_series_per_expiry();
	(series / 2).saturating_sub(1).checked_div(2).unwrap_or(0).min(MAX_STRIKES_EACH_SIDE)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn list_series() {
		let (underlying, _) = T::BenchmarkHelper::underlying();
		let origin = T::GovernanceOrigin::try_successful_origin().expect("an origin that lists");
		let expiry = T::Time::now().saturating_add(7 * DAY_MS);
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			underlying,
			expiry,
			Price::saturating_from_integer(60_000u32),
			OptionKind::Call,
			Price::saturating_from_integer(1u32),
			1_000_000_000,
		);
		assert_eq!(Series::<T>::count(), 1);
	}

	#[benchmark]
	fn set_volatility_source() {
		let origin = T::GovernanceOrigin::try_successful_origin().expect("an origin that governs");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 2, 1_002);
		assert_eq!(VolatilitySources::<T>::get(2), Some(1_002));
	}

	/// With an expiry awaiting its window: the hook is rescheduled.
	#[benchmark]
	fn set_params() {
		let origin = T::GovernanceOrigin::try_successful_origin().expect("an origin that governs");
		NextExpiryAction::<T>::put(T::Time::now().saturating_add(DAY_MS));
		// The chain's own parameters otherwise: its window fits its schedules' cycles.
		let params = OptionParams { rate: Permill::from_percent(5), ..Params::<T>::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
	}

	/// One leg priced at fresh inputs with no smile for its expiry, the most reads: the
	/// series, the index, the (absent) smile, the volatility index's source and quote, the
	/// realized volatility, the parameters and the time; Black-76 twice (mark and margin
	/// volatility differ) and the per-leg rule.
	#[benchmark]
	fn price_leg() {
		let (underlying, _) = T::BenchmarkHelper::underlying();
		let market = list::<T>(underlying);
		let priced;
		#[block]
		{
			priced = Pallet::<T>::leg_of(market, Valuation::Opening);
		}
		assert!(priced.is_some_and(|leg| leg.short_initial > leg.mark));
	}

	/// One leg priced off its expiry's fresh smile: two reads fewer than [`price_leg`], a
	/// logarithm and the smile's interpolation more.
	#[benchmark]
	fn price_leg_smile() {
		let (underlying, asset) = T::BenchmarkHelper::underlying();
		let market = list::<T>(underlying);
		let expiry = Series::<T>::get(market).map(|listed| listed.terms.expiry).unwrap_or_default();
		T::BenchmarkHelper::smile(asset, expiry, true);
		let priced;
		#[block]
		{
			priced = Pallet::<T>::leg_of(market, Valuation::Opening);
		}
		assert!(priced.is_some_and(|leg| leg.short_initial > leg.mark));
		assert_eq!(Pallet::<T>::series_view(market).map(|view| view.volatility), Some(Price::saturating_from_rational(70u32, 100u32)));
	}

	/// `n` series of one underlying whose entries are all due (none cached yet), each priced
	/// and revalued on its underlying's grid at fresh inputs, their book written: one block's
	/// refresh with `n` series listed.
	#[benchmark]
	fn refresh_scenarios(n: Linear<0, { T::MaxSeries::get() }>) {
		let (_, asset) = T::BenchmarkHelper::underlying();
		let expiry = T::Time::now().saturating_add(7 * DAY_MS);
		T::BenchmarkHelper::smile(asset, expiry, true);
		let first = T::FirstSeriesId::get().saturating_add(SeriesListed::<T>::get());
		// Stored directly: listing this many would need as many markets.
		for i in 0..n {
			let terms = clearing_primitives::options::SeriesTerms {
				underlying: asset,
				expiry,
				strike: Price::saturating_from_integer(40_000u32.saturating_add(i.saturating_mul(100))),
				kind: if i % 2 == 0 { OptionKind::Call } else { OptionKind::Put },
			};
			Series::<T>::insert(first.saturating_add(i), ListedSeries { terms, base_decimals: 8 });
		}
		#[block]
		{
			Pallet::<T>::refresh_scenarios(Weight::MAX);
		}
		let held = ScenarioBooks::<T>::get(asset).map(|book| book.series.len()).unwrap_or_default();
		assert_eq!(held, n as usize);
	}

	/// `e` expiries (one series each), their windows open, all due to settle.
	#[benchmark]
	fn process_expiries(e: Linear<1, { T::MaxExpiries::get() }>) {
		let (underlying, _) = T::BenchmarkHelper::underlying();
		let window = Params::<T>::get().settlement_window_ms;
		let start = T::Time::now();
		for i in 0..e {
			Pallet::<T>::list_series(
				T::GovernanceOrigin::try_successful_origin().expect("an origin that lists"),
				underlying,
				start.saturating_add(window).saturating_add(u64::from(i).saturating_add(1).saturating_mul(1_000)),
				Price::saturating_from_integer(60_000u32),
				OptionKind::Call,
				Price::saturating_from_integer(1u32),
				1_000_000_000,
			)
			.expect("the series lists");
		}
		T::BenchmarkHelper::set_time(start.saturating_add(window));
		Pallet::<T>::process_expiries();
		T::BenchmarkHelper::set_time(start.saturating_add(window).saturating_add(u64::from(e).saturating_add(1).saturating_mul(1_000)));

		#[block]
		{
			Pallet::<T>::process_expiries();
		}

		assert!(Expiries::<T>::iter_values().all(|r| r.settlement != Settlement::Awaiting));
	}

	#[benchmark]
	fn set_settlement_price() {
		let origin = T::GovernanceOrigin::try_successful_origin().expect("an origin that governs");
		let expiry = T::Time::now();
		Expiries::<T>::insert(
			(2, expiry),
			ExpiryRecord { series: 1, window_start: None, settlement: Settlement::Pending },
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 2, expiry, Price::saturating_from_integer(60_000u32));
		assert_eq!(Pallet::<T>::settlement_price(2, expiry), Some(Price::saturating_from_integer(60_000u32)));
	}

	/// `n` series of a settled expiry delisted, among `MaxSeries` listed (the rest awaiting
	/// a later expiry, walked and kept): each market closed, its series forgotten, its entry
	/// taken out of its underlying's full scenario book.
	#[benchmark]
	fn delist_series(n: Linear<0, { T::MaxSeries::get() }>) {
		let (underlying, asset) = T::BenchmarkHelper::underlying();
		let settled = T::Time::now().saturating_add(DAY_MS);
		let later = T::Time::now().saturating_add(2 * DAY_MS);
		for i in 0..T::MaxSeries::get() {
			let strike = Price::saturating_from_integer(40_000u32.saturating_add(i.saturating_mul(500)));
			Pallet::<T>::list_series(
				T::GovernanceOrigin::try_successful_origin().expect("an origin that lists"),
				underlying,
				if i < n { settled } else { later },
				strike,
				OptionKind::Call,
				Price::saturating_from_integer(1u32),
				1_000_000_000,
			)
			.expect("the series lists");
		}
		if n > 0 {
			Expiries::<T>::mutate((asset, settled), |record| {
				if let Some(record) = record {
					record.settlement = Settlement::Settled(Price::saturating_from_integer(60_000u32));
				}
			});
		}
		DelistCheck::<T>::put(true);
		// Every series in its underlying's book: each delisting takes its entry out.
		Pallet::<T>::refresh_scenarios(Weight::MAX);

		#[block]
		{
			Pallet::<T>::delist_settled(Weight::MAX);
		}

		assert_eq!(Series::<T>::count(), T::MaxSeries::get().saturating_sub(n));
		assert!(!DelistCheck::<T>::get());
	}

	/// A new schedule for an underlying with none, beside `MaxSchedules − 1` others (each
	/// read to count the series slots): its market and volatility source read.
	#[benchmark]
	fn set_listing_schedule() {
		let (underlying, _) = T::BenchmarkHelper::underlying();
		let origin = T::GovernanceOrigin::try_successful_origin().expect("an origin that governs");
		let _ = ListingSchedules::<T>::clear(u32::MAX, None);
		for other in 1..T::MaxSchedules::get() {
			let market = underlying.saturating_add(other.saturating_mul(1_000));
			ListingSchedules::<T>::insert(market, ScheduledListing::new(daily_schedule(0), None));
		}
		let schedule = daily_schedule(0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, underlying, Some(schedule.clone()));
		assert_eq!(ListingSchedules::<T>::get(underlying).map(|s| s.schedule), Some(schedule));
		assert_eq!(ListingSchedules::<T>::count(), T::MaxSchedules::get());
	}

	/// A schedule due with `k` strikes a side: its expiry's 2(2k + 1) series listed by the
	/// hook in one block.
	#[benchmark]
	fn list_scheduled(k: Linear<0, { max_strikes_each_side::<T>() }>) {
		let (underlying, _) = T::BenchmarkHelper::underlying();
		// This schedule alone (the chain's own are scanned at a read and a write each, beside).
		let _ = ListingSchedules::<T>::clear(u32::MAX, None);
		Pallet::<T>::set_listing_schedule(
			T::GovernanceOrigin::try_successful_origin().expect("an origin that governs"),
			underlying,
			Some(daily_schedule(k)),
		)
		.expect("the schedule is set");

		#[block]
		{
			Pallet::<T>::list_scheduled(Weight::MAX);
		}

		assert_eq!(Series::<T>::count(), k.saturating_mul(4).saturating_add(2));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
