//! A solvent subaccount the book cannot close: its owner cannot hold it out of the backstop.
//!
//! Attack 8 (block your own liquidation), tried here: a maker the margin engine refuses (the
//! owner's accomplice without collateral, placed again every block) at the top of the book
//! uses up every close's fill bound without anything closing, or bids one step at a time so
//! each close fills almost nothing. Such closes keep the position only for `MaxStallBlocks`;
//! then the backstop takes it at the mark less the penalty, so blocking one's own
//! liquidation wins nothing: the position goes, the penalty is paid. A close cut short by a
//! batch's shared fill budget is not a stall: it merely waits.

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

fn taken_by_backstop() -> Option<(i128, u128, u128)> {
	liquidation_events().into_iter().find_map(|e| match e {
		Event::TakenByBackstop { cash, penalty, loss_covered, .. } => Some((cash, penalty, loss_covered)),
		_ => None,
	})
}

/// 1.5% of `notional` USD, in USDC units.
fn penalty_on(notional: u128) -> u128 {
	notional * USDC * 15 / 1_000
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
		// Taken at the mark less the penalty: Alice keeps her $1,500 of equity less the
		// $877.50 a close would have charged her too.
		let penalty = penalty_on(58_500);
		assert_eq!(position(ALICE), 0);
		assert_eq!(taken_by_backstop(), Some((58_500 * USDC as i128 - penalty as i128, penalty, 0)));
		assert_eq!(equity(&sub(ALICE, 0)), 1_500 * USDC as i128 - penalty as i128);
		assert_eq!(equity(&Liquidation::backstop()), penalty as i128);
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
	});
}

/// Bids of one step on top, placed again every block (by the owner's other account or by
/// anyone), fill each close a step at a time: less than a `MaxStallBlocks`-th of what it
/// asks is no progress, so the stall bound still hands the rest to the backstop, at the mark
/// less the penalty (no worse for the owner than the book).
#[test]
fn a_close_fed_a_step_at_a_time_goes_to_the_backstop_after_the_stall_bound() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked();
		fund(&sub(CAROL, 0), 100_000 * USDC);
		let before = equity(&sub(ALICE, 0));
		for block in 1..=3 {
			System::set_block_number(block);
			rest(Side::Buy, 58_450, STEP, sub(CAROL, 0));
			assert_ok!(liquidate(&sub(ALICE, 0)));
			assert_eq!(position(ALICE), (ONE_BTC - block as u128 * STEP) as i128, "block {block}: a step");
		}
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), Some((1, 3)));
		assert!(taken_by_backstop().is_none());
		System::set_block_number(4);
		rest(Side::Buy, 58_450, STEP, sub(CAROL, 0));
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), 0);
		let (_, penalty, covered) = taken_by_backstop().expect("the backstop took the rest");
		// The rest (1 BTC less four steps) at $58,500, penalised at 1.5%, nothing covered.
		let rest_notional = (ONE_BTC - 4 * STEP) * 58_500 * USDC / ONE_BTC;
		assert_eq!((penalty, covered), (rest_notional * 15 / 1_000, 0));
		// Alice paid penalties and the step fills' slippage, and kept the rest of her equity.
		let after = equity(&sub(ALICE, 0));
		assert!(after > 0 && after < before - penalty as i128, "{after} of {before}");
	});
}

/// A close that fills at least a `MaxStallBlocks`-th of what it asks is progress: the
/// account keeps its position for the book, however long that takes.
#[test]
fn a_close_that_keeps_pace_is_never_a_stall() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		blocked();
		fund(&sub(CAROL, 0), 1_000_000 * USDC);
		// 0.3 BTC on top: more than a third of the ~0.87 BTC the close asks, too little to
		// restore maintenance, so the close is cut short at its fill bound and judged.
		System::set_block_number(1);
		rest(Side::Buy, 58_450, 3 * ONE_BTC / 10, sub(CAROL, 0));
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), (7 * ONE_BTC / 10) as i128);
		assert!(liquidatable(&sub(ALICE, 0)), "still below maintenance: the stall rule was asked");
		assert_eq!(Stalled::<Test>::get(sub(ALICE, 0)), None);
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
