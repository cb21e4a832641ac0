//! Closing a position for liquidation: reduce only, immediate or cancel, within the limit.

use super::{charged_for, place};
use crate::{mock::*, Error, OrderKind, Orders};
use clearing_primitives::margin::{Closed, LiquidationBook, MarginEngine, Side};
use frame_support::{assert_noop, assert_ok};

/// Alice's close of `steps` × 0.001 BTC, selling no lower than `$limit`, in at most `fills`.
fn close_alice(steps: u128, limit: u128, fills: u32) -> Result<Closed, sp_runtime::DispatchError> {
	<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, steps * STEP, usd(limit), fills)
}

/// Alice long 0.010 BTC (bought from Carol's ask).
fn alice_long() {
	assert_ok!(place(CAROL, Side::Sell, 60_000, 10, OrderKind::Limit));
	assert_ok!(place(ALICE, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
}

#[test]
fn a_close_sells_into_the_bids_down_to_its_limit_and_reports_size_and_notional() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Bob bids 0.004 at $59,000 and 0.004 at $58,000.
		assert_ok!(place(BOB, Side::Buy, 59_000, 4, OrderKind::Limit));
		assert_ok!(place(BOB, Side::Buy, 58_000, 4, OrderKind::Limit));
		// A close of all 0.010 no lower than $58,500 takes only the $59,000 level.
		let closed = close_alice(10, 58_500, MAX_FILLS);
		// One fill: charged as one, not as `MaxFills`; the book offers no more within the limit.
		let one_fill =
			Closed { size: 4 * STEP, notional: 236 * USDC, weight: charged_for(1), fill_bound_reached: false, fills: 1 };
		assert_eq!(closed, Ok(one_fill));
		assert!(one_fill.weight.all_lt(<Orderbook as LiquidationBook<_>>::close_weight(MAX_FILLS)));
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 6 * STEP as i128);
		// Nothing of the close rests.
		assert!(Orders::<Test>::iter_values().all(|o| o.owner != sub(ALICE, 0)));
		// Asked for more than she holds: clipped to her 0.006 and filled at $58,000.
		let closed = close_alice(50, 1, MAX_FILLS);
		assert_eq!(
			closed,
			Ok(Closed { size: 4 * STEP, notional: 232 * USDC, weight: charged_for(1), fill_bound_reached: false, fills: 1 })
		);
	});
}

#[test]
fn a_close_of_a_side_not_held_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			close_alice(1, 1, MAX_FILLS),
			Error::<Test>::NothingToReduce
		);
	});
}

#[test]
fn a_close_stops_at_its_own_fill_bound_and_says_whether_the_book_had_more() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Three bids of 0.002 each, at $59,000, $58,900 and $58,800.
		for price in [59_000, 58_900, 58_800] {
			assert_ok!(place(BOB, Side::Buy, price, 2, OrderKind::Limit));
		}
		// One fill allowed: the best bid only, and the book still crosses the limit.
		let closed = close_alice(10, 58_000, 1);
		assert_eq!(
			closed,
			Ok(Closed { size: 2 * STEP, notional: 118 * USDC, weight: charged_for(1), fill_bound_reached: true, fills: 1 })
		);
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 8 * STEP as i128);
		// Charged no more than the bound declared, which is below the book's own.
		let one = <Orderbook as LiquidationBook<_>>::close_weight(1);
		assert!(closed.map(|c| c.weight).unwrap_or_default().all_lte(one));
		assert!(one.all_lt(<Orderbook as LiquidationBook<_>>::close_weight(MAX_FILLS)));
		// Two more allowed: both remaining bids; at the bound, but nothing else crosses.
		let closed = close_alice(10, 58_000, 2).map(|c| (c.size, c.fill_bound_reached));
		assert_eq!(closed, Ok((4 * STEP, false)));
		// A bound above the book's `MaxFills` is the book's.
		assert_eq!(
			<Orderbook as LiquidationBook<_>>::close_weight(MAX_FILLS + 10),
			<Orderbook as LiquidationBook<_>>::close_weight(MAX_FILLS)
		);
	});
}

#[test]
fn a_close_that_fills_nothing_reports_no_weight_but_a_skipped_own_order_counts() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// Bob's bid is below the limit: nothing crosses, nothing rests, nothing to charge
		// beyond the look at the book the caller's benchmark already measures.
		assert_ok!(place(BOB, Side::Buy, 57_000, 4, OrderKind::Limit));
		assert_eq!(close_alice(10, 58_000, MAX_FILLS), Ok(Closed::default()));
		assert!(Orders::<Test>::iter_values().all(|o| o.owner != sub(ALICE, 0)));
		// Alice's own bid crosses: self-trade prevention cancels it, the book's work for one
		// fill (no margin engine call), charged.
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit));
		let one_fill_of_the_book = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::place_order(1);
		assert_eq!(
			close_alice(10, 58_000, MAX_FILLS),
			Ok(Closed { size: 0, notional: 0, weight: one_fill_of_the_book, fill_bound_reached: false, fills: 1 })
		);
		assert!(Orders::<Test>::iter_values().all(|o| o.owner != sub(ALICE, 0)));
	});
}
