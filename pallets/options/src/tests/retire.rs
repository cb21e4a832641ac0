//! Retiring expired series: books emptied in bounded steps, settled series delisted.
//! ATTACKS: 15 (an expiry storm: however many orders rest in expired books, no block takes
//! more than `MaxBookStepsPerBlock` steps or more than its idle weight allows), 1 (a series
//! is never delisted while a position in it is held, its expiry is unsettled, or the sweep
//! is under way: nobody's claim or debt disappears with its market), 17 (slots freed only
//! by delisting, so `MaxSeries` bounds the live series, not the series ever listed).

use frame_support::weights::constants::RocksDbWeight;
use crate::{mock::*, BooksToClear, DelistCheck, Event, Expiries, Series, SeriesByTerms, SweepPending};
use clearing_primitives::{black76::OptionKind, oracle::TimeWeightedPoint};
use clearing_test_utils::{set_time_weighted, usd};
use frame_support::{assert_ok, traits::Hooks, weights::Weight};

const WINDOW_MS: u64 = 30 * 60 * 1_000;

/// Runs the expiry hook through `days`' expiry: settled at $60,000 if `covered`, pending
/// otherwise.
fn expire(days: u64, covered: bool) {
	let expiry = START_MS + days * DAY_MS;
	set_time_weighted(BTC, TimeWeightedPoint::default());
	Timestamp::set_timestamp(expiry - WINDOW_MS);
	Options::process_expiries();
	let fresh = if covered { WINDOW_MS } else { WINDOW_MS / 10 };
	set_time_weighted(BTC, TimeWeightedPoint { price_time: usd(60_000).into_inner() * u128::from(fresh), fresh_ms: fresh });
	Timestamp::set_timestamp(expiry);
	Options::process_expiries();
}

fn idle(weight: Weight) -> Weight {
	Options::on_idle(System::block_number(), weight)
}

fn delisted(market: u32) -> bool {
	System::events().iter().any(|r| matches!(r.event, RuntimeEvent::Options(Event::SeriesDelisted { market: m, .. }) if m == market))
}

#[test]
fn an_expired_book_empties_in_bounded_steps_then_the_series_is_delisted() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		let call = list(OptionKind::Call, 64_000, 1).unwrap();
		set_book(put, 12);
		// Nothing is queued before expiry.
		idle(Weight::MAX);
		assert!(BooksToClear::<Test>::get().is_empty());
		assert_eq!(book_items(put), 12);
		expire(1, true);
		assert_eq!(BooksToClear::<Test>::get().to_vec(), vec![put, call]);
		// Five steps a block: 12 items take three blocks; the call's empty book a fourth.
		idle(Weight::MAX);
		assert_eq!(book_items(put), 7);
		idle(Weight::MAX);
		assert_eq!(book_items(put), 2);
		assert_eq!(Series::<Test>::count(), 2, "nothing delisted while the sweep is pending");
		idle(Weight::MAX);
		assert_eq!(book_items(put), 0);
		assert_eq!(BooksToClear::<Test>::get().to_vec(), vec![call]);
		// The sweep (no positions) finishes within these blocks; then both go.
		for _ in 0..3 {
			idle(Weight::MAX);
		}
		assert!(!SweepPending::<Test>::get());
		assert!(delisted(put) && delisted(call));
		assert_eq!(Series::<Test>::count(), 0);
		assert_eq!(SeriesByTerms::<Test>::iter().count(), 0);
		assert_eq!(Expiries::<Test>::count(), 0);
		assert!(MockMarkets::opened().is_empty());
		assert!(!DelistCheck::<Test>::get());
	});
}

#[test]
fn the_idle_weight_bounds_the_steps_taken() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		set_book(put, 10);
		expire(1, true);
		// The sweep takes what it needs first (its check, bookkeeping and one position); then
		// the queue's check and writes, and room for two steps of 1,000,000 each.
		set_positions_to_sweep(1, 0);
		let sweep = RocksDbWeight::get().reads_writes(2, 3).saturating_add(Weight::from_parts(1_000_000, 0));
		let queue = RocksDbWeight::get().reads_writes(1, 2);
		idle(sweep.saturating_add(queue).saturating_add(Weight::from_parts(2 * 1_000_000 + 999_999, 0)));
		assert_eq!(book_items(put), 8);
		// The sweep is done (its check alone now); no room for a step: nothing taken.
		let sweep_done = RocksDbWeight::get().reads(1);
		idle(sweep_done.saturating_add(queue).saturating_add(Weight::from_parts(999_999, 0)));
		assert_eq!(book_items(put), 8);
	});
}

