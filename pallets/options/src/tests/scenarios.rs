//! Scenario books for portfolio margin: refreshed at the start of every block, one per
//! underlying, each entry's mark and vector equal to a fresh pricing and revaluation,
//! recomputed when their inputs move.
//!
//! ATTACKS tried here:
//! - 9 and 13 (steer or stale prices): opening risk takes a book only as refreshed in this
//!   block (the oracle aggregates at a block's end, so it holds this block's inputs), and an
//!   entry only if its inputs were fresh; maintenance takes the last one.
//! - 15 (weights): the refresh is all or nothing within its weight: with too little room it
//!   writes nothing, and opening risk waits for a block with room.
//! - 16 (storage): an entry exists only for a listed series on the book's underlying
//!   (`try_state`), goes when the series cannot be priced, and its book with the last one.

use crate::{mock::*, Pallet, ScenarioBooks, Series};
use clearing_primitives::{
	black76::OptionKind,
	collateral::Valuation,
	options::{to_fixed, BookEntry, OptionMarks},
	oracle::PriceStatus,
	portfolio::{series_scenarios, ScenarioGrid},
	MarketId,
};
use clearing_test_utils::{set_price, set_smile, usd};
use sp_runtime::{traits::Zero, Permill, Weight};

fn refresh() {
	Pallet::<Test>::refresh_scenarios(Weight::MAX);
}

fn entry(market: MarketId) -> BookEntry {
	ScenarioBooks::<Test>::get(BTC).and_then(|book| book.entry(market).copied()).expect("an entry is cached")
}

/// `market` revalued now on `grid` from the inputs its view reports.
fn revalued(market: MarketId, grid: &ScenarioGrid) -> [i128; clearing_primitives::portfolio::SCENARIOS] {
	let view = Options::series_view(market).expect("priced");
	let terms = Series::<Test>::get(market).expect("listed").terms;
	series_scenarios(
		&terms,
		to_fixed(view.index).unwrap(),
		to_fixed(view.volatility).unwrap(),
		view.priced_at,
		to_fixed(view.rate).unwrap(),
		grid,
	)
	.expect("revalued")
}

fn advance(ms: u64) {
	Timestamp::set_timestamp(Timestamp::get() + ms);
}

fn next_block() {
	System::set_block_number(System::block_number() + 1);
}

#[test]
fn cached_entries_equal_a_fresh_pricing_and_revaluation() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 57_000, 7).unwrap();
		let call = list(OptionKind::Call, 64_000, 14).unwrap();
		// One on its expiry's smile, one on the volatility index.
		set_smile(BTC, START_MS + 7 * DAY_MS, [80, 68, 60, 57, 55, 58, 62].map(percent), PriceStatus::Fresh);
		refresh();
		for market in [put, call] {
			let kept = entry(market);
			assert_eq!(kept.vector.values, revalued(market, &ScenarioGrid::default()));
			assert_eq!((kept.vector.underlying, kept.vector.index, kept.vector.at), (BTC, usd(60_000), START_MS));
			assert_eq!(Some(kept.mark), Options::leg_of(market, Valuation::Opening).map(|leg| leg.mark));
			assert!(kept.fresh);
		}
		// The short put loses most in the largest fall with volatility up.
		let worst = entry(put).vector.values.iter().copied().max().unwrap();
		assert_eq!(entry(put).vector.values[21], worst);
		// One book for the underlying, its entries by market.
		let book = ScenarioBooks::<Test>::get(BTC).expect("a book");
		assert_eq!(book.series.iter().map(|entry| entry.market).collect::<Vec<_>>(), vec![put, call]);
		assert_eq!(book.refreshed, System::block_number());
	});
}

#[test]
fn a_refresh_covers_every_series_or_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let markets: Vec<MarketId> = (0..7).map(|i| list(OptionKind::Call, 58_000 + 1_000 * i, 7).unwrap()).collect();
		// Room for six of the seven: nothing written, no more than the room charged.
		let seven = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::refresh_scenarios(7);
		let six = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::refresh_scenarios(6);
		assert!(Pallet::<Test>::refresh_scenarios(six).all_lte(six));
		assert!(ScenarioBooks::<Test>::get(BTC).is_none());
		assert_eq!(Pallet::<Test>::refresh_scenarios(seven), seven);
		for market in markets {
			assert_eq!(entry(market).vector.values, revalued(market, &ScenarioGrid::default()));
		}
		// Room for none the next block: the book stays as it was, maintenance only.
		next_block();
		assert!(Pallet::<Test>::refresh_scenarios(Weight::zero()).is_zero());
		assert!(Options::scenario_book(BTC, Valuation::Opening).is_none());
		assert_eq!(Options::scenario_book(BTC, Valuation::Maintenance).map(|book| book.len()), Some(7));
	});
}

