//! Benchmarks of every call and of the end-of-block aggregation, each at its worst case:
//! the feeder set full, every asset registered, every feed list full, URLs at full length.

use super::*;
use crate::{feed_check::CheckFeed, pallet::*};
use alloc::{vec, vec::Vec};
use clearing_primitives::{oracle::{Moment, Smile, SMILE_POINTS}, AssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	dispatch::{DispatchInfo, GetDispatchInfo},
	traits::{Get, IsSubType},
};
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{AsSystemOriginSigner, DispatchTransaction, Dispatchable},
	transaction_validity::TransactionSource,
	Permill,
};

/// What the benchmarks need of the runtime around the oracle.
pub trait BenchmarkHelper {
	/// Lists an option expiry on `underlying` at `expiry`, so smiles may be fed for it.
	fn list_expiry(underlying: AssetId, expiry: Moment);
	/// Sets the chain's time (milliseconds).
	fn set_time(now: Moment);
}

fn feeder<T: Config>(index: u32) -> T::AccountId {
	account("feeder", index, 0)
}

fn price(i: u32) -> Price {
	Price::from_inner(u128::from(i).saturating_add(1).saturating_mul(1_000_000_000_000_000_000))
}

/// A source whose URL has the maximum length.
fn long_source<T: Config>() -> PriceSource<UrlOf<T>> {
	let prefix = b"https://example.com/".to_vec();
	let fill = (T::MaxUrlLen::get() as usize).saturating_sub(prefix.len());
	let url = [prefix, vec![b'a'; fill]].concat();
	PriceSource { url: url.try_into().expect("exactly MaxUrlLen"), format: SourceFormat::Kraken }
}

fn full_sources<T: Config>() -> SourcesOf<T> {
	vec![long_source::<T>(); T::MaxSources::get() as usize].try_into().expect("MaxSources")
}

/// Empties the oracle, whatever the chain's genesis put there, so each benchmark builds
/// exactly the state it measures.
fn reset<T: Config>() {
	let _ = Feeders::<T>::clear(u32::MAX, None);
	let _ = OracleAssets::<T>::clear(u32::MAX, None);
	let _ = Feeds::<T>::clear(u32::MAX, None);
	let _ = Prices::<T>::clear(u32::MAX, None);
	PendingAggregation::<T>::kill();
	let _ = SurfaceFeeds::<T>::clear(u32::MAX, None);
	let _ = Surfaces::<T>::clear(u32::MAX, None);
	let _ = SurfacesFedIn::<T>::clear(u32::MAX, None);
	PendingSurfaces::<T>::kill();
}

/// A smile of `level` percent at every point.
fn smile(level: u32) -> Smile {
	[Price::from_inner(u128::from(level).saturating_mul(10_000_000_000_000_000)); SMILE_POINTS]
}

/// The `i`th benchmark expiry: a day apart, a day after `now`.
fn expiry_at(now: Moment, i: u32) -> Moment {
	now.saturating_add(86_400_000u64.saturating_mul(u64::from(i).saturating_add(1)))
}

/// Registers and feeds `assets` assets (at least one) as [`setup`] does, and `MaxSurfaces`
/// listed expiries, on asset 0 or (`spread_out`) each on its own asset as far as there are
/// assets, every one fed by every
/// feeder but the last (whose smiles are the call measured): the feed lists full.
/// `expired` of them (the first) have already expired by the time returned. Returns the
/// last feeder, the time to feed at and the `(underlying, expiry)` pairs.
fn setup_surfaces<T: Config>(
	assets: u32,
	expired: u32,
	spread_out: bool,
) -> (T::AccountId, Moment, Vec<(AssetId, Moment)>) {
	let last = setup::<T>(assets.max(if spread_out { spread::<T>() } else { 1 }));
	let start: Moment = 1_000_000;
	T::BenchmarkHelper::set_time(start);
	let expiries: Vec<(AssetId, Moment)> = (0..T::MaxSurfaces::get())
		.map(|i| (if spread_out { underlying_of::<T>(i) } else { 0 }, expiry_at(start, i)))
		.collect();
	for (underlying, expiry) in &expiries {
		T::BenchmarkHelper::list_expiry(*underlying, *expiry);
	}
	let feeders = T::MaxFeeders::get();
	for index in 0..feeders.saturating_sub(1) {
		let values: Vec<(AssetId, Moment, Smile)> =
			expiries.iter().map(|(u, e)| (*u, *e, smile(50u32.saturating_add(index)))).collect();
		Pallet::<T>::do_feed_surfaces(feeder::<T>(index), values.try_into().expect("MaxSurfaces"))
			.expect("valid smiles");
	}
	Pallet::<T>::aggregate_pending_surfaces();
	let now = expiries.get(expired.saturating_sub(1) as usize).map(|(_, e)| *e).filter(|_| expired > 0).unwrap_or(start);
	T::BenchmarkHelper::set_time(now);
	(last, now, expiries)
}

/// How many underlyings the smiles of the benchmarks spread over: each expiry its own, as far
/// as there are assets (each underlying's smiles are one entry: the more underlyings, the
/// more entries read and written).
fn spread<T: Config>() -> u32 {
	T::MaxAssets::get().min(T::MaxSurfaces::get()).max(1)
}

