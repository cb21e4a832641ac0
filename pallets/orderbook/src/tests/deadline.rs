//! The dead-man's switch (`schedule_cancel`).
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 7 Dust, 16 Storage: no block has a bounded number of switches to fill; each switch
//!   carries a deposit returned when it fires or is cleared, one per subaccount; a crowded
//!   block is handled over the next blocks, oldest first
//!   (`a_crowded_block_is_handled_over_the_next_blocks_oldest_first`).
//! - 15 Weights: the hook handles a switch only while one more at its worst fits its budget,
//!   and reports no more than the budget; the call is charged within its declaration.
//! - 1, 9: orders past their switch never fill, even before the hook reaches them
//!   (`orders_past_the_switch_never_fill_even_before_the_hook`), and a late renewal does not
//!   bring them back (`a_late_renewal_does_not_revive_dead_orders`).
//! - 18 Bad input: a block begun, beyond the horizon, a deposit the margin engine refuses,
//!   each refused by name with nothing changed.

use super::{open_order, place, poll, run_to};
use crate::{mock::*, CancelDeadlines, CancelReason, DeadlinesDue, Error, Event, OrderKind, WeightInfo};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok, traits::Get, weights::Weight};

type Weights = <Test as crate::Config>::WeightInfo;

fn schedule(who: AccountId, number: u16, at: Option<u64>) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Orderbook::schedule_cancel(RuntimeOrigin::signed(who), number, at)
}

fn deadline_cancels() -> Vec<u64> {
	book_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrderCancelled { id, reason: CancelReason::DeadlineReached, .. } => Some(id),
			_ => None,
		})
		.collect::<std::collections::BTreeSet<_>>()
		.into_iter()
		.collect()
}

fn place_in(who: AccountId, number: u16, side: Side, price: u128) {
	assert_ok!(Orderbook::place_order(
		RuntimeOrigin::signed(who),
		number,
		BTC_USD,
		side,
		usd(price),
		STEP,
		OrderKind::Limit,
		false
	));
}

#[test]
fn a_switch_not_renewed_cancels_the_subaccounts_orders() {
	ExtBuilder::default().build_and_execute(|| {
		place_in(ALICE, 0, Side::Buy, 59_000); // 0
		place_in(ALICE, 0, Side::Sell, 61_000); // 1
		place_in(ALICE, 1, Side::Buy, 58_000); // 2
		let held = order_margin(&sub(ALICE, 0));
		let post = schedule(ALICE, 0, Some(5)).expect("set");
		assert!(post.actual_weight.unwrap().all_lte(Orderbook::schedule_cancel_weight()));
		assert_eq!(order_margin(&sub(ALICE, 0)), held + DEPOSIT, "the switch's deposit");
		run_to(4);
		assert!(deadline_cancels().is_empty());
		run_to(5);
		assert_eq!(deadline_cancels(), vec![0, 1]);
		assert!(book_events().contains(&Event::ScheduledCancelFired { subaccount: sub(ALICE, 0), at: 5, cancelled: 2 }));
		assert!(open_order(2).is_some(), "another subaccount's order stays");
		assert_eq!(order_margin(&sub(ALICE, 0)), 0, "orders' and switch's deposits back");
		assert!(CancelDeadlines::<Test>::get(sub(ALICE, 0)).is_none());
		// New orders after it are not touched.
		place_in(ALICE, 0, Side::Buy, 59_000); // 3
		run_to(8);
		assert!(open_order(3).is_some());
	});
}

#[test]
fn renewing_moves_the_switch_and_clearing_stops_it() {
	ExtBuilder::default().build_and_execute(|| {
		place_in(ALICE, 0, Side::Buy, 59_000); // 0
		assert_ok!(schedule(ALICE, 0, Some(5)));
		run_to(3);
		assert_ok!(schedule(ALICE, 0, Some(8)));
		assert_eq!(DeadlinesDue::<Test>::iter().count(), 1);
		assert_eq!(order_margin(&sub(ALICE, 0)), open_order(0).unwrap().margin + 2 * DEPOSIT, "one switch deposit");
		run_to(7);
		assert!(open_order(0).is_some());
		assert_ok!(schedule(ALICE, 0, None));
		assert_eq!(book_events().last(), Some(&Event::CancelScheduled { subaccount: sub(ALICE, 0), at: None }));
		run_to(10);
		assert!(open_order(0).is_some());
		assert_eq!(order_margin(&sub(ALICE, 0)), open_order(0).unwrap().margin + DEPOSIT);
	});
}

