//! A side cannot be frozen by filling its levels, and a resting order is backed by margin
//! (ATTACKS: a book frozen with dust; orders no collateral backs).

use super::{open_order, place};
use crate::{mock::*, CancelReason, Error, Event, LevelPrices, OpenOrders, OrderKind, Orders};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok};

/// The mock engine's margin for `steps` at `$price`: a tenth of the notional.
fn margin_of(steps: u128, price: u128) -> u128 {
	steps * price * USDC / 1_000 / 10
}

/// Fills every bid level (`MaxLevels` = 6) with one step each, from $59,000 down by $100:
/// Alice's five orders (her bound) and one of Carol's at the worst price.
fn fill_the_bids() {
	for level in 0..5 {
		assert_ok!(place(ALICE, Side::Buy, 59_000 - level * 100, 1, OrderKind::Limit));
	}
	assert_ok!(place(CAROL, Side::Buy, 58_500, 1, OrderKind::Limit));
}

#[test]
fn a_better_bid_evicts_the_worst_level_of_a_full_side() {
	ExtBuilder::default().build_and_execute(|| {
		fill_the_bids();
		assert_eq!(order_margin(&sub(CAROL, 0)), margin_of(1, 58_500) + DEPOSIT);
		// Bob bids above the worst level: Carol's level goes, her deposit and margin with it.
		assert_ok!(place(BOB, Side::Buy, 58_550, 2, OrderKind::Limit));
		let bids = LevelPrices::<Test>::get(BTC_USD, Side::Buy).to_vec();
		assert_eq!(bids.len(), 6);
		assert_eq!(bids.last(), Some(&usd(58_550)));
		assert!(Orders::<Test>::iter_prefix(CAROL).next().is_none());
		assert_eq!(OpenOrders::<Test>::get(CAROL), 0);
		assert_eq!(order_margin(&sub(CAROL, 0)), 0);
		assert!(book_events().contains(&Event::OrderCancelled {
			id: 5,
			remaining: STEP,
			reason: CancelReason::Evicted
		}));
		assert_eq!(open_order(6).map(|o| o.remaining), Some(2 * STEP));
	});
}

#[test]
fn a_bid_no_better_than_every_level_of_a_full_side_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		fill_the_bids();
		// Below the worst level: nothing is evicted, the order does not rest.
		assert_noop!(place(BOB, Side::Buy, 58_499, 1, OrderKind::Limit), Error::<Test>::BookFull);
		assert_noop!(place(BOB, Side::Buy, 58_000, 1, OrderKind::Limit), Error::<Test>::BookFull);
		// Joining a level that exists, the worst included, needs no new level.
		assert_ok!(place(BOB, Side::Buy, 58_500, 1, OrderKind::Limit));
		assert_eq!(LevelPrices::<Test>::get(BTC_USD, Side::Buy).len(), 6);
	});
}

#[test]
fn a_smaller_order_never_evicts_a_larger_level() {
	ExtBuilder::default().build_and_execute(|| {
		for level in 0..5 {
			assert_ok!(place(ALICE, Side::Buy, 59_000 - level * 100, 1, OrderKind::Limit));
		}
		// The worst level holds three steps.
		assert_ok!(place(CAROL, Side::Buy, 58_500, 3, OrderKind::Limit));
		// Two steps at a better price would clear out three: refused, nothing changes.
		assert_noop!(place(BOB, Side::Buy, 58_550, 2, OrderKind::Limit), Error::<Test>::BookFull);
		// Three steps may take its place.
		assert_ok!(place(BOB, Side::Buy, 58_550, 3, OrderKind::Limit));
		assert!(Orders::<Test>::iter_prefix(CAROL).next().is_none());
	});
}