#[test]
fn an_entry_is_recomputed_when_its_inputs_move_or_it_ages() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 62_000, 7).unwrap();
		refresh();
		advance(1_000);
		refresh();
		assert_eq!(entry(market).vector.at, START_MS, "nothing moved");
		set_market_inputs(60_500, 60);
		refresh();
		assert_eq!((entry(market).vector.at, entry(market).vector.index), (START_MS + 1_000, usd(60_500)));
		assert_eq!(Some(entry(market).mark), Options::leg_of(market, Valuation::Opening).map(|leg| leg.mark));
		set_market_inputs(60_500, 65);
		advance(1_000);
		refresh();
		assert_eq!(entry(market).vector.at, START_MS + 2_000, "the volatility moved");
		// Half `ScenarioMaxAge` (30 s) later, unmoved: recomputed for time's passing.
		advance(15_000);
		refresh();
		assert_eq!(entry(market).vector.at, START_MS + 17_000);
		assert_eq!(entry(market).vector.values, revalued(market, &ScenarioGrid::default()));
		assert_eq!(Some(entry(market).mark), Options::leg_of(market, Valuation::Opening).map(|leg| leg.mark));
	});
}

#[test]
fn opening_risk_needs_this_blocks_book_and_fresh_inputs() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Put, 58_000, 7).unwrap();
		let usable = |valuation| Pallet::<Test>::scenarios_in(&mut Default::default(), market, valuation).is_some();
		assert!(!usable(Valuation::Maintenance), "no entry before the first refresh");
		refresh();
		assert!(usable(Valuation::Opening));
		// The next block, before its refresh: the inputs may have moved at the last block's end.
		next_block();
		assert!(!usable(Valuation::Opening));
		assert!(usable(Valuation::Maintenance));
		refresh();
		assert!(usable(Valuation::Opening));
		// A stale index: the entry serves maintenance only, recomputed as not fresh.
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		next_block();
		refresh();
		assert!(!entry(market).fresh);
		assert!(!usable(Valuation::Opening));
		assert!(usable(Valuation::Maintenance));
		set_price(BTC, usd(60_000), PriceStatus::Fresh);
		next_block();
		refresh();
		assert!(usable(Valuation::Opening));
	});
}

#[test]
fn a_governed_grid_or_rate_recomputes_every_entry_at_the_next_refresh() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 60_000, 7).unwrap();
		refresh();
		// A tighter grid, nothing else moved, no time passed: recomputed all the same.
		let half = ScenarioGrid { extreme_weight: Permill::from_percent(50), ..ScenarioGrid::default() };
		set_grid(BTC, half);
		refresh();
		assert_eq!(entry(market).vector.values, revalued(market, &half));
		assert_ne!(entry(market).vector.values[22], revalued(market, &ScenarioGrid::default())[22]);
		// A new rate: the mark and vector follow at once.
		let before = entry(market).mark;
		crate::Params::<Test>::mutate(|params| params.rate = Permill::from_percent(5));
		refresh();
		assert_eq!(Some(entry(market).mark), Options::leg_of(market, Valuation::Opening).map(|leg| leg.mark));
		assert_ne!(entry(market).mark, before);
		assert_eq!(entry(market).vector.values, revalued(market, &half));
	});
}

#[test]
fn a_series_that_cannot_be_priced_loses_its_entry_and_the_book_its_last() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 60_000, 7).unwrap();
		refresh();
		assert_eq!(entry(market).market, market);
		clearing_test_utils::put((b"mock-price", BTC), Option::<clearing_primitives::oracle::PriceQuote>::None);
		advance(1_000);
		refresh();
		assert!(ScenarioBooks::<Test>::get(BTC).is_none());
	});
}
