//! The time-weighted index settlements average: each fresh aggregate stands until the next,
//! for at most `max_age_ms`; stale and clamped time does not count.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 9 Steering a settlement: a clamped jump stands for no time (`a_clamped_jump_counts_no_time`),
//!   and one block's price weighs one block's time, no more.
//! - 13 Stale: a halt's time counts for nothing (`time_past_the_maximum_age_does_not_count`).
//! - 18 Overflow: the sums wrap and only their differences are read
//!   (`averages_survive_the_sums_wrapping`).

use crate::{mock::*, TimeWeighted};
use clearing_primitives::{oracle::{PriceProvider, TimeWeightedPoint}, Price};
use frame_support::{assert_ok, BoundedVec};

fn aggregate(price: Price) {
	for who in 1..=3 {
		let values: BoundedVec<_, _> = vec![(BTC, price)].try_into().expect("one value");
		assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(who)), values));
	}
	next_block();
}

fn point() -> TimeWeightedPoint {
	<Oracle as PriceProvider>::time_weighted(BTC).expect("aggregated")
}

#[test]
fn the_average_weighs_each_price_by_the_time_it_stood() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(<Oracle as PriceProvider>::time_weighted(BTC), None);
		aggregate(usd(60_000, 0));
		let start = point();
		aggregate(usd(61_000, 0));
		aggregate(usd(62_000, 0));
		let end = point();
		let (average, fresh) = end.average_since(&start).expect("fresh time");
		// A reading counts the time since the last aggregate (here, a block): from the first
		// reading on, 61,000 stood a block and 62,000 a block.
		assert_eq!(fresh, 2 * BLOCK_MS);
		assert_eq!(average, usd(61_500, 0));
	});
}

#[test]
fn time_past_the_maximum_age_does_not_count() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		let start = point();
		let max_age = crate::Params::<Test>::get().max_age_ms;
		// A halt of ten maximum ages: the last aggregate stands for one maximum age from its
		// time, of which the first reading had counted a block.
		Timestamp::set_timestamp(pallet_timestamp::Now::<Test>::get() + 10 * max_age);
		let (average, fresh) = point().average_since(&start).unwrap();
		assert_eq!(fresh, max_age - BLOCK_MS);
		assert_eq!(average, usd(60_000, 0));
	});
}

#[test]
fn a_clamped_jump_counts_no_time() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		aggregate(usd(60_000, 0));
		let start = point();
		// Far beyond the jump limit: clamped, flagged, standing for nothing, block after block.
		aggregate(usd(90_000, 0));
		assert!(!TimeWeighted::<Test>::get(BTC).unwrap().last_fresh);
		aggregate(usd(90_000, 0));
		aggregate(usd(90_000, 0));
		assert_eq!(point(), start);
		assert_eq!(point().average_since(&start), None);
	});
}

#[test]
fn averages_survive_the_sums_wrapping() {
	let start = TimeWeightedPoint { price_time: u128::MAX - 5, fresh_ms: u64::MAX - 1 };
	let end = TimeWeightedPoint { price_time: 14, fresh_ms: 3 };
	// 20 over 5 ms.
	assert_eq!(end.average_since(&start), Some((Price::from_inner(4), 5)));
	assert_eq!(start.average_since(&start), None);
}

#[test]
fn removing_an_asset_removes_its_index() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		assert!(TimeWeighted::<Test>::contains_key(BTC));
		assert_ok!(Oracle::remove_asset(RuntimeOrigin::root(), BTC));
		assert!(!TimeWeighted::<Test>::contains_key(BTC));
	});
}

#[test]
fn a_price_gone_stale_stops_counting_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		let start = point();
		// A quorum of four: the three recent feeds fall short, and the next aggregation, well
		// within the maximum age, finds none.
		let params = crate::Params::<Test>::get();
		assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), account(4)));
		assert_ok!(Oracle::set_params(RuntimeOrigin::root(), crate::OracleParams { min_feeders: 4, ..params }));
		let values: BoundedVec<_, _> = vec![(BTC, usd(60_000, 0))].try_into().expect("one value");
		assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(1)), values));
		next_block();
		assert!(crate::Prices::<Test>::get(BTC).unwrap().stale);
		assert!(!TimeWeighted::<Test>::get(BTC).unwrap().last_fresh);
		// Counted up to the stale round (as the first reading already had), nothing after it,
		// though the price is younger than the maximum age.
		let gone_stale = point();
		assert_eq!(gone_stale, start);
		next_block();
		next_block();
		assert_eq!(point(), gone_stale);
		// A fresh aggregate (the quorum back to three) starts counting again: the time since it.
		assert_ok!(Oracle::set_params(RuntimeOrigin::root(), params));
		aggregate(usd(60_000, 0));
		assert_eq!(point().fresh_ms - gone_stale.fresh_ms, BLOCK_MS);
	});
}
