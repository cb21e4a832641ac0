//! Time in force: good-til-block orders (expiring by themselves at the start of the block after
//! theirs) and fill-or-kill orders (all at once or nothing).
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 7 Dust, 16 Storage: no block has a bounded number of expiries to fill: each is an order
//!   resting with its deposit, counted against `MaxOpenOrders`; an order that leaves the book
//!   any other way takes its expiry with it (`a_filled_or_evicted_order_takes_its_expiry_with_it`).
//! - 15 Weights: the hook takes expired orders off only while one more fits its budget, the
//!   rest in the next blocks, oldest first, and expired orders never fill meanwhile
//!   (`a_crowded_block_is_cleaned_over_the_next_blocks_and_never_fills`); a refused
//!   fill-or-kill is charged its declared weight (it fails the call).
//! - 1 Walk away from debt: a fill-or-kill that fails undoes its fills, fees and margin
//!   (`a_fill_or_kill_that_cannot_fill_in_full_changes_nothing`, also within a batch).
//! - 13 Stale: an expired order never fills in a later block, whatever the book
//!   (`a_good_til_block_order_fills_through_its_block_and_not_after`).
//! - 18 Extreme input: a block already passed (`Expired`), the largest block number.

use super::{open_order, place, poll, run_to};
use crate::{mock::*, CancelReason, Error, Event, Expiries, NewOrder, OpenOrders, OrderKind};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok, traits::ConstU32, BoundedVec};

fn good_til(block: u32) -> OrderKind {
	OrderKind::GoodTilBlock(block)
}

fn expired(id: u64, remaining_steps: u128) -> Event<Test> {
	Event::OrderCancelled { id, remaining: remaining_steps * STEP, reason: CancelReason::ExpiredAtBlock }
}

#[test]
fn a_good_til_block_order_rests_through_its_block_and_leaves_with_its_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, good_til(3))); // 0
		let order = open_order(0).expect("it rests");
		assert_eq!(order.good_til, Some(3));
		assert_eq!(Expiries::<Test>::get(3, 0), Some(ALICE));
		assert_eq!(order_margin(&sub(ALICE, 0)), order.margin + DEPOSIT);
		run_to(3);
		assert!(open_order(0).is_some(), "good through block 3");
		run_to(4);
		assert!(open_order(0).is_none());
		assert_eq!(book_events().last(), Some(&expired(0, 2)));
		// Deposit and margin back, nothing left of it anywhere.
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
		assert_eq!(OpenOrders::<Test>::get(ALICE), 0);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		assert!(Orderbook::depth(BTC_USD, 5).bids.is_empty());
	});
}

#[test]
fn a_good_til_block_order_fills_through_its_block_and_not_after() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 3, good_til(2))); // 0
		run_to(2);
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel)); // 1
		assert_eq!(fills(), vec![(BOB, ALICE, usd(60_000).into_inner(), STEP)]);
		run_to(3);
		assert_eq!(book_events().last(), Some(&expired(0, 2)));
		// Block 3: the book is empty, a taker finds nothing.
		assert_ok!(place(CAROL, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel)); // 2
		assert_eq!(fills().len(), 1);
	});
}

#[test]
fn a_block_already_passed_is_refused_by_name() {
	ExtBuilder::default().build_and_execute(|| {
		run_to(5);
		assert_noop!(place(ALICE, Side::Buy, 59_000, 1, good_til(4)), Error::<Test>::Expired);
		assert_noop!(place(ALICE, Side::Buy, 59_000, 1, good_til(0)), Error::<Test>::Expired);
		// Its own block is still good; so is the furthest one.
		assert_ok!(place(ALICE, Side::Buy, 59_000, 1, good_til(5)));
		assert_ok!(place(ALICE, Side::Buy, 58_000, 1, good_til(u32::MAX)));
		assert_eq!(Expiries::<Test>::iter_prefix(u64::from(u32::MAX)).count(), 1);
	});
}

