//! Triggers (conditional orders): stops and take-profits fired by the block-start hook when
//! the fresh index reaches them, take-profit/stop-loss pairs sized to the position.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 7 Dust, 16 Storage: triggers are bounded per account (`MaxOpenTriggers`) and per market
//!   and direction (`MaxTriggersPerQueue`), each carries a deposit returned when it fires or
//!   is cancelled, and a cancelled trigger frees its place at once
//!   (`triggers_are_bounded_and_their_deposits_return`).
//! - 15 Weights, trigger storms: the hook fires only while a whole trigger more fits its
//!   budget, soonest first, the rest in the next blocks, and never reports more than the
//!   budget (`a_trigger_storm_fires_within_the_budget_and_the_rest_next_block`). A fired
//!   order matches at most `MaxTriggerFills` makers; a trigger cut short there keeps its rest
//!   (and its pair) and fires again, in the next block
//!   (`a_stop_cut_short_by_the_fill_bound_fires_again_with_the_rest`), after the triggers
//!   behind it, so a large stop swept through dust holds no queue up for more than one
//!   firing a block (`a_stop_cut_short_lets_the_triggers_behind_it_fire_before_its_rest`); a
//!   firing that filled nothing (own, dead or refused orders only) does not come back
//!   (`a_firing_that_met_only_its_owners_orders_does_not_come_back`). Its deposit is held
//!   again with no margin check, so an owner below the initial requirement keeps its stop.
//! - 1 Walk away from debt: a fired order is placed as a trader's, margin checks included,
//!   and a refusal changes nothing but the trigger's leaving
//!   (`a_fired_order_is_held_to_margin_like_any_order`).
//! - 13 Stale: nothing fires on a stale or flagged index (`nothing_fires_on_a_stale_index`).
//! - 8 Block your own liquidation: a whole-position trigger only reduces, so it cannot grow a
//!   position the owner no longer holds (`a_pair_follows_the_position_it_protects`).
//! - 18 Bad input: every refusal is named and changes nothing (`bad_triggers_are_refused_by_name`).

use super::{place, poll, run_to};
use crate::{
	mock::*, AccountTriggers, Crossing, Error, Event, TriggerCancelReason, TriggerKind, TriggerQueues, Triggers,
	WeightInfo,
};
use clearing_primitives::margin::{MarketStatus, Side};
use frame_support::{assert_noop, assert_ok};

type Weights = <Test as crate::Config>::WeightInfo;

fn set_position(who: AccountId, steps: i128) {
	put((b"pos", sub(who, 0)), steps * STEP as i128);
}

fn position(who: AccountId) -> i128 {
	get::<i128>((b"pos", sub(who, 0))) / STEP as i128
}

/// `who` places a `kind` trigger on `side` at `$trigger`, its order at `$price`.
fn trigger(
	who: AccountId,
	side: Side,
	kind: TriggerKind,
	trigger: u128,
	price: u128,
	steps: Option<u128>,
	reduce_only: bool,
) -> sp_runtime::DispatchResult {
	Orderbook::place_trigger(
		RuntimeOrigin::signed(who),
		0,
		BTC_USD,
		side,
		kind,
		usd(trigger),
		usd(price),
		steps.map(|s| s * STEP),
		reduce_only,
	)
}

fn tp_sl(who: AccountId, tp: Option<(u128, u128)>, sl: Option<(u128, u128)>) -> sp_runtime::DispatchResult {
	Orderbook::place_tp_sl(
		RuntimeOrigin::signed(who),
		0,
		BTC_USD,
		tp.map(|(t, p)| (usd(t), usd(p))),
		sl.map(|(t, p)| (usd(t), usd(p))),
	)
}

/// The index from the next block on.
fn index_at(dollars: u128) {
	BtcIndex::set(&usd(dollars));
}

