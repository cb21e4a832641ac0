//! The pallet's logic behind its thin calls: feeding, governance of feeders and assets,
//! aggregation, quoting and the invariants `try_state` checks.

use crate::{
	median::{aggregate, is_positive, quorum, Aggregate},
	pallet::*,
	types::{bounds, Feed, OracleParams, PriceRecord},
};
use alloc::vec::Vec;
use clearing_primitives::{
	oracle::{Moment, PriceProvider, PriceQuote, PriceStatus},
	AssetId, Price,
};
use frame_support::{ensure, pallet_prelude::*, traits::Time};


impl<T: Config> Pallet<T> {
	pub(crate) fn do_feed(feeder: T::AccountId, values: FeedValuesOf<T>) -> DispatchResult {
		let mut state = Feeders::<T>::get(&feeder).ok_or(Error::<T>::NotFeeder)?;
		let block = frame_system::Pallet::<T>::block_number();
		ensure!(state.last_fed != Some(block), Error::<T>::AlreadyFedThisBlock);
		ensure!(!values.is_empty(), Error::<T>::NoValues);
		// Check everything before writing anything.
		for (index, (asset, price)) in values.iter().enumerate() {
			ensure!(is_positive(price), Error::<T>::ZeroPrice);
			ensure!(OracleAssets::<T>::contains_key(asset), Error::<T>::AssetNotPriced);
			let earlier = values.iter().take(index);
			ensure!(earlier.into_iter().all(|(a, _)| a != asset), Error::<T>::DuplicateAsset);
		}

		let now = T::Time::now();
		for (asset, price) in values.iter() {
			Feeds::<T>::try_mutate(asset, |feeds| -> DispatchResult {
				match feeds.iter_mut().find(|f| f.feeder == feeder) {
					Some(feed) => {
						feed.price = *price;
						feed.at = now;
					},
					None => feeds
						.try_push(Feed { feeder: feeder.clone(), price: *price, at: now })
						.map_err(|_| Error::<T>::FeedListFull)?,
				}
				Ok(())
			})?;
			Self::queue_aggregation(*asset)?;
		}
		state.last_fed = Some(block);
		Feeders::<T>::insert(&feeder, state);
		let count = u32::try_from(values.len()).unwrap_or(u32::MAX);
		Self::deposit_event(Event::PricesFed { feeder, count });
		Ok(())
	}

	pub(crate) fn do_add_feeder(feeder: T::AccountId) -> DispatchResult {
		ensure!(!Feeders::<T>::contains_key(&feeder), Error::<T>::AlreadyFeeder);
		ensure!(Feeders::<T>::count() < T::MaxFeeders::get(), Error::<T>::TooManyFeeders);
		Feeders::<T>::insert(&feeder, FeederState::default());
		Self::deposit_event(Event::FeederAdded { feeder });
		Ok(())
	}

	pub(crate) fn do_remove_feeder(feeder: T::AccountId) -> DispatchResult {
		ensure!(Feeders::<T>::contains_key(&feeder), Error::<T>::NotFeeder);
		Feeders::<T>::remove(&feeder);
		// Bounded by `MaxAssets`: the registry is a counted, capped map.
		for asset in OracleAssets::<T>::iter_keys() {
			let mut dropped = false;
			Feeds::<T>::mutate(asset, |feeds| {
				let before = feeds.len();
				feeds.retain(|f| f.feeder != feeder);
				dropped = feeds.len() != before;
			});
			if dropped {
				Self::queue_aggregation(asset)?;
			}
		}
		Self::drop_surface_feeds_of(&feeder)?;
		Self::deposit_event(Event::FeederRemoved { feeder });
		Ok(())
	}

	pub(crate) fn do_set_asset(asset: AssetId, sources: SourcesOf<T>) -> DispatchResult {
		ensure!(sources.iter().all(|s| is_valid_url(&s.url)), Error::<T>::InvalidSourceUrl);
		if !OracleAssets::<T>::contains_key(asset) {
			ensure!(OracleAssets::<T>::count() < T::MaxAssets::get(), Error::<T>::TooManyAssets);
		}
		let count = u32::try_from(sources.len()).unwrap_or(u32::MAX);
		OracleAssets::<T>::insert(asset, sources);
		Self::deposit_event(Event::AssetSet { asset, sources: count });
		Ok(())
	}

