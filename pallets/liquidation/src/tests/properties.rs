//! Properties of liquidation's math, and of whole liquidations over random crashes: never
//! more risk, never negative collateral, a penalty never beyond the equity.

use super::*;
use crate::math;
use clearing_primitives::{notional, Price};
use proptest::prelude::*;
use sp_runtime::{FixedPointNumber, Permill, Rounding, Saturating};

fn price(cents: u128) -> Price {
	Price::saturating_from_rational(cents, 100)
}

proptest! {
	#[test]
	fn the_bankruptcy_cash_leaves_exactly_zero_equity(value in -10i128.pow(20)..10i128.pow(20), equity in -10i128.pow(18)..10i128.pow(18)) {
		let cash = math::bankruptcy_cash(value, equity).unwrap();
		// Giving up the position (worth `value`) for `cash`:
		prop_assert_eq!(equity - value + cash, 0);
	}

	#[test]
	fn a_close_is_whole_steps_or_everything_and_never_more_than_held(
		deficit in 0u128..10u128.pow(13), held_steps in 1u128..100_000, step in 1u128..10u128.pow(6),
		cents in 1u128..10_000_000, mmf in 0u32..1_500_000, pen in 0u32..50_000, slip in 0u32..50_000,
	) {
		let held = held_steps * step;
		let step_notional = notional(step, 8, price(cents), Rounding::Up).unwrap();
		// Up to 150% of the notional: a short option's maintenance is its mark and more.
		let maintenance = (held_steps * step_notional).saturating_mul(u128::from(mmf)) / 1_000_000;
		let (pen, slip) = (Permill::from_parts(pen), Permill::from_parts(slip));
		let size = math::close_size(deficit, held, step, maintenance, step_notional, pen, slip).unwrap();
		prop_assert!(size <= held);
		prop_assert!(size == held || size % step == 0);
		prop_assert!(size > 0);
		// Enough: unless everything closes, what the closed steps free net of their cost
		// covers the deficit.
		if size < held {
			let freed = maintenance * size / held;
			let cost = (pen.saturating_add(slip)).mul_ceil(step_notional) * (size / step);
			prop_assert!(freed >= deficit + cost, "freed {} deficit {} cost {}", freed, deficit, cost);
		}
		// Nothing to free (a long option): everything.
		if maintenance == 0 {
			prop_assert_eq!(size, held);
		}
	}

	#[test]
	fn a_close_never_asks_more_than_the_deficit_needs_by_a_step(
		deficit in 1u128..10u128.pow(13), held_steps in 1u128..100_000, step in 1u128..10u128.pow(6),
		per_step in 1u128..10u128.pow(9),
	) {
		let held = held_steps * step;
		// No cost: each step frees `per_step` exactly.
		let size = math::close_size(deficit, held, step, per_step * held_steps, 1, Permill::zero(), Permill::zero()).unwrap();
		let needed = deficit.div_ceil(per_step) * step;
		prop_assert_eq!(size, needed.min(held));
	}

	#[test]
	fn the_book_bound_is_on_tick_and_never_beyond_bankruptcy(
		mark_cents in 100u128..10_000_000, bk_cents in 1u128..10_000_000, slip in 0u32..100_000, selling: bool,
	) {
		let (mark, bankruptcy, tick) = (price(mark_cents), price(bk_cents), price(100));
		let limit = math::limit_price(selling, mark, Some(bankruptcy), Permill::from_parts(slip), tick).unwrap();
		prop_assert_eq!(limit.into_inner() % tick.into_inner(), 0);
		if selling {
			prop_assert!(limit >= bankruptcy);
		} else if bankruptcy >= tick {
			prop_assert!(limit <= bankruptcy);
		}
	}

	#[test]
	fn an_option_band_is_its_vega_move_within_the_slippage_and_half_the_mark(
		mark_cents in 0u128..10_000_000, vega_cents in 0u128..100_000_000, shift in 0u32..200_000, slip in 0u32..100_000,
	) {
		let (mark, vega, slippage) = (price(mark_cents), price(vega_cents), Permill::from_parts(slip));
		let band = math::close_band(mark, Some(vega), Permill::from_parts(shift), slippage);
		prop_assert!(band >= slippage);
		prop_assert!(band <= slippage.max(math::MAX_OPTION_BAND));
		// Where neither bound binds, the band is the vega move, to the part per million.
		if mark_cents > 0 && band > slippage && band < math::MAX_OPTION_BAND {
			let moved = Permill::from_parts(shift).mul_floor(vega.into_inner());
			let exact = moved as f64 / mark.into_inner() as f64;
			prop_assert!((band.deconstruct() as f64 / 1e6 - exact).abs() <= 1e-6);
		}
		// A perpetual's is its slippage; more vega is never a narrower band.
		prop_assert_eq!(math::close_band(mark, None, Permill::from_parts(shift), slippage), slippage);
		let more = math::close_band(mark, Some(price(vega_cents + 100)), Permill::from_parts(shift), slippage);
		prop_assert!(more >= band);
	}

	#[test]
	fn the_penalty_never_exceeds_the_equity_and_splits_exactly(
		closed in 0u128..10u128.pow(15), rate in 0u32..100_000, equity in -10i128.pow(15)..10i128.pow(15), share in 0u32..=1_000_000,
	) {
		let (keeper, fund) = math::penalty(closed, Permill::from_parts(rate), equity, Permill::from_parts(share));
		let charged = keeper + fund;
		prop_assert!(charged as i128 <= equity.max(0));
		prop_assert!(charged <= Permill::from_parts(rate).mul_floor(closed));
	}

	#[test]
	fn pro_rata_shares_never_exceed_the_total(total in -10i128.pow(18)..10i128.pow(18), part in 0u128..10u128.pow(12), extra in 0u128..10u128.pow(12)) {
		let whole = part + extra + 1;
		let share = math::pro_rata(total, part, whole).unwrap();
		prop_assert!(share.unsigned_abs() <= total.unsigned_abs());
		prop_assert!(share == 0 || (share > 0) == (total > 0));
	}

	#[test]
	fn more_profit_or_more_leverage_never_ranks_lower(pnl in 1i128..10i128.pow(12), value in 1i128..10i128.pow(13), equity in 1i128..10i128.pow(12), more in 1i128..10i128.pow(9)) {
		let base = math::deleverage_rank(pnl, value, equity);
		prop_assert!(math::deleverage_rank(pnl + more, value, equity) >= base);
		prop_assert!(math::deleverage_rank(pnl, value + more, equity) >= base);
		prop_assert_eq!(math::deleverage_rank(-pnl, value, equity), None);
		prop_assert_eq!(math::deleverage_rank(pnl, value, -equity), None);
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(48))]
	#[test]
	fn a_liquidation_never_adds_risk_nor_leaves_negative_collateral(
		collateral in 3_000u128..6_000, drop in 1u128..8_000, bid_below in 0u128..1_500, depth in 0u128..1_500, fund_usd in 0u128..3_000,
	) {
		ExtBuilder::default().build_and_execute(|| {
			open(ALICE, collateral, Side::Buy, ONE_BTC, 60_000, sub(BOB, 0));
			open(CAROL, 100_000, Side::Sell, ONE_BTC, 60_000, sub(DAVE, 0));
			seed_fund(fund_usd * USDC);
			let mark = 60_000 - drop;
			rest(Side::Buy, mark - bid_below, depth * STEP, sub(BOB, 0));
			btc_at(mark);
			let before = position(ALICE);
			let equity_before = equity(&sub(ALICE, 0));
			let result = keeper_liquidate(&sub(ALICE, 0), vec![sub(CAROL, 0), sub(BOB, 0)]);
			if result.is_ok() {
				let after = position(ALICE);
				assert!(after.abs() <= before.abs() && after >= 0, "risk never grows");
				let equity_after = equity(&sub(ALICE, 0));
				assert!(equity_after >= 0, "no negative collateral: {equity_after}");
				let penalty: i128 = liquidation_events().iter().map(|e| match e {
					crate::Event::PenaltyPaid { to_keeper, to_fund, .. } => (*to_keeper + *to_fund) as i128,
					_ => 0,
				}).sum();
				assert!(penalty <= equity_before.max(0), "penalty {penalty} within equity {equity_before}");
			} else {
				assert!(!liquidatable(&sub(ALICE, 0)) || equity_before < 0, "{result:?}");
			}
		});
	}
}
