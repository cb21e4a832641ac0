use super::{open_order, place};
use crate::{mock::*, CancelReason, Error, Event, OrderKind};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok};

#[test]
fn the_owner_cancels_and_gets_the_deposit_back() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit));
		// Another account's order is none of Bob's.
		assert_noop!(Orderbook::cancel_order(RuntimeOrigin::signed(BOB), 0), Error::<Test>::OrderNotFound);
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		assert!(open_order(0).is_none());
		assert_eq!((order_margin(&sub(ALICE, 0)), crate::OpenOrders::<Test>::get(ALICE)), (0, 0));
		assert!(Orderbook::depth(BTC_USD, 5).bids.is_empty());
		assert_eq!(book_events().last(), Some(&Event::OrderCancelled { id: 0, remaining: 2 * STEP, reason: CancelReason::ByOwner }));
		assert_noop!(Orderbook::cancel_order(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::OrderNotFound);
	});
}

#[test]
fn cancelling_from_the_middle_of_a_level_keeps_time_priority() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [ALICE, BOB, CAROL] {
			assert_ok!(place(who, Side::Sell, 60_000, 1, OrderKind::Limit));
		}
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(BOB), 1));
		assert_eq!(Orderbook::depth(BTC_USD, 1).asks, vec![(usd(60_000), 2 * STEP)]);
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(BOB, ALICE, usd(60_000).into_inner(), STEP)]);
	});
}
