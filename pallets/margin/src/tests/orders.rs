//! Margin set aside for resting orders (ATTACKS: orders no collateral backs, steering the
//! book and funding for free).

use super::trade;
use crate::{mock::*, Error, OrderMargin};
use clearing_primitives::{
	collateral::{CollateralLedger, MarginGuard},
	margin::{MarginEngine, Side},
	oracle::PriceStatus,
};
use frame_support::{assert_noop, assert_ok, assert_storage_noop};

fn reserve(steps_of_a_tenth: u128, price: u128) -> Result<u128, sp_runtime::DispatchError> {
	<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, steps_of_a_tenth * ONE_BTC / 10, usd(price), 0)
		.map(|(amount, _)| amount)
}

#[test]
fn a_resting_order_sets_its_initial_margin_aside_until_the_collateral_runs_out() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		// 0.1 BTC bid below the index: 5% of its notional at the index ($6,000).
		assert_eq!(reserve(1, 59_000), Ok(300 * USDC));
		// An ask above the index: at its own price.
		assert_eq!(reserve(1, 66_000), Ok(330 * USDC));
		let health = Margin::account_health(ALICE, 0).expect("readable");
		assert_eq!(health.initial_requirement, 630 * USDC);
		assert_eq!(health.free_collateral, 370 * USDC as i128);
		// Maintenance ignores orders: resting never makes an account liquidatable.
		assert_eq!(health.maintenance_requirement, 0);
		// Another $300 fits; a further one does not, and changes nothing.
		assert_eq!(reserve(1, 60_000), Ok(300 * USDC));
		assert_storage_noop!(assert_eq!(reserve(1, 60_000), Err(Error::<Test>::InitialMarginBreached.into())));
		assert_eq!(OrderMargin::<Test>::get(sub(ALICE, 0)), 930 * USDC);
	});
}

#[test]
fn resting_orders_count_beside_positions() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 4_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		// A 1 BTC long needs $3,000; $1,000 is left for orders.
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_noop!(reserve(4, 60_000), Error::<Test>::InitialMarginBreached);
		assert_eq!(reserve(3, 60_000), Ok(900 * USDC));
		// The orders' margin then backs no new position either.
		assert_noop!(trade(Side::Buy, ONE_BTC / 10, 60_000), Error::<Test>::InitialMarginBreached);
	});
}

#[test]
fn collateral_resting_orders_need_cannot_be_withdrawn() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_eq!(reserve(2, 60_000), Ok(600 * USDC));
		// No position, no debt: the orders alone hold $600.
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 0), &sub(ALICE, 9), 400 * USDC));
		assert_ok!(<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)));
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 0), &sub(ALICE, 9), 1));
		assert_noop!(
			<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)),
			Error::<Test>::InitialMarginBreached
		);
		// Released, the collateral is free again.
		<Margin as MarginEngine<_>>::release_order_margin(&sub(ALICE, 0), 600 * USDC);
		assert!(!OrderMargin::<Test>::contains_key(sub(ALICE, 0)));
		assert_ok!(<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)));
	});
}

#[test]
fn releasing_frees_what_was_set_aside_and_never_more() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_eq!(reserve(2, 60_000), Ok(600 * USDC));
		<Margin as MarginEngine<_>>::release_order_margin(&sub(ALICE, 0), 200 * USDC);
		assert_eq!(<Margin as MarginEngine<_>>::order_margin(&sub(ALICE, 0)), 400 * USDC);
		<Margin as MarginEngine<_>>::release_order_margin(&sub(ALICE, 0), 1_000 * USDC);
		assert_eq!(<Margin as MarginEngine<_>>::order_margin(&sub(ALICE, 0)), 0);
	});
}

#[test]
fn no_order_rests_without_a_fresh_index() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		assert_noop!(reserve(1, 60_000), Error::<Test>::NoFreshPrice);
		assert_noop!(
			<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), 9, Side::Buy, ONE_BTC, usd(1), 0),
			Error::<Test>::MarketNotFound
		);
	});
}

/// An order's storage deposit is collateral set aside with its margin: counted in the initial
/// requirement, refused past the free collateral like margin, and all a reduce-only order
/// (no risk, `size` 0) sets aside.
#[test]
fn a_deposit_is_set_aside_beside_the_margin_and_alone_for_a_reduce_only_order() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		let deposit = USDC / 10;
		let reserve_with = |size, deposit| {
			<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, size, usd(59_000), deposit)
				.map(|(margin, _)| margin)
		};
		// 0.1 BTC: $300 of margin (returned) and the deposit beside it.
		assert_eq!(reserve_with(ONE_BTC / 10, deposit), Ok(300 * USDC));
		// A reduce-only order: its deposit only.
		assert_eq!(reserve_with(0, deposit), Ok(0));
		assert_eq!(OrderMargin::<Test>::get(sub(ALICE, 0)), 300 * USDC + 2 * deposit);
		let health = Margin::account_health(ALICE, 0).expect("readable");
		assert_eq!(health.initial_requirement, 300 * USDC + 2 * deposit);
		// Deposits count against free collateral too: $699.80 is left, not $700.
		assert_noop!(reserve_with(0, 700 * USDC), Error::<Test>::InitialMarginBreached);
		assert_ok!(reserve_with(0, 699 * USDC));
	});
}
