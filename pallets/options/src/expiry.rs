//! Expiries: each (underlying, expiry) settles once, at the time-weighted average of the
//! underlying's fresh index over the settlement window before it. The window's opening reading
//! and the settlement are taken by a hook that reads one value in a block where nothing is
//! due, and walks the listed expiries (at most `MaxSeries`) where something is.

use crate::{pallet::*, ExpiryRecord, Settlement, SweepPassState, WindowStart};
use clearing_primitives::{
	oracle::{Moment, PriceProvider},
	AssetId, Price,
};
use frame_support::{
	traits::{Get, Time},
	weights::Weight,
};
use sp_runtime::{traits::Zero, Permill};

/// What the hook does next for `record` of `expiry`, and when: open the window, then settle.
fn next_action(record: &ExpiryRecord, expiry: Moment, window_ms: Moment) -> Option<Moment> {
	match (record.settlement, record.window_start) {
		(Settlement::Awaiting, None) => Some(expiry.saturating_sub(window_ms)),
		(Settlement::Awaiting, Some(_)) => Some(expiry),
		_ => None,
	}
}

impl<T: Config> Pallet<T> {
	/// Counts a new series of `underlying` expiring at `expiry`, scheduling its window.
	pub(crate) fn add_to_expiry(underlying: AssetId, expiry: Moment) {
		Expiries::<T>::mutate((underlying, expiry), |record| {
			let record = record.get_or_insert(ExpiryRecord {
				series: 0,
				window_start: None,
				settlement: Settlement::Awaiting,
			});
			record.series = record.series.saturating_add(1);
		});
		let window = Params::<T>::get().settlement_window_ms;
		let opens = expiry.saturating_sub(window);
		NextExpiryAction::<T>::mutate(|next| *next = Some(next.map_or(opens, |n| n.min(opens))));
	}

	/// Opens the windows and settles the expiries due by now; returns the weight used.
	pub(crate) fn process_expiries() -> Weight {
		use crate::weights::WeightInfo;
		let now = T::Time::now();
		let due = NextExpiryAction::<T>::get();
		if due.is_none_or(|at| now < at) {
			return T::DbWeight::get().reads(1);
		}
		let params = Params::<T>::get();
		let window = params.settlement_window_ms;
		let mut next: Option<Moment> = None;
		let mut walked: u32 = 0;
		let mut extra = Weight::zero();
		// Collected first: a map is not written while it is iterated.
		let records: alloc::vec::Vec<_> = Expiries::<T>::iter().collect();
		for ((underlying, expiry), mut record) in records {
			walked = walked.saturating_add(1);
			if next_action(&record, expiry, window).is_some_and(|at| now >= at) {
				Self::act(underlying, expiry, &mut record, now, window, params.min_coverage);
				Expiries::<T>::insert((underlying, expiry), record);
				if crate::retire::expired(record.settlement) {
					extra.saturating_accrue(Self::queue_books(underlying, expiry));
				}
			}
			if let Some(at) = next_action(&record, expiry, window) {
				next = Some(next.map_or(at, |n| n.min(at)));
			}
		}
		NextExpiryAction::<T>::set(next);
		T::WeightInfo::process_expiries(walked).saturating_add(extra)
	}

	/// Opens `record`'s window (reading the time-weighted index) or, at expiry, settles it:
	/// at the window's average if the index was fresh for `min_coverage` of it, else pending.
	fn act(
		underlying: AssetId,
		expiry: Moment,
		record: &mut ExpiryRecord,
		now: Moment,
		window: Moment,
		min_coverage: Permill,
	) {
		let reading = T::Prices::time_weighted(underlying);
		let Some(start) = record.window_start else {
			record.window_start = Some(WindowStart { reading, at: now });
			Self::deposit_event(Event::SettlementWindowOpened { underlying, expiry });
			if now >= expiry {
				// Opened at expiry (the chain was down through the window): nothing was seen.
				record.settlement = Settlement::Pending;
				Self::deposit_event(Event::SettlementPending { underlying, expiry, coverage: Permill::zero() });
			}
			return;
		};
		let average = match (start.reading, reading) {
			(Some(opened), Some(closed)) => closed.average_since(&opened),
			_ => None,
		};
		// More fresh time than has passed means the index was reset (an asset removed and
		// listed again) and the difference is meaningless.
		let elapsed = now.saturating_sub(start.at);
		let average = average.filter(|(_, fresh)| *fresh <= elapsed);
		let covered = average.map(|(_, fresh)| fresh).unwrap_or_default();
		let coverage = Permill::from_rational(covered.min(window), window.max(1));
		match average {
			Some((price, _)) if coverage >= min_coverage && !price.is_zero() => {
				record.settlement = Settlement::Settled(price);
				Self::sweep_needed();
				Self::deposit_event(Event::ExpirySettled { underlying, expiry, price, coverage });
			},
			_ => {
				record.settlement = Settlement::Pending;
				Self::deposit_event(Event::SettlementPending { underlying, expiry, coverage });
			},
		}
	}

	/// The price series expiring at `expiry` on `underlying` settled at, if they have.
	pub fn settlement_price(underlying: AssetId, expiry: Moment) -> Option<Price> {
		match Expiries::<T>::get((underlying, expiry))?.settlement {
			Settlement::Settled(price) => Some(price),
			_ => None,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// A settlement happened: the sweep runs, and the pass under way no longer proves that
	/// nothing is left (positions it passed may have become settleable).
	pub(crate) fn sweep_needed() {
		SweepPending::<T>::put(true);
		SweepPass::<T>::mutate(|pass| pass.clean = false);
	}

	/// The idle hook's sweep within `remaining`: positions of settled series settled, a pass
	/// over every position at a time. It stops once a whole pass, begun after the last
	/// settlement, found nothing to settle (so a position moved behind the scan meanwhile is
	/// found by the next pass).
	pub(crate) fn sweep(remaining: Weight) -> Weight {
		use clearing_primitives::options::SeriesMarkets;
		let check = T::DbWeight::get().reads(1);
		if !check.all_lte(remaining) {
			return Weight::zero();
		}
		if !SweepPending::<T>::get() {
			return check;
		}
		let per = T::Markets::settle_expired_position_weight();
		let bookkeeping = T::DbWeight::get().reads_writes(1, 3);
		let fixed = check.saturating_add(bookkeeping);
		if !fixed.all_lte(remaining) {
			return check;
		}
		let limit = crate::retire::steps_within(remaining.saturating_sub(fixed), per)
			.min(T::MaxSettlementsPerBlock::get());
		if limit == 0 {
			return check;
		}
		let outcome = T::Markets::settle_expired_positions(limit);
		let mut pass = SweepPass::<T>::get();
		if outcome.from_start {
			pass = SweepPassState { clean: true, settled_any: false };
		}
		pass.settled_any = pass.settled_any || outcome.settled > 0;
		if outcome.finished && pass.clean && !pass.settled_any {
			SweepPending::<T>::put(false);
			SweepPass::<T>::kill();
			DelistCheck::<T>::put(true);
		} else {
			SweepPass::<T>::put(pass);
		}
		check.saturating_add(bookkeeping).saturating_add(per.saturating_mul(u64::from(outcome.read)))
	}
}
