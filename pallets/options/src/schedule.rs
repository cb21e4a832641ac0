//! Listing by schedule: each underlying with a schedule lists the next expiry of each of its
//! cycles once the expiry before it enters its settlement window, a ladder of calls and puts
//! around the index. A hook that reads one value when nothing is due lists at most
//! `MaxListingsPerBlock` series a block; an expiry's ladder lists whole or not at all.

use crate::{ladder, pallet::*, pricing, ListedSeries, ListingSchedule, ScheduledListing, WeightInfo};
use alloc::vec::Vec;
use clearing_primitives::{
	black76::OptionKind,
	options::{SeriesMarket, SeriesMarkets, SeriesTerms},
	oracle::{Moment, PriceProvider},
	Balance, MarketId, Price,
};
use frame_support::{
	ensure,
	storage::with_storage_layer,
	traits::{Get, Time},
	weights::Weight,
};
use sp_runtime::{traits::Zero, DispatchError};

impl ScheduledListing {
	/// `schedule`, replacing `previous` (if any): a cycle both have keeps how far it listed,
	/// so the expiries listed already are not listed again around a new index.
	pub fn new(schedule: ListingSchedule, previous: Option<&ScheduledListing>) -> Self {
		let listed_through = schedule
			.cycles
			.iter()
			.map(|cycle| {
				previous
					.and_then(|p| {
						let i = p.schedule.cycles.iter().position(|c| c == cycle)?;
						p.listed_through.get(i).copied()
					})
					.unwrap_or(0)
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap_or_default();
		Self { schedule, listed_through, retry_at: 0 }
	}
}

impl<T: Config> Pallet<T> {
	/// Lists a series as `list_series` does, for any caller; returns its market id.
	pub(crate) fn do_list_series(
		underlying: MarketId,
		expiry: Moment,
		strike: Price,
		kind: OptionKind,
		tick_size: Price,
		max_open_interest: Balance,
	) -> Result<MarketId, DispatchError> {
		ensure!(!tick_size.is_zero(), Error::<T>::ZeroTickSize);
		ensure!(max_open_interest > 0, Error::<T>::ZeroOpenInterestCap);
		let now = T::Time::now();
		ensure!(expiry > now, Error::<T>::ExpiryPassed);
		ensure!(expiry.saturating_sub(now) <= T::MaxTimeToExpiry::get(), Error::<T>::ExpiryTooFar);
		ensure!(
			expiry.saturating_sub(now) >= Params::<T>::get().settlement_window_ms,
			Error::<T>::ExpiryTooSoon
		);
		ensure!(Series::<T>::count() < T::MaxSeries::get(), Error::<T>::TooManySeries);
		let listed = SeriesListed::<T>::get();
		let market = T::FirstSeriesId::get()
			.checked_add(listed)
			.ok_or(Error::<T>::SeriesIdsExhausted)?;
		let SeriesMarket { base_asset: asset, base_decimals } =
			T::Markets::open_series_market(market, underlying, tick_size, max_open_interest)?;
		let source = VolatilitySources::<T>::get(asset).ok_or(Error::<T>::NoVolatilitySource)?;
		let index = T::Prices::fresh_price(asset).ok_or(Error::<T>::NoFreshIndex)?;
		ensure!(
			Self::implied(source, clearing_primitives::collateral::Valuation::Opening).is_some(),
			Error::<T>::NoFreshVolatility
		);
		ensure!(pricing::strike_in_range(strike, index), Error::<T>::StrikeOutOfRange);
		let terms = SeriesTerms { underlying: asset, expiry, strike, kind };
		ensure!(!SeriesByTerms::<T>::contains_key(terms), Error::<T>::SeriesExists);
		ensure!(
			Expiries::<T>::contains_key((asset, expiry)) || Expiries::<T>::count() < T::MaxExpiries::get(),
			Error::<T>::TooManyExpiries
		);
		Series::<T>::insert(market, ListedSeries { terms, base_decimals });
		SeriesByTerms::<T>::insert(terms, market);
		SeriesListed::<T>::put(listed.saturating_add(1));
		Self::add_to_expiry(asset, expiry);
		Self::deposit_event(Event::SeriesListed { market, terms });
		Ok(market)
	}

	/// `true` if `schedule` is within [`ListingSchedule::is_valid`]'s bounds here: cycles
	/// no longer than the longest time to expiry less the longest settlement window, an
	/// expiry's series within [`Self::max_series_per_expiry`].
	pub fn schedule_valid(schedule: &ListingSchedule) -> bool {
		let longest = T::MaxTimeToExpiry::get().saturating_sub(crate::types::bounds::MAX_SETTLEMENT_WINDOW_MS);
		schedule.is_valid(longest, Self::max_series_per_expiry())
	}

	/// The most series one expiry of a schedule may list: what a block lists, and half the
	/// series slots (a cycle holds two expiries at once).
	pub fn max_series_per_expiry() -> u32 {
		T::MaxListingsPerBlock::get().min(T::MaxSeries::get() / 2)
	}

	/// `true` if every schedule's cycles are longer than a settlement window of `window_ms`.
	pub fn cycles_outlast(window_ms: Moment) -> bool {
		ListingSchedules::<T>::iter_values().all(|s| s.schedule.cycles.iter().all(|c| c.period_ms > window_ms))
	}

	/// The series slots every schedule together may hold at once.
	pub fn scheduled_slots() -> u32 {
		ListingSchedules::<T>::iter_values().fold(0u32, |slots, s| slots.saturating_add(s.schedule.slots()))
	}

	/// Lists what the schedules have due, within `limit`; returns the weight used (never
	/// above `limit`, but for the one read when nothing is due).
	pub(crate) fn list_scheduled(limit: Weight) -> Weight {
		let now = T::Time::now();
		let check = T::DbWeight::get().reads(1);
		if NextListingCheck::<T>::get().is_none_or(|at| now < at) {
			return check;
		}
		// The check and the parameters read, every schedule read and maybe written, the next
		// check written: within the limit, or the next block tries.
		let scan = T::DbWeight::get().reads_writes(1, 1).saturating_mul(u64::from(T::MaxSchedules::get()));
		let mut used = T::DbWeight::get().reads_writes(2, 1).saturating_add(scan);
		if !limit.all_gte(used) {
			return check;
		}
		let window = Params::<T>::get().settlement_window_ms;
		let budget = T::MaxListingsPerBlock::get();
		let mut attempted: u32 = 0;
		let mut next: Option<Moment> = None;
		let mut check_at = |at: Moment| next = Some(next.map_or(at, |n| n.min(at)));
		// Collected first: a map is not written while it is iterated (`MaxSchedules` at most).
		let schedules: Vec<_> = ListingSchedules::<T>::iter().collect();
		for (underlying, mut state) in schedules {
			if now < state.retry_at {
				// A schedule that failed waits its turn: it takes no other's budget meanwhile.
				check_at(state.retry_at);
				continue;
			}
			let size = state.schedule.series_per_expiry();
			let cost = T::WeightInfo::list_scheduled(state.schedule.strikes_each_side);
			let mut changed = false;
			for (cycle, through) in state.schedule.cycles.iter().zip(state.listed_through.iter_mut()) {
				let Some(expiry) = ladder::next_expiry(now, window, cycle) else { continue };
				// Once `expiry` enters its window, the cycle's next one is due.
				check_at(expiry.saturating_sub(window).saturating_add(1));
				if expiry <= *through || now < state.retry_at {
					continue;
				}
				if attempted.saturating_add(size) > budget || !limit.all_gte(used.saturating_add(cost)) {
					// The block is full: the next one lists it.
					check_at(now);
					continue;
				}
				attempted = attempted.saturating_add(size);
				used.saturating_accrue(cost);
				match with_storage_layer(|| Self::list_expiry(underlying, expiry, &state.schedule)) {
					Ok(series) => {
						*through = expiry;
						Self::deposit_event(Event::ExpiryListed { underlying, expiry, series });
					},
					Err(error) => {
						state.retry_at = now.saturating_add(T::ListingRetryMs::get());
						check_at(state.retry_at);
						Self::deposit_event(Event::ListingDeferred { underlying, expiry, error });
					},
				}
				changed = true;
			}
			if changed {
				ListingSchedules::<T>::insert(underlying, state);
			}
		}
		NextListingCheck::<T>::set(next);
		used
	}

	/// Lists `schedule`'s ladder for `underlying`'s `expiry` around the index now: every call
	/// and put not listed yet, at strikes within the listing range. Returns how many it
	/// listed; on an error (no fresh index, too few free series slots, a listing refused)
	/// the caller's storage layer drops whatever was listed.
	fn list_expiry(underlying: MarketId, expiry: Moment, schedule: &ListingSchedule) -> Result<u32, DispatchError> {
		let asset = T::Markets::perpetual_asset(underlying)?;
		let index = T::Prices::fresh_price(asset).ok_or(Error::<T>::NoFreshIndex)?;
		let wanted: Vec<SeriesTerms> = ladder::strikes(index, schedule.strike_step, schedule.strikes_each_side)
			.into_iter()
			.filter(|strike| pricing::strike_in_range(*strike, index))
			.flat_map(|strike| {
				[OptionKind::Call, OptionKind::Put].map(|kind| SeriesTerms { underlying: asset, expiry, strike, kind })
			})
			.filter(|terms| !SeriesByTerms::<T>::contains_key(terms))
			.collect();
		let free = T::MaxSeries::get().saturating_sub(Series::<T>::count());
		let count = u32::try_from(wanted.len()).unwrap_or(u32::MAX);
		ensure!(count <= free, Error::<T>::TooManySeries);
		for terms in &wanted {
			Self::do_list_series(
				underlying,
				terms.expiry,
				terms.strike,
				terms.kind,
				schedule.tick_size,
				schedule.max_open_interest,
			)?;
		}
		Ok(count)
	}
}
