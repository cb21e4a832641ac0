//! The time-weighted index: Σ price × time over the time an asset's index was fresh, so a
//! settlement can average the fresh index over a window from two readings, and tell how much
//! of the window was fresh. Each fresh aggregate stands for the index until the next one, for
//! at most `max_age_ms` (after that the index is stale, and the time does not count); a
//! clamped aggregate stands for nothing.

use crate::{pallet::*, types::TimeWeightedIndex};
use clearing_primitives::{
	oracle::{Moment, TimeWeightedPoint},
	AssetId, Price,
};
use frame_support::traits::Time;

/// `point` moved on by `price` standing for `span` milliseconds (wrapping: readers take
/// differences).
fn advanced(point: TimeWeightedPoint, price: Price, span: Moment) -> TimeWeightedPoint {
	TimeWeightedPoint {
		price_time: point.price_time.wrapping_add(price.into_inner().wrapping_mul(u128::from(span))),
		fresh_ms: point.fresh_ms.wrapping_add(span),
	}
}

/// How long `kept`'s last aggregate has stood, fresh, by `now`.
fn fresh_span(kept: &TimeWeightedIndex, now: Moment, max_age_ms: Moment) -> Moment {
	if kept.last_fresh {
		now.saturating_sub(kept.last_at).min(max_age_ms)
	} else {
		0
	}
}

impl<T: Config> Pallet<T> {
	/// Counts the time `asset`'s last aggregate stood, then makes `price` (aggregated at
	/// `now`, `fresh` unless clamped) the one standing.
	pub(crate) fn accumulate(asset: AssetId, price: Price, fresh: bool, now: Moment, max_age_ms: Moment) {
		let point = TimeWeighted::<T>::get(asset)
			.map(|kept| advanced(kept.point, kept.last_price, fresh_span(&kept, now, max_age_ms)))
			.unwrap_or_default();
		TimeWeighted::<T>::insert(
			asset,
			TimeWeightedIndex { point, last_price: price, last_at: now, last_fresh: fresh },
		);
	}

	/// Counts the time `asset`'s last aggregate stood until `now`, when its price went stale:
	/// no more time counts until the next fresh aggregate.
	pub(crate) fn stop_counting(asset: AssetId, now: Moment, max_age_ms: Moment) {
		TimeWeighted::<T>::mutate(asset, |kept| {
			if let Some(kept) = kept {
				kept.point = advanced(kept.point, kept.last_price, fresh_span(kept, now, max_age_ms));
				kept.last_at = now;
				kept.last_fresh = false;
			}
		});
	}

	/// `asset`'s time-weighted index as of now: what is kept, plus the time its last
	/// aggregate has stood since.
	pub fn time_weighted_now(asset: AssetId) -> Option<TimeWeightedPoint> {
		let kept = TimeWeighted::<T>::get(asset)?;
		let span = fresh_span(&kept, T::Time::now(), Params::<T>::get().max_age_ms);
		Some(advanced(kept.point, kept.last_price, span))
	}
}
