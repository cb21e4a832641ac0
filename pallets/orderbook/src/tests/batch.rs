//! Batches: `place_orders`, `cancel_orders`, `cancel_all`.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 15 Weights: a batch's orders share one `MaxFills`, so a batch of takers makes no more
//!   fills than one order may, and what it is charged stays within what it declared
//!   (`a_batch_of_takers_shares_one_fill_budget`); a failed entry is charged for the fills it
//!   tried (`refused_takers_spend_the_budget_and_are_charged_for_it`).
//! - 16 Storage, 7 Dust: each order of a batch is held to `MaxOpenOrders` and carries its
//!   deposit (`each_entry_is_held_to_the_account_bound`; `try_state` after every test).
//! - 1 Walk away from debt: each resting order is margined as a single one is; what the margin
//!   engine refuses fails that entry only (`an_entry_the_margin_engine_refuses_fails_alone`).
//! - 2 Trade with yourself: a batch's bid crossing its own ask cancels the resting one, as
//!   self-trade prevention does for single orders (`a_batch_does_not_trade_with_itself`).
//! - 8 Block your own liquidation: cancels only ever remove the signer's own orders
//!   (`cancels_touch_only_the_signers_orders`).

use super::{open_order, place};
use crate::{mock::*, CancelReason, Error, Event, NewOrder, OrderKind};
use clearing_primitives::margin::Side;
use frame_support::{assert_ok, dispatch::DispatchResultWithPostInfo, traits::ConstU32, BoundedVec};
use sp_runtime::{DispatchError, Weight};

fn order(side: Side, price: u128, steps: u128, kind: OrderKind) -> NewOrder {
	NewOrder { market: BTC_USD, side, price: usd(price), size: steps * STEP, kind, reduce_only: false, client_id: None }
}

fn place_orders(who: AccountId, orders: Vec<NewOrder>, atomic: bool) -> DispatchResultWithPostInfo {
	let orders: BoundedVec<NewOrder, ConstU32<5>> = orders.try_into().expect("within the mock's bound");
	Orderbook::place_orders(RuntimeOrigin::signed(who), 0, orders, atomic)
}

fn cancel_orders(who: AccountId, ids: Vec<u64>, atomic: bool) -> DispatchResultWithPostInfo {
	let ids: BoundedVec<u64, ConstU32<5>> = ids.try_into().expect("within the mock's bound");
	Orderbook::cancel_orders(RuntimeOrigin::signed(who), ids, atomic)
}

/// The `BatchEntry` results, in order.
fn entries() -> Vec<Result<u64, DispatchError>> {
	book_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::BatchEntry { result, .. } => Some(result),
			_ => None,
		})
		.collect()
}

/// Runs `call`, which must fail with `error`, and checks it changed no storage.
fn assert_changes_nothing(call: impl FnOnce() -> DispatchResultWithPostInfo, error: impl Into<DispatchError>) {
	let before = sp_io::storage::root(sp_runtime::StateVersion::V1);
	let result = call();
	assert_eq!(result.map_err(|e| e.error), Err(error.into()));
	assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), before);
}

#[test]
fn a_batch_quotes_both_sides_and_reports_each_entry() {
	ExtBuilder::default().build_and_execute(|| {
		let quote = vec![
			order(Side::Buy, 59_900, 1, OrderKind::PostOnly),
			order(Side::Buy, 59_800, 2, OrderKind::PostOnly),
			order(Side::Sell, 60_100, 1, OrderKind::PostOnly),
			order(Side::Sell, 60_200, 2, OrderKind::PostOnly),
		];
		assert_ok!(place_orders(ALICE, quote, false));
		assert_eq!(entries(), vec![Ok(0), Ok(1), Ok(2), Ok(3)]);
		let depth = Orderbook::depth(BTC_USD, 5);
		assert_eq!(depth.bids, vec![(usd(59_900), STEP), (usd(59_800), 2 * STEP)]);
		assert_eq!(depth.asks, vec![(usd(60_100), STEP), (usd(60_200), 2 * STEP)]);
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 4);
		// Each carries its deposit, as a single order does.
		assert!((0..4).all(|id| open_order(id).unwrap().deposit == DEPOSIT));
	});
}

#[test]
fn a_failed_entry_changes_nothing_and_the_others_go_on() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place_orders(
			ALICE,
			vec![
				order(Side::Buy, 59_900, 1, OrderKind::Limit),
				NewOrder { size: STEP + 1, ..order(Side::Buy, 59_800, 1, OrderKind::Limit) },
				order(Side::Buy, 50_000, 1, OrderKind::Limit), // outside the 10% band
				NewOrder { market: 7, ..order(Side::Buy, 59_700, 1, OrderKind::Limit) },
				order(Side::Sell, 60_100, 1, OrderKind::Limit),
			],
			false,
		));
		assert_eq!(
			entries(),
			vec![
				Ok(0),
				Err(Error::<Test>::SizeOffStep.into()),
				Err(Error::<Test>::PriceOutsideBand.into()),
				Err(Error::<Test>::MarketNotFound.into()),
				Ok(1),
			]
		);
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 2);
		assert!(!book_events().iter().any(|e| matches!(e, Event::OrderPlaced { id, .. } if *id > 1)));
	});
}

