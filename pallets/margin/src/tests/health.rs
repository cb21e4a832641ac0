use super::{apply, trade};
use crate::{mock::*, Error, Health};
use clearing_primitives::{
	collateral::{CollateralLedger, MarginGuard},
	margin::{Fill, Side},
	oracle::PriceStatus,
};
use frame_support::{assert_noop, assert_ok};

#[test]
fn health_is_equity_against_the_requirements() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_eq!(
			Margin::account_health(ALICE, 0),
			Some(Health {
				equity: 10_000 * USDC as i128,
				initial_requirement: 3_000 * USDC,
				maintenance_requirement: 1_800 * USDC,
				free_collateral: 7_000 * USDC as i128,
				liquidatable: false,
			})
		);
		set_price(BTC, usd(52_000), PriceStatus::Fresh);
		let h = Margin::account_health(ALICE, 0).unwrap();
		assert_eq!(h.equity, 2_000 * USDC as i128);
		assert!(!h.liquidatable);
		assert_eq!(Margin::position_views(ALICE, 0)[0].unrealized_pnl, -8_000 * USDC as i128);
		set_price(BTC, usd(51_000), PriceStatus::Fresh);
		assert!(Margin::account_health(ALICE, 0).unwrap().liquidatable);
		// The short gained what the long lost.
		assert_eq!(Margin::account_health(BOB, 0).unwrap().equity, 19_000 * USDC as i128);
	});
}

#[test]
fn the_liquidation_price_is_where_equity_meets_maintenance() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		let price = Margin::liquidation_price_of(ALICE, 0, BTC_USD).unwrap();
		// 60,000 − 8,200 / 0.97 = 51,546.39…
		assert!(price > usd(51_546) && price < usd(51_547), "{price:?}");
		set_price(BTC, usd(51_547), PriceStatus::Fresh);
		assert!(!Margin::account_health(ALICE, 0).unwrap().liquidatable);
		set_price(BTC, usd(51_546), PriceStatus::Fresh);
		assert!(Margin::account_health(ALICE, 0).unwrap().liquidatable);
		// The short's is above: 60,000 + 8,200 / 1.03.
		let short = Margin::liquidation_price_of(BOB, 0, BTC_USD).unwrap();
		assert!(short > usd(67_961) && short < usd(67_962), "{short:?}");
		assert_eq!(Margin::liquidation_price_of(ALICE, 5, BTC_USD), None);
	});
}

#[test]
fn the_guard_refuses_a_withdrawal_below_the_initial_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		// No position: anything goes.
		assert_ok!(<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 3)));
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)));
		// As if $7,000 and one unit were withdrawn.
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 0), &sub(ALICE, 9), 7_000 * USDC + 1));
		assert_noop!(
			<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)),
			Error::<Test>::InitialMarginBreached
		);
		// A stale price refuses too: no fresh mark, no new risk and no withdrawal.
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 9), &sub(ALICE, 0), 7_000 * USDC + 1));
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		assert_noop!(
			<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)),
			Error::<Test>::NoFreshPrice
		);
	});
}

#[test]
fn a_subaccount_holds_at_most_max_positions() {
	ExtBuilder::default().build_and_execute(|| {
		super::two_more_markets();
		fund(&sub(ALICE, 0), 1_000_000 * USDC);
		fund(&sub(BOB, 0), 1_000_000 * USDC);
		let fill = |market| Fill {
			market,
			taker: sub(ALICE, 0),
			maker: sub(BOB, 0),
			taker_side: Side::Buy,
			price: usd(100),
			size: ONE_BTC,
		};
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(apply(&fill(2)));
		assert_ok!(apply(&fill(3)));
		assert_eq!(crate::PositionCount::<Test>::get(sub(ALICE, 0)), 3);
		// A fourth position (ETH-USD, the mock's fourth market) is refused.
		assert_noop!(
			apply(&Fill { market: ETH_USD, price: usd(3_000), size: 10u128.pow(18), ..fill(0) }),
			Error::<Test>::TooManyPositions
		);
	});
}
