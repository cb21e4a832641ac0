//! End-of-block aggregation: median, quorum, expiry, clamp and flag, removed feeders.

use crate::{mock::*, Event, Prices, PriceRecord};
use clearing_primitives::{
	oracle::{PriceProvider, PriceStatus},
	Price,
};
use frame_support::{assert_ok, BoundedVec};
use sp_runtime::FixedPointNumber;

fn feed(who: u8, asset: u32, price: Price) {
	let values: BoundedVec<_, _> = vec![(asset, price)].try_into().expect("one value");
	assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(who)), values));
}

fn status(asset: u32) -> Option<PriceStatus> {
	<Oracle as PriceProvider>::quote(asset).map(|q| q.status)
}

#[test]
fn the_aggregate_is_the_median_of_the_feeds_at_block_end() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(61_000, 0));
		feed(3, BTC, usd(90_000, 0)); // an outlier does not move the median
		assert_eq!(Prices::<Test>::get(BTC), None, "aggregation waits for the block's end");
		next_block();
		let record = Prices::<Test>::get(BTC).expect("priced");
		assert_eq!(
			record,
			PriceRecord {
				price: usd(61_000, 0),
				updated_at: GENESIS_MS,
				stale: false,
				flagged: false,
				fresh_streak: 1
			}
		);
		assert_eq!(status(BTC), Some(PriceStatus::Fresh));
		assert!(oracle_events().contains(&Event::PriceAggregated {
			asset: BTC,
			price: usd(61_000, 0),
			flagged: false
		}));
	});
}

#[test]
fn an_even_number_of_feeds_takes_the_lower_of_the_middle_two() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_001, 0));
		next_block();
		// One feeder's value, not a mean; the two agree within the spread: not flagged.
		assert_eq!(Prices::<Test>::get(BTC).map(|r| (r.price, r.flagged)), Some((usd(60_000, 0), false)));
	});
}

/// Attack 12 (one feeder lies), with an even number of live feeds: it cannot move the price
/// by half its lie unflagged. Lying up changes nothing (the lower median is the honest
/// value); lying down beyond the spread flags the price, so markets turn reduce-only and
/// liquidation waits, rather than trusting either half.
#[test]
fn one_liar_among_two_feeds_cannot_move_the_price_without_a_flag() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_000, 0));
		next_block();
		// Up 5%: the lower median is the honest $60,000, but the two halves disagree.
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(63_000, 0));
		next_block();
		let record = Prices::<Test>::get(BTC).unwrap();
		assert_eq!((record.price, record.flagged), (usd(60_000, 0), true));
		assert_eq!(status(BTC), Some(PriceStatus::Flagged));
		// Down 5%: the lie would be the lower median, and it is flagged.
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(57_000, 0));
		next_block();
		assert_eq!(status(BTC), Some(PriceStatus::Flagged));
		// Back in agreement (within the 1% spread): fresh again.
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_300, 0));
		next_block();
		assert_eq!(status(BTC), Some(PriceStatus::Fresh));
	});
}

#[test]
fn the_quorum_is_a_strict_majority_of_the_registered_feeders() {
	// Three feeders registered; `min_feeders` 1 asks for less than a majority: two it is.
	ExtBuilder::default().min_feeders(1).build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		next_block();
		assert_eq!(Prices::<Test>::get(BTC), None, "one of three is no majority");
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_000, 0));
		next_block();
		assert_eq!(status(BTC), Some(PriceStatus::Fresh));
	});
}

#[test]
fn without_quorum_there_is_no_first_price_and_a_later_one_goes_stale() {
	ExtBuilder::default().min_feeders(2).build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		next_block();
		assert_eq!(Prices::<Test>::get(BTC), None, "one feed is below the quorum of two");
		feed(2, BTC, usd(60_100, 0));
		next_block();
		let priced = Prices::<Test>::get(BTC).expect("two recent feeds");
		// The lower of the two: one feeder's value, never their mean.
		assert_eq!(priced.price, usd(60_000, 0));

		// Feeder 1's value expires; feeder 2 alone is below quorum: the price stays, stale.
		next_block_after(9_000);
		feed(2, BTC, usd(70_000, 0));
		next_block();
		let record = Prices::<Test>::get(BTC).expect("still priced");
		assert_eq!((record.price, record.stale), (usd(60_000, 0), true));
		assert_eq!(status(BTC), Some(PriceStatus::Stale));
		assert!(oracle_events().contains(&Event::PriceWentStale { asset: BTC }));
	});
}

#[test]
fn a_price_older_than_max_age_reads_as_stale_without_any_new_feed() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_000, 0));
		next_block();
		assert_eq!(status(BTC), Some(PriceStatus::Fresh));
		next_block_after(default_params().max_age_ms);
		assert_eq!(status(BTC), Some(PriceStatus::Stale));
		assert_eq!(<Oracle as PriceProvider>::fresh_price(BTC), None);
	});
}