/// The underlying of the benchmarks' `i`-th expiry.
fn underlying_of<T: Config>(i: u32) -> AssetId {
	i.checked_rem(spread::<T>()).unwrap_or_default()
}

/// Registers `n` assets, fills the feeder set, and gives every feeder but the last a feed
/// for every asset. Returns the last feeder, which has fed nothing yet.
fn setup<T: Config>(n: u32) -> T::AccountId {
	reset::<T>();
	Params::<T>::put(OracleParams {
		min_feeders: 1,
		max_age_ms: types::bounds::MAX_AGE_CEILING_MS,
		max_jump: Permill::from_percent(50),
	});
	for asset in 0..n {
		Pallet::<T>::do_set_asset(asset, full_sources::<T>()).expect("room for MaxAssets");
	}
	let feeders = T::MaxFeeders::get();
	for index in 0..feeders {
		Pallet::<T>::do_add_feeder(feeder::<T>(index)).expect("room for MaxFeeders");
	}
	for index in 0..feeders.saturating_sub(1) {
		if n == 0 {
			break;
		}
		let values: Vec<(AssetId, Price)> = (0..n).map(|a| (a, price(index))).collect();
		Pallet::<T>::do_feed(feeder::<T>(index), values.try_into().expect("MaxAssets"))
			.expect("valid feed");
	}
	feeder::<T>(feeders.saturating_sub(1))
}

fn values_for<T: Config>(n: u32) -> FeedValuesOf<T> {
	(0..n).map(|a| (a, price(a))).collect::<Vec<_>>().try_into().expect("MaxAssets")
}

