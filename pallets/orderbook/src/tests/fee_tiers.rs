//! Fee tiers by 30-day volume (`set_fee_tiers`, the fill path's rates, the volume window).
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 3 Farm a reward: a maker's rebate comes out of the same fill's taker fee and is never
//!   above half of it, so two accounts of one owner trading with each other always pay
//!   (`wash_trading_for_a_rebate_never_pays`); the fee subaccount never falls; a liquidation's
//!   close pays no rebate (its fee may be bad debt: `a_liquidation_close_pays_no_rebate`).
//! - 4 Rounding: fees round up, the rebate down (`the_rebate_is_the_takers_fee_at_most`).
//! - 17 Governance: only `FeeOrigin` sets the table; every bound is checked
//!   (`a_table_outside_its_bounds_is_refused`); a tier never charges above a market's own fee.
//! - 16 Storage: the table is bounded (`MaxFeeTiers`); one window of 30 daily buckets per
//!   account that has traded (written only by a fill, which pays fees), which anyone may
//!   remove once it counts nothing (`a_window_older_than_thirty_days_can_be_forgotten`).
//! - 18 Extreme input: a notional above `u64::MAX` in a day saturates its bucket.

use super::place;
use clearing_primitives::margin::LiquidationBook;
use crate::{fees, mock::*, Error, Event, FeeTier, FeeTiers, OrderKind, TradedVolume, VolumeWindow, VOLUME_DAYS};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use proptest::prelude::*;
use sp_runtime::Permill;

fn tier(min_volume: u128, taker: u32, maker: u32, rebate: u32) -> FeeTier {
	FeeTier {
		min_volume,
		taker_fee: Permill::from_parts(taker),
		maker_fee: Permill::from_parts(maker),
		maker_rebate: Permill::from_parts(rebate),
	}
}

fn set(tiers: Vec<FeeTier>) -> sp_runtime::DispatchResult {
	let tiers: BoundedVec<FeeTier, frame_support::traits::ConstU32<4>> = tiers.try_into().expect("within the mock's bound");
	Orderbook::set_fee_tiers(RuntimeOrigin::root(), tiers)
}

/// One fill of `steps` × 0.001 BTC at $60,000: Bob's resting ask, Alice's taking bid.
fn trade(steps: u128) {
	assert_ok!(place(BOB, Side::Sell, 60_000, steps, OrderKind::Limit));
	assert_ok!(place(ALICE, Side::Buy, 60_000, steps, OrderKind::ImmediateOrCancel));
}

fn last_fill() -> (u128, u128, u128) {
	book_events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::OrderFilled { taker_fee, maker_fee, maker_rebate, .. } => Some((taker_fee, maker_fee, maker_rebate)),
			_ => None,
		})
		.expect("a fill")
}

#[test]
fn volume_moves_an_account_into_a_tier_at_its_next_fill() {
	ExtBuilder::default().build_and_execute(|| {
		// From $1,000 of volume: takers 0.03%, makers a 0.01% rebate.
		assert_ok!(set(vec![tier(1_000 * USDC, 300, 0, 100)]));
		// 0.01 BTC = $600: the market's own fees (0.05% / 0.02%), both sides under the tier.
		trade(10);
		assert_eq!(last_fill(), (300_000, 120_000, 0));
		assert_eq!(Orderbook::account_fees(&ALICE).volume, 600 * USDC);
		assert_eq!(Orderbook::account_fees(&BOB).volume, 600 * USDC);
		trade(10);
		// Both at $1,200 now: the tier's rates.
		assert_eq!(Orderbook::account_fees(&BOB).tier, Some(tier(1_000 * USDC, 300, 0, 100)));
		trade(10);
		// Taker 0.03% of $600 = $0.18; the maker gets 0.01% = $0.06 back, no maker fee.
		assert_eq!(last_fill(), (180_000, 0, 60_000));
	});
}

#[test]
fn the_rebate_is_half_the_takers_fee_at_most() {
	// Pure: a rebate rate above the taker's rate still pays no more than half its fee.
	assert_eq!(fees::rebate(Permill::from_parts(900), 1_000_000, 500), 250);
	assert_eq!(fees::rebate(Permill::from_parts(100), 1_999, 10), 0, "rounded down");
	ExtBuilder::default().build_and_execute(|| {
		// The tier charges takers 0.1% and rebates 0.05%; the market's taker fee is 0.05%, so
		// a taker pays the market's (lower) fee, and the rebate is capped at half of it.
		assert_ok!(set(vec![tier(600 * USDC, 1_000, 0, 500)]));
		trade(10);
		let fee_account = Orderbook::fee_subaccount();
		let before = settlement(&fee_account);
		trade(10);
		let (taker_fee, maker_fee, rebate) = last_fill();
		assert_eq!((taker_fee, maker_fee, rebate), (300_000, 0, 150_000));
		// Nothing minted: the fee subaccount grew.
		assert!(settlement(&fee_account) > before);
	});
}

#[test]
fn a_liquidation_close_pays_no_rebate() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(vec![tier(1, 500, 0, 200)]));
		trade(10);
		assert_ok!(place(BOB, Side::Buy, 60_000, 10, OrderKind::Limit));
		assert_ok!(<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, 10 * STEP, usd(59_000), 4));
		let (taker_fee, _, rebate) = last_fill();
		assert!(taker_fee > 0);
		assert_eq!(rebate, 0);
	});
}

