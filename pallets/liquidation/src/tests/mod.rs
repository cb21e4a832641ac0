mod authorize;
mod backstop;
mod batch;
mod debtors;
mod book;
mod deleverage;
mod keeper;
mod migrations;
mod preconditions;
mod penalty;
mod properties;
mod stall;
mod unwind;

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
	Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), who.clone()).map(|_| ()).map_err(|e| e.error)
}

/// The keeper key's proof of a `keeper_liquidate` of `who` offering `counterparties`,
/// signed this block.
pub fn proof_of(who: &Subaccount<AccountId>, counterparties: &[Subaccount<AccountId>]) -> crate::KeeperProofOf<Test> {
	let statement = crate::proof::Statement::Liquidate { subaccount: who, counterparties };
	Liquidation::prove(&sp_runtime::testing::UintAuthorityId(KEEPER_KEY), &statement, System::block_number())
		.expect("the test key signs")
}

/// The keeper key's proof of a `liquidate_batch` of `subaccounts` at `max_positions`.
pub fn batch_proof(subaccounts: &[Subaccount<AccountId>], max_positions: u32) -> crate::KeeperProofOf<Test> {
	let statement = crate::proof::Statement::Batch { subaccounts, max_positions };
	Liquidation::prove(&sp_runtime::testing::UintAuthorityId(KEEPER_KEY), &statement, System::block_number())
		.expect("the test key signs")
}

/// The chain keeper's liquidation of `who`, offering `counterparties`.
pub fn keeper_liquidate(
	who: &Subaccount<AccountId>,
	counterparties: Vec<Subaccount<AccountId>>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let proof = proof_of(who, &counterparties);
	Liquidation::keeper_liquidate(
		RuntimeOrigin::from(frame_system::RawOrigin::Authorized),
		who.clone(),
		counterparties.try_into().expect("within MaxCounterparties"),
		proof,
	)
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
