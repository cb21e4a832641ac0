use crate::{mock::*, CollateralAssets, Error, Event};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

fn eth_config() -> crate::CollateralConfig {
	crate::CollateralConfig { decimals: 18, ..btc_config() }
}

#[test]
fn genesis_registers_collateral_and_funds_each_reserve() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(CollateralAssets::<Test>::get(USDC), Some(usdc_config()));
		assert_eq!(CollateralAssets::<Test>::get(CLR), Some(clr_config()));
		assert_eq!(balance(USDC, vault()), USDC_MIN);
		assert_eq!(balance(CLR, vault()), CLR_ED);
		assert_eq!(balance(BTC, vault()), BTC_MIN);
	});
}

#[test]
fn root_registers_an_asset_once_the_vault_holds_its_reserve() {
	ExtBuilder::without_collateral().build_and_execute(|| {
		assert_noop!(
			Vaults::set_collateral_asset(RuntimeOrigin::root(), ETH, eth_config()),
			Error::<Test>::VaultReserveMissing
		);
		mint(ETH, vault(), ETH_MIN);
		assert_ok!(Vaults::set_collateral_asset(RuntimeOrigin::root(), ETH, eth_config()));
		assert_eq!(
			vault_events(),
			vec![Event::CollateralAssetSet { asset: ETH, config: eth_config() }]
		);
		mint(ETH, ALICE, 200_000);
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, ETH, 100_000));
	});
}

#[test]
fn the_registry_is_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		// The mock's bound is three assets, all taken at genesis.
		mint(ETH, vault(), ETH_MIN);
		assert_noop!(
			Vaults::set_collateral_asset(RuntimeOrigin::root(), ETH, eth_config()),
			Error::<Test>::TooManyCollateralAssets
		);
		// Updating a registered asset needs no room.
		assert_ok!(Vaults::set_collateral_asset(RuntimeOrigin::root(), BTC, btc_config()));
	});
}

#[test]
fn registry_rejects_configs_outside_the_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let root = || RuntimeOrigin::root();
		let mut c = btc_config();
		c.haircut = Permill::one();
		assert_noop!(Vaults::set_collateral_asset(root(), BTC, c), Error::<Test>::HaircutTooHigh);
		let mut c = btc_config();
		c.min_deposit = 0;
		assert_noop!(Vaults::set_collateral_asset(root(), BTC, c), Error::<Test>::ZeroMinimumDeposit);
		let mut c = btc_config();
		c.decimals = 25;
		assert_noop!(Vaults::set_collateral_asset(root(), BTC, c), Error::<Test>::UnsupportedDecimals);
		let mut c = btc_config();
		c.decimals = 6;
		assert_noop!(Vaults::set_collateral_asset(root(), BTC, c), Error::<Test>::DecimalsChanged);
		assert_noop!(
			Vaults::set_collateral_asset(root(), 77, btc_config()),
			Error::<Test>::UnknownAsset
		);
		assert_noop!(
			Vaults::set_collateral_asset(RuntimeOrigin::signed(ALICE), BTC, btc_config()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn lowering_a_cap_below_the_total_blocks_deposits_but_not_withdrawals() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, 2 * BTC_UNIT));
		let c = crate::CollateralConfig { deposit_cap: BTC_UNIT, ..btc_config() };
		assert_ok!(Vaults::set_collateral_asset(RuntimeOrigin::root(), BTC, c));
		assert_noop!(
			Vaults::deposit(RuntimeOrigin::signed(BOB), 0, BTC, BTC_UNIT),
			Error::<Test>::CapExceeded
		);
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, BTC, 2 * BTC_UNIT));
	});
}
