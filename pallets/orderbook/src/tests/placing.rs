use super::{open_order, place};
use crate::{mock::*, Error, Event, LevelPrices, OrderKind};
use clearing_primitives::margin::Side;
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_limit_order_that_crosses_nothing_rests_with_its_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Buy, 59_000, 10, OrderKind::Limit));
		let order = open_order(0).unwrap();
		assert_eq!((order.remaining, order.price, order.deposit), (10 * STEP, usd(59_000), DEPOSIT));
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 1);
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(59_000), 10 * STEP)]);
		assert!(book_events().contains(&Event::OrderRested { id: 0, remaining: 10 * STEP }));
	});
}

#[test]
fn levels_keep_price_order_on_both_sides() {
	ExtBuilder::default().build_and_execute(|| {
		for price in [59_000, 59_500, 58_000] {
			assert_ok!(place(ALICE, Side::Buy, price, 1, OrderKind::Limit));
		}
		for price in [61_000, 60_500, 62_000] {
			assert_ok!(place(BOB, Side::Sell, price, 1, OrderKind::Limit));
		}
		assert_eq!(LevelPrices::<Test>::get(BTC_USD, Side::Buy).to_vec(), vec![usd(59_500), usd(59_000), usd(58_000)]);
		assert_eq!(LevelPrices::<Test>::get(BTC_USD, Side::Sell).to_vec(), vec![usd(60_500), usd(61_000), usd(62_000)]);
		let depth = Orderbook::depth(BTC_USD, 2);
		assert_eq!(depth.asks, vec![(usd(60_500), STEP), (usd(61_000), STEP)]);
	});
}

#[test]
fn orders_must_fit_the_market_rules() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(place(ALICE, Side::Buy, 0, 1, OrderKind::Limit), Error::<Test>::PriceOffTick);
		assert_noop!(
			Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Buy,
				sp_runtime::FixedU128::from_rational(1, 2), STEP, OrderKind::Limit, false),
			Error::<Test>::PriceOffTick
		);
		assert_noop!(
			Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Buy, usd(1), STEP + 1, OrderKind::Limit, false),
			Error::<Test>::SizeOffStep
		);
		assert_noop!(place(ALICE, Side::Buy, 59_000, 0, OrderKind::Limit), Error::<Test>::SizeOffStep);
		assert_noop!(
			Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, 7, Side::Buy, usd(1), STEP, OrderKind::Limit, false),
			Error::<Test>::MarketNotFound
		);
	});
}

#[test]
fn the_book_and_each_account_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		let order = |who, number, side, price| {
			Orderbook::place_order(RuntimeOrigin::signed(who), number, BTC_USD, side, usd(price), STEP, OrderKind::Limit, false)
		};
		// Three orders per level.
		for who in [ALICE, BOB, CAROL] {
			assert_ok!(order(who, 0, Side::Buy, 55_000));
		}
		assert_noop!(order(ALICE, 1, Side::Buy, 55_000), Error::<Test>::BookFull);
		// Six levels per side.
		for (who, price) in [BOB, BOB, CAROL, CAROL, CAROL].into_iter().zip(55_001..) {
			assert_ok!(order(who, 1, Side::Buy, price));
		}
		assert_noop!(order(BOB, 1, Side::Buy, 54_000), Error::<Test>::BookFull);
		// Five open orders per account, whichever subaccounts hold them (Alice has one).
		for price in 65_000..65_004 {
			assert_ok!(order(ALICE, 9, Side::Sell, price));
		}
		assert_noop!(order(ALICE, 9, Side::Sell, 65_004), Error::<Test>::TooManyOpenOrders);
		assert_noop!(order(ALICE, 8, Side::Sell, 65_004), Error::<Test>::TooManyOpenOrders);
		// Each subaccount lists its own, oldest first.
		let listed = Orderbook::open_orders(ALICE, 9);
		assert_eq!(listed.iter().map(|o| o.price).collect::<Vec<_>>(), (65_000..65_004).map(usd).collect::<Vec<_>>());
		assert_eq!(Orderbook::open_orders(ALICE, 0).len(), 1);
		// A cancel frees a place.
		let id = listed[0].id;
		assert_ok!(Orderbook::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert_ok!(order(ALICE, 8, Side::Sell, 65_004));
	});
}