fn fired() -> Vec<(u64, Result<u64, sp_runtime::DispatchError>)> {
	book_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::TriggerFired { id, result, .. } => Some((id, result.map_err(|e| e.stripped()))),
			_ => None,
		})
		.collect()
}

fn paired_cancels() -> Vec<u64> {
	book_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::TriggerCancelled { id, reason: TriggerCancelReason::PairFired } => Some(id),
			_ => None,
		})
		.collect()
}

#[test]
fn a_stop_fires_when_the_index_reaches_it_and_places_its_order() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Buy, 58_000, 3, crate::OrderKind::Limit)); // order 0
		set_position(ALICE, 2);
		assert_ok!(trigger(ALICE, Side::Sell, TriggerKind::StopMarket, 59_000, 57_000, None, true)); // trigger 0
		assert_eq!(order_margin(&sub(ALICE, 0)), DEPOSIT, "the trigger's deposit is set aside");
		run_to(2);
		assert!(fired().is_empty(), "$60,000 is above the stop");
		index_at(59_000);
		run_to(3);
		assert_eq!(fired(), vec![(0, Ok(1))]);
		assert_eq!(fills(), vec![(ALICE, BOB, usd(58_000).into_inner(), 2 * STEP)]);
		assert_eq!(position(ALICE), 0);
		assert!(Triggers::<Test>::get(0).is_none());
		assert!(AccountTriggers::<Test>::get(ALICE).is_empty());
		assert!(crate::TriggerMarkets::<Test>::get().is_empty());
		assert_eq!(order_margin(&sub(ALICE, 0)), 0, "its deposit is back");
		// It fires once.
		run_to(4);
		assert_eq!(fired().len(), 1);
	});
}

#[test]
fn take_profit_and_stop_loss_are_one_cancels_other() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Buy, 60_600, 5, crate::OrderKind::Limit)); // order 0
		set_position(ALICE, 2);
		assert_ok!(tp_sl(ALICE, Some((61_000, 60_500)), Some((59_000, 58_000)))); // 0 take-profit, 1 stop
		assert_eq!(Triggers::<Test>::get(0).unwrap().pair, Some(1));
		assert_eq!(Triggers::<Test>::get(1).unwrap().pair, Some(0));
		assert_eq!(order_margin(&sub(ALICE, 0)), 2 * DEPOSIT);
		index_at(61_000);
		run_to(2);
		assert_eq!(fired(), vec![(0, Ok(1))]);
		assert_eq!(paired_cancels(), vec![1]);
		assert_eq!(fills(), vec![(ALICE, BOB, usd(60_600).into_inner(), 2 * STEP)]);
		assert_eq!(Triggers::<Test>::iter().count(), 0);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
		// The stop never fires, however far the index falls.
		index_at(56_000);
		run_to(4);
		assert_eq!(fired().len(), 1);
	});
}

#[test]
fn a_pair_follows_the_position_it_protects() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Buy, 58_500, 5, crate::OrderKind::Limit)); // order 0
		set_position(ALICE, 1);
		assert_ok!(tp_sl(ALICE, Some((62_000, 61_000)), Some((59_000, 58_000)))); // 0, 1
		// The position grows: the stop closes all of it.
		set_position(ALICE, 3);
		index_at(59_000);
		run_to(2);
		assert_eq!(fired(), vec![(1, Ok(1))]);
		assert_eq!(fills(), vec![(ALICE, BOB, usd(58_500).into_inner(), 3 * STEP)]);
		assert_eq!(position(ALICE), 0);
		// A pair for a position closed before it fires places nothing: there is nothing to
		// reduce, and a whole-position trigger never opens one.
		set_position(ALICE, 1);
		index_at(60_000);
		assert_ok!(tp_sl(ALICE, None, Some((59_000, 58_000)))); // 2
		set_position(ALICE, 0);
		index_at(59_000);
		run_to(3);
		assert_eq!(fired().last(), Some(&(2, Err(Error::<Test>::NothingToReduce.into()))));
		assert_eq!(fills().len(), 1);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
	});
}