#[test]
fn a_window_older_than_thirty_days_can_be_forgotten() {
	ExtBuilder::default().build_and_execute(|| {
		let forget = |who| Orderbook::forget_volume(RuntimeOrigin::signed(CAROL), who);
		assert_noop!(forget(ALICE), Error::<Test>::NoVolume);
		trade(10);
		System::set_block_number(1 + 29 * 10);
		assert_noop!(forget(ALICE), Error::<Test>::VolumeStillCounted);
		System::set_block_number(1 + 30 * 10);
		assert_ok!(forget(ALICE));
		assert!(!TradedVolume::<Test>::contains_key(ALICE));
		assert!(book_events().contains(&Event::VolumeForgotten { account: ALICE }));
	});
}

#[test]
fn wash_trading_for_a_rebate_never_pays() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(vec![tier(1, 200, 0, 100)]));
		let start = settlement(&sub(ALICE, 0)) + settlement(&sub(BOB, 0));
		for _ in 0..5 {
			trade(10);
			// Back the other way, so positions net out and only fees move.
			assert_ok!(place(ALICE, Side::Sell, 60_000, 10, OrderKind::Limit));
			assert_ok!(place(BOB, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
		}
		let end = settlement(&sub(ALICE, 0)) + settlement(&sub(BOB, 0));
		assert!(end < start, "the pair did not pay: {}", end - start);
	});
}

#[test]
fn a_tier_never_charges_more_than_the_market() {
	ExtBuilder::default().build_and_execute(|| {
		// Tier fees above the market's (0.05% / 0.02%): the market's apply.
		assert_ok!(set(vec![tier(1, 10_000, 10_000, 0)]));
		trade(10);
		trade(10);
		assert_eq!(last_fill(), (300_000, 120_000, 0));
	});
}

#[test]
fn a_table_outside_its_bounds_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		for bad in [
			vec![tier(0, 500, 0, 0)],                             // a zero threshold
			vec![tier(2, 500, 0, 0), tier(2, 400, 0, 0)],         // not rising
			vec![tier(1, 10_001, 0, 0)],                          // above 1%
			vec![tier(1, 500, 100, 100)],                         // a rebate beside a maker fee
			vec![tier(1, 500, 0, 100), tier(2, 150, 0, 0)],       // a rebate above half a taker fee
			vec![tier(1, 500, 0, 500)],                           // a rebate as large as the fee
		] {
			assert_noop!(set(bad), Error::<Test>::InvalidFeeTiers);
		}
		assert_noop!(
			Orderbook::set_fee_tiers(RuntimeOrigin::signed(ALICE), Default::default()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert!(FeeTiers::<Test>::get().is_empty());
		assert_ok!(set(vec![tier(1, 500, 0, 250)]));
		assert_ok!(set(vec![]));
	});
}

#[test]
fn volume_leaves_the_window_after_thirty_days() {
	ExtBuilder::default().build_and_execute(|| {
		trade(10);
		assert_eq!(Orderbook::account_fees(&ALICE).volume, 600 * USDC);
		// The mock's day is ten blocks: 29 days on, still counted; 30, gone.
		System::set_block_number(1 + 29 * 10);
		assert_eq!(Orderbook::account_fees(&ALICE).volume, 600 * USDC);
		System::set_block_number(1 + 30 * 10);
		assert_eq!(Orderbook::account_fees(&ALICE).volume, 0);
		trade(10);
		assert_eq!(TradedVolume::<Test>::get(ALICE).day, 30);
		assert_eq!(Orderbook::account_fees(&ALICE).volume, 600 * USDC);
	});
}

proptest! {
	#[test]
	fn an_earlier_day_starts_the_window_afresh(day in 1u32..1_000, back in 1u32..1_000, notional in 1u128..1u128 << 60) {
		let window = fees::recorded(&VolumeWindow::default(), day, notional);
		let earlier = day.saturating_sub(back);
		if earlier < day {
			prop_assert_eq!(fees::volume(&window, earlier), 0);
		}
	}

	#[test]
	fn the_window_sums_exactly_the_last_thirty_days(
		trades in proptest::collection::vec((0u32..120, 0u128..1u128 << 70), 0..40),
		read_at in 0u32..200,
	) {
		let mut trades = trades;
		trades.sort_by_key(|(day, _)| *day);
		let mut window = VolumeWindow::default();
		for (day, notional) in &trades {
			window = fees::recorded(&window, *day, *notional);
		}
		let today = read_at.max(trades.last().map(|(day, _)| *day).unwrap_or_default());
		// By hand: each day's sum, saturated at u64::MAX, over the 30 days ending today.
		let mut expected: u128 = 0;
		for first in today.saturating_sub(VOLUME_DAYS - 1)..=today {
			let day_sum = trades.iter().filter(|(day, _)| *day == first).fold(0u64, |sum, (_, n)| {
				sum.saturating_add((*n).min(u128::from(u64::MAX)) as u64)
			});
			expected += u128::from(day_sum);
		}
		prop_assert_eq!(fees::volume(&window, today), expected);
	}
}
