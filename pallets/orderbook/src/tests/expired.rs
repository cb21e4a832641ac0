//! Emptying an expired series' book (`SeriesBooks::clear_book`, driven by the options
//! pallet's idle hook). Attacks tried (../shared/ATTACKS.md):
//! - 15 Weights, expiry storms: each call takes at most the steps it is given, one resting
//!   order and one waiting trigger a step (`a_book_empties_a_bounded_step_at_a_time`).
//! - 7 Dust, 16 Storage: every cancelled order and trigger gives back its margin, deposit
//!   and slot, its pair left waiting alone (`cancelled_orders_and_triggers_free_everything`).

use super::place;
use crate::{
	mock::*, AccountTriggers, CancelReason, Event, LevelPrices, OpenOrders, OrderKind, TriggerCancelReason,
	TriggerKind, TriggerQueues, Triggers,
};
use clearing_primitives::{
	margin::Side,
	options::{BookClearance, SeriesBooks},
};
use frame_support::assert_ok;

fn stop(who: AccountId, side: Side, trigger: u128) {
	assert_ok!(Orderbook::place_trigger(
		RuntimeOrigin::signed(who),
		0,
		BTC_USD,
		side,
		TriggerKind::StopLimit,
		usd(trigger),
		usd(trigger),
		Some(STEP),
		false,
	));
}

fn cancelled_orders() -> usize {
	System::events()
		.iter()
		.filter(|r| matches!(r.event, RuntimeEvent::Orderbook(Event::OrderCancelled { reason: CancelReason::SeriesExpired, .. })))
		.count()
}

fn cancelled_triggers() -> usize {
	System::events()
		.iter()
		.filter(|r| {
			matches!(
				r.event,
				RuntimeEvent::Orderbook(Event::TriggerCancelled { reason: TriggerCancelReason::SeriesExpired, .. })
			)
		})
		.count()
}

#[test]
fn a_book_empties_a_bounded_step_at_a_time() {
	ExtBuilder::default().build_and_execute(|| {
		for (who, price) in [(ALICE, 59_000), (BOB, 58_900), (CAROL, 58_800)] {
			assert_ok!(place(who, Side::Buy, price, 1, OrderKind::Limit));
		}
		assert_ok!(place(ALICE, Side::Sell, 61_000, 1, OrderKind::Limit));
		stop(BOB, Side::Sell, 58_000);
		// Nothing asked, nothing taken.
		assert_eq!(Orderbook::clear_book(BTC_USD, 0), BookClearance { steps: 0, empty: false });
		// Two steps: two triggers' worth (one is all there is) and two orders (bids first).
		assert_eq!(Orderbook::clear_book(BTC_USD, 2), BookClearance { steps: 2, empty: false });
		assert_eq!((cancelled_orders(), cancelled_triggers()), (2, 1));
		assert_eq!(LevelPrices::<Test>::get(BTC_USD, Side::Buy).to_vec(), vec![usd(58_800)]);
		assert_eq!(Orderbook::clear_book(BTC_USD, 10), BookClearance { steps: 2, empty: true });
		assert_eq!(cancelled_orders(), 4);
		// An empty book: nothing to take.
		assert_eq!(Orderbook::clear_book(BTC_USD, 10), BookClearance { steps: 0, empty: true });
	});
}

#[test]
fn cancelled_orders_and_triggers_free_everything() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::GoodTilBlock(50)));
		assert_ok!(place(BOB, Side::Sell, 61_000, 1, OrderKind::Limit));
		stop(ALICE, Side::Buy, 62_000);
		put((b"pos", sub(ALICE, 0)), 2 * STEP as i128);
		assert_ok!(Orderbook::place_tp_sl(
			RuntimeOrigin::signed(ALICE),
			0,
			BTC_USD,
			Some((usd(63_000), usd(63_000))),
			Some((usd(57_000), usd(57_000))),
		));
		assert!(order_margin(&sub(ALICE, 0)) > 0);
		let clearance = Orderbook::clear_book(BTC_USD, 10);
		assert!(clearance.empty);
		assert_eq!(cancelled_triggers(), 3);
		for who in [ALICE, BOB] {
			assert_eq!(order_margin(&sub(who, 0)), 0);
			assert_eq!(OpenOrders::<Test>::get(who), 0);
			assert!(AccountTriggers::<Test>::get(who).is_empty());
		}
		assert_eq!(Triggers::<Test>::iter().count(), 0);
		assert_eq!(TriggerQueues::<Test>::iter().count(), 0);
		assert_eq!(crate::Expiries::<Test>::iter().count(), 0, "the good-til entry went with its order");
	});
}