#[test]
fn nothing_fires_on_a_stale_index() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(trigger(ALICE, Side::Buy, TriggerKind::StopLimit, 61_000, 61_000, Some(1), false)); // 0
		BtcIndexFresh::set(&false);
		index_at(62_000);
		run_to(3);
		assert!(fired().is_empty());
		BtcIndexFresh::set(&true);
		run_to(4);
		// A stop-buy limit rests at its price once fired (nothing to buy at $61,000).
		assert_eq!(fired(), vec![(0, Ok(0))]);
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 1);
	});
}

#[test]
fn a_trigger_storm_fires_within_the_budget_and_the_rest_next_block() {
	ExtBuilder::default().build_and_execute(|| {
		// Room for one whole trigger at its worst beside the look at the market: once one has
		// fired, another no longer fits.
		let budget = Weights::check_triggers() + Orderbook::fire_trigger_weight();
		TriggerBudget::set(&budget);
		for (who, dollars) in [(ALICE, 59_200), (ALICE, 59_500), (BOB, 59_300), (BOB, 59_400)] {
			assert_ok!(trigger(who, Side::Sell, TriggerKind::StopLimit, dollars, 62_000, Some(1), false));
		}
		index_at(59_000);
		// Soonest first, one a block: the stops nearest the index as it fell.
		for (block, expected) in [(2, vec![1]), (3, vec![1, 3]), (4, vec![1, 3, 2]), (5, vec![1, 3, 2, 0])] {
			System::set_block_number(block);
			let used = poll(block);
			assert!(used.all_lte(budget), "{used:?} over {budget:?}");
			assert_eq!(fired().iter().map(|(id, _)| *id).collect::<Vec<_>>(), expected);
		}
		assert_eq!(Triggers::<Test>::iter().count(), 0);
	});
}

#[test]
fn triggers_are_bounded_and_their_deposits_return() {
	ExtBuilder::default().build_and_execute(|| {
		// `MaxOpenTriggers` is 3 per account in the mock, `MaxTriggersPerQueue` 4.
		for dollars in [59_000, 58_900, 58_800] {
			assert_ok!(trigger(ALICE, Side::Sell, TriggerKind::StopLimit, dollars, 58_000, Some(1), false));
		}
		assert_noop!(
			trigger(ALICE, Side::Sell, TriggerKind::StopLimit, 58_700, 58_000, Some(1), false),
			Error::<Test>::TooManyTriggers
		);
		assert_ok!(trigger(BOB, Side::Sell, TriggerKind::StopLimit, 58_700, 58_000, Some(1), false));
		assert_noop!(
			trigger(CAROL, Side::Sell, TriggerKind::StopLimit, 58_600, 58_000, Some(1), false),
			Error::<Test>::TriggerQueueFull
		);
		// The other direction has its own queue.
		assert_ok!(trigger(CAROL, Side::Buy, TriggerKind::StopLimit, 61_000, 61_000, Some(1), false));
		// A cancel gives back the deposit and the place at once.
		assert_eq!(order_margin(&sub(ALICE, 0)), 3 * DEPOSIT);
		assert_ok!(Orderbook::cancel_trigger(RuntimeOrigin::signed(ALICE), 1));
		assert_eq!(order_margin(&sub(ALICE, 0)), 2 * DEPOSIT);
		assert_ok!(trigger(CAROL, Side::Sell, TriggerKind::StopLimit, 58_600, 58_000, Some(1), false));
		assert_eq!(TriggerQueues::<Test>::get(BTC_USD, Crossing::Falls).len(), 4);
	});
}

