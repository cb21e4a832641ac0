//! Closing in the book: partial when that restores maintenance, within the price bound and
//! never worse than bankruptcy, with the penalty split between the keeper and the fund.

use super::*;
use crate::Event;
use frame_support::assert_ok;

#[test]
fn a_partial_close_restores_maintenance_and_pays_the_penalty() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 58_400, 2 * ONE_BTC, sub(BOB, 0));
		// At $58,500: equity $1,500 against $1,755. Each 0.001 BTC closed frees 3% of its
		// notional and may cost 1% slippage and the 1.5% penalty on a fill that far away
		// (1.515%): 0.485% of $58.5 → 899 steps.
		btc_at(58_500);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), (1_000 - 899) as i128 * STEP as i128);
		let notional = 899 * 58_400 * USDC / 1_000; // $52,501.60
		let penalty = notional * 15 / 1_000; // 1.5%
		assert_eq!(account_balance(KEEPER), penalty / 2);
		assert_eq!(fund_balance(), penalty - penalty / 2);
		assert!(!liquidatable(&sub(ALICE, 0)));
		let events = liquidation_events();
		assert!(events.contains(&Event::ClosedInBook {
			subaccount: sub(ALICE, 0),
			market: BTC_USD,
			size: 899 * STEP,
			notional
		}));
		assert!(events.contains(&Event::PenaltyPaid {
			subaccount: sub(ALICE, 0),
			keeper: Some(KEEPER),
			to_keeper: penalty / 2,
			to_fund: penalty - penalty / 2,
		}));
		assert!(events.contains(&Event::Liquidated { subaccount: sub(ALICE, 0), markets: 1, healthy: true }));
	});
}

#[test]
fn a_liquidation_is_charged_for_the_fills_its_close_made_not_the_worst_case() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Two bids: the close takes both (two fills).
		rest(Side::Buy, 58_400, 500 * STEP, sub(BOB, 0));
		rest(Side::Buy, 58_300, ONE_BTC, sub(BOB, 0));
		btc_at(58_500);
		let declared = Liquidation::liquidate_weight(0);
		let info = Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), sub(ALICE, 0))
			.expect("liquidates");
		// One position held, no counterparties offered.
		let own = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::liquidate(1);
		let charged = info.actual_weight.expect("refunds to what it used");
		assert_eq!(charged, own.saturating_add(frame_support::weights::Weight::from_parts(2 * CLOSE_WEIGHT_PER_FILL, 0)));
		assert!(charged.ref_time() < declared.ref_time());
	});
}

#[test]
fn a_solvent_subaccount_cut_short_by_the_fill_bound_keeps_the_rest_for_the_next_call() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Two bids: 0.300 BTC, then 1 BTC, both inside the bound; one fill per call.
		rest(Side::Buy, 58_400, 300 * STEP, sub(BOB, 0));
		rest(Side::Buy, 58_400, ONE_BTC, sub(BOB, 0));
		MaxCloseFills::set(1);
		btc_at(58_500);
		let declared = Liquidation::liquidate_weight(0);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		// The first bid only: still below maintenance but solvent, so the backstop waits.
		assert_eq!(position(ALICE), 700 * STEP as i128);
		assert!(liquidatable(&sub(ALICE, 0)));
		assert!(!liquidation_events().iter().any(|e| matches!(e, Event::TakenByBackstop { .. })));
		assert!(liquidation_events().contains(&Event::Liquidated {
			subaccount: sub(ALICE, 0),
			markets: 1,
			healthy: false
		}));
		// The next call takes what restores maintenance from the second bid.
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(!liquidatable(&sub(ALICE, 0)));
		assert!(position(ALICE) > 0);
		assert!(!liquidation_events().iter().any(|e| matches!(e, Event::TakenByBackstop { .. })));
		// A lower fill bound declares less.
		MaxCloseFills::set(10);
		assert!(declared.ref_time() < Liquidation::liquidate_weight(0).ref_time());
	});
}

#[test]
fn bids_beyond_the_slippage_bound_are_left_and_the_backstop_takes_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// $58,500 × 99% = $57,915: a bid at $57,000 is out of bounds.
		rest(Side::Buy, 57_000, 2 * ONE_BTC, sub(BOB, 0));
		btc_at(58_500);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), 0);
		assert!(!liquidation_events().iter().any(|e| matches!(e, Event::ClosedInBook { .. })));
		// Equity $1,500, still solvent: the backstop takes the long at the mark less the
		// 1.5% penalty ($877.50), not at the bankruptcy price, and Alice keeps the rest.
		let penalty = 877_500_000;
		assert!(liquidation_events().contains(&Event::TakenByBackstop {
			subaccount: sub(ALICE, 0),
			market: BTC_USD,
			size: ONE_BTC,
			cash: 58_500 * USDC as i128 - penalty as i128,
			penalty,
			loss_covered: 0,
		}));
		assert_eq!(settlement(&sub(ALICE, 0)), 1_500 * USDC as i128 - penalty as i128);
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), ONE_BTC as i128);
		assert_eq!(equity(&Liquidation::backstop()), penalty as i128);
	});
}

#[test]
fn the_book_is_never_used_beyond_the_bankruptcy_price() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// At $57,100 Alice's $100 of equity is gone at $57,000: her bankruptcy price. A bid
		// at $56,900 is inside the 1% bound but beyond it, so it is left.
		rest(Side::Buy, 56_900, ONE_BTC, sub(BOB, 0));
		btc_at(57_100);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(!liquidation_events().iter().any(|e| matches!(e, Event::ClosedInBook { .. })));
		assert_eq!(position(ALICE), 0);
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
	});
}

#[test]
fn a_bid_at_the_bankruptcy_price_is_taken() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 57_000, ONE_BTC, sub(BOB, 0));
		btc_at(57_100);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(liquidation_events().iter().any(
			|e| matches!(e, Event::ClosedInBook { size, .. } if *size == ONE_BTC)
		));
		// Nothing is left for a penalty: the close used all of her equity.
		assert_eq!(account_balance(KEEPER), 0);
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
	});
}
