//! Property tests of the margin math, and of equity across a fill.

use super::trade;
use crate::{math, mock::*};
use clearing_primitives::{margin::Side, Price};
use proptest::prelude::*;
use sp_runtime::{FixedI128, Permill};

proptest! {
	#[test]
	fn the_initial_fraction_only_rises_with_open_interest(
		base in 1u32..1_000_000, a in 0u128..1u128 << 100, b in 0u128..1u128 << 100,
		lower in 0u128..1u128 << 90, width in 1u128..1u128 << 90,
	) {
		let base = Permill::from_parts(base);
		let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
		let f_lo = math::initial_fraction(base, lo, lower, lower + width);
		let f_hi = math::initial_fraction(base, hi, lower, lower + width);
		prop_assert!(base <= f_lo && f_lo <= f_hi && f_hi <= Permill::one());
	}

	#[test]
	fn values_and_funding_round_against_the_holder(
		// The domain: up to 2^64 base units, $10^12 per whole unit, any of 0–18 decimals.
		size in 1i128..1i128 << 64, decimals in 0u8..=18,
		price in 1u128..10u128.pow(30), then in -(10i128.pow(30))..10i128.pow(30), now in -(10i128.pow(30))..10i128.pow(30),
	) {
		let price = Price::from_inner(price);
		let long = math::position_value(size, decimals, price).unwrap();
		let short = math::position_value(-size, decimals, price).unwrap();
		prop_assert!(long + short <= 0 && long + short >= -1);
		let (then, now) = (FixedI128::from_inner(then), FixedI128::from_inner(now));
		let paid = math::funding_payment(size, decimals, then, now).unwrap();
		let received = math::funding_payment(-size, decimals, then, now).unwrap();
		// The two sides never net to a payout by the protocol.
		prop_assert!(paid + received <= 0);
		let req = math::requirement(size, decimals, price, Permill::from_percent(5)).unwrap();
		prop_assert!(req as i128 * 20 >= long);
	}

	#[test]
	fn cost_basis_of_a_closed_position_is_zero_and_reductions_keep_the_sign(
		size in 1i128..1i128 << 60, part in 1i128..=100, cost in 1i128..1i128 << 90,
	) {
		let reduce = -(size * part / 100).max(1);
		let left = math::cost_after_fill(size, cost, reduce, -1).unwrap();
		if size + reduce == 0 {
			prop_assert_eq!(left, 0);
		} else {
			prop_assert!(left >= 0 && left <= cost);
		}
	}

	#[test]
	fn a_fill_at_the_mark_conserves_settlement_and_equity(
		size_steps in 1u128..2_000, price in 50_000u128..70_000,
	) {
		ExtBuilder::default().build_and_execute(|| {
			set_price(BTC, usd(price), clearing_primitives::oracle::PriceStatus::Fresh);
			fund(&sub(ALICE, 0), 200_000 * USDC);
			fund(&sub(BOB, 0), 200_000 * USDC);
			let equity = |who| Margin::account_health(who, 0).unwrap().equity;
			let (total, before) = (total_settlement(), equity(ALICE) + equity(BOB));
			trade(Side::Buy, size_steps * ONE_BTC / 1_000, price).unwrap();
			assert_eq!(total_settlement(), total);
			let after = equity(ALICE) + equity(BOB);
			// No fees yet: only the value rounding (a unit per side) separates them.
			assert!(after <= before && before - after <= 2, "{before} → {after}");
		});
	}

	#[test]
	fn risk_grows_exactly_when_the_position_grows_or_flips(
		held in -(1i128 << 80)..1i128 << 80, delta in -(1i128 << 80)..1i128 << 80,
	) {
		let new = held + delta;
		let expected = new.abs() > held.abs() || (held != 0 && new != 0 && (held > 0) != (new > 0));
		prop_assert_eq!(math::risk_grows(held, delta), expected);
	}

	#[test]
	fn no_worse_accepts_exactly_the_transitions_that_keep_equity_and_the_ratio(
		e0 in -(1i128 << 60)..1i128 << 60, m0 in 0u128..1u128 << 60,
		e1 in -(1i128 << 60)..1i128 << 60, m1 in 0u128..1u128 << 60,
	) {
		let accepted = math::no_worse((e0, m0), (e1, m1));
		// Exact, in i128 here: the ratio after is at least the ratio before.
		let ratio_held = e1 * m0 as i128 >= e0 * m1 as i128;
		if e1 < 0 {
			prop_assert!(!accepted);
		} else if e1 >= m1 as i128 || e0 < 0 {
			// At maintenance after, or bankrupt before: anything at or above zero is better.
			prop_assert!(accepted);
		} else {
			// Below maintenance after: the ratio decides (rounded against the subaccount, so a
			// transition accepted always held it, and one that held it with a unit to spare is
			// accepted).
			if accepted {
				prop_assert!(ratio_held, "{e0}/{m0} → {e1}/{m1}");
			}
			if e1 * m0 as i128 >= (e0 + 1) * m1 as i128 {
				prop_assert!(accepted, "{e0}/{m0} → {e1}/{m1}");
			}
		}
	}

	#[test]
	fn a_leverage_s_fraction_is_never_below_one_over_it_and_falls_as_it_rises(x in 1u8..=255) {
		let fraction = math::leverage_fraction(x).unwrap();
		// Rounded up: x × fraction covers the whole notional, by under one part per million each.
		let parts = u64::from(fraction.deconstruct());
		prop_assert!(parts * u64::from(x) >= 1_000_000);
		prop_assert!((parts - 1) * u64::from(x) < 1_000_000);
		if x < 255 {
			prop_assert!(math::leverage_fraction(x + 1).unwrap() <= fraction);
		}
		prop_assert_eq!(math::leverage_fraction(0), None);
	}
}
