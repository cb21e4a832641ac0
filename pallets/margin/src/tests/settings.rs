//! Leverage per market and isolated subaccounts (`set_leverage`, `set_isolated`).
//!
//! ATTACKS tried here:
//! - 1 (walk away from debt): a chosen leverage only ever raises the initial requirement, never
//!   maintenance or below the market's own fraction; a stricter one that the collateral cannot
//!   meet is refused; the deposit is collateral set aside inside the subaccount (its initial
//!   requirement), never moved out, so a liquidation or bad-debt settlement reaches it
//!   (`the_deposit_stays_in_the_subaccount`).
//! - 10 (corner a market): the market's open-interest-scaled fraction still applies on top of a
//!   high leverage (`max` of both).
//! - 16 (storage): settings are stored only off the default, with a deposit set aside from the
//!   subaccount's collateral and released when they go; the list is bounded
//!   (`TooManyLeverageChoices`).
//! - 18 (extreme input): leverage 0 and 255, unknown markets: named errors or the market's own
//!   fraction, nothing written.
//! - 8 (isolation as a shield): an isolated subaccount is refused other markets when opening
//!   a position and when reserving an order's margin, so nothing lands beside the isolated
//!   position; isolating is refused while other positions or any orders rest.

use super::{apply, trade, two_more_markets};
use crate::{mock::*, Error, Event, MarginSettings, Settings};
use clearing_primitives::{
	collateral::{CollateralLedger, MarginGuard},
	margin::{Fill, MarginEngine, Side},
};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::Permill;

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn initial_of(who: AccountId, number: u16) -> u128 {
	Margin::account_health(who, number).expect("readable").initial_requirement
}

/// The deposit `who`'s subaccount `number` has set aside for its settings.
fn deposit_of(who: AccountId, number: u16) -> u128 {
	Margin::settings_of(&sub(who, number)).deposit
}

#[test]
fn a_lower_leverage_raises_the_initial_requirement_only() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		let before = Margin::account_health(ALICE, 0).expect("readable");
		assert_eq!(before.initial_requirement, 3_000 * USDC);

		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 5));
		let after = Margin::account_health(ALICE, 0).expect("readable");
		// 1/5 of $60,000, and the deposit set aside.
		assert_eq!(after.initial_requirement, 12_000 * USDC + SETTINGS_DEPOSIT);
		assert_eq!(after.maintenance_requirement, before.maintenance_requirement);
		// Nothing left the subaccount.
		assert_eq!(after.equity, before.equity);
		assert_eq!(deposit_of(ALICE, 0), SETTINGS_DEPOSIT);
		assert!(margin_events().contains(&Event::LeverageSet {
			subaccount: sub(ALICE, 0),
			market: BTC_USD,
			leverage: Some(5),
			initial_fraction: Permill::from_percent(20),
		}));
		// Bob, not Alice's choice, keeps the market's 5%.
		assert_eq!(initial_of(BOB, 0), 3_000 * USDC);
	});
}

#[test]
fn a_leverage_the_collateral_cannot_meet_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 5_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		let settlement_before = settlement(&sub(ALICE, 0));
		// 1/2 of $60,000 is far above $5,000 of equity.
		assert_noop!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 2), Error::<Test>::InitialMarginBreached);
		assert_eq!(settlement(&sub(ALICE, 0)), settlement_before);
		assert_eq!(Settings::<Test>::get(sub(ALICE, 0)), None);
	});
}

#[test]
fn a_subaccount_without_collateral_cannot_pay_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Margin::set_leverage(origin(ALICE), 3, BTC_USD, 10), Error::<Test>::InitialMarginBreached);
		assert_noop!(Margin::set_isolated(origin(ALICE), 3, Some(BTC_USD)), Error::<Test>::InitialMarginBreached);
	});
}

#[test]
fn the_market_s_own_leverage_clears_the_choice_and_returns_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 10));
		assert_eq!(initial_of(ALICE, 0), SETTINGS_DEPOSIT);
		// 1/20 = 5%, the market's own fraction; 255 allows even less: both clear the choice.
		for most in [20, 255] {
			assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 10));
			assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, most));
			assert_eq!(Settings::<Test>::get(sub(ALICE, 0)), None);
			assert_eq!(initial_of(ALICE, 0), 0);
		}
		assert_eq!(settlement(&sub(ALICE, 0)), (1_000 * USDC) as i128);
		assert!(margin_events().contains(&Event::SettingsDepositReturned {
			subaccount: sub(ALICE, 0),
			amount: SETTINGS_DEPOSIT,
		}));
	});
}

#[test]
fn bad_leverage_input_is_named() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_noop!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 0), Error::<Test>::InvalidLeverage);
		assert_noop!(Margin::set_leverage(origin(ALICE), 0, 77, 5), Error::<Test>::MarketNotFound);
		assert_noop!(Margin::set_isolated(origin(ALICE), 0, Some(77)), Error::<Test>::MarketNotFound);
	});
}

#[test]
fn the_choice_list_is_bounded_and_a_full_one_can_still_change_its_entries() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 10));
		// Fill the list to its bound (markets that need not exist for the bound to bite).
		let mut settings = Settings::<Test>::get(sub(ALICE, 0)).expect("stored");
		let fillers = (100..131).map(|market| (market, 2u8));
		for entry in fillers {
			settings.leverage.try_push(entry).expect("below the bound");
		}
		Settings::<Test>::insert(sub(ALICE, 0), settings);
		two_more_markets();
		assert_noop!(Margin::set_leverage(origin(ALICE), 0, 2, 10), Error::<Test>::TooManyLeverageChoices);
		// Changing a market already chosen takes no new room.
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 4));
		assert_eq!(Margin::settings_of(&sub(ALICE, 0)).leverage_in(BTC_USD), Some(4));
		// Leave storage as `try_state` expects: only real choices.
		let real = MarginSettings {
			leverage: BoundedVec::truncate_from(vec![(BTC_USD, 4)]),
			..Margin::settings_of(&sub(ALICE, 0))
		};
		Settings::<Test>::insert(sub(ALICE, 0), real);
	});
}

