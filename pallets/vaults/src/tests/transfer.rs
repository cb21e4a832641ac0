use crate::{mock::*, Error, Event, TotalCollateral};
use frame_support::{assert_noop, assert_ok};

#[test]
fn transfer_moves_collateral_between_the_owners_subaccounts() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 300 * USDC_UNIT));
		let vault_before = balance(USDC, vault());
		assert_ok!(Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, 7, USDC, 120 * USDC_UNIT));
		assert_eq!(held(&sub(ALICE, 0), USDC), 180 * USDC_UNIT);
		assert_eq!(held(&sub(ALICE, 7), USDC), 120 * USDC_UNIT);
		// Ledger only: no token moves, the total is unchanged.
		assert_eq!(balance(USDC, vault()), vault_before);
		assert_eq!(TotalCollateral::<Test>::get(USDC), 300 * USDC_UNIT);
		assert_eq!(
			vault_events().last(),
			Some(&Event::Transferred { owner: ALICE, from: 0, to: 7, asset: USDC, amount: 120 * USDC_UNIT })
		);
	});
}

#[test]
fn transfer_checks_funds_target_and_margin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 10 * USDC_UNIT));
		assert_noop!(
			Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, 0, USDC, USDC_UNIT),
			Error::<Test>::SameSubaccount
		);
		assert_noop!(
			Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, 1, USDC, 10 * USDC_UNIT + 1),
			Error::<Test>::InsufficientCollateral
		);
		// Bob cannot move Alice's collateral: his subaccount 0 is his own, and empty.
		assert_noop!(
			Vaults::transfer(RuntimeOrigin::signed(BOB), 0, 1, USDC, USDC_UNIT),
			Error::<Test>::InsufficientCollateral
		);
		margin_refuses(true);
		assert_noop!(
			Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, 1, USDC, USDC_UNIT),
			Error::<Test>::WouldBreachMargin
		);
	});
}