#[test]
fn a_filled_or_evicted_order_takes_its_expiry_with_it() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, good_til(9))); // 0
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel)); // 1
		assert!(open_order(0).is_none());
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		// A full bid side (6 levels): a better, larger bid evicts the worst, good-til-block one.
		assert_ok!(place(ALICE, Side::Buy, 58_000, 1, good_til(9))); // 2, the worst level
		for (i, who) in [ALICE, ALICE, BOB, BOB, CAROL].into_iter().enumerate() {
			assert_ok!(place(who, Side::Buy, 58_100 + 100 * i as u128, 1, OrderKind::Limit));
		}
		assert_ok!(place(CAROL, Side::Buy, 59_000, 2, OrderKind::Limit));
		assert!(open_order(2).is_none(), "evicted");
		assert_eq!(Expiries::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_crowded_block_is_cleaned_over_the_next_blocks_and_never_fills() {
	use crate::WeightInfo;
	type Weights = <Test as crate::Config>::WeightInfo;
	ExtBuilder::default().build_and_execute(|| {
		// Room for one expired order a block (the mock's reads are free).
		CleanupBudget::set(&Weights::expire_orders(1));
		for (who, dollars) in [(ALICE, 60_100), (BOB, 60_200), (CAROL, 60_300)] {
			assert_ok!(place(who, Side::Sell, dollars, 1, good_til(2)));
		}
		assert_ok!(place(ALICE, Side::Sell, 60_400, 1, good_til(3))); // 3
		System::set_block_number(3);
		let used = poll(3);
		assert!(used.all_lte(Weights::expire_orders(1) + Weights::check_triggers()), "{used:?}");
		let expired_now = || {
			book_events()
				.iter()
				.filter(|e| matches!(e, Event::OrderCancelled { reason: CancelReason::ExpiredAtBlock, .. }))
				.count()
		};
		assert_eq!(expired_now(), 1, "one a block");
		// The two left are already dead: a taker crossing them takes them off, fills nothing.
		const DAVE: AccountId = 4;
		assert_ok!(place(DAVE, Side::Buy, 60_300, 2, OrderKind::ImmediateOrCancel));
		assert!(fills().is_empty());
		assert_eq!(expired_now(), 3);
		// Order 3 is good through block 3: it still fills.
		assert_ok!(place(BOB, Side::Buy, 60_400, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(BOB, ALICE, usd(60_400).into_inner(), STEP)]);
		run_to(6);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		assert_eq!(crate::ExpiryCursor::<Test>::get(), 6);
		// With nothing due the hook charges its fixed looks only (the mock's reads are free).
		assert_eq!(poll(6), Weights::expire_orders(0) + Weights::check_triggers());
	});
}

#[test]
fn a_cut_keeps_its_expiry_and_a_new_time_in_force_queues_anew() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 4, good_til(9))); // 0
		// Same block: cut in place.
		assert_ok!(Orderbook::replace_order(RuntimeOrigin::signed(ALICE), 0, usd(59_000), 2 * STEP, good_til(9)));
		assert_eq!(book_events().last(), Some(&Event::OrderReduced { id: 0, remaining: 2 * STEP }));
		assert_eq!(open_order(0).unwrap().good_til, Some(9));
		// A limit kind is good until cancelled: a new order, its expiry gone.
		assert_ok!(Orderbook::replace_order(RuntimeOrigin::signed(ALICE), 0, usd(59_000), STEP, OrderKind::Limit));
		assert_eq!(book_events().last(), Some(&Event::OrderReplaced { old: 0, new: 1 }));
		assert_eq!(open_order(1).unwrap().good_til, None);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_fill_or_kill_that_fills_in_full_trades() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, OrderKind::Limit)); // 0
		assert_ok!(place(BOB, Side::Sell, 60_100, 2, OrderKind::Limit)); // 1
		assert_ok!(place(CAROL, Side::Buy, 60_100, 3, OrderKind::FillOrKill)); // 2
		assert_eq!(fills(), vec![
			(CAROL, ALICE, usd(60_000).into_inner(), STEP),
			(CAROL, BOB, usd(60_100).into_inner(), 2 * STEP),
		]);
		assert!(open_order(2).is_none(), "nothing of it rests");
		assert!(Orderbook::depth(BTC_USD, 5).asks.is_empty());
	});
}