#[test]
fn orders_past_the_switch_never_fill_even_before_the_hook() {
	ExtBuilder::default().build_and_execute(|| {
		CleanupBudget::set(&Weight::zero()); // the hook handles nothing
		place_in(ALICE, 0, Side::Sell, 60_000); // 0
		assert_ok!(schedule(ALICE, 0, Some(3)));
		run_to(3);
		assert!(open_order(0).is_some(), "not yet removed");
		// A taker crosses it: it is taken off, not filled.
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert!(fills().is_empty());
		assert_eq!(deadline_cancels(), vec![0]);
		// An order placed from the switch's block on trades.
		place_in(ALICE, 0, Side::Sell, 60_000); // 2
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(BOB, ALICE, usd(60_000).into_inner(), STEP)]);
	});
}

#[test]
fn a_late_renewal_does_not_revive_dead_orders() {
	ExtBuilder::default().build_and_execute(|| {
		CleanupBudget::set(&Weight::zero());
		place_in(ALICE, 0, Side::Sell, 61_000); // 0
		assert_ok!(schedule(ALICE, 0, Some(3)));
		run_to(4);
		assert!(open_order(0).is_some());
		assert_ok!(schedule(ALICE, 0, Some(10)));
		assert_eq!(deadline_cancels(), vec![0], "the passed switch fired first");
		assert_eq!(CancelDeadlines::<Test>::get(sub(ALICE, 0)).map(|d| d.at), Some(10));
		assert_eq!(DeadlinesDue::<Test>::iter().count(), 1);
	});
}

#[test]
fn a_crowded_block_is_handled_over_the_next_blocks_oldest_first() {
	ExtBuilder::default().build_and_execute(|| {
		// Room for one switch at its worst a block.
		let db: frame_support::weights::RuntimeDbWeight = <Test as frame_system::Config>::DbWeight::get();
		let budget = Weights::expire_orders(0) + db.reads_writes(2, 1) + Orderbook::deadline_worst_weight();
		CleanupBudget::set(&budget);
		for who in [ALICE, BOB, CAROL] {
			place_in(who, 0, Side::Buy, 59_000);
			assert_ok!(schedule(who, 0, Some(5)));
		}
		place_in(ALICE, 1, Side::Buy, 58_000);
		assert_ok!(schedule(ALICE, 1, Some(6)));
		let mut fired = Vec::new();
		for block in 2..=9u64 {
			System::set_block_number(block);
			let used = poll(block);
			assert!(used.all_lte(budget + Weights::check_triggers()), "{used:?}");
			for event in book_events() {
				if let Event::ScheduledCancelFired { subaccount, at, .. } = event {
					if !fired.contains(&(subaccount.clone(), at, block)) && !fired.iter().any(|(s, a, _)| *s == subaccount && *a == at) {
						fired.push((subaccount, at, block));
					}
				}
			}
		}
		let order: Vec<(AccountId, u16, u64, u64)> =
			fired.into_iter().map(|(s, at, block)| (s.owner, s.number, at, block)).collect();
		assert_eq!(order.len(), 4);
		assert_eq!(order.iter().map(|(_, _, at, _)| *at).collect::<Vec<_>>(), vec![5, 5, 5, 6], "oldest first");
		assert_eq!(order.iter().map(|(_, _, _, block)| *block).collect::<Vec<_>>(), vec![5, 6, 7, 8]);
		assert_eq!(CancelDeadlines::<Test>::iter().count(), 0);
		assert_eq!(crate::OpenOrders::<Test>::iter().count(), 0);
	});
}

