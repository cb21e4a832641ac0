mod fills;
mod funding;
mod health;
mod markets;
mod orders;
mod properties;
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
