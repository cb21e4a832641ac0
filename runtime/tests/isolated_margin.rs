//! Isolated subaccounts against the real order book and margin engine: what rests only a
//! deposit (a trigger, a dead-man's switch) meets the isolation rule too.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 8 / 1 (isolation as a shield): a trigger in another market is refused at placement
//!   (`margin.IsolatedMarket`), so nothing waits to land beside the isolated position.
//! - 18: the dead-man's switch, whose deposit names no market, still arms on an isolated
//!   subaccount.

mod common;

use clearing_primitives::{margin::Side, USDC_ASSET_ID};
use common::*;
use pallet_orderbook::TriggerKind;

const BTC_USD: u32 = 0;

#[test]
fn an_isolated_subaccount_places_triggers_in_its_own_market_only_and_keeps_its_switch() {
	run(|| {
		let who = trader("isolated", 10_000);
		deposit(&who, 0, USDC_ASSET_ID, 5_000 * USDC);
		send(&who, pallet_margin::Call::set_isolated { subaccount: 0, market: Some(ETH_USD) }).expect("isolated");
		let stop = |market| pallet_orderbook::Call::place_trigger {
			subaccount: 0,
			market,
			side: Side::Buy,
			kind: TriggerKind::StopMarket,
			trigger_price: if market == BTC_USD { usd(70_000) } else { usd(3_500) },
			price: if market == BTC_USD { usd(71_000) } else { usd(3_550) },
			size: Some(if market == BTC_USD { 10_000 } else { 1_000_000_000_000_000 }),
			reduce_only: false,
		};
		assert_eq!(error_of(send(&who, stop(BTC_USD))), pallet_margin::Error::<clearing_runtime::Runtime>::IsolatedMarket.into());
		send(&who, stop(ETH_USD)).expect("its own market takes a trigger");
		let at = block_number() + 10;
		send(&who, pallet_orderbook::Call::schedule_cancel { subaccount: 0, at: Some(at) }).expect("the switch arms");
		check_invariants();
	});
}
