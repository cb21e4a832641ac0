//! The price band: orders rest and fill only within the market's band around the index.
//!
//! Attacks tried (../shared/ATTACKS.md): 2, trading with one's own second account at an
//! absurd price (refused at placement, and a resting order the index left behind is cancelled
//! rather than filled); 7, dust at far prices (cannot rest outside the band). A liquidation's
//! close keeps its own limit, and its fills go to the margin engine as a close's.

use super::place;
use crate::{mock::*, CancelReason, Error, Event, OrderKind};
use clearing_primitives::{
	collateral::CollateralLedger,
	margin::{LiquidationBook, Side},
};
use frame_support::{assert_noop, assert_ok};

#[test]
fn an_order_priced_outside_the_band_is_refused_by_name_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// The index is $60,000 and the band 10%: $54,000 to $66,000.
		for (side, price) in [(Side::Buy, 1), (Side::Buy, 53_999), (Side::Sell, 66_001), (Side::Sell, 1_000_000)] {
			for kind in [OrderKind::Limit, OrderKind::PostOnly, OrderKind::ImmediateOrCancel] {
				assert_noop!(place(BOB, side, price, 1, kind), Error::<Test>::PriceOutsideBand);
			}
		}
		assert_ok!(place(BOB, Side::Buy, 54_000, 1, OrderKind::Limit));
		assert_ok!(place(BOB, Side::Sell, 66_000, 1, OrderKind::Limit));
	});
}

#[test]
fn a_resting_order_the_index_left_behind_is_cancelled_not_filled() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(CAROL, Side::Buy, 58_000, 5, OrderKind::Limit)); // id 0
		assert_ok!(place(BOB, Side::Buy, 59_000, 5, OrderKind::Limit)); // id 1
		// The index falls to $53,000 (band $47,700 to $58,300): Bob's $59,000 bid, the best,
		// is now above it; a seller would be paid far more than the market.
		BtcIndex::set(&usd(53_000));
		assert_ok!(place(ALICE, Side::Sell, 58_000, 8, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(ALICE, CAROL, usd(58_000).into_inner(), 5 * STEP)]);
		assert!(book_events().contains(&Event::OrderCancelled { id: 1, remaining: 5 * STEP, reason: CancelReason::OutsideBand }));
		assert!(Orderbook::depth(BTC_USD, 5).bids.is_empty());
	});
}

#[test]
fn a_liquidation_close_keeps_its_own_limit_and_its_fills_are_the_margin_engines_close_fills() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(CAROL, Side::Sell, 60_000, 10, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
		assert_ok!(place(BOB, Side::Buy, 59_500, 4, OrderKind::Limit));
		// A limit of $1 is far outside the band: a close is bounded by liquidation, not by it.
		let closed = <Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, 4 * STEP, usd(1), 4);
		assert_eq!(closed.map(|c| c.size), Ok(4 * STEP));
		// Only the close's fill went through the close path; the trader's did not.
		assert_eq!(close_fills(), vec![4 * STEP]);
	});
}

#[test]
fn a_fill_the_margin_engine_refuses_leaves_no_fee_behind() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 10, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_010, 10, OrderKind::Limit));
		refuse(vec![BOB]);
		assert_ok!(place(ALICE, Side::Buy, 60_010, 10, OrderKind::ImmediateOrCancel));
		// Bob's order was cancelled, and neither Bob nor Alice paid a fee for it.
		assert_eq!(settlement(&sub(BOB, 0)), 0);
		assert_eq!(fills(), vec![(ALICE, CAROL, usd(60_010).into_inner(), 10 * STEP)]);
		// 0.01 BTC at $60,010: the taker's 0.05% is $0.300050, the maker's 0.02% $0.120020.
		assert_eq!(settlement(&sub(ALICE, 0)), -300_050);
		assert_eq!(settlement(&sub(CAROL, 0)), -120_020);
		// A taker the engine refuses fails its order, fees and all.
		refuse(vec![ALICE]);
		assert_ok!(place(CAROL, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_noop!(
			place(ALICE, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel),
			sp_runtime::DispatchError::Other("margin")
		);
	});
}