#[test]
fn an_eviction_is_charged_by_the_orders_it_cancelled() {
	ExtBuilder::default().build_and_execute(|| {
		for level in 0..4 {
			assert_ok!(place(ALICE, Side::Buy, 59_000 - level * 100, 1, OrderKind::Limit));
		}
		// The worst level holds three orders of three owners.
		for who in [ALICE, CAROL, 4] {
			let _ = <Balances as frame_support::traits::fungible::Mutate<AccountId>>::mint_into(&who, 100);
			assert_ok!(place(who, Side::Buy, 58_500, 1, OrderKind::Limit));
		}
		assert_ok!(place(BOB, Side::Buy, 58_400, 1, OrderKind::Limit));
		let charged = Orderbook::place_order(
			RuntimeOrigin::signed(BOB), 0, BTC_USD, Side::Buy, usd(59_500), STEP, OrderKind::Limit, false,
		)
		.expect("rests by evicting Bob's own worst level")
		.actual_weight
		.expect("charged by what it did");
		let info = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::place_order_resting();
		let evicted = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::evict_level(1);
		assert_eq!(charged, info + evicted + frame_support::weights::Weight::from_parts(MOCK_RESERVE_WEIGHT, 0));
		// Bob's 58,400 was the worst level; the 58,500 level of three stays.
		assert_eq!(LevelPrices::<Test>::get(BTC_USD, Side::Buy).last(), Some(&usd(58_500)));
		assert_eq!(order_margin(&sub(BOB, 0)), margin_of(1, 59_500) + DEPOSIT);
	});
}

#[test]
fn an_order_its_owner_cannot_back_does_not_rest_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		limit_order_margin(&sub(ALICE, 0), margin_of(3, 59_000));
		assert_ok!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit));
		assert_noop!(place(ALICE, Side::Buy, 59_000, 2, OrderKind::Limit), sp_runtime::DispatchError::Other("order margin"));
		assert_eq!(order_margin(&sub(ALICE, 0)), margin_of(2, 59_000) + DEPOSIT);
		// What would not rest may still trade at once: an immediate-or-cancel order sets
		// nothing aside.
		assert_ok!(place(BOB, Side::Sell, 60_000, 5, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel));
		assert_eq!(order_margin(&sub(ALICE, 0)), margin_of(2, 59_000) + DEPOSIT);
	});
}

#[test]
fn fills_free_the_makers_margin_in_proportion_and_the_last_frees_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 3, OrderKind::Limit));
		let held = margin_of(3, 60_000);
		assert_eq!(order_margin(&sub(ALICE, 0)), held + DEPOSIT);
		assert_ok!(place(BOB, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		let left = held - held / 3;
		// The margin goes in proportion; the deposit stays until the order leaves.
		assert_eq!(order_margin(&sub(ALICE, 0)), left + DEPOSIT);
		assert_eq!(open_order(0).map(|o| o.margin), Some(left));
		assert_ok!(place(BOB, Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel));
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
		assert!(open_order(0).is_none());
	});
}

#[test]
fn a_refused_maker_and_a_cancelled_order_release_all_they_held() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 3, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_100, 1, OrderKind::Limit));
		refuse(vec![ALICE]);
		// Alice's order is cancelled as refused; Bob fills against Carol.
		assert_ok!(place(BOB, Side::Buy, 60_100, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(order_margin(&sub(ALICE, 0)), 0);
		assert_eq!(order_margin(&sub(CAROL, 0)), 0);
		assert_ok!(place(CAROL, Side::Buy, 59_000, 1, OrderKind::Limit));
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(CAROL), 3));
		assert_eq!(order_margin(&sub(CAROL, 0)), 0);
	});
}

#[test]
fn a_reduce_only_order_rests_with_its_deposit_and_no_margin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 2, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel));
		assert_ok!(Orderbook::place_order(
			RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Sell, usd(61_000), 2 * STEP, OrderKind::Limit, true,
		));
		assert_eq!(open_order(2).map(|o| (o.reduce_only, o.margin, o.deposit)), Some((true, 0, DEPOSIT)));
		assert_eq!(order_margin(&sub(ALICE, 0)), DEPOSIT);
	});
}

/// Attack 16 (storage without a deposit): every resting order sets its deposit aside from
/// collateral, a reduce-only one too, so an account that cannot back the deposit rests
/// nothing, and a cancelled order gives it back.
#[test]
fn no_order_rests_without_collateral_for_its_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 2, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel));
		limit_order_margin(&sub(ALICE, 0), DEPOSIT - 1);
		let reduce = || {
			Orderbook::place_order(
				RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Sell, usd(61_000), 2 * STEP, OrderKind::Limit, true,
			)
		};
		assert_noop!(reduce(), sp_runtime::DispatchError::Other("order margin"));
		limit_order_margin(&sub(ALICE, 0), DEPOSIT);
		assert_ok!(reduce());
		assert_eq!((order_margin(&sub(ALICE, 0)), OpenOrders::<Test>::get(ALICE)), (DEPOSIT, 1));
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(ALICE), 2));
		assert_eq!((order_margin(&sub(ALICE, 0)), OpenOrders::<Test>::get(ALICE)), (0, 0));
	});
}
