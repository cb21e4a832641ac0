//! Closing a position for liquidation: reduce only, immediate or cancel, within the limit.

use super::{charged_for, place};
use crate::{mock::*, Error, OrderKind, Orders};
use clearing_primitives::margin::{Closed, LiquidationBook, MarginEngine, Side};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_close_sells_into_the_bids_down_to_its_limit_and_reports_size_and_notional() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice is long 0.010 BTC (she bought it from Carol's ask).
		assert_ok!(place(CAROL, Side::Sell, 60_000, 10, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
		// Bob bids 0.004 at $59,000 and 0.004 at $58,000.
		assert_ok!(place(BOB, Side::Buy, 59_000, 4, OrderKind::Limit));
		assert_ok!(place(BOB, Side::Buy, 58_000, 4, OrderKind::Limit));
		// A close of all 0.010 no lower than $58,500 takes only the $59,000 level.
		let closed =
			<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, 10 * STEP, usd(58_500));
		// One fill: charged as one, not as `MaxFills`.
		let one_fill = Closed { size: 4 * STEP, notional: 236 * USDC, weight: charged_for(1) };
		assert_eq!(closed, Ok(one_fill));
		assert!(one_fill.weight.all_lt(<Orderbook as LiquidationBook<_>>::close_weight()));
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 6 * STEP as i128);
		// Nothing of the close rests.
		assert!(Orders::<Test>::iter_values().all(|o| o.owner != sub(ALICE, 0)));
		// Asked for more than she holds: clipped to her 0.006 and filled at $58,000.
		let closed =
			<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, 50 * STEP, usd(1));
		assert_eq!(closed, Ok(Closed { size: 4 * STEP, notional: 232 * USDC, weight: charged_for(1) }));
	});
}

#[test]
fn a_close_of_a_side_not_held_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, STEP, usd(1)),
			Error::<Test>::NothingToReduce
		);
	});
}
