//! Realized volatility: sampled at fresh, unclamped aggregates `VolatilitySampleMs` apart,
//! kept as an EWMA of squared log returns, read annualized.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 2 Oracle manipulation: the series samples the aggregate (the feeders' median), never a
//!   feed, and a clamped jump is not sampled (`a_clamped_jump_is_not_a_sample`).
//! - 16 Storage: one entry per priced asset, gone with the asset
//!   (`removing_an_asset_removes_its_series`).

use crate::{mock::*, RealizedVolatilities};
use clearing_primitives::Price;
use frame_support::{assert_ok, BoundedVec};

const YEAR_MS: f64 = 31_557_600_000.0;

/// Three feeders agree on `price`; the block ends (aggregating at the block's time).
fn aggregate(price: Price) {
	for who in 1..=3 {
		let values: BoundedVec<_, _> = vec![(BTC, price)].try_into().expect("one value");
		assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(who)), values));
	}
	next_block();
}

/// The clock moves on by `ms` within the block.
fn wait(ms: u64) {
	Timestamp::set_timestamp(pallet_timestamp::Now::<Test>::get() + ms);
}

fn variance() -> f64 {
	RealizedVolatilities::<Test>::get(BTC).expect("a series").variance as f64 / 1e18
}

#[test]
fn a_move_sampled_after_the_interval_enters_the_ewma() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Oracle::realized_volatility(BTC), None);
		aggregate(usd(60_000, 0));
		// The first aggregate starts the series.
		assert_eq!(variance(), 0.0);
		assert_eq!(Oracle::realized_volatility(BTC), Some(Price::from_inner(0)));
		// Within the interval: no sample, whatever the move.
		aggregate(usd(60_300, 0));
		assert_eq!(RealizedVolatilities::<Test>::get(BTC).unwrap().sample_price, usd(60_000, 0));
		// An interval after the first sample: 1% up, half of its square kept (λ = ½).
		wait(VOLATILITY_SAMPLE_MS - 2 * BLOCK_MS);
		aggregate(usd(60_600, 0));
		let expected = 0.5 * 1.01f64.ln().powi(2);
		assert!((variance() - expected).abs() < 1e-15, "{}", variance());
		let yearly = Oracle::realized_volatility(BTC).unwrap().into_inner() as f64 / 1e18;
		let samples = (YEAR_MS / VOLATILITY_SAMPLE_MS as f64).floor();
		assert!((yearly - (expected * samples).sqrt()).abs() < 1e-9, "{yearly}");
	});
}

#[test]
fn a_move_over_several_intervals_counts_per_interval() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		// Four intervals on, 2% up: each interval a quarter of the square, half of it kept.
		wait(4 * VOLATILITY_SAMPLE_MS - BLOCK_MS);
		aggregate(usd(61_200, 0));
		let expected = 0.5 * 1.02f64.ln().powi(2) / 4.0;
		assert!((variance() - expected).abs() < 1e-15, "{}", variance());
	});
}

#[test]
fn a_clamped_jump_is_not_a_sample() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		wait(VOLATILITY_SAMPLE_MS);
		// 50% up is beyond the 10% jump bound: clamped and flagged, not sampled.
		aggregate(usd(90_000, 0));
		assert!(Prices::get(BTC).unwrap().flagged);
		let kept = RealizedVolatilities::<Test>::get(BTC).unwrap();
		assert_eq!((kept.sample_price, kept.variance), (usd(60_000, 0), 0));
	});
}

#[test]
fn removing_an_asset_removes_its_series() {
	ExtBuilder::default().build_and_execute(|| {
		aggregate(usd(60_000, 0));
		assert!(RealizedVolatilities::<Test>::contains_key(BTC));
		assert_ok!(Oracle::remove_asset(RuntimeOrigin::root(), BTC));
		assert!(!RealizedVolatilities::<Test>::contains_key(BTC));
		assert_eq!(Oracle::realized_volatility(BTC), None);
	});
}

type Prices = crate::Prices<Test>;