	pub(crate) fn do_remove_asset(asset: AssetId) -> DispatchResult {
		ensure!(OracleAssets::<T>::contains_key(asset), Error::<T>::AssetNotPriced);
		OracleAssets::<T>::remove(asset);
		Feeds::<T>::remove(asset);
		Prices::<T>::remove(asset);
		RealizedVolatilities::<T>::remove(asset);
		TimeWeighted::<T>::remove(asset);
		Dispersions::<T>::remove(asset);
		PendingAggregation::<T>::mutate(|pending| pending.retain(|a| *a != asset));
		Self::drop_surfaces_of(asset);
		Self::deposit_event(Event::AssetRemoved { asset });
		Ok(())
	}

	/// Checks `params` against the hard bounds no origin may cross.
	pub fn ensure_valid_params(params: &OracleParams) -> DispatchResult {
		ensure!(
			params.min_feeders >= 1 && params.min_feeders <= T::MaxFeeders::get(),
			Error::<T>::MinFeedersOutOfBounds
		);
		ensure!(
			(bounds::MAX_AGE_FLOOR_MS..=bounds::MAX_AGE_CEILING_MS).contains(&params.max_age_ms),
			Error::<T>::MaxAgeOutOfBounds
		);
		ensure!(
			!params.max_jump.is_zero() && params.max_jump <= bounds::MAX_JUMP_CEILING,
			Error::<T>::MaxJumpOutOfBounds
		);
		Ok(())
	}

	pub(crate) fn queue_aggregation(asset: AssetId) -> DispatchResult {
		PendingAggregation::<T>::try_mutate(|pending| {
			if pending.contains(&asset) {
				return Ok(());
			}
			// Cannot fill up: it holds distinct registered assets, at most `MaxAssets`.
			pending.try_push(asset).map_err(|_| Error::<T>::TooManyAssets.into())
		})
	}

	/// Aggregates every asset queued in this block (called from `on_finalize`).
	pub(crate) fn aggregate_pending() {
		let pending = PendingAggregation::<T>::take();
		if pending.is_empty() {
			return;
		}
		let params = Params::<T>::get();
		let now = T::Time::now();
		for asset in pending {
			Self::aggregate_asset(asset, &params, now);
		}
	}

	fn aggregate_asset(asset: AssetId, params: &OracleParams, now: Moment) {
		let mut recent: Vec<Price> = Feeds::<T>::get(asset)
			.iter()
			.filter(|feed| now.saturating_sub(feed.at) <= params.max_age_ms)
			.map(|feed| feed.price)
			.collect();
		let last = Prices::<T>::get(asset);
		let quorum = quorum(params.min_feeders, Feeders::<T>::count());
		match aggregate(&mut recent, quorum, last.map(|r| r.price), params.max_jump, T::MaxSpread::get()) {
			Aggregate::NoQuorum =>
				if let Some(mut record) = last.filter(|r| !r.stale) {
					record.stale = true;
					Prices::<T>::insert(asset, record);
					// Stale from now: the time-weighted index stops counting here.
					Self::stop_counting(asset, now, params.max_age_ms);
					Self::deposit_event(Event::PriceWentStale { asset });
				},
			Aggregate::Price { price, clamped } => {
				// The streak survives only an unbroken run of fresh, unclamped aggregates.
				let fresh_streak = match last {
					_ if clamped => 0,
					Some(r)
						if !r.stale &&
							!r.flagged && now.saturating_sub(r.updated_at) <= params.max_age_ms =>
						r.fresh_streak.saturating_add(1),
					_ => 1,
				};
				Prices::<T>::insert(
					asset,
					PriceRecord { price, updated_at: now, stale: false, flagged: clamped, fresh_streak },
				);
				// `recent` is sorted by the median: how far its feeds disagree, written only
				// when it changes.
				let spread = crate::median::dispersion(&recent);
				if Dispersions::<T>::get(asset) != spread {
					if spread.is_zero() {
						Dispersions::<T>::remove(asset);
					} else {
						Dispersions::<T>::insert(asset, spread);
					}
					Self::deposit_event(Event::DispersionChanged { asset, dispersion: spread });
				}
				Self::accumulate(asset, price, !clamped, now, params.max_age_ms);
				// A clamped jump is not a return anyone traded at.
				if !clamped {
					Self::sample_volatility(asset, price, now);
				}
				Self::deposit_event(Event::PriceAggregated { asset, price, flagged: clamped });
			},
		}
	}

