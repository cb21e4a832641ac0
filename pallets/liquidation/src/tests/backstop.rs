//! The backstop takes over at the bankruptcy price while the fund covers its loss.

use super::*;
use crate::Event;
use frame_support::assert_ok;

#[test]
fn a_bankrupt_position_goes_to_the_backstop_and_the_fund_covers_the_loss() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		seed_fund(5_000 * USDC);
		// At $56,000 Alice is $1,000 under water, and the book is empty.
		btc_at(56_000);
		assert_eq!(equity(&sub(ALICE, 0)), -1_000 * USDC as i128);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(liquidation_events().contains(&Event::TakenByBackstop {
			subaccount: sub(ALICE, 0),
			market: BTC_USD,
			size: ONE_BTC,
			cash: 57_000 * USDC as i128,
			penalty: 0,
			loss_covered: 1_000 * USDC,
		}));
		assert_eq!(fund_balance(), 4_000 * USDC);
		assert_eq!((position(ALICE), settlement(&sub(ALICE, 0))), (0, 0));
		// The backstop holds the long at the mark with its loss made good: equity 0.
		assert_eq!(equity(&Liquidation::backstop()), 0);
		assert!(liquidation_events().contains(&Event::Liquidated {
			subaccount: sub(ALICE, 0),
			markets: 1,
			healthy: true
		}));
	});
}

#[test]
fn a_short_squeezed_past_bankruptcy_is_bought_back_by_the_backstop() {
	ExtBuilder::default().build_and_execute(|| {
		open(ALICE, 3_000, Side::Sell, ONE_BTC, 60_000, sub(BOB, 0));
		seed_fund(5_000 * USDC);
		btc_at(64_000);
		assert_eq!(equity(&sub(ALICE, 0)), -1_000 * USDC as i128);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		// The short is worth −$64,000; Alice pays the backstop $63,000, all she has.
		assert!(liquidation_events().contains(&Event::TakenByBackstop {
			subaccount: sub(ALICE, 0),
			market: BTC_USD,
			size: ONE_BTC,
			cash: -63_000 * USDC as i128,
			penalty: 0,
			loss_covered: 1_000 * USDC,
		}));
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), -(ONE_BTC as i128));
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
		assert_eq!(equity(&Liquidation::backstop()), 0);
	});
}

#[test]
fn fees_that_leave_collateral_negative_are_covered_by_the_fund_then_the_backstop() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		seed_fund(30 * USDC);
		set_taker_fee(150 * USDC);
		// $100 of equity left at $57,100; a bid there closes everything, but its $150 fee
		// leaves Alice $50 short with no position.
		rest(Side::Buy, 57_100, ONE_BTC, sub(BOB, 0));
		btc_at(57_100);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), 0);
		assert!(liquidation_events().contains(&Event::BadDebtCovered {
			subaccount: sub(ALICE, 0),
			seized: 0,
			from_fund: 30 * USDC,
			from_backstop: 20 * USDC,
		}));
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
		assert_eq!(fund_balance(), 0);
		assert_eq!(settlement(&Liquidation::backstop()), -20 * USDC as i128);
	});
}