#[test]
fn an_atomic_batch_with_a_bad_entry_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		let batch = vec![
			order(Side::Buy, 60_000, 1, OrderKind::Limit), // fills Bob's ask
			order(Side::Buy, 59_900, 1, OrderKind::PostOnly),
			order(Side::Sell, 59_900, 1, OrderKind::PostOnly), // would cross the entry before
		];
		assert_changes_nothing(|| place_orders(ALICE, batch.clone(), true), Error::<Test>::WouldCross);
		// The same batch without `atomic` keeps the first two.
		assert_ok!(place_orders(ALICE, batch, false));
		assert_eq!(entries(), vec![Ok(1), Ok(2), Err(Error::<Test>::WouldCross.into())]);
		assert_eq!(fills().len(), 1);
	});
}

#[test]
fn each_entry_is_held_to_the_account_bound() {
	ExtBuilder::default().build_and_execute(|| {
		// Five open orders per account in the mock: with one open, the fifth entry is refused
		// on its own.
		assert_ok!(place(ALICE, Side::Buy, 58_000, 1, OrderKind::Limit));
		let bids = (0..5).map(|i| order(Side::Buy, 59_000 + i, 1, OrderKind::Limit)).collect();
		assert_ok!(place_orders(ALICE, bids, false));
		let results = entries();
		assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
		assert_eq!(results.last(), Some(&Err(Error::<Test>::TooManyOpenOrders.into())));
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 5);
		assert_eq!(order_margin(&sub(ALICE, 0)), (0..5).map(|i| open_order(i).unwrap().margin + DEPOSIT).sum());
	});
}

#[test]
fn an_entry_the_margin_engine_refuses_fails_alone() {
	ExtBuilder::default().build_and_execute(|| {
		// Room for one order's margin (a tenth of $59.90) and deposit, not two.
		limit_order_margin(&sub(ALICE, 0), 6_000_000);
		let bids = vec![order(Side::Buy, 59_900, 1, OrderKind::Limit), order(Side::Buy, 59_800, 1, OrderKind::Limit)];
		assert_ok!(place_orders(ALICE, bids, false));
		// (An event keeps a `DispatchError::Other`'s kind, not its text.)
		assert_eq!(entries(), vec![Ok(0), Err(DispatchError::Other(""))]);
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 1);
		// The refused entry got as far as its id and `OrderPlaced`: both rolled back.
		assert_eq!(crate::NextOrderId::<Test>::get(), 1);
		assert!(!book_events().iter().any(|e| matches!(e, Event::OrderPlaced { id: 1, .. })));
	});
}

#[test]
fn a_batch_does_not_trade_with_itself() {
	ExtBuilder::default().build_and_execute(|| {
		let crossing = vec![order(Side::Sell, 60_000, 1, OrderKind::Limit), order(Side::Buy, 60_000, 1, OrderKind::Limit)];
		assert_ok!(place_orders(ALICE, crossing, false));
		assert!(fills().is_empty());
		assert!(book_events().contains(&Event::OrderCancelled { id: 0, remaining: STEP, reason: CancelReason::SelfTrade }));
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(60_000), STEP)]);
	});
}

/// Five one-step asks of Bob's at five prices; five immediate-or-cancel buys that would each
/// take them all.
fn asks_and_takers_for_them_all() -> Vec<NewOrder> {
	for price in 60_000..60_005 {
		assert_ok!(place(BOB, Side::Sell, price, 1, OrderKind::Limit));
	}
	(0..5).map(|_| order(Side::Buy, 60_010, 5, OrderKind::ImmediateOrCancel)).collect()
}

#[test]
fn a_batch_of_takers_shares_one_fill_budget() {
	ExtBuilder::default().build_and_execute(|| {
		let takers = asks_and_takers_for_them_all();
		let declared = Orderbook::place_orders_weight(&takers);
		// What the batch used, before the call caps its charge at what it declared.
		let used = Orderbook::place_batch(ALICE, 0, takers, false).unwrap();
		assert_eq!(fills().len(), MAX_FILLS as usize);
		assert!(used.all_lte(declared), "{used:?} over {declared:?}");
		// The takers left without budget matched nothing: each cancelled in full, not failed.
		assert!(entries().iter().all(|r| r.is_ok()));
		assert_eq!(Orderbook::depth(BTC_USD, 5).asks.len(), 5 - MAX_FILLS as usize);
	});
}

