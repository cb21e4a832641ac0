//! The backstop unwinds what it took over into the book, in idle weight, within its bound
//! (ATTACKS: nothing ever closes the backstop's positions; a crowded-out block).

use super::*;
use crate::{Event, UnwindCursor};
use clearing_primitives::oracle::PriceStatus;
use frame_support::{
	traits::{Get, Hooks},
	weights::Weight,
};

/// Alice's bankrupt long goes to the backstop at $56,000 (the fund covers $1,000).
fn backstop_long() {
	alice_long();
	seed_fund(5_000 * USDC);
	btc_at(56_000);
	assert_ok!(liquidate(&sub(ALICE, 0)));
	assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), ONE_BTC as i128);
	fund(&sub(CAROL, 0), 100_000 * USDC);
}

fn idle(weight: Weight) -> Weight {
	<Liquidation as Hooks<u64>>::on_idle(System::block_number(), weight)
}

/// What a look at the backstop's position count costs.
fn one_read() -> Weight {
	let db: frame_support::weights::RuntimeDbWeight = <Test as frame_system::Config>::DbWeight::get();
	db.reads(1)
}

fn unwound() -> Vec<Event<Test>> {
	liquidation_events().into_iter().filter(|e| matches!(e, Event::BackstopUnwound { .. })).collect()
}

#[test]
fn the_backstop_sells_what_it_took_over_into_a_bid_within_its_bound() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		// $56,000 × 99.5% = $55,720: Carol's $55,800 bid is inside.
		rest(Side::Buy, 55_800, 2 * ONE_BTC, sub(CAROL, 0));
		let used = idle(Weight::MAX);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), 0);
		assert_eq!(Margin::position_size(&sub(CAROL, 0), BTC_USD), ONE_BTC as i128);
		assert_eq!(unwound(), vec![Event::BackstopUnwound { market: BTC_USD, size: ONE_BTC, notional: 55_800 * USDC }]);
		// Taken over at equity 0 at the $56,000 mark, sold $200 lower: the loss is realized.
		assert_eq!(equity(&Liquidation::backstop()), -200 * USDC as i128);
		assert_eq!(UnwindCursor::<Test>::get(), Some(BTC_USD));
		// Charged what it did: one fill of the ten its worst case allows, then a look that
		// found nothing left for a second round.
		let worst = Liquidation::unwind_weight(1).saturating_add(one_read());
		let unused_fills = Weight::from_parts(CLOSE_WEIGHT_PER_FILL * 9, 0);
		assert_eq!(used, worst.saturating_sub(unused_fills).saturating_add(one_read()));
		// Nothing left: the next block's look costs one read and does nothing.
		assert_eq!(idle(Weight::MAX), one_read());
	});
}

#[test]
fn a_bid_beyond_the_bound_is_left_and_nothing_changes() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		rest(Side::Buy, 55_700, ONE_BTC, sub(CAROL, 0));
		idle(Weight::MAX);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), ONE_BTC as i128);
		assert_eq!(Margin::position_size(&sub(CAROL, 0), BTC_USD), 0);
		assert!(unwound().is_empty());
	});
}

#[test]
fn without_the_idle_weight_for_its_worst_case_nothing_unwinds() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		rest(Side::Buy, 55_800, ONE_BTC, sub(CAROL, 0));
		let worst = Liquidation::unwind_weight(1).saturating_add(one_read());
		idle(worst.saturating_sub(Weight::from_parts(1, 0)));
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), ONE_BTC as i128);
		idle(worst);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), 0);
	});
}

#[test]
fn no_unwind_on_a_price_that_is_not_ready() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		rest(Side::Buy, 55_800, ONE_BTC, sub(CAROL, 0));
		set_quote(BTC, usd(56_000), PriceStatus::Stale, 0);
		idle(Weight::MAX);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), ONE_BTC as i128);
		assert!(unwound().is_empty());
	});
}

#[test]
fn a_short_is_bought_back_from_an_ask_within_the_bound() {
	ExtBuilder::default().build_and_execute(|| {
		open(ALICE, 3_000, Side::Sell, ONE_BTC, 60_000, sub(BOB, 0));
		seed_fund(5_000 * USDC);
		btc_at(64_000);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		fund(&sub(CAROL, 0), 100_000 * USDC);
		// $64,000 × 100.5% = $64,320: the $64,400 ask is out, the $64,300 one in.
		rest(Side::Sell, 64_400, ONE_BTC, sub(CAROL, 0));
		rest(Side::Sell, 64_300, ONE_BTC / 2, sub(CAROL, 0));
		idle(Weight::MAX);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), -(ONE_BTC as i128) / 2);
		assert_eq!(unwound(), vec![Event::BackstopUnwound { market: BTC_USD, size: ONE_BTC / 2, notional: 32_150 * USDC }]);
	});
}

/// Dust on top of the book (one-step bids, one order each) spends a round's fills, not the
/// block's unwind: the next round reaches the real bid below it in the same block.
#[test]
fn one_step_bids_on_top_only_use_up_a_round() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		MaxCloseFills::set(4);
		rest(Side::Buy, 55_800, 2 * ONE_BTC, sub(CAROL, 0));
		fund(&sub(DAVE, 0), 100_000 * USDC);
		for _ in 0..4 {
			rest(Side::Buy, 55_900, STEP, sub(DAVE, 0));
		}
		idle(Weight::MAX);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), 0);
		assert_eq!(Margin::position_size(&sub(DAVE, 0), BTC_USD), 4 * STEP as i128);
		assert_eq!(
			unwound(),
			vec![
				Event::BackstopUnwound { market: BTC_USD, size: 4 * STEP, notional: 4 * 55_900 * USDC / 1_000 },
				Event::BackstopUnwound {
					market: BTC_USD,
					size: ONE_BTC - 4 * STEP,
					notional: (ONE_BTC - 4 * STEP) * 55_800 * USDC / ONE_BTC,
				},
			]
		);
	});
}

/// Rounds stop at `MaxUnwindRounds`, and at the first that closes nothing.
#[test]
fn an_unwind_makes_at_most_its_rounds_a_block() {
	ExtBuilder::default().build_and_execute(|| {
		backstop_long();
		MaxCloseFills::set(1);
		fund(&sub(DAVE, 0), 100_000 * USDC);
		for _ in 0..6 {
			rest(Side::Buy, 55_900, STEP, sub(DAVE, 0));
		}
		idle(Weight::MAX);
		// Four rounds of one fill each (the mock's bound), two bids left for the next block.
		assert_eq!(unwound().len(), 4);
		assert_eq!(Margin::position_size(&sub(DAVE, 0), BTC_USD), 4 * STEP as i128);
		System::set_block_number(2);
		idle(Weight::MAX);
		// Two more; the third round finds nothing within the bound and ends the block's unwind.
		assert_eq!(unwound().len(), 6);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), (ONE_BTC - 6 * STEP) as i128);
	});
}