	/// The quote of `asset` as of now: a price older than `max_age_ms` is stale even if no
	/// aggregation has said so yet.
	pub fn quote(asset: AssetId) -> Option<PriceQuote> {
		let record = Prices::<T>::get(asset)?;
		let age = T::Time::now().saturating_sub(record.updated_at);
		let status = if record.flagged {
			PriceStatus::Flagged
		} else if record.stale || age > Params::<T>::get().max_age_ms {
			PriceStatus::Stale
		} else {
			PriceStatus::Fresh
		};
		let fresh_streak = if status == PriceStatus::Fresh { record.fresh_streak } else { 0 };
		Some(PriceQuote { price: record.price, updated_at: record.updated_at, status, fresh_streak })
	}

	/// Every priced asset's quote (bounded by `MaxAssets`).
	pub fn quotes() -> Vec<(AssetId, PriceQuote)> {
		OracleAssets::<T>::iter_keys()
			.filter_map(|asset| Self::quote(asset).map(|q| (asset, q)))
			.collect()
	}

	/// The invariants of the oracle's storage.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(Feeders::<T>::count() <= T::MaxFeeders::get(), "more feeders than MaxFeeders");
		ensure!(
			Feeders::<T>::count() as usize == Feeders::<T>::iter_keys().count(),
			"feeder counter differs from the feeder map"
		);
		ensure!(OracleAssets::<T>::count() <= T::MaxAssets::get(), "more assets than MaxAssets");
		ensure!(
			OracleAssets::<T>::count() as usize == OracleAssets::<T>::iter_keys().count(),
			"asset counter differs from the asset map"
		);
		for (asset, feeds) in Feeds::<T>::iter() {
			ensure!(OracleAssets::<T>::contains_key(asset), "feeds for an unknown asset");
			for (index, feed) in feeds.iter().enumerate() {
				ensure!(Feeders::<T>::contains_key(&feed.feeder), "a feed from a non-feeder");
				ensure!(is_positive(&feed.price), "a zero feed");
				ensure!(
					feeds.iter().skip(index.saturating_add(1)).all(|f| f.feeder != feed.feeder),
					"two feeds from one feeder for one asset"
				);
			}
		}
		for (asset, record) in Prices::<T>::iter() {
			ensure!(OracleAssets::<T>::contains_key(asset), "a price for an unknown asset");
			ensure!(is_positive(&record.price), "a zero price");
		}
		for (asset, series) in RealizedVolatilities::<T>::iter() {
			ensure!(Prices::<T>::contains_key(asset), "a volatility series for an unpriced asset");
			ensure!(is_positive(&series.sample_price), "a zero volatility sample");
		}
		for asset in TimeWeighted::<T>::iter_keys() {
			ensure!(Prices::<T>::contains_key(asset), "a time-weighted index for an unpriced asset");
		}
		ensure!(Self::ensure_valid_params(&Params::<T>::get()).is_ok(), "params out of bounds");
		// Between blocks nothing is left to aggregate.
		ensure!(
			PendingAggregation::<T>::get().iter().all(|a| OracleAssets::<T>::contains_key(a)),
			"an unknown asset queued for aggregation"
		);
		Self::surfaces_try_state()
	}
}

impl<T: Config> PriceProvider for Pallet<T> {
	fn quote(asset: AssetId) -> Option<PriceQuote> {
		Pallet::<T>::quote(asset)
	}

	fn dispersion(asset: AssetId) -> sp_runtime::Permill {
		Dispersions::<T>::get(asset)
	}

	fn realized_volatility(asset: AssetId) -> Option<Price> {
		Pallet::<T>::realized_volatility(asset)
	}

	fn time_weighted(asset: AssetId) -> Option<clearing_primitives::oracle::TimeWeightedPoint> {
		Pallet::<T>::time_weighted_now(asset)
	}

	fn surface(underlying: AssetId, expiry: Moment) -> Option<clearing_primitives::oracle::SurfaceQuote> {
		Pallet::<T>::surface_quote(underlying, expiry)
	}

	fn surfaces(underlying: AssetId) -> alloc::vec::Vec<(Moment, clearing_primitives::oracle::SurfaceQuote)> {
		Pallet::<T>::surface_quotes(underlying)
	}
}

/// `http://` or `https://`, then a non-empty host, and printable ASCII throughout.
pub fn is_valid_url(url: &[u8]) -> bool {
	let rest = url
		.strip_prefix(b"https://".as_slice())
		.or_else(|| url.strip_prefix(b"http://".as_slice()));
	match rest {
		Some(rest) =>
			!rest.is_empty() &&
				!rest.starts_with(b"/") &&
				url.iter().all(|b| b.is_ascii_graphic()),
		None => false,
	}
}
