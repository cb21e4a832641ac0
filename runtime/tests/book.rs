//! The book against the whole runtime (the `dev` genesis): nobody freezes a side with dust,
//! and no order rests that its owner's collateral does not back.

mod common;

use clearing_primitives::{margin::Side, CLR_ASSET_ID, USDC_ASSET_ID};
use clearing_runtime::Runtime;
use common::*;
use frame_support::traits::Get;
use pallet_orderbook::{CancelReason, OrderKind};

/// 0.001 ETH, the market's step.
const ETH_STEP: u128 = 1_000_000_000_000_000;

fn bid_levels() -> Vec<clearing_primitives::Price> {
	pallet_orderbook::LevelPrices::<Runtime>::get(ETH_USD, Side::Buy).to_vec()
}

#[test]
fn dust_bids_on_every_level_cannot_keep_a_better_bid_out() {
	run(|| {
		// The attack: two accounts fill all 128 bid levels of ETH-USD with 0.001 ETH each,
		// one cent apart from the band's low edge ($2,700) up.
		let max_levels: u32 = <Runtime as pallet_orderbook::Config>::MaxLevels::get();
		let per_account: u32 = <Runtime as pallet_orderbook::Config>::MaxOpenOrders::get();
		let spammers = [trader("spammer one", 200), trader("spammer two", 200)];
		for spammer in &spammers {
			deposit(spammer, 0, USDC_ASSET_ID, 100 * USDC);
		}
		for level in 0..max_levels {
			let spammer = &spammers[(level / per_account) as usize];
			let price = usd(2_700) + cents(u128::from(level));
			send(spammer, order(ETH_USD, Side::Buy, price, ETH_STEP, OrderKind::Limit)).expect("a dust bid rests");
		}
		assert_eq!(bid_levels().len(), max_levels as usize);

		// A real bid below the index still rests: the worst dust level makes way.
		let maker = trader("market maker", 60_000);
		deposit(&maker, 0, USDC_ASSET_ID, 50_000 * USDC);
		send(&maker, order(ETH_USD, Side::Buy, usd(2_990), 10 * ETH_STEP * 1_000, OrderKind::Limit))
			.expect("a better bid rests");
		let levels = bid_levels();
		assert_eq!(levels.first(), Some(&usd(2_990)));
		assert_eq!(levels.len(), max_levels as usize);
		assert!(!levels.contains(&usd(2_700)));
		let evicted = frame_system::Pallet::<Runtime>::events().into_iter().any(|record| {
			matches!(
				record.event,
				clearing_runtime::RuntimeEvent::Orderbook(pallet_orderbook::Event::OrderCancelled {
					reason: CancelReason::Evicted,
					..
				})
			)
		});
		assert!(evicted, "the worst level's order was cancelled as evicted");
		next_block();
	});
}

#[test]
fn an_order_no_collateral_backs_does_not_rest() {
	run(|| {
		// CLR for order deposits and $20 in its wallet, nothing in the vaults.
		let spammer = trader("spammer", 20);
		assert_eq!(
			error_of(send(&spammer, order(ETH_USD, Side::Buy, usd(2_900), ETH_STEP, OrderKind::Limit))),
			pallet_margin::Error::<Runtime>::InitialMarginBreached.into()
		);
		assert!(bid_levels().is_empty());
		// $10 backs 0.05 ETH of bids at 5% of about $3,000 (then no more), and stays put
		// while they rest.
		deposit(&spammer, 0, USDC_ASSET_ID, 10 * USDC);
		send(&spammer, order(ETH_USD, Side::Buy, usd(2_900), 50 * ETH_STEP, OrderKind::Limit)).expect("backed");
		assert_eq!(
			error_of(send(&spammer, order(ETH_USD, Side::Buy, usd(2_900), 20 * ETH_STEP, OrderKind::Limit))),
			pallet_margin::Error::<Runtime>::InitialMarginBreached.into()
		);
		let withdraw = pallet_vaults::Call::withdraw { subaccount: 0, asset: USDC_ASSET_ID, amount: 10 * USDC };
		assert_eq!(
			error_of(send(&spammer, withdraw.clone())),
			pallet_vaults::Error::<Runtime>::WouldBreachMargin.into()
		);
		// Cancelled, the order frees it.
		let id = pallet_orderbook::NextOrderId::<Runtime>::get() - 1;
		send(&spammer, pallet_orderbook::Call::cancel_order { id }).expect("cancels");
		send(&spammer, withdraw).expect("free again");
		next_block();
	});
}

/// The initial check of a position-less subaccount tries its USDC alone first; an order that
/// USDC cannot back is judged on all its collateral, here CLR at its haircut value.
#[test]
fn an_order_backed_by_other_collateral_rests_and_no_more() {
	run(|| {
		let trader = trader("clr only", 0);
		// 20 CLR at $1 less the 25% haircut: $15, and no USDC at all.
		deposit(&trader, 0, CLR_ASSET_ID, 20 * CLR);
		send(&trader, order(ETH_USD, Side::Buy, usd(2_900), 50 * ETH_STEP, OrderKind::Limit))
			.expect("about $7.60 of margin and deposit, backed by the CLR");
		assert_eq!(
			error_of(send(&trader, order(ETH_USD, Side::Buy, usd(2_900), 50 * ETH_STEP, OrderKind::Limit))),
			pallet_margin::Error::<Runtime>::InitialMarginBreached.into()
		);
		next_block();
	});
}
