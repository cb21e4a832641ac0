use crate::{mock::*, Collateral, Error, Event, TotalCollateral};
use frame_support::{assert_noop, assert_ok};

#[test]
fn withdraw_pays_the_owner_and_debits_the_subaccount() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 1, USDC, 500 * USDC_UNIT));
		let before = balance(USDC, ALICE);
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 1, USDC, 200 * USDC_UNIT));
		assert_eq!(balance(USDC, ALICE), before + 200 * USDC_UNIT);
		assert_eq!(held(&sub(ALICE, 1), USDC), 300 * USDC_UNIT);
		assert_eq!(TotalCollateral::<Test>::get(USDC), 300 * USDC_UNIT);
		assert_eq!(
			vault_events().last(),
			Some(&Event::Withdrawn { subaccount: sub(ALICE, 1), asset: USDC, amount: 200 * USDC_UNIT })
		);
	});
}

#[test]
fn withdrawing_everything_leaves_no_entry_and_keeps_the_vault_alive() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 5 * CLR_UNIT));
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, CLR, 5 * CLR_UNIT));
		assert!(!Collateral::<Test>::contains_key(sub(ALICE, 0), CLR));
		assert_eq!(Balances::free_balance(ALICE), 1_000 * CLR_UNIT);
		assert_eq!(balance(CLR, vault()), CLR_ED);
	});
}

#[test]
fn over_withdrawing_fails_with_insufficient_collateral_and_moves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 100 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(BOB), 0, USDC, 100 * USDC_UNIT));
		// The vault holds Bob's 100 too: Alice still cannot take more than her own.
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, USDC, 100 * USDC_UNIT + 1),
			Error::<Test>::InsufficientCollateral
		);
		// Another of her subaccounts holds nothing.
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 1, USDC, 1),
			Error::<Test>::InsufficientCollateral
		);
	});
}

#[test]
fn a_withdrawal_the_margin_engine_refuses_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 100 * USDC_UNIT));
		margin_refuses(true);
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, USDC, USDC_UNIT),
			Error::<Test>::WouldBreachMargin
		);
		margin_refuses(false);
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, USDC, USDC_UNIT));
	});
}

#[test]
fn withdrawals_work_for_disabled_assets_but_not_for_unregistered_ones() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT));
		let mut config = btc_config();
		config.enabled = false;
		assert_ok!(Vaults::set_collateral_asset(RuntimeOrigin::root(), BTC, config));
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT));
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, ETH, 1),
			Error::<Test>::NotCollateral
		);
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, BTC, 0),
			Error::<Test>::ZeroAmount
		);
	});
}

#[test]
fn only_signed_origins_move_collateral() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::root(), 0, USDC, 1),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::none(), 0, USDC, USDC_UNIT),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}