#[test]
fn a_series_with_positions_left_stays_listed() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		let call = list(OptionKind::Call, 64_000, 1).unwrap();
		set_holders(vec![put]);
		expire(1, true);
		for _ in 0..4 {
			idle(Weight::MAX);
		}
		assert!(delisted(call));
		assert!(!delisted(put));
		assert!(Series::<Test>::contains_key(put));
		assert_eq!(Expiries::<Test>::get((BTC, START_MS + DAY_MS)).map(|r| r.series), Some(1));
		// The position goes; the next check (another expiry's sweep finishing) delists it.
		set_holders(vec![]);
		list(OptionKind::Call, 60_000, 2).unwrap();
		expire(2, true);
		for _ in 0..4 {
			idle(Weight::MAX);
		}
		assert!(delisted(put));
		assert_eq!(Series::<Test>::count(), 0);
	});
}

#[test]
fn a_pending_expiry_is_delisted_only_after_governance_settles_it() {
	ExtBuilder::default().build_and_execute(|| {
		let call = list(OptionKind::Call, 60_000, 1).unwrap();
		expire(1, false);
		assert_eq!(Options::settlement_price(BTC, START_MS + DAY_MS), None);
		// Its book is emptied all the same: trading has stopped.
		assert_eq!(BooksToClear::<Test>::get().to_vec(), vec![call]);
		for _ in 0..4 {
			idle(Weight::MAX);
		}
		assert!(BooksToClear::<Test>::get().is_empty());
		assert!(Series::<Test>::contains_key(call), "unsettled: its holders are still owed");
		assert_ok!(Options::set_settlement_price(RuntimeOrigin::root(), BTC, START_MS + DAY_MS, usd(61_000)));
		for _ in 0..4 {
			idle(Weight::MAX);
		}
		assert!(delisted(call));
	});
}

#[test]
fn delisting_frees_the_slots_for_new_series() {
	ExtBuilder::default().build_and_execute(|| {
		// `MaxSeries` is 8 on the mock.
		for strike in [58_000, 60_000, 62_000, 64_000] {
			list(OptionKind::Call, strike, 1).unwrap();
			list(OptionKind::Put, strike, 1).unwrap();
		}
		assert_eq!(
			list(OptionKind::Call, 60_000, 2),
			Err(crate::Error::<Test>::TooManySeries.into())
		);
		expire(1, true);
		Options::refresh_scenarios(Weight::MAX);
		assert_eq!(crate::ScenarioBooks::<Test>::get(BTC).map(|book| book.series.len()), Some(8));
		for _ in 0..10 {
			idle(Weight::MAX);
		}
		assert_eq!(Series::<Test>::count(), 0);
		// Each delisting took its entry out of the book; the last took the book.
		assert!(crate::ScenarioBooks::<Test>::get(BTC).is_none());
		for strike in [58_000, 60_000, 62_000, 64_000] {
			// New ids: a delisted series' id is never reused.
			for kind in [OptionKind::Call, OptionKind::Put] {
				assert!(list(kind, strike, 2).unwrap() >= FIRST_SERIES + 8);
			}
		}
	});
}

#[test]
fn an_expiry_storm_takes_a_bounded_number_of_steps_a_block() {
	ExtBuilder::default().build_and_execute(|| {
		let series: Vec<u32> =
			[58_000, 60_000, 62_000, 64_000].into_iter().map(|k| list(OptionKind::Put, k, 1).unwrap()).collect();
		for market in &series {
			set_book(*market, 1_000);
		}
		expire(1, true);
		let total = || series.iter().map(|m| book_items(*m)).sum::<u32>();
		let mut blocks = 0;
		while total() > 0 {
			let before = total();
			idle(Weight::MAX);
			assert!(before - total() <= 5, "a block took {} steps", before - total());
			blocks += 1;
		}
		assert_eq!(blocks, 800);
	});
}

#[test]
fn an_expired_book_left_out_of_the_queue_is_queued_again_before_delisting() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		expire(1, true);
		// As on a chain whose series expired before books were queued: out of the queue, yet
		// orders still rest.
		BooksToClear::<Test>::kill();
		set_book(put, 12);
		let mut queued_again = false;
		for _ in 0..8 {
			idle(Weight::MAX);
			queued_again |= BooksToClear::<Test>::get().contains(&put);
			if delisted(put) {
				assert_eq!(book_items(put), 0, "delisted over a book that still holds orders");
			}
		}
		assert!(queued_again);
		assert!(delisted(put));
	});
}

#[test]
fn the_idle_hook_never_reports_more_than_it_was_given() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		set_book(put, 50);
		expire(1, true);
		set_positions_to_sweep(30, 30);
		for remaining in [0, 1, 999_999, 1_000_000, 2_500_000, 7_000_000] {
			let given = Weight::from_parts(remaining, 0);
			let used = idle(given);
			assert!(used.all_lte(given), "{used:?} used of {given:?}");
		}
	});
}
