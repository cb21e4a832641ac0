//! A market's status decides which orders it takes; cancels and liquidation closes go on.

use super::place;
use crate::{mock::*, Error, OrderKind, Orders};
use clearing_primitives::margin::{LiquidationBook, MarginEngine, MarketStatus, Side};
use frame_support::{assert_noop, assert_ok};

/// `who`'s reduce-only `kind` order of `steps` × 0.001 BTC at `$price`.
fn place_reducing(who: AccountId, side: Side, price: u128, steps: u128) -> sp_runtime::DispatchResult {
	Orderbook::place_order(
		RuntimeOrigin::signed(who),
		0,
		BTC_USD,
		side,
		usd(price),
		steps * STEP,
		OrderKind::ImmediateOrCancel,
		true,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

/// Alice long 0.010 BTC from Carol's ask; Bob bids 0.010 at $59,000 and rests an order.
fn alice_long_with_bids() -> u64 {
	assert_ok!(place(CAROL, Side::Sell, 60_000, 10, OrderKind::Limit));
	assert_ok!(place(ALICE, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
	assert_ok!(place(BOB, Side::Buy, 59_000, 10, OrderKind::Limit));
	Orders::<Test>::iter_keys().next().map(|(_, id)| id).expect("Bob's bid rests")
}

#[test]
fn a_halted_market_takes_no_order_but_lets_owners_cancel() {
	ExtBuilder::default().build_and_execute(|| {
		let bid = alice_long_with_bids();
		BtcStatus::set(&MarketStatus::Halted);
		for kind in [OrderKind::Limit, OrderKind::ImmediateOrCancel, OrderKind::PostOnly] {
			assert_noop!(place(CAROL, Side::Sell, 61_000, 1, kind), Error::<Test>::MarketHalted);
		}
		assert_noop!(place_reducing(ALICE, Side::Sell, 59_000, 1), Error::<Test>::MarketHalted);
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(BOB), bid));
		assert!(Orders::<Test>::get(BOB, bid).is_none());
	});
}

#[test]
fn a_post_only_market_takes_only_post_only_orders() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_with_bids();
		BtcStatus::set(&MarketStatus::PostOnly);
		assert_noop!(place(CAROL, Side::Sell, 61_000, 1, OrderKind::Limit), Error::<Test>::MarketPostOnly);
		assert_noop!(place_reducing(ALICE, Side::Sell, 59_000, 1), Error::<Test>::MarketPostOnly);
		let before = Orders::<Test>::iter().count();
		assert_ok!(place(CAROL, Side::Sell, 61_000, 1, OrderKind::PostOnly));
		assert_eq!(Orders::<Test>::iter().count(), before + 1);
	});
}

#[test]
fn a_reduce_only_market_takes_only_reduce_only_orders() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_with_bids();
		BtcStatus::set(&MarketStatus::ReduceOnly);
		assert_noop!(place(CAROL, Side::Sell, 61_000, 1, OrderKind::Limit), Error::<Test>::MarketReduceOnly);
		assert_noop!(
			place(CAROL, Side::Sell, 61_000, 1, OrderKind::PostOnly),
			Error::<Test>::MarketReduceOnly
		);
		// Alice sells 0.004 of her long into Bob's bid.
		assert_ok!(place_reducing(ALICE, Side::Sell, 59_000, 4));
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 6 * STEP as i128);
	});
}

#[test]
fn a_liquidation_close_trades_in_post_only_and_reduce_only_markets_but_not_in_a_halted_one() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_with_bids();
		let close = || {
			<Orderbook as LiquidationBook<_>>::close(&sub(ALICE, 0), BTC_USD, Side::Sell, 2 * STEP, usd(1), MAX_FILLS)
				.map(|closed| (closed.size, closed.notional))
		};
		BtcStatus::set(&MarketStatus::Halted);
		assert_eq!(close(), Ok((0, 0)));
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 10 * STEP as i128);
		BtcStatus::set(&MarketStatus::PostOnly);
		assert_eq!(close(), Ok((2 * STEP, 118 * USDC)));
		BtcStatus::set(&MarketStatus::ReduceOnly);
		assert_eq!(close(), Ok((2 * STEP, 118 * USDC)));
		assert_eq!(MockMargin::position_size(&sub(ALICE, 0), BTC_USD), 6 * STEP as i128);
	});
}
