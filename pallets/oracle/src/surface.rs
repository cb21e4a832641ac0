//! Implied-volatility smiles per listed option expiry: fed by feeders, aggregated point by
//! point at the end of the block under the rules of prices, quoted with a status, and
//! pruned once expired when room is needed.

use crate::{
	median::{aggregate, quorum, Aggregate},
	pallet::*,
	types::{OracleParams, SurfaceFeed, SurfaceRecord},
};
use alloc::vec::Vec;
use clearing_primitives::{
	black76::ONE,
	oracle::{ListedExpiries, Moment, PriceStatus, Smile, SurfaceQuote, SMILE_POINTS},
	AssetId, Price,
};
use frame_support::{ensure, pallet_prelude::*, traits::Time};

/// The highest implied volatility a smile point may be fed at (500%).
pub const MAX_SMILE_VOLATILITY: u128 = 5 * ONE.unsigned_abs();

/// A smile not refreshed for this many feed ages counts as absent: its expiry goes back to
/// the volatility index (a source gone, a quorum lost), rather than holding its series
/// unliquidatable on an old reading until expiry.
pub const SMILE_GRACE_AGES: u64 = 6;

/// An underlying's aggregated smiles by expiry, ascending (at most `MaxSurfaces`: each has
/// its feeds, which are capped).
pub type SmilesOf<T> = BoundedVec<(Moment, SurfaceRecord), <T as Config>::MaxSurfaces>;

/// The smile of `expiry` among `smiles`.
fn record_of(smiles: &[(Moment, SurfaceRecord)], expiry: Moment) -> Option<SurfaceRecord> {
	smiles.iter().find(|(at, _)| *at == expiry).map(|(_, record)| *record)
}

/// Sets the smile of `expiry` among `smiles`, kept in expiry order. `false` if it could not
/// be added (the list full: never, as the feeds of each smile are capped by the same bound).
fn put_record<S: Get<u32>>(
	smiles: &mut BoundedVec<(Moment, SurfaceRecord), S>,
	expiry: Moment,
	record: SurfaceRecord,
) -> bool {
	match smiles.binary_search_by_key(&expiry, |(at, _)| *at) {
		Ok(at) => match smiles.get_mut(at) {
			Some(entry) => {
				entry.1 = record;
				true
			},
			None => false,
		},
		Err(at) => smiles.try_insert(at, (expiry, record)).is_ok(),
	}
}