#[test]
fn a_fired_order_is_held_to_margin_like_any_order() {
	ExtBuilder::default().build_and_execute(|| {
		// Room for the trigger's deposit, not for the margin of the order it places.
		limit_order_margin(&sub(ALICE, 0), DEPOSIT);
		assert_ok!(trigger(ALICE, Side::Buy, TriggerKind::StopLimit, 61_000, 61_000, Some(5), false)); // 0
		index_at(61_000);
		run_to(2);
		assert!(matches!(fired().as_slice(), [(0, Err(sp_runtime::DispatchError::Other(_)))]), "{:?}", fired());
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 0, "nothing rests");
		assert_eq!(order_margin(&sub(ALICE, 0)), 0, "the deposit is back");
		assert!(Triggers::<Test>::get(0).is_none());
	});
}

#[test]
fn cancelling_one_of_a_pair_leaves_the_other_unpaired() {
	ExtBuilder::default().build_and_execute(|| {
		set_position(ALICE, 2);
		assert_ok!(tp_sl(ALICE, Some((61_000, 60_500)), Some((59_000, 58_000)))); // 0, 1
		assert_noop!(Orderbook::cancel_trigger(RuntimeOrigin::signed(BOB), 0), Error::<Test>::TriggerNotFound);
		assert_ok!(Orderbook::cancel_trigger(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(
			book_events().last(),
			Some(&Event::TriggerCancelled { id: 0, reason: TriggerCancelReason::ByOwner })
		);
		assert_eq!(Triggers::<Test>::get(1).unwrap().pair, None);
		assert_eq!(Orderbook::triggers(ALICE, 0).len(), 1);
		assert!(Orderbook::triggers(ALICE, 1).is_empty());
	});
}

#[test]
fn bad_triggers_are_refused_by_name() {
	ExtBuilder::default().build_and_execute(|| {
		let stop = |trigger_price: u128, price, size: Option<u128>, reduce_only| {
			Orderbook::place_trigger(
				RuntimeOrigin::signed(ALICE),
				0,
				BTC_USD,
				Side::Sell,
				TriggerKind::StopMarket,
				usd(trigger_price),
				price,
				size,
				reduce_only,
			)
		};
		assert_noop!(stop(59_000, clearing_primitives::Price::from_inner(usd(59_000).into_inner() + usd(1).into_inner() / 2), Some(STEP), false), Error::<Test>::PriceOffTick);
		assert_noop!(stop(59_000, clearing_primitives::Price::from_inner(0), Some(STEP), false), Error::<Test>::PriceOffTick);
		assert_noop!(stop(59_000, usd(58_000), Some(STEP + 1), false), Error::<Test>::SizeOffStep);
		assert_noop!(stop(59_000, usd(58_000), Some(0), false), Error::<Test>::SizeOffStep);
		assert_noop!(stop(59_000, usd(58_000), Some(u128::MAX), false), Error::<Test>::SizeOffStep);
		assert_noop!(stop(59_000, usd(58_000), None, false), Error::<Test>::WholePositionNeedsReduceOnly);
		// A whole-position stop with no position to close.
		assert_noop!(stop(59_000, usd(58_000), None, true), Error::<Test>::NothingToReduce);
		assert_noop!(
			Orderbook::place_trigger(
				RuntimeOrigin::signed(ALICE),
				0,
				7,
				Side::Sell,
				TriggerKind::StopMarket,
				usd(59_000),
				usd(58_000),
				Some(STEP),
				false
			),
			Error::<Test>::MarketNotFound
		);
		assert_noop!(tp_sl(ALICE, None, None), Error::<Test>::NoTrigger);
		assert_noop!(tp_sl(ALICE, None, Some((59_000, 58_000))), Error::<Test>::NothingToReduce);
		BtcStatus::set(&MarketStatus::Halted);
		assert_noop!(stop(59_000, usd(58_000), Some(STEP), false), Error::<Test>::MarketHalted);
	});
}

#[test]
fn a_trigger_the_index_already_reached_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		// The index is $60,000: a sell stop at or above it, a buy stop at or below it, would
		// fire at once, ahead of every trigger waiting.
		assert_noop!(
			trigger(ALICE, Side::Sell, TriggerKind::StopLimit, 60_000, 59_000, Some(1), false),
			Error::<Test>::TriggerAlreadyReached
		);
		assert_noop!(
			trigger(ALICE, Side::Buy, TriggerKind::StopLimit, 59_999, 60_000, Some(1), false),
			Error::<Test>::TriggerAlreadyReached
		);
		assert_noop!(
			trigger(ALICE, Side::Sell, TriggerKind::TakeProfitLimit, 59_000, 59_000, Some(1), false),
			Error::<Test>::TriggerAlreadyReached
		);
		set_position(ALICE, 1);
		assert_noop!(tp_sl(ALICE, Some((59_000, 58_000)), None), Error::<Test>::TriggerAlreadyReached);
	});
}