#[test]
fn the_margin_engine_checks_a_fill_with_its_fees_paid() {
	ExtBuilder::default().build_and_execute(|| {
		// Bob's subaccount holds nothing: his maker fee would leave it below zero.
		refuse_below_zero();
		assert_ok!(place(BOB, Side::Sell, 60_000, 10, OrderKind::Limit)); // id 0
		assert_ok!(place(CAROL, Side::Sell, 60_010, 10, OrderKind::Limit)); // id 1
		MockLedger::move_settlement(&sub(9, 0), &sub(CAROL, 0), USDC).unwrap();
		MockLedger::move_settlement(&sub(9, 0), &sub(ALICE, 0), USDC).unwrap();
		assert_ok!(place(ALICE, Side::Buy, 60_010, 10, OrderKind::ImmediateOrCancel));
		// The engine saw Bob after his fee: refused, his order cancelled, nothing charged.
		assert!(book_events().contains(&Event::OrderCancelled { id: 0, remaining: 10 * STEP, reason: CancelReason::MarginRefused }));
		assert_eq!(settlement(&sub(BOB, 0)), 0);
		assert_eq!(fills(), vec![(ALICE, CAROL, usd(60_010).into_inner(), 10 * STEP)]);
	});
}

/// Attack 9 (steer a price the chain reads): levels the index has left outside the band
/// never fill, so they do not count toward the impact price funding samples.
#[test]
fn levels_outside_the_band_do_not_count_toward_the_impact_price() {
	use clearing_primitives::margin::BookPrices;
	ExtBuilder::default().build_and_execute(|| {
		// $5,000 of bids at $59,900, $11,000 at $55,000; $12,000 of asks at $60,100.
		assert_ok!(place(BOB, Side::Buy, 59_900, 84, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Buy, 55_000, 200, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Sell, 60_100, 200, OrderKind::Limit));
		// The $10,000 impact bid reaches into the $55,000 level.
		assert_eq!(Orderbook::impact_mid(BTC_USD), Some(usd(57_550)));
		// The index rises to $65,000: $55,000 is outside the band, and what is left inside is
		// too thin for an impact price.
		BtcIndex::set(&usd(65_000));
		assert_eq!(Orderbook::impact_mid(BTC_USD), None);
	});
}

/// Attack 9 again: reduce-only orders rest without margin (capped at the position only when
/// placed), so a trader could open a position, rest reduce-only orders for it, close the
/// position and keep them resting for free. They stay in the book's depth but never count
/// toward the impact price.
#[test]
fn reduce_only_orders_do_not_count_toward_the_impact_price() {
	use clearing_primitives::margin::BookPrices;
	ExtBuilder::default().build_and_execute(|| {
		// Alice is long 200 steps (0.2 BTC, $12,000), bought from Bob.
		assert_ok!(place(BOB, Side::Sell, 60_000, 200, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 200, OrderKind::ImmediateOrCancel));
		// $12,000 of asks above, and a thin $5,000 bid below.
		assert_ok!(place(CAROL, Side::Sell, 60_100, 200, OrderKind::Limit));
		assert_ok!(place(BOB, Side::Buy, 59_900, 84, OrderKind::Limit));
		assert_eq!(Orderbook::impact_mid(BTC_USD), None, "the bids are too thin");
		// Alice's reduce-only asks at $59,950 would make the asks' impact price hers…
		assert_ok!(Orderbook::place_order(
			RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Sell, usd(59_950), 200 * STEP, OrderKind::Limit, true,
		));
		assert_eq!(Orderbook::depth(BTC_USD, 2).asks.first(), Some(&(usd(59_950), 200 * STEP)));
		// …and a bid for $11,000 at $59,000 gives the bids an impact price: the mid is
		// $59,000 and $60,100 (Carol's asks), Alice's unbacked asks left out.
		assert_ok!(place(CAROL, Side::Buy, 59_000, 200, OrderKind::Limit));
		assert_eq!(Orderbook::impact_mid(BTC_USD), Some(usd(59_550)));
	});
}
