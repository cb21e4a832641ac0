//! Retiring expired series. At expiry a series trades no more: its book is emptied in
//! bounded steps (resting orders and waiting triggers cancelled, deposits and margin
//! released); once its expiry has settled, every position in it has been settled and its
//! book is empty, it is delisted: its market closes and its slot under `MaxSeries` (and the
//! margin engine's `MaxMarkets`) is free for a new series.

use crate::{pallet::*, Settlement};
use clearing_primitives::{
	options::{SeriesBooks, SeriesMarkets},
	oracle::Moment,
	AssetId, MarketId,
};
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};

impl<T: Config> Pallet<T> {
	/// Queues every series of `underlying`'s `expiry`, which has just expired, for its book
	/// to be emptied; returns the weight of reading the series.
	pub(crate) fn queue_books(underlying: AssetId, expiry: Moment) -> Weight {
		let series = Self::series_of_expiry(underlying, expiry);
		BooksToClear::<T>::mutate(|queue| {
			for market in series {
				// Bounded by `MaxSeries` like the series themselves; never full in practice.
				if !queue.contains(&market) {
					let _ = queue.try_push(market);
				}
			}
		});
		T::DbWeight::get().reads_writes(u64::from(Series::<T>::count()).saturating_add(1), 1)
	}

	/// The idle hook's book clearing within `remaining`: the first queued series' book, at
	/// most `MaxBookStepsPerBlock` steps; a series whose book is empty leaves the queue and
	/// may be delisted. Returns the weight used (never above `remaining`).
	pub(crate) fn clear_books(remaining: Weight) -> Weight {
		let check = T::DbWeight::get().reads(1);
		if !check.all_lte(remaining) {
			return Weight::zero();
		}
		let queue = BooksToClear::<T>::get();
		let Some(&market) = queue.first() else { return check };
		let fixed = check.saturating_add(T::DbWeight::get().writes(2)).saturating_add(T::Books::clear_book_weight(0));
		if !fixed.all_lte(remaining) {
			return check;
		}
		let steps = steps_within(
			remaining.saturating_sub(fixed),
			T::Books::clear_book_weight(1).saturating_sub(T::Books::clear_book_weight(0)),
		)
		.min(T::MaxBookStepsPerBlock::get());
		let cleared = T::Books::clear_book(market, steps);
		if cleared.empty {
			BooksToClear::<T>::mutate(|queue| queue.retain(|queued| *queued != market));
			DelistCheck::<T>::put(true);
			Self::deposit_event(Event::BookCleared { market });
		}
		fixed.saturating_sub(T::Books::clear_book_weight(0)).saturating_add(T::Books::clear_book_weight(cleared.steps))
	}

	/// The idle hook's delisting within `remaining`, once something may have become
	/// delistable (a book emptied, the sweep finished): while the sweep is idle, every series
	/// whose expiry has settled, whose book is empty and out of the queue, is delisted if the
	/// margin engine can close its market (no position is left in it). Returns the weight used
	/// (never above `remaining`).
	pub(crate) fn delist_settled(remaining: Weight) -> Weight {
		use crate::weights::WeightInfo;
		let one = T::DbWeight::get().reads(1);
		if !one.all_lte(remaining) {
			return Weight::zero();
		}
		if !DelistCheck::<T>::get() {
			return one;
		}
		// Every candidate tried is charged a delisting, whether its market closes or not.
		let worst = T::WeightInfo::delist_series(T::MaxSeries::get());
		if !worst.all_lte(remaining) {
			return one;
		}
		if SweepPending::<T>::get() {
			return T::DbWeight::get().reads(2);
		}
		let queued = BooksToClear::<T>::get();
		let candidates: alloc::vec::Vec<_> = Series::<T>::iter()
			.map(|(market, listed)| (market, listed.terms))
			.filter(|(market, terms)| {
				!queued.contains(market) && Self::settlement_price(terms.underlying, terms.expiry).is_some()
			})
			.collect();
		let tried = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
		for (market, terms) in candidates {
			// A book that still holds something (a series expired before books were queued)
			// goes back in the queue first.
			if !T::Books::clear_book(market, 0).empty {
				BooksToClear::<T>::mutate(|queue| {
					let _ = queue.try_push(market);
				});
				continue;
			}
			// In its own layer: a market the margin engine cannot close (a position left)
			// stays listed whole, and is tried again at the next check.
			if with_storage_layer(|| T::Markets::close_series_market(market)).is_err() {
				continue;
			}
			Series::<T>::remove(market);
			SeriesByTerms::<T>::remove(terms);
			ScenarioBooks::<T>::mutate_exists(terms.underlying, |book| {
				if let Some(held) = book {
					held.series.retain(|entry| entry.market != market);
					if held.series.is_empty() {
						*book = None;
					}
				}
			});
			Expiries::<T>::mutate_exists((terms.underlying, terms.expiry), |record| {
				if let Some(entry) = record {
					entry.series = entry.series.saturating_sub(1);
					if entry.series == 0 {
						*record = None;
					}
				}
			});
			Self::deposit_event(Event::SeriesDelisted { market, terms });
		}
		DelistCheck::<T>::put(false);
		T::WeightInfo::delist_series(tried)
	}

	/// `true` if series `market` is expired and waiting for its book to be emptied.
	pub fn book_clearing(market: MarketId) -> bool {
		BooksToClear::<T>::get().contains(&market)
	}
}

/// How many steps of `per` fit in `room`, in both ref time and proof size.
pub(crate) fn steps_within(room: Weight, per: Weight) -> u32 {
	let by_time = room.ref_time().checked_div(per.ref_time()).unwrap_or(u64::MAX);
	let by_proof = room.proof_size().checked_div(per.proof_size()).unwrap_or(u64::MAX);
	u32::try_from(by_time.min(by_proof)).unwrap_or(u32::MAX)
}

/// An expiry that is not awaiting any more has expired (settled or pending).
pub(crate) fn expired(settlement: Settlement) -> bool {
	settlement != Settlement::Awaiting
}