#[test]
fn a_halted_market_keeps_its_triggers_waiting() {
	ExtBuilder::default().build_and_execute(|| {
		set_position(ALICE, 1);
		assert_ok!(tp_sl(ALICE, Some((61_000, 60_500)), Some((59_000, 58_000)))); // 0, 1
		BtcStatus::set(&MarketStatus::Halted);
		index_at(58_000);
		run_to(3);
		assert!(fired().is_empty(), "a halted market fires nothing");
		assert_eq!(Triggers::<Test>::iter().count(), 2);
		BtcStatus::set(&MarketStatus::Active);
		run_to(4);
		assert_eq!(fired().len(), 1);
	});
}

#[test]
fn a_partly_filled_take_profit_leaves_the_stop_waiting() {
	ExtBuilder::default().build_and_execute(|| {
		// One step bid for a three-step position: the take-profit fills a third.
		assert_ok!(place(BOB, Side::Buy, 60_600, 1, crate::OrderKind::Limit));
		set_position(ALICE, 3);
		assert_ok!(tp_sl(ALICE, Some((61_000, 60_500)), Some((59_000, 58_000)))); // 0, 1
		index_at(61_000);
		run_to(2);
		assert_eq!(fired(), vec![(0, Ok(1))]);
		assert_eq!(position(ALICE), 2);
		assert!(paired_cancels().is_empty(), "the stop still protects what is left");
		let stop = Triggers::<Test>::get(1).expect("the stop waits");
		assert_eq!(stop.pair, None);
		// Nor does a take-profit that fills nothing.
		assert_ok!(Orderbook::cancel_trigger(RuntimeOrigin::signed(ALICE), 1));
		index_at(60_000);
		run_to(3);
		assert_ok!(tp_sl(ALICE, Some((61_000, 61_000)), Some((59_000, 58_000)))); // 2, 3
		index_at(61_000);
		run_to(4);
		// Nothing bids at $61,000: the immediate-or-cancel close fills nothing.
		assert_eq!(fired().last(), Some(&(2, Ok(2))));
		assert!(Triggers::<Test>::get(3).is_some());
	});
}

