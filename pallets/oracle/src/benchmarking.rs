//! Benchmarks of every call and of the end-of-block aggregation, each at its worst case:
//! the feeder set full, every asset registered, every feed list full, URLs at full length.

use super::*;
use crate::{feed_check::CheckFeed, pallet::*};
use alloc::{vec, vec::Vec};
use clearing_primitives::{AssetId, Price};
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
		}

		#[block]
		{
			Pallet::<T>::aggregate_pending();
		}

		assert!(PendingAggregation::<T>::get().is_empty());
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

	#[benchmark]
	fn remove_feeder(a: Linear<0, { T::MaxAssets::get() }>) {
		let last = setup::<T>(a);
		if a > 0 {
			Pallet::<T>::do_feed(last.clone(), values_for::<T>(a)).expect("valid feed");
		}
		PendingAggregation::<T>::kill();

		#[extrinsic_call]
		_(RawOrigin::Root, last.clone());

		assert!(!Feeders::<T>::contains_key(&last));
		assert_eq!(PendingAggregation::<T>::get().len() as u32, a);
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

	#[benchmark]
	fn remove_asset() {
		let last = setup::<T>(T::MaxAssets::get());
		Pallet::<T>::do_feed(last, values_for::<T>(T::MaxAssets::get())).expect("valid feed");

		#[extrinsic_call]
		_(RawOrigin::Root, 0);

		assert!(!OracleAssets::<T>::contains_key(0));
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

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty().build(), crate::mock::Test);
}
