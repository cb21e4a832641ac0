mod authorize;
mod backstop;
mod batch;
mod debtors;
mod book;
mod deleverage;
mod keeper;
mod preconditions;
mod properties;

use crate::mock::*;
use clearing_primitives::{
	collateral::Subaccount,
	margin::{Fill, MarginEngine, Side},
};
use frame_support::assert_ok;

/// `who`'s subaccount 0, funded with `collateral` USDC, buys `size` BTC at `$price` from
/// `from` (funded with $1,000,000).
pub fn open(who: AccountId, collateral: u128, side: Side, size: u128, price: u128, from: Subaccount<AccountId>) {
	fund(&sub(who, 0), collateral * USDC);
	if settlement(&from) == 0 {
		fund(&from, 1_000_000 * USDC);
	}
	assert_ok!(Margin::apply_fill(&Fill {
		market: BTC_USD,
		taker: sub(who, 0),
		maker: from,
		taker_side: side,
		price: usd(price),
		size,
	})
	.map_err(|r| r.error));
}

/// Alice: $3,000 carrying a 1 BTC long bought at $60,000 from Bob.
pub fn alice_long() {
	open(ALICE, 3_000, Side::Buy, ONE_BTC, 60_000, sub(BOB, 0));
}

pub fn liquidate(who: &Subaccount<AccountId>) -> sp_runtime::DispatchResult {
	Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), who.clone(), Default::default())
		.map(|_| ())
		.map_err(|e| e.error)
}

pub fn position(who: AccountId) -> i128 {
	Margin::position_size(&sub(who, 0), BTC_USD)
}

pub fn equity(who: &Subaccount<AccountId>) -> i128 {
	pallet_margin::Pallet::<Test>::health(who, clearing_primitives::collateral::Valuation::Maintenance)
		.expect("health")
		.equity
}

pub fn liquidatable(who: &Subaccount<AccountId>) -> bool {
	pallet_margin::Pallet::<Test>::health(who, clearing_primitives::collateral::Valuation::Maintenance)
		.expect("health")
		.liquidatable
}

/// `victim` long about 1 BTC from $60,000 on $3,000, bankrupt (about $1,000 under) at
/// $56,000 with an empty fund; `counterparties` shorts in profit, one per share of the
/// long ($4,000 of collateral each), to deleverage.
pub fn bankrupt_scenario(victim: &Subaccount<AccountId>, counterparties: u32) -> Vec<Subaccount<AccountId>> {
	// Opened at $60,000 even if an earlier scenario left BTC lower (the batch benchmark).
	btc_at(60_000);
	fund(victim, 3_000 * USDC);
	let shorts: Vec<_> = (0..counterparties.max(1)).map(|i| sub(100 + u64::from(i), 0)).collect();
	for short in &shorts {
		fund(short, 4_000 * USDC);
		assert_ok!(Margin::apply_fill(&Fill {
			market: BTC_USD,
			taker: victim.clone(),
			maker: short.clone(),
			taker_side: Side::Buy,
			price: usd(60_000),
			size: STEP * (1_000 / u128::from(counterparties.max(1))),
		})
		.map_err(|r| r.error));
	}
	btc_at(56_000);
	shorts
}