/// `true` if every point of `smile` is in (0, 500%].
pub fn smile_in_range(smile: &Smile) -> bool {
	smile.iter().all(|iv| iv.into_inner() > 0 && iv.into_inner() <= MAX_SMILE_VOLATILITY)
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_feed_surfaces(feeder: T::AccountId, values: SurfaceValuesOf<T>) -> DispatchResult {
		ensure!(Feeders::<T>::contains_key(&feeder), Error::<T>::NotFeeder);
		let block = frame_system::Pallet::<T>::block_number();
		ensure!(SurfacesFedIn::<T>::get(&feeder) != Some(block), Error::<T>::AlreadyFedThisBlock);
		ensure!(!values.is_empty(), Error::<T>::NoValues);
		let now = T::Time::now();
		// Check everything before writing anything.
		let mut new_keys: u32 = 0;
		for (index, (underlying, expiry, smile)) in values.iter().enumerate() {
			ensure!(smile_in_range(smile), Error::<T>::VolatilityOutOfRange);
			ensure!(OracleAssets::<T>::contains_key(underlying), Error::<T>::AssetNotPriced);
			ensure!(
				*expiry > now && T::ListedExpiries::is_listed(*underlying, *expiry),
				Error::<T>::ExpiryNotListed
			);
			let earlier = values.iter().take(index);
			ensure!(
				earlier.into_iter().all(|(u, e, _)| (u, e) != (underlying, expiry)),
				Error::<T>::DuplicateExpiry
			);
			if !SurfaceFeeds::<T>::contains_key((underlying, expiry)) {
				new_keys = new_keys.saturating_add(1);
			}
		}
		let held = SurfaceFeeds::<T>::count();
		let mut expired: Vec<(AssetId, Moment)> = Vec::new();
		let over = held.saturating_add(new_keys).saturating_sub(T::MaxSurfaces::get());
		if over > 0 {
			// Only as many as the new expiries need (at most `n`, as benchmarked); the scan is
			// bounded by `MaxSurfaces`: the feeds map is counted and capped.
			expired = SurfaceFeeds::<T>::iter_keys()
				.filter(|(_, expiry)| *expiry <= now)
				.take(usize::try_from(over).unwrap_or(usize::MAX))
				.collect();
			ensure!(
				u32::try_from(expired.len()).unwrap_or(0) >= over,
				Error::<T>::TooManySurfaces
			);
		}

		for (underlying, expiry) in expired {
			Self::forget_surface(underlying, expiry);
			Self::deposit_event(Event::SurfacePruned { underlying, expiry });
		}
		for (underlying, expiry, smile) in values.iter() {
			let key = (*underlying, *expiry);
			SurfaceFeeds::<T>::try_mutate(key, |feeds| -> DispatchResult {
				match feeds.iter_mut().find(|f| f.feeder == feeder) {
					Some(feed) => {
						feed.smile = *smile;
						feed.at = now;
					},
					None => feeds
						.try_push(SurfaceFeed { feeder: feeder.clone(), smile: *smile, at: now })
						.map_err(|_| Error::<T>::FeedListFull)?,
				}
				Ok(())
			})?;
			Self::queue_surface(key)?;
		}
		SurfacesFedIn::<T>::insert(&feeder, block);
		let count = u32::try_from(values.len()).unwrap_or(u32::MAX);
		Self::deposit_event(Event::SurfacesFed { feeder, count });
		Ok(())
	}

	pub(crate) fn queue_surface(key: (AssetId, Moment)) -> DispatchResult {
		PendingSurfaces::<T>::try_mutate(|pending| {
			if pending.contains(&key) {
				return Ok(());
			}
			// Cannot fill up: it holds distinct fed expiries, at most `MaxSurfaces`.
			pending.try_push(key).map_err(|_| Error::<T>::TooManySurfaces.into())
		})
	}

	/// Removes an expiry's smile, its feeds and any aggregation queued for it.
	pub(crate) fn forget_surface(underlying: AssetId, expiry: Moment) {
		SurfaceFeeds::<T>::remove((underlying, expiry));
		let mut smiles = Surfaces::<T>::get(underlying);
		if record_of(&smiles, expiry).is_some() {
			smiles.retain(|(at, _)| *at != expiry);
			Self::store_smiles(underlying, smiles);
		}
		PendingSurfaces::<T>::mutate(|pending| pending.retain(|key| *key != (underlying, expiry)));
	}

	/// Writes `underlying`'s smiles, or removes the entry once none is left.
	fn store_smiles(underlying: AssetId, smiles: SmilesOf<T>) {
		if smiles.is_empty() {
			Surfaces::<T>::remove(underlying);
		} else {
			Surfaces::<T>::insert(underlying, smiles);
		}
	}

	/// Drops `feeder`'s smiles (it left the set); the expiries it fed re-aggregate at block
	/// end. Bounded by `MaxSurfaces`.
	pub(crate) fn drop_surface_feeds_of(feeder: &T::AccountId) -> DispatchResult {
		SurfacesFedIn::<T>::remove(feeder);
		let keys: Vec<(AssetId, Moment)> = SurfaceFeeds::<T>::iter_keys().collect();
		for key in keys {
			let mut feeds = SurfaceFeeds::<T>::get(key);
			let before = feeds.len();
			feeds.retain(|f| f.feeder != *feeder);
			if feeds.len() == before {
				continue;
			}
			if feeds.is_empty() {
				// Nobody feeds it any more: no smile is left to stand for it.
				let (underlying, expiry) = key;
				Self::forget_surface(underlying, expiry);
			} else {
				SurfaceFeeds::<T>::insert(key, feeds);
				Self::queue_surface(key)?;
			}
		}
		Ok(())
	}

	/// Drops every smile of `underlying` (it is no longer priced). Bounded by `MaxSurfaces`.
	pub(crate) fn drop_surfaces_of(underlying: AssetId) {
		let keys: Vec<(AssetId, Moment)> =
			SurfaceFeeds::<T>::iter_keys().filter(|(asset, _)| *asset == underlying).collect();
		for (asset, expiry) in keys {
			Self::forget_surface(asset, expiry);
		}
	}

	/// Aggregates every expiry queued in this block (called from `on_finalize`).
	pub(crate) fn aggregate_pending_surfaces() {
		let pending = PendingSurfaces::<T>::take();
		if pending.is_empty() {
			return;
		}
		let params = Params::<T>::get();
		let now = T::Time::now();
		let registered = Feeders::<T>::count();
		// Each underlying's smiles read and written once, whatever its expiries fed.
		let mut underlyings: Vec<AssetId> = Vec::new();
		for (underlying, _) in pending.iter() {
			if !underlyings.contains(underlying) {
				underlyings.push(*underlying);
			}
		}
		for underlying in underlyings {
			let mut smiles = Surfaces::<T>::get(underlying);
			for key in pending.iter().filter(|(asset, _)| *asset == underlying) {
				Self::aggregate_surface(*key, &params, registered, now, &mut smiles);
			}
			Self::store_smiles(underlying, smiles);
		}
	}

	fn aggregate_surface(
		key: (AssetId, Moment),
		params: &OracleParams,
		registered: u32,
		now: Moment,
		smiles: &mut SmilesOf<T>,
	) {
		let (underlying, expiry) = key;
		let recent: Vec<Smile> = SurfaceFeeds::<T>::get(key)
			.iter()
			.filter(|feed| now.saturating_sub(feed.at) <= params.max_age_ms)
			.map(|feed| feed.smile)
			.collect();
		let last = record_of(smiles, expiry);
		let quorum = quorum(params.min_feeders, registered);
		let mut smile: Smile = [Price::from_inner(0); SMILE_POINTS];
		let mut flagged = false;
		for (point, aggregated) in smile.iter_mut().enumerate() {
			let mut values: Vec<Price> = recent.iter().filter_map(|fed| fed.get(point).copied()).collect();
			let previous = last.and_then(|record| record.smile.get(point).copied());
			match aggregate(&mut values, quorum, previous, params.max_jump, T::MaxSmileSpread::get()) {
				Aggregate::NoQuorum => {
					// Every point has as many feeds: too few for one is too few for all.
					if let Some(mut record) = last.filter(|r| !r.stale) {
						record.stale = true;
						put_record(smiles, expiry, record);
						Self::deposit_event(Event::SurfaceWentStale { underlying, expiry });
					}
					return;
				},
				Aggregate::Price { price, clamped } => {
					*aggregated = price;
					flagged |= clamped;
				},
			}
		}
		// The streak survives only an unbroken run of fresh, unclamped aggregates.
		let fresh_streak = match last {
			_ if flagged => 0,
			Some(r) if !r.stale && !r.flagged && now.saturating_sub(r.updated_at) <= params.max_age_ms =>
				r.fresh_streak.saturating_add(1),
			_ => 1,
		};
		let record = SurfaceRecord { smile, updated_at: now, stale: false, flagged, fresh_streak };
		if put_record(smiles, expiry, record) {
			Self::deposit_event(Event::SurfaceAggregated { underlying, expiry, flagged });
		}
	}

	/// The smile of `(underlying, expiry)` as of now: older than `max_age_ms` it is stale
	/// even if no aggregation has said so yet; older than `SMILE_GRACE_AGES` ages it is
	/// `None`, as if there were none.
	pub fn surface_quote(underlying: AssetId, expiry: Moment) -> Option<SurfaceQuote> {
		let record = record_of(&Surfaces::<T>::get(underlying), expiry)?;
		Self::quote_of(record, T::Time::now(), Params::<T>::get().max_age_ms)
	}

	/// Every smile of `underlying` as [`Self::surface_quote`] quotes it, by expiry: one read.
	pub fn surface_quotes(underlying: AssetId) -> Vec<(Moment, SurfaceQuote)> {
		let (now, max_age) = (T::Time::now(), Params::<T>::get().max_age_ms);
		Surfaces::<T>::get(underlying)
			.into_iter()
			.filter_map(|(expiry, record)| Some((expiry, Self::quote_of(record, now, max_age)?)))
			.collect()
	}

	/// `record` quoted at `now` (see [`Self::surface_quote`]).
	fn quote_of(record: SurfaceRecord, now: Moment, max_age: Moment) -> Option<SurfaceQuote> {
		let age = now.saturating_sub(record.updated_at);
		if age > max_age.saturating_mul(SMILE_GRACE_AGES) {
			return None;
		}
		let status = if record.flagged {
			PriceStatus::Flagged
		} else if record.stale || age > max_age {
			PriceStatus::Stale
		} else {
			PriceStatus::Fresh
		};
		let fresh_streak = if status == PriceStatus::Fresh { record.fresh_streak } else { 0 };
		Some(SurfaceQuote { smile: record.smile, updated_at: record.updated_at, status, fresh_streak })
	}

	/// The invariants of the smiles' storage.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn surfaces_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let held = SurfaceFeeds::<T>::iter_keys().count();
		ensure!(SurfaceFeeds::<T>::count() as usize == held, "smile counter differs from the feed map");
		ensure!(SurfaceFeeds::<T>::count() <= T::MaxSurfaces::get(), "more smiles than MaxSurfaces");
		for ((underlying, _), feeds) in SurfaceFeeds::<T>::iter() {
			ensure!(OracleAssets::<T>::contains_key(underlying), "a smile of an unpriced underlying");
			for (index, feed) in feeds.iter().enumerate() {
				ensure!(Feeders::<T>::contains_key(&feed.feeder), "a smile from a non-feeder");
				ensure!(smile_in_range(&feed.smile), "a fed smile out of range");
				ensure!(
					feeds.iter().skip(index.saturating_add(1)).all(|f| f.feeder != feed.feeder),
					"two smiles from one feeder for one expiry"
				);
			}
		}
		for (underlying, smiles) in Surfaces::<T>::iter() {
			ensure!(!smiles.is_empty(), "an underlying kept without smiles");
			ensure!(
				smiles.iter().zip(smiles.iter().skip(1)).all(|((a, _), (b, _))| a < b),
				"smiles out of expiry order"
			);
			for (expiry, record) in smiles.iter() {
				ensure!(SurfaceFeeds::<T>::contains_key((underlying, *expiry)), "a smile without feeds");
				ensure!(smile_in_range(&record.smile), "an aggregated smile out of range");
			}
		}
		ensure!(
			PendingSurfaces::<T>::get().iter().all(SurfaceFeeds::<T>::contains_key),
			"an unknown expiry queued for aggregation"
		);
		Ok(())
	}
}
