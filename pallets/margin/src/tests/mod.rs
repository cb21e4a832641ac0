mod fills;
mod funding;
mod health;
mod markets;
mod orders;
mod portfolio;
mod properties;
mod settings;
mod solvency;
mod status;

use crate::mock::*;
use clearing_primitives::margin::{Fill, MarginEngine, Side};

/// Applies `fill` as the order book would, reporting the refusal's error.
pub fn apply(fill: &Fill<AccountId>) -> sp_runtime::DispatchResult {
	Margin::apply_fill(fill).map(|_| ()).map_err(|refusal| refusal.error)
}

/// Alice's subaccount 0 takes `side` of `size` BTC at `price` from Bob's subaccount 0.
pub fn trade(side: Side, size: u128, price: u128) -> sp_runtime::DispatchResult {
	apply(&Fill {
		market: BTC_USD,
		taker: sub(ALICE, 0),
		maker: sub(BOB, 0),
		taker_side: side,
		price: usd(price),
		size,
	})
}
mod forced;

/// Lists markets 2 and 3 (BTC-USD's rules on assets 12 and 13), priced fresh at $100.
pub fn two_more_markets() {
	for market in [2, 3] {
		let config = crate::MarketConfig { base_asset: 10 + market, ..btc_usd() };
		frame_support::assert_ok!(Margin::create_market(RuntimeOrigin::root(), market, config));
		set_price(10 + market, usd(100), clearing_primitives::oracle::PriceStatus::Fresh);
	}
}