#[test]
fn resting_orders_set_aside_the_chosen_fraction() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 4));
		let reserved = <Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, ONE_BTC, usd(60_000), 0)
			.map(|(amount, _)| amount);
		// 25% of $60,000, not the market's 5%.
		assert_eq!(reserved, Ok(15_000 * USDC));
	});
}

#[test]
fn a_fill_beyond_the_chosen_leverage_is_refused_though_the_market_allows_it() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 2));
		// $30,000 at 2x against under $10,000 of equity.
		assert_noop!(trade(Side::Buy, ONE_BTC, 60_000), Error::<Test>::InitialMarginBreached);
		// 0.3 BTC needs $9,000: it fits.
		assert_ok!(trade(Side::Buy, 3 * ONE_BTC / 10, 60_000));
		assert_eq!(initial_of(ALICE, 0), 9_000 * USDC + SETTINGS_DEPOSIT);
	});
}

#[test]
fn open_interest_still_raises_a_high_leverage_s_fraction() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000_000 * USDC);
		fund(&sub(BOB, 0), 1_000_000 * USDC);
		// 10x (10%) chosen; 15 BTC of open interest is halfway from 10 to 20: 52.5%.
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 10));
		assert_ok!(trade(Side::Buy, 15 * ONE_BTC, 60_000));
		assert_eq!(initial_of(ALICE, 0), initial_of(BOB, 0) + SETTINGS_DEPOSIT);
		assert!(initial_of(ALICE, 0) > 15 * 6_000 * USDC);
	});
}

#[test]
fn an_isolated_subaccount_holds_and_quotes_its_own_market_only() {
	ExtBuilder::default().build_and_execute(|| {
		two_more_markets();
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		// It holds BTC: it cannot be isolated to market 2.
		assert_noop!(Margin::set_isolated(origin(ALICE), 0, Some(2)), Error::<Test>::OtherMarketsHeld);
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, Some(BTC_USD)));
		assert!(margin_events().contains(&Event::IsolationSet { subaccount: sub(ALICE, 0), market: Some(BTC_USD) }));
		// No position in another market, as taker or maker…
		let in_market_2 = |taker, maker| Fill {
			market: 2,
			taker,
			maker,
			taker_side: Side::Buy,
			price: usd(100),
			size: ONE_BTC / 1_000,
		};
		assert_noop!(apply(&in_market_2(sub(ALICE, 0), sub(BOB, 0))), Error::<Test>::IsolatedMarket);
		assert_noop!(apply(&in_market_2(sub(BOB, 0), sub(ALICE, 0))), Error::<Test>::IsolatedMarket);
		// …and no order resting there.
		assert_noop!(
			<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), 2, Side::Buy, ONE_BTC, usd(100), 0),
			Error::<Test>::IsolatedMarket
		);
		// Its own market trades on.
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		// Back to cross margin: the deposit is released and market 2 opens.
		let before = initial_of(ALICE, 0);
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, None));
		assert_eq!(initial_of(ALICE, 0), before - SETTINGS_DEPOSIT);
		assert_ok!(apply(&in_market_2(sub(ALICE, 0), sub(BOB, 0))));
	});
}

#[test]
fn isolating_waits_for_resting_orders() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		assert_ok!(<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, ONE_BTC, usd(60_000), 0));
		assert_noop!(Margin::set_isolated(origin(ALICE), 0, Some(BTC_USD)), Error::<Test>::OrdersResting);
	});
}

#[test]
fn leverage_and_isolation_share_one_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, Some(BTC_USD)));
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 3));
		assert_eq!(initial_of(ALICE, 0), SETTINGS_DEPOSIT);
		// Clearing one keeps the deposit while the other stays.
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, None));
		assert_eq!(deposit_of(ALICE, 0), SETTINGS_DEPOSIT);
		assert_ok!(Margin::set_leverage(origin(ALICE), 0, BTC_USD, 100));
		assert_eq!(deposit_of(ALICE, 0), 0);
		assert_eq!(initial_of(ALICE, 0), 0);
	});
}

#[test]
fn the_deposit_stays_in_the_subaccount() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 2 * SETTINGS_DEPOSIT);
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, Some(BTC_USD)));
		// Its collateral never moved: a liquidation or a seizure finds all of it.
		assert_eq!(settlement(&sub(ALICE, 0)), (2 * SETTINGS_DEPOSIT) as i128);
		// What is set aside cannot leave: a transfer out must leave the deposit covered.
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 0), &sub(ALICE, 9), SETTINGS_DEPOSIT));
		assert_ok!(<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)));
		assert_ok!(MockLedger::move_settlement(&sub(ALICE, 0), &sub(ALICE, 9), 1));
		assert_noop!(
			<Margin as MarginGuard<_>>::ensure_initial_margin(&sub(ALICE, 0)),
			Error::<Test>::InitialMarginBreached
		);
	});
}

#[test]
fn an_isolated_subaccount_may_still_hold_deposits_of_any_kind() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000 * USDC);
		assert_ok!(Margin::set_isolated(origin(ALICE), 0, Some(ETH_USD)));
		// A dead-man's switch or a trigger sets only a deposit aside, under a placeholder
		// market: isolation does not refuse it.
		assert_ok!(<Margin as MarginEngine<_>>::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, 0, usd(1), 100));
	});
}
