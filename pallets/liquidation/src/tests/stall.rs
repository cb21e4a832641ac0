//! A solvent subaccount the book cannot close: its owner cannot hold it out of the backstop.
//!
//! Attack 8 (block your own liquidation), tried here: closes that are cut short by their fill
//! bound without closing anything (the owner's own orders cancelled as self-trades, or
//! makers the margin engine refuses, ahead of every real bid) keep the position only for
//! `MaxStallBlocks`; then the backstop takes it at the mark and the owner pays the penalty.
//! Attack 11 (push a position into the protocol) is priced: the takeover costs the penalty,
//! and a bankrupt position still goes at its bankruptcy price.

use super::*;
use crate::{Event, Stalled};

fn blocked_closes() {
	// A close that may make no fill stops at once, with bids still crossing: cut short by
	// its bound while closing nothing, as refused or self-trade makers would leave it.
	MaxCloseFills::set(0);
	rest(Side::Buy, 58_400, ONE_BTC, sub(BOB, 0));
	btc_at(58_500);
}

fn taken_by_backstop() -> Option<(i128, u128)> {
	liquidation_events().into_iter().find_map(|e| match e {
		Event::TakenByBackstop { cash, loss_covered, .. } => Some((cash, loss_covered)),
		_ => None,
	})
}

#[test]
fn a_close_that_cannot_progress_goes_to_the_backstop_after_the_stall_bound() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked_closes();
		for block in 1..=3 {
			System::set_block_number(block);
			assert_ok!(liquidate(&sub(ALICE, 0)));
			assert_eq!(position(ALICE), ONE_BTC as i128, "block {block}: still waiting");
		}
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((1, 3)));
		System::set_block_number(4);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		// Taken at the mark, $58,500: Alice keeps her $1,500 of equity less the 1.5% penalty.
		assert_eq!(position(ALICE), 0);
		assert_eq!(taken_by_backstop(), Some((58_500 * USDC as i128, 0)));
		assert_eq!(equity(&sub(ALICE, 0)), (1_500 * USDC - 877_500_000) as i128);
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
		assert_eq!(equity(&Liquidation::backstop()), 0);
	});
}

#[test]
fn progress_or_a_pause_starts_the_stall_count_over() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked_closes();
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((1, 1)));
		// Nothing for longer than the bound: an old stall does not count.
		System::set_block_number(10);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((10, 10)));
		// A close that fills clears it.
		MaxCloseFills::set(1);
		System::set_block_number(11);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(position(ALICE) < ONE_BTC as i128);
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
	});
}

#[test]
fn a_solvent_position_the_book_cannot_take_goes_to_the_backstop_at_the_mark() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Solvent ($1,500 at $58,500), and no bid at all.
		btc_at(58_500);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(taken_by_backstop(), Some((58_500 * USDC as i128, 0)));
		// Not at the bankruptcy price: she keeps her equity less the penalty.
		assert_eq!(equity(&sub(ALICE, 0)), (1_500 * USDC - 877_500_000) as i128);
		assert!(liquidation_events().iter().any(|e| matches!(e, Event::PenaltyPaid { .. })));
	});
}
