use super::{charged_for, open_order, place};
use crate::{mock::*, CancelReason, Error, Event, OrderKind, Orders};
use clearing_primitives::{collateral::Subaccount, margin::Side};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_crossing_order_fills_best_price_first_then_oldest_first() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_100, 2, OrderKind::Limit)); // id 0
		assert_ok!(place(CAROL, Side::Sell, 60_000, 1, OrderKind::Limit)); // id 1
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit)); // id 2, after Carol's
		// Alice buys 3 steps up to $60,100: Carol's 60,000, Bob's 60,000, one of Bob's 60,100.
		assert_ok!(place(ALICE, Side::Buy, 60_100, 3, OrderKind::ImmediateOrCancel));
		let price = |p: u128| usd(p).into_inner();
		assert_eq!(
			fills(),
			vec![(ALICE, CAROL, price(60_000), STEP), (ALICE, BOB, price(60_000), STEP), (ALICE, BOB, price(60_100), STEP)]
		);
		assert_eq!(open_order(0).unwrap().remaining, STEP);
		assert!(open_order(1).is_none() && open_order(2).is_none());
		// Filled orders gave their deposits back; Bob's half-filled one still holds its own.
		assert_eq!(crate::OpenOrders::<Test>::get(CAROL), 0);
		assert_eq!(crate::OpenOrders::<Test>::get(BOB), 1);
	});
}

#[test]
fn fees_are_paid_per_fill_and_half_goes_to_the_insurance_fund() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 10, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 10, OrderKind::ImmediateOrCancel));
		// 0.01 BTC at $60,000 = $600: taker 0.05% = $0.30, maker 0.02% = $0.12.
		assert_eq!(settlement(&sub(ALICE, 0)), -300_000);
		assert_eq!(settlement(&sub(BOB, 0)), -120_000);
		assert_eq!(fund_revenue(), (210_000, 210_000));
		assert_eq!(settlement(&Orderbook::fee_subaccount()), 210_000);
		assert!(book_events().iter().any(|e| matches!(e,
			Event::OrderFilled { taker_fee: 300_000, maker_fee: 120_000, size, .. } if *size == 10 * STEP)));
	});
}

#[test]
fn an_immediate_or_cancel_order_never_rests() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 3, OrderKind::ImmediateOrCancel));
		assert_eq!(fills().len(), 1);
		assert!(Orderbook::depth(BTC_USD, 5).bids.is_empty());
		assert!(book_events().contains(&Event::OrderCancelled { id: 1, remaining: 2 * STEP, reason: CancelReason::Expired }));
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 0);
	});
}

#[test]
fn a_limit_order_that_uses_its_fills_while_the_book_still_crosses_cancels_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		// One more ask than a call may fill, each of one step, the last the cheapest to leave.
		for price in 60_000..=60_000 + u128::from(MAX_FILLS) {
			assert_ok!(place(BOB, Side::Sell, price, 1, OrderKind::Limit));
		}
		let id = u64::from(MAX_FILLS) + 1;
		assert_ok!(place(ALICE, Side::Buy, 60_100, 10, OrderKind::Limit));
		assert_eq!(fills().len(), MAX_FILLS as usize);
		// The last ask still crosses $60,100: resting the bid would cross the book.
		let depth = Orderbook::depth(BTC_USD, 5);
		assert!(depth.bids.is_empty());
		assert_eq!(depth.asks, vec![(usd(60_000 + u128::from(MAX_FILLS)), STEP)]);
		let left = (10 - u128::from(MAX_FILLS)) * STEP;
		assert!(book_events().contains(&Event::OrderCancelled { id, remaining: left, reason: CancelReason::FillLimit }));
		assert!(open_order(id).is_none());
		assert_eq!(crate::OpenOrders::<Test>::get(ALICE), 0);
		// With nothing left to cross, the rest of a limit order rests as before.
		assert_ok!(place(ALICE, Side::Buy, 60_100, 2, OrderKind::Limit));
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(60_100), STEP)]);
	});
}

#[test]
fn a_limit_order_fills_what_crosses_and_rests_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_050, 3, OrderKind::Limit));
		assert_eq!(Orderbook::depth(BTC_USD, 5).bids, vec![(usd(60_050), 2 * STEP)]);
		assert!(Orderbook::depth(BTC_USD, 5).asks.is_empty());
	});
}

