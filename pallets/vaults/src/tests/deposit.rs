use crate::{mock::*, Error, Event, TotalCollateral};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::TokenError;

#[test]
fn deposit_moves_tokens_into_the_vault_and_credits_the_subaccount() {
	ExtBuilder::default().build_and_execute(|| {
		let before = balance(USDC, ALICE);
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 250 * USDC_UNIT));
		assert_eq!(balance(USDC, ALICE), before - 250 * USDC_UNIT);
		assert_eq!(held(&sub(ALICE, 0), USDC), 250 * USDC_UNIT);
		assert_eq!(TotalCollateral::<Test>::get(USDC), 250 * USDC_UNIT);
		assert_eq!(
			vault_events(),
			vec![Event::Deposited { subaccount: sub(ALICE, 0), asset: USDC, amount: 250 * USDC_UNIT }]
		);
	});
}

#[test]
fn deposits_of_the_native_token_move_real_balance() {
	ExtBuilder::default().build_and_execute(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 3, CLR, 10 * CLR_UNIT));
		assert_eq!(Balances::free_balance(ALICE), 990 * CLR_UNIT);
		assert_eq!(held(&sub(ALICE, 3), CLR), 10 * CLR_UNIT);
		// Moved, not minted.
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_deposit_below_the_minimum_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, USDC_UNIT - 1),
			Error::<Test>::BelowMinimum
		);
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 0),
			Error::<Test>::BelowMinimum
		);
	});
}

#[test]
fn the_cap_limits_the_total_of_all_subaccounts() {
	ExtBuilder::default().build_and_execute(|| {
		// BTC cap: 10 BTC. Alice and Bob hold 5 each; mint more to reach past it.
		mint(BTC, ALICE, 5 * BTC_UNIT);
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, 8 * BTC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(BOB), 0, BTC, 2 * BTC_UNIT));
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(BOB), 0, BTC, BTC_UNIT / 1_000),
			Error::<Test>::CapExceeded
		);
	});
}

#[test]
fn unregistered_and_disabled_assets_take_no_deposits() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, ETH, 1_000_000),
			Error::<Test>::NotCollateral
		);
		let mut config = btc_config();
		config.enabled = false;
		assert_ok!(Vaults::set_collateral_asset(RuntimeOrigin::root(), BTC, config));
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT),
			Error::<Test>::AssetDisabled
		);
	});
}

#[test]
fn a_deposit_larger_than_the_balance_fails_and_moves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 100_001 * USDC_UNIT),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn a_deposit_may_not_reap_the_depositor() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice holds exactly 1,000 CLR; all of it would take her below the existential deposit.
		assert!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 1_000 * CLR_UNIT).is_err());
		assert_eq!(Balances::free_balance(ALICE), 1_000 * CLR_UNIT);
		assert_eq!(held(&sub(ALICE, 0), CLR), 0);
	});
}