#[test]
fn a_fill_or_kill_that_cannot_fill_in_full_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, OrderKind::Limit)); // 0
		assert_ok!(place(BOB, Side::Sell, 60_200, 2, OrderKind::Limit)); // 1
		// Beyond its price...
		assert_noop!(place(CAROL, Side::Buy, 60_100, 2, OrderKind::FillOrKill), Error::<Test>::WouldNotFill);
		// ...more than the book holds...
		assert_noop!(place(CAROL, Side::Buy, 60_200, 4, OrderKind::FillOrKill), Error::<Test>::WouldNotFill);
		// ...or more fills than `MaxFills` (4): six steps the book holds, from five makers.
		for (who, price) in [(ALICE, 60_050), (ALICE, 60_100), (BOB, 60_150)] {
			assert_ok!(place(who, Side::Sell, price, 1, OrderKind::Limit));
		}
		assert_noop!(place(CAROL, Side::Buy, 60_200, 6, OrderKind::FillOrKill), Error::<Test>::WouldNotFill);
		assert!(fills().is_empty());
	});
}

#[test]
fn a_fill_or_kill_entry_of_a_batch_fails_alone() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, OrderKind::Limit)); // 0
		let order = |price: u128, steps: u128, kind| NewOrder {
			market: BTC_USD,
			side: Side::Buy,
			price: usd(price),
			size: steps * STEP,
			kind,
			reduce_only: false,
			client_id: None,
		};
		let orders: BoundedVec<NewOrder, ConstU32<5>> =
			vec![order(60_000, 2, OrderKind::FillOrKill), order(59_000, 1, good_til(5))].try_into().unwrap();
		assert_ok!(Orderbook::place_orders(RuntimeOrigin::signed(BOB), 0, orders, false));
		let results: Vec<_> = book_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::BatchEntry { result, .. } => Some(result.map_err(|e| e.stripped())),
				_ => None,
			})
			.collect();
		// The failed entry's id is rolled back with it.
		assert_eq!(results, vec![Err(sp_runtime::DispatchError::from(Error::<Test>::WouldNotFill).stripped()), Ok(1)]);
		// The failed entry's fill against Alice is undone; her ask still rests whole.
		assert!(fills().is_empty());
		assert_eq!(open_order(0).unwrap().remaining, STEP);
		assert_eq!(open_order(1).unwrap().good_til, Some(5));
	});
}

#[test]
fn orders_stored_before_good_til_block_migrate_as_good_until_cancelled() {
	use crate::migrations::v1::{MigrateToV1, OrderV0};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit)); // 0
		let order = open_order(0).unwrap();
		// Written back as v0 stored it.
		let old = OrderV0 {
			id: order.id,
			owner: order.owner.clone(),
			market: order.market,
			side: order.side,
			price: order.price,
			remaining: order.remaining,
			reduce_only: order.reduce_only,
			placed_at: order.placed_at,
			deposit: order.deposit,
			margin: order.margin,
		};
		let key = crate::Orders::<Test>::hashed_key_for(ALICE, 0);
		frame_support::storage::unhashed::put_raw(&key, &old.encode());
		StorageVersion::new(0).put::<Orderbook>();
		assert!(crate::Orders::<Test>::get(ALICE, 0).is_none(), "v0 bytes do not decode as v1");
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(crate::Orders::<Test>::get(ALICE, 0), Some(order));
		assert_eq!(Orderbook::on_chain_storage_version(), 1);
		// Once only.
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Orderbook::on_chain_storage_version(), 1);
	});
}