#[test]
fn a_jump_beyond_the_limit_is_clamped_and_flagged_until_confirmed() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_000, 0));
		next_block();
		// A 50% crash: the aggregate moves only the 10% limit, flagged.
		feed(1, BTC, usd(30_000, 0));
		feed(2, BTC, usd(30_000, 0));
		next_block();
		let record = Prices::<Test>::get(BTC).expect("priced");
		assert_eq!((record.price, record.flagged), (usd(54_000, 0), true));
		assert_eq!(status(BTC), Some(PriceStatus::Flagged));
		assert!(oracle_events().contains(&Event::PriceAggregated {
			asset: BTC,
			price: usd(54_000, 0),
			flagged: true
		}));
		// Feeds that land inside the band confirm the price and clear the flag.
		feed(1, BTC, usd(50_000, 0));
		feed(2, BTC, usd(50_000, 0));
		next_block();
		let record = Prices::<Test>::get(BTC).expect("priced");
		assert_eq!((record.price, record.flagged), (usd(50_000, 0), false));
		assert_eq!(status(BTC), Some(PriceStatus::Fresh));
	});
}

#[test]
fn a_real_move_is_followed_at_most_max_jump_per_block() {
	ExtBuilder::default().build_and_execute(|| {
		let mut expected = usd(100, 0);
		feed(1, BTC, expected);
		feed(2, BTC, expected);
		next_block();
		for _ in 0..3 {
			feed(1, BTC, usd(200, 0));
			feed(2, BTC, usd(200, 0));
			next_block();
			expected = expected + expected * Price::saturating_from_rational(1, 10);
			assert_eq!(Prices::<Test>::get(BTC).map(|r| r.price), Some(expected));
		}
	});
}

#[test]
fn a_removed_feeders_values_are_dropped_and_the_price_re_aggregated() {
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_200, 0));
		feed(3, BTC, usd(60_400, 0));
		next_block();
		assert_eq!(Prices::<Test>::get(BTC).map(|r| r.price), Some(usd(60_200, 0)));
		assert_ok!(Oracle::remove_feeder(RuntimeOrigin::root(), account(3)));
		next_block();
		assert!(crate::Feeds::<Test>::get(BTC).iter().all(|f| f.feeder != account(3)));
		// Feeders 1 and 2 are left: the lower of their values.
		assert_eq!(Prices::<Test>::get(BTC).map(|r| r.price), Some(usd(60_000, 0)));
	});
}

fn streak(asset: u32) -> u32 {
	<Oracle as PriceProvider>::quote(asset).map_or(0, |q| q.fresh_streak)
}

fn feed_both(price: Price) {
	feed(1, BTC, price);
	feed(2, BTC, price);
	next_block();
}

#[test]
fn the_fresh_streak_counts_aggregates_and_restarts_after_a_halt_or_a_flag() {
	ExtBuilder::default().build_and_execute(|| {
		for expected in 1..=3 {
			feed_both(usd(60_000, 0));
			assert_eq!(streak(BTC), expected);
		}
		// A halt longer than max_age: the price reads stale (streak 0), and the first
		// aggregate after it starts the count again.
		next_block_after(default_params().max_age_ms + 1);
		assert_eq!(streak(BTC), 0);
		feed_both(usd(60_000, 0));
		assert_eq!(streak(BTC), 1);
		feed_both(usd(60_000, 0));
		assert_eq!(streak(BTC), 2);
		// A clamped jump flags the price: no streak until an aggregate confirms it.
		feed_both(usd(30_000, 0));
		assert_eq!(streak(BTC), 0);
		feed_both(usd(54_000, 0));
		assert_eq!(streak(BTC), 1);
	});
}

#[test]
fn how_far_the_feeds_disagree_is_kept_until_they_agree_again() {
	use crate::Dispersions;
	use sp_runtime::Permill;
	ExtBuilder::default().build_and_execute(|| {
		feed(1, BTC, usd(60_000, 0));
		feed(2, BTC, usd(60_000, 0));
		feed(3, BTC, usd(61_800, 0)); // 3% above the other two
		next_block();
		// The median stands; the spread ($1,800 over $60,000) is kept.
		assert_eq!(Prices::<Test>::get(BTC).map(|r| r.price), Some(usd(60_000, 0)));
		assert_eq!(<Oracle as PriceProvider>::dispersion(BTC), Permill::from_percent(3));
		assert!(Dispersions::<Test>::contains_key(BTC));
		assert!(oracle_events()
			.contains(&Event::DispersionChanged { asset: BTC, dispersion: Permill::from_percent(3) }));
		// Agreeing again: back to zero, nothing stored.
		for who in 1..=3 {
			feed(who, BTC, usd(60_100, 0));
		}
		next_block();
		assert_eq!(<Oracle as PriceProvider>::dispersion(BTC), Permill::zero());
		assert!(!Dispersions::<Test>::contains_key(BTC));
	});
}
