//! Scenario books for portfolio margin: per underlying, each listed series' mark and its
//! change in value per contract in every scenario of the underlying's grid. The books are
//! refreshed at the start of every block (a series recomputed when its inputs moved or half
//! `ScenarioMaxAge` has passed), and the oracle aggregates only at a block's end, so a book
//! refreshed in this block holds this block's inputs: an account's reading is one read per
//! underlying and multiply-adds per leg, no pricing.

use crate::{inputs::SharedInputs, pallet::*, retire::steps_within, ScenarioBook};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::Valuation,
	options::{from_fixed, price_leg, BookEntry, SeriesScenarios, SeriesTerms},
	portfolio::{series_scenarios, ScenarioGrid, SCENARIOS},
	AssetId, MarketId,
};
use clearing_primitives::options::SeriesMarkets;
use frame_support::{traits::Get, weights::Weight, BoundedVec};

/// One underlying's series while the refresh works through them.
struct Refreshing<BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug, S: Get<u32>> {
	underlying: AssetId,
	grid: Option<ScenarioGrid>,
	kept: Option<ScenarioBook<BlockNumber, S>>,
	entries: Vec<BookEntry>,
}

impl<T: Config> Pallet<T> {
	/// The block's refresh within `limit`: every listed series visited, each underlying's
	/// book rewritten as refreshed in this block. All or nothing: with too little room the
	/// books stay as they were (opening portfolio risk on a series then waits for a block with
	/// room). Returns the weight used (never above `limit`).
	pub fn refresh_scenarios(limit: Weight) -> Weight {
		use crate::weights::WeightInfo;
		let listed = Series::<T>::count();
		let needed = T::WeightInfo::refresh_scenarios(listed);
		if steps_within(limit, needed) == 0 {
			// The count alone was read.
			return T::DbWeight::get().reads(1).min(limit);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let mut inputs = SharedInputs::default();
		let rate = inputs.params::<T>().rate_fixed();
		let mut books: Vec<Refreshing<_, T::MaxSeries>> = Vec::new();
		for (market, listed) in Series::<T>::iter() {
			let underlying = listed.terms.underlying;
			let at = match books.iter().position(|book| book.underlying == underlying) {
				Some(at) => at,
				None => {
					books.push(Refreshing {
						underlying,
						grid: None,
						kept: ScenarioBooks::<T>::get(underlying),
						entries: Vec::new(),
					});
					books.len().saturating_sub(1)
				},
			};
			let Some(book) = books.get_mut(at) else { continue };
			let grid = *book.grid.get_or_insert_with(|| T::Markets::scenario_grid(underlying));
			// Entries computed on another grid or rate are recomputed whatever else moved.
			let kept = book
				.kept
				.as_ref()
				.filter(|kept| kept.grid == grid && kept.rate == rate)
				.and_then(|kept| kept.entry(market))
				.copied();
			if let Some(entry) = Self::refreshed_entry(&mut inputs, &grid, market, &listed.terms, kept) {
				book.entries.push(entry);
			}
		}
		for book in books {
			let mut entries = book.entries;
			entries.sort_unstable_by_key(|entry| entry.market);
			// Never more than `MaxSeries`: each entry is a listed series.
			let entries = BoundedVec::truncate_from(entries);
			if entries.is_empty() {
				ScenarioBooks::<T>::remove(book.underlying);
			} else {
				let grid = book.grid.unwrap_or_default();
				ScenarioBooks::<T>::insert(book.underlying, ScenarioBook { refreshed: now, grid, rate, series: entries });
			}
		}
		// A book whose underlying has no series left went with its last series' delisting.
		needed
	}

	/// Series `market`'s entry at the last inputs: `kept` (computed on the current grid and
	/// rate) if its index, volatility and freshness are unchanged and it is younger than half
	/// `ScenarioMaxAge`, recomputed otherwise; `None` when the series cannot be priced (no
	/// reading then values the leg).
	fn refreshed_entry(
		inputs: &mut SharedInputs,
		grid: &ScenarioGrid,
		market: MarketId,
		terms: &SeriesTerms,
		kept: Option<BookEntry>,
	) -> Option<BookEntry> {
		let now = inputs.now::<T>();
		let read = Self::read(terms, Valuation::Maintenance, inputs)?;
		let index = from_fixed(read.inputs.index).ok()?;
		let sigma = from_fixed(read.inputs.mark_sigma).ok()?;
		// Fresh inputs read the same figures as the last ones, where there are any.
		let fresh = Self::read(terms, Valuation::Opening, inputs).is_some();
		if let Some(kept) = kept {
			let current = kept.vector.index == index &&
				kept.vector.sigma == sigma &&
				kept.fresh == fresh &&
				now.saturating_sub(kept.vector.at) < T::ScenarioMaxAge::get() / 2;
			if current {
				return Some(kept);
			}
		}
		let mark = price_leg(terms, read.inputs).ok()?.mark;
		// Once its expiry has settled a series' value is fixed: zero in every scenario.
		let settled = now >= terms.expiry && inputs.settlement::<T>(terms.underlying, terms.expiry).is_some();
		let values = if settled {
			[0; SCENARIOS]
		} else {
			series_scenarios(terms, read.inputs.index, read.inputs.mark_sigma, now, read.rate, grid).ok()?
		};
		let vector = SeriesScenarios { underlying: terms.underlying, index, sigma, at: now, values };
		Some(BookEntry { market, mark, fresh, vector })
	}

	/// `underlying`'s book as `valuation` may use it: for opening risk only one refreshed
	/// in this block; for maintenance the last one.
	pub fn book_for(underlying: AssetId, valuation: Valuation) -> Option<ScenarioBook<frame_system::pallet_prelude::BlockNumberFor<T>, T::MaxSeries>> {
		let book = ScenarioBooks::<T>::get(underlying)?;
		let current = book.refreshed == frame_system::Pallet::<T>::block_number();
		(valuation == Valuation::Maintenance || current).then_some(book)
	}

	/// Series `market`'s cached vector as `valuation` may use it (see [`Self::book_for`]; for
	/// opening risk its entry's inputs must also have been fresh).
	pub fn scenarios_in(
		_inputs: &mut SharedInputs,
		market: MarketId,
		valuation: Valuation,
	) -> Option<SeriesScenarios> {
		let underlying = Series::<T>::get(market)?.terms.underlying;
		let book = Self::book_for(underlying, valuation)?;
		let entry = book.entry(market)?;
		(valuation == Valuation::Maintenance || entry.fresh).then_some(entry.vector)
	}
}