#[benchmarks(where
	T: Send + Sync,
	<T as frame_system::Config>::RuntimeCall:
		IsSubType<Call<T>> + From<Call<T>> + GetDispatchInfo + Dispatchable<Info = DispatchInfo>,
	<<T as frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin:
		AsSystemOriginSigner<T::AccountId> + Clone + From<RawOrigin<T::AccountId>>,
)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn feed_prices(n: Linear<1, { T::MaxAssets::get() }>) {
		let caller = setup::<T>(n);
		// A new block, so the other feeders' values are there but the caller may feed.
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		PendingAggregation::<T>::kill();
		let values = values_for::<T>(n);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), values);

		assert_eq!(PendingAggregation::<T>::get().len() as u32, n);
		assert!(Feeds::<T>::get(0).iter().any(|f| f.feeder == caller));
	}

	#[benchmark]
	fn aggregate(n: Linear<0, { T::MaxAssets::get() }>) {
		let last = setup::<T>(n);
		if n > 0 {
			Pallet::<T>::do_feed(last, values_for::<T>(n)).expect("valid feed");
		}
		// Every asset already has a price, so the clamp runs as well.
		Pallet::<T>::aggregate_pending();
		for asset in 0..n {
			Pallet::<T>::queue_aggregation(asset).expect("room");
			// Each asset's dispersion changes with this aggregate: written, an event.
			Dispersions::<T>::insert(asset, sp_runtime::Permill::from_parts(1));
		}

		#[block]
		{
			Pallet::<T>::aggregate_pending();
		}

		assert!(PendingAggregation::<T>::get().is_empty());
		assert!((0..n).all(|asset| Dispersions::<T>::get(asset) != sp_runtime::Permill::from_parts(1)));
		assert_eq!(Prices::<T>::iter().count() as u32, n);
	}

	/// An asset's volatility series takes a sample many intervals after its last: the EWMA
	/// with a logarithm, read and written. (Each aggregate may take one.)
	#[benchmark]
	fn sample_volatility() {
		let interval = T::VolatilitySampleMs::get().max(1);
		let series = RealizedVolatility { sample_price: price(59_999), sampled_at: 0, variance: 1_000_000_000_000 };
		RealizedVolatilities::<T>::insert(0, series);
		let now = interval.saturating_mul(1_000);

		#[block]
		{
			Pallet::<T>::sample_volatility(0, price(61_234), now);
		}

		assert_eq!(RealizedVolatilities::<T>::get(0).map(|s| s.sampled_at), Some(now));
	}

	#[benchmark]
	fn add_feeder() {
		reset::<T>();
		let feeders = T::MaxFeeders::get();
		for index in 0..feeders.saturating_sub(1) {
			Pallet::<T>::do_add_feeder(feeder::<T>(index)).expect("room");
		}
		let new = feeder::<T>(feeders);

		#[extrinsic_call]
		_(RawOrigin::Root, new.clone());

		assert!(Feeders::<T>::contains_key(new));
	}

	/// The feeder leaving has fed `a` assets and a smile for each of `MaxSurfaces`
	/// expiries, every one of which the others feed too (each re-aggregates).
	#[benchmark]
	fn remove_feeder(a: Linear<0, { T::MaxAssets::get() }>) {
		let (last, _, expiries) = setup_surfaces::<T>(a, 0, true);
		let smiles: Vec<(AssetId, Moment, Smile)> = expiries.iter().map(|(u, e)| (*u, *e, smile(70))).collect();
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		Pallet::<T>::do_feed_surfaces(last.clone(), smiles.try_into().expect("MaxSurfaces")).expect("valid smiles");
		if a > 0 {
			Pallet::<T>::do_feed(last.clone(), values_for::<T>(a)).expect("valid feed");
		}
		PendingAggregation::<T>::kill();
		PendingSurfaces::<T>::kill();

		#[extrinsic_call]
		_(RawOrigin::Root, last.clone());

		assert!(!Feeders::<T>::contains_key(&last));
		assert_eq!(PendingAggregation::<T>::get().len() as u32, a);
		assert_eq!(PendingSurfaces::<T>::get().len() as u32, T::MaxSurfaces::get());
	}

	#[benchmark]
	fn set_asset(s: Linear<0, { T::MaxSources::get() }>) {
		reset::<T>();
		let assets = T::MaxAssets::get();
		for asset in 0..assets.saturating_sub(1) {
			Pallet::<T>::do_set_asset(asset, full_sources::<T>()).expect("room");
		}
		let new = assets;
		let sources: SourcesOf<T> =
			vec![long_source::<T>(); s as usize].try_into().expect("MaxSources");

		#[extrinsic_call]
		_(RawOrigin::Root, new, sources);

		assert!(OracleAssets::<T>::contains_key(new));
	}

	/// Asset 0 is fed by every feeder and holds `MaxSurfaces` smiles, all dropped.
	#[benchmark]
	fn remove_asset() {
		let (last, _, _) = setup_surfaces::<T>(T::MaxAssets::get(), 0, false);
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		Pallet::<T>::do_feed(last, values_for::<T>(T::MaxAssets::get())).expect("valid feed");

		#[extrinsic_call]
		_(RawOrigin::Root, 0);

		assert!(!OracleAssets::<T>::contains_key(0));
		assert_eq!(SurfaceFeeds::<T>::count(), 0);
	}

	#[benchmark]
	fn set_params() {
		let params =
			OracleParams { min_feeders: 1, max_age_ms: 60_000, max_jump: Permill::from_percent(5) };

		#[extrinsic_call]
		_(RawOrigin::Root, params);

		assert_eq!(Params::<T>::get(), params);
	}

	#[benchmark]
	fn check_feed() {
		let caller = setup::<T>(1);
		let call: <T as frame_system::Config>::RuntimeCall =
			Call::<T>::feed_prices { values: values_for::<T>(1) }.into();
		let info = call.get_dispatch_info();
		let origin: <<T as frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin =
			RawOrigin::Signed(caller).into();
		let result;

		#[block]
		{
			result = CheckFeed::<T>::new().validate_only(
				origin,
				&call,
				&info,
				0,
				TransactionSource::External,
				0,
			);
		}

		assert!(result.is_ok());
	}

	/// `n` smiles, each for an expiry already holding every other feeder's smile, while
	/// the map is full and `n` of its expiries have expired: the call first prunes `n`
	/// expired smiles (iterating all of them) to make room for `n` new expiries.
	#[benchmark]
	fn feed_surfaces(n: Linear<1, { T::MaxSurfaces::get() }>) {
		let (caller, now, _) = setup_surfaces::<T>(1, n, true);
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		PendingSurfaces::<T>::kill();
		let fresh: Vec<(AssetId, Moment)> = (0..n)
			.map(|i| i.saturating_add(T::MaxSurfaces::get()))
			.map(|i| (underlying_of::<T>(i), expiry_at(now, i)))
			.collect();
		for (underlying, expiry) in &fresh {
			T::BenchmarkHelper::list_expiry(*underlying, *expiry);
		}
		let values: Vec<(AssetId, Moment, Smile)> = fresh.iter().map(|(u, e)| (*u, *e, smile(60))).collect();
		let values: SurfaceValuesOf<T> = values.try_into().expect("MaxSurfaces");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), values);

		assert_eq!(PendingSurfaces::<T>::get().len() as u32, n);
		assert_eq!(SurfaceFeeds::<T>::count(), T::MaxSurfaces::get());
	}

	/// `n` expiries aggregated at the end of the block, each with a full feed list and a
	/// previous smile (so every point is clamped against it), each on its own underlying as
	/// far as there are assets (an underlying's smiles read and written once).
	#[benchmark]
	fn aggregate_surfaces(n: Linear<0, { T::MaxSurfaces::get() }>) {
		let (last, _, expiries) = setup_surfaces::<T>(1, 0, true);
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		if n > 0 {
			let values: Vec<(AssetId, Moment, Smile)> =
				expiries.iter().take(n as usize).map(|(u, e)| (*u, *e, smile(70))).collect();
			Pallet::<T>::do_feed_surfaces(last, values.try_into().expect("MaxSurfaces")).expect("valid smiles");
		}

		#[block]
		{
			Pallet::<T>::aggregate_pending_surfaces();
		}

		assert!(PendingSurfaces::<T>::get().is_empty());
		assert_eq!(Surfaces::<T>::iter_values().map(|smiles| smiles.len()).sum::<usize>() as u32, T::MaxSurfaces::get());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty().build(), crate::mock::Test);
}
