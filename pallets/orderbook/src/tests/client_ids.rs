//! Client order ids: `NewOrder.client_id`, `cancel_by_client_id`, and the v1 → v2 migration.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 16 Storage: an id is stored only while its order rests (which carries its deposit and
//!   counts toward `MaxOpenOrders`), and goes with it whichever way it leaves: cancelled, filled,
//!   expired, replaced (`try_state` checks both directions after every test).
//! - 7 Dust / 8 another's orders: ids live in the signer's subaccount's namespace, so no one can
//!   take, block or cancel another subaccount's ids (`ids_are_per_subaccount`).
//! - 18 Extreme input: `u64::MAX` is an id like any other; an id in use is `ClientIdInUse`, an
//!   unknown one `UnknownClientId`, both changing nothing.
//! - 15 Weights: every benchmark order carries a client id, so each measured removal drops one.

use super::{open_order, place, run_to};
use crate::{mock::*, CancelReason, ClientOrders, Error, Event, NewOrder, OrderKind};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok, traits::ConstU32, BoundedVec};

fn with_id(side: Side, price: u128, steps: u128, kind: OrderKind, client_id: u64) -> NewOrder {
	NewOrder {
		market: BTC_USD,
		side,
		price: usd(price),
		size: steps * STEP,
		kind,
		reduce_only: false,
		client_id: Some(client_id),
	}
}

/// `who`'s subaccount `number` places `orders` in one non-atomic batch.
fn batch(who: AccountId, number: u16, orders: Vec<NewOrder>) {
	let orders: BoundedVec<NewOrder, ConstU32<5>> = orders.try_into().expect("within the mock's bound");
	assert_ok!(Orderbook::place_orders(RuntimeOrigin::signed(who), number, orders, false));
}

fn cancel(who: AccountId, number: u16, client_id: u64) -> sp_runtime::DispatchResult {
	Orderbook::cancel_by_client_id(RuntimeOrigin::signed(who), number, client_id)
}

fn last_entry() -> Result<u64, sp_runtime::DispatchError> {
	book_events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::BatchEntry { result, .. } => Some(result),
			_ => None,
		})
		.expect("a batch entry")
}

#[test]
fn an_order_placed_with_a_client_id_is_reported_and_cancelled_by_it() {
	ExtBuilder::default().build_and_execute(|| {
		batch(ALICE, 0, vec![with_id(Side::Buy, 59_000, 2, OrderKind::Limit, u64::MAX)]);
		assert_eq!(open_order(0).and_then(|o| o.client_id), Some(u64::MAX));
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), u64::MAX), Some(0));
		assert!(book_events().iter().any(|e| matches!(e, Event::OrderPlaced { id: 0, client_id: Some(u64::MAX), .. })));
		assert!(order_margin(&sub(ALICE, 0)) > 0);

		assert_ok!(cancel(ALICE, 0, u64::MAX));
		assert!(open_order(0).is_none());
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), u64::MAX), None);
		assert_eq!(order_margin(&sub(ALICE, 0)), 0, "deposit and margin returned");
		assert!(book_events().contains(&Event::OrderCancelled { id: 0, remaining: 2 * STEP, reason: CancelReason::ByOwner }));
		// Gone: the id names nothing now.
		assert_noop!(cancel(ALICE, 0, u64::MAX), Error::<Test>::UnknownClientId);
	});
}

#[test]
fn an_id_in_use_is_refused_and_free_again_once_its_order_leaves() {
	ExtBuilder::default().build_and_execute(|| {
		batch(ALICE, 0, vec![with_id(Side::Buy, 59_000, 1, OrderKind::Limit, 7)]);
		batch(ALICE, 0, vec![with_id(Side::Buy, 58_000, 1, OrderKind::Limit, 7)]);
		assert_eq!(last_entry(), Err(Error::<Test>::ClientIdInUse.into()));
		assert!(open_order(1).is_none(), "the refused entry placed nothing");
		// Filled in full by Bob's sell: the id goes with the order.
		assert_ok!(place(BOB, Side::Sell, 59_000, 1, OrderKind::ImmediateOrCancel));
		assert!(open_order(0).is_none());
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), 7), None);
		batch(ALICE, 0, vec![with_id(Side::Buy, 58_000, 1, OrderKind::Limit, 7)]);
		assert!(last_entry().is_ok());
	});
}

#[test]
fn ids_are_per_subaccount() {
	ExtBuilder::default().build_and_execute(|| {
		batch(ALICE, 0, vec![with_id(Side::Buy, 59_000, 1, OrderKind::Limit, 1)]);
		// Alice's other subaccount and Bob use the same id for orders of their own.
		batch(ALICE, 1, vec![with_id(Side::Buy, 58_000, 1, OrderKind::Limit, 1)]);
		batch(BOB, 0, vec![with_id(Side::Sell, 61_000, 1, OrderKind::Limit, 1)]);
		assert!(last_entry().is_ok());
		// Bob cancels his own, never Alice's.
		assert_ok!(cancel(BOB, 0, 1));
		assert!(open_order(0).is_some() && open_order(1).is_some());
		assert_noop!(cancel(BOB, 0, 1), Error::<Test>::UnknownClientId);
		assert_noop!(cancel(BOB, 1, 1), Error::<Test>::UnknownClientId);
		assert_ok!(cancel(ALICE, 1, 1));
		assert!(open_order(0).is_some() && open_order(1).is_none());
	});
}

#[test]
fn an_order_that_does_not_rest_keeps_no_id() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit)); // 0
		batch(ALICE, 0, vec![with_id(Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel, 3)]);
		assert!(book_events().iter().any(|e| matches!(e, Event::OrderPlaced { id: 1, client_id: Some(3), .. })));
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), 3), None);
	});
}

#[test]
fn a_replacement_carries_the_id_and_an_expiry_frees_it() {
	ExtBuilder::default().build_and_execute(|| {
		batch(ALICE, 0, vec![with_id(Side::Buy, 59_000, 2, OrderKind::GoodTilBlock(3), 9)]);
		// Moved to another price: a new order, the same client id.
		assert_ok!(Orderbook::replace_order(RuntimeOrigin::signed(ALICE), 0, usd(59_100), 2 * STEP, OrderKind::GoodTilBlock(3)));
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), 9), Some(1));
		assert_eq!(open_order(1).and_then(|o| o.client_id), Some(9));
		// Its block passes: the cleanup takes it off, and the id with it.
		run_to(5);
		assert!(open_order(1).is_none());
		assert_eq!(ClientOrders::<Test>::get(sub(ALICE, 0), 9), None);
	});
}

#[test]
fn orders_stored_before_client_ids_migrate_without_one() {
	use crate::migrations::v2::{MigrateToV2, OrderV1};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::GoodTilBlock(50))); // 0
		let order = open_order(0).expect("rests");
		let old = OrderV1 {
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
			good_til: order.good_til,
		};
		let key = crate::Orders::<Test>::hashed_key_for(ALICE, 0);
		frame_support::storage::unhashed::put_raw(&key, &old.encode());
		StorageVersion::new(1).put::<Orderbook>();
		assert!(crate::Orders::<Test>::get(ALICE, 0).is_none(), "v1 bytes do not decode as v2");
		MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(crate::Orders::<Test>::get(ALICE, 0), Some(order));
		assert_eq!(Orderbook::on_chain_storage_version(), 2);
		MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Orderbook::on_chain_storage_version(), 2);
	});
}
