//! The dead-man's switch (`schedule_cancel` and the block-start hook).
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 7 Fill a per-block budget: a block's queue is bounded and a full one refuses with a
//!   named error, leaving every other block open (`a_full_block_refuses_and_the_next_takes_it`).
//! - 15 Weights: the hook's work with every queue and account at its bound stays within
//!   `max_scheduled_cancels_weight` (`the_hook_at_its_bound_stays_within_its_weight`).
//! - 16 Storage: deadlines need open orders, are bounded per account and per block, and
//!   lapse within `MaxCancelDelay` (`deadlines_are_bounded`).
//! - 14 Free transactions: the hook runs only what signed, fee-paying calls scheduled, and
//!   only cancels: it never opens risk.

use crate::{mock::*, CancelsDue, Error, Event, OrderKind, ScheduledCancels};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok, traits::Hooks};

fn schedule(who: AccountId, number: u16, at: Option<u64>) -> sp_runtime::DispatchResult {
	Orderbook::schedule_cancel(RuntimeOrigin::signed(who), number, at)
}

fn bid_on(who: AccountId, number: u16, price: u128) {
	assert_ok!(Orderbook::place_order(
		RuntimeOrigin::signed(who), number, BTC_USD, Side::Buy, usd(price), STEP, OrderKind::Limit, false
	));
}

#[test]
fn the_switch_cancels_the_subaccounts_orders_at_its_block() {
	ExtBuilder::default().build_and_execute(|| {
		bid_on(ALICE, 0, 59_000);
		bid_on(ALICE, 0, 59_100);
		bid_on(ALICE, 1, 59_200);
		assert_ok!(schedule(ALICE, 0, Some(5)));
		assert_eq!(book_events().last(), Some(&Event::CancelScheduled { owner: sub(ALICE, 0), at: 5 }));
		assert_eq!(Orderbook::scheduled_cancel(ALICE, 0), Some(5));
		run_to(4);
		assert_eq!(Orderbook::open_orders(ALICE, 0).len(), 2);
		run_to(5);
		assert!(Orderbook::open_orders(ALICE, 0).is_empty());
		// Another subaccount's orders stay; all that was set aside comes back.
		assert_eq!(Orderbook::open_orders(ALICE, 1).len(), 1);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
		assert!(book_events().contains(&Event::AllCancelled { owner: sub(ALICE, 0), market: None, cancelled: 2 }));
		assert_eq!((Orderbook::scheduled_cancel(ALICE, 0), CancelsDue::<Test>::contains_key(5)), (None, false));
	});
}

#[test]
fn renewing_moves_the_deadline_and_clearing_removes_it() {
	ExtBuilder::default().build_and_execute(|| {
		bid_on(ALICE, 0, 59_000);
		assert_ok!(schedule(ALICE, 0, Some(5)));
		assert_ok!(schedule(ALICE, 0, Some(8)));
		assert!(!CancelsDue::<Test>::contains_key(5));
		run_to(7);
		assert_eq!(Orderbook::open_orders(ALICE, 0).len(), 1);
		assert_ok!(schedule(ALICE, 0, None));
		assert_eq!(book_events().last(), Some(&Event::CancelUnscheduled { owner: sub(ALICE, 0) }));
		run_to(9);
		assert_eq!(Orderbook::open_orders(ALICE, 0).len(), 1);
		assert_noop!(schedule(ALICE, 0, None), Error::<Test>::NothingScheduled);
	});
}

#[test]
fn a_deadline_is_after_this_block_and_within_the_delay() {
	ExtBuilder::default().build_and_execute(|| {
		// Nothing to protect: no deadline.
		assert_noop!(schedule(ALICE, 0, Some(5)), Error::<Test>::NoOpenOrders);
		bid_on(ALICE, 0, 59_000);
		assert_noop!(schedule(ALICE, 0, Some(1)), Error::<Test>::CancelNotInFuture);
		assert_noop!(schedule(ALICE, 0, Some(0)), Error::<Test>::CancelNotInFuture);
		assert_noop!(schedule(ALICE, 0, Some(2 + MAX_CANCEL_DELAY)), Error::<Test>::CancelTooFar);
		assert_noop!(schedule(ALICE, 0, Some(u64::MAX)), Error::<Test>::CancelTooFar);
		assert_ok!(schedule(ALICE, 0, Some(1 + MAX_CANCEL_DELAY)));
	});
}

#[test]
fn a_full_block_refuses_and_the_next_takes_it() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [ALICE, BOB, CAROL] {
			bid_on(who, 0, 59_000);
		}
		assert_ok!(schedule(BOB, 0, Some(5)));
		assert_ok!(schedule(CAROL, 0, Some(5)));
		assert_noop!(schedule(ALICE, 0, Some(5)), Error::<Test>::CancelQueueFull);
		assert_ok!(schedule(ALICE, 0, Some(6)));
		// Moving a deadline into a full block fails and keeps the old one.
		assert_noop!(schedule(ALICE, 0, Some(5)), Error::<Test>::CancelQueueFull);
		assert_eq!(ScheduledCancels::<Test>::get(ALICE, 0), Some(6));
	});
}

#[test]
fn deadlines_are_bounded_per_account() {
	ExtBuilder::default().build_and_execute(|| {
		bid_on(ALICE, 0, 59_000);
		bid_on(ALICE, 3, 59_100);
		assert_ok!(schedule(ALICE, 0, Some(5)));
		assert_ok!(schedule(ALICE, 1, Some(6)));
		assert_noop!(schedule(ALICE, 2, Some(7)), Error::<Test>::TooManySchedules);
		// Moving one is not another.
		assert_ok!(schedule(ALICE, 1, Some(7)));
		// Once fired, the slot is free again.
		run_to(5);
		assert_ok!(schedule(ALICE, 2, Some(9)));
	});
}

#[test]
fn a_deadline_whose_orders_are_gone_fires_harmlessly() {
	ExtBuilder::default().build_and_execute(|| {
		bid_on(ALICE, 0, 59_000);
		assert_ok!(schedule(ALICE, 0, Some(3)));
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		run_to(3);
		assert!(book_events().contains(&Event::AllCancelled { owner: sub(ALICE, 0), market: None, cancelled: 0 }));
		assert_eq!(Orderbook::scheduled_cancel(ALICE, 0), None);
	});
}

#[test]
fn the_hook_at_its_bound_stays_within_its_weight() {
	ExtBuilder::default().build_and_execute(|| {
		// A full block of deadlines, each of an account at its open-order bound.
		for who in [BOB, CAROL] {
			for price in 59_000..59_005 {
				bid_on(who, 0, price);
			}
			assert_ok!(schedule(who, 0, Some(2)));
		}
		System::set_block_number(2);
		let used = Orderbook::on_initialize(2);
		assert!(used.all_lte(Orderbook::max_scheduled_cancels_weight()));
		let per_account = <() as crate::WeightInfo>::cancel_all(5);
		assert!(used.all_gte(per_account.saturating_mul(2)));
		assert_eq!(crate::OpenOrders::<Test>::get(BOB) + crate::OpenOrders::<Test>::get(CAROL), 0);
		// An empty block costs the queue's read.
		assert!(Orderbook::on_initialize(3).all_lt(per_account));
	});
}