#[test]
fn a_stop_cut_short_by_the_fill_bound_fires_again_with_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		// Five one-step bids, two of them ahead at each firing (`MAX_TRIGGER_FILLS` is 2).
		for (who, dollars) in [(BOB, 58_900), (CAROL, 58_800), (BOB, 58_700), (CAROL, 58_600), (BOB, 58_500)] {
			assert_ok!(place(who, Side::Buy, dollars, 1, crate::OrderKind::Limit));
		}
		set_position(ALICE, 5);
		assert_ok!(tp_sl(ALICE, Some((62_000, 61_000)), Some((59_000, 58_000)))); // 0 take-profit, 1 stop
		// Below the initial requirement (where stops fire): no new margin could be set aside,
		// yet the stop keeps its rest.
		put((b"margin-limit", sub(ALICE, 0)), Some(0u128));
		// Room for one firing a block.
		let budget = Weights::check_triggers() + Orderbook::fire_trigger_weight();
		TriggerBudget::set(&budget);
		index_at(59_000);
		run_to(2);
		assert_eq!(fired(), vec![(1, Ok(5))]);
		assert_eq!(position(ALICE), 3);
		// Back at the head of its queue, still the whole position, still paired, its deposit
		// set aside again.
		let stop = Triggers::<Test>::get(1).expect("the stop waits with the rest");
		assert_eq!((stop.size, stop.pair), (None, Some(0)));
		assert_eq!(TriggerQueues::<Test>::get(BTC_USD, Crossing::Falls).first(), Some(&(usd(59_000), 1)));
		assert_eq!(order_margin(&sub(ALICE, 0)), 2 * DEPOSIT);
		run_to(3);
		assert_eq!(position(ALICE), 1);
		run_to(4);
		assert_eq!(fired().iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![1, 1, 1]);
		assert_eq!(position(ALICE), 0);
		assert_eq!(fills().len(), 5);
		// Done: its take-profit goes with it, every deposit back.
		assert_eq!(paired_cancels(), vec![0]);
		assert_eq!(Triggers::<Test>::iter().count(), 0);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
	});
}

#[test]
fn a_stop_cut_short_lets_the_triggers_behind_it_fire_before_its_rest() {
	ExtBuilder::default().build_and_execute(|| {
		for dollars in [58_900, 58_800, 58_700, 58_600] {
			assert_ok!(place(BOB, Side::Buy, dollars, 1, crate::OrderKind::Limit));
		}
		// Alice's three steps fire first (the sooner stop), two fills at a time; Carol's one
		// step waits behind her.
		assert_ok!(trigger(ALICE, Side::Sell, TriggerKind::StopLimit, 59_000, 58_000, Some(3), false)); // 0
		assert_ok!(trigger(CAROL, Side::Sell, TriggerKind::StopLimit, 58_950, 58_000, Some(1), false)); // 1
		index_at(58_900);
		// The whole block's budget: still, Alice's rest waits for the next block, at the head
		// of the queue, while Carol's fires in this one.
		run_to(2);
		assert_eq!(fired().iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![0, 1]);
		assert_eq!((position(ALICE), position(CAROL)), (-2, -1));
		let stop = Triggers::<Test>::get(0).expect("Alice's rest waits");
		assert_eq!(stop.size, Some(STEP));
		assert_eq!(TriggerQueues::<Test>::get(BTC_USD, Crossing::Falls).into_inner(), vec![(usd(59_000), 0)]);
		run_to(3);
		assert_eq!(fired().iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![0, 1, 0]);
		assert_eq!(position(ALICE), -3);
		assert_eq!(Triggers::<Test>::iter().count(), 0);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
	});
}

#[test]
fn a_firing_that_met_only_its_owners_orders_does_not_come_back() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice's own bids ahead of Bob's: each one met is cancelled (self-trade) and uses a
		// step, so her stop reaches its bound of two having filled nothing.
		assert_ok!(place(BOB, Side::Buy, 58_700, 1, crate::OrderKind::Limit));
		for dollars in [58_900, 58_800] {
			assert_ok!(place(ALICE, Side::Buy, dollars, 1, crate::OrderKind::Limit));
		}
		assert_ok!(trigger(ALICE, Side::Sell, TriggerKind::StopMarket, 59_000, 58_000, Some(1), false)); // 0
		index_at(59_000);
		run_to(2);
		assert_eq!(fired(), vec![(0, Ok(3))]);
		assert!(fills().is_empty());
		// Gone, not queued again: own (or dead) orders cannot hold the queue's head.
		assert_eq!(Triggers::<Test>::iter().count(), 0);
		assert!(TriggerQueues::<Test>::get(BTC_USD, Crossing::Falls).is_empty());
		run_to(3);
		assert_eq!(fired().len(), 1);
	});
}
