//! Expiries: each (underlying, expiry) settles once, at the time-weighted average of the
//! underlying's fresh index over the settlement window before it. The window's opening reading
//! and the settlement are taken by a hook that reads one value in a block where nothing is
//! due, and walks the listed expiries (at most `MaxSeries`) where something is.

use crate::{pallet::*, ExpiryRecord, Settlement};
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
		// Collected first: a map is not written while it is iterated.
		let records: alloc::vec::Vec<_> = Expiries::<T>::iter().collect();
		for ((underlying, expiry), mut record) in records {
			walked = walked.saturating_add(1);
			if next_action(&record, expiry, window).is_some_and(|at| now >= at) {
				Self::act(underlying, expiry, &mut record, now, window, params.min_coverage);
				Expiries::<T>::insert((underlying, expiry), record);
			}
			if let Some(at) = next_action(&record, expiry, window) {
				next = Some(next.map_or(at, |n| n.min(at)));
			}
		}
		NextExpiryAction::<T>::set(next);
		T::WeightInfo::process_expiries(walked)
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
		if record.window_start.is_none() {
			record.window_start = Some(reading.unwrap_or_default());
			Self::deposit_event(Event::SettlementWindowOpened { underlying, expiry });
			if now < expiry {
				return;
			}
		}
		let average = match (record.window_start, reading) {
			(Some(start), Some(end)) => end.average_since(&start),
			_ => None,
		};
		let covered = average.map(|(_, fresh)| fresh).unwrap_or_default();
		let coverage = Permill::from_rational(covered.min(window), window.max(1));
		match average {
			Some((price, _)) if coverage >= min_coverage && !price.is_zero() => {
				record.settlement = Settlement::Settled(price);
				SweepPending::<T>::put(true);
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
	/// The idle hook's sweep within `remaining`: positions of settled series settled, a pass
	/// over every position at a time; once a pass ends with no settled series holding open
	/// interest, the sweep stops until the next settlement.
	pub(crate) fn sweep(remaining: Weight) -> Weight {
		use clearing_primitives::options::SeriesMarkets;
		let check = T::DbWeight::get().reads(1);
		if !SweepPending::<T>::get() {
			return check;
		}
		// Ending a pass reads every series' settlement and open interest.
		let per = T::Markets::settle_expired_position_weight();
		let end_of_pass = T::DbWeight::get().reads(u64::from(T::MaxSeries::get()).saturating_mul(3));
		let room = remaining.saturating_sub(check).saturating_sub(end_of_pass);
		let fits = room.ref_time().checked_div(per.ref_time().max(1)).unwrap_or_default();
		let limit = u32::try_from(fits).unwrap_or(u32::MAX).min(T::MaxSettlementsPerBlock::get());
		if limit == 0 {
			return check;
		}
		let outcome = T::Markets::settle_expired_positions(limit);
		let mut used = check.saturating_add(per.saturating_mul(u64::from(outcome.read)));
		if outcome.finished {
			used = used.saturating_add(end_of_pass);
			let open = Series::<T>::iter().any(|(market, terms)| {
				Self::settlement_price(terms.underlying, terms.expiry).is_some() &&
					T::Markets::open_interest(market) > 0
			});
			SweepPending::<T>::put(open);
		}
		used
	}
}