#[test]
fn bad_switches_are_refused_by_name() {
	ExtBuilder::default().build_and_execute(|| {
		run_to(5);
		assert_noop!(schedule(ALICE, 0, Some(5)), Error::<Test>::DeadlinePassed);
		assert_noop!(schedule(ALICE, 0, Some(0)), Error::<Test>::DeadlinePassed);
		assert_noop!(schedule(ALICE, 0, Some(106)), Error::<Test>::DeadlineTooFar);
		assert_noop!(schedule(ALICE, 0, Some(u64::MAX)), Error::<Test>::DeadlineTooFar);
		assert_ok!(schedule(ALICE, 0, Some(105)));
		// A deposit the margin engine refuses.
		limit_order_margin(&sub(BOB, 0), 0);
		assert_noop!(schedule(BOB, 0, Some(10)), sp_runtime::DispatchError::Other("order margin"));
		// Clearing what is not set changes nothing but says so.
		assert_ok!(schedule(CAROL, 0, None));
		assert!(CancelDeadlines::<Test>::get(sub(CAROL, 0)).is_none());
	});
}

#[test]
fn a_switch_also_cancels_the_subaccounts_triggers() {
	ExtBuilder::default().build_and_execute(|| {
		put((b"pos", sub(ALICE, 0)), 2 * STEP as i128);
		assert_ok!(Orderbook::place_tp_sl(
			RuntimeOrigin::signed(ALICE),
			0,
			BTC_USD,
			Some((usd(61_000), usd(60_500))),
			Some((usd(59_000), usd(58_000)))
		));
		assert_ok!(schedule(ALICE, 0, Some(4)));
		run_to(4);
		let cancelled: Vec<_> = book_events()
			.into_iter()
			.filter(|e| {
				matches!(e, Event::TriggerCancelled { reason: crate::TriggerCancelReason::DeadlineReached, .. })
			})
			.collect();
		assert_eq!(cancelled.len(), 2);
		assert_eq!(crate::Triggers::<Test>::iter().count(), 0);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0, "trigger and switch deposits back");
	});
}

#[test]
fn a_trigger_placed_before_a_passed_switch_places_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		CleanupBudget::set(&Weight::zero()); // the switch waits for the hook
		assert_ok!(place(BOB, Side::Buy, 58_000, 2, OrderKind::Limit)); // 0
		put((b"pos", sub(ALICE, 0)), 2 * STEP as i128);
		assert_ok!(Orderbook::place_trigger(
			RuntimeOrigin::signed(ALICE),
			0,
			BTC_USD,
			Side::Sell,
			crate::TriggerKind::StopMarket,
			usd(59_000),
			usd(57_000),
			None,
			true
		));
		assert_ok!(schedule(ALICE, 0, Some(3)));
		run_to(3);
		BtcIndex::set(&usd(59_000));
		run_to(4);
		assert!(fills().is_empty(), "its owner is gone: the stop does not trade");
		assert!(book_events().contains(&Event::TriggerCancelled {
			id: 0,
			reason: crate::TriggerCancelReason::DeadlineReached
		}));
	});
}

#[test]
fn no_funding_sample_while_dead_orders_may_sit_in_the_book() {
	use clearing_primitives::margin::BookPrices;
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Buy, 59_900, 200, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_100, 200, OrderKind::Limit));
		run_to(2);
		assert!(Orderbook::impact_mid(BTC_USD).is_some());
		CleanupBudget::set(&Weight::zero());
		assert_ok!(schedule(BOB, 0, Some(3)));
		run_to(5);
		// Bob's bid is dead since block 3 but still listed: no sample.
		assert!(Orderbook::impact_mid(BTC_USD).is_none());
		CleanupBudget::set(&Weight::MAX);
		run_to(6);
		assert_eq!(deadline_cancels(), vec![0]);
		assert!(Orderbook::impact_mid(BTC_USD).is_none(), "one side is empty now");
		assert!(!Orderbook::cleanup_behind());
	});
}
