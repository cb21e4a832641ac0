//! `replace_order`: a cut keeps its place, anything else queues anew, and never neither or
//! both orders.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 1 Walk away from debt: a replacement is margined as a new order; if it is refused the old
//!   order stays as it was (`a_refused_replacement_leaves_the_old_order`), and the old order's
//!   margin backs the new one only because it is released first
//!   (`the_old_orders_margin_backs_the_new_one`).
//! - 7 Dust, 9 Steer a price: a cut cannot jump the queue with a larger size
//!   (`a_larger_size_queues_anew`); the price band and the market's status bind a replacement
//!   as they bind a new order (`a_replacement_obeys_the_market`).
//! - 18 Overflow: a cut to zero or off the step is refused by name.

use super::{open_order, place};
use crate::{mock::*, CancelReason, Error, Event, OrderKind};
use clearing_primitives::margin::{MarketStatus, Side};
use frame_support::{assert_noop, assert_ok};

fn replace(who: AccountId, id: u64, price: u128, steps: u128, kind: OrderKind) -> sp_runtime::DispatchResult {
	Orderbook::replace_order(RuntimeOrigin::signed(who), id, usd(price), steps * STEP, kind)
		.map(|_| ())
		.map_err(|e| e.error)
}

#[test]
fn a_smaller_size_at_the_same_price_keeps_the_id_and_the_place_in_time() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 4, OrderKind::Limit)); // 0
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit)); // 1
		let margin = open_order(0).unwrap().margin;
		assert_ok!(replace(ALICE, 0, 60_000, 1, OrderKind::PostOnly));
		assert_eq!(book_events().last(), Some(&Event::OrderReduced { id: 0, remaining: STEP }));
		let cut = open_order(0).unwrap();
		assert_eq!((cut.remaining, cut.margin), (STEP, margin / 4));
		assert_eq!(order_margin(&sub(ALICE, 0)), margin / 4 + DEPOSIT);
		assert_eq!(Orderbook::depth(BTC_USD, 1).asks, vec![(usd(60_000), 2 * STEP)]);
		// Alice is still first at the level.
		assert_ok!(place(CAROL, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(CAROL, ALICE, usd(60_000).into_inner(), STEP)]);
	});
}

#[test]
fn a_new_price_cancels_and_places_in_one_call() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit)); // 0
		assert_ok!(replace(ALICE, 0, 59_500, 3, OrderKind::PostOnly));
		let events = book_events();
		assert!(events.contains(&Event::OrderCancelled { id: 0, remaining: 2 * STEP, reason: CancelReason::Replaced }));
		assert_eq!(events.last(), Some(&Event::OrderReplaced { old: 0, new: 1 }));
		assert!(open_order(0).is_none());
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(59_500), 3 * STEP)]);
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 1);
		// A replacement may cross, as a new order does: Bob's ask fills against it.
		assert_ok!(place(BOB, Side::Sell, 59_600, 1, OrderKind::Limit)); // 2
		assert_ok!(replace(ALICE, 1, 59_600, 3, OrderKind::Limit));
		assert_eq!(fills(), vec![(ALICE, BOB, usd(59_600).into_inner(), STEP)]);
	});
}

#[test]
fn a_larger_size_queues_anew() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, OrderKind::Limit)); // 0
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit)); // 1
		assert_ok!(replace(ALICE, 0, 60_000, 2, OrderKind::Limit)); // 2, behind Bob
		assert_ok!(place(CAROL, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(CAROL, BOB, usd(60_000).into_inner(), STEP)]);
		assert_eq!(open_order(2).unwrap().remaining, 2 * STEP);
	});
}

#[test]
fn a_refused_replacement_leaves_the_old_order() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit)); // 1
		assert_noop!(replace(ALICE, 1, 60_000, 2, OrderKind::PostOnly), Error::<Test>::WouldCross);
		assert_noop!(replace(ALICE, 1, 59_001, 0, OrderKind::Limit), Error::<Test>::SizeOffStep);
		assert_noop!(
			Orderbook::replace_order(RuntimeOrigin::signed(ALICE), 1, usd(59_000), STEP / 2, OrderKind::Limit).map_err(|e| e.error),
			Error::<Test>::SizeOffStep
		);
		assert_noop!(replace(ALICE, 1, 59_000, 0, OrderKind::Limit), Error::<Test>::SizeOffStep);
		// Not Bob's to replace.
		assert_noop!(replace(BOB, 1, 59_000, 1, OrderKind::Limit), Error::<Test>::OrderNotFound);
	});
}

#[test]
fn the_old_orders_margin_backs_the_new_one() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 10, OrderKind::Limit)); // 0
		// No room for a second order of that size beside it…
		limit_order_margin(&sub(ALICE, 0), order_margin(&sub(ALICE, 0)));
		assert_noop!(place(ALICE, Side::Buy, 58_000, 10, OrderKind::Limit), sp_runtime::DispatchError::Other("order margin"));
		// …but moving it lower is room enough.
		assert_ok!(replace(ALICE, 0, 58_000, 10, OrderKind::Limit));
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(58_000), 10 * STEP)]);
	});
}

#[test]
fn a_replacement_obeys_the_market() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit)); // 0
		assert_noop!(replace(ALICE, 0, 50_000, 2, OrderKind::Limit), Error::<Test>::PriceOutsideBand);
		BtcStatus::set(&MarketStatus::Halted);
		assert_noop!(replace(ALICE, 0, 59_100, 2, OrderKind::Limit), Error::<Test>::MarketHalted);
		// A cut only lowers risk: it goes through as a cancel would.
		assert_ok!(replace(ALICE, 0, 59_000, 1, OrderKind::Limit));
		assert_eq!(open_order(0).unwrap().remaining, STEP);
	});
}

#[test]
fn a_reduce_only_order_stays_reduce_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Buy, 60_000, 3, OrderKind::Limit)); // 0
		assert_ok!(place(ALICE, Side::Sell, 60_000, 3, OrderKind::ImmediateOrCancel)); // Alice short 3
		assert_ok!(Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Buy, usd(59_000), 3 * STEP, OrderKind::Limit, true)); // 2
		assert_ok!(replace(ALICE, 2, 59_500, 3, OrderKind::Limit));
		let replaced = open_order(3).unwrap();
		assert!(replaced.reduce_only && replaced.margin == 0);
		// A cut lowers the level's reduce-only total with it (`try_state` checks the totals).
		assert_ok!(replace(ALICE, 3, 59_500, 1, OrderKind::Limit));
		assert_eq!(Orderbook::depth(BTC_USD, 1).bids, vec![(usd(59_500), STEP)]);
		let level = crate::Levels::<Test>::get((BTC_USD, Side::Buy, usd(59_500))).unwrap();
		assert_eq!(level.reduce_only, STEP);
	});
}