#[test]
fn a_post_only_order_that_would_cross_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_noop!(place(ALICE, Side::Buy, 60_000, 1, OrderKind::PostOnly), Error::<Test>::WouldCross);
		assert_ok!(place(ALICE, Side::Buy, 59_999, 1, OrderKind::PostOnly));
	});
}

#[test]
fn crossing_an_own_order_cancels_the_resting_one() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(ALICE, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(BOB, Side::Sell, 60_010, 1, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_010, 1, OrderKind::ImmediateOrCancel));
		assert!(book_events().contains(&Event::OrderCancelled { id: 0, remaining: STEP, reason: CancelReason::SelfTrade }));
		assert_eq!(fills(), vec![(ALICE, BOB, usd(60_010).into_inner(), STEP)]);
	});
}

#[test]
fn a_maker_the_margin_engine_refuses_loses_its_order_and_matching_goes_on() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_000, 1, OrderKind::Limit));
		refuse(vec![BOB]);
		assert_ok!(place(ALICE, Side::Buy, 60_000, 1, OrderKind::ImmediateOrCancel));
		assert_eq!(fills(), vec![(ALICE, CAROL, usd(60_000).into_inner(), STEP)]);
		assert!(book_events().contains(&Event::OrderCancelled { id: 0, remaining: STEP, reason: CancelReason::MarginRefused }));
		assert_eq!(crate::OpenOrders::<Test>::get(BOB), 0);
	});
}

#[test]
fn a_taker_the_margin_engine_refuses_fails_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		refuse(vec![ALICE]);
		assert_noop!(
			place(ALICE, Side::Buy, 60_000, 1, OrderKind::Limit),
			sp_runtime::DispatchError::Other("margin")
		);
		assert_eq!(open_order(0).unwrap().remaining, STEP);
	});
}

#[test]
fn reduce_only_orders_only_reduce() {
	ExtBuilder::default().build_and_execute(|| {
		let reduce = |who, side, steps| Orderbook::place_order(RuntimeOrigin::signed(who), 0, BTC_USD, side, usd(60_000),
			steps * STEP, OrderKind::Limit, true).map(|_| ()).map_err(|e| e.error);
		assert_noop!(reduce(ALICE, Side::Sell, 1), Error::<Test>::NothingToReduce);
		assert_ok!(place(BOB, Side::Sell, 60_000, 2, OrderKind::Limit));
		assert_ok!(place(ALICE, Side::Buy, 60_000, 2, OrderKind::ImmediateOrCancel));
		// Alice is long 2 steps: a reduce-only sell of 5 is clipped to 2.
		assert_ok!(reduce(ALICE, Side::Sell, 5));
		let order = Orders::<Test>::iter_values().find(|o| o.owner == Subaccount::new(ALICE, 0)).unwrap();
		assert_eq!(order.remaining, 2 * STEP);
	});
}

#[test]
fn an_order_is_charged_for_the_fills_it_made_at_the_margin_engines_reported_weight() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_001, 1, OrderKind::Limit));
		let declared = Orderbook::place_order_weight(<<Test as crate::Config>::MaxFills as frame_support::traits::Get<u32>>::get());
		let info = Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Buy, usd(60_001), 2 * STEP,
			OrderKind::ImmediateOrCancel, false).expect("fills both");
		assert_eq!(info.actual_weight, Some(charged_for(2)));
		assert!(charged_for(2).ref_time() < declared.ref_time());
		// A maker the engine refuses is charged at the engine's worst case.
		assert_ok!(place(BOB, Side::Sell, 60_000, 1, OrderKind::Limit));
		assert_ok!(place(CAROL, Side::Sell, 60_000, 1, OrderKind::Limit));
		refuse(vec![BOB]);
		let info = Orderbook::place_order(RuntimeOrigin::signed(ALICE), 0, BTC_USD, Side::Buy, usd(60_000), STEP,
			OrderKind::ImmediateOrCancel, false).expect("fills Carol's");
		let worst = frame_support::weights::Weight::from_parts(MOCK_WORST_FILL_WEIGHT - MOCK_FILL_WEIGHT, 0);
		assert_eq!(info.actual_weight, Some(charged_for(2).saturating_add(worst)));
	});
}
