//! Triggers against the whole runtime (the `dev` genesis, the real margin engine and oracle):
//! a storm of stops fired by one price move stays within the hook's share of the block.
//!
//! Attacks tried (../shared/ATTACKS.md): 15 Weights (a trigger storm: 256 stops crossed by
//! one move all fire in the next block, soonest first, within `TriggerBlockWeight`, a third
//! of the block).

mod common;

use clearing_primitives::{margin::Side, BTC_ASSET_ID, USDC_ASSET_ID};
use clearing_runtime::{configs::RuntimeBlockWeights, Runtime, RuntimeEvent};
use common::*;
use frame_support::traits::Get;
use pallet_orderbook::TriggerKind;

/// 0.0001 BTC, the market's step.
const BTC_STEP: u128 = 10_000;
const BTC_USD: u32 = 0;

fn fired_in_this_block() -> usize {
	frame_system::Pallet::<Runtime>::events()
		.into_iter()
		.filter(|record| {
			matches!(record.event, RuntimeEvent::Orderbook(pallet_orderbook::Event::TriggerFired { result: Ok(_), .. }))
		})
		.count()
}

#[test]
fn a_storm_of_256_stops_fires_in_one_block_within_a_third_of_it() {
	run(|| {
		let per_account: u32 = <Runtime as pallet_orderbook::Config>::MaxOpenTriggers::get();
		let storm = 256u32;
		// 16 accounts × 16 stop-sell limits, each account's at its own price from $59,900 down
		// by $10: once fired they rest as asks (16 levels of 16 orders).
		for k in 0..storm / per_account {
			let who = trader(&format!("stop {k}"), 2_000);
			deposit(&who, 0, USDC_ASSET_ID, 1_000 * USDC);
			let price = usd(59_900 - 10 * u128::from(k));
			for _ in 0..per_account {
				send(
					&who,
					pallet_orderbook::Call::place_trigger {
						subaccount: 0,
						market: BTC_USD,
						side: Side::Sell,
						kind: TriggerKind::StopLimit,
						trigger_price: price,
						price,
						size: Some(BTC_STEP),
						reduce_only: false,
					},
				)
				.expect("the stop waits");
			}
		}
		next_block();
		let quiet = initialize_weight();
		// One move below every stop: fed in this block, aggregated at its end, fired at the
		// start of the next.
		set_price(BTC_ASSET_ID, usd(59_000));
		next_block();
		assert_eq!(fired_in_this_block(), 0, "the new index is aggregated at the block's end");
		// Fired block by block, each block's firing within the budget, until none is left.
		let budget = <Runtime as pallet_orderbook::Config>::TriggerBlockWeight::get();
		let block = RuntimeBlockWeights::get().max_block;
		let mut per_block = Vec::new();
		while pallet_orderbook::Triggers::<Runtime>::iter().next().is_some() && per_block.len() < 10 {
			next_block();
			let firing = initialize_weight().saturating_sub(quiet);
			assert!(firing.all_lte(budget), "{firing:?} over {budget:?}");
			per_block.push((fired_in_this_block(), firing));
		}
		let fired: usize = per_block.iter().map(|(n, _)| n).sum();
		assert_eq!(fired, storm as usize, "every stop fired");
		// Every stop in the first block: each charged what its queue's triggers do not share,
		// and one more admitted while its worst case (`MaxTriggerFills` fills) still fits.
		assert_eq!(per_block.len(), 1, "{per_block:?}");
		let (first, weight) = per_block[0];
		println!(
			"{storm} stops crossed by one move: {:?} fired per block; the first block {first} \
			 ({:.1}% of its ref time, {:.2} G per trigger; worst case per trigger {:.1} G)",
			per_block.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
			weight.ref_time() as f64 * 100.0 / block.ref_time() as f64,
			weight.ref_time() as f64 / first as f64 / 1e9,
			pallet_orderbook::Pallet::<Runtime>::fire_trigger_weight().ref_time() as f64 / 1e9,
		);
		assert_eq!(pallet_orderbook::Triggers::<Runtime>::iter().count(), 0);
	});
}
