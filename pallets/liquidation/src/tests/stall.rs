//! A solvent subaccount the book cannot close: its owner cannot hold it out of the backstop.
//!
//! Attack 8 (block your own liquidation), tried here: a maker the margin engine refuses (the
//! owner's accomplice without collateral, placed again every block) at the top of the book
//! uses up every close's fill bound without anything closing. Such closes keep the position
//! only for `MaxStallBlocks`; then the backstop takes it at the bankruptcy price, so blocking
//! one's own liquidation costs the whole equity. A close cut short by a batch's shared fill
//! budget is not a stall: it merely waits.

use super::*;
use crate::{Event, Stalled};

/// A refused maker (Carol holds nothing) bids above the real bid: a close that may make one
/// fill spends it on her and closes nothing.
fn refused_maker_on_top() {
	rest(Side::Buy, 58_450, ONE_BTC, sub(CAROL, 0));
}

fn blocked() {
	MaxCloseFills::set(1);
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
fn closes_blocked_by_refused_makers_go_to_the_backstop_after_the_stall_bound() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked();
		for block in 1..=3 {
			System::set_block_number(block);
			refused_maker_on_top();
			assert_ok!(liquidate(&sub(ALICE, 0)));
			assert_eq!(position(ALICE), ONE_BTC as i128, "block {block}: still waiting");
		}
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((1, 3)));
		System::set_block_number(4);
		refused_maker_on_top();
		assert_ok!(liquidate(&sub(ALICE, 0)));
		// Taken at the bankruptcy price, $57,000: blocking cost Alice her $1,500 of equity.
		assert_eq!(position(ALICE), 0);
		assert_eq!(taken_by_backstop(), Some((57_000 * USDC as i128, 0)));
		assert_eq!(equity(&sub(ALICE, 0)), 0);
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
	});
}

/// A third party's small bids on top are real fills: progress, never a stall, so nobody but
/// the book's depth decides when an honest account goes to the backstop.
#[test]
fn small_fills_on_top_are_progress_and_never_hand_an_account_to_the_backstop() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked();
		fund(&sub(CAROL, 0), 100_000 * USDC);
		for block in 1..=5 {
			System::set_block_number(block);
			rest(Side::Buy, 58_450, STEP, sub(CAROL, 0));
			assert_ok!(liquidate(&sub(ALICE, 0)));
			assert_eq!(position(ALICE), (ONE_BTC - block as u128 * STEP) as i128);
			assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
		}
		assert!(taken_by_backstop().is_none());
	});
}

#[test]
fn progress_or_a_pause_starts_the_stall_count_over() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked();
		refused_maker_on_top();
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((1, 1)));
		// Three blocks without an attempt: a new stall.
		System::set_block_number(4);
		refused_maker_on_top();
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((4, 4)));
		// A close that fills clears it.
		System::set_block_number(5);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(position(ALICE) < ONE_BTC as i128);
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
	});
}

/// A batch's entries share one fill budget: an entry whose close found it spent was never
/// given its fills, so it waits without a stall (else a crash would hand solvent accounts to
/// the backstop wholesale).
#[test]
fn a_close_cut_short_by_the_batchs_budget_is_not_a_stall() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [ALICE, CAROL] {
			open(who, 3_000, Side::Buy, ONE_BTC, 60_000, sub(BOB, 0));
		}
		rest(Side::Buy, 58_400, 4 * ONE_BTC, sub(DAVE, 0));
		fund(&sub(DAVE, 0), 1_000_000 * USDC);
		btc_at(58_500);
		// The mock's batch budget is one fill: the first entry spends it.
		for block in 1..=6 {
			System::set_block_number(block);
			let batch: crate::BatchOf<Test> = vec![sub(ALICE, 0), sub(CAROL, 0)].try_into().unwrap();
			let proof = batch_proof(&batch, 1);
			assert_ok!(Liquidation::liquidate_batch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized), batch, 1, proof));
		}
		assert!(Stalled::<Test>::iter().next().is_none());
		assert!(taken_by_backstop().is_none());
	});
}
