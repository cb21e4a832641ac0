//! Property tests of the pure aggregation and parsing math.

use crate::{
	median::{aggregate, clamp, dispersion, median, quorum, Aggregate},
	offchain::parse::parse_decimal,
};
use clearing_primitives::Price;
use proptest::prelude::*;
use sp_runtime::Permill;

fn price() -> impl Strategy<Value = Price> {
	(1u128..=u128::MAX / 4).prop_map(Price::from_inner)
}

proptest! {
	/// The spread is (highest − lowest) / median rounded up to the next part per million (at
	/// most 100%), and zero exactly when the feeds agree.
	#[test]
	fn the_spread_is_how_far_the_feeds_disagree(values in prop::collection::vec(1u128..=1u128 << 90, 1..16)) {
		let mut feeds: Vec<Price> = values.into_iter().map(Price::from_inner).collect();
		let m = median(&mut feeds).unwrap().into_inner();
		let spread = u128::from(dispersion(&feeds).deconstruct());
		let gap = feeds.last().unwrap().into_inner() - feeds.first().unwrap().into_inner();
		prop_assert_eq!(spread == 0, gap == 0);
		if spread < 1_000_000 {
			prop_assert!(spread * m >= gap * 1_000_000, "never understated");
			prop_assert!(gap == 0 || (spread - 1) * m < gap * 1_000_000, "rounded up by less than a part");
		} else {
			prop_assert!(gap * 1_000_000 > 999_999 * m);
		}
	}

	#[test]
	fn the_median_lies_between_the_extremes(mut values in prop::collection::vec(price(), 1..16)) {
		let lowest = *values.iter().min().unwrap();
		let highest = *values.iter().max().unwrap();
		let m = median(&mut values).unwrap();
		prop_assert!(lowest <= m && m <= highest);
	}

	#[test]
	fn the_median_ignores_the_order_of_feeds(values in prop::collection::vec(price(), 1..16), seed in any::<u64>()) {
		let mut shuffled = values.clone();
		// A deterministic shuffle driven by the seed.
		let len = shuffled.len();
		for i in 0..len {
			let j = (seed.wrapping_mul(i as u64 + 1) % len as u64) as usize;
			shuffled.swap(i, j);
		}
		let mut original = values;
		prop_assert_eq!(median(&mut original), median(&mut shuffled));
	}

	#[test]
	fn the_median_is_always_one_of_the_feeds(mut values in prop::collection::vec(price(), 1..16)) {
		let feeds = values.clone();
		let m = median(&mut values).unwrap();
		prop_assert!(feeds.contains(&m));
	}

	#[test]
	fn one_liar_among_an_even_count_moves_nothing_unflagged_beyond_the_spread(
		honest in price(), lie in price(), others in 0usize..4, spread in 1u32..100_000,
	) {
		// `others` more honest feeds beside the one: an even count with one liar.
		let n = 2 * others + 1;
		let mut feeds = vec![honest; n];
		feeds.push(lie);
		let max_spread = Permill::from_parts(spread);
		match aggregate(&mut feeds, 1, None, Permill::from_percent(50), max_spread) {
			Aggregate::Price { price, clamped: false } => {
				// Unflagged: the aggregate is the honest value, or within the spread of it.
				let reach = max_spread.mul_floor(honest.into_inner().min(price.into_inner()));
				prop_assert!(price.into_inner().abs_diff(honest.into_inner()) <= reach);
			},
			Aggregate::Price { clamped: true, .. } => {},
			Aggregate::NoQuorum => prop_assert!(false, "a quorum of one"),
		}
	}

	#[test]
	fn the_quorum_is_a_majority_of_the_registered_and_never_below_the_minimum(min in 0u32..10, registered in 0u32..20) {
		let q = quorum(min, registered);
		prop_assert!(q >= min && q * 2 > registered);
		prop_assert!(q == min || q == registered / 2 + 1);
	}

	#[test]
	fn a_minority_of_liars_cannot_move_the_median_outside_the_honest_range(
		honest in prop::collection::vec(price(), 3..9),
		liars in prop::collection::vec(prop_oneof![Just(Price::from_inner(1)), Just(Price::from_inner(u128::MAX / 4))], 0..3),
	) {
		prop_assume!(liars.len() < honest.len());
		let lowest = *honest.iter().min().unwrap();
		let highest = *honest.iter().max().unwrap();
		let mut all: Vec<Price> = honest.iter().chain(liars.iter()).copied().collect();
		let m = median(&mut all).unwrap();
		prop_assert!(lowest <= m && m <= highest, "median {m:?} outside [{lowest:?}, {highest:?}]");
	}

	#[test]
	fn a_clamped_price_never_moves_more_than_max_jump(new in price(), last in price(), jump in 1u32..=500_000) {
		let max_jump = Permill::from_parts(jump);
		let (clamped, was_clamped) = clamp(new, last, max_jump);
		let step = max_jump.mul_floor(last.into_inner());
		let moved = clamped.into_inner().abs_diff(last.into_inner());
		prop_assert!(moved <= step);
		// Inside the band nothing changes; outside it lands on the band's edge.
		prop_assert_eq!(was_clamped, clamped != new);
		if !was_clamped { prop_assert_eq!(clamped, new); } else { prop_assert_eq!(moved, step); }
	}

	#[test]
	fn below_quorum_there_is_no_aggregate(values in prop::collection::vec(price(), 0..5), extra in 1u32..4) {
		let mut v = values.clone();
		let min = v.len() as u32 + extra;
		prop_assert_eq!(aggregate(&mut v, min, None, Permill::from_percent(10), Permill::from_percent(1)), Aggregate::NoQuorum);
	}

	#[test]
	fn decimal_text_round_trips(inner in 1u128..=u128::MAX / 2) {
		let whole = inner / 10u128.pow(18);
		let fraction = inner % 10u128.pow(18);
		let text = format!("{whole}.{fraction:018}");
		prop_assert_eq!(parse_decimal(&text), Some(Price::from_inner(inner)));
	}
}