#[test]
fn refused_takers_spend_the_budget_and_are_charged_for_it() {
	ExtBuilder::default().build_and_execute(|| {
		let takers = asks_and_takers_for_them_all();
		let declared = Orderbook::place_orders_weight(&takers);
		// The margin engine refuses Alice as a taker: each taker fails at its first fill.
		refuse(vec![ALICE]);
		let used = Orderbook::place_batch(ALICE, 0, takers, false).unwrap();
		let refused = entries().iter().filter(|r| **r == Err(DispatchError::Other(""))).count();
		// One fill tried per refused taker, until the batch's budget is spent.
		assert_eq!(refused, MAX_FILLS as usize);
		assert!(fills().is_empty());
		assert_eq!(Orderbook::depth(BTC_USD, 5).asks.len(), 5);
		// Charged at least the batch's book work and the worst case of every fill tried, and
		// within what it declared.
		let tried = Weight::from_parts(MOCK_WORST_FILL_WEIGHT, 0).saturating_mul(u64::from(MAX_FILLS));
		let book = <() as crate::WeightInfo>::place_orders(5);
		assert!(used.all_gte(tried.saturating_add(book)), "{used:?}");
		assert!(used.all_lte(declared), "{used:?} over {declared:?}");
	});
}

#[test]
fn cancels_report_each_id_and_touch_only_the_signers_orders() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 1, OrderKind::Limit)); // 0
		assert_ok!(place(ALICE, Side::Buy, 59_100, 1, OrderKind::Limit)); // 1
		assert_ok!(place(BOB, Side::Buy, 59_200, 1, OrderKind::Limit)); // 2
		// Bob's order is not Alice's to cancel; an id twice is found once.
		assert_ok!(cancel_orders(ALICE, vec![0, 2, 1, 1], false));
		let missing = Err(Error::<Test>::OrderNotFound.into());
		assert_eq!(entries(), vec![Ok(0), missing.clone(), Ok(1), missing]);
		assert!(open_order(2).is_some());
		assert_eq!((crate::OpenOrders::<Test>::get(ALICE), order_margin(&sub(ALICE, 0))), (0, 0));
	});
}

#[test]
fn an_atomic_cancel_batch_with_a_missing_id_cancels_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 1, OrderKind::Limit));
		assert_changes_nothing(|| cancel_orders(ALICE, vec![0, 9], true), Error::<Test>::OrderNotFound);
		assert_ok!(cancel_orders(ALICE, vec![0], true));
		assert!(open_order(0).is_none());
	});
}

#[test]
fn cancel_all_clears_one_subaccount_or_one_market_of_it() {
	ExtBuilder::default().build_and_execute(|| {
		let on = |number, price| {
			Orderbook::place_order(RuntimeOrigin::signed(ALICE), number, BTC_USD, Side::Buy, usd(price), STEP, OrderKind::Limit, false)
		};
		assert_ok!(on(0, 59_000));
		assert_ok!(on(0, 59_100));
		assert_ok!(on(1, 59_200));
		assert_ok!(place(BOB, Side::Buy, 59_300, 1, OrderKind::Limit));
		// Another market of the subaccount: nothing there.
		assert_ok!(Orderbook::cancel_all(RuntimeOrigin::signed(ALICE), 0, Some(7)));
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 3);
		let charged = Orderbook::cancel_all(RuntimeOrigin::signed(ALICE), 0, Some(BTC_USD)).unwrap().actual_weight;
		// Refunded to the three open orders of the account it read.
		assert_eq!(charged, Some(Orderbook::cancel_all_weight(3)));
		assert_eq!(
			book_events().last(),
			Some(&Event::AllCancelled { owner: sub(ALICE, 0), market: Some(BTC_USD), cancelled: 2 })
		);
		assert_eq!(Orderbook::open_orders(ALICE, 1).len(), 1);
		assert_eq!((order_margin(&sub(ALICE, 0)), Orderbook::open_orders(BOB, 0).len()), (0, 1));
		assert_ok!(Orderbook::cancel_all(RuntimeOrigin::signed(ALICE), 1, None));
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 0);
	});
}

#[test]
fn an_entry_that_evicts_or_reduces_is_charged_within_the_declaration() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice short two steps; the bid side full (six levels), its worst one step.
		assert_ok!(place(BOB, Side::Buy, 60_000, 2, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Sell, 60_000, 2, OrderKind::ImmediateOrCancel));
		for (who, price) in [(BOB, 59_000), (BOB, 59_001), (CAROL, 59_002), (CAROL, 59_003), (CAROL, 59_004), (CAROL, 59_005)] {
			assert_ok!(place(who, Side::Buy, price, 1, OrderKind::Limit));
		}
		let batch = vec![
			order(Side::Buy, 59_500, 2, OrderKind::Limit), // evicts $59,000
			NewOrder { reduce_only: true, ..order(Side::Buy, 59_600, 2, OrderKind::Limit) },
		];
		let declared = Orderbook::place_orders_weight(&batch);
		let used = Orderbook::place_batch(ALICE, 0, batch, false).unwrap();
		assert_eq!(entries(), vec![Ok(8), Ok(9)]);
		assert!(book_events().contains(&Event::OrderCancelled { id: 2, remaining: STEP, reason: CancelReason::Evicted }));
		assert!(open_order(9).unwrap().reduce_only);
		// The eviction is charged as measured, and the total within the declaration.
		let evicted = <() as crate::WeightInfo>::evict_level(1);
		assert!(used.all_gte(evicted.saturating_add(<() as crate::WeightInfo>::place_orders(2))), "{used:?}");
		assert!(used.all_lte(declared), "{used:?} over {declared:?}");
	});
}
