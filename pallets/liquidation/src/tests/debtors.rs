//! A debtor with no position: its other collateral backs its settlement debt, and once it no
//! longer covers it (at haircut value) the subaccount is liquidated like any other.
//!
//! Attacks tried (../shared/ATTACKS.md): 1, walk away from debt: close every position at a
//! loss against CLR collateral, then let CLR fall, so the USDC debt outlives what backs it
//! (liquidatable: the backstop seizes the collateral and the fund pays the debt, so no other
//! trader's USDC pays for it and the fund holds what backed it);
//! 13, stale prices: a debtor is never liquidated on a CLR price that is not ready.

use super::*;
use crate::{Error, Event};
use clearing_primitives::oracle::PriceStatus;
use frame_support::assert_noop;

fn clr_at(cents: u128) {
	set_quote(CLR, usd(cents) / usd(100), PriceStatus::Fresh, 10);
}

/// Alice, with $100 and 2,000 CLR at $1, buys 0.1 BTC at $60,000 and sells it at $55,000:
/// flat, owing $400 in USDC, her CLR worth $1,500 after the haircut.
fn alice_flat_in_debt() {
	clr_at(100);
	give_clr(&sub(ALICE, 0), 2_000 * ONE_CLR);
	open(ALICE, 100, Side::Buy, ONE_BTC / 10, 60_000, sub(BOB, 0));
	btc_at(55_000);
	assert_ok!(Margin::apply_fill(&Fill {
		market: BTC_USD,
		taker: sub(ALICE, 0),
		maker: sub(BOB, 0),
		taker_side: Side::Sell,
		price: usd(55_000),
		size: ONE_BTC / 10,
	})
	.map_err(|r| r.error));
	assert_eq!(position(ALICE), 0);
	assert_eq!(settlement(&sub(ALICE, 0)), -400 * USDC as i128);
}

#[test]
fn a_debtor_whose_collateral_covers_its_debt_is_not_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		alice_flat_in_debt();
		assert_eq!(equity(&sub(ALICE, 0)), 1_100 * USDC as i128);
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::NotLiquidatable);
		// A subaccount that owes nothing and holds nothing is not either.
		assert_noop!(liquidate(&sub(CAROL, 0)), Error::<Test>::NotLiquidatable);
	});
}

#[test]
fn a_debtor_whose_collateral_fell_below_its_debt_is_liquidated_and_no_trader_pays() {
	ExtBuilder::default().build_and_execute(|| {
		alice_flat_in_debt();
		seed_fund(1_000 * USDC);
		// CLR at $0.25: 2,000 CLR count for $375 against a $400 debt.
		clr_at(25);
		assert!(liquidatable(&sub(ALICE, 0)));
		let bob_before = settlement(&sub(BOB, 0));
		assert_ok!(liquidate(&sub(ALICE, 0)));
		// The backstop holds her CLR; the fund paid the debt; Alice owes and holds nothing.
		assert_eq!(clr(&sub(ALICE, 0)), 0);
		assert_eq!(clr(&Liquidation::backstop()), 2_000 * ONE_CLR);
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
		assert_eq!(fund_balance(), 600 * USDC);
		assert!(liquidation_events().contains(&Event::BadDebtCovered {
			subaccount: sub(ALICE, 0),
			seized: 375 * USDC,
			from_fund: 400 * USDC,
			from_backstop: 0,
		}));
		assert!(liquidation_events().contains(&Event::Liquidated { subaccount: sub(ALICE, 0), markets: 0, healthy: true }));
		// Bob, the other side of her trades, kept everything he won.
		assert_eq!(settlement(&sub(BOB, 0)), bob_before);
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::NotLiquidatable);
	});
}

#[test]
fn a_debtor_is_not_liquidated_on_a_collateral_price_that_is_not_ready() {
	ExtBuilder::default().build_and_execute(|| {
		alice_flat_in_debt();
		seed_fund(1_000 * USDC);
		set_quote(CLR, usd(1) / usd(4), PriceStatus::Stale, 0);
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::PriceNotReady);
		// Back from staleness: one fresh aggregate is not enough.
		set_quote(CLR, usd(1) / usd(4), PriceStatus::Fresh, 1);
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::PriceNotReady);
		clr_at(25);
		assert_ok!(liquidate(&sub(ALICE, 0)));
	});
}

#[test]
fn an_authorized_batch_takes_a_debtor_with_no_position() {
	ExtBuilder::default().build_and_execute(|| {
		alice_flat_in_debt();
		seed_fund(1_000 * USDC);
		clr_at(25);
		let batch: crate::BatchOf<Test> = vec![sub(ALICE, 0)].try_into().unwrap();
		let proof = batch_proof(&batch, 0);
		assert_ok!(Liquidation::liquidate_batch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized), batch, 0, proof));
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
		assert_eq!(clr(&Liquidation::backstop()), 2_000 * ONE_CLR);
	});
}
