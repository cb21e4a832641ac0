//! Property test: any sequence of orders keeps the book consistent, positions zero-sum and
//! every resting order backed by its deposit.

use crate::{mock::*, OrderKind};
use clearing_primitives::{
	margin::{MarginEngine, Side},
	Price,
};
use proptest::prelude::*;

fn kind(k: u8) -> OrderKind {
	[OrderKind::Limit, OrderKind::ImmediateOrCancel, OrderKind::PostOnly][k as usize % 3]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]
	#[test]
	fn the_book_stays_consistent(
		orders in proptest::collection::vec((0u64..3, any::<bool>(), 59_990u128..60_010, 1u128..4, 0u8..3), 1..40),
	) {
		ExtBuilder::default().build_and_execute(|| {
			for (who, buy, price, steps, k) in orders {
				let side = if buy { Side::Buy } else { Side::Sell };
				let _ = Orderbook::place_order(RuntimeOrigin::signed(who + 1), 0, BTC_USD, side,
					usd(price), steps * STEP, kind(k), false);
				Orderbook::do_try_state().expect("consistent after every order");
			}
			let net: i128 = [ALICE, BOB, CAROL].iter()
				.map(|who| MockMargin::position_size(&sub(*who, 0), BTC_USD)).sum();
			assert_eq!(net, 0);
			let depth = Orderbook::depth(BTC_USD, 10);
			if let (Some(bid), Some(ask)) = (depth.bids.first(), depth.asks.first()) {
				assert!(bid.0 < ask.0, "the book never rests crossed");
			}
		});
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]
	/// The best price read from the head of a side's stored prices is the first of them
	/// decoded whole, for any count (one- and two-byte compact lengths alike).
	#[test]
	fn the_best_price_is_the_first_stored(prices in proptest::collection::vec(any::<u128>(), 0..200)) {
		ExtBuilder::default().build_and_execute(|| {
			let prices: alloc::vec::Vec<Price> = prices.into_iter().map(Price::from_inner).collect();
			let key = crate::LevelPrices::<Test>::hashed_key_for(BTC_USD, Side::Sell);
			sp_io::storage::set(&key, &codec::Encode::encode(&prices));
			assert_eq!(Orderbook::best_price(BTC_USD, Side::Sell), prices.first().copied());
			sp_io::storage::clear(&key);
		});
	}
}
